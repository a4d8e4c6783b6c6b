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
    std::uint64_t ports;     // XEN_GUEST_HANDLE(evtchn_port_t): 64-bit on Arm
    unsigned nr_ports;
    std::uint64_t timeout;   // absolute Xen system time in ns; 0 = none
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

// memory_op (public/memory.h).
inline constexpr unsigned kXenmemAddToPhysmap = 7;
inline constexpr unsigned kXenmemRemoveFromPhysmap = 15;
inline constexpr unsigned kMapspaceSharedInfo = 0;
inline constexpr unsigned kMapspaceGrantTable = 1;
struct AddToPhysmap {
    std::uint16_t domid;
    std::uint16_t size;     // only for XENMAPSPACE_gmfn_range
    std::uint32_t space;
    std::uint64_t idx;      // xen_ulong_t
    std::uint64_t gpfn;     // xen_pfn_t
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
