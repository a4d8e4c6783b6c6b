#include "fs/fat/volume_reader.h"

#include <cstring>

namespace xb::fs::fat {

Status VolumeReader::check_device(const BlockDevice& dev) {
    const std::uint32_t bs = dev.block_size();
    if (bs < 512 || bs > kMaxBlockSize || (bs & (bs - 1)) != 0) {
        return Error::make(Errc::unsupported, "%s: block size %u (FAT needs 512..4096)", dev.name(), bs);
    }
    return ok();
}

Status VolumeReader::read_partial_block(std::uint64_t block, std::uint32_t skip, std::uint32_t length,
                                        std::uint8_t* out, const char* what) {
    TRY_CTX(dev_.read(block, 1, bounce_), "reading %s", what);
    std::memcpy(out, bounce_ + skip, length);
    return ok();
}

Status VolumeReader::read(std::uint64_t offset, std::uint64_t length, void* out, const char* what) {
    const std::uint32_t bs = dev_.block_size();
    auto* dst = static_cast<std::uint8_t*>(out);
    std::uint64_t block = offset / bs;
    const auto head_skip = static_cast<std::uint32_t>(offset % bs);
    if (head_skip != 0 && length != 0) {
        const auto n = static_cast<std::uint32_t>(length < bs - head_skip ? length : bs - head_skip);
        TRY(read_partial_block(block, head_skip, n, dst, what));
        dst += n;
        length -= n;
        ++block;
    }
    const std::uint64_t whole = length / bs;
    if (whole != 0) {
        TRY_CTX(dev_.read(block, whole, dst), "reading %s", what);
        dst += whole * bs;
        length -= whole * bs;
        block += whole;
    }
    if (length != 0) TRY(read_partial_block(block, 0, static_cast<std::uint32_t>(length), dst, what));
    return ok();
}

}  // namespace xb::fs::fat
