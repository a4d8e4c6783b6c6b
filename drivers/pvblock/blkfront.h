// One PV disk (device/vbd/<id>): the XenBus handshake with blkback
// (public/io/blkif.h "Frontend/Backend negotiation"), then block reads and
// writes through BlkQueue. Buffers aligned to the logical sector size go to
// the backend directly; others are bounced through a page-aligned buffer.
//
// The handshake runs in the background: start() reads where the backend is
// and returns; step() looks at the backend once and takes the next
// step when it is there (never blocks on the backend); everything that needs
// the disk (read, write, its size) first waits for the handshake with the
// usual deadline (settle()), advancing every other disk of its bus meanwhile.
// connect() is start() plus settle().
#pragma once

#include <cstdint>

#include "drivers/pvblock/blk_queue.h"
#include "drivers/xen/xenbus.h"
#include "drivers/xen/xenbus_close.h"
#include "drivers/xen/xenstore.h"
#include "lib/block_device.h"

namespace xb::pvblock {

struct BlkfrontOptions {
    unsigned max_ring_order = 4;  // what we accept of max-ring-page-order
    unsigned max_segments = 256;  // 11: never use indirect descriptors
    // How long blkback may take for each step of the XenBus handshake. Linux's
    // xenbus_probe_frontend waits 30 s before it even warns (and 300 s in
    // all); 10 s proved too short for a dom0 under load (a CI runner at a load
    // average of 15 under QEMU TCG missed it).
    std::uint64_t connect_timeout_ms = 30000;
    std::uint64_t stall_timeout_ms = 10000;
    // Pages in the persistent-grant pool when the backend offers
    // feature-persistent (0: always grant the caller's pages).
    unsigned persistent_pages = 1024;
    // Disks share the heap: when the pool is allocated (once the backend is
    // in InitWait, perhaps long after start), take at most half of the
    // largest free block, so later disks still get one.
    bool pool_at_most_half_free = false;
};

// Where a disk's handshake is.
enum class LinkState : std::uint8_t {
    closed,          // never started, or disconnected
    wait_init_wait,  // waiting for blkback's InitWait (its hotplug script)
    wait_connected,  // ring published, Initialised; waiting for Connected
    connected,
    failed,  // the handshake failed; error() says why
};
const char* link_state_name(LinkState state);

struct BlkfrontInfo {
    unsigned vdev = 0;       // e.g. 51712
    char vdev_name[8] = {};  // "xvda" where the number decodes
    char backend[96] = {};   // backend's XenStore directory
    unsigned backend_id = 0;
    std::uint64_t sectors = 0;  // 512-byte units, whatever sector_size is
    std::uint32_t sector_size = 512;
    bool read_only = false;
    unsigned ring_order = 0;            // negotiated
    unsigned segments = 11;             // negotiated per request
    unsigned backend_max_segments = 0;  // feature-max-indirect-segments (0: none)
    unsigned backend_max_ring_order = 0;
    bool flush = false;
    bool backend_persistent = false;   // feature-persistent offered
    unsigned persistent_pages = 1024;  // in use (0: direct grants)
    // Where connect() spent its time (ms): waiting for InitWait, negotiating
    // (ring set-up and the XenStore transaction), waiting for Connected, in all.
    std::uint64_t ms_init_wait = 0, ms_negotiate = 0, ms_connected = 0, ms_total = 0;
};

class PvBlockBus;

class BlkfrontDevice final : public BlockDevice {
  public:
    struct Env {
        xen::XenPort& xen;
        xen::EventChannels& events;
        xen::GrantTable& grants;
        xen::XenStore& store;
        Heap& heap;
    };

    // Starts the handshake: reads where the backend is (two XenStore reads;
    // the first step() publishes the ring). Errors here (no backend node, a
    // bad backend-id) mean the disk cannot be used.
    // `bus` (may be nullptr) is advanced while settle() waits.
    Status start(const Env& env, unsigned vdev, const BlkfrontOptions& options, PvBlockBus* bus = nullptr);
    // Looks at the backend once, takes the next step if it is there, or fails
    // the disk if the step's deadline has passed. Never waits for the backend.
    // True if the handshake moved on (published, connected or failed).
    bool step();
    // Waits until the handshake has ended (each step within the connect
    // timeout); the handshake's error if it failed.
    Status settle();
    Status connect(const Env& env, unsigned vdev, const BlkfrontOptions& options);
    // Closing -> Closed -> Initialising, waiting for the backend each time,
    // then ends every grant and closes the event channel (hand-off contract).
    // A disk still connecting is closed the same way once its ring is
    // published; before that there is nothing for the backend to let go of.
    Status disconnect();
    // disconnect() in two parts, so PvBlockBus (and the hand-off) can run the
    // reset dance of every disk and vif together (xen::close_together):
    // close_part() describes this disk's part of the dance (false: nothing
    // was published, nothing for the backend to let go of; the disk is then
    // closed already), finish_close() takes the dance's outcome and gives back
    // the rest as disconnect() does (a grant blkback still maps goes to the
    // grant quarantine, never back to the heap).
    bool close_part(xen::CloseDevice& out);
    Status finish_close(const xen::CloseDevice& part);
    static constexpr std::size_t kPublishedFixed = 5;  // nodes negotiate() writes besides ring-ref<n>
    // Reads sector 0 through every page of the persistent pool (and every
    // request slot's indirect page) once, so blkback maps them now rather
    // than during the first real read (see BlkQueue::warm_pool). A part at
    // a time (a few requests): call until needs_warming() is false. Once
    // per connection; nothing to do without a pool.
    Status warm();
    bool needs_warming() const { return state_ == LinkState::connected && !warmed_; }

    const char* name() const override { return name_; }
    // These three wait for the handshake (what they report comes from it); a
    // disk that failed has no blocks and its reads return the error.
    std::uint32_t block_size() const override;
    std::uint64_t block_count() const override;
    bool read_only() const override;
    Status read(std::uint64_t block, std::uint64_t count, void* buf) override;
    Status write(std::uint64_t block, std::uint64_t count, const void* buf) override;

    // As read/write, with a progress callback that may interrupt.
    Status transfer(bool write, std::uint64_t block, std::uint64_t count, void* buf, Progress* progress);

    // What is known so far (never waits).
    const BlkfrontInfo& info() const { return info_; }
    const BlkQueue& queue() const { return queue_; }
    bool connected() const { return state_ == LinkState::connected; }
    bool pending() const { return state_ == LinkState::wait_init_wait || state_ == LinkState::wait_connected; }
    LinkState state() const { return state_; }
    // Why the handshake failed (state() == failed).
    const Error& error() const { return error_; }

  private:
    // Sets up the queue and publishes it; `published` turns true once the
    // backend may have seen the ring (the transaction was tried).
    Status negotiate(const BlkfrontOptions& options, bool& published);
    // Gives back what connect took (disconnect, and connect's failure paths):
    // the reset dance and the published nodes when `published`, then the
    // queue's grants, event channel and memory, and the bounce buffer.
    Status release(bool published);
    // release() after a dance done elsewhere (`part`: its outcome, and
    // whether it removed the published nodes already).
    Status release_after(const xen::CloseDevice& part, bool published);
    // The i-th node negotiate() may have published (xen::XenStore::PathFn).
    static void published_path(void* self, std::size_t i, char (&out)[xen::XenStore::kMaxPath]);
    Status remove_published();
    Status check_range(std::uint64_t block, std::uint64_t count) const;
    Status transfer_blocks(bool write, std::uint64_t block, std::uint64_t count, void* buf, Progress* progress);
    Status explain_stall(Status s);
    // The steps after InitWait and after Connected; fail() ends the handshake.
    Status publish_ring();
    Status finish_connect();
    void fail(const Error& e);
    void settle_quietly() const { (void)const_cast<BlkfrontDevice*>(this)->settle(); }

    xen::XenPort* xen_ = nullptr;
    xen::EventChannels* events_ = nullptr;
    xen::GrantTable* grants_ = nullptr;
    xen::XenStore* store_ = nullptr;
    Heap* heap_ = nullptr;
    std::uint64_t connect_timeout_ms_ = 30000;
    char name_[24] = {};
    char frontend_[32] = {};
    BlkfrontInfo info_{};
    BlkQueue queue_;
    std::uint8_t* bounce_ = nullptr;
    BlkfrontOptions options_{};
    PvBlockBus* bus_ = nullptr;
    LinkState state_ = LinkState::closed;
    const char* last_seen_ = "no state node";  // the backend's state at the last step(), for errors
    bool warmed_ = false;
    Deadline step_deadline_ = Deadline::never();
    std::uint64_t t_start_ = 0, t_step_ = 0;  // counter at start() and at the current step
    Error error_ = Error::make(Errc::io, "not started");
};

// "xvda" for 51712 ((202 << 8) | 0), "xvdb" for 51728, ...; "" if the number
// is not in the xvd scheme (public/io/vbd-naming? docs: vbd-interface.txt).
void vdev_name(unsigned vdev, char* out, unsigned size);

}  // namespace xb::pvblock
