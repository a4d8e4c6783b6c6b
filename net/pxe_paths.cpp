#include "net/pxe_paths.h"

#include <cstring>

#include "lib/format.h"

namespace xb::net {
namespace {

class Builder {
  public:
    Builder(std::string_view dir, PxeCandidates& out) : dir_(dir), out_(out) {}

    // dir + "pxelinux.cfg/" (when `in_cfg_dir`) + name; skipped when too long.
    void add(bool in_cfg_dir, std::string_view name) {
        if (out_.count == pxe::kMaxCandidates) return;
        char* slot = out_.names[out_.count];
        const std::size_t n =
            format_to(slot, pxe::kMaxPath + 1, "%.*s%s%.*s", static_cast<int>(dir_.size()), dir_.data(),
                      in_cfg_dir ? "pxelinux.cfg/" : "", static_cast<int>(name.size()), name.data());
        if (n > pxe::kMaxPath) {
            slot[0] = '\0';
            ++out_.skipped;
            return;
        }
        ++out_.count;
    }

  private:
    std::string_view dir_;
    PxeCandidates& out_;
};

}  // namespace

std::string_view pxe_directory(const PxeInputs& in) {
    // The bootfile's directory: everything up to its last '/'.
    std::string_view dir = in.path_prefix;
    if (dir.empty()) {
        const std::size_t slash = in.bootfile.rfind('/');
        if (slash != std::string_view::npos) dir = in.bootfile.substr(0, slash + 1);
    }
    if (dir.size() > pxe::kMaxPath) dir = {};  // cannot prefix anything: every name would be skipped
    return dir;
}

Status pxe_config_candidates(const PxeInputs& in, PxeCandidates& out) {
    out.count = 0;
    out.skipped = 0;
    Builder b(pxe_directory(in), out);

    if (!in.config_option.empty()) {
        b.add(false, in.config_option);
        if (out.count == 0)
            return Error::make(Errc::invalid_argument, "pxe: the config file name from DHCP is longer than %zu bytes",
                               pxe::kMaxPath);
        return {};
    }
    if (!in.uuid.empty()) b.add(true, in.uuid);
    if (in.mac != nullptr) {
        char mac[21];
        const auto& m = in.mac->bytes;
        format_to(mac, sizeof mac, "01-%02x-%02x-%02x-%02x-%02x-%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
        b.add(true, mac);
    }
    if (!in.ip.is_any()) {
        char hex[9];
        format_to(hex, sizeof hex, "%08X", in.ip.value);
        for (std::size_t len = 8; len >= 1; --len) b.add(true, std::string_view(hex, len));
    }
    char name[64];
    format_to(name, sizeof name, "default-%s-%s-%s", pxe::kArch, pxe::kSoc, pxe::kBoard);
    b.add(true, name);
    format_to(name, sizeof name, "default-%s-%s", pxe::kArch, pxe::kSoc);
    b.add(true, name);
    format_to(name, sizeof name, "default-%s", pxe::kArch);
    b.add(true, name);
    b.add(true, "default");
    return {};
}

}  // namespace xb::net
