// One PV disk (device/vbd/<id>): the XenBus handshake with blkback
// (public/io/blkif.h "Frontend/Backend negotiation"), then block reads and
// writes through BlkQueue. Buffers aligned to the logical sector size go to
// the backend directly; others are bounced through a page-aligned buffer.
#pragma once

#include <cstdint>

#include "drivers/pvblock/blk_queue.h"
#include "drivers/xen/xenbus.h"
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
};

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

class BlkfrontDevice final : public BlockDevice {
  public:
    struct Env {
        xen::XenPort& xen;
        xen::EventChannels& events;
        xen::GrantTable& grants;
        xen::XenStore& store;
        Heap& heap;
    };

    Status connect(const Env& env, unsigned vdev, const BlkfrontOptions& options);
    // Closing -> Closed -> Initialising, waiting for the backend each time,
    // then ends every grant and closes the event channel (hand-off contract).
    Status disconnect();

    const char* name() const override { return name_; }
    std::uint32_t block_size() const override { return info_.sector_size; }
    std::uint64_t block_count() const override { return info_.sectors / (info_.sector_size / 512); }
    bool read_only() const override { return info_.read_only; }
    Status read(std::uint64_t block, std::uint64_t count, void* buf) override;
    Status write(std::uint64_t block, std::uint64_t count, const void* buf) override;

    // As read/write, with a progress callback that may interrupt.
    Status transfer(bool write, std::uint64_t block, std::uint64_t count, void* buf, Progress* progress);

    const BlkfrontInfo& info() const { return info_; }
    const BlkQueue& queue() const { return queue_; }
    bool connected() const { return connected_; }

  private:
    // Sets up the queue and publishes it; `published` turns true once the
    // backend may have seen the ring (the transaction was tried).
    Status negotiate(const BlkfrontOptions& options, bool& published);
    // Gives back what connect took (disconnect, and connect's failure paths):
    // the reset dance and the published nodes when `published`, then the
    // queue's grants, event channel and memory, and the bounce buffer.
    Status release(bool published);
    Status reset_backend();
    Status remove_published();
    Status check_range(std::uint64_t block, std::uint64_t count) const;
    Status transfer_blocks(bool write, std::uint64_t block, std::uint64_t count, void* buf, Progress* progress);
    Status explain_stall(Status s);
    Status wait_backend(const xen::XenbusState* wanted, unsigned count, std::uint64_t timeout_ms);

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
    bool connected_ = false;
};

// "xvda" for 51712 ((202 << 8) | 0), "xvdb" for 51728, ...; "" if the number
// is not in the xvd scheme (public/io/vbd-naming? docs: vbd-interface.txt).
void vdev_name(unsigned vdev, char* out, unsigned size);

}  // namespace xb::pvblock
