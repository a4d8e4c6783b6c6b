#include "fs/xfs/volume.h"

#include <cstring>
#include <new>

namespace xb::fs::xfs {

Result<Volume*> Volume::create(BlockDevice& dev, const Superblock& sb) {
    Volume* v = new (std::nothrow) Volume(dev, sb);
    if (v == nullptr) return Error::make(Errc::no_memory, "xfs: no memory for the volume");
    v->bounce_ = new (std::nothrow) std::uint8_t[dev.block_size()];
    bool ok = v->bounce_ != nullptr;
    for (CacheEntry& e : v->cache_) {
        if (ok) e.data = new (std::nothrow) std::uint8_t[sb.block_size];
        ok = ok && e.data != nullptr;
    }
    if (!ok) {
        delete v;
        return Error::make(Errc::no_memory, "xfs: no memory for %u metadata blocks of %u bytes", kCacheBlocks,
                           sb.block_size);
    }
    return v;
}

Volume::~Volume() {
    delete[] bounce_;
    for (CacheEntry& e : cache_) delete[] e.data;
}

Status Volume::read_bytes(std::uint64_t offset, std::uint64_t len, std::uint8_t* dst) {
    const std::uint32_t dbs = dev_.block_size();
    std::uint64_t block = offset / dbs;
    // A partial first device block.
    if (const std::uint32_t skip = static_cast<std::uint32_t>(offset % dbs); skip != 0 && len != 0) {
        TRY(dev_.read(block, 1, bounce_));
        const std::uint64_t n = len < dbs - skip ? len : dbs - skip;
        std::memcpy(dst, bounce_ + skip, n);
        dst += n;
        len -= n;
        ++block;
    }
    // The whole device blocks in the middle: one read, straight into dst.
    if (const std::uint64_t whole = len / dbs; whole != 0) {
        TRY(dev_.read(block, whole, dst));
        dst += whole * dbs;
        len -= whole * dbs;
        block += whole;
    }
    // A partial last device block.
    if (len != 0) {
        TRY(dev_.read(block, 1, bounce_));
        std::memcpy(dst, bounce_, len);
    }
    return ok();
}

Status Volume::read_blocks(std::uint64_t block, std::uint64_t count, std::uint8_t* dst, const char* what) {
    if (block >= sb_.dblocks || count > sb_.dblocks - block) {
        return Error::make(Errc::bad_data, "xfs: %s: blocks %lu+%lu are past the end of the filesystem (%lu blocks)",
                           what, block, count, sb_.dblocks);
    }
    TRY_CTX(read_bytes(block << sb_.block_log, count << sb_.block_log, dst), "xfs: reading %s (block %lu)", what,
            block);
    return ok();
}

Result<const std::uint8_t*> Volume::metadata_block(std::uint64_t block, const char* what) {
    CacheEntry* victim = &cache_[0];
    for (CacheEntry& e : cache_) {
        if (e.valid && e.block == block) {
            e.last_use = ++clock_;
            return static_cast<const std::uint8_t*>(e.data);
        }
        if (!e.valid || (victim->valid && e.last_use < victim->last_use)) victim = &e;
    }
    victim->valid = false;
    TRY(read_blocks(block, 1, victim->data, what));
    victim->valid = true;
    victim->block = block;
    victim->last_use = ++clock_;
    return static_cast<const std::uint8_t*>(victim->data);
}

}  // namespace xb::fs::xfs
