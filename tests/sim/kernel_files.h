// Compressed kernels made by the real tools, for the tests of compress/decompress,
// loader/zboot and booti: raw files by gzip/zstd/xz/lzma/lz4 with the kernel's
// options, zboot files by tests/tools/make-zboot.py. Host-side only.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "tests/sim/host_tools.h"

#ifndef XB_SOURCE_DIR
#error "XB_SOURCE_DIR must name the source tree (tests/CMakeLists.txt sets it)"
#endif

namespace xb::sim {

inline void write_bytes(const std::string& file, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// The kernel's command line for each method (Linux scripts/Makefile.lib,
// scripts/xz_wrap.sh), writing to stdout.
inline std::string kernel_compressor(const std::string& method) {
    if (method == "gzip") return "gzip -9 -n -c";
    if (method == "zstd") return "zstd -q --ultra -22 -c";
    if (method == "xz") return "xz -q --check=crc32 --threads=1 --arm64 --lzma2=dict=32MiB -c";
    if (method == "lzma") return "lzma -q -9 -c";
    if (method == "lz4") return "lz4 -q -l -9 -c";
    ADD_FAILURE() << "no compressor for " << method;
    return "false";
}

// `data` compressed by the real tool (as the kernel's Image.<ext> targets, without the appended size).
inline std::vector<std::uint8_t> compress_with_tool(const std::vector<std::uint8_t>& data, const std::string& method) {
    TempDir dir("comp");
    write_bytes(dir / "in", data);
    run_tool(kernel_compressor(method) + " < " + dir / "in" + " > " + dir / "out");
    return read_file(dir / "out");
}

// tests/tools/make-zboot.py IMAGE OUT --comp METHOD.
inline std::vector<std::uint8_t> make_zboot(const std::vector<std::uint8_t>& image, const std::string& method) {
    TempDir dir("zboot");
    write_bytes(dir / "Image", image);
    run_tool("python3 " + shell_quote(std::string(XB_SOURCE_DIR) + "/tests/tools/make-zboot.py") + " " + dir / "Image" +
             " " + dir / "zboot" + " --comp " + method);
    return read_file(dir / "zboot");
}

// `image` padded with zeros to its header's image_size (offset 16): a zboot payload's content.
inline std::vector<std::uint8_t> padded_image(std::vector<std::uint8_t> image) {
    std::uint64_t image_size = 0;
    for (int i = 7; i >= 0; --i) image_size = image_size << 8 | image[16 + i];
    if (image_size > image.size()) image.resize(image_size, 0);
    return image;
}

}  // namespace xb::sim
