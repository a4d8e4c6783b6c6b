// The parts of Xen's public ABI (xen/include/public/, Xen 4.17, arm64) that
// xenboot uses, written from the headers' documented layout. Sizes and offsets
// are checked at compile time below so a layout slip cannot go unnoticed.
#pragma once

#include <cstddef>
#include <cstdint>

namespace xb::xen {

// Hypercall numbers (public/xen.h).
enum class Hypercall : unsigned {
    memory_op = 12,
    xen_version = 17,
    console_io = 18,
    grant_table_op = 20,
    sched_op = 29,
    event_channel_op = 32,
    hvm_op = 34,
};

// Errno values Xen returns negated (public/errno.h).
inline constexpr int kEPERM = 1;
inline constexpr int kENOENT = 2;
inline constexpr int kEAGAIN = 11;
inline constexpr int kENOMEM = 12;
inline constexpr int kEFAULT = 14;
inline constexpr int kEBUSY = 16;
inline constexpr int kEEXIST = 17;
inline constexpr int kEINVAL = 22;
inline constexpr int kENOSYS = 38;
const char* errno_name(int xen_errno);

inline constexpr std::uint16_t kDomidSelf = 0x7ff0;

// xen_version (public/version.h).
inline constexpr unsigned kXenverVersion = 0;       // returns (major << 16) | minor
inline constexpr unsigned kXenverExtraversion = 1;  // fills char[16]
using ExtraVersion = char[16];

// sched_op (public/sched.h).
inline constexpr unsigned kSchedopYield = 0;
inline constexpr unsigned kSchedopShutdown = 2;
inline constexpr unsigned kSchedopPoll = 3;
enum class ShutdownReason : unsigned { poweroff = 0, reboot = 1, suspend = 2, crash = 3 };
struct SchedShutdown {
    unsigned reason;
};
struct SchedPoll {
    std::uint64_t ports;  // XEN_GUEST_HANDLE(evtchn_port_t): 64-bit on Arm
    unsigned nr_ports;
    std::uint64_t timeout;  // absolute Xen system time in ns; 0 = none
};
static_assert(offsetof(SchedPoll, nr_ports) == 8 && offsetof(SchedPoll, timeout) == 16 && sizeof(SchedPoll) == 24);

// hvm_op (public/hvm/hvm_op.h, params.h).
inline constexpr unsigned kHvmopSetParam = 0;
inline constexpr unsigned kHvmopGetParam = 1;
enum class HvmParam : std::uint32_t {
    store_pfn = 1,
    store_evtchn = 2,
    console_pfn = 17,
    console_evtchn = 18,
};
struct HvmParamArg {
    std::uint16_t domid;
    std::uint32_t index;
    std::uint64_t value;
};
static_assert(offsetof(HvmParamArg, index) == 4 && offsetof(HvmParamArg, value) == 8 && sizeof(HvmParamArg) == 16);

// event_channel_op (public/event_channel.h).
inline constexpr unsigned kEvtchnopClose = 3;
inline constexpr unsigned kEvtchnopSend = 4;
inline constexpr unsigned kEvtchnopAllocUnbound = 6;
struct EvtchnPortArg {  // evtchn_close and evtchn_send: { evtchn_port_t port; }
    std::uint32_t port;
};
struct EvtchnAllocUnbound {
    std::uint16_t dom;         // DOMID_SELF
    std::uint16_t remote_dom;  // the backend's domain
    std::uint32_t port;        // OUT
};
static_assert(offsetof(EvtchnAllocUnbound, port) == 4 && sizeof(EvtchnAllocUnbound) == 8);

// memory_op (public/memory.h).
inline constexpr unsigned kXenmemAddToPhysmap = 7;
inline constexpr unsigned kXenmemRemoveFromPhysmap = 15;
inline constexpr unsigned kMapspaceSharedInfo = 0;
inline constexpr unsigned kMapspaceGrantTable = 1;
struct AddToPhysmap {
    std::uint16_t domid;
    std::uint16_t size;  // only for XENMAPSPACE_gmfn_range
    std::uint32_t space;
    std::uint64_t idx;   // xen_ulong_t
    std::uint64_t gpfn;  // xen_pfn_t
};
static_assert(offsetof(AddToPhysmap, space) == 4 && offsetof(AddToPhysmap, idx) == 8 &&
              offsetof(AddToPhysmap, gpfn) == 16 && sizeof(AddToPhysmap) == 24);
struct RemoveFromPhysmap {
    std::uint16_t domid;
    std::uint64_t gpfn;
};
static_assert(offsetof(RemoveFromPhysmap, gpfn) == 8 && sizeof(RemoveFromPhysmap) == 16);

// shared_info (public/xen.h; on Arm arch_vcpu_info and arch_shared_info are
// empty, xen_ulong_t is 64-bit and XEN_LEGACY_MAX_VCPUS is 1).
struct VcpuTimeInfo {
    std::uint32_t version;
    std::uint32_t pad0;
    std::uint64_t tsc_timestamp;
    std::uint64_t system_time;
    std::uint32_t tsc_to_system_mul;
    std::int8_t tsc_shift;
    std::int8_t pad1[3];
};
static_assert(sizeof(VcpuTimeInfo) == 32);
struct VcpuInfo {
    std::uint8_t evtchn_upcall_pending;
    std::uint8_t evtchn_upcall_mask;
    std::uint64_t evtchn_pending_sel;
    VcpuTimeInfo time;
};
static_assert(offsetof(VcpuInfo, evtchn_pending_sel) == 8 && offsetof(VcpuInfo, time) == 16 && sizeof(VcpuInfo) == 48);
inline constexpr unsigned kEvtchnWords = 64;  // sizeof(xen_ulong_t) * 8 words of 64 bits
inline constexpr unsigned kEvtchnPorts2L = kEvtchnWords * 64;
struct SharedInfo {
    VcpuInfo vcpu_info[1];
    std::uint64_t evtchn_pending[kEvtchnWords];
    std::uint64_t evtchn_mask[kEvtchnWords];
    std::uint32_t wc_version;
    std::uint32_t wc_sec;
    std::uint32_t wc_nsec;
    std::uint32_t wc_sec_hi;
};
static_assert(offsetof(SharedInfo, evtchn_pending) == 48 && offsetof(SharedInfo, evtchn_mask) == 560 &&
              offsetof(SharedInfo, wc_version) == 1072);

// The PV console ring page (public/io/console.h).
struct ConsoleInterface {
    char in[1024];
    char out[2048];
    std::uint32_t in_cons, in_prod;
    std::uint32_t out_cons, out_prod;
};
static_assert(offsetof(ConsoleInterface, out) == 1024 && offsetof(ConsoleInterface, in_cons) == 3072 &&
              offsetof(ConsoleInterface, out_prod) == 3084);

}  // namespace xb::xen

namespace xb::xen {

// --- XenStore ring (public/io/xs_wire.h) ---------------------------------------------
inline constexpr std::uint32_t kXenstoreRingSize = 1024;
inline constexpr std::uint32_t kXenstorePayloadMax = 4096;
enum class XsType : std::uint32_t {
    control = 0,  // XS_DEBUG in older headers
    directory = 1,
    read = 2,
    get_perms = 3,
    watch = 4,
    unwatch = 5,
    transaction_start = 6,
    transaction_end = 7,
    introduce = 8,
    release = 9,
    get_domain_path = 10,
    write = 11,
    mkdir = 12,
    rm = 13,
    set_perms = 14,
    watch_event = 15,
    error = 16,
    is_domain_introduced = 17,
    resume = 18,
    set_target = 19,
    reset_watches = 21,
    directory_part = 22,
};
struct XsMsgHeader {
    std::uint32_t type;
    std::uint32_t req_id;
    std::uint32_t tx_id;
    std::uint32_t len;  // payload bytes that follow
};
static_assert(sizeof(XsMsgHeader) == 16);
struct XenstoreInterface {
    char req[kXenstoreRingSize];  // guest -> xenstored
    char rsp[kXenstoreRingSize];  // xenstored -> guest
    std::uint32_t req_cons, req_prod;
    std::uint32_t rsp_cons, rsp_prod;
    std::uint32_t server_features;  // XENSTORE_SERVER_FEATURE_*
    std::uint32_t connection;       // XENSTORE_CONNECTED / XENSTORE_RECONNECT
    std::uint32_t error;
};
static_assert(offsetof(XenstoreInterface, req_cons) == 2048 && offsetof(XenstoreInterface, server_features) == 2064 &&
              offsetof(XenstoreInterface, connection) == 2068);
inline constexpr std::uint32_t kXenstoreServerFeatureReconnection = 1;
inline constexpr std::uint32_t kXenstoreConnected = 0;
inline constexpr std::uint32_t kXenstoreReconnect = 1;

// --- Grant tables v1 (public/grant_table.h) ------------------------------------------------
inline constexpr unsigned kGnttabopQuerySize = 6;
struct GrantEntryV1 {
    std::uint16_t flags;
    std::uint16_t domid;
    std::uint32_t frame;
};
static_assert(sizeof(GrantEntryV1) == 8);
inline constexpr std::uint16_t kGtfPermitAccess = 1;
inline constexpr std::uint16_t kGtfReadonly = 1 << 2;
inline constexpr std::uint16_t kGtfReading = 1 << 3;
inline constexpr std::uint16_t kGtfWriting = 1 << 4;
inline constexpr unsigned kGrantEntriesPerFrame = 4096 / sizeof(GrantEntryV1);  // 512
// Entries 0-7 are reserved (GNTTAB_NR_RESERVED_ENTRIES: xenstore, console).
inline constexpr unsigned kGrantReservedEntries = 8;
struct GnttabQuerySize {
    std::uint16_t dom;
    std::uint32_t nr_frames;      // OUT
    std::uint32_t max_nr_frames;  // OUT
    std::int16_t status;          // OUT: GNTST_*
};
static_assert(offsetof(GnttabQuerySize, nr_frames) == 4 && offsetof(GnttabQuerySize, max_nr_frames) == 8 &&
              offsetof(GnttabQuerySize, status) == 12 && sizeof(GnttabQuerySize) == 16);

// --- Block interface (public/io/blkif.h) ---------------------------------------------------
inline constexpr std::uint8_t kBlkifOpRead = 0;
inline constexpr std::uint8_t kBlkifOpWrite = 1;
inline constexpr std::uint8_t kBlkifOpFlushDiskcache = 3;
inline constexpr std::uint8_t kBlkifOpIndirect = 6;
inline constexpr unsigned kBlkifMaxSegmentsPerRequest = 11;
inline constexpr unsigned kBlkifMaxIndirectPagesPerRequest = 8;
inline constexpr std::int16_t kBlkifRspOkay = 0;
inline constexpr std::int16_t kBlkifRspError = -1;
inline constexpr std::int16_t kBlkifRspEopnotsupp = -2;
struct BlkifSegment {
    std::uint32_t gref;
    std::uint8_t first_sect;
    std::uint8_t last_sect;
    std::uint16_t pad;
};
static_assert(sizeof(BlkifSegment) == 8);
// Request as laid out in the ring for Arm (64-bit alignment of id and sector).
struct BlkifRequest {
    std::uint8_t operation;
    std::uint8_t nr_segments;
    std::uint16_t handle;
    std::uint32_t pad;
    std::uint64_t id;
    std::uint64_t sector_number;  // in 512-byte units, whatever sector-size is
    BlkifSegment seg[kBlkifMaxSegmentsPerRequest];
};
static_assert(offsetof(BlkifRequest, id) == 8 && offsetof(BlkifRequest, sector_number) == 16 &&
              offsetof(BlkifRequest, seg) == 24 && sizeof(BlkifRequest) == 112);
struct BlkifRequestIndirect {
    std::uint8_t operation;    // kBlkifOpIndirect
    std::uint8_t indirect_op;  // read or write
    std::uint16_t nr_segments;
    std::uint32_t pad;
    std::uint64_t id;
    std::uint64_t sector_number;
    std::uint16_t handle;
    std::uint16_t pad2;
    std::uint32_t indirect_grefs[kBlkifMaxIndirectPagesPerRequest];
    std::uint32_t pad3;
};
static_assert(offsetof(BlkifRequestIndirect, handle) == 24 && offsetof(BlkifRequestIndirect, indirect_grefs) == 28 &&
              sizeof(BlkifRequestIndirect) == 64);
inline constexpr unsigned kBlkifSegmentsPerIndirectPage = 4096 / sizeof(BlkifSegment);  // 512
struct BlkifResponse {
    std::uint64_t id;
    std::uint8_t operation;
    std::uint8_t pad;
    std::int16_t status;
    std::uint32_t pad2;
};
static_assert(sizeof(BlkifResponse) == 16);

}  // namespace xb::xen
