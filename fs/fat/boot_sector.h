// The FAT boot sector's BIOS Parameter Block (BPB), checked and turned into the
// volume's layout in bytes. Field offsets and the rules are those of the
// Microsoft "FAT: General Overview of On-Disk Format" specification (1.03),
// section 3 (BPB), 3.5 (FAT type), and 4 (FAT size).
#pragma once

#include <cstdint>

#include "lib/result.h"

namespace xb::fs::fat {

enum class FatType : std::uint8_t { fat12, fat16, fat32 };

const char* fat_type_name(FatType type);  // "FAT12", "FAT16", "FAT32"

// The first cluster number of the data area (clusters 0 and 1 are reserved).
inline constexpr std::uint32_t kFirstCluster = 2;

struct Geometry {
    FatType type = FatType::fat12;
    std::uint32_t sector_bytes = 0;   // 512..4096
    std::uint32_t cluster_bytes = 0;  // sector_bytes * sectors per cluster
    std::uint64_t fat_offset = 0;     // the FAT in use (active one on FAT32 with mirroring off)
    std::uint64_t fat_bytes = 0;      // bytes of it holding entries 0..last_cluster
    std::uint64_t root_offset = 0;    // FAT12/16: the fixed root directory
    std::uint32_t root_entries = 0;   // FAT12/16: its 32-byte entries
    std::uint32_t root_cluster = 0;   // FAT32: first cluster of the root directory
    std::uint64_t data_offset = 0;    // byte offset of cluster 2
    std::uint32_t cluster_count = 0;  // data clusters: 2 .. cluster_count + 1
    std::uint64_t volume_bytes = 0;
    // A FAT32 BPB on a volume with fewer than 65525 clusters, which the
    // specification would call FAT16: read as FAT32 (see parse_boot_sector).
    bool fat32_below_minimum = false;
    // BS_VolID: at 39 in a FAT12/16 BPB, at 67 in a FAT32 one (BPB_FATSz16 == 0),
    // read whatever BS_BootSig says, as GRUB's grub_fat_mount does.
    std::uint32_t serial = 0;

    std::uint32_t last_cluster() const { return cluster_count + 1; }
    bool valid_cluster(std::uint32_t c) const { return c >= kFirstCluster && c <= last_cluster(); }
    std::uint64_t cluster_offset(std::uint32_t c) const {
        return data_offset + std::uint64_t{c - kFirstCluster} * cluster_bytes;
    }
};

// `sector` holds the first 512 bytes of the volume; `device_bytes` is the size
// of the device it is on. Not a FAT boot sector (no 0x55aa, no jump, a BPB
// field outside what the specification allows): Errc::not_found "no FAT boot
// sector (why)", so a prober can try other filesystems. The type follows from
// the cluster count (section 3.5), except that a FAT32-layout BPB (BPB_FATSz16
// 0, no fixed root) stays FAT32 with fewer clusters, as Linux and U-Boot read
// it (Geometry::fat32_below_minimum). A FAT BPB whose layout
// does not fit (FAT too small for the clusters, volume larger than the device,
// root cluster out of range): Errc::bad_data.
Result<Geometry> parse_boot_sector(const std::uint8_t* sector, std::uint64_t device_bytes);

}  // namespace xb::fs::fat
