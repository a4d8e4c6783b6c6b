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

class XenguestHandoff final : public cmd::Handoff {
  public:
    explicit XenguestHandoff(const HandoffParts& parts) : p_(parts) {}
    Result<unsigned> release_xen(Console& log) override;
    void enter_kernel(std::uint64_t entry, std::uint64_t dtb) override;
    bool released() const { return released_; }

  private:
    // After the disks are closed: retries the grant quarantine, then fails if
    // any grant is still in use, naming how many and whose (and on `log`,
    // what the user can do).
    Status check_grants(Console& log) const;

    HandoffParts p_;
    bool released_ = false;
};

}  // namespace xb::board
