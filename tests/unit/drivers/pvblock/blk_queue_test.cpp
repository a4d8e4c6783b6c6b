// The blkfront I/O engine against the simulated blkback: data integrity for
// every size and alignment, pipelining, indirect and plain requests, multi-page
// rings, and every backend fault ending in a clear error in bounded time with
// nothing written outside the target buffer.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "drivers/pvblock/blk_queue.h"
#include "drivers/xen/shared_info.h"
#include "tests/sim/guest_ram.h"
#include "tests/sim/random_bytes.h"
#include "tests/sim/sim_blkback.h"

namespace {

using namespace xb;

std::vector<std::uint8_t> pattern_disk(std::size_t bytes) { return sim::random_bytes(bytes, 7); }

struct Rig {
    sim::SimXen xen;
    xen::SharedInfoMapping si;
    xen::EventChannels events{xen, si.map(xen, Gfn(0x38fff)).value()};
    xen::GrantTable grants;
    sim::SimBlkback back;
    pvblock::BlkQueue queue;
    Heap& heap = sim::GuestRam::get().heap();

    explicit Rig(std::size_t disk_bytes, sim::SimBlkback::Options opt = {},
                 pvblock::QueueConfig cfg = {256 ? 0 : 0, 256, 2000})
        : back(xen, (sim::GuestRam::get().reset(), pattern_disk(disk_bytes)), opt) {
        EXPECT_TRUE(grants.init(xen, {0x38000000, 0x1000000}, 32, heap).ok());
        cfg.max_segments = opt.max_indirect_segments == 0 ? 11 : std::min(cfg.max_segments, opt.max_indirect_segments);
        Status s = queue.init(xen, events, grants, heap, DomId(opt.domid), cfg, "vbd 51712");
        EXPECT_TRUE(s.ok()) << s.error().message();
        std::vector<std::uint32_t> refs;
        for (unsigned i = 0; i < queue.ring_pages(); ++i) refs.push_back(queue.ring_ref(i).value());
        back.attach(refs.data(), queue.ring_pages(), queue.port());
    }

    // A guest-RAM buffer with guard bytes on both sides, to catch stray writes.
    std::uint8_t* buffer(std::size_t bytes, std::size_t misalign = 0) {
        auto* raw = static_cast<std::uint8_t*>(heap.alloc(bytes + 8192, 4096));
        std::memset(raw, 0xa5, bytes + 8192);
        return raw + 4096 + misalign;
    }
    static bool guards_intact(const std::uint8_t* buf, std::size_t bytes, std::size_t misalign) {
        const std::uint8_t* raw = buf - 4096 - misalign;
        for (std::size_t i = 0; i < 4096 + misalign; ++i)
            if (raw[i] != 0xa5) return false;
        for (std::size_t i = 4096 + misalign + bytes; i < bytes + 8192; ++i)
            if (raw[i] != 0xa5) return false;
        return true;
    }
};

struct SizeCase {
    std::uint64_t sector;
    std::uint64_t bytes;
    std::size_t misalign;  // multiple of 512
};

class ReadSizes : public ::testing::TestWithParam<SizeCase> {};

TEST_P(ReadSizes, BytesMatchTheDisk) {
    Rig rig(16u << 20);
    const SizeCase c = GetParam();
    std::uint8_t* buf = rig.buffer(c.bytes, c.misalign);
    Status s = rig.queue.transfer(false, c.sector, buf, c.bytes, nullptr);
    ASSERT_TRUE(s.ok()) << s.error().message();
    EXPECT_EQ(std::memcmp(buf, &rig.back.disk()[c.sector * 512], c.bytes), 0);
    EXPECT_TRUE(Rig::guards_intact(buf, c.bytes, c.misalign));
    EXPECT_EQ(rig.grants.in_use(), 1u + 32u);  // only the ring page and the persistent indirect pages remain
    EXPECT_EQ(rig.back.stats().invalid, 0u);
}

INSTANTIATE_TEST_SUITE_P(Sizes, ReadSizes,
                         ::testing::Values(SizeCase{0, 512, 0}, SizeCase{1, 512, 512}, SizeCase{7, 4096, 0},
                                           SizeCase{3, 4096, 1536}, SizeCase{0, 45056, 0}, SizeCase{9, 45568, 512},
                                           SizeCase{0, 1 << 20, 0}, SizeCase{5, (1 << 20) + 512, 3584},
                                           SizeCase{100, 5u << 20, 0}, SizeCase{0, 16u << 20, 0}));

TEST(BlkQueue, KeepsManyLargeRequestsInFlight) {
    Rig rig(16u << 20);
    std::uint8_t* buf = rig.buffer(16u << 20);
    ASSERT_TRUE(rig.queue.transfer(false, 0, buf, 16u << 20, nullptr).ok());
    EXPECT_EQ(rig.back.stats().indirect_requests, 16u);  // 1 MiB each
    EXPECT_EQ(rig.back.stats().max_segments, 256u);
    EXPECT_EQ(rig.queue.stats().max_in_flight, 16u);  // the whole transfer at once
    EXPECT_GE(rig.back.stats().max_batch, 16u);
}

TEST(BlkQueue, WithoutIndirectUsesElevenSegmentRequests) {
    sim::SimBlkback::Options opt;
    opt.max_indirect_segments = 0;
    Rig rig(4u << 20, opt);
    std::uint8_t* buf = rig.buffer(1u << 20);
    ASSERT_TRUE(rig.queue.transfer(false, 0, buf, 1u << 20, nullptr).ok());
    EXPECT_EQ(rig.back.stats().indirect_requests, 0u);
    EXPECT_EQ(rig.back.stats().max_segments, 11u);
    EXPECT_EQ(rig.back.stats().requests, (1u << 20) / 45056 + 1);
    EXPECT_EQ(std::memcmp(buf, rig.back.disk().data(), 1u << 20), 0);
}

TEST(BlkQueue, MultiPageRingHoldsMoreRequests) {
    Rig rig(64u << 20, {}, {4, 11, 2000});  // 16-page ring, plain requests
    EXPECT_EQ(rig.queue.ring_pages(), 16u);
    std::uint8_t* buf = rig.buffer(8u << 20);
    ASSERT_TRUE(rig.queue.transfer(false, 0, buf, 8u << 20, nullptr).ok());
    EXPECT_GT(rig.queue.stats().max_in_flight, 32u);  // more than a one-page ring allows
    EXPECT_EQ(std::memcmp(buf, rig.back.disk().data(), 8u << 20), 0);
}

TEST(BlkQueue, WritesReachTheDisk) {
    Rig rig(4u << 20);
    std::uint8_t* buf = rig.buffer(3u << 20);
    for (std::size_t i = 0; i < (3u << 20); ++i) buf[i] = static_cast<std::uint8_t>(i * 31);
    ASSERT_TRUE(rig.queue.transfer(true, 8, buf, 3u << 20, nullptr).ok());
    EXPECT_EQ(std::memcmp(&rig.back.disk()[8 * 512], buf, 3u << 20), 0);
}

TEST(BlkQueue, FourKibSectorDiskWithPageAlignedBuffers) {
    sim::SimBlkback::Options opt;
    opt.sector_size = 4096;
    Rig rig(8u << 20, opt);
    std::uint8_t* buf = rig.buffer(2u << 20);
    ASSERT_TRUE(rig.queue.transfer(false, 8, buf, 2u << 20, nullptr).ok());
    EXPECT_EQ(std::memcmp(buf, &rig.back.disk()[8 * 512], 2u << 20), 0);
    EXPECT_EQ(rig.back.stats().invalid, 0u);
}

TEST(BlkQueue, ErrorStatusFailsWithSectorAndStatus) {
    Rig rig(8u << 20);
    rig.back.fail_sector(5000);
    std::uint8_t* buf = rig.buffer(8u << 20);
    Status s = rig.queue.transfer(false, 0, buf, 8u << 20, nullptr);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Errc::io);
    EXPECT_NE(std::string(s.error().message())
                  .find("vbd 51712: read of 1048576 bytes at sector 4096 failed: backend status -1"),
              std::string::npos)
        << s.error().message();
    EXPECT_TRUE(Rig::guards_intact(buf, 8u << 20, 0));
    EXPECT_EQ(rig.grants.in_use(), 1u + 32u);  // everything drained and ended
}

TEST(BlkQueue, UnknownResponseIdIsAnErrorAndTheRingIsRetired) {
    Rig rig(4u << 20);
    rig.back.answer_with_bogus_id_once();
    std::uint8_t* buf = rig.buffer(1u << 20);
    Status s = rig.queue.transfer(false, 0, buf, 1u << 20, nullptr);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(std::string(s.error().message()).find("which is not in flight"), std::string::npos);
    EXPECT_FALSE(rig.queue.transfer(false, 0, buf, 4096, nullptr).ok());
    EXPECT_TRUE(Rig::guards_intact(buf, 1u << 20, 0));
}

TEST(BlkQueue, DuplicateResponseIsAnError) {
    Rig rig(4u << 20);
    rig.back.duplicate_next_response();
    std::uint8_t* buf = rig.buffer(4096);
    Status s = rig.queue.transfer(false, 0, buf, 4096, nullptr);
    // Caught either as a response index beyond the requests outstanding (when
    // both arrive in one batch) or as an id no longer in flight.
    if (s.ok()) s = rig.queue.transfer(false, 0, buf, 4096, nullptr);
    ASSERT_FALSE(s.ok());
    std::string msg = s.error().message();
    EXPECT_TRUE(msg.find("not in flight") != std::string::npos || msg.find("requests outstanding") != std::string::npos)
        << msg;
}

TEST(BlkQueue, CorruptResponseIndexIsAnError) {
    Rig rig(4u << 20);
    rig.back.corrupt_response_index_once();
    std::uint8_t* buf = rig.buffer(4096);
    Status s = rig.queue.transfer(false, 0, buf, 4096, nullptr);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(std::string(s.error().message()).find("response index"), std::string::npos) << s.error().message();
}

TEST(BlkQueue, StalledBackendTimesOutInBoundedTime) {
    Rig rig(4u << 20, {}, {0, 256, 100});
    rig.back.set_stalled(true);
    std::uint8_t* buf = rig.buffer(1u << 20);
    auto t0 = arch::counter();
    Status s = rig.queue.transfer(false, 0, buf, 1u << 20, nullptr);
    auto ms = arch::ticks_to_ms(arch::counter() - t0);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Errc::timeout);
    EXPECT_NE(std::string(s.error().message()).find("vbd 51712: no response for 100 ms (1 requests in flight)"),
              std::string::npos)
        << s.error().message();
    EXPECT_GE(ms, 100u);
    EXPECT_LT(ms, 2000u);
}

TEST(BlkQueue, GrantStillMappedByTheBackendIsReported) {
    Rig rig(4u << 20);
    rig.back.hold_grants_once();
    std::uint8_t* buf = rig.buffer(8192);
    Status s = rig.queue.transfer(false, 0, buf, 8192, nullptr);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(std::string(s.error().message()).find("is still written by domain 0"), std::string::npos)
        << s.error().message();
}

struct StopAfter final : pvblock::Progress {
    std::uint64_t limit;
    unsigned calls = 0;
    explicit StopAfter(std::uint64_t l) : limit(l) {}
    bool update(std::uint64_t done, std::uint64_t) override {
        ++calls;
        return done < limit;
    }
};

TEST(BlkQueue, ProgressCanInterruptAndTheQueueStaysUsable) {
    Rig rig(16u << 20);
    std::uint8_t* buf = rig.buffer(16u << 20);
    StopAfter stop(1);
    Status s = rig.queue.transfer(false, 0, buf, 16u << 20, &stop);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Errc::interrupted);
    EXPECT_EQ(rig.grants.in_use(), 1u + 32u);  // drained cleanly
    ASSERT_TRUE(rig.queue.transfer(false, 0, buf, 1u << 20, nullptr).ok());
    EXPECT_EQ(std::memcmp(buf, rig.back.disk().data(), 1u << 20), 0);
}

TEST(BlkQueue, MisalignedBuffersAreRefused) {
    Rig rig(1u << 20);
    std::uint8_t* buf = rig.buffer(4096, 0);
    EXPECT_EQ(rig.queue.transfer(false, 0, buf + 1, 4096, nullptr).error().code(), Errc::invalid_argument);
    EXPECT_EQ(rig.queue.transfer(false, 0, buf, 100, nullptr).error().code(), Errc::invalid_argument);
}

TEST(BlkQueue, TeardownEndsEveryGrantAndClosesThePort) {
    Rig rig(1u << 20);
    rig.back.detach();
    ASSERT_TRUE(rig.queue.teardown().ok());
    EXPECT_EQ(rig.grants.in_use(), 0u);
}

// D5: a backend that writes a whole page instead of first_sect..last_sect.
// Before the fix the caller's page itself was granted, so the rest of that
// page (a stack frame or heap neighbour of xenboot's) was overwritten; now a
// partial page goes through a bounce page and only the segment's bytes come
// back.
struct BounceCase {
    std::uint64_t bytes;
    std::size_t misalign;
    std::uint64_t bounced;  // segments through a bounce page
};
class PartialPages : public ::testing::TestWithParam<BounceCase> {};

TEST_P(PartialPages, AreBouncedAndTheirNeighboursNeverShared) {
    const BounceCase c = GetParam();
    Rig rig(4u << 20);
    rig.back.set_overrun(true);
    std::uint8_t* buf = rig.buffer(c.bytes, c.misalign);  // 0xa5 around it, in its own pages too
    Status s = rig.queue.transfer(false, 3, buf, c.bytes, nullptr);
    ASSERT_TRUE(s.ok()) << s.error().message();
    EXPECT_EQ(std::memcmp(buf, &rig.back.disk()[3 * 512], c.bytes), 0);
    EXPECT_TRUE(Rig::guards_intact(buf, c.bytes, c.misalign));
    EXPECT_EQ(rig.queue.stats().bounced, c.bounced);
    EXPECT_EQ(rig.grants.in_use(), 1u + 32u);  // bounce grants ended like the others
}

INSTANTIATE_TEST_SUITE_P(Sizes, PartialPages,
                         ::testing::Values(BounceCase{512, 1024, 1},              // a small buffer inside a page
                                           BounceCase{512, 0, 1},                 // page-aligned but short
                                           BounceCase{4096, 3584, 2},             // straddles two pages
                                           BounceCase{(1 << 20) + 512, 512, 2},   // partial first and last page
                                           BounceCase{1 << 20, 0, 0},             // whole pages: no copy
                                           BounceCase{(1 << 20) + 4096, 0, 0}));  // whole pages: no copy

TEST(BlkQueue, PartialPageWritesSendOnlyTheCallersBytes) {
    Rig rig(1u << 20);
    std::uint8_t* buf = rig.buffer(1536, 2048);
    for (unsigned i = 0; i < 1536; ++i) buf[i] = static_cast<std::uint8_t>(i * 7);
    ASSERT_TRUE(rig.queue.transfer(true, 10, buf, 1536, nullptr).ok());
    EXPECT_EQ(std::memcmp(&rig.back.disk()[10 * 512], buf, 1536), 0);
    EXPECT_EQ(rig.queue.stats().bounced, 1u);
}

// D1: a request blkback has taken (its pages mapped) is answered only after
// the frontend gave up and tore the queue down. The ring and the data pages
// it writes must still be ours: held in the quarantine, never handed out by
// the heap again (before the fix they were freed, and the late response went
// into whatever the heap gave out next).
class LateResponse : public ::testing::TestWithParam<bool> {};

TEST_P(LateResponse, AfterTeardownLandsOnlyInHeldPages) {
    const bool persistent = GetParam();
    pvblock::QueueConfig cfg{0, 256, 100};
    if (persistent) cfg.persistent_pages = 64;
    Rig rig(4u << 20, {}, cfg);
    rig.back.set_persistent(persistent);
    rig.back.set_delayed(true);
    std::uint8_t* buf = rig.buffer(8192 + 512);  // two whole pages and a partial one
    Status s = rig.queue.transfer(false, 0, buf, 8192 + 512, nullptr);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Errc::timeout);
    ASSERT_EQ(rig.back.delayed_requests(), 1u);

    Status torn = rig.queue.teardown();
    ASSERT_FALSE(torn.ok());
    EXPECT_EQ(torn.error().code(), Errc::busy);
    // Held: the ring page, and the three data pages (two of the caller's and
    // a bounce page, or three pool pages).
    EXPECT_EQ(rig.grants.quarantine().held(), 1u + 3u);
    EXPECT_EQ(rig.grants.in_use(), 1u + 3u);
    EXPECT_EQ(rig.queue.left_caller_pages_granted(), !persistent);

    // Whatever the heap hands out now...
    std::vector<std::uint8_t*> fresh;
    for (std::size_t size : {4096u, 4096u, 4096u, 4096u, 65536u, 262144u, 1u << 20}) {
        for (int i = 0; i < 4; ++i) {
            auto* p = static_cast<std::uint8_t*>(rig.heap.alloc(size, 4096));
            ASSERT_NE(p, nullptr);
            std::memset(p, 0x3c, size);
            fresh.push_back(p);
            fresh.push_back(p + size);  // end marker
        }
    }
    // ...the late response does not touch.
    rig.back.set_delayed(false);
    rig.back.service();
    EXPECT_EQ(rig.back.delayed_requests(), 0u);
    for (std::size_t i = 0; i < fresh.size(); i += 2) {
        for (std::uint8_t* p = fresh[i]; p < fresh[i + 1]; ++p) ASSERT_EQ(*p, 0x3c) << "block " << i / 2;
    }
    // The backend lets go: the quarantine ends every grant.
    rig.back.detach();
    EXPECT_EQ(rig.grants.quarantine().retry(rig.grants), 0u);
    EXPECT_EQ(rig.grants.in_use(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Grants, LateResponse, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) { return p.param ? "Persistent" : "Direct"; });

// D3: a queue set up again after a failure is usable, and counts afresh.
TEST(BlkQueue, InitAfterAFailureStartsAFreshQueue) {
    Rig rig(4u << 20, {}, {0, 256, 100});
    rig.back.set_stalled(true);
    std::uint8_t* buf = rig.buffer(1u << 20);
    ASSERT_EQ(rig.queue.transfer(false, 0, buf, 1u << 20, nullptr).error().code(), Errc::timeout);
    EXPECT_NE(std::string(rig.queue.transfer(false, 0, buf, 4096, nullptr).error().message()).find("reconnect needed"),
              std::string::npos);
    rig.back.detach();
    (void)rig.queue.teardown();
    rig.back.set_stalled(false);
    ASSERT_TRUE(rig.queue.init(rig.xen, rig.events, rig.grants, rig.heap, DomId(0), {0, 256, 100}, "vbd 51712").ok());
    std::uint32_t ref = rig.queue.ring_ref(0).value();
    rig.back.attach(&ref, 1, rig.queue.port());
    EXPECT_EQ(rig.queue.stats().requests, 0u);
    Status s = rig.queue.transfer(false, 0, buf, 1u << 20, nullptr);
    ASSERT_TRUE(s.ok()) << s.error().message();
    EXPECT_EQ(std::memcmp(buf, rig.back.disk().data(), 1u << 20), 0);
    EXPECT_EQ(rig.queue.stats().requests, 1u);
}

}  // namespace
