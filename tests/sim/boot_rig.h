// A shell over simulated guest RAM for the boot tests (booti, bootflow, the
// filesystem commands): the sim console, an environment, cmd::Services with
// a recording hand-off and the disks a test adds, and RAM laid out as
//   [base, base + 1 MiB)              reserved ("firmware": keeps the lowest
//                                      2 MiB-aligned free address at base + 2 MiB)
//   [base + 1 MiB, top - 1 MiB)       free
//   [top - 1 MiB, top)                reserved "heap", holding xenboot's copy
//                                      of the device tree (64 KiB of room)
// Free RAM is filled with kGuard before each test, so "nothing was written"
// is checked byte by byte. Also: a synthetic arm64 Image and gzip of it.
#pragma once

#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "bootflow/boot_layout.h"
#include "bootflow/bootflows.h"
#include "shell/environment.h"
#include "bootflow/fdt_working_tree.h"
#include "bootflow/fs_access.h"
#include "shell/shell.h"
#include "fdt/device_tree.h"
#include "tests/sim/dtb_builder.h"
#include "tests/sim/fakes.h"
#include "tests/sim/guest_ram.h"
#include "bootflow/services.h"
#include "tests/sim/sim_guest.h"

extern "C" {
#include <libfdt.h>
}

namespace xb::sim {

// cmd::Handoff that records its calls and what the kernel would find: the
// bytes at the entry point and the device tree, both copied at enter_kernel.
class RecordingHandoff final : public cmd::Handoff {
  public:
    Result<unsigned> release_xen(Console& log) override {
        calls.push_back("release_xen");
        if (refuse != nullptr) return Error::make(Errc::busy, "%s", refuse);
        log.printf("(test) released\n");
        return warnings_to_report;
    }
    void enter_kernel(std::uint64_t entry_addr, std::uint64_t dtb_addr) override {
        calls.push_back("enter_kernel");
        entry = entry_addr;
        dtb = dtb_addr;
        const auto* k = reinterpret_cast<const std::uint8_t*>(static_cast<std::uintptr_t>(entry_addr));
        kernel.assign(k, k + snapshot_bytes);
        const void* blob = reinterpret_cast<const void*>(static_cast<std::uintptr_t>(dtb_addr));
        if (fdt_check_header(blob) == 0) {
            const auto* b = static_cast<const std::uint8_t*>(blob);
            tree.assign(b, b + fdt_totalsize(blob));
        }
    }
    bool booted() const { return !calls.empty(); }

    // The /chosen property `name` of the tree the kernel got ("" + found=false if absent).
    std::string chosen(const char* name, bool* found = nullptr) const {
        int len = 0;
        const void* p = nullptr;
        if (!tree.empty()) {
            const int node = fdt_path_offset(tree.data(), "/chosen");
            if (node >= 0) p = fdt_getprop(tree.data(), node, name, &len);
        }
        if (found != nullptr) *found = p != nullptr;
        return p != nullptr ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(len)) : std::string();
    }
    // A 64-bit /chosen property (linux,initrd-start/end are written as two cells).
    std::uint64_t chosen_u64(const char* name) const {
        std::string v = chosen(name);
        std::uint64_t out = 0;
        for (unsigned char c : v) out = out << 8 | c;
        return v.size() == 8 ? out : ~0ULL;
    }

    std::vector<std::string> calls;
    std::uint64_t entry = 0, dtb = 0;
    std::vector<std::uint8_t> kernel;
    std::vector<std::uint8_t> tree;
    std::size_t snapshot_bytes = 0;  // set by the test to the kernel's size
    unsigned warnings_to_report = 0;
    const char* refuse = nullptr;  // release_xen fails with this message (a refused hand-off)
};

inline std::string hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%lx", v);
    return buf;
}

inline std::string without_cr(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c != '\r') out += c;
    }
    return out;
}

struct BootRig {
    static constexpr std::uint64_t kMiB = 1ULL << 20;
    static constexpr std::uint8_t kGuard = 0xee;
    static constexpr std::size_t kDtbRoom = 0x10000;

    SimGuest guest{SimGuest::Options{}.with_fresh_ram()};
    FakePower power;
    cmd::SystemInfo sys;
    std::unique_ptr<cmd::Environment> env = std::make_unique<cmd::Environment>();
    cmd::Services services;
    RecordingHandoff handoff;
    cmd::Context ctx{*guest.console, power, sys};
    std::unique_ptr<cmd::Shell> shell;
    std::uint8_t* ram = nullptr;
    std::uint64_t ram_size = 0;

    static DtbSpec xen_tree() {
        DtbSpec spec;
        spec.bootargs = "console=hvc0 from-xen";
        return spec;
    }

    explicit BootRig(std::uint64_t ram_bytes = 32 * kMiB, const DtbSpec& spec = xen_tree()) : ram_size(ram_bytes) {
        ram = static_cast<std::uint8_t*>(GuestRam::get().heap().alloc(ram_bytes, 2 * kMiB));
        std::memset(ram, kGuard, ram_bytes);
        sys.memory.add_ram({base(), ram_bytes});
        sys.memory.reserve({base(), kMiB}, "firmware");
        sys.memory.reserve({top() - kMiB, kMiB}, "heap");
        auto blob = build_dtb(spec);
        EXPECT_TRUE(fdt::copy_to(blob.data(), ram + ram_bytes - kMiB, kDtbRoom).ok());
        sys.dtb_copy = top() - kMiB;
        sys.dtb_copy_size = kDtbRoom;
        services.handoff = &handoff;
        services.file_exists = &cmd::file_exists;
        ctx.env = env.get();
        ctx.services = &services;
        cmd::reset_working_fdt();
        shell = std::make_unique<cmd::Shell>(ctx);
    }
    ~BootRig() {
        cmd::reset_working_fdt();
        delete services.bootflows;
    }

    std::uint64_t base() const { return reinterpret_cast<std::uintptr_t>(ram); }
    std::uint64_t top() const { return base() + ram_size; }
    std::uint8_t* at(std::uint64_t addr) const {
        return reinterpret_cast<std::uint8_t*>(static_cast<std::uintptr_t>(addr));
    }

    // The standard *_addr_r variables for this RAM (bootflow/boot_layout.h).
    cmd::BootLayout set_layout() {
        Result<cmd::BootLayout> l = cmd::choose_boot_layout(sys.memory);
        EXPECT_TRUE(l.ok());
        EXPECT_TRUE(cmd::set_boot_layout_vars(*env, l.value()).ok());
        return l.value();
    }

    void add_disk(BlockDevice& d) { services.pvblock.dev[services.pvblock.count++] = &d; }

    // Runs one line; returns what it printed, without the CRs.
    std::string run(const std::string& line, int* status = nullptr) {
        const int rc = shell->run_line(line);
        if (status != nullptr) *status = rc;
        ctx.con.flush();
        return without_cr(guest.backend.take_output());
    }
    std::string var(const char* name) const {
        auto v = env->get(name);
        return v ? std::string(*v) : std::string("<unset>");
    }
    // True if [addr, addr + len) still holds the guard pattern.
    bool untouched(std::uint64_t addr, std::size_t len) const {
        const std::uint8_t* p = at(addr);
        for (std::size_t i = 0; i < len; ++i) {
            if (p[i] != kGuard) return false;
        }
        return true;
    }
};

// A synthetic little-endian arm64 Image (booting.rst header): `file_size`
// bytes of pseudo-random body (few distinct values: it compresses), text_offset, image_size (0: file_size + 64 KiB
// of "bss"), flags (bit 3 clear unless given).
inline std::vector<std::uint8_t> make_arm64_image(std::size_t file_size, unsigned seed = 1,
                                                  std::uint64_t image_size = 0,
                                                  std::uint64_t flags = 0x2 /* 4 KiB pages */,
                                                  std::uint64_t text_offset = 0) {
    std::vector<std::uint8_t> img(file_size);
    std::uint32_t x = seed * 2654435761u + 1;
    for (auto& b : img) {
        x = x * 1664525u + 1013904223u;
        b = static_cast<std::uint8_t>("xenboot!"[x >> 29]);
    }
    auto put64 = [&](std::size_t off, std::uint64_t v) {
        for (int i = 0; i < 8; ++i) img[off + i] = static_cast<std::uint8_t>(v >> (8 * i));
    };
    put64(8, text_offset);
    put64(16, image_size != 0 ? image_size : file_size + 0x10000);
    put64(24, flags);
    put64(32, 0);
    put64(40, 0);
    put64(48, 0);
    std::memcpy(&img[0x38], "ARM\x64", 4);
    img[0x3c] = img[0x3d] = img[0x3e] = img[0x3f] = 0;  // res5
    return img;
}

// gzip (RFC 1952) of data, by zlib.
inline std::vector<std::uint8_t> gzip_bytes(const std::vector<std::uint8_t>& data) {
    z_stream z{};
    EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::vector<std::uint8_t> out(deflateBound(&z, data.size()) + 64);
    z.next_in = const_cast<Bytef*>(data.data());
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

}  // namespace xb::sim
