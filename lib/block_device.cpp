#include "lib/block_device.h"

#include "lib/format.h"

namespace xb {

BlockDeviceSlice::BlockDeviceSlice(BlockDevice* parent, std::uint64_t first, std::uint64_t count, const char* name)
    : parent_(parent), first_(first), count_(count) {
    format_to(name_, sizeof name_, "%s", name);
}

Status BlockDeviceSlice::check(std::uint64_t block, std::uint64_t count) const {
    if (block > count_ || count > count_ - block) {
        return Error::make(Errc::invalid_argument, "%s: blocks %lu+%lu are beyond its %lu blocks", name_, block, count,
                           count_);
    }
    return ok();
}

Status BlockDeviceSlice::read(std::uint64_t block, std::uint64_t count, void* buf) {
    TRY(check(block, count));
    return parent_->read(first_ + block, count, buf);
}

Status BlockDeviceSlice::write(std::uint64_t block, std::uint64_t count, const void* buf) {
    TRY(check(block, count));
    return parent_->write(first_ + block, count, buf);
}

}  // namespace xb
