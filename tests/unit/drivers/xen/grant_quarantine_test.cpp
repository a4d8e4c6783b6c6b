// The grant quarantine: a grant the backend still maps is held with its page,
// which goes back to the heap only once retry() has ended every grant to it.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "drivers/xen/grant_table.h"
#include "tests/sim/guest_ram.h"
#include "tests/sim/sim_xen.h"

namespace {

using namespace xb;

constexpr Range kWindow{0x38000000, 0x1000000};

struct QuarantineRig : ::testing::Test {
    sim::SimXen xen;
    xen::GrantTable gnt;
    Heap& heap = sim::GuestRam::get().heap();
    void SetUp() override {
        sim::GuestRam::get().reset();
        ASSERT_TRUE(gnt.init(xen, kWindow, 1, heap).ok());
    }
    // A block of `pages` pages, each granted writable to domain 0.
    std::uint8_t* granted_block(unsigned pages, std::vector<GrantRef>& refs) {
        auto* block = static_cast<std::uint8_t*>(heap.alloc(pages * 4096u, 4096));
        for (unsigned i = 0; i < pages; ++i)
            refs.push_back(gnt.grant(DomId(0), xen.gfn_of(block + i * 4096u), false).value());
        return block;
    }
};

TEST_F(QuarantineRig, AllEndedFreesTheBlockAtOnce) {
    std::vector<GrantRef> refs;
    std::uint8_t* block = granted_block(3, refs);
    const std::size_t in_use = heap.stats().in_use;
    Status first = ok();
    EXPECT_TRUE(gnt.quarantine().end_or_hold(gnt, refs, block, &heap, "vbd 1", first));
    EXPECT_TRUE(first.ok());
    EXPECT_LT(heap.stats().in_use, in_use);
    EXPECT_EQ(gnt.in_use(), 0u);
    EXPECT_EQ(gnt.quarantine().held(), 0u);
}

TEST_F(QuarantineRig, AMappedGrantKeepsItsBlockUntilRetryEndsIt) {
    std::vector<GrantRef> refs;
    std::uint8_t* block = granted_block(3, refs);
    ASSERT_NE(xen.map_grant(refs[1].value(), 0, true), nullptr);  // the backend still writes page 1
    const std::size_t in_use = heap.stats().in_use;
    Status first = ok();
    EXPECT_FALSE(gnt.quarantine().end_or_hold(gnt, refs, block, &heap, "vbd 51712", first));
    ASSERT_FALSE(first.ok());
    EXPECT_EQ(first.error().code(), Errc::busy);
    EXPECT_EQ(gnt.quarantine().held(), 1u);
    EXPECT_EQ(gnt.in_use(), 1u);             // the others ended
    EXPECT_EQ(heap.stats().in_use, in_use);  // the block is not back in the heap
    char what[64];
    gnt.quarantine().describe(what, sizeof what);
    EXPECT_STREQ(what, "vbd 51712: 1");
    // Nothing the heap hands out now overlaps the held block.
    for (int i = 0; i < 8; ++i) {
        auto* p = static_cast<std::uint8_t*>(heap.alloc(4096, 4096));
        EXPECT_TRUE(p + 4096 <= block || p >= block + 3 * 4096);
    }
    EXPECT_EQ(gnt.quarantine().retry(gnt), 1u);  // still mapped
    xen.unmap_grant(refs[1].value(), true);
    const std::size_t before = heap.stats().in_use;
    EXPECT_EQ(gnt.quarantine().retry(gnt), 0u);
    EXPECT_EQ(gnt.in_use(), 0u);
    EXPECT_LE(heap.stats().in_use + 3 * 4096u, before);  // the block went back
}

TEST_F(QuarantineRig, CallerMemoryIsHeldButNeverFreedAndOwnersAreNamed) {
    std::vector<GrantRef> a, b;
    std::uint8_t* mine = granted_block(2, a);
    granted_block(1, b);
    for (GrantRef r : a) ASSERT_NE(xen.map_grant(r.value(), 0, false), nullptr);
    ASSERT_NE(xen.map_grant(b[0].value(), 0, false), nullptr);
    Status first = ok();
    // Two calls for one owner's caller memory share one entry.
    EXPECT_FALSE(
        gnt.quarantine().end_or_hold(gnt, std::span<const GrantRef>(&a[0], 1), nullptr, &heap, "vbd 1", first));
    EXPECT_FALSE(
        gnt.quarantine().end_or_hold(gnt, std::span<const GrantRef>(&a[1], 1), nullptr, &heap, "vbd 1", first));
    EXPECT_FALSE(gnt.quarantine().end_or_hold(gnt, b, nullptr, &heap, "vbd 2", first));
    char what[64];
    gnt.quarantine().describe(what, sizeof what);
    EXPECT_STREQ(what, "vbd 1: 2, vbd 2: 1");
    for (GrantRef r : a) xen.unmap_grant(r.value(), false);
    xen.unmap_grant(b[0].value(), false);
    const std::size_t before = heap.stats().in_use;
    EXPECT_EQ(gnt.quarantine().retry(gnt), 0u);
    EXPECT_EQ(heap.stats().in_use, before);  // caller memory is the caller's to free
    std::memset(mine, 0, 2 * 4096);          // and still valid
    gnt.quarantine().describe(what, sizeof what);
    EXPECT_STREQ(what, "");
}

}  // namespace
