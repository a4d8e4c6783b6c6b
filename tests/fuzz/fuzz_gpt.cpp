// Fuzzes the GPT reader directly (no protective MBR needed, so mutations reach
// the headers and entry arrays): the input is the disk image, read as 512- and
// 4096-byte blocks, as a disk claiming more blocks than the image has (the
// backup header is then unreadable), with one block unreadable, and with the
// CRCs of both headers recomputed so that mutated fields get past the checksums
// to the validation behind them. Must end without a crash, hang or
// out-of-bounds access; results must be on the disk.
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "fs/partition/gpt.h"
#include "fs/partition/partition_table.h"
#include "tests/sim/mem_block_device.h"

namespace {

using xb::fs::PartitionTable;

void check(bool ok) {
    if (!ok) __builtin_trap();
}

void check_table(const xb::sim::MemBlockDevice& disk, const PartitionTable& t) {
    check(t.count <= PartitionTable::kMaxPartitions && t.warnings.count <= t.warnings.kMax);
    check(t.first_usable <= t.last_usable && t.last_usable < disk.block_count());
    for (unsigned i = 0; i < t.count; ++i) {
        const xb::fs::Partition& p = t.parts[i];
        check(p.first_block >= t.first_usable && p.last_block() <= t.last_usable && p.block_count != 0);
        check(i == 0 || p.number > t.parts[i - 1].number);
        check(strnlen(p.name, sizeof p.name) < sizeof p.name);
    }
}

std::uint32_t le32(const std::uint8_t* p) {
    return p[0] | p[1] << 8 | p[2] << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}
std::uint64_t le64(const std::uint8_t* p) { return le32(p) | static_cast<std::uint64_t>(le32(p + 4)) << 32; }

// Makes the header at `lba` (and its array, if on the image) checksum-correct.
void reseal(std::vector<std::uint8_t>& img, std::uint32_t bs, std::uint64_t lba) {
    const std::uint64_t blocks = img.size() / bs;
    if (lba >= blocks) return;
    std::uint8_t* h = img.data() + lba * bs;
    const std::uint32_t header_size = le32(h + 12);
    if (std::memcmp(h, "EFI PART", 8) != 0 || header_size < 92 || header_size > bs) return;
    const std::uint64_t entries = le64(h + 72);
    const std::uint64_t bytes = std::uint64_t{le32(h + 80)} * le32(h + 84);
    if (entries < blocks && bytes <= img.size() - entries * bs) {
        xb::sim::put_le32(h + 88,
                          static_cast<std::uint32_t>(::crc32(0, img.data() + entries * bs, static_cast<uInt>(bytes))));
    }
    xb::sim::put_le32(h + 16, 0);
    xb::sim::put_le32(h + 16, static_cast<std::uint32_t>(::crc32(0, h, header_size)));
}

void run_resealed(const std::uint8_t* data, std::size_t size, std::uint32_t bs) {
    std::vector<std::uint8_t> img(data, data + size);
    img.resize((size + bs - 1) / bs * bs);
    reseal(img, bs, 1);
    if (!img.empty()) reseal(img, bs, img.size() / bs - 1);
    auto disk = xb::sim::MemBlockDevice::from_image("fuzz", bs, std::move(img));
    auto table = std::make_unique<PartitionTable>();
    if (xb::fs::detail::read_gpt(disk, *table).ok()) check_table(disk, *table);
}

void run(const std::uint8_t* data, std::size_t size, std::uint32_t block_size, std::uint64_t extra_blocks,
         bool fail_one) {
    const std::uint64_t blocks = (size + block_size - 1) / block_size;
    auto disk = xb::sim::MemBlockDevice::from_image("fuzz", block_size, std::vector<std::uint8_t>(data, data + size),
                                                    blocks + extra_blocks);
    if (fail_one) disk.fail_reads_of(size % 67);
    auto table = std::make_unique<PartitionTable>();
    if (xb::fs::detail::read_gpt(disk, *table).ok()) check_table(disk, *table);
    // And the same image through the front door.
    auto again = std::make_unique<PartitionTable>();
    if (!xb::fs::read_partitions(disk, *again).ok()) check(again->count == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    run(data, size, 512, 0, false);
    run(data, size, 4096, 0, false);
    run(data, size, 512, 64, false);
    run(data, size, 512, 0, true);
    run_resealed(data, size, 512);
    run_resealed(data, size, 4096);
    return 0;
}
