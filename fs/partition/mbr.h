// DOS/MBR partition tables: the MBR in block 0 and the chains of EBRs inside
// extended partitions. Layout (the IBM PC MBR, also UEFI 2.x section 5.2.1):
// disk signature at byte 440, four 16-byte entries at 446 (boot flag, CHS,
// type, CHS, first LBA u32, block count u32), 0x55 0xaa at 510.
#pragma once

#include <cstdint>

#include "fs/partition/partition_table.h"

namespace xb::fs::detail {

bool mbr_has_signature(const std::uint8_t* block0);
// An entry of type 0xee: the disk is GPT (UEFI 2.x section 5.2.3, protective MBR).
bool mbr_is_protective(const std::uint8_t* block0);

// Reads the partitions of the MBR `block0` (signature already checked).
Status read_mbr(BlockDevice& disk, const std::uint8_t* block0, PartitionTable& out);

}  // namespace xb::fs::detail
