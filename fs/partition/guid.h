// GUIDs as GPT stores them (UEFI 2.x appendix A, EFI_GUID): the first three
// fields little-endian (u32, u16, u16), the last eight bytes in order. Text is
// the usual 8-4-4-4-12 lowercase form, as U-Boot prints GPT GUIDs ("%pUl").
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace xb::fs {

struct Guid {
    std::array<std::uint8_t, 16> bytes{};  // on-disk order

    bool is_zero() const;
    friend bool operator==(const Guid&, const Guid&) = default;
};

inline constexpr std::size_t kGuidTextSize = 37;  // 36 characters + NUL

// Writes "c12a7328-f81f-11d2-ba4b-00a0c93ec93b".
void format_guid(const Guid& guid, char (&out)[kGuidTextSize]);

// Parses the 36-character text form (either case). False on anything else.
bool parse_guid(std::string_view text, Guid& out);

// Short name of a well-known partition type ("system", "data", "linux", ...),
// or nullptr. These are the names U-Boot shows under a GPT type GUID.
const char* guid_type_name(const Guid& type);

}  // namespace xb::fs
