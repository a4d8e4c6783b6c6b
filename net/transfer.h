// What the file-transfer protocols (TFTP, HTTP) share: where the file goes,
// how the caller watches it (progress) and stops it (Ctrl-C).
#pragma once

#include <cstdint>

namespace xb::net {

struct TransferCallbacks {
    // Called with the bytes received so far and the total when the peer said
    // it (TFTP tsize, HTTP Content-Length), else 0; at most every
    // `progress_interval_ms`, and once more at the end of a successful transfer.
    void (*progress)(void* context, std::uint64_t bytes, std::uint64_t total) = nullptr;
    // Asked between packets; returning true aborts the transfer with
    // Errc::interrupted (the shell passes its ctrlc() here).
    bool (*cancel)(void* context) = nullptr;
    void* context = nullptr;
    std::uint32_t progress_interval_ms = 500;
};

}  // namespace xb::net
