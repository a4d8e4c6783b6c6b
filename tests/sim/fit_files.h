// FIT images and legacy uImages made by the real mkimage (u-boot-tools) from
// a synthetic arm64 Image, a small initrd and a dtc-compiled device tree, for
// the loader and bootm tests.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "tests/sim/host_tools.h"
#include "tests/sim/boot_rig.h"

namespace xb::sim {

struct FitParts {
    std::vector<std::uint8_t> image;   // the Image (uncompressed)
    std::vector<std::uint8_t> initrd;  // the ramdisk bytes
    std::vector<std::uint8_t> dtb;     // the device tree
};

inline void write_file(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return;
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
}

inline void write_text(const std::string& path, const std::string& text) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) return;
    std::fputs(text.c_str(), f);
    std::fclose(f);
}

inline FitParts fit_parts() {
    FitParts p;
    p.image = make_arm64_image(200 * 1024, 11);
    for (int i = 0; i < 5000; ++i) p.initrd.push_back(static_cast<std::uint8_t>(i * 7 + 3));
    TempDir dir("dts");
    write_text(dir / "t.dts",
               "/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>; compatible = \"xenboot,fit-test\";\n"
               "  chosen { bootargs = \"from-the-fit\"; }; };\n");
    if (run_tool("dtc -q -I dts -O dtb -o " + dir / "t.dtb " + dir / "t.dts").ok) p.dtb = read_file(dir / "t.dtb");
    return p;
}

// An .its with kernel (compression `comp`, its file compressed to match),
// ramdisk and fdt sub-images; `kernel_extra` goes into the kernel node (load,
// entry, more hash nodes); conf-1 (default) has all three, conf-2 the kernel.
// extra_args: more mkimage options (-E for external data).
inline std::vector<std::uint8_t> make_fit(const FitParts& p, const std::string& comp, const std::string& kernel_extra,
                                          const std::string& extra_args = "") {
    TempDir dir("fit");
    write_file(dir / "Image", p.image);
    write_file(dir / "initrd", p.initrd);
    write_file(dir / "t.dtb", p.dtb);
    std::string kfile = "Image";
    if (comp == "gzip") {
        if (!run_tool("gzip -n -9 -k " + dir / "Image").ok) return {};
        kfile = "Image.gz";
    } else if (comp == "zstd") {
        if (!run_tool("zstd -q -19 " + dir / "Image -o " + dir / "Image.zst").ok) return {};
        kfile = "Image.zst";
    }
    write_text(dir / "f.its",
               "/dts-v1/;\n/ {\n description = \"xenboot test FIT\";\n #address-cells = <1>;\n"
               " images {\n"
               "  kernel-1 { description = \"Linux\"; data = /incbin/(\"" +
                   kfile +
                   "\"); type = \"kernel\"; arch = \"arm64\"; os = \"linux\";\n"
                   "   compression = \"" +
                   comp + "\"; " + kernel_extra +
                   "\n   hash-1 { algo = \"sha256\"; }; hash-2 { algo = \"crc32\"; }; };\n"
                   "  ramdisk-1 { data = /incbin/(\"initrd\"); type = \"ramdisk\"; arch = \"arm64\";"
                   " os = \"linux\"; compression = \"none\"; hash-1 { algo = \"sha256\"; }; };\n"
                   "  fdt-1 { data = /incbin/(\"t.dtb\"); type = \"flat_dt\"; arch = \"arm64\";"
                   " compression = \"none\"; hash-1 { algo = \"crc32\"; }; };\n"
                   " };\n configurations {\n  default = \"conf-1\";\n"
                   "  conf-1 { kernel = \"kernel-1\"; ramdisk = \"ramdisk-1\"; fdt = \"fdt-1\"; };\n"
                   "  conf-2 { kernel = \"kernel-1\"; };\n };\n};\n");
    if (!run_tool("cd " + dir.path + " && mkimage -q " + extra_args + " -f f.its f.itb", Stderr::merged).ok) return {};
    return read_file(dir / "f.itb");
}

// mkimage -A arm64 -O linux -T type -C comp -a load -e load -d (file compressed to match).
inline std::vector<std::uint8_t> make_uimage(const std::vector<std::uint8_t>& data, const char* type, const char* comp,
                                             const char* load = "0x80080000") {
    TempDir dir("uimg");
    write_file(dir / "d", data);
    std::string f = dir / "d";
    if (std::string(comp) == "gzip") {
        if (!run_tool("gzip -n -9 -k " + f).ok) return {};
        f += ".gz";
    }
    if (!run_tool(std::string("mkimage -A arm64 -O linux -T ") + type + " -C " + comp + " -a " + load + " -e " + load +
                  " -n xenboot-test -d " + f + " " + dir / "u >/dev/null")
             .ok) {
        return {};
    }
    return read_file(dir / "u");
}

}  // namespace xb::sim
