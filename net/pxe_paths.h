// The pxelinux.cfg file names `pxe get` tries, in U-Boot's order
// (cmd/pxe.c pxe_get(), after PXELINUX's documented search):
//   1. the DHCP option 209 (PXELINUX config file) name, alone: no fallback;
//   2. pxelinux.cfg/<pxeuuid>, when a UUID is set;
//   3. pxelinux.cfg/01-<mac>: "01" (ARP hardware type Ethernet), then the MAC
//      in lower-case hex, dash-separated;
//   4. pxelinux.cfg/<IP as 8 upper-case hex digits>, then that with one digit
//      fewer each time, down to 1 digit;
//   5. pxelinux.cfg/default-<arch>-<soc>-<board>, default-<arch>-<soc>,
//      default-<arch>, default.
// All are relative to the directory of `bootfile` (up to its last '/'), or
// to the DHCP option 210 path prefix when the server sent one (PXELINUX's
// meaning of 210; U-Boot does not read 210).
//
// xenboot's names for step 5: arch "arm" (U-Boot's CONFIG_SYS_ARCH on arm64),
// soc "xen" (U-Boot's SYS_VENDOR for its Xen guest), board "xenguest_arm64"
// (U-Boot's SYS_BOARD for the same target), so a server set up for U-Boot's
// xenguest_arm64 build serves xenboot too.
#pragma once

#include <cstddef>
#include <string_view>

#include "lib/result.h"
#include "net/ipv4.h"
#include "net/link.h"

namespace xb::net {

namespace pxe {
constexpr const char* kArch = "arm";
constexpr const char* kSoc = "xen";
constexpr const char* kBoard = "xenguest_arm64";
// U-Boot's MAX_TFTP_PATH_LEN is 127; a candidate longer than that is skipped.
constexpr std::size_t kMaxPath = 127;
constexpr std::size_t kMaxCandidates = 16;
}  // namespace pxe

struct PxeInputs {
    std::string_view bootfile;        // `bootfile`, maybe empty
    std::string_view config_option;   // DHCP option 209, empty if none
    std::string_view path_prefix;     // DHCP option 210, empty if none
    std::string_view uuid;            // `pxeuuid`, empty if none
    const MacAddress* mac = nullptr;  // `ethaddr`, nullptr if none
    Ipv4Address ip;                   // `ipaddr`; any (0) means none
};

struct PxeCandidates {
    std::size_t count = 0;
    std::size_t skipped = 0;  // longer than pxe::kMaxPath
    char names[pxe::kMaxCandidates][pxe::kMaxPath + 1] = {};
};

// The folder every name above (and every file a pxelinux.cfg names, as
// U-Boot's `pxe boot` loads them) is relative to: option 210 when given, else
// `bootfile` up to its last '/', else "" (the server's root). "" also when
// longer than pxe::kMaxPath.
std::string_view pxe_directory(const PxeInputs& in);

// Fills `out` with the names in the order above. Fails only when nothing at
// all can be tried (option 209's name too long).
Status pxe_config_candidates(const PxeInputs& in, PxeCandidates& out);

}  // namespace xb::net
