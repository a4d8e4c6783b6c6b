// Fuzzes the blkfront queue against a hostile blkback: whenever the frontend
// waits, the fuzzer publishes responses of its choosing (ids, operations,
// statuses) and producer indices. Every transfer must end (error or success)
// in bounded time, and nothing may be written outside the target buffer
// (guard bytes around it; ASan for everything else). Both grant modes.
#include <cstdint>
#include <cstring>

#include "drivers/pvblock/blk_queue.h"
#include "drivers/xen/shared_info.h"
#include "tests/sim/guest_ram.h"
#include "tests/sim/sim_xen.h"

namespace {

using namespace xb;

struct Input {
    const std::uint8_t* data;
    std::size_t size;
    std::size_t pos = 0;
    std::uint8_t byte() { return pos < size ? data[pos++] : 0; }
    std::uint64_t u64(unsigned bytes) {
        std::uint64_t v = 0;
        for (unsigned i = 0; i < bytes; ++i) v |= std::uint64_t{byte()} << (8 * i);
        return v;
    }
    bool done() const { return pos >= size; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    sim::GuestRam::get().reset();
    Heap& heap = sim::GuestRam::get().heap();
    sim::SimXen xen;
    xen::SharedInfoMapping si;
    xen::EventChannels events(xen, si.map(xen, Gfn(0x38fff)).value());
    xen::GrantTable grants;
    if (!grants.init(xen, {0x38000000, 0x1000000}, 8, heap).ok()) return 0;
    Input in{data, size};
    pvblock::QueueConfig cfg;
    cfg.ring_order = in.byte() & 1;
    cfg.max_segments = (in.byte() & 1) ? 64 : 11;
    cfg.stall_timeout_ms = 2;
    cfg.persistent_pages = (data[0] & 2) ? 128 : 0;
    pvblock::BlkQueue q;
    if (!q.init(xen, events, grants, heap, DomId(0), cfg, "vbd fuzz").ok()) return 0;
    xen.connect(q.port(), [] {});

    // The backend's view of the ring (its pages are contiguous guest RAM).
    auto* sring = static_cast<pvblock::SringHeader*>(xen.map_grant(q.ring_ref(0).value(), 0, true));
    if (sring == nullptr) __builtin_trap();
    const unsigned slots = pvblock::ring_slots(q.ring_pages());
    std::uint32_t prod = 0;
    xen.on_idle([&] {
        // Publish up to 4 responses of the fuzzer's choosing, then an index.
        unsigned n = in.byte() % 5;
        for (unsigned i = 0; i < n && !in.done(); ++i) {
            xen::BlkifResponse r{in.u64(1) % 70, static_cast<std::uint8_t>(in.byte() % 8), 0,
                                 static_cast<std::int16_t>(static_cast<std::int8_t>(in.byte()) % 3), 0};
            std::memcpy(reinterpret_cast<std::uint8_t*>(sring) + sizeof(pvblock::SringHeader) +
                            (prod & (slots - 1)) * pvblock::kSlotSize,
                        &r, sizeof r);
            ++prod;
        }
        std::uint32_t published = (in.byte() & 7) == 0 ? static_cast<std::uint32_t>(in.u64(4)) : prod;
        __atomic_store_n(&sring->rsp_prod, published, __ATOMIC_RELEASE);
        xen.raise(q.port());
    });

    constexpr std::size_t kBytes = 256 * 1024;
    auto* raw = static_cast<std::uint8_t*>(heap.alloc(kBytes + 2 * 4096, 4096));
    std::memset(raw, 0xa5, kBytes + 2 * 4096);
    std::uint8_t* buf = raw + 4096;
    for (int round = 0; round < 3 && !in.done(); ++round) {
        std::uint64_t bytes = 512 * (1 + in.u64(2) % (kBytes / 512));
        (void)q.transfer(in.byte() & 1, in.u64(2), buf, bytes, nullptr);
        for (std::size_t i = 0; i < 4096; ++i) {
            if (raw[i] != 0xa5 || raw[4096 + kBytes + i] != 0xa5) __builtin_trap();  // wrote outside the buffer
        }
    }
    return 0;
}
