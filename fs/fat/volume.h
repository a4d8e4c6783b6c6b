// What the parts of a mounted FAT volume share: its layout, byte reads, and
// the FAT. Lives inside the heap-allocated filesystem object and never moves
// (the FAT cache refers to the other two).
#pragma once

#include "fs/fat/boot_sector.h"
#include "fs/fat/fat_table.h"
#include "fs/fat/volume_reader.h"

namespace xb::fs::fat {

struct Volume {
    Volume(BlockDevice& dev, const Geometry& geometry) : geo(geometry), reader(dev), fat(reader, geo) {}
    Volume(const Volume&) = delete;
    Volume& operator=(const Volume&) = delete;

    Geometry geo;
    VolumeReader reader;
    FatTable fat;
};

}  // namespace xb::fs::fat
