// Shared by compress/decompress*.cpp only: one decoder per format and the
// progress ticker they all use. Not part of the loader's interface.
#pragma once

#include <cstdint>
#include <span>

#include "lib/result.h"
#include "compress/decompress.h"

namespace xb::compress::detail {

inline std::uint64_t min_u64(std::uint64_t a, std::uint64_t b) { return a < b ? a : b; }

// Calls progress->keep_going each time the output passes another `every_bytes`.
class Ticker {
  public:
    Ticker(const DecompressProgress* progress, const char* name);
    // The output step between reports (never 0), for decoders that bound
    // their output per call.
    std::uint64_t step() const { return step_; }
    // interrupted "NAME decompression interrupted after N bytes" if the user
    // asked to stop.
    Status tick(std::uint64_t out_pos);

  private:
    const DecompressProgress* progress_;
    const char* name_;
    std::uint64_t step_;
    std::uint64_t next_;
};

Result<std::uint64_t> unzstd(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, Ticker& ticker);
Result<std::uint64_t> unxz(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, Ticker& ticker);
Result<std::uint64_t> unlzma(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, Ticker& ticker);
Result<std::uint64_t> unlz4(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, Ticker& ticker);

bool is_zstd_frame(std::span<const std::uint8_t> data);
bool is_xz_stream(std::span<const std::uint8_t> data);
bool is_lzma_alone(std::span<const std::uint8_t> data);
bool is_lz4_legacy(std::span<const std::uint8_t> data);

}  // namespace xb::compress::detail
