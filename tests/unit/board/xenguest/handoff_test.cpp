// XenguestHandoff on the simulated Xen: release_xen closes a connected PV
// disk with the reset dance, ends every grant, takes the grant frames and
// shared_info out of the physmap and resets XenStore; enter_kernel passes the
// RAM banks on. A backend that never answers costs a bounded wait, never a
// hang; one that still maps a page after the disks are closed stops the
// hand-off with nothing given up, and a later hand-off goes through.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "arch/host/virtual_clock.h"
#include "board/xenguest/handoff.h"
#include "drivers/pvblock/pvblock_bus.h"
#include "drivers/xen/shared_info.h"
#include "tests/sim/fakes.h"
#include "tests/sim/guest_ram.h"
#include "tests/sim/random_bytes.h"
#include "tests/sim/sim_vbd.h"

namespace {

using namespace xb;

struct Entered {
    int calls = 0;
    std::uint64_t entry = 0, dtb = 0;
    Range ram0{}, ram1{};
};
Entered g_entered;

void record_enter(std::uint64_t entry, std::uint64_t dtb, Range ram0, Range ram1) {
    ++g_entered.calls;
    g_entered.entry = entry;
    g_entered.dtb = dtb;
    g_entered.ram0 = ram0;
    g_entered.ram1 = ram1;
}

// A guest as board init leaves it, with one connected PV disk (1 MiB).
struct HandoffGuest : sim::SimGuest {
    sim::SimXenstore& xs = *daemon;
    xen::SharedInfoMapping& si = mapping;
    pvblock::BlkfrontDevice::Env env = blkfront_env();
    pvblock::PvBlockBus bus;
    MemoryMap memory;
    sim::SimVbd* vbd = vbds.at(0).get();

    explicit HandoffGuest(sim::SimVbd::Options options = {})
        : SimGuest(Options{}
                       .with_fresh_ram()
                       .with_xenstore(xen::XenStore::Config{1000})
                       .with_grant_table()
                       .with_disk(sim::random_bytes(1u << 20, 4), options)) {
        g_entered = {};
        pvblock::BlkfrontOptions o;
        o.connect_timeout_ms = 300;
        o.stall_timeout_ms = 300;
        EXPECT_TRUE(bus.probe(env, o, console.get()).ok());
        bus.settle_all();  // a disk in use (probe only starts the handshake)
        memory.add_ram({0x40000000, 256u << 20});
        memory.add_ram({0x200000000, 1u << 30});
    }
    board::HandoffParts parts() {
        return board::HandoffParts{xen, events, si, &grants, store.get(), &bus, *console, memory, &record_enter};
    }
    std::string log() {
        console->flush();
        return backend.take_output();
    }
};

TEST(Handoff, ReleasesEveryXenResource) {
    HandoffGuest g;
    ASSERT_EQ(g.bus.count(), 1u);
    // Read something so the ring and the persistent grants are in use.
    auto* buf = static_cast<std::uint8_t*>(g.heap.alloc(64 * 1024, 4096));
    ASSERT_TRUE(g.bus.disk(0).read(0, 128, buf).ok());
    ASSERT_GT(g.grants.in_use(), 0u);
    ASSERT_GT(g.xen.grant_frames_mapped(), 0u);
    ASSERT_TRUE(g.events.has_shared_info());
    const unsigned reconnects_before = g.xs.reconnects();

    board::XenguestHandoff h(g.parts());
    const Result<unsigned> warnings = h.release_xen(*g.console);
    ASSERT_TRUE(warnings.ok()) << warnings.error().message();
    EXPECT_EQ(warnings.value(), 0u) << g.log();
    EXPECT_TRUE(h.released());
    // The frontend went Closing -> Closed -> Initialising, blkback answering
    // each step and ending in InitWait for the kernel's blkfront.
    EXPECT_EQ(g.vbd->state_log(), (std::vector<std::string>{"3", "4", "5", "6", "1"}));
    EXPECT_EQ(g.xs.get(g.vbd->backend() + "/state"), "2");
    EXPECT_FALSE(g.xs.exists(g.vbd->frontend() + "/ring-ref0"));
    EXPECT_FALSE(g.xs.exists(g.vbd->frontend() + "/event-channel"));
    EXPECT_EQ(g.grants.in_use(), 0u);
    // Grant frames and shared_info are out of the physmap.
    EXPECT_EQ(g.xen.grant_frames_mapped(), 0u);
    EXPECT_FALSE(g.xen.shared_info_gfn().has_value());
    EXPECT_FALSE(g.si.mapped());
    EXPECT_FALSE(g.events.has_shared_info());
    // XenStore was reset (the ring reconnection handshake).
    EXPECT_EQ(g.xs.reconnects(), reconnects_before + 1);
    // shared_info can be mapped again (what Linux does first).
    xen::SharedInfoMapping again;
    EXPECT_TRUE(again.map(g.xen, Gfn(0x38ffe)).ok());
    // A second release does nothing.
    EXPECT_EQ(h.release_xen(*g.console).value(), 0u);
    EXPECT_EQ(g.vbd->state_log().size(), 5u);
}

TEST(Handoff, EnterKernelPassesTheRamBanks) {
    HandoffGuest g;
    board::XenguestHandoff h(g.parts());
    ASSERT_TRUE(h.release_xen(*g.console).ok());
    h.enter_kernel(0x40200000, 0x4f000000);
    EXPECT_EQ(g_entered.calls, 1);
    EXPECT_EQ(g_entered.entry, 0x40200000u);
    EXPECT_EQ(g_entered.dtb, 0x4f000000u);
    EXPECT_EQ(g_entered.ram0.base, 0x40000000u);
    EXPECT_EQ(g_entered.ram0.size, 256u << 20);
    EXPECT_EQ(g_entered.ram1.base, 0x200000000u);
    EXPECT_EQ(g_entered.ram1.size, 1u << 30);
}

TEST(Handoff, ABackendThatNeverAnswersCostsABoundedWaitNotAHang) {
    sim::SimVbd::Options o;
    o.never_close = true;
    HandoffGuest g(o);
    ASSERT_EQ(g.bus.count(), 1u);
    board::XenguestHandoff h(g.parts());
    const std::uint64_t t0 = arch::virtual_clock::now();  // the host's generic timer, which the deadlines use
    const Result<unsigned> released = h.release_xen(*g.console);
    const std::uint64_t ms = arch::ticks_to_ms(arch::virtual_clock::now() - t0);
    const std::string log = g.log();
    EXPECT_NE(log.find("xenboot: warning: hand-off: closing PV disks: "), std::string::npos) << log;
    EXPECT_LT(ms, 3000u);
    EXPECT_EQ(g.vbd->state_log().back(), "5");  // Closing, then nothing more was possible
    // It never said Closed, so it still maps the ring (and the persistent
    // pool): the kernel must not get those pages, and booting stops.
    ASSERT_FALSE(released.ok());
    EXPECT_NE(std::string(released.error().message()).find("hand-off refused: "), std::string::npos)
        << released.error().message();
    EXPECT_GT(g.xen.grant_frames_mapped(), 0u);
    EXPECT_TRUE(g.xen.shared_info_gfn().has_value());
    EXPECT_FALSE(h.released());
}

// The fault: blkback answers Closed but keeps the ring and the persistent
// pool mapped until it lets go. Before the fix the hand-off warned and
// started the kernel anyway, with grant frames gone and the pages shared.
TEST(Handoff, AGrantStillMappedAfterClosedStopsTheHandoffUntilTheBackendLetsGo) {
    HandoffGuest g;
    ASSERT_EQ(g.bus.count(), 1u);
    auto* buf = static_cast<std::uint8_t*>(g.heap.alloc(64 * 1024, 4096));
    ASSERT_TRUE(g.bus.disk(0).read(0, 128, buf).ok());
    g.vbd->blkback().set_linger(true);
    const unsigned frames = g.xen.grant_frames_mapped();
    const unsigned reconnects_before = g.xs.reconnects();

    board::XenguestHandoff h(g.parts());
    const Result<unsigned> refused = h.release_xen(*g.console);
    ASSERT_FALSE(refused.ok());
    const std::string m = refused.error().message();
    const unsigned held = g.grants.in_use();
    ASSERT_GT(held, 0u);
    // How many and whose, and what to do.
    EXPECT_NE(m.find("hand-off refused: " + std::to_string(held) +
                     " grant references still in use (vbd 51712: " + std::to_string(held) + ")"),
              std::string::npos)
        << m;
    const std::string log = g.log();
    EXPECT_NE(log.find("xenboot: a backend still maps pages the kernel would get: the kernel was not started.\r\n"
                       "xenboot: boot again once it lets go; `pvblock reconnect` connects the disks again.\r\n"),
              std::string::npos)
        << log;
    EXPECT_EQ(g.grants.quarantine().held(), held);
    // Nothing irreversible happened: frames, shared_info, event channels and
    // XenStore are as they were, so the shell (and the console) go on.
    EXPECT_FALSE(h.released());
    EXPECT_EQ(g.xen.grant_frames_mapped(), frames);
    EXPECT_TRUE(g.xen.shared_info_gfn().has_value());
    EXPECT_TRUE(g.si.mapped());
    EXPECT_TRUE(g.events.has_shared_info());
    EXPECT_EQ(g.xs.reconnects(), reconnects_before);
    // The disk was closed: a read says how to get it back.
    Status r = g.bus.disk(0).read(0, 8, buf);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(std::string(r.error().message()).find("`pvblock reconnect` connects it again"), std::string::npos)
        << r.error().message();

    // Still held: refused again.
    EXPECT_FALSE(h.release_xen(*g.console).ok());
    // The backend lets go: the next hand-off ends the held grants and goes through.
    g.vbd->blkback().let_go();
    const Result<unsigned> released = h.release_xen(*g.console);
    ASSERT_TRUE(released.ok()) << released.error().message();
    EXPECT_EQ(released.value(), 0u) << g.log();
    EXPECT_TRUE(h.released());
    EXPECT_EQ(g.grants.in_use(), 0u);
    EXPECT_EQ(g.grants.quarantine().held(), 0u);
    EXPECT_EQ(g.xen.grant_frames_mapped(), 0u);
    EXPECT_FALSE(g.xen.shared_info_gfn().has_value());
    EXPECT_EQ(g.xs.reconnects(), reconnects_before + 1);
}

// After a refused hand-off, `pvblock reconnect` (PvBlockBus::reconnect_all)
// brings the disk back while the old pages stay held.
TEST(Handoff, DisksReconnectAfterARefusedHandoff) {
    HandoffGuest g;
    g.vbd->blkback().set_linger(true);
    board::XenguestHandoff h(g.parts());
    ASSERT_FALSE(h.release_xen(*g.console).ok());
    const unsigned held = g.grants.quarantine().held();
    ASSERT_GT(held, 0u);
    g.vbd->blkback().set_linger(false);
    pvblock::BlkfrontOptions o;
    o.connect_timeout_ms = 300;
    o.stall_timeout_ms = 300;
    Status s = g.bus.reconnect_all(o, g.console.get());
    ASSERT_TRUE(s.ok()) << s.error().message();
    EXPECT_EQ(g.grants.quarantine().held(), held);  // the backend has not let go of the old ones yet
    auto* buf = static_cast<std::uint8_t*>(g.heap.alloc(64 * 1024, 4096));
    ASSERT_TRUE(g.bus.disk(0).read(0, 128, buf).ok());
    EXPECT_EQ(std::memcmp(buf, g.vbd->blkback().disk().data(), 64 * 1024), 0);
}

TEST(Handoff, NothingToReleaseIsFine) {
    HandoffGuest g;
    board::HandoffParts p{g.xen, g.events, g.si, nullptr, nullptr, nullptr, *g.console, g.memory, &record_enter};
    board::XenguestHandoff h(p);
    EXPECT_EQ(h.release_xen(*g.console).value(), 0u);
    EXPECT_FALSE(g.xen.shared_info_gfn().has_value());
}

}  // namespace
