#include "fs/ext4/volume.h"

#include <new>

#include "fs/disk_reader.h"

namespace xb::fs::ext4 {

Result<Volume*> Volume::create(BlockDevice& dev, const Superblock& sb) {
    Volume* v = new (std::nothrow) Volume(dev, sb);
    if (v == nullptr) return Error::make(Errc::no_memory, "ext4: no memory for the volume");
    v->bounce_ = new (std::nothrow) std::uint8_t[dev.block_size()];
    bool ok = v->bounce_ != nullptr;
    for (CacheEntry& e : v->cache_) {
        if (ok) e.data = new (std::nothrow) std::uint8_t[sb.block_size];
        ok = ok && e.data != nullptr;
    }
    if (!ok) {
        delete v;
        return Error::make(Errc::no_memory, "ext4: no memory for %u metadata blocks of %u bytes", kCacheBlocks,
                           sb.block_size);
    }
    return v;
}

Volume::~Volume() {
    delete[] bounce_;
    for (CacheEntry& e : cache_) delete[] e.data;
}

Status Volume::read_bytes(std::uint64_t offset, std::uint64_t len, std::uint8_t* dst) {
    return detail::read_device_bytes(dev_, offset, len, dst, bounce_);
}

Result<const std::uint8_t*> Volume::metadata_block(std::uint64_t block, const char* what) {
    if (block >= sb_.blocks_count) {
        return Error::make(Errc::bad_data, "ext4: %s: block %lu is past the end of the filesystem (%lu blocks)", what,
                           block, sb_.blocks_count);
    }
    CacheEntry* victim = &cache_[0];
    for (CacheEntry& e : cache_) {
        if (e.valid && e.block == block) {
            e.last_use = ++clock_;
            return static_cast<const std::uint8_t*>(e.data);
        }
        if (!e.valid || (victim->valid && e.last_use < victim->last_use)) victim = &e;
    }
    victim->valid = false;
    TRY_CTX(read_bytes(block * sb_.block_size, sb_.block_size, victim->data), "ext4: reading %s (block %lu)", what,
            block);
    victim->valid = true;
    victim->block = block;
    victim->last_use = ++clock_;
    return static_cast<const std::uint8_t*>(victim->data);
}

}  // namespace xb::fs::ext4
