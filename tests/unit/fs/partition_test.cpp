// Partition tables: MBR (primaries, extended chains, their failure modes) and
// GPT (valid, primary or array corrupt -> backup, both bad, 4 KiB blocks, read
// errors), on images laid out in the test; then images made by the real tools
// (sfdisk, sgdisk, fdisk -b 4096), checked against what those tools list.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "fs/partition/guid.h"
#include "fs/partition/partition_table.h"
#include "fs/utf16.h"
#include "tests/sim/host_tools.h"
#include "tests/sim/mem_block_device.h"

namespace {

using namespace xb;
using fs::Partition;
using fs::PartitionTable;
using sim::GptPart;
using sim::MbrEntry;
using sim::MemBlockDevice;

constexpr const char* kLinux = "0fc63daf-8483-4772-8e79-3d69d8477de4";
constexpr const char* kEsp = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b";
constexpr const char* kUuid1 = "11111111-2222-4333-8444-555555555555";
constexpr const char* kUuid2 = "66666666-7777-4888-9999-aaaaaaaaaaaa";

// The table is ~22 KiB; tests keep it on the heap as the firmware does.
struct Read {
    std::unique_ptr<PartitionTable> table = std::make_unique<PartitionTable>();
    Status status;
    const Partition& part(unsigned number) const {
        const Partition* p = table->find(number);
        EXPECT_NE(p, nullptr) << "no partition " << number;
        static Partition none;
        return p != nullptr ? *p : none;
    }
    std::string warnings() const {
        std::string all;
        for (unsigned i = 0; i < table->warnings.count; ++i) all += std::string(table->warnings.text[i]) + "\n";
        return all;
    }
};

Read read(BlockDevice& disk) {
    Read r;
    r.status = fs::read_partitions(disk, *r.table);
    return r;
}

std::string guid_text(const fs::Guid& g) {
    char text[fs::kGuidTextSize];
    fs::format_guid(g, text);
    return text;
}

// ---------------------------------------------------------------- MBR

TEST(Mbr, Primaries) {
    MemBlockDevice disk("disk0", 512, 4096);
    sim::write_mbr(disk, 0, {{0x0c, 2048, 1024, 0x80}, {}, {0x83, 3072, 1024, 0}}, 0x1234abcd);
    Read r = read(disk);
    ASSERT_TRUE(r.status.ok()) << r.status.error().message();
    EXPECT_EQ(r.table->kind, fs::TableKind::dos);
    EXPECT_EQ(r.table->disk_signature, 0x1234abcdu);
    ASSERT_EQ(r.table->count, 2u);
    EXPECT_EQ(r.part(1).first_block, 2048u);
    EXPECT_EQ(r.part(1).block_count, 1024u);
    EXPECT_EQ(r.part(1).mbr_type, 0x0c);
    EXPECT_TRUE(r.part(1).bootable);
    // Slot 2 is empty: slot 3 keeps number 3.
    EXPECT_EQ(r.part(3).first_block, 3072u);
    EXPECT_FALSE(r.part(3).bootable);
    EXPECT_EQ(r.table->find(2), nullptr);
    EXPECT_EQ(r.table->warnings.count, 0u);
}

TEST(Mbr, SliceReadsThePartitionsBlocks) {
    MemBlockDevice disk("pvblock 0", 512, 4096);
    sim::write_mbr(disk, 0, {{0x83, 100, 10, 0}});
    disk.block(105)[0] = 0x5a;
    Read r = read(disk);
    ASSERT_TRUE(r.status.ok());
    Result<BlockDeviceSlice> slice = fs::partition_slice(disk, *r.table, 1);
    ASSERT_TRUE(slice.ok()) << slice.error().message();
    EXPECT_STREQ(slice.value().name(), "pvblock 0:1");
    EXPECT_EQ(slice.value().block_count(), 10u);
    std::uint8_t buf[512];
    ASSERT_TRUE(slice.value().read(5, 1, buf).ok());
    EXPECT_EQ(buf[0], 0x5a);
    EXPECT_FALSE(slice.value().read(10, 1, buf).ok());  // the slice ends with the partition

    Result<BlockDeviceSlice> whole = fs::partition_slice(disk, *r.table, 0);
    ASSERT_TRUE(whole.ok());
    EXPECT_STREQ(whole.value().name(), "pvblock 0");
    EXPECT_EQ(whole.value().block_count(), 4096u);

    Result<BlockDeviceSlice> missing = fs::partition_slice(disk, *r.table, 2);
    ASSERT_FALSE(missing.ok());
    EXPECT_STREQ(missing.error().message(), "pvblock 0: no partition 2");
}

class ExtendedTypes : public ::testing::TestWithParam<std::uint8_t> {};

TEST_P(ExtendedTypes, ThreeLogicalPartitions) {
    // Extended partition at 1000..1999; EBRs at 1000, 1300, 1600. Logical
    // starts are relative to their EBR, links relative to the extended start.
    const std::uint8_t ext = GetParam();
    MemBlockDevice disk("disk0", 512, 4096);
    sim::write_mbr(disk, 0, {{0x83, 64, 900, 0x80}, {ext, 1000, 1000, 0}}, 0xdeadbeef);
    sim::write_mbr(disk, 1000, {{0x83, 2, 200, 0}, {ext, 300, 300, 0}});
    sim::write_mbr(disk, 1300, {{0x82, 2, 250, 0}, {ext, 600, 400, 0}});
    sim::write_mbr(disk, 1600, {{0x83, 4, 300, 0}});
    Read r = read(disk);
    ASSERT_TRUE(r.status.ok()) << r.status.error().message();
    ASSERT_EQ(r.table->count, 5u);
    EXPECT_TRUE(r.part(2).extended);
    EXPECT_EQ(r.part(2).mbr_type, ext);
    EXPECT_EQ(r.part(5).first_block, 1002u);
    EXPECT_EQ(r.part(5).block_count, 200u);
    EXPECT_EQ(r.part(6).first_block, 1302u);
    EXPECT_EQ(r.part(6).mbr_type, 0x82);
    EXPECT_EQ(r.part(7).first_block, 1604u);
    EXPECT_EQ(r.part(7).block_count, 300u);
    EXPECT_EQ(r.warnings(), "");

    Result<BlockDeviceSlice> container = fs::partition_slice(disk, *r.table, 2);
    ASSERT_FALSE(container.ok());
    EXPECT_NE(std::string(container.error().message()).find("extended"), std::string::npos);
    Result<BlockDeviceSlice> logical = fs::partition_slice(disk, *r.table, 6);
    ASSERT_TRUE(logical.ok());
    EXPECT_EQ(logical.value().first_block(), 1302u);
}

INSTANTIATE_TEST_SUITE_P(Mbr, ExtendedTypes, ::testing::Values(0x05, 0x0f, 0x85));

TEST(Mbr, EbrChainLoopIsAnErrorNotAHang) {
    MemBlockDevice disk("disk0", 512, 4096);
    sim::write_mbr(disk, 0, {{0x05, 1000, 1000, 0}});
    sim::write_mbr(disk, 1000, {{0x83, 2, 10, 0}, {0x05, 300, 10, 0}});
    sim::write_mbr(disk, 1300, {{0x83, 2, 10, 0}, {0x05, 0, 10, 0}});  // back to the first EBR
    Read r = read(disk);
    ASSERT_FALSE(r.status.ok());
    EXPECT_EQ(r.status.error().code(), Errc::bad_data);
    EXPECT_STREQ(r.status.error().message(), "extended partition at block 1000: EBR chain loops back to block 1000");
    EXPECT_EQ(r.table->count, 0u);  // nothing half-read is left behind
}

TEST(Mbr, EbrPointingAtItselfIsALoop) {
    MemBlockDevice disk("disk0", 512, 4096);
    sim::write_mbr(disk, 0, {{0x0f, 1000, 1000, 0}});
    sim::write_mbr(disk, 1000, {{0x0f, 0, 10, 0}});
    Read r = read(disk);
    ASSERT_FALSE(r.status.ok());
    EXPECT_NE(std::string(r.status.error().message()).find("loops"), std::string::npos);
}

TEST(Mbr, ChainOfMoreThan128EbrsIsAnError) {
    MemBlockDevice disk("disk0", 512, 1000);
    sim::write_mbr(disk, 0, {{0x05, 100, 800, 0}});
    for (std::uint32_t i = 0; i < 200; ++i) sim::write_mbr(disk, 100 + i, {{0x05, i + 1, 1, 0}});  // links only
    Read r = read(disk);
    ASSERT_FALSE(r.status.ok());
    EXPECT_STREQ(r.status.error().message(), "extended partition at block 100: more than 128 EBRs in its chain");
}

TEST(Mbr, MoreLogicalPartitionsThanFitIsAnError) {
    MemBlockDevice disk("disk0", 512, 2000);
    sim::write_mbr(disk, 0, {{0x05, 100, 1800, 0}});
    for (std::uint32_t i = 0; i < 128; ++i) {
        sim::write_mbr(disk, 100 + 2 * i, {{0x83, 1, 1, 0}, {0x05, 2 * (i + 1), 2, 0}});
    }
    Read r = read(disk);
    ASSERT_FALSE(r.status.ok());
    EXPECT_STREQ(r.status.error().message(), "more than 128 partitions");
}

TEST(Mbr, EntriesBeyondTheDiskAreIgnoredWithAWarning) {
    MemBlockDevice disk("disk0", 512, 4096);
    sim::write_mbr(disk, 0,
                   {{0x83, 64, 100, 0}, {0x83, 4000, 200, 0}, {0x05, 1000, 1000, 0}, {0x83, 0xfffffff0u, 0x20, 0}});
    sim::write_mbr(disk, 1000, {{0x83, 2, 5000, 0}, {0x05, 100, 10, 0}});
    sim::write_mbr(disk, 1100, {{0x83, 2, 10, 0}});
    Read r = read(disk);
    ASSERT_TRUE(r.status.ok()) << r.status.error().message();
    EXPECT_EQ(r.table->find(2), nullptr);
    EXPECT_EQ(r.table->find(4), nullptr);
    EXPECT_EQ(r.table->find(5), nullptr);
    EXPECT_EQ(r.part(6).first_block, 1102u);  // numbering as on disk: 5 is taken by the bad one
    EXPECT_EQ(r.warnings(),
              "partition 2 (blocks 4000+200) extends beyond the disk's 4096 blocks: ignored\n"
              "partition 4 (blocks 4294967280+32) extends beyond the disk's 4096 blocks: ignored\n"
              "partition 5 (blocks 1002+5000) extends beyond the disk's 4096 blocks: ignored\n");
}

TEST(Mbr, BrokenEbrLinksEndTheChainWithAWarning) {
    MemBlockDevice disk("disk0", 512, 4096);
    sim::write_mbr(disk, 0, {{0x05, 1000, 1000, 0}});
    sim::write_mbr(disk, 1000, {{0x83, 2, 10, 0}, {0x05, 100, 10, 0}});  // 1100 has no signature
    Read r = read(disk);
    ASSERT_TRUE(r.status.ok());
    EXPECT_EQ(r.table->count, 2u);
    EXPECT_EQ(r.warnings(), "EBR at block 1100 has no 0x55aa signature: no logical partitions from 6 on\n");

    sim::write_mbr(disk, 1000, {{0x83, 2, 10, 0}, {0x05, 0x10000, 10, 0}});
    r = read(disk);
    ASSERT_TRUE(r.status.ok());
    EXPECT_EQ(r.warnings(),
              "EBR at block 1000 links to block 66536, beyond the disk: no logical partitions from 6 on\n");
}

TEST(Mbr, OverlapsAreToleratedAndReported) {
    MemBlockDevice disk("disk0", 512, 4096);
    sim::write_mbr(disk, 0, {{0x83, 100, 200, 0}, {0x83, 250, 100, 0}, {0x05, 1000, 1000, 0}});
    sim::write_mbr(disk, 1000, {{0x83, 2, 10, 0}});
    Read r = read(disk);
    ASSERT_TRUE(r.status.ok());
    EXPECT_EQ(r.table->count, 4u);
    EXPECT_EQ(r.warnings(), "partitions 1 and 2 overlap\n");  // logicals inside the container are not overlaps
}

TEST(Mbr, NoTable) {
    MemBlockDevice disk("disk0", 512, 64);
    Read r = read(disk);
    ASSERT_FALSE(r.status.ok());
    EXPECT_EQ(r.status.error().code(), Errc::not_found);
    EXPECT_STREQ(r.status.error().message(), "no partition table (no 0x55aa signature in block 0)");

    // A FAT boot sector also ends in 0x55aa; its "entries" are boot code.
    sim::write_mbr(disk, 0, {{0x83, 1, 10, 0}});
    disk.block(0)[446 + 16] = 0x4c;
    r = read(disk);
    ASSERT_FALSE(r.status.ok());
    EXPECT_EQ(r.status.error().code(), Errc::not_found);
    EXPECT_STREQ(r.status.error().message(), "no partition table: block 0 has 0x55aa but entry 2 has boot flag 0x4c");
}

TEST(Mbr, FourKiBBlocks) {
    MemBlockDevice disk("disk0", 4096, 1024);
    sim::write_mbr(disk, 0, {{0x83, 256, 256, 0x80}, {0x05, 512, 512, 0}});
    sim::write_mbr(disk, 512, {{0x83, 1, 100, 0}});
    Read r = read(disk);
    ASSERT_TRUE(r.status.ok()) << r.status.error().message();
    EXPECT_EQ(r.part(1).first_block, 256u);
    EXPECT_EQ(r.part(5).first_block, 513u);
}

TEST(Partitions, UnsupportedBlockSizeAndEmptyDisk) {
    MemBlockDevice odd("disk0", 520, 64);
    Read r = read(odd);
    ASSERT_FALSE(r.status.ok());
    EXPECT_EQ(r.status.error().code(), Errc::unsupported);
    MemBlockDevice empty("disk0", 512, 0);
    r = read(empty);
    ASSERT_FALSE(r.status.ok());
    EXPECT_EQ(r.status.error().code(), Errc::not_found);
}

TEST(Partitions, ReadErrorsNameTheDeviceAndBlock) {
    MemBlockDevice disk("pvblock 1", 512, 4096);
    sim::write_mbr(disk, 0, {{0x05, 1000, 1000, 0}});
    disk.fail_reads_of(0);
    Read r = read(disk);
    ASSERT_FALSE(r.status.ok());
    EXPECT_EQ(r.status.error().code(), Errc::io);
    EXPECT_STREQ(r.status.error().message(), "reading MBR: pvblock 1: I/O error at block 0 (injected)");

    MemBlockDevice disk2("pvblock 1", 512, 4096);
    sim::write_mbr(disk2, 0, {{0x05, 1000, 1000, 0}});
    disk2.fail_reads_of(1000);
    r = read(disk2);
    ASSERT_FALSE(r.status.ok());
    EXPECT_STREQ(r.status.error().message(), "reading EBR: pvblock 1: I/O error at block 1000 (injected)");
}

// ---------------------------------------------------------------- GPT

std::vector<GptPart> two_parts() {
    return {
        GptPart{kEsp, kUuid1, 2048, 4095, 1ull << 2, u"EFI system"},
        GptPart{kLinux, kUuid2, 4096, 8191, 0, u"r\u00f6\u00f6t \u2713", 3},  // entry slot 3: partition 4
    };
}

void expect_two_parts(const Read& r) {
    ASSERT_TRUE(r.status.ok()) << r.status.error().message();
    EXPECT_EQ(r.table->kind, fs::TableKind::efi);
    EXPECT_EQ(guid_text(r.table->disk_guid), "0a0b0c0d-1122-4344-8586-a7a8a9aaabac");
    ASSERT_EQ(r.table->count, 2u);
    const Partition& esp = r.part(1);
    EXPECT_EQ(esp.first_block, 2048u);
    EXPECT_EQ(esp.block_count, 2048u);
    EXPECT_EQ(guid_text(esp.type_guid), kEsp);
    EXPECT_EQ(guid_text(esp.uuid), kUuid1);
    EXPECT_TRUE(esp.bootable);
    EXPECT_EQ(esp.attributes, 4u);
    EXPECT_STREQ(esp.name, "EFI system");
    const Partition& root = r.part(4);
    EXPECT_EQ(root.first_block, 4096u);
    EXPECT_EQ(root.last_block(), 8191u);
    EXPECT_STREQ(root.name, "r\xc3\xb6\xc3\xb6t \xe2\x9c\x93");
    EXPECT_FALSE(root.bootable);
}

TEST(Gpt, Valid) {
    MemBlockDevice disk("disk0", 512, 16384);
    sim::GptInfo info = sim::write_gpt(disk, two_parts());
    Read r = read(disk);
    expect_two_parts(r);
    EXPECT_EQ(r.table->header_block, 1u);
    EXPECT_EQ(r.table->first_usable, info.first_usable);
    EXPECT_EQ(r.table->last_usable, info.last_usable);
    EXPECT_EQ(r.warnings(), "");
    Result<BlockDeviceSlice> slice = fs::partition_slice(disk, *r.table, 4);
    ASSERT_TRUE(slice.ok());
    EXPECT_STREQ(slice.value().name(), "disk0:4");
    EXPECT_EQ(slice.value().first_block(), 4096u);
}

TEST(Gpt, CorruptPrimaryHeaderFallsBackToTheBackup) {
    MemBlockDevice disk("disk0", 512, 16384);
    sim::GptInfo info = sim::write_gpt(disk, two_parts());
    disk.block(1)[40] ^= 1;  // first_usable, CRC no longer matches
    Read r = read(disk);
    expect_two_parts(r);
    EXPECT_EQ(r.table->header_block, info.backup);
    ASSERT_EQ(r.table->warnings.count, 1u);
    EXPECT_EQ(r.warnings().rfind("using the backup GPT at block 16383: the primary is invalid (header CRC is 0x", 0),
              0u)
        << r.warnings();
}

TEST(Gpt, CorruptPrimaryEntryArrayFallsBackToTheBackup) {
    MemBlockDevice disk("disk0", 512, 16384);
    sim::write_gpt(disk, two_parts());
    disk.block(2)[56] ^= 0x20;  // a letter of the first name
    Read r = read(disk);
    expect_two_parts(r);
    ASSERT_EQ(r.table->warnings.count, 1u);
    EXPECT_NE(r.warnings().find("using the backup GPT at block 16383: the primary is invalid (entry array CRC is"),
              std::string::npos)
        << r.warnings();
}

TEST(Gpt, BackupFoundAtAlternateLbaWhenTheDiskGrew) {
    // The backup stays where it was written when a disk image is enlarged;
    // a primary whose header is intact still says where.
    MemBlockDevice disk("disk0", 512, 16384);
    sim::write_gpt(disk, two_parts());
    disk.bytes().resize(disk.bytes().size() + 4096 * 512);
    MemBlockDevice grown = MemBlockDevice::from_image("disk0", 512, disk.bytes());
    grown.block(2)[56] ^= 0x20;
    Read r = read(grown);
    expect_two_parts(r);
    EXPECT_EQ(r.table->header_block, 16383u);
}

TEST(Gpt, BothHeadersBadIsAClearError) {
    MemBlockDevice disk("disk0", 512, 16384);
    sim::GptInfo info = sim::write_gpt(disk, two_parts());
    disk.block(1)[0] = 'X';
    disk.block(info.backup)[0] = 'X';
    Read r = read(disk);
    ASSERT_FALSE(r.status.ok());
    EXPECT_EQ(r.status.error().code(), Errc::bad_data);
    EXPECT_STREQ(r.status.error().message(), "no valid GPT: primary: no GPT signature; backup: no GPT signature");
}

TEST(Gpt, ValidationOfHeaderFields) {
    struct Case {
        const char* name;
        void (*edit)(std::uint8_t* header);
        const char* error;
    };
    const Case cases[] = {
        {"header size", [](std::uint8_t* h) { sim::put_le32(h + 12, 600); }, "header size 600 is out of range"},
        {"my_lba", [](std::uint8_t* h) { sim::put_le64(h + 24, 7); }, "header says it is at block 7"},
        {"usable", [](std::uint8_t* h) { sim::put_le64(h + 48, 1u << 20); },
         "usable blocks 34-1048576 are not within the disk's 16384"},
        {"entry size", [](std::uint8_t* h) { sim::put_le32(h + 84, 132); }, "partition entry size 132 is invalid"},
        {"entry count", [](std::uint8_t* h) { sim::put_le32(h + 80, 5000); },
         "5000 partition entries (at most 1024 supported)"},
        {"array", [](std::uint8_t* h) { sim::put_le64(h + 72, 40); },
         "entry array at block 40 (32 blocks) is misplaced"},
    };
    for (const Case& c : cases) {
        MemBlockDevice disk("disk0", 512, 16384);
        sim::GptInfo info = sim::write_gpt(disk, two_parts());
        for (std::uint64_t at : {std::uint64_t{1}, info.backup}) {
            c.edit(disk.block(at));
            sim::reseal_gpt_header(disk, at);
        }
        Read r = read(disk);
        ASSERT_FALSE(r.status.ok()) << c.name;
        EXPECT_EQ(std::string(r.status.error().message()),
                  std::string("no valid GPT: primary: ") + c.error + "; backup: " + c.error)
            << c.name;
    }
}

TEST(Gpt, EntriesOutsideTheUsableBlocksAreIgnoredWithAWarning) {
    MemBlockDevice disk("disk0", 512, 16384);
    std::vector<GptPart> parts = two_parts();
    parts.push_back(GptPart{kLinux, kUuid1, 10, 100, 0, u"over the array"});
    parts.push_back(GptPart{kLinux, kUuid2, 9000, 8999, 0, u"backwards"});
    sim::write_gpt(disk, parts);
    Read r = read(disk);
    ASSERT_TRUE(r.status.ok());
    EXPECT_EQ(r.table->count, 2u);
    EXPECT_EQ(r.warnings(),
              "GPT entry 5 (blocks 10-100) is outside the usable blocks 34-16350: ignored\n"
              "GPT entry 6 (blocks 9000-8999) is outside the usable blocks 34-16350: ignored\n");
}

TEST(Gpt, OddEntrySizesStraddleBlocks) {
    // 136-byte entries (a multiple of 8) do not divide 512-byte blocks.
    MemBlockDevice disk("disk0", 512, 16384);
    std::vector<GptPart> parts;
    for (std::uint32_t i = 0; i < 9; ++i) {
        parts.push_back(GptPart{kLinux, kUuid1, 1000 + 100 * i, 1099 + 100 * i, 0, u"p" + std::u16string(1, u'0' + i)});
    }
    sim::write_gpt(disk, parts, {.entry_count = 9, .entry_size = 136});
    Read r = read(disk);
    ASSERT_TRUE(r.status.ok()) << r.status.error().message();
    ASSERT_EQ(r.table->count, 9u);
    for (unsigned i = 0; i < 9; ++i) {
        EXPECT_EQ(r.part(i + 1).first_block, 1000u + 100 * i);
        EXPECT_EQ(r.part(i + 1).name, "p" + std::to_string(i));
    }
}

TEST(Gpt, FourKiBBlocks) {
    MemBlockDevice disk("disk0", 4096, 16384);
    sim::GptInfo info = sim::write_gpt(disk, two_parts());
    EXPECT_EQ(info.array_blocks, 4u);
    Read r = read(disk);
    expect_two_parts(r);
    disk.block(1)[100] ^= 1;  // reserved bytes are covered by the CRC only up to HeaderSize: still fine
    r = read(disk);
    EXPECT_EQ(r.table->header_block, 1u);
    disk.block(1)[60] ^= 1;  // the disk GUID is
    r = read(disk);
    EXPECT_EQ(r.table->header_block, info.backup);
}

TEST(Gpt, ReadErrors) {
    MemBlockDevice disk("pvblock 0", 512, 16384);
    sim::GptInfo info = sim::write_gpt(disk, two_parts());
    disk.fail_reads_of(1);
    Read r = read(disk);
    expect_two_parts(r);
    EXPECT_EQ(r.warnings(),
              "using the backup GPT at block 16383: the primary is invalid (reading GPT header: pvblock 0: I/O "
              "error at block 1 (injected))\n");
    disk.fail_reads_of(info.backup_entries + 3);
    r = read(disk);
    ASSERT_FALSE(r.status.ok());
    EXPECT_EQ(r.status.error().code(), Errc::bad_data);
    EXPECT_NE(std::string(r.status.error().message())
                  .find("backup: reading GPT entry array: pvblock 0: I/O error at block 16354"),
              std::string::npos)
        << r.status.error().message();

    // A disk image shorter than the disk claims: the backup is unreadable.
    MemBlockDevice small("pvblock 0", 512, 16384);
    sim::write_gpt(small, two_parts());
    small.bytes().resize(4096 * 512);
    MemBlockDevice truncated = MemBlockDevice::from_image("pvblock 0", 512, small.bytes(), 16384);
    truncated.block(1)[0] = 0;
    r = read(truncated);
    ASSERT_FALSE(r.status.ok());
    EXPECT_STREQ(r.status.error().message(),
                 "no valid GPT: primary: no GPT signature; backup: reading GPT header: pvblock 0: I/O error at block "
                 "16383 (past the image)");
}

TEST(Gpt, MoreUsedEntriesThanFitIsAnError) {
    MemBlockDevice disk("disk0", 512, 16384);
    std::vector<GptPart> parts;
    for (std::uint32_t i = 0; i < 129; ++i) parts.push_back(GptPart{kLinux, kUuid1, 100 + i, 100 + i, 0, u"x"});
    sim::write_gpt(disk, parts, {.entry_count = 256});
    Read r = read(disk);
    ASSERT_FALSE(r.status.ok());
    EXPECT_STREQ(r.status.error().message(), "more than 128 partitions");
}

TEST(Gpt, OverlappingEntriesAreReported) {
    MemBlockDevice disk("disk0", 512, 16384);
    std::vector<GptPart> parts = two_parts();
    parts.push_back(GptPart{kLinux, kUuid1, 8000, 9000, 0, u"x"});
    sim::write_gpt(disk, parts);
    Read r = read(disk);
    ASSERT_TRUE(r.status.ok());
    EXPECT_EQ(r.warnings(), "partitions 4 and 5 overlap\n");
}

// ---------------------------------------------------------------- names, GUIDs

TEST(Guid, FormatParseAndNames) {
    fs::Guid g;
    ASSERT_TRUE(fs::parse_guid("C12A7328-F81F-11D2-BA4B-00A0C93EC93B", g));
    EXPECT_EQ(g.bytes[0], 0x28);  // first field little-endian on disk
    EXPECT_EQ(g.bytes[8], 0xba);
    EXPECT_EQ(guid_text(g), kEsp);
    EXPECT_STREQ(fs::guid_type_name(g), "system");
    ASSERT_TRUE(fs::parse_guid("ebd0a0a2-b9e5-4433-87c0-68b6b72699c7", g));
    EXPECT_STREQ(fs::guid_type_name(g), "data");
    ASSERT_TRUE(fs::parse_guid(kUuid1, g));
    EXPECT_EQ(fs::guid_type_name(g), nullptr);
    EXPECT_FALSE(fs::parse_guid("c12a7328-f81f-11d2-ba4b-00a0c93ec93", g));
    EXPECT_FALSE(fs::parse_guid("c12a7328-f81f-11d2-ba4b+00a0c93ec93b", g));
    EXPECT_FALSE(fs::parse_guid("g12a7328-f81f-11d2-ba4b-00a0c93ec93b", g));
}

std::string utf8_of(const std::u16string& s, std::size_t out_size = 109) {
    std::vector<std::uint8_t> raw(2 * s.size());
    for (std::size_t i = 0; i < s.size(); ++i) sim::put_le16(raw.data() + 2 * i, s[i]);
    std::vector<char> out(out_size);
    fs::utf16le_to_utf8(raw.data(), s.size(), out.data(), out.size());
    return out.data();
}

TEST(Utf16, ConversionIsSafe) {
    EXPECT_EQ(utf8_of(u"boot"), "boot");
    EXPECT_EQ(utf8_of(u"a\u00e9\u4e2d"), "a\xc3\xa9\xe4\xb8\xad");
    EXPECT_EQ(utf8_of(u"\U0001F600"), "\xf0\x9f\x98\x80");                      // surrogate pair
    EXPECT_EQ(utf8_of(std::u16string(u"x") + char16_t(0xd800) + u"y"), "x?y");  // unpaired
    EXPECT_EQ(utf8_of(u"a\x1b[2Jb"), "a?[2Jb");                                 // no terminal control
    EXPECT_EQ(utf8_of(std::u16string(u"ab\0cd", 5)), "ab");                     // NUL ends the name
    EXPECT_EQ(utf8_of(u"ab\u4e2d", 4), "ab");                                   // cut at a character boundary
}

// ---------------------------------------------------------------- real tools

using sim::find_tool;
using sim::TempDir;

// Runs a shell command of host tools; its stdout, or "" with a test failure if it failed.
std::string run(const std::string& command) { return sim::run_tool(command, sim::Stderr::discarded).output; }

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// One partition as `sfdisk --json` lists it.
struct ToolPart {
    unsigned number = 0;
    std::uint64_t start = 0;
    std::uint64_t size = 0;
    std::string type, uuid, name;
    bool bootable = false;
};

std::vector<ToolPart> sfdisk_json(const std::string& sfdisk, const std::string& image) {
    const std::string json = run(sfdisk + " --json " + image);
    std::vector<ToolPart> parts;
    std::size_t pos = 0;
    while ((pos = json.find("\"node\":", pos)) != std::string::npos) {
        const std::size_t end = json.find('}', pos);
        const std::string obj = json.substr(pos, end - pos);
        auto field = [&](const char* key) {
            std::smatch m;
            const std::regex re(std::string("\"") + key + "\":\\s*(\"([^\"]*)\"|[0-9a-z]+)");
            if (!std::regex_search(obj, m, re)) return std::string();
            return m[2].matched ? m[2].str() : m[1].str();
        };
        ToolPart p;
        const std::string node = field("node");
        p.number = static_cast<unsigned>(std::stoul(node.substr(image.size())));
        p.start = std::stoull(field("start"));
        p.size = std::stoull(field("size"));
        p.type = lower(field("type"));
        p.uuid = lower(field("uuid"));
        p.name = field("name");
        p.bootable = field("bootable") == "true";
        parts.push_back(p);
        pos = end;
    }
    return parts;
}

void expect_agrees(const Read& r, const std::vector<ToolPart>& tool, fs::TableKind kind) {
    ASSERT_TRUE(r.status.ok()) << r.status.error().message();
    EXPECT_EQ(r.table->kind, kind);
    EXPECT_EQ(r.warnings(), "");
    ASSERT_EQ(r.table->count, tool.size());
    for (const ToolPart& t : tool) {
        SCOPED_TRACE("partition " + std::to_string(t.number));
        const Partition& p = r.part(t.number);
        EXPECT_EQ(p.first_block, t.start);
        EXPECT_EQ(p.block_count, t.size);
        if (kind == fs::TableKind::dos) {
            char type[4];
            std::snprintf(type, sizeof type, "%x", p.mbr_type);
            EXPECT_EQ(type, t.type);
            EXPECT_EQ(p.bootable, t.bootable);
        } else {
            EXPECT_EQ(guid_text(p.type_guid), t.type);
            EXPECT_EQ(guid_text(p.uuid), t.uuid);
            EXPECT_EQ(p.name, t.name);
        }
    }
}

TEST(RealTools, SfdiskDosWithLogicalPartitions) {
    const std::string sfdisk = find_tool("sfdisk");
    if (sfdisk.empty()) GTEST_SKIP() << "sfdisk not installed";
    TempDir dir;
    const std::string img = dir.file("dos.img", 32 << 20);
    run("printf 'label: dos\\nlabel-id: 0x1234abcd\\nunit: sectors\\n\\n"
        "start=2048, size=4096, type=c, bootable\\n"
        "start=6144, size=8192, type=83\\n"
        "start=14336, size=40000, type=5\\n"
        "start=16384, size=4096, type=83\\n"
        "start=22528, size=4096, type=82\\n"
        "start=28672, size=2048, type=8e\\n' | " +
        sfdisk + " -q " + img);
    MemBlockDevice disk = MemBlockDevice::from_image("img", 512, sim::read_file(img));
    Read r = read(disk);
    std::vector<ToolPart> tool = sfdisk_json(sfdisk, img);
    ASSERT_EQ(tool.size(), 6u);
    expect_agrees(r, tool, fs::TableKind::dos);
    EXPECT_EQ(r.table->disk_signature, 0x1234abcdu);
    EXPECT_TRUE(r.part(3).extended);
    EXPECT_EQ(r.part(7).first_block, 28672u);
}

TEST(RealTools, SgdiskGpt) {
    const std::string sgdisk = find_tool("sgdisk");
    const std::string sfdisk = find_tool("sfdisk");
    if (sgdisk.empty() || sfdisk.empty()) GTEST_SKIP() << "sgdisk/sfdisk not installed";
    TempDir dir;
    const std::string img = dir.file("gpt.img", 16 << 20);
    run(sgdisk +
        " -o -U 0a0b0c0d-1122-4344-8586-a7a8a9aaabac"
        " -n 1:2048:+1M -t 1:ef00 -c 1:'EFI system' -A 1:set:2"
        " -n 2:0:+4M -t 2:8300 -c 2:'r\xc3\xb6\xc3\xb6t \xe2\x9c\x93'"
        " -n 5:0:+1M -t 5:8200 -c 5:swap " +
        img);
    MemBlockDevice disk = MemBlockDevice::from_image("img", 512, sim::read_file(img));
    Read r = read(disk);
    std::vector<ToolPart> tool = sfdisk_json(sfdisk, img);
    ASSERT_EQ(tool.size(), 3u);
    expect_agrees(r, tool, fs::TableKind::efi);
    EXPECT_TRUE(r.part(1).bootable);
    EXPECT_EQ(guid_text(r.table->disk_guid), "0a0b0c0d-1122-4344-8586-a7a8a9aaabac");

    // `sgdisk -p`: number, first and last sector, name.
    const std::string listing = run(sgdisk + " -p " + img);
    const std::regex row(R"(^\s+(\d+)\s+(\d+)\s+(\d+)\s+\S+ \S+\s+[0-9A-F]{4}\s+(.*)$)");
    unsigned rows = 0;
    std::istringstream lines(listing);
    for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (!std::regex_match(line, m, row)) continue;
        ++rows;
        const Partition& p = r.part(static_cast<unsigned>(std::stoul(m[1])));
        EXPECT_EQ(p.first_block, std::stoull(m[2]));
        EXPECT_EQ(p.last_block(), std::stoull(m[3]));
        EXPECT_EQ(p.name, m[4].str());
    }
    EXPECT_EQ(rows, 3u) << listing;

    // With the primary header wiped the backup gives the same table.
    std::vector<std::uint8_t> bytes = sim::read_file(img);
    std::fill(bytes.begin() + 512, bytes.begin() + 1024, 0);
    MemBlockDevice damaged = MemBlockDevice::from_image("img", 512, bytes);
    Read fallback = read(damaged);
    ASSERT_TRUE(fallback.status.ok());
    EXPECT_EQ(fallback.table->header_block, damaged.block_count() - 1);
    EXPECT_EQ(fallback.table->warnings.count, 1u);
    fallback.table->warnings.count = 0;
    expect_agrees(fallback, tool, fs::TableKind::efi);
}

// One row of `fdisk -l -o ...`, whitespace-separated after the device name.
std::vector<std::vector<std::string>> fdisk_rows(const std::string& listing, const std::string& image) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream lines(listing);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(image, 0) != 0) continue;
        std::istringstream words(line.substr(image.size()));
        std::vector<std::string> row;
        for (std::string w; words >> w;) row.push_back(w);
        rows.push_back(row);
    }
    return rows;
}

TEST(RealTools, FdiskFourKiBSectors) {
    const std::string fdisk = find_tool("fdisk");
    if (fdisk.empty()) GTEST_SKIP() << "fdisk not installed";
    TempDir dir;
    // GPT: two Linux partitions of 1 MiB and 2 MiB.
    const std::string gpt = dir.file("gpt4k.img", 8 << 20);
    run("printf 'g\\nn\\n1\\n\\n+1M\\nn\\n2\\n\\n+2M\\nw\\n' | " + fdisk + " -b 4096 " + gpt + " >/dev/null");
    MemBlockDevice gdisk = MemBlockDevice::from_image("img", 4096, sim::read_file(gpt));
    Read r = read(gdisk);
    ASSERT_TRUE(r.status.ok()) << r.status.error().message();
    EXPECT_EQ(r.table->kind, fs::TableKind::efi);
    auto rows = fdisk_rows(run(fdisk + " -b 4096 -l -o Device,Start,End,Sectors,Type-UUID,UUID " + gpt), gpt);
    ASSERT_EQ(rows.size(), 2u);
    ASSERT_EQ(r.table->count, 2u);
    for (const auto& row : rows) {
        ASSERT_EQ(row.size(), 6u);
        const Partition& p = r.part(static_cast<unsigned>(std::stoul(row[0])));
        EXPECT_EQ(p.first_block, std::stoull(row[1]));
        EXPECT_EQ(p.last_block(), std::stoull(row[2]));
        EXPECT_EQ(p.block_count, std::stoull(row[3]));
        EXPECT_EQ(guid_text(p.type_guid), lower(row[4]));
        EXPECT_EQ(guid_text(p.uuid), lower(row[5]));
    }

    // DOS: a bootable primary, an extended partition with two logical ones.
    const std::string dos = dir.file("dos4k.img", 8 << 20);
    run("printf 'o\\nn\\np\\n1\\n\\n+1M\\na\\nn\\ne\\n2\\n\\n\\nn\\n\\n+512K\\nn\\n\\n+512K\\nw\\n' | " + fdisk +
        " -b 4096 " + dos + " >/dev/null");
    MemBlockDevice ddisk = MemBlockDevice::from_image("img", 4096, sim::read_file(dos));
    r = read(ddisk);
    ASSERT_TRUE(r.status.ok()) << r.status.error().message();
    EXPECT_EQ(r.table->kind, fs::TableKind::dos);
    rows = fdisk_rows(run(fdisk + " -b 4096 -l -o Device,Start,End,Sectors,Id,Boot " + dos), dos);
    ASSERT_EQ(rows.size(), 4u);
    ASSERT_EQ(r.table->count, 4u);
    for (const auto& row : rows) {
        ASSERT_GE(row.size(), 5u);
        const Partition& p = r.part(static_cast<unsigned>(std::stoul(row[0])));
        EXPECT_EQ(p.first_block, std::stoull(row[1]));
        EXPECT_EQ(p.last_block(), std::stoull(row[2]));
        EXPECT_EQ(p.block_count, std::stoull(row[3]));
        EXPECT_EQ(p.mbr_type, std::stoul(row[4], nullptr, 16));
        EXPECT_EQ(p.bootable, row.size() == 6 && row[5] == "*");
    }
}

}  // namespace
