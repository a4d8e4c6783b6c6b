#include "fs/partition/gpt.h"

#include <cstring>

#include "fs/disk_reader.h"
#include "lib/endian.h"
#include "fs/utf16.h"
#include "lib/crc32.h"

namespace xb::fs::detail {
namespace {

// GPT header fields (UEFI 2.x section 5.3.2, table "GPT Header").
constexpr unsigned kSignatureOffset = 0;  // "EFI PART"
constexpr unsigned kHeaderSizeOffset = 12;
constexpr unsigned kHeaderCrcOffset = 16;
constexpr unsigned kMyLbaOffset = 24;
constexpr unsigned kAlternateLbaOffset = 32;
constexpr unsigned kFirstUsableOffset = 40;
constexpr unsigned kLastUsableOffset = 48;
constexpr unsigned kDiskGuidOffset = 56;
constexpr unsigned kEntriesLbaOffset = 72;
constexpr unsigned kEntryCountOffset = 80;
constexpr unsigned kEntrySizeOffset = 84;
constexpr unsigned kEntriesCrcOffset = 88;
constexpr std::uint32_t kMinHeaderSize = 92;

// Partition entry fields (UEFI 2.x section 5.3.3, table "GPT Partition Entry").
constexpr unsigned kTypeGuidOffset = 0;
constexpr unsigned kUniqueGuidOffset = 16;
constexpr unsigned kFirstLbaOffset = 32;
constexpr unsigned kLastLbaOffset = 40;
constexpr unsigned kAttributesOffset = 48;
constexpr unsigned kNameOffset = 56;
constexpr unsigned kNameUnits = 36;
constexpr std::uint32_t kEntryBytesUsed = 128;  // what xenboot reads of each entry
constexpr std::uint64_t kLegacyBiosBootable = 1ull << 2;

// Bounds on untrusted sizes. UEFI sets no maximum entry count (128 is usual);
// these keep the work per disk small and bounded.
constexpr std::uint32_t kMaxEntries = 1024;
constexpr std::uint32_t kMaxEntrySize = 4096;

struct Header {
    std::uint64_t my_lba;
    std::uint64_t alternate_lba;
    std::uint64_t first_usable;
    std::uint64_t last_usable;
    std::uint64_t entries_lba;
    std::uint64_t entries_blocks;
    std::uint32_t entry_count;
    std::uint32_t entry_size;
    std::uint32_t entries_crc;
    Guid disk_guid;
};

Error invalid(const char* why) { return Error::make(Errc::bad_data, "%s", why); }

// The checks UEFI 2.x section 5.3.2 asks for (signature, header CRC over
// HeaderSize bytes with the CRC field taken as zero, MyLBA), plus the bounds
// that keep everything later inside the disk.
Result<Header> parse_header(const std::uint8_t* b, std::uint32_t block_size, std::uint64_t lba,
                            std::uint64_t disk_blocks) {
    if (memcmp(b + kSignatureOffset, "EFI PART", 8) != 0) return invalid("no GPT signature");
    const std::uint32_t header_size = load_le32(b + kHeaderSizeOffset);
    if (header_size < kMinHeaderSize || header_size > block_size) {
        return Error::make(Errc::bad_data, "header size %u is out of range", header_size);
    }
    static constexpr std::uint8_t kZeroCrc[4] = {};
    std::uint32_t crc = crc32(0, b, kHeaderCrcOffset);
    crc = crc32(crc, kZeroCrc, sizeof kZeroCrc);
    crc = crc32(crc, b + kHeaderCrcOffset + 4, header_size - kHeaderCrcOffset - 4);
    const std::uint32_t stored_crc = load_le32(b + kHeaderCrcOffset);
    if (crc != stored_crc) {
        return Error::make(Errc::bad_data, "header CRC is 0x%08x, expected 0x%08x", stored_crc, crc);
    }
    Header h;
    h.my_lba = load_le64(b + kMyLbaOffset);
    h.alternate_lba = load_le64(b + kAlternateLbaOffset);
    h.first_usable = load_le64(b + kFirstUsableOffset);
    h.last_usable = load_le64(b + kLastUsableOffset);
    h.entries_lba = load_le64(b + kEntriesLbaOffset);
    h.entry_count = load_le32(b + kEntryCountOffset);
    h.entry_size = load_le32(b + kEntrySizeOffset);
    h.entries_crc = load_le32(b + kEntriesCrcOffset);
    memcpy(h.disk_guid.bytes.data(), b + kDiskGuidOffset, 16);
    if (h.my_lba != lba) {
        return Error::make(Errc::bad_data, "header says it is at block %lu", h.my_lba);
    }
    if (h.first_usable > h.last_usable || h.last_usable >= disk_blocks) {
        return Error::make(Errc::bad_data, "usable blocks %lu-%lu are not within the disk's %lu", h.first_usable,
                           h.last_usable, disk_blocks);
    }
    if (h.entry_size < kEntryBytesUsed || h.entry_size % 8 != 0 || h.entry_size > kMaxEntrySize) {
        return Error::make(Errc::bad_data, "partition entry size %u is invalid", h.entry_size);
    }
    if (h.entry_count > kMaxEntries) {
        return Error::make(Errc::bad_data, "%u partition entries (at most %u supported)", h.entry_count, kMaxEntries);
    }
    const std::uint64_t array_bytes = static_cast<std::uint64_t>(h.entry_count) * h.entry_size;
    h.entries_blocks = (array_bytes + block_size - 1) / block_size;
    // The array must be on the disk, outside the usable blocks and apart from
    // the header itself.
    const bool on_disk = h.entries_blocks == 0 || extent_within(h.entries_lba, h.entries_blocks, disk_blocks);
    const std::uint64_t array_end = h.entries_lba + h.entries_blocks;
    const bool clear = h.entries_blocks == 0 || ((array_end <= h.first_usable || h.entries_lba > h.last_usable) &&
                                                 (lba < h.entries_lba || lba >= array_end));
    if (!on_disk || !clear) {
        return Error::make(Errc::bad_data, "entry array at block %lu (%lu blocks) is misplaced", h.entries_lba,
                           h.entries_blocks);
    }
    return h;
}

Result<Header> read_header(BlockDevice& disk, std::uint64_t lba) {
    BlockBuffer buf;
    TRY(read_block(disk, lba, buf, "GPT header"));
    return parse_header(buf.bytes, disk.block_size(), lba, disk.block_count());
}

// Streams the entry array block by block: fn(bytes, length, offset in array).
template <typename Fn>
Status for_each_array_chunk(BlockDevice& disk, const Header& h, Fn&& fn) {
    const std::uint64_t total = static_cast<std::uint64_t>(h.entry_count) * h.entry_size;
    const std::uint32_t bs = disk.block_size();
    BlockBuffer buf;
    for (std::uint64_t i = 0; i < h.entries_blocks; ++i) {
        TRY(read_block(disk, h.entries_lba + i, buf, "GPT entry array"));
        const std::uint64_t pos = i * bs;
        const std::uint64_t n = total - pos < bs ? total - pos : bs;
        TRY(fn(buf.bytes, n, pos));
    }
    return ok();
}

Status check_entries_crc(BlockDevice& disk, const Header& h) {
    std::uint32_t crc = 0;
    TRY(for_each_array_chunk(disk, h, [&](const std::uint8_t* data, std::uint64_t n, std::uint64_t) -> Status {
        crc = crc32(crc, data, n);
        return ok();
    }));
    if (crc != h.entries_crc) {
        return Error::make(Errc::bad_data, "entry array CRC is 0x%08x, expected 0x%08x", h.entries_crc, crc);
    }
    return ok();
}

Status add_entry(const Header& h, std::uint32_t index, const std::uint8_t* e, PartitionTable& out) {
    Partition p;
    memcpy(p.type_guid.bytes.data(), e + kTypeGuidOffset, 16);
    if (p.type_guid.is_zero()) return ok();  // an unused entry
    const std::uint64_t first = load_le64(e + kFirstLbaOffset);
    const std::uint64_t last = load_le64(e + kLastLbaOffset);
    if (first > last || first < h.first_usable || last > h.last_usable) {
        out.warnings.add("GPT entry %u (blocks %lu-%lu) is outside the usable blocks %lu-%lu: ignored", index + 1,
                         first, last, h.first_usable, h.last_usable);
        return ok();
    }
    p.number = index + 1;
    p.first_block = first;
    p.block_count = last - first + 1;
    memcpy(p.uuid.bytes.data(), e + kUniqueGuidOffset, 16);
    p.attributes = load_le64(e + kAttributesOffset);
    p.bootable = (p.attributes & kLegacyBiosBootable) != 0;
    utf16le_to_utf8(e + kNameOffset, kNameUnits, p.name, sizeof p.name);
    return add_partition(out, p);
}

// Entries may straddle blocks (any multiple of 8 bytes is a valid size), so the
// first 128 bytes of each are gathered across chunks.
Status read_entries(BlockDevice& disk, const Header& h, PartitionTable& out) {
    std::uint8_t entry[kEntryBytesUsed];
    return for_each_array_chunk(disk, h, [&](const std::uint8_t* data, std::uint64_t n, std::uint64_t pos) -> Status {
        std::uint64_t p = pos;
        const std::uint64_t end = pos + n;
        while (p < end) {
            const std::uint64_t index = p / h.entry_size;
            const std::uint64_t within = p % h.entry_size;
            if (within >= kEntryBytesUsed) {
                const std::uint64_t next = (index + 1) * h.entry_size;
                p = next < end ? next : end;
                continue;
            }
            const std::uint64_t want = kEntryBytesUsed - within;
            const std::uint64_t take = end - p < want ? end - p : want;
            memcpy(entry + within, data + (p - pos), take);
            p += take;
            if (within + take == kEntryBytesUsed) TRY(add_entry(h, static_cast<std::uint32_t>(index), entry, out));
        }
        return ok();
    });
}

// Fills `out` from a header whose array CRC has been checked: only a fully
// valid GPT is ever parsed. (Entries are still bounds-checked one by one.)
Status load(BlockDevice& disk, const Header& h, PartitionTable& out) {
    out.kind = TableKind::efi;
    out.disk_guid = h.disk_guid;
    out.header_block = h.my_lba;
    out.first_usable = h.first_usable;
    out.last_usable = h.last_usable;
    return read_entries(disk, h, out);
}

}  // namespace

Status read_gpt(BlockDevice& disk, PartitionTable& out) {
    if (disk.block_count() < 3) return Error::make(Errc::bad_data, "no valid GPT: the disk has fewer than 3 blocks");
    const std::uint64_t last = disk.block_count() - 1;
    Result<Header> primary = read_header(disk, 1);
    Status primary_status = primary.ok() ? check_entries_crc(disk, primary.value()) : Status(primary.error());
    if (primary_status.ok()) return load(disk, primary.value(), out);

    // The backup: where a primary with a good header CRC says it is, else (or
    // then) the last block (UEFI 2.x section 5.3.2).
    std::uint64_t candidates[2];
    unsigned n = 0;
    if (primary.ok() && primary.value().alternate_lba > 1 && primary.value().alternate_lba <= last) {
        candidates[n++] = primary.value().alternate_lba;
    }
    if (n == 0 || candidates[0] != last) candidates[n++] = last;
    Error backup_error = Error::make(Errc::bad_data, "none");
    for (unsigned i = 0; i < n; ++i) {
        Result<Header> backup = read_header(disk, candidates[i]);
        Status s = backup.ok() ? check_entries_crc(disk, backup.value()) : Status(backup.error());
        if (s.ok()) {
            out.warnings.add("using the backup GPT at block %lu: the primary is invalid (%s)", candidates[i],
                             primary_status.error().message());
            return load(disk, backup.value(), out);
        }
        backup_error = s.error();
    }
    return Error::make(Errc::bad_data, "no valid GPT: primary: %s; backup: %s", primary_status.error().message(),
                       backup_error.message());
}

}  // namespace xb::fs::detail
