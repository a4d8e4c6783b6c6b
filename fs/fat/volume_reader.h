// Byte-addressed reads from a block device. FAT structures are laid out in the
// volume's sectors (512..4096 bytes), which need not match the device's block
// size: whole blocks go straight into the caller's buffer in one device read,
// and only a partial first or last block passes through a one-block buffer.
#pragma once

#include <cstdint>

#include "lib/block_device.h"
#include "lib/result.h"

namespace xb::fs::fat {

class VolumeReader {
  public:
    static constexpr std::uint32_t kMaxBlockSize = 4096;

    explicit VolumeReader(BlockDevice& dev) : dev_(dev) {}

    // Device block sizes handled: powers of two 512..4096 (unsupported otherwise).
    static Status check_device(const BlockDevice& dev);

    // Reads [offset, offset + length) of the device into `out`. Errors keep
    // the device's message with "reading <what>" in front.
    Status read(std::uint64_t offset, std::uint64_t length, void* out, const char* what);

    BlockDevice& device() { return dev_; }

  private:
    Status read_partial_block(std::uint64_t block, std::uint32_t skip, std::uint32_t length, std::uint8_t* out,
                              const char* what);

    BlockDevice& dev_;
    alignas(16) std::uint8_t bounce_[kMaxBlockSize];
};

}  // namespace xb::fs::fat
