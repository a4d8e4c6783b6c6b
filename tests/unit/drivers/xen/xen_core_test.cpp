// Hypercall wrappers, shared_info mapping and polled event channels against
// the simulated Xen.
#include <gtest/gtest.h>

#include <cstring>

#include "arch/arch.h"
#include "drivers/xen/event_channels.h"
#include "drivers/xen/hypercall.h"
#include "drivers/xen/shared_info.h"
#include "drivers/xen/wait.h"
#include "tests/sim/sim_xen.h"

namespace {

using namespace xb;
using sim::SimXen;

TEST(Hypercalls, VersionAndParams) {
    SimXen xen;
    auto v = xen::xen_version(xen);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v.value().major, 4u);
    EXPECT_EQ(v.value().minor, 17u);
    EXPECT_STREQ(v.value().extra, ".7-sim");
    xen.set_param(xen::HvmParam::console_pfn, 0x39000);
    EXPECT_EQ(xen::hvm_get_param(xen, xen::HvmParam::console_pfn).value(), 0x39000u);
    auto missing = xen::hvm_get_param(xen, xen::HvmParam::store_pfn);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().xen_errno(), xen::kEINVAL);
    EXPECT_STREQ(missing.error().message(), "hvm_op get_param 1: EINVAL");
}

TEST(Hypercalls, InjectedFaultsSurfaceWithErrno) {
    SimXen xen;
    xen.inject_error(xen::Hypercall::xen_version, xen::kXenverVersion, xen::kEPERM);
    auto v = xen::xen_version(xen);
    ASSERT_FALSE(v.ok());
    EXPECT_STREQ(v.error().message(), "xen_version: EPERM");
    EXPECT_TRUE(xen::xen_version(xen).ok());  // only once
}

TEST(SharedInfo, MapsOnceAndUnmaps) {
    SimXen xen;
    xen::SharedInfoMapping m;
    auto si = m.map(xen, Gfn(0x38fff));
    ASSERT_TRUE(si.ok());
    EXPECT_EQ(si.value(), &xen.shared_info());
    // A second mapping while the first stands: refused locally...
    EXPECT_EQ(m.map(xen, Gfn(0x38ffe)).error().code(), Errc::busy);
    // ...and by Xen >= 4.17 for anyone else.
    xen::SharedInfoMapping other;
    auto again = other.map(xen, Gfn(0x38ffe));
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().xen_errno(), xen::kEBUSY);
    EXPECT_NE(std::string(again.error().message()).find("mapping shared_info"), std::string::npos);
    ASSERT_TRUE(m.unmap(xen).ok());
    EXPECT_FALSE(xen.shared_info_gfn().has_value());
    EXPECT_TRUE(other.map(xen, Gfn(0x38ffe)).ok());  // what the next kernel needs
}

TEST(EventChannels, PolledPortsAreMaskedAndConsumed) {
    SimXen xen;
    xen::SharedInfoMapping m;
    auto* si = m.map(xen, Gfn(0x38fff)).value();
    xen.raise(EvtchnPort(2));  // pending before the guest masks it (as at boot)
    EXPECT_EQ(si->vcpu_info[0].evtchn_upcall_pending, 1);
    xen::EventChannels ev(xen, si);
    ASSERT_TRUE(ev.bind_polled(EvtchnPort(2)).ok());
    EXPECT_NE(si->evtchn_mask[0] & 4, 0u);
    EXPECT_FALSE(ev.consume(EvtchnPort(2)));  // bind cleared the stale event
    xen.raise(EvtchnPort(2));
    EXPECT_EQ(si->vcpu_info[0].evtchn_upcall_pending, 0);  // masked: no upcall
    EXPECT_TRUE(ev.consume(EvtchnPort(2)));
    EXPECT_FALSE(ev.consume(EvtchnPort(2)));
    EXPECT_FALSE(ev.bind_polled(EvtchnPort(0)).ok());
    EXPECT_FALSE(ev.bind_polled(EvtchnPort(xen::kEvtchnPorts2L)).ok());
    xen.raise(EvtchnPort(70));
    ev.clear_all_pending();
    EXPECT_EQ(si->evtchn_pending[1], 0u);
    EXPECT_EQ(si->vcpu_info[0].evtchn_pending_sel, 0u);
}

TEST(Wait, TimesOutWithAMessageNamingTheWait) {
    SimXen xen;
    auto start = arch::counter();
    Status s = xen::wait_until(
        xen, Deadline::after_ms(30), [] { return false; }, "backend %s", "vbd/51712");
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Errc::timeout);
    EXPECT_STREQ(s.error().message(), "timed out after 30 ms waiting for backend vbd/51712");
    EXPECT_GE(arch::ticks_to_ms(arch::counter() - start), 30u);
    EXPECT_GT(xen.yields(), 0u);
    int n = 0;
    EXPECT_TRUE(xen::wait_until(
                    xen, Deadline::after_ms(1000), [&] { return ++n == 3; }, "n")
                    .ok());
}

}  // namespace
