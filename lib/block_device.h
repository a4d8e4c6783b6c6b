// A block device: what the partition and filesystem code sees (never Xen).
// Sizes are in the device's logical blocks (block_size() bytes: 512 or 4096).
// Reads and writes take whole runs of blocks so that drivers can turn them
// into large requests; buffers need no particular alignment (drivers bounce
// what they must).
#pragma once

#include <cstdint>

#include "lib/result.h"

namespace xb {

class BlockDevice {
  public:
    virtual const char* name() const = 0;  // "pvblock 0", "pvblock 0:1"
    virtual std::uint32_t block_size() const = 0;
    virtual std::uint64_t block_count() const = 0;
    virtual bool read_only() const = 0;
    // Errors name the device and the first failing block.
    virtual Status read(std::uint64_t block, std::uint64_t count, void* buf) = 0;
    virtual Status write(std::uint64_t block, std::uint64_t count, const void* buf) = 0;

  protected:
    ~BlockDevice() = default;
};

// A window [first, first + count) of another device (a partition).
class BlockDeviceSlice final : public BlockDevice {
  public:
    BlockDeviceSlice() = default;
    BlockDeviceSlice(BlockDevice* parent, std::uint64_t first, std::uint64_t count, const char* name);
    const char* name() const override { return name_; }
    std::uint32_t block_size() const override { return parent_->block_size(); }
    std::uint64_t block_count() const override { return count_; }
    bool read_only() const override { return parent_->read_only(); }
    Status read(std::uint64_t block, std::uint64_t count, void* buf) override;
    Status write(std::uint64_t block, std::uint64_t count, const void* buf) override;
    std::uint64_t first_block() const { return first_; }
    BlockDevice* parent() const { return parent_; }

  private:
    Status check(std::uint64_t block, std::uint64_t count) const;
    BlockDevice* parent_ = nullptr;
    std::uint64_t first_ = 0;
    std::uint64_t count_ = 0;
    char name_[32] = {};
};

}  // namespace xb
