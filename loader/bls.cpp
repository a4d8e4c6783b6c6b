#include "loader/bls.h"

namespace xb::loader {

Status parse_bls_entry(std::string_view, std::string_view, BlsEntry&) {
    return Error::make(Errc::unsupported, "BLS entries: not implemented yet");
}

bool bls_before(const BlsEntry&, const BlsEntry&) { return false; }

int rpm_vercmp(std::string_view, std::string_view) { return 0; }

}  // namespace xb::loader
