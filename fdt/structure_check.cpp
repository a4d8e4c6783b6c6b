#include "fdt/structure_check.h"

#include <cstdint>

namespace xb::fdt {
namespace {

// Tokens of the structure block (Devicetree Specification v0.4, 5.4.1).
constexpr std::uint32_t kBeginNode = 1;
constexpr std::uint32_t kEndNode = 2;
constexpr std::uint32_t kProp = 3;
constexpr std::uint32_t kNop = 4;
constexpr std::uint32_t kEnd = 9;
constexpr unsigned kMaxDepth = 64;

std::uint32_t be32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

Error bad(const char* what, std::size_t at) {
    return Error::make(Errc::bad_data, "device tree: structure block: %s at offset %zu", what, at);
}

}  // namespace

Status check_structure(const void* blob, std::size_t size) {
    const auto* b = static_cast<const std::uint8_t*>(blob);
    const std::size_t total = be32(b + 4);
    const std::size_t off_struct = be32(b + 8), off_strings = be32(b + 12);
    const std::size_t size_strings = be32(b + 32), size_struct = be32(b + 36);
    if (total > size || off_struct > total || size_struct > total - off_struct || off_strings > total ||
        size_strings > total - off_strings || off_struct % 4 != 0) {
        return Error::make(Errc::bad_data, "device tree: blocks lie outside the blob");
    }
    const std::uint8_t* s = b + off_struct;
    std::size_t pos = 0;
    unsigned depth = 0;
    bool seen_root = false;
    while (true) {
        if (size_struct - pos < 4) return bad("no FDT_END", pos);
        std::uint32_t tag = be32(s + pos);
        std::size_t at = pos;
        pos += 4;
        switch (tag) {
            case kBeginNode: {
                if (depth == 0 && seen_root) return bad("a second root node", at);
                seen_root = true;
                if (++depth > kMaxDepth) return bad("nodes nested too deep", at);
                std::size_t n = 0;  // the name, NUL-terminated, padded to 4
                while (pos + n < size_struct && s[pos + n] != '\0') ++n;
                if (pos + n >= size_struct) return bad("an unterminated node name", at);
                pos += (n + 1 + 3) & ~std::size_t{3};
                if (pos > size_struct) return bad("a node name beyond the block", at);
                break;
            }
            case kEndNode:
                if (depth == 0) return bad("FDT_END_NODE without a node", at);
                --depth;
                break;
            case kProp: {
                if (depth == 0) return bad("a property outside any node", at);
                if (size_struct - pos < 8) return bad("a truncated property", at);
                std::size_t len = be32(s + pos), nameoff = be32(s + pos + 4);
                pos += 8;
                if (len > size_struct - pos) return bad("a property longer than the block", at);
                if (nameoff >= size_strings) return bad("a property name outside the strings block", at);
                std::size_t k = nameoff;  // the name must end inside the strings block
                while (k < size_strings && b[off_strings + k] != '\0') ++k;
                if (k == size_strings) return bad("an unterminated property name", at);
                pos += (len + 3) & ~std::size_t{3};
                if (pos > size_struct) return bad("property padding beyond the block", at);
                break;
            }
            case kNop: break;
            case kEnd:
                if (depth != 0 || !seen_root) return bad("FDT_END inside a node", at);
                return ok();
            default: return bad("an unknown token", at);
        }
    }
}

}  // namespace xb::fdt
