// All PV disks of the guest: enumerates device/vbd/* in XenStore, starts each
// one's handshake without waiting for its backend (a disk that cannot even
// start is reported and skipped, never fatal), lets the handshakes go on in
// the background (poll() from the console's idle loop; a disk in use waits
// for its own, advancing the others), and disconnects them all for hand-off.
// Disk N is the N-th by virtual-device number, which is U-Boot's `pvblock N`
// numbering; a disk whose handshake fails later keeps its number and says why
// when used.
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
    // One look at every disk still connecting (never waits for a backend).
    void step_all();
    // Background work for an idle console, in bounded pieces: steps the
    // disks still connecting (stopping after one that moved on: publishing a
    // ring is a XenStore transaction), or else warms part of one connected
    // disk's persistent pool (BlkfrontDevice::warm). True while work is left
    // (call again soon); false once every disk has connected and been
    // warmed, or failed.
    bool poll();
    // Waits for every disk's handshake (each within its deadline).
    void settle_all();
    // Disconnects every disk, running their reset dances together
    // (xen::close_together); the first error. `stats` (may be nullptr): the dance's figures.
    Status disconnect_all(xen::CloseStats* stats = nullptr);
    // disconnect_all() in two parts, for a hand-off that closes the disks
    // together with the vifs: begin_close() puts the part of each disk that
    // has something for blkback to let go of into `out` (room for count()
    // needed) and returns how many; end_close() finishes those disks with the
    // dance's outcomes (the same parts, in the same order); the first error.
    std::size_t begin_close(std::span<xen::CloseDevice> out);
    Status end_close(std::span<const xen::CloseDevice> parts);
    // Disconnects every disk (the full reset dance) and connects it again with
    // other options, e.g. without indirect descriptors for a comparison.
    Status reconnect_all(const BlkfrontOptions& options, Console* log);

    unsigned count() const { return count_; }
    BlkfrontDevice& disk(unsigned i) { return disks_[i]; }

  private:
    const BlkfrontDevice::Env* env_ = nullptr;
    BlkfrontDevice disks_[kMaxDisks];
    unsigned count_ = 0;
    bool closing_[kMaxDisks] = {};  // in the close begun by begin_close()
};

}  // namespace xb::pvblock
