#include "fs/fat/fat_table.h"

namespace xb::fs::fat {

Result<const std::uint8_t*> FatTable::window_for(std::uint64_t offset) {
    const std::uint64_t start = offset - offset % kWindowBytes;
    // Chains are walked in order: the window used last almost always holds the next entry.
    if (last_ != nullptr && last_->start == start) return last_->bytes + (offset - start);
    Window* victim = &windows_[0];
    for (Window& w : windows_) {
        if (w.start == start) {
            w.last_use = ++uses_;
            last_ = &w;
            return w.bytes + (offset - start);
        }
        if (w.last_use < victim->last_use) victim = &w;
    }
    // Only the part of the FAT with entries for real clusters is read; the
    // caller never asks beyond it (entry() checks the cluster number).
    const std::uint64_t rest = geo_.fat_bytes - start;
    const std::uint64_t length = rest < kWindowBytes ? rest : kWindowBytes;
    victim->start = ~std::uint64_t{0};
    last_ = nullptr;
    TRY(reader_.read(geo_.fat_offset + start, length, victim->bytes, "the FAT"));
    victim->start = start;
    victim->last_use = ++uses_;
    last_ = victim;
    return victim->bytes + (offset - start);
}

Result<std::uint8_t> FatTable::byte_at(std::uint64_t offset) {
    const std::uint8_t* p = TRY(window_for(offset));
    return *p;
}

Result<std::uint32_t> FatTable::entry(std::uint32_t cluster) {
    if (!geo_.valid_cluster(cluster)) {
        return Error::make(Errc::bad_data, "cluster %u is outside 2..%u", cluster, geo_.last_cluster());
    }
    switch (geo_.type) {
        case FatType::fat12: {
            // 12-bit entries packed in pairs: entry n starts at byte n * 1.5 and
            // may straddle a sector (and window) boundary.
            const std::uint64_t at = cluster + cluster / 2;
            const std::uint32_t v = TRY(byte_at(at)) | static_cast<std::uint32_t>(TRY(byte_at(at + 1))) << 8;
            return (cluster & 1) != 0 ? v >> 4 : v & 0xfff;
        }
        // FAT16/32 entries are aligned to their size, and windows to kWindowBytes
        // (a multiple of 4): an entry never straddles two windows.
        case FatType::fat16: {
            const std::uint8_t* p = TRY(window_for(std::uint64_t{cluster} * 2));
            return p[0] | static_cast<std::uint32_t>(p[1]) << 8;
        }
        case FatType::fat32: {
            const std::uint8_t* p = TRY(window_for(std::uint64_t{cluster} * 4));
            const std::uint32_t v = p[0] | static_cast<std::uint32_t>(p[1]) << 8 |
                                    static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
            return v & 0x0fffffff;  // the top 4 bits are reserved (section 4)
        }
    }
    return Error::make(Errc::bad_data, "unknown FAT type");
}

Result<std::uint32_t> FatTable::next(std::uint32_t cluster) {
    const std::uint32_t v = TRY(entry(cluster));
    std::uint32_t bad = 0xff7, end = 0xff8;
    if (geo_.type == FatType::fat16) bad = 0xfff7, end = 0xfff8;
    if (geo_.type == FatType::fat32) bad = 0x0ffffff7, end = 0x0ffffff8;
    if (v >= end) return kEndOfChain;
    if (v == bad) return Error::make(Errc::bad_data, "cluster %u is marked bad in the FAT", cluster);
    if (v < kFirstCluster) {
        return Error::make(Errc::bad_data, "cluster %u: its FAT entry is %s in the middle of a chain", cluster,
                           v == 0 ? "free" : "reserved (1)");
    }
    if (v > geo_.last_cluster()) {
        return Error::make(Errc::bad_data, "cluster %u: next cluster %u is beyond the last cluster %u", cluster, v,
                           geo_.last_cluster());
    }
    return v;
}

Result<bool> ChainWalker::advance() {
    const std::uint32_t next = TRY(fat_->next(cluster_));
    if (next == FatTable::kEndOfChain) return false;
    if (index_ + 1 >= geo_->cluster_count) {
        return Error::make(Errc::bad_data,
                           "cluster chain from %u is longer than the volume's %u clusters (at cluster %u)", first_,
                           geo_->cluster_count, cluster_);
    }
    cluster_ = next;
    ++index_;
    // Brent: compare with a saved cluster that moves to the current one at
    // every power of two steps; a loop is met within a few times its length.
    if (cluster_ == tortoise_) {
        return Error::make(Errc::bad_data, "cluster chain from %u loops: cluster %u comes again", first_, cluster_);
    }
    if (++steps_ == power_) {
        tortoise_ = cluster_;
        power_ *= 2;
        steps_ = 0;
    }
    return true;
}

}  // namespace xb::fs::fat
