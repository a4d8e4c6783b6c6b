#include "fs/partition/guid.h"

#include <cstring>

#include "lib/endian.h"
#include "lib/format.h"

namespace xb::fs {
namespace {

struct KnownType {
    const char* guid;
    const char* name;
};

// Well-known type GUIDs (UEFI 2.x table 5-7 for the EFI system partition; the
// others are the published Microsoft and Linux type GUIDs).
constexpr KnownType kKnownTypes[] = {
    {"c12a7328-f81f-11d2-ba4b-00a0c93ec93b", "system"}, {"024dee41-33e7-11d3-9d69-0008c781f39f", "mbr"},
    {"e3c9e316-0b5c-4db8-817d-f92df00215ae", "msft"},   {"ebd0a0a2-b9e5-4433-87c0-68b6b72699c7", "data"},
    {"0fc63daf-8483-4772-8e79-3d69d8477de4", "linux"},  {"a19d880f-05fc-4d3b-a006-743f0f84911e", "raid"},
    {"0657fd6d-a4ab-43c4-84e5-0933c84b4f4f", "swap"},   {"e6d6d379-f507-44c2-a23c-238f2a3df928", "lvm"},
};

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

bool Guid::is_zero() const {
    for (std::uint8_t b : bytes) {
        if (b != 0) return false;
    }
    return true;
}

void format_guid(const Guid& guid, char (&out)[kGuidTextSize]) {
    const std::uint8_t* b = guid.bytes.data();
    format_to(out, sizeof out, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", load_le32(b), load_le16(b + 4),
              load_le16(b + 6), b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

bool parse_guid(std::string_view text, Guid& out) {
    if (text.size() != kGuidTextSize - 1) return false;
    // Text byte order: the first three groups are numbers (stored little-endian),
    // the last two are bytes in storage order.
    static constexpr std::uint8_t kOrder[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    Guid g;
    std::size_t pos = 0;
    for (unsigned i = 0; i < 16; ++i) {
        if (pos == 8 || pos == 13 || pos == 18 || pos == 23) {
            if (text[pos] != '-') return false;
            ++pos;
        }
        const int hi = hex_value(text[pos]);
        const int lo = hex_value(text[pos + 1]);
        if (hi < 0 || lo < 0) return false;
        g.bytes[kOrder[i]] = static_cast<std::uint8_t>(hi << 4 | lo);
        pos += 2;
    }
    out = g;
    return true;
}

const char* guid_type_name(const Guid& type) {
    char text[kGuidTextSize];
    format_guid(type, text);
    for (const KnownType& k : kKnownTypes) {
        if (strcmp(k.guid, text) == 0) return k.name;
    }
    return nullptr;
}

}  // namespace xb::fs
