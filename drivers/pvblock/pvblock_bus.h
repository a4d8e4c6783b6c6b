// All PV disks of the guest: enumerates device/vbd/* in XenStore, connects each
// (a disk that fails is reported and skipped, never fatal), and disconnects
// them all for hand-off. Disk N is the N-th by virtual-device number, which is
// U-Boot's `pvblock N` numbering.
#pragma once

#include "drivers/pvblock/blkfront.h"
#include "lib/console.h"

namespace xb::pvblock {

class PvBlockBus {
  public:
    static constexpr unsigned kMaxDisks = 16;

    // log: where to report disks that could not be connected (may be nullptr).
    // Returns an error only if the device list itself cannot be read.
    // env must outlive the bus.
    Status probe(const BlkfrontDevice::Env& env, const BlkfrontOptions& options, Console* log);
    Status disconnect_all();
    // Disconnects every disk (the full reset dance) and connects it again with
    // other options, e.g. without indirect descriptors for a comparison.
    Status reconnect_all(const BlkfrontOptions& options, Console* log);

    unsigned count() const { return count_; }
    BlkfrontDevice& disk(unsigned i) { return disks_[i]; }

  private:
    const BlkfrontDevice::Env* env_ = nullptr;
    BlkfrontDevice disks_[kMaxDisks];
    unsigned count_ = 0;
};

}  // namespace xb::pvblock
