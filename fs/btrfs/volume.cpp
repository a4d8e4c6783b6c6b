#include "fs/btrfs/volume.h"

#include <cstring>
#include <new>

#include "fs/btrfs/layout.h"
#include "fs/disk_reader.h"
#include "fs/btrfs/tree.h"
#include "lib/crc32c.h"
#include "lib/endian.h"

namespace xb::fs::btrfs {

using namespace layout;

int compare(const Key& a, const Key& b) {
    if (a.objectid != b.objectid) return a.objectid < b.objectid ? -1 : 1;
    if (a.type != b.type) return a.type < b.type ? -1 : 1;
    if (a.offset != b.offset) return a.offset < b.offset ? -1 : 1;
    return 0;
}

Key load_key(const std::uint8_t* p) { return Key{load_le64(p), p[8], load_le64(p + 9)}; }

Result<Volume*> Volume::create(BlockDevice& dev, const Superblock& sb) {
    Volume* v = new (std::nothrow) Volume(dev, sb);
    if (v == nullptr) return Error::make(Errc::no_memory, "btrfs: no memory for the volume");
    v->device_bytes_ = dev.block_count() * dev.block_size();
    v->bounce_ = new (std::nothrow) std::uint8_t[dev.block_size()];
    bool ok = v->bounce_ != nullptr;
    for (CacheEntry& e : v->cache_) {
        if (ok) e.data = new (std::nothrow) std::uint8_t[sb.node_size];
        ok = ok && e.data != nullptr;
    }
    if (!ok) {
        delete v;
        return Error::make(Errc::no_memory, "btrfs: no memory for %u tree nodes of %u bytes", kCacheNodes,
                           sb.node_size);
    }
    return v;
}

Volume::~Volume() {
    delete[] bounce_;
    for (CacheEntry& e : cache_) delete[] e.data;
}

Status Volume::read_physical(std::uint64_t offset, std::uint64_t len, std::uint8_t* dst) {
    if (offset > device_bytes_ || len > device_bytes_ - offset) {
        return Error::make(Errc::bad_data,
                           "btrfs: %lu bytes at device byte %lu: past the end of the device (%lu bytes)", len, offset,
                           device_bytes_);
    }
    return detail::read_device_bytes(dev_, offset, len, dst, bounce_);
}

const Chunk* Volume::find_sys_chunk(std::uint64_t logical) const {
    for (unsigned i = 0; i < sb_.sys_chunk_count; ++i) {
        const Chunk& c = sb_.sys_chunks[i];
        if (logical >= c.logical && logical - c.logical < c.length) return &c;
    }
    return nullptr;
}

Result<Volume::Mapping> Volume::map(std::uint64_t logical) {
    const Chunk* found = find_sys_chunk(logical);
    for (unsigned i = 0; found == nullptr && i < kCachedChunks; ++i) {
        const Chunk& c = chunks_[i];
        if (c.length != 0 && logical >= c.logical && logical - c.logical < c.length) found = &c;
    }
    if (found == nullptr) {
        // The chunk tree lives in system chunks: its own nodes never need it.
        if (in_chunk_lookup_) {
            return Error::make(Errc::bad_data, "btrfs: chunk tree node at logical %lu is outside the system chunks",
                               logical);
        }
        in_chunk_lookup_ = true;
        Item item;
        Result<bool> hit = search_le(*this, chunk_tree(), Key{kFirstChunkTree, kChunkItem, logical}, item);
        in_chunk_lookup_ = false;
        if (!hit.ok()) return hit.error();
        if (!hit.value() || item.key.objectid != kFirstChunkTree || item.key.type != kChunkItem) {
            return Error::make(Errc::bad_data, "btrfs: logical %lu is in no chunk", logical);
        }
        Chunk c;
        TRY_CTX(parse_chunk(item.data, item.size, item.key.offset, sb_.devid, c), "btrfs: chunk tree");
        if (logical - c.logical >= c.length) {
            return Error::make(Errc::bad_data, "btrfs: logical %lu is in no chunk (the one before ends at %lu)",
                               logical, c.logical + c.length);
        }
        chunks_[next_chunk_] = c;
        found = &chunks_[next_chunk_];
        next_chunk_ = (next_chunk_ + 1) % kCachedChunks;
    }
    const std::uint64_t into = logical - found->logical;
    return Mapping{found->physical + into, found->length - into, found->mirror + into, found->has_mirror};
}

Status Volume::read_logical(std::uint64_t logical, std::uint64_t len, std::uint8_t* dst) {
    // Each round maps at least one byte, so this ends after len bytes at most.
    while (len != 0) {
        const Mapping m = TRY(map(logical));
        const std::uint64_t n = m.contiguous < len ? m.contiguous : len;
        TRY_CTX(read_physical(m.physical, n, dst), "btrfs: reading logical %lu", logical);
        logical += n;
        dst += n;
        len -= n;
    }
    return ok();
}

Status Volume::check_node(const std::uint8_t* n, std::uint64_t bytenr, std::uint8_t level) const {
    const std::uint32_t size = sb_.node_size;
    const std::uint32_t want = load_le32(n);
    const std::uint32_t got = crc32c(0, n + kCsumSize, size - kCsumSize);
    if (want != got) {
        return Error::make(Errc::bad_data, "btrfs: tree node at %lu: checksum 0x%08x, computed 0x%08x", bytenr, want,
                           got);
    }
    if (load_le64(n + kHdrBytenr) != bytenr) {
        return Error::make(Errc::bad_data, "btrfs: tree node at %lu says it is at %lu", bytenr,
                           load_le64(n + kHdrBytenr));
    }
    if (std::memcmp(n + kHdrFsid, sb_.metadata_fsid, 16) != 0) {
        return Error::make(Errc::bad_data, "btrfs: tree node at %lu belongs to another filesystem (fsid)", bytenr);
    }
    if (n[kHdrLevel] != level) {
        return Error::make(Errc::bad_data, "btrfs: tree node at %lu has level %u, expected %u", bytenr, n[kHdrLevel],
                           level);
    }
    const std::uint32_t nritems = load_le32(n + kHdrNritems);
    const std::uint32_t room = size - kHeaderSize;
    const std::uint32_t entry = level == 0 ? kItemSize : kKeyPtrSize;
    if (nritems > room / entry || (level != 0 && nritems == 0)) {
        return Error::make(Errc::bad_data, "btrfs: tree node at %lu (level %u): %u items do not fit", bytenr, level,
                           nritems);
    }
    const std::uint8_t* body = n + kHeaderSize;
    for (std::uint32_t i = 0; i < nritems; ++i) {
        const std::uint8_t* e = body + i * entry;
        if (i != 0 && compare(load_key(e - entry), load_key(e)) >= 0) {
            return Error::make(Errc::bad_data, "btrfs: tree node at %lu: keys out of order at slot %u", bytenr, i);
        }
        if (level == 0) {
            const std::uint32_t off = load_le32(e + kKeySize);
            const std::uint32_t len = load_le32(e + kKeySize + 4);
            if (off < nritems * kItemSize || off > room || len > room - off) {
                return Error::make(Errc::bad_data, "btrfs: leaf at %lu: item %u (%u bytes at %u) outside the leaf",
                                   bytenr, i, len, off);
            }
        }
    }
    return ok();
}

Result<const std::uint8_t*> Volume::node(std::uint64_t bytenr, std::uint8_t level) {
    if (bytenr % sb_.sector_size != 0) {
        return Error::make(Errc::bad_data, "btrfs: tree node at %lu is not sector-aligned", bytenr);
    }
    for (CacheEntry& e : cache_) {
        if (e.valid && e.bytenr == bytenr) {
            // Cached nodes passed the checks; the level is the one thing
            // that depends on who points at them.
            if (e.data[kHdrLevel] != level) {
                return Error::make(Errc::bad_data, "btrfs: tree node at %lu has level %u, expected %u", bytenr,
                                   e.data[kHdrLevel], level);
            }
            e.last_use = ++clock_;
            return static_cast<const std::uint8_t*>(e.data);
        }
    }
    // Mapped before a cache entry is taken: mapping may itself read chunk
    // tree nodes through this cache.
    const Mapping m = TRY(map(bytenr));
    if (m.contiguous < sb_.node_size) {
        return Error::make(Errc::bad_data, "btrfs: tree node at %lu crosses the end of its chunk", bytenr);
    }
    CacheEntry* victim = &cache_[0];
    for (CacheEntry& e : cache_) {
        if (!e.valid || (victim->valid && e.last_use < victim->last_use)) victim = &e;
    }
    victim->valid = false;
    auto load = [&](std::uint64_t physical) -> Status {
        TRY_CTX(read_physical(physical, sb_.node_size, victim->data), "btrfs: tree node %lu", bytenr);
        return check_node(victim->data, bytenr, level);
    };
    const Status first = load(m.physical);
    if (!first.ok() && (!m.has_mirror || !load(m.mirror).ok())) return first.error();
    victim->valid = true;
    victim->bytenr = bytenr;
    victim->last_use = ++clock_;
    return static_cast<const std::uint8_t*>(victim->data);
}

}  // namespace xb::fs::btrfs
