#include "fs/fat/boot_sector.h"

#include <cstdarg>

#include "lib/endian.h"
#include "lib/format.h"

namespace xb::fs::fat {
namespace {

// BPB offsets (FAT specification section 3.1-3.3).
constexpr unsigned kJumpBoot = 0;
constexpr unsigned kBytsPerSec = 11;
constexpr unsigned kSecPerClus = 13;
constexpr unsigned kRsvdSecCnt = 14;
constexpr unsigned kNumFats = 16;
constexpr unsigned kRootEntCnt = 17;
constexpr unsigned kTotSec16 = 19;
constexpr unsigned kMedia = 21;
constexpr unsigned kFatSz16 = 22;
constexpr unsigned kTotSec32 = 32;
constexpr unsigned kFatSz32 = 36;
constexpr unsigned kExtFlags = 40;
constexpr unsigned kFsVer = 42;
constexpr unsigned kRootClus = 44;
constexpr unsigned kVolId16 = 39;  // BS_VolID of a FAT12/16 BPB
constexpr unsigned kVolId32 = 67;  // BS_VolID of a FAT32 BPB
constexpr unsigned kSignature = 510;

constexpr unsigned kDirEntryBytes = 32;
// Cluster count limits deciding the type (section 3.5).
constexpr std::uint32_t kMaxFat12Clusters = 4084;
constexpr std::uint32_t kMaxFat16Clusters = 65524;
// FAT32 entries are 28 bits; 0x0ffffff7 and up are "bad" and end-of-chain.
constexpr std::uint32_t kMaxFat32Clusters = 0x0ffffff5;

[[gnu::format(printf, 1, 2)]] Error not_fat(const char* fmt, ...) {
    char why[96];
    va_list ap;
    va_start(ap, fmt);
    vformat_to(why, sizeof why, fmt, ap);
    va_end(ap);
    return Error::make(Errc::not_found, "no FAT boot sector (%s)", why);
}

bool power_of_two(std::uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

const char* fat_type_name(FatType type) {
    switch (type) {
        case FatType::fat12: return "FAT12";
        case FatType::fat16: return "FAT16";
        case FatType::fat32: return "FAT32";
    }
    return "FAT";
}

Result<Geometry> parse_boot_sector(const std::uint8_t* s, std::uint64_t device_bytes) {
    if (s[kSignature] != 0x55 || s[kSignature + 1] != 0xaa) return not_fat("no 0x55aa signature");
    // BS_jmpBoot: EB xx 90 or E9 xx xx. Some formatters put something other
    // than the NOP after a short jump, which Windows and Linux accept too.
    if (s[kJumpBoot] != 0xeb && s[kJumpBoot] != 0xe9) return not_fat("jump byte 0x%x", s[kJumpBoot]);
    const std::uint32_t sector_bytes = load_le16(s + kBytsPerSec);
    if (!power_of_two(sector_bytes) || sector_bytes < 512 || sector_bytes > 4096) {
        return not_fat("bytes per sector %u", sector_bytes);
    }
    const std::uint32_t per_cluster = s[kSecPerClus];
    if (!power_of_two(per_cluster)) return not_fat("sectors per cluster %u", per_cluster);
    const std::uint32_t reserved = load_le16(s + kRsvdSecCnt);
    if (reserved == 0) return not_fat("no reserved sectors");
    const std::uint32_t fats = s[kNumFats];
    if (fats == 0) return not_fat("no FATs");
    const std::uint8_t media = s[kMedia];
    if (media != 0xf0 && media < 0xf8) return not_fat("media byte 0x%x", media);
    const std::uint32_t root_entries = load_le16(s + kRootEntCnt);
    const std::uint16_t total16 = load_le16(s + kTotSec16);
    const std::uint64_t total = total16 != 0 ? total16 : load_le32(s + kTotSec32);
    if (total == 0) return not_fat("no total sector count");
    const std::uint32_t fat_size16 = load_le16(s + kFatSz16);
    const bool fat32_bpb = fat_size16 == 0;
    const std::uint64_t fat_sectors = fat32_bpb ? load_le32(s + kFatSz32) : fat_size16;
    if (fat_sectors == 0) return not_fat("FAT size 0");
    if (fat32_bpb && root_entries != 0) return not_fat("FAT32 BPB with %u fixed root entries", root_entries);
    if (!fat32_bpb && root_entries == 0) return not_fat("FAT12/16 BPB without root entries");

    // From here on it is a FAT boot sector; what does not add up is bad data.
    Geometry g;
    g.sector_bytes = sector_bytes;
    g.cluster_bytes = sector_bytes * per_cluster;
    const std::uint64_t root_sectors = (std::uint64_t{root_entries} * kDirEntryBytes + sector_bytes - 1) / sector_bytes;
    const std::uint64_t meta_sectors = reserved + fats * fat_sectors + root_sectors;  // < 2^41: no overflow
    if (meta_sectors >= total) {
        return Error::make(Errc::bad_data, "FAT: no data area (%lu sectors of metadata, %lu sectors in total)",
                           meta_sectors, total);
    }
    g.volume_bytes = total * sector_bytes;
    if (g.volume_bytes > device_bytes) {
        return Error::make(Errc::bad_data, "FAT: the volume (%lu bytes) is larger than the device (%lu bytes)",
                           g.volume_bytes, device_bytes);
    }
    const std::uint64_t clusters = (total - meta_sectors) / per_cluster;
    if (clusters == 0) return Error::make(Errc::bad_data, "FAT: no data clusters");
    // The type follows from the cluster count alone (section 3.5), never from
    // the BS_FilSysType label.
    if (clusters <= kMaxFat12Clusters) g.type = FatType::fat12;
    else if (clusters <= kMaxFat16Clusters) g.type = FatType::fat16;
    else g.type = FatType::fat32;
    if (g.type == FatType::fat32 && clusters > kMaxFat32Clusters) {
        return Error::make(Errc::bad_data, "FAT: %lu clusters is more than FAT32 can address", clusters);
    }
    if (fat32_bpb && g.type != FatType::fat32) {
        // mkfs.fat makes these when asked for FAT32 on a small volume (with a
        // warning), and Linux and U-Boot read them as FAT32 (they go by the BPB
        // layout). Read as FAT16 they would have no root directory at all.
        g.type = FatType::fat32;
        g.fat32_below_minimum = true;
    }
    if ((g.type == FatType::fat32) != fat32_bpb) {
        return Error::make(Errc::bad_data, "FAT: %lu clusters make it %s, but the BPB is laid out for %s", clusters,
                           fat_type_name(g.type), fat32_bpb ? "FAT32" : "FAT12/16");
    }
    g.cluster_count = static_cast<std::uint32_t>(clusters);

    // The FAT must hold an entry for every cluster (section 4).
    const std::uint64_t entries = std::uint64_t{g.cluster_count} + kFirstCluster;
    switch (g.type) {
        case FatType::fat12: g.fat_bytes = (entries * 3 + 1) / 2; break;
        case FatType::fat16: g.fat_bytes = entries * 2; break;
        case FatType::fat32: g.fat_bytes = entries * 4; break;
    }
    if (g.fat_bytes > fat_sectors * sector_bytes) {
        return Error::make(Errc::bad_data, "FAT: a FAT of %lu sectors cannot hold %u clusters", fat_sectors,
                           g.cluster_count);
    }
    unsigned active = 0;
    if (g.type == FatType::fat32) {
        if (load_le16(s + kFsVer) != 0) {
            return Error::make(Errc::unsupported, "FAT32 version %u.%u", s[kFsVer + 1], s[kFsVer]);
        }
        // BPB_ExtFlags bit 7: mirroring off, bits 0-3 name the one active FAT.
        const std::uint16_t flags = load_le16(s + kExtFlags);
        if ((flags & 0x80) != 0) active = flags & 0x0f;
        if (active >= fats) {
            return Error::make(Errc::bad_data, "FAT32: active FAT %u but only %u FATs", active, fats);
        }
        g.root_cluster = load_le32(s + kRootClus);
        if (!g.valid_cluster(g.root_cluster)) {
            return Error::make(Errc::bad_data, "FAT32: root cluster %u is outside 2..%u", g.root_cluster,
                               g.last_cluster());
        }
    }
    g.fat_offset = (reserved + active * fat_sectors) * sector_bytes;
    g.root_offset = (reserved + fats * fat_sectors) * sector_bytes;
    g.root_entries = root_entries;
    g.data_offset = g.root_offset + root_sectors * sector_bytes;
    g.serial = load_le32(s + (fat32_bpb ? kVolId32 : kVolId16));
    return g;
}

}  // namespace xb::fs::fat
