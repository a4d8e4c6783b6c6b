#include "loader/fit.h"

#include <cstring>

#include "fdt/device_tree.h"
#include "lib/crc32.h"
#include "lib/sha256.h"

extern "C" {
#include <libfdt.h>
}

namespace xb::loader {
namespace {

std::uint32_t be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

// A string property: non-empty, NUL-terminated within its length.
const char* string_prop(const void* fit, int node, const char* name) {
    int len = 0;
    const auto* p = static_cast<const char*>(fdt_getprop(fit, node, name, &len));
    if (p == nullptr || len <= 0 || p[len - 1] != '\0') return nullptr;
    return p;
}

// One or two cells (mkimage writes #address-cells cells).
Result<std::optional<std::uint64_t>> address_prop(const void* fit, int node, const char* name, const char* image) {
    int len = 0;
    const auto* p = static_cast<const std::uint8_t*>(fdt_getprop(fit, node, name, &len));
    if (p == nullptr) return std::optional<std::uint64_t>{};
    if (len == 4) return std::optional<std::uint64_t>{be32(p)};
    if (len == 8) return std::optional<std::uint64_t>{std::uint64_t{be32(p)} << 32 | be32(p + 4)};
    return Error::make(Errc::bad_data, "FIT image '%s': %s is %d bytes (1 or 2 cells expected)", image, name, len);
}

Result<compress::Compression> compression_of(const void* fit, int node, const char* image) {
    const char* c = string_prop(fit, node, "compression");
    if (c == nullptr || strcmp(c, "none") == 0) return compress::Compression::none;
    if (strcmp(c, "gzip") == 0) return compress::Compression::gzip;
    if (strcmp(c, "zstd") == 0) return compress::Compression::zstd;
    if (strcmp(c, "lzma") == 0) return compress::Compression::lzma;
    if (strcmp(c, "lz4") == 0) return compress::Compression::lz4;
    if (strcmp(c, "xz") == 0) return compress::Compression::xz;
    return Error::make(Errc::unsupported, "FIT image '%s': compression '%s' is not supported", image, c);
}

// The image's data: embedded, or external (mkimage -E / -p).
Result<std::span<const std::uint8_t>> data_of(std::span<const std::uint8_t> bytes, int node, const char* image) {
    const void* fit = bytes.data();
    int len = 0;
    const void* p = fdt_getprop(fit, node, "data", &len);
    if (p != nullptr) return std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(p), std::size_t(len));
    int off_len = 0;
    int pos_len = 0;
    int size_len = 0;
    const auto* off = static_cast<const std::uint8_t*>(fdt_getprop(fit, node, "data-offset", &off_len));
    const auto* pos = static_cast<const std::uint8_t*>(fdt_getprop(fit, node, "data-position", &pos_len));
    const auto* size = static_cast<const std::uint8_t*>(fdt_getprop(fit, node, "data-size", &size_len));
    if ((off == nullptr && pos == nullptr) || size == nullptr || size_len != 4 || (off != nullptr && off_len != 4) ||
        (off == nullptr && pos_len != 4)) {
        return Error::make(Errc::bad_data, "FIT image '%s': no data (data, or data-offset/-position and data-size)",
                           image);
    }
    std::uint64_t start = 0;
    if (off != nullptr) {
        start = ((std::uint64_t{fdt_totalsize(fit)} + 3) & ~std::uint64_t{3}) + be32(off);
    } else {
        start = be32(pos);
    }
    const std::uint64_t n = be32(size);
    if (start > bytes.size() || n > bytes.size() - start) {
        return Error::make(Errc::bad_data, "FIT image '%s': external data at 0x%lx (+0x%lx) lies past the %zu bytes",
                           image, start, n, bytes.size());
    }
    return bytes.subspan(static_cast<std::size_t>(start), static_cast<std::size_t>(n));
}

// Every hash-* subnode checked; at least one is not required (mkimage makes
// images without), but a hash node that cannot be checked is an error.
Result<unsigned> verify_hashes(const void* fit, int node, const char* image, std::span<const std::uint8_t> data) {
    unsigned n = 0;
    for (int h = fdt_first_subnode(fit, node); h >= 0; h = fdt_next_subnode(fit, h)) {
        const char* hname = fdt_get_name(fit, h, nullptr);
        if (hname == nullptr || strncmp(hname, "hash", 4) != 0) continue;
        const char* algo = string_prop(fit, h, "algo");
        if (algo == nullptr) {
            return Error::make(Errc::bad_data, "FIT image '%s' hash node '%s': no algo", image, hname);
        }
        int vlen = 0;
        const auto* value = static_cast<const std::uint8_t*>(fdt_getprop(fit, h, "value", &vlen));
        if (value == nullptr) {
            return Error::make(Errc::bad_data, "FIT image '%s' hash node '%s': no value", image, hname);
        }
        bool match = false;
        if (strcmp(algo, "sha256") == 0) {
            if (vlen != 32) {
                return Error::make(Errc::bad_data, "FIT image '%s' hash node '%s': sha256 value of %d bytes", image,
                                   hname, vlen);
            }
            const Sha256Digest d = sha256(data.data(), data.size());
            match = memcmp(d.data(), value, 32) == 0;
        } else if (strcmp(algo, "crc32") == 0) {
            if (vlen != 4) {
                return Error::make(Errc::bad_data, "FIT image '%s' hash node '%s': crc32 value of %d bytes", image,
                                   hname, vlen);
            }
            match = crc32(0, data.data(), data.size()) == be32(value);
        } else {
            return Error::make(Errc::unsupported,
                               "FIT image '%s' hash node '%s': algo '%s' cannot be checked (sha256 and crc32 can)",
                               image, hname, algo);
        }
        if (!match)
            return Error::make(Errc::bad_data, "FIT image '%s' hash node '%s': %s mismatch", image, hname, algo);
        ++n;
    }
    return n;
}

// The image named by the configuration's property `role` ("kernel", ...):
// nullopt when the configuration has none.
Result<std::optional<FitImage>> resolve(std::span<const std::uint8_t> bytes, int images, int conf, const char* role,
                                        const char* want_type) {
    const void* fit = bytes.data();
    int len = 0;
    const auto* ref = static_cast<const char*>(fdt_getprop(fit, conf, role, &len));
    if (ref == nullptr) return std::optional<FitImage>{};
    if (len <= 0 || ref[len - 1] != '\0')
        return Error::make(Errc::bad_data, "FIT: configuration %s is not a string", role);
    if (strlen(ref) + 1 != static_cast<std::size_t>(len)) {
        return Error::make(Errc::unsupported, "FIT: configuration %s lists several images (overlays are not supported)",
                           role);
    }
    const int node = fdt_subnode_offset(fit, images, ref);
    if (node < 0) return Error::make(Errc::not_found, "FIT: configuration's %s '%s' is not in /images", role, ref);
    FitImage img;
    img.name = fdt_get_name(fit, node, nullptr);
    const char* type = string_prop(fit, node, "type");
    if (type == nullptr) return Error::make(Errc::bad_data, "FIT image '%s': no type", ref);
    const bool kernel_ok = strcmp(want_type, "kernel") == 0 && strcmp(type, "kernel_noload") == 0;
    if (strcmp(type, want_type) != 0 && !kernel_ok) {
        return Error::make(Errc::bad_data, "FIT image '%s': type '%s', expected '%s'", ref, type, want_type);
    }
    if (strcmp(want_type, "kernel") == 0) {
        const char* arch = string_prop(fit, node, "arch");
        if (arch != nullptr && strcmp(arch, "arm64") != 0) {
            return Error::make(Errc::unsupported, "FIT image '%s': arch '%s', not arm64", ref, arch);
        }
        const char* os = string_prop(fit, node, "os");
        if (os != nullptr && strcmp(os, "linux") != 0) {
            return Error::make(Errc::unsupported, "FIT image '%s': os '%s', not linux", ref, os);
        }
    }
    img.compression = TRY(compression_of(fit, node, ref));
    img.load = TRY(address_prop(fit, node, "load", ref));
    img.entry = TRY(address_prop(fit, node, "entry", ref));
    img.data = TRY(data_of(bytes, node, ref));
    img.hashes = TRY(verify_hashes(fit, node, ref, img.data));
    return std::optional<FitImage>{img};
}

}  // namespace

bool looks_like_fit(std::span<const std::uint8_t> bytes) {
    return bytes.size() >= 4 && be32(bytes.data()) == kFdtMagic;
}

Result<std::size_t> fit_tree_size(std::span<const std::uint8_t> h) {
    if (h.size() < sizeof(fdt_header))
        return Error::make(Errc::bad_data, "FIT: %zu bytes, shorter than a header", h.size());
    if (be32(h.data()) != kFdtMagic) {
        return Error::make(Errc::bad_data, "not a FIT (magic 0x%08x, expected 0x%08x)", be32(h.data()), kFdtMagic);
    }
    const std::uint32_t total = be32(h.data() + 4);
    if (total < sizeof(fdt_header) || total > 0x7fffffff) {
        return Error::make(Errc::bad_data, "FIT: totalsize 0x%x is not plausible", total);
    }
    return std::size_t{total};
}

Result<FitConfig> parse_fit(std::span<const std::uint8_t> bytes, const char* config) {
    const std::size_t total = TRY(fit_tree_size(bytes));
    if (total > bytes.size()) {
        return Error::make(Errc::bad_data, "FIT: totalsize %zu but only %zu bytes", total, bytes.size());
    }
    if (reinterpret_cast<std::uintptr_t>(bytes.data()) % 8 != 0) {
        return Error::make(Errc::invalid_argument, "FIT: not 8-byte aligned");
    }
    const void* fit = bytes.data();
    // fdt::validate, not libfdt's checks alone: Debian's libfdt 1.6.1
    // fdt_check_full() dereferences NULL on some malformed pre-v16 trees
    // (found by fuzz_fit) and loops forever on others; validate takes v17
    // trees only (what mkimage writes) and walks the structure first.
    Result<std::size_t> checked = fdt::validate(fit, total);
    if (!checked.ok()) return Error::make(checked.error().code(), "FIT: %s", checked.error().message());
    const int images = fdt_path_offset(fit, "/images");
    if (images < 0) return Error::make(Errc::bad_data, "FIT: no /images node");
    const int confs = fdt_path_offset(fit, "/configurations");
    if (confs < 0) return Error::make(Errc::bad_data, "FIT: no /configurations node");
    int conf = -1;
    if (config != nullptr && config[0] != '\0') {
        conf = fdt_subnode_offset(fit, confs, config);
        if (conf < 0) return Error::make(Errc::not_found, "FIT: no configuration '%s'", config);
    } else if (const char* def = string_prop(fit, confs, "default"); def != nullptr) {
        conf = fdt_subnode_offset(fit, confs, def);
        if (conf < 0) return Error::make(Errc::not_found, "FIT: default configuration '%s' does not exist", def);
    } else {
        conf = fdt_first_subnode(fit, confs);
        if (conf < 0) return Error::make(Errc::not_found, "FIT: no configuration");
    }
    FitConfig out;
    out.name = fdt_get_name(fit, conf, nullptr);
    std::optional<FitImage> kernel = TRY(resolve(bytes, images, conf, "kernel", "kernel"));
    if (!kernel) return Error::make(Errc::not_found, "FIT: configuration '%s' has no kernel", out.name);
    out.kernel = *kernel;
    out.ramdisk = TRY(resolve(bytes, images, conf, "ramdisk", "ramdisk"));
    out.fdt = TRY(resolve(bytes, images, conf, "fdt", "flat_dt"));
    return out;
}

}  // namespace xb::loader
