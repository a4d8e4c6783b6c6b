// Fuzzes partition-table reading from a whole disk image (MBR, EBR chains, and
// GPT behind a protective MBR): the input is the image, read as 512- and
// 4096-byte blocks, as a disk that claims more blocks than the image has (reads
// past it fail), and with one block unreadable. Must end without a crash, hang
// or out-of-bounds access, and what it returns must be safe to use.
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "fs/partition/partition_table.h"
#include "tests/sim/mem_block_device.h"

namespace {

using xb::fs::PartitionTable;

void check(bool ok) {
    if (!ok) __builtin_trap();
}

// What callers rely on: partitions on the disk, numbers increasing (so unique),
// strings terminated; and every slice reads only inside its partition.
void check_table(xb::sim::MemBlockDevice& disk, const PartitionTable& t, bool ok) {
    if (!ok) {
        check(t.count == 0);
        return;
    }
    check(t.count <= PartitionTable::kMaxPartitions && t.warnings.count <= t.warnings.kMax);
    for (unsigned i = 0; i < t.warnings.count; ++i)
        check(strnlen(t.warnings.text[i], t.warnings.kLength) < t.warnings.kLength);
    for (unsigned i = 0; i < t.count; ++i) {
        const xb::fs::Partition& p = t.parts[i];
        check(p.block_count != 0 && p.first_block < disk.block_count() &&
              p.block_count <= disk.block_count() - p.first_block);
        check(i == 0 || p.number > t.parts[i - 1].number);
        check(strnlen(p.name, sizeof p.name) < sizeof p.name);
        xb::Result<xb::BlockDeviceSlice> slice = xb::fs::partition_slice(disk, t, p.number);
        check(slice.ok() != p.extended);
        if (!slice.ok()) continue;
        std::vector<std::uint8_t> block(disk.block_size());
        (void)slice.value().read(0, 1, block.data());
        (void)slice.value().read(slice.value().block_count() - 1, 1, block.data());
        check(!slice.value().read(slice.value().block_count(), 1, block.data()).ok());
    }
}

void run(const std::uint8_t* data, std::size_t size, std::uint32_t block_size, std::uint64_t extra_blocks,
         bool fail_one) {
    const std::uint64_t blocks = (size + block_size - 1) / block_size;
    auto disk = xb::sim::MemBlockDevice::from_image("fuzz", block_size, std::vector<std::uint8_t>(data, data + size),
                                                    blocks + extra_blocks);
    if (fail_one) disk.fail_reads_of(size % 67);
    auto table = std::make_unique<PartitionTable>();
    const bool ok = xb::fs::read_partitions(disk, *table).ok();
    check_table(disk, *table, ok);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    run(data, size, 512, 0, false);
    run(data, size, 4096, 0, false);
    run(data, size, 512, 64, false);
    run(data, size, 512, 0, true);
    return 0;
}
