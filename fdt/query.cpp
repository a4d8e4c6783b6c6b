#include "fdt/query.h"

#include <cstring>
#include <new>

#include "fdt/tree_print.h"
#include "lib/format.h"

extern "C" {
#include <libfdt.h>
}

namespace xb::fdt {
namespace {

std::uint32_t be32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

Status put_cell(std::uint32_t cell, char* out, std::size_t size) {
    if (size < 11) return Error::make(Errc::no_space, "value does not fit");
    format_to(out, size, "0x%08X", cell);
    return ok();
}

// The header words in their order in struct fdt_header.
constexpr const char* kMembers[] = {
    "magic",   "totalsize",         "off_dt_struct",   "off_dt_strings",  "off_mem_rsvmap",
    "version", "last_comp_version", "boot_cpuid_phys", "size_dt_strings", "size_dt_struct",
};

// Buffers owned for the length of one apply_overlay.
struct HeapBuffer {
    std::uint8_t* p = nullptr;
    explicit HeapBuffer(std::size_t n) : p(new (std::nothrow) std::uint8_t[n]) {}
    ~HeapBuffer() { delete[] p; }
    HeapBuffer(const HeapBuffer&) = delete;
    HeapBuffer& operator=(const HeapBuffer&) = delete;
};

}  // namespace

Status value_text(const void* data, std::size_t len, std::optional<std::uint32_t> index, char* out, std::size_t size) {
    if (size == 0) return Error::make(Errc::no_space, "value does not fit");
    const auto* p = static_cast<const std::uint8_t*>(data);
    out[0] = '\0';
    if (len == 0) return ok();
    if (len > 0x7fffffff) return Error::make(Errc::invalid_argument, "value too long");
    if (is_string_list(p, static_cast<int>(len))) {
        std::uint32_t want = index.value_or(0);
        for (std::size_t off = 0; off < len;) {
            const std::size_t n = strnlen(reinterpret_cast<const char*>(p + off), len - off);
            if (want == 0) {
                if (n >= size) return Error::make(Errc::no_space, "string of %zu bytes does not fit", n);
                memcpy(out, p + off, n);
                out[n] = '\0';
                return ok();
            }
            --want;
            off += n + 1;
        }
        return Error::make(Errc::not_found, "no string at index %u", *index);
    }
    if (len == 4) return put_cell(be32(p), out, size);
    if (len % 4 != 0) return Error::make(Errc::invalid_argument, "unprintable value (%zu bytes)", len);
    if (index) {
        if (*index >= len / 4) return Error::make(Errc::not_found, "no cell at index %u", *index);
        return put_cell(be32(p + std::size_t{*index} * 4), out, size);
    }
    if (len * 2 >= size) return Error::make(Errc::no_space, "value of %zu bytes is too long for a variable", len);
    for (std::size_t i = 0; i < len; i += 4) format_to(out + i * 2, size - i * 2, "%08x", be32(p + i));
    return ok();
}

Result<int> subnode_at(const void* blob, int node, std::uint32_t index) {
    std::uint32_t i = 0;
    // fdt_next_subnode walks forward through a validated structure block, so
    // the loop ends at its end.
    for (int sub = fdt_first_subnode(blob, node); sub >= 0; sub = fdt_next_subnode(blob, sub)) {
        if (i++ == index) return sub;
    }
    return Error::make(Errc::not_found, "no subnode at index %u", index);
}

Result<std::uint32_t> subnode_count(const void* blob, int node) {
    std::uint32_t n = 0;
    for (int sub = fdt_first_subnode(blob, node); sub >= 0; sub = fdt_next_subnode(blob, sub)) ++n;
    return n;
}

Result<std::uint32_t> header_member(const void* blob, const char* name) {
    const auto* p = static_cast<const std::uint8_t*>(blob);
    for (std::size_t i = 0; i < sizeof kMembers / sizeof kMembers[0]; ++i) {
        if (strcmp(kMembers[i], name) == 0) return be32(p + i * 4);
    }
    return Error::make(Errc::not_found, "no header member '%s'", name);
}

Status apply_overlay(void* base, std::size_t room, const void* overlay, std::size_t overlay_size) {
    if (room > 0x7fffffff || overlay_size > 0x7fffffff) {
        return Error::make(Errc::invalid_argument, "tree or overlay too large");
    }
    HeapBuffer work(room);
    HeapBuffer ov(overlay_size);
    if (work.p == nullptr || ov.p == nullptr) {
        return Error::make(Errc::no_memory, "no heap for copies of the tree (%zu bytes) and overlay (%zu bytes)", room,
                           overlay_size);
    }
    int err = fdt_open_into(base, work.p, static_cast<int>(room));
    if (err == 0) err = fdt_open_into(overlay, ov.p, static_cast<int>(overlay_size));
    if (err != 0) return Error::make(Errc::bad_data, "copying for the overlay: %s", fdt_strerror(err));
    err = fdt_overlay_apply(work.p, ov.p);
    if (err == -FDT_ERR_NOTFOUND) {
        return Error::make(Errc::not_found,
                           "fdt_overlay_apply: %s (the base tree has no __symbols__ node or lacks a label the "
                           "overlay refers to: compile it with dtc -@)",
                           fdt_strerror(err));
    }
    if (err == -FDT_ERR_NOSPACE) {
        return Error::make(Errc::no_space, "fdt_overlay_apply: %s (device tree full; use fdt resize)",
                           fdt_strerror(err));
    }
    if (err != 0) return Error::make(Errc::bad_data, "fdt_overlay_apply: %s", fdt_strerror(err));
    memcpy(base, work.p, fdt_totalsize(work.p));
    return ok();
}

}  // namespace xb::fdt
