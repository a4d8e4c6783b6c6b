#include "fdt/tree_print.h"

#include <cstdint>
#include <cstring>
#include <string_view>

extern "C" {
#include <libfdt.h>
}

namespace xb::fdt {
namespace {

void indent(Sink& out, int level) {
    static constexpr char kTabs[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
    static_assert(sizeof kTabs - 1 >= kMaxPrintDepth + 1);
    if (level < 0) level = 0;
    if (level > kMaxPrintDepth + 1) level = kMaxPrintDepth + 1;
    out.put(std::string_view(kTabs, static_cast<std::size_t>(level)));
}

std::uint32_t be32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

void print_value(Sink& out, const std::uint8_t* p, int len) {
    if (is_string_list(p, len)) {
        for (int off = 0; off < len;) {
            const auto n =
                static_cast<int>(strnlen(reinterpret_cast<const char*>(p + off), static_cast<std::size_t>(len - off)));
            if (off != 0) out.put(", ");
            out.put("\"");
            out.put(std::string_view(reinterpret_cast<const char*>(p + off), static_cast<std::size_t>(n)));
            out.put("\"");
            off += n + 1;
        }
        return;
    }
    if (len > kMaxDumpBytes) {
        format(out, "* 0x%lx [0x%08x]", reinterpret_cast<std::uintptr_t>(p), static_cast<unsigned>(len));
        return;
    }
    char buf[kMaxDumpBytes * 3 + 8];  // the longest: 64 bytes as "[xx xx ... xx]"
    std::size_t n = 0;
    if (len % 4 == 0) {
        buf[n++] = '<';
        for (int i = 0; i < len; i += 4) {
            n += format_to(buf + n, sizeof buf - n, i == 0 ? "0x%08x" : " 0x%08x", be32(p + i));
        }
        buf[n++] = '>';
    } else {
        buf[n++] = '[';
        for (int i = 0; i < len; ++i) n += format_to(buf + n, sizeof buf - n, i == 0 ? "%02x" : " %02x", p[i]);
        buf[n++] = ']';
    }
    out.put(std::string_view(buf, n));
}

}  // namespace

bool is_string_list(const void* data, int len) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    if (len <= 0 || p[len - 1] != '\0' || p[0] == '\0') return false;
    for (int i = 0; i < len - 1; ++i) {
        if (p[i] == '\0') {
            if (p[i + 1] == '\0') return false;
        } else if (p[i] < 0x20 || p[i] > 0x7e) {
            return false;
        }
    }
    return true;
}

void print_property(Sink& out, const char* name, const void* data, int len) {
    out.put(name);
    if (len > 0) {
        out.put(" = ");
        print_value(out, static_cast<const std::uint8_t*>(data), len);
    }
}

Status print_node(Sink& out, const void* blob, int node, int depth, StopCheck stop) {
    if (depth > kMaxPrintDepth) depth = kMaxPrintDepth;
    constexpr unsigned kStopInterval = 64;
    unsigned nodes = 0;
    int level = 0;
    int offset = node;
    int first_next = 0;
    if (node < 0 || fdt_next_tag(blob, node, &first_next) != FDT_BEGIN_NODE) {
        return Error::make(Errc::invalid_argument, "device tree: offset %d is not a node", node);
    }
    // Each step moves strictly forward through a validated structure block,
    // so the walk ends; the level bound keeps the indentation bounded.
    do {
        int next = 0;
        const std::uint32_t tag = fdt_next_tag(blob, offset, &next);
        if (next <= offset) return Error::make(Errc::bad_data, "device tree: structure ends inside a node");
        switch (tag) {
            case FDT_BEGIN_NODE: {
                // Asked every kStopInterval nodes only: a check drains typed-ahead
                // input (cmd::Context::ctrlc), which a short listing should keep.
                if (++nodes % kStopInterval == 0 && stop()) return Error::make(Errc::interrupted, "interrupted");
                if (level > kMaxPrintDepth) {
                    return Error::make(Errc::bad_data, "device tree: nodes nested deeper than %d levels",
                                       kMaxPrintDepth);
                }
                if (level <= depth) {
                    int len = 0;
                    const char* name = fdt_get_name(blob, offset, &len);
                    if (name == nullptr) return Error::make(Errc::bad_data, "device tree: unreadable node name");
                    indent(out, level);
                    out.put(offset == 0 ? std::string_view("/")
                                        : std::string_view(name, static_cast<std::size_t>(len)));
                    out.put(" {\n");
                }
                ++level;
                break;
            }
            case FDT_END_NODE:
                --level;
                if (level <= depth) {
                    indent(out, level);
                    out.put("};\n");
                }
                break;
            case FDT_PROP: {
                if (level <= depth) {
                    const char* name = nullptr;
                    int len = 0;
                    const void* data = fdt_getprop_by_offset(blob, offset, &name, &len);
                    if (data == nullptr || name == nullptr) {
                        return Error::make(Errc::bad_data, "device tree: unreadable property at offset %d", offset);
                    }
                    indent(out, level);
                    print_property(out, name, data, len);
                    out.put(";\n");
                }
                break;
            }
            case FDT_NOP: break;
            default:  // FDT_END or an error before the node closed
                return Error::make(Errc::bad_data, "device tree: structure ends inside a node");
        }
        offset = next;
    } while (level > 0);
    return ok();
}

}  // namespace xb::fdt
