#include "fs/btrfs/superblock.h"

#include <cstring>
#include <new>

#include "fs/btrfs/layout.h"
#include "lib/crc32c.h"
#include "lib/endian.h"
#include "lib/format.h"
#include "lib/scope_guard.h"

namespace xb::fs::btrfs {
namespace {

using namespace layout;

// The profile bits refused, with the names btrfs(8) gives them.
struct Profile {
    std::uint64_t bit;
    const char* name;
};
constexpr Profile kRaidProfiles[] = {{kBgRaid0, "RAID0"},    {kBgRaid1, "RAID1"}, {kBgRaid10, "RAID10"},
                                     {kBgRaid5, "RAID5"},    {kBgRaid6, "RAID6"}, {kBgRaid1c3, "RAID1C3"},
                                     {kBgRaid1c4, "RAID1C4"}};

const char* csum_name(std::uint16_t type) {
    switch (type) {
        case 1: return "xxhash64";
        case 2: return "sha256";
        case 3: return "blake2b";
        default: return "unknown";
    }
}

bool power_of_two(std::uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

// Checks one copy (`raw`, 4 KiB read from byte `offset`).
Result<Superblock> parse(const std::uint8_t* raw, std::uint64_t offset) {
    Superblock sb;
    if (load_le64(raw + kSbMagic) != kMagic) return Error::make(Errc::not_found, "no btrfs superblock");
    const std::uint16_t csum_type = load_le16(raw + kSbCsumType);
    if (csum_type != kCsumCrc32c) {
        return Error::make(Errc::unsupported, "btrfs: checksum type %u (%s): only crc32c is supported", csum_type,
                           csum_name(csum_type));
    }
    const std::uint32_t want = load_le32(raw);
    const std::uint32_t got = crc32c(0, raw + kCsumSize, kSuperSize - kCsumSize);
    if (want != got) {
        return Error::make(Errc::bad_data, "btrfs: superblock at byte %lu: checksum 0x%08x, computed 0x%08x", offset,
                           want, got);
    }
    if (load_le64(raw + kSbBytenr) != offset) {
        return Error::make(Errc::bad_data, "btrfs: superblock at byte %lu says it is at byte %lu", offset,
                           load_le64(raw + kSbBytenr));
    }
    const std::uint64_t devices = load_le64(raw + kSbNumDevices);
    if (devices != 1) {
        return Error::make(Errc::unsupported, "btrfs: %lu devices: only single-device filesystems are supported",
                           devices);
    }
    sb.sector_size = load_le32(raw + kSbSectorSize);
    sb.node_size = load_le32(raw + kSbNodeSize);
    if (!power_of_two(sb.sector_size) || sb.sector_size < 4096 || sb.sector_size > 65536) {
        return Error::make(Errc::bad_data, "btrfs: bad sector size %u", sb.sector_size);
    }
    if (!power_of_two(sb.node_size) || sb.node_size < sb.sector_size || sb.node_size > 65536) {
        return Error::make(Errc::bad_data, "btrfs: bad node size %u (sector size %u)", sb.node_size, sb.sector_size);
    }
    std::memcpy(sb.fsid, raw + kSbFsid, 16);
    const std::uint64_t incompat = load_le64(raw + kSbIncompat);
    std::memcpy(sb.metadata_fsid, raw + ((incompat & kIncompatMetadataUuid) != 0 ? kSbMetadataUuid : kSbFsid), 16);
    sb.generation = load_le64(raw + kSbGeneration);
    sb.root = load_le64(raw + kSbRoot);
    sb.chunk_root = load_le64(raw + kSbChunkRoot);
    sb.total_bytes = load_le64(raw + kSbTotalBytes);
    sb.devid = load_le64(raw + kSbDevItemDevid);
    sb.root_level = raw[kSbRootLevel];
    sb.chunk_root_level = raw[kSbChunkRootLevel];
    if (sb.root_level >= kMaxLevel || sb.chunk_root_level >= kMaxLevel) {
        return Error::make(Errc::bad_data, "btrfs: root level %u / chunk root level %u (max %u)", sb.root_level,
                           sb.chunk_root_level, kMaxLevel - 1);
    }
    const std::uint8_t* f = sb.fsid;
    format_to(sb.uuid, sizeof sb.uuid, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", f[0],
              f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13], f[14], f[15]);
    std::size_t label_len = 0;
    while (label_len < kLabelSize && raw[kSbLabel + label_len] != 0) ++label_len;
    std::memcpy(sb.label, raw + kSbLabel, label_len);
    sb.label[label_len] = '\0';

    // The system chunk array: (key, chunk item) pairs.
    const std::uint32_t array_size = load_le32(raw + kSbSysChunkArraySize);
    if (array_size > kSysChunkArrayMax) {
        return Error::make(Errc::bad_data, "btrfs: system chunk array of %u bytes (max %u)", array_size,
                           kSysChunkArrayMax);
    }
    const std::uint8_t* array = raw + kSbSysChunkArray;
    std::uint32_t pos = 0;
    while (pos < array_size) {
        if (array_size - pos < kKeySize + kChunkStripes) {
            return Error::make(Errc::bad_data, "btrfs: system chunk array: truncated entry at byte %u", pos);
        }
        const std::uint8_t* key = array + pos;
        if (key[8] != kChunkItem) {
            return Error::make(Errc::bad_data, "btrfs: system chunk array: key type %u at byte %u", key[8], pos);
        }
        const std::uint8_t* item = key + kKeySize;
        const std::uint32_t stripes = load_le16(item + kChunkNumStripes);
        const std::uint32_t item_size = kChunkStripes + stripes * kStripeSize;
        if (array_size - pos - kKeySize < item_size) {
            return Error::make(Errc::bad_data, "btrfs: system chunk array: chunk at byte %u overruns the array", pos);
        }
        if (sb.sys_chunk_count == kMaxSysChunks) {
            return Error::make(Errc::bad_data, "btrfs: system chunk array: more than %u chunks", kMaxSysChunks);
        }
        TRY_CTX(parse_chunk(item, item_size, load_le64(key + 9), sb.devid, sb.sys_chunks[sb.sys_chunk_count]),
                "btrfs: system chunk array");
        ++sb.sys_chunk_count;
        pos += kKeySize + item_size;
    }
    if (sb.sys_chunk_count == 0) return Error::make(Errc::bad_data, "btrfs: empty system chunk array");
    return sb;
}

}  // namespace

Status parse_chunk(const std::uint8_t* item, std::uint64_t size, std::uint64_t logical, std::uint64_t devid,
                   Chunk& out) {
    if (size < kChunkStripes + kStripeSize) {
        return Error::make(Errc::bad_data, "chunk at logical %lu: item of %lu bytes", logical, size);
    }
    const std::uint32_t stripes = load_le16(item + kChunkNumStripes);
    if (stripes == 0 || size < kChunkStripes + std::uint64_t{stripes} * kStripeSize) {
        return Error::make(Errc::bad_data, "chunk at logical %lu: %u stripes in %lu bytes", logical, stripes, size);
    }
    const std::uint64_t type = load_le64(item + kChunkType);
    for (const Profile& p : kRaidProfiles) {
        if ((type & p.bit) != 0) {
            return Error::make(Errc::unsupported, "chunk at logical %lu is %s: only single and DUP are supported",
                               logical, p.name);
        }
    }
    // Single has one stripe, DUP two copies on the same device: stripe 0 does.
    const std::uint8_t* stripe = item + kChunkStripes;
    if (load_le64(stripe) != devid) {
        return Error::make(Errc::unsupported, "chunk at logical %lu is on device %lu, not this one (%lu)", logical,
                           load_le64(stripe), devid);
    }
    out.logical = logical;
    out.length = load_le64(item + kChunkLength);
    out.physical = load_le64(stripe + 8);
    out.has_mirror = false;
    if ((type & kBgDup) != 0 && stripes >= 2 && load_le64(stripe + kStripeSize) == devid) {
        out.mirror = load_le64(stripe + kStripeSize + 8);
        out.has_mirror = out.mirror + out.length >= out.mirror;
    }
    if (out.length == 0 || out.logical + out.length < out.logical || out.physical + out.length < out.physical) {
        return Error::make(Errc::bad_data, "chunk at logical %lu: length %lu at device byte %lu", logical, out.length,
                           out.physical);
    }
    return ok();
}

Result<Superblock> read_superblock(BlockDevice& dev) {
    const std::uint32_t dbs = dev.block_size();
    if (dbs < 512 || dbs > kSuperSize || (dbs & (dbs - 1)) != 0) {
        return Error::make(Errc::unsupported, "btrfs: %s: block size %u", dev.name(), dbs);
    }
    const std::uint64_t device_bytes = dev.block_count() * dbs;
    std::uint8_t* raw = new (std::nothrow) std::uint8_t[kSuperSize];
    if (raw == nullptr) return Error::make(Errc::no_memory, "btrfs: no memory for the superblock");
    ScopeGuard release([raw] { delete[] raw; });
    auto read_copy = [&](unsigned copy) -> Result<Superblock> {
        const std::uint64_t offset = kSuperOffsets[copy];
        if (offset + kSuperSize > device_bytes) return Error::make(Errc::not_found, "no btrfs superblock");
        TRY(dev.read(offset / dbs, kSuperSize / dbs, raw));
        return parse(raw, offset);
    };
    Result<Superblock> primary = read_copy(0);
    // No magic at 64 KiB: not btrfs (an old mirror further on is not enough).
    // Refusals (RAID, other checksums, several devices) are not damage.
    if (primary.ok() || primary.error().code() == Errc::not_found || primary.error().code() == Errc::unsupported) {
        return primary;
    }
    // A damaged primary: the newest valid mirror, as btrfs rescue would pick.
    Superblock best;
    bool have = false;
    for (unsigned copy = 1; copy < 3; ++copy) {
        const Result<Superblock> mirror = read_copy(copy);
        if (mirror.ok() && (!have || mirror.value().generation > best.generation)) {
            best = mirror.value();
            best.copy = copy;
            have = true;
        }
    }
    if (!have) return primary;
    return best;
}

}  // namespace xb::fs::btrfs
