// Fuzzes EFI zboot files (loader/zboot.h, loader/kernel_file.h): bytes 0-1
// are the output room / 16 (up to ~1 MiB), bit 0 of byte 2 patches "MZ" and
// "zimg" in so that the fuzzer reaches the header fields at once; the rest is
// the file. The header is parsed, the kernel identified the way booti does it,
// and the payload decompressed into a bounded buffer. Must end without a crash,
// hang or access outside the file or the buffer, with a documented error; a
// success fits the buffer and matches the appended size.
#include <cstdint>
#include <cstring>
#include <vector>

#include "loader/kernel_file.h"
#include "loader/zboot.h"

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

bool documented(xb::Errc e) {
    return e == xb::Errc::bad_data || e == xb::Errc::no_space || e == xb::Errc::unsupported || e == xb::Errc::no_memory;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    const std::size_t room = (static_cast<std::size_t>(data[0]) << 8 | data[1]) * 16;
    std::vector<std::uint8_t> file(data + 3, data + size);  // exact size: ASan sees any overread
    if ((data[2] & 1) != 0 && file.size() >= 8) {
        std::memcpy(file.data(), "MZ", 2);
        std::memcpy(file.data() + 4, "zimg", 4);
    }
    auto z = xb::loader::parse_zboot(file);
    auto k = xb::loader::identify_kernel(file);
    // The Image magic at 0x38 wins over MZ + "zimg" (a real zboot file has
    // LINUX_PE_MAGIC there); otherwise both readers agree.
    if (xb::loader::classify_kernel(file) == xb::loader::KernelFormat::zboot) check(z.ok() == k.ok());
    if (!z.ok()) {
        check(documented(z.error().code()));
        return 0;
    }
    const xb::loader::Zboot& zb = z.value();
    check(zb.payload_offset >= xb::loader::kZbootHeaderSize);
    check(zb.payload_offset + zb.payload_size <= file.size());
    check(xb::loader::zboot_payload(file, zb).size() == zb.payload_size);
    std::vector<std::uint8_t> out(room);
    auto n = xb::loader::unpack_kernel(k.value(), file, out);
    if (!n.ok()) {
        check(documented(n.error().code()));
        return 0;
    }
    check(n.value() <= room);
    if (zb.size) check(n.value() == *zb.size);
    return 0;
}
