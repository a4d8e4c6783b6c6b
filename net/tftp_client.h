// TFTP client, read side only: fetches one file into a caller-given memory
// range over a DatagramSocket (net/transport.h).
//
// Protocol: RFC 1350 (TFTP rev. 2, octet mode), with the option extension of
// RFC 2347 (RRQ options, OACK), blksize (RFC 2348, 8..65464), timeout and tsize
// (RFC 2349) and windowsize (RFC 7440, 1..65535 blocks per ACK). Defaults and
// limits follow U-Boot's legacy client (net/tftp.c, doc/usage/environment.rst):
// `tftpblocksize` 1468, `tftpwindowsize` 1, `tftptimeout` 5000 ms (at least
// 1000), `tftptimeoutcountmax` 10.
//
// Everything the server sends is untrusted: the transfer never writes outside
// [dest.data(), dest.data() + dest.size()), every wait has a deadline, and a
// flood of packets that do not move the transfer forward cannot extend it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "lib/result.h"
#include "net/transfer.h"
#include "net/transport.h"

namespace xb::net {

namespace tftp {
constexpr std::uint16_t kPort = 69;
constexpr std::uint16_t kDefaultBlockSize = 512;  // RFC 1350, and what an option-less server sends
constexpr std::uint16_t kMinBlockSize = 8;        // RFC 2348
constexpr std::uint16_t kMaxBlockSize = 65464;    // RFC 2348
constexpr std::uint32_t kMinTimeoutMs = 1000;     // U-Boot's `tftptimeout` floor; RFC 2349's 1 s
constexpr std::size_t kMaxFilename = 255;
// RRQ + DATA/ACK header: a packet buffer of blksize + 4 bytes holds any DATA.
constexpr std::size_t kHeader = 4;
}  // namespace tftp

struct TftpOptions {
    std::uint16_t block_size = 1468;  // asked for when != 512; 8..65464
    std::uint16_t window_size = 1;    // asked for when > 1; 1..65535
    std::uint32_t timeout_ms = 5000;  // retransmit after this; raised to 1000 if lower
    std::uint32_t max_retries = 10;   // retransmissions in a row before giving up
    bool ask_tsize = true;            // RFC 2349 "tsize 0": the server says the size up front
    bool ask_timeout = true;          // RFC 2349 "timeout <s>": the server's retransmit timer
};

struct TftpRequest {
    Endpoint server;  // port 69 normally; the server answers from another port (its TID)
    const char* filename = nullptr;
    std::span<std::uint8_t> dest;  // the file goes here, from the start
    // Scratch for one packet: at least 516 bytes. A smaller blksize than asked
    // for in `options` is requested when it cannot hold blksize + 4 bytes.
    std::span<std::uint8_t> packet;
    TftpOptions options;
    TransferCallbacks callbacks;
};

struct TftpResult {
    std::uint64_t bytes = 0;
    std::uint64_t blocks = 0;       // DATA blocks written (not counting duplicates)
    std::uint64_t retransmits = 0;  // RRQ/ACKs sent again after a timeout
    std::uint64_t duplicates = 0;   // DATA blocks received again or out of order
    std::uint64_t ignored = 0;      // short, truncated or unknown packets, and packets from strangers
    std::uint64_t elapsed_ms = 0;
    std::uint64_t tsize = 0;  // the size the server announced (0: none)
    std::uint16_t block_size = 0;
    std::uint16_t window_size = 0;
};

// Reads `request.filename` from the server. Errors name the file and server:
//   Errc::timeout      no answer after max_retries retransmissions
//   Errc::not_found    the server's ERROR 1 (and the server's other errors: Errc::io)
//   Errc::no_space     the file (or its tsize) does not fit in `dest`
//   Errc::bad_data     an OACK with options we did not ask for, or out of range
//   Errc::interrupted  the cancel callback said stop
// On every failure after the first answer the server gets an ERROR packet,
// so it stops retransmitting.
Result<TftpResult> tftp_read(DatagramSocket& socket, const TftpRequest& request);

}  // namespace xb::net
