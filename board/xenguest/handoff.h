// The xenguest board's hand-off (cmd::Handoff): gives every Xen resource back
// and enters the kernel. The order and the reasons are in docs/architecture.md
// ("Hand-off"); the last instructions are arch/arm64/enter_kernel.S.
#pragma once

#include "bootflow/services.h"
#include "drivers/pvblock/pvblock_bus.h"
#include "drivers/pvnet/pvnet_bus.h"
#include "drivers/xen/event_channels.h"
#include "drivers/xen/grant_table.h"
#include "drivers/xen/shared_info.h"
#include "drivers/xen/xenbus_close.h"
#include "drivers/xen/xenstore.h"
#include "lib/memory_map.h"
#include "net/stack.h"

namespace xb::board {

// Cleans caches, MMU off, jumps (firmware: xenboot_enter_kernel); ram0/ram1
// are the RAM banks to clean (size 0: none).
using EnterKernelFn = void (*)(std::uint64_t entry, std::uint64_t dtb, Range ram0, Range ram1);

struct HandoffParts {
    xen::XenPort& xen;
    xen::EventChannels& events;
    xen::SharedInfoMapping& shared_info;
    xen::GrantTable* grants;   // nullptr: never initialised
    xen::XenStore* store;      // nullptr: no XenStore
    pvblock::PvBlockBus* bus;  // nullptr: no PV disks
    Console& con;
    const MemoryMap& memory;
    EnterKernelFn enter;
    pvnet::PvNetBus* vifs = nullptr;  // nullptr: no PV network interfaces
    net::Stack* stack = nullptr;      // the IP stack over vif 0 (nullptr: none)
};

// Where the last release_xen() spent its time (microseconds), and how many
// XenStore round trips it took; printed as one "xenboot: hand-off:" line.
struct HandoffTimes {
    std::uint64_t us_drain = 0;     // the IP stack down, TX drained on every vif
    std::uint64_t us_dance = 0;     // every device's reset dance, together
    std::uint64_t us_release = 0;   // nodes removed, grants ended, ports closed
    std::uint64_t us_grants = 0;    // the quarantine retried, grants checked
    std::uint64_t us_xenstore = 0;  // XENSTORE_RECONNECT
    std::uint64_t us_unmap = 0;     // pending events cleared, grant frames and shared_info out of the physmap
    std::uint64_t us_total = 0;
    std::uint64_t requests_dance = 0;  // XenStore round trips of the dance
    std::uint64_t requests = 0;        // ... of the whole release (before the XenStore reset)
    unsigned write_batches = 0;
    std::uint64_t us_removing = 0;          // the frontends' nodes removed, inside the dance
    std::uint64_t removals = 0;             // ... how many
    unsigned remove_batches = 0;            // ... in how many pipelined batches
    unsigned devices = 0;                   // disks and vifs that took part in the dance
    std::uint64_t us_slowest_step[3] = {};  // the slowest backend answer to Closing, Closed, Initialising
    // Every device's own answers added up: about what the dances would have
    // cost one after another, beside us_dance from the same run.
    std::uint64_t us_answers_sum = 0;
};

class XenguestHandoff final : public cmd::Handoff {
  public:
    explicit XenguestHandoff(const HandoffParts& parts) : p_(parts) {}
    Result<unsigned> release_xen(Console& log) override;
    void enter_kernel(std::uint64_t entry, std::uint64_t dtb) override;
    bool released() const { return released_; }
    const HandoffTimes& times() const { return times_; }

  private:
    // After the disks are closed: retries the grant quarantine, then fails if
    // any grant is still in use, naming how many and whose (and on `log`,
    // what the user can do).
    Status check_grants(Console& log) const;

    // Closes the disks and vifs, all their reset dances together; the
    // warnings it gave.
    unsigned close_devices(Console& log);
    void print_times(Console& log) const;

    HandoffParts p_;
    HandoffTimes times_{};
    bool released_ = false;
};

}  // namespace xb::board
