// One zstd frame at a time with a decoder kept between calls, for btrfs's
// zstd extents: each is one frame of at most 128 KiB (Linux fs/btrfs/zstd.c),
// so a file is hundreds of small frames, and setting up a decoder for each
// (compress/decompress.h does, for kernels) costs more than decoding many of
// them. The decoder's state (~100 KiB) comes from the firmware heap on first
// use and stays until the object goes.
#pragma once

#include <cstdint>
#include <span>

#include "lib/result.h"

namespace xb::compress {

class ZstdFrameDecoder {
  public:
    ZstdFrameDecoder() = default;
    ~ZstdFrameDecoder();
    ZstdFrameDecoder(const ZstdFrameDecoder&) = delete;
    ZstdFrameDecoder& operator=(const ZstdFrameDecoder&) = delete;

    // Decodes the zstd frame at the start of `in` into `out`; returns the
    // bytes written. Bytes after the frame (btrfs pads extents to a sector)
    // are ignored. Data that fits `out` exactly is accepted.
    // Errors:
    //   bad_data  "not zstd data ..." (no frame magic, empty input)
    //   bad_data  "truncated zstd data" / "corrupt zstd data: <zstd's reason>"
    //   no_space  "decompressed data larger than N bytes"
    //   no_memory the decoder's state could not be allocated
    Result<std::uint64_t> decode(std::span<const std::uint8_t> in, std::span<std::uint8_t> out);

  private:
    void* dctx_ = nullptr;  // ZSTD_DCtx*, kept opaque so users need no zstd.h
};

}  // namespace xb::compress
