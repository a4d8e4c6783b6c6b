#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "drivers/xen/grant_table.h"
#include "drivers/xen/hypercall.h"
#include "tests/sim/guest_ram.h"
#include "tests/sim/sim_xen.h"

namespace {

using namespace xb;

constexpr Range kWindow{0x38000000, 0x1000000};

struct GrantRig : ::testing::Test {
    sim::SimXen xen;
    xen::GrantTable gnt;
    void SetUp() override { sim::GuestRam::get().reset(); }
};

TEST_F(GrantRig, MapsFramesIntoTheWindowAndGrants) {
    ASSERT_TRUE(gnt.init(xen, kWindow, 4, sim::GuestRam::get().heap()).ok());
    EXPECT_EQ(gnt.frames(), 4u);
    EXPECT_EQ(xen.grant_frames_mapped(), 4u);
    EXPECT_EQ(gnt.capacity(), 4u * 512 - 8);
    auto* page = sim::GuestRam::get().heap().alloc(4096, 4096);
    auto ref = gnt.grant(DomId(0), xen.gfn_of(page), false);
    ASSERT_TRUE(ref.ok());
    EXPECT_GE(ref.value().value(), 8u);  // reserved entries untouched
    const xen::GrantEntryV1* e = xen.grant_entry(ref.value().value());
    EXPECT_EQ(e->flags, xen::kGtfPermitAccess);
    EXPECT_EQ(e->frame, reinterpret_cast<std::uintptr_t>(page) >> 12);
    // The backend sees exactly that page.
    EXPECT_EQ(xen.map_grant(ref.value().value(), 0, true), page);
    xen.unmap_grant(ref.value().value(), true);
    EXPECT_EQ(xen.map_grant(ref.value().value(), 5, false), nullptr);  // another domain: refused
    ASSERT_TRUE(gnt.end(ref.value()).ok());
    EXPECT_EQ(e->flags, 0);
    EXPECT_EQ(xen.map_grant(ref.value().value(), 0, false), nullptr);  // access ended
}

TEST_F(GrantRig, ReadonlyGrantRefusesWrites) {
    ASSERT_TRUE(gnt.init(xen, kWindow, 1, sim::GuestRam::get().heap()).ok());
    auto* page = sim::GuestRam::get().heap().alloc(4096, 4096);
    auto ref = gnt.grant(DomId(0), xen.gfn_of(page), true).value();
    EXPECT_EQ(xen.map_grant(ref.value(), 0, true), nullptr);
    EXPECT_EQ(xen.map_grant(ref.value(), 0, false), page);
}

TEST_F(GrantRig, EndingAGrantStillInUseFailsAndLeaksTheRef) {
    ASSERT_TRUE(gnt.init(xen, kWindow, 1, sim::GuestRam::get().heap()).ok());
    auto* page = sim::GuestRam::get().heap().alloc(4096, 4096);
    auto ref = gnt.grant(DomId(0), xen.gfn_of(page), false).value();
    ASSERT_NE(xen.map_grant(ref.value(), 0, true), nullptr);
    unsigned used = gnt.in_use();
    Status s = gnt.end(ref);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Errc::busy);
    EXPECT_NE(std::string(s.error().message()).find("still written by domain 0"), std::string::npos);
    EXPECT_EQ(gnt.in_use(), used);  // not handed out again
    xen.unmap_grant(ref.value(), true);
    EXPECT_TRUE(gnt.end(ref).ok());
}

TEST_F(GrantRig, ExhaustionAndCaps) {
    xen.set_max_grant_frames(2);
    ASSERT_TRUE(gnt.init(xen, kWindow, 32, sim::GuestRam::get().heap()).ok());
    EXPECT_EQ(gnt.frames(), 2u);  // capped by query_size
    auto* page = sim::GuestRam::get().heap().alloc(4096, 4096);
    std::set<std::uint32_t> refs;
    for (unsigned i = 0; i < gnt.capacity(); ++i) {
        auto r = gnt.grant(DomId(0), xen.gfn_of(page), true);
        ASSERT_TRUE(r.ok());
        EXPECT_TRUE(refs.insert(r.value().value()).second);  // never the same ref twice
    }
    auto none = gnt.grant(DomId(0), xen.gfn_of(page), true);
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().code(), Errc::no_space);
    EXPECT_FALSE(gnt.end(GrantRef(3)).ok());      // reserved
    EXPECT_FALSE(gnt.end(GrantRef(99999)).ok());  // out of range
}

TEST_F(GrantRig, EndingTwiceIsRefusedAndNeverFreesTheRefTwice) {
    ASSERT_TRUE(gnt.init(xen, kWindow, 1, sim::GuestRam::get().heap()).ok());
    auto* page = sim::GuestRam::get().heap().alloc(4096, 4096);
    auto ref = gnt.grant(DomId(0), xen.gfn_of(page), false).value();
    ASSERT_TRUE(gnt.end(ref).ok());
    unsigned used = gnt.in_use();
    Status again = gnt.end(ref);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code(), Errc::invalid_argument);
    EXPECT_NE(std::string(again.error().message()).find("not in use"), std::string::npos) << again.error().message();
    EXPECT_EQ(gnt.in_use(), used);
    // Had the reference gone on the free list twice, two grants would share it.
    auto a = gnt.grant(DomId(0), xen.gfn_of(page), false).value();
    auto b = gnt.grant(DomId(0), xen.gfn_of(page), false).value();
    EXPECT_NE(a.value(), b.value());
    EXPECT_FALSE(gnt.end(GrantRef(gnt.frames() * 512 - 1)).ok());  // the last reference: never granted at all
}

TEST_F(GrantRig, FailedFrameMappingRemovesTheFramesAlreadyMapped) {
    // Frame 2 is mapped elsewhere already: Xen 4.17 refuses a second mapping.
    ASSERT_TRUE(xen::add_to_physmap(xen, xen::kMapspaceGrantTable, 2, Gfn(0x50000)).ok());
    Status s = gnt.init(xen, kWindow, 4, sim::GuestRam::get().heap());
    ASSERT_FALSE(s.ok());
    EXPECT_NE(std::string(s.error().message()).find("mapping grant frame 2 of 4"), std::string::npos)
        << s.error().message();
    EXPECT_EQ(xen.grant_frames_mapped(), 1u);  // frames 0 and 1 were removed again; only the foreign one is left
    EXPECT_FALSE(gnt.ready());
}

TEST_F(GrantRig, UnmapRemovesEveryFrameForTheNextKernel) {
    ASSERT_TRUE(gnt.init(xen, kWindow, 3, sim::GuestRam::get().heap()).ok());
    ASSERT_TRUE(gnt.unmap(xen).ok());
    EXPECT_EQ(xen.grant_frames_mapped(), 0u);
    xen::GrantTable next;  // as the next kernel would
    EXPECT_TRUE(next.init(xen, kWindow, 3, sim::GuestRam::get().heap()).ok());
}

TEST_F(GrantRig, QuerySizeFailureIsReported) {
    xen.inject_error(xen::Hypercall::grant_table_op, xen::kGnttabopQuerySize, xen::kEPERM);
    Status s = gnt.init(xen, kWindow, 1, sim::GuestRam::get().heap());
    ASSERT_FALSE(s.ok());
    EXPECT_NE(std::string(s.error().message()).find("query_size: EPERM"), std::string::npos);
}

}  // namespace
