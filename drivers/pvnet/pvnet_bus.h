// Every PV network interface of the guest: lists device/vif/* at init and
// reads each one's MAC, WITHOUT connecting (the prompt is not delayed by
// netback), connects a vif on its first use, and closes them all for the
// hand-off. vif N is the N-th by handle (device/vif/<handle>), which is
// U-Boot's eth N: its MAC goes to `ethaddr` (N = 0) or `eth<N>addr`.
#pragma once

#include "drivers/pvnet/netfront.h"
#include "lib/console.h"

namespace xb::pvnet {

class PvNetBus {
  public:
    static constexpr unsigned kMaxVifs = 8;

    // log: where to report vifs that cannot be used (may be nullptr).
    // Returns an error only if the device list itself cannot be read.
    // env must outlive the bus.
    Status probe(const NetFront::Env& env, const NetfrontOptions& options, Console* log);
    unsigned count() const { return count_; }
    NetFront& vif(unsigned i) { return vifs_[i]; }
    const NetFront& vif(unsigned i) const { return vifs_[i]; }
    // The link of vif i, connected (first use: up to the connect timeout per
    // XenBus step, and an error naming the vif and the backend's state).
    Result<net::Link*> open(unsigned i);
    // The clean close of every connected vif, their reset dances run
    // together (xen::close_together); the first error. `stats` (may be
    // nullptr): the dance's figures.
    Status close_all(xen::CloseStats* stats = nullptr);
    // close_all() in two parts, for a hand-off that closes the vifs together
    // with the disks: begin_close() drains each connected vif and puts its
    // part of the dance into `out` (room for count() needed), returning how
    // many; end_close() finishes those vifs with the dance's outcomes (the
    // same parts, in the same order); the first error.
    std::size_t begin_close(std::span<xen::CloseDevice> out);
    Status end_close(std::span<const xen::CloseDevice> parts);

  private:
    NetFront vifs_[kMaxVifs];
    unsigned count_ = 0;
    bool closing_[kMaxVifs] = {};  // in the close begun by begin_close()
    xen::XenStore* store_ = nullptr;
};

}  // namespace xb::pvnet
