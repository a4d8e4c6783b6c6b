#include "loader/grubenv.h"

namespace xb::loader {

Status parse_grubenv(std::span<const std::uint8_t>, bool (*)(void*, std::string_view, std::string_view), void*) {
    return Error::make(Errc::unsupported, "grubenv: not implemented yet");
}

}  // namespace xb::loader
