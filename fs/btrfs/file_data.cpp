#include "fs/btrfs/file_data.h"

#include <cstring>
#include <new>

#include "compress/zstd_frame.h"
#include "compress/inflate_zlib.h"
#include "fs/btrfs/layout.h"
#include "fs/btrfs/lzo_frames.h"
#include "fs/btrfs/tree.h"
#include "lib/endian.h"

namespace xb::fs::btrfs {

using namespace layout;

namespace {
std::uint64_t min(std::uint64_t a, std::uint64_t b) { return a < b ? a : b; }

Result<std::uint64_t> run_decompressor(std::uint8_t method, std::span<const std::uint8_t> in,
                                       std::span<std::uint8_t> out, std::uint32_t sector_size,
                                       compress::ZstdFrameDecoder& zstd) {
    switch (method) {
        case kCompressZlib: return compress::inflate_zlib(in, out);
        case kCompressLzo: return unlzo_extent(in, out, sector_size);
        case kCompressZstd: return zstd.decode(in, out);
        default: return Error::make(Errc::unsupported, "btrfs: compression type %u", method);
    }
}
}  // namespace

// One EXTENT_DATA item, copied out of the leaf (searches move the cache).
struct FileData::Extent {
    std::uint64_t start = 0;  // file offset (the key's offset)
    std::uint64_t length = 0;
    std::uint8_t type = 0;
    std::uint8_t compression = 0;
    std::uint64_t ram_bytes = 0;
    std::uint64_t disk_bytenr = 0;
    std::uint64_t disk_num_bytes = 0;
    std::uint64_t offset = 0;  // into the (decompressed) disk extent
};

FileData::~FileData() {
    delete[] packed_;
    delete[] unpacked_;
    delete[] window_;
}

Status FileData::allocate() {
    if (packed_ == nullptr) packed_ = new (std::nothrow) std::uint8_t[kMaxCompressed];
    if (unpacked_ == nullptr) unpacked_ = new (std::nothrow) std::uint8_t[kMaxCompressed];
    if (packed_ == nullptr || unpacked_ == nullptr) {
        return Error::make(Errc::no_memory, "btrfs: no memory for the compressed extent buffers");
    }
    // The window only saves device reads: without the memory, extents are read one by one.
    if (window_ == nullptr) {
        for (const std::uint64_t size : {kWindow, kSmallWindow}) {
            window_ = new (std::nothrow) std::uint8_t[size];
            if (window_ != nullptr) {
                window_size_ = size;
                break;
            }
        }
    }
    return ok();
}

Status FileData::decompress(std::uint8_t method, std::span<const std::uint8_t> in, std::uint8_t* out,
                            std::uint64_t ram_bytes) {
    if (out == unpacked_) cached_bytenr_ = 0;
    const Result<std::uint64_t> n = run_decompressor(method, in, {out, ram_bytes}, vol_.sb().sector_size, zstd_);
    if (!n.ok()) {
        if (n.error().code() == Errc::no_memory) return n.error();
        return Error::make(Errc::bad_data, "btrfs: %s", n.error().message());
    }
    // Data that decompresses short reads as zeros after its end, as in Linux.
    std::memset(out + n.value(), 0, ram_bytes - n.value());
    return ok();
}

// The extent's bytes as stored: from the read-ahead window, which is refilled
// from the extent's start to the end of the window or of its chunk, whichever
// comes first; or, when that cannot hold it, read alone into packed_.
Result<const std::uint8_t*> FileData::packed(const Extent& e) {
    if (window_len_ != 0 && e.disk_bytenr >= window_logical_ && e.disk_bytenr - window_logical_ <= window_len_ &&
        e.disk_num_bytes <= window_len_ - (e.disk_bytenr - window_logical_)) {
        return window_ + (e.disk_bytenr - window_logical_);
    }
    if (window_ != nullptr) {
        window_len_ = 0;
        const Volume::Mapping m = TRY(vol_.map(e.disk_bytenr));
        const std::uint64_t len = min(window_size_, m.contiguous);
        // A window that runs past the device (a damaged chunk) is not an error
        // for this extent: it is then read alone, with its own error if any.
        if (len >= e.disk_num_bytes && vol_.read_physical(m.physical, len, window_).ok()) {
            window_logical_ = e.disk_bytenr;
            window_len_ = len;
            return window_;
        }
    }
    TRY(vol_.read_logical(e.disk_bytenr, e.disk_num_bytes, packed_));
    return packed_;
}

Status FileData::copy_compressed(const Extent& e, std::uint64_t from, std::uint64_t n, std::uint8_t* dst) {
    TRY(allocate());
    const bool cached = cached_bytenr_ == e.disk_bytenr && cached_disk_bytes_ == e.disk_num_bytes &&
                        cached_ram_bytes_ == e.ram_bytes && cached_method_ == e.compression;
    if (cached) {
        std::memcpy(dst, unpacked_ + e.offset + from, n);
        return ok();
    }
    const std::uint8_t* in = TRY(packed(e));
    if (e.offset == 0 && from == 0 && n == e.ram_bytes) {
        // The request wants the whole extent: no copy, nothing to keep.
        return decompress(e.compression, {in, e.disk_num_bytes}, dst, e.ram_bytes);
    }
    TRY(decompress(e.compression, {in, e.disk_num_bytes}, unpacked_, e.ram_bytes));
    cached_bytenr_ = e.disk_bytenr;
    cached_disk_bytes_ = e.disk_num_bytes;
    cached_ram_bytes_ = e.ram_bytes;
    cached_method_ = e.compression;
    std::memcpy(dst, unpacked_ + e.offset + from, n);
    return ok();
}

Result<std::uint64_t> FileData::read(const TreeRoot& tree, std::uint64_t ino, std::uint64_t size, std::uint64_t offset,
                                     std::span<std::uint8_t> buf) {
    if (offset >= size) return std::uint64_t{0};
    const std::uint64_t total = min(size - offset, buf.size());
    const std::uint64_t end = offset + total;
    std::uint8_t* dst = buf.data();

    // Logical bytes not yet read: one read_logical once they stop being contiguous.
    std::uint64_t pending_logical = 0, pending_len = 0;
    std::uint8_t* pending_dst = nullptr;
    auto flush = [&]() -> Status {
        if (pending_len != 0) {
            TRY_CTX(vol_.read_logical(pending_logical, pending_len, pending_dst), "btrfs: reading inode %lu", ino);
        }
        pending_len = 0;
        return ok();
    };

    std::uint64_t pos = offset;
    // Every round moves pos forward by at least one byte, and by a whole
    // extent or gap unless the end of the request comes first.
    while (pos < end) {
        Item item;
        const bool found = TRY(search_le(vol_, tree, Key{ino, kExtentData, pos}, item)) && item.key.objectid == ino &&
                           item.key.type == kExtentData;
        if (found) {
            const std::uint8_t* d = item.data;
            if (item.size < kFeInlineData) {
                return Error::make(Errc::bad_data, "btrfs: inode %lu: extent item at %lu of %u bytes", ino,
                                   item.key.offset, item.size);
            }
            Extent e;
            e.start = item.key.offset;
            e.type = d[kFeType];
            e.compression = d[kFeCompression];
            e.ram_bytes = load_le64(d + kFeRamBytes);
            if (d[kFeEncryption] != 0 || load_le16(d + kFeOtherEncoding) != 0) {
                return Error::make(Errc::unsupported, "btrfs: inode %lu: encrypted or encoded extent at %lu", ino,
                                   e.start);
            }
            if (e.compression > kCompressZstd) {
                return Error::make(Errc::unsupported, "btrfs: inode %lu: compression type %u at %lu", ino,
                                   e.compression, e.start);
            }
            if (e.type == kExtentInline) {
                const std::uint32_t stored = item.size - kFeInlineData;
                e.length = e.compression == kCompressNone ? stored : e.ram_bytes;
                if (e.length > kMaxCompressed || e.length == 0) {
                    return Error::make(Errc::bad_data, "btrfs: inode %lu: inline extent of %lu bytes", ino, e.length);
                }
            } else if (e.type == kExtentRegular || e.type == kExtentPrealloc) {
                if (item.size < kFeRegularSize) {
                    return Error::make(Errc::bad_data, "btrfs: inode %lu: extent item at %lu of %u bytes", ino, e.start,
                                       item.size);
                }
                e.disk_bytenr = load_le64(d + kFeDiskBytenr);
                e.disk_num_bytes = load_le64(d + kFeDiskNumBytes);
                e.offset = load_le64(d + kFeOffset);
                e.length = load_le64(d + kFeNumBytes);
                if (e.length == 0) {
                    return Error::make(Errc::bad_data, "btrfs: inode %lu: empty extent at %lu", ino, e.start);
                }
            } else {
                return Error::make(Errc::bad_data, "btrfs: inode %lu: extent type %u at %lu", ino, e.type, e.start);
            }
            if (e.start + e.length < e.start) {
                return Error::make(Errc::bad_data, "btrfs: inode %lu: extent at %lu of %lu bytes wraps", ino, e.start,
                                   e.length);
            }
            if (pos < e.start + e.length) {
                const std::uint64_t from = pos - e.start;  // into the extent's file range
                const std::uint64_t n = min(end, e.start + e.length) - pos;
                if (e.type == kExtentInline) {
                    const std::uint8_t* data = d + kFeInlineData;
                    const std::uint32_t stored = item.size - kFeInlineData;
                    if (e.compression == kCompressNone) {
                        std::memcpy(dst, data + from, n);
                    } else {
                        TRY(allocate());
                        // The item points into the node cache; decompression reads no nodes.
                        TRY_CTX(decompress(e.compression, {data, stored}, unpacked_, e.ram_bytes),
                                "btrfs: inode %lu: inline extent", ino);
                        std::memcpy(dst, unpacked_ + from, n);
                    }
                } else if (e.type == kExtentPrealloc || e.disk_bytenr == 0) {
                    std::memset(dst, 0, n);  // prealloc and explicit holes read as zeros
                } else if (e.compression == kCompressNone) {
                    if (e.offset > e.disk_num_bytes || e.length > e.disk_num_bytes - e.offset) {
                        return Error::make(Errc::bad_data,
                                           "btrfs: inode %lu: extent at %lu (%lu bytes at offset %lu) outside its "
                                           "disk extent of %lu bytes",
                                           ino, e.start, e.length, e.offset, e.disk_num_bytes);
                    }
                    if (e.disk_bytenr + e.disk_num_bytes < e.disk_bytenr) {
                        return Error::make(Errc::bad_data, "btrfs: inode %lu: disk extent at %lu wraps", ino,
                                           e.disk_bytenr);
                    }
                    const std::uint64_t logical = e.disk_bytenr + e.offset + from;
                    if (pending_len != 0 &&
                        (pending_logical + pending_len != logical || pending_dst + pending_len != dst)) {
                        TRY(flush());
                    }
                    if (pending_len == 0) {
                        pending_logical = logical;
                        pending_dst = dst;
                    }
                    pending_len += n;
                } else {
                    if (e.disk_num_bytes == 0 || e.disk_num_bytes > kMaxCompressed || e.ram_bytes > kMaxCompressed ||
                        e.offset > e.ram_bytes || e.length > e.ram_bytes - e.offset) {
                        return Error::make(Errc::bad_data,
                                           "btrfs: inode %lu: compressed extent at %lu: %lu bytes on disk, %lu "
                                           "decompressed, %lu used from %lu",
                                           ino, e.start, e.disk_num_bytes, e.ram_bytes, e.length, e.offset);
                    }
                    TRY_CTX(copy_compressed(e, from, n, dst), "btrfs: inode %lu: extent at %lu", ino, e.start);
                }
                pos += n;
                dst += n;
                continue;
            }
        }
        // A gap (no-holes): zeros up to the next extent.
        Item next;
        std::uint64_t gap_end = end;
        if (TRY(search_ge(vol_, tree, Key{ino, kExtentData, pos + 1}, next)) && next.key.objectid == ino &&
            next.key.type == kExtentData) {
            gap_end = min(end, next.key.offset);
        }
        std::memset(dst, 0, gap_end - pos);
        dst += gap_end - pos;
        pos = gap_end;
    }
    TRY(flush());
    return total;
}

}  // namespace xb::fs::btrfs
