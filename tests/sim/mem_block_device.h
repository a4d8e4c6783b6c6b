// An in-memory disk for tests: a BlockDevice over a byte vector, with fault
// injection (reads of chosen blocks fail) and a claimed size that may exceed
// the image (reads past the image fail, like a truncated image file). Also
// writers that lay out MBR/EBR and GPT structures on it, computed
// independently of the code under test (zlib's crc32 directly).
#pragma once

#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "lib/block_device.h"

namespace xb::sim {

class MemBlockDevice final : public BlockDevice {
  public:
    // A zero-filled disk of `blocks` blocks.
    MemBlockDevice(std::string name, std::uint32_t block_size, std::uint64_t blocks)
        : name_(std::move(name)), block_size_(block_size), blocks_(blocks), data_(block_size * blocks) {}

    // A disk holding `image` (zero-padded to whole blocks) that claims
    // `claimed_blocks` blocks (0: just the image's).
    static MemBlockDevice from_image(std::string name, std::uint32_t block_size, std::vector<std::uint8_t> image,
                                     std::uint64_t claimed_blocks = 0) {
        const std::uint64_t image_blocks = (image.size() + block_size - 1) / block_size;
        MemBlockDevice d(std::move(name), block_size, 0);
        image.resize(image_blocks * block_size);
        d.data_ = std::move(image);
        d.blocks_ = claimed_blocks > image_blocks ? claimed_blocks : image_blocks;
        return d;
    }

    const char* name() const override { return name_.c_str(); }
    std::uint32_t block_size() const override { return block_size_; }
    std::uint64_t block_count() const override { return blocks_; }
    bool read_only() const override { return read_only_; }

    Status read(std::uint64_t block, std::uint64_t count, void* buf) override {
        ++reads_;
        TRY(check(block, count));
        for (std::uint64_t i = 0; i < count; ++i) {
            if (failing_.count(block + i) != 0) {
                return Error::make(Errc::io, "%s: I/O error at block %lu (injected)", name(), block + i);
            }
            if ((block + i + 1) * block_size_ > data_.size()) {
                return Error::make(Errc::io, "%s: I/O error at block %lu (past the image)", name(), block + i);
            }
        }
        std::memcpy(buf, data_.data() + block * block_size_, count * block_size_);
        return ok();
    }

    Status write(std::uint64_t block, std::uint64_t count, const void* buf) override {
        if (read_only_) return Error::make(Errc::invalid_argument, "%s: read-only", name());
        TRY(check(block, count));
        if ((block + count) * block_size_ > data_.size()) {
            return Error::make(Errc::io, "%s: write past the image at block %lu", name(), block);
        }
        std::memcpy(data_.data() + block * block_size_, buf, count * block_size_);
        return ok();
    }

    void fail_reads_of(std::uint64_t block) { failing_.insert(block); }
    void set_read_only(bool ro) { read_only_ = ro; }
    std::uint64_t reads() const { return reads_; }
    std::uint8_t* block(std::uint64_t n) { return data_.data() + n * block_size_; }
    std::vector<std::uint8_t>& bytes() { return data_; }

  private:
    Status check(std::uint64_t block, std::uint64_t count) const {
        if (block > blocks_ || count > blocks_ - block) {
            return Error::make(Errc::invalid_argument, "%s: blocks %lu+%lu are beyond its %lu blocks", name(), block,
                               count, blocks_);
        }
        return ok();
    }

    std::string name_;
    std::uint32_t block_size_;
    std::uint64_t blocks_;
    std::vector<std::uint8_t> data_;
    std::set<std::uint64_t> failing_;
    bool read_only_ = false;
    std::uint64_t reads_ = 0;
};

// ---- Laying out partition tables (MBR/EBR: the PC layout; GPT: UEFI 2.x ch. 5).

inline void put_le16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v);
    p[1] = static_cast<std::uint8_t>(v >> 8);
}
inline void put_le32(std::uint8_t* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
inline void put_le64(std::uint8_t* p, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

struct MbrEntry {
    std::uint8_t type = 0;
    std::uint32_t first = 0;
    std::uint32_t count = 0;
    std::uint8_t boot = 0;  // 0x80: bootable
};

// Writes an MBR or EBR (four entries + 0x55aa) into block `at`; entries beyond
// the given ones are cleared.
inline void write_mbr(MemBlockDevice& d, std::uint64_t at, const std::vector<MbrEntry>& entries,
                      std::uint32_t disk_signature = 0) {
    std::uint8_t* b = d.block(at);
    put_le32(b + 440, disk_signature);
    std::memset(b + 446, 0, 64);
    for (std::size_t i = 0; i < entries.size() && i < 4; ++i) {
        std::uint8_t* e = b + 446 + 16 * i;
        e[0] = entries[i].boot;
        e[4] = entries[i].type;
        put_le32(e + 8, entries[i].first);
        put_le32(e + 12, entries[i].count);
    }
    b[510] = 0x55;
    b[511] = 0xaa;
}

// A GUID from its text form, in GPT byte order (first three fields little-endian).
inline void put_guid(std::uint8_t* p, const std::string& text) {
    static const int kOrder[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    std::string hex;
    for (char c : text) {
        if (c != '-') hex += c;
    }
    for (int i = 0; i < 16; ++i)
        p[kOrder[i]] = static_cast<std::uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
}

struct GptPart {
    std::string type;  // type GUID text
    std::string uuid;
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    std::uint64_t attributes = 0;
    std::u16string name;
    std::uint32_t index = ~0u;  // entry slot; default: the next one
};

struct GptLayout {
    std::uint32_t entry_count = 128;
    std::uint32_t entry_size = 128;
    std::string disk_guid = "0a0b0c0d-1122-4344-8586-a7a8a9aaabac";
};

struct GptInfo {
    std::uint64_t primary = 1;
    std::uint64_t backup = 0;
    std::uint64_t primary_entries = 2;
    std::uint64_t backup_entries = 0;
    std::uint64_t array_blocks = 0;
    std::uint64_t first_usable = 0;
    std::uint64_t last_usable = 0;
};

// Writes a protective MBR, the primary header + array at blocks 1 and 2, and the
// backup array + header at the end of the disk.
inline GptInfo write_gpt(MemBlockDevice& d, const std::vector<GptPart>& parts, const GptLayout& layout = {}) {
    const std::uint32_t bs = d.block_size();
    const std::uint64_t last = d.block_count() - 1;
    GptInfo info;
    const std::uint64_t array_bytes = std::uint64_t{layout.entry_count} * layout.entry_size;
    info.array_blocks = (array_bytes + bs - 1) / bs;
    info.backup = last;
    info.backup_entries = last - info.array_blocks;
    info.first_usable = 2 + info.array_blocks;
    info.last_usable = info.backup_entries - 1;

    std::vector<std::uint8_t> array(info.array_blocks * bs);
    std::uint32_t next = 0;
    for (const GptPart& p : parts) {
        const std::uint32_t slot = p.index != ~0u ? p.index : next;
        next = slot + 1;
        std::uint8_t* e = array.data() + std::uint64_t{slot} * layout.entry_size;
        put_guid(e, p.type);
        put_guid(e + 16, p.uuid);
        put_le64(e + 32, p.first);
        put_le64(e + 40, p.last);
        put_le64(e + 48, p.attributes);
        for (std::size_t i = 0; i < p.name.size() && i < 36; ++i) put_le16(e + 56 + 2 * i, p.name[i]);
    }
    const auto array_crc = static_cast<std::uint32_t>(::crc32(0, array.data(), static_cast<uInt>(array_bytes)));

    write_mbr(d, 0, {{0xee, 1, static_cast<std::uint32_t>(last > 0xffffffffu ? 0xffffffffu : last), 0}});
    auto header = [&](std::uint64_t at, std::uint64_t alternate, std::uint64_t entries) {
        std::uint8_t* h = d.block(at);
        std::memset(h, 0, bs);
        std::memcpy(h, "EFI PART", 8);
        put_le32(h + 8, 0x00010000);
        put_le32(h + 12, 92);
        put_le64(h + 24, at);
        put_le64(h + 32, alternate);
        put_le64(h + 40, info.first_usable);
        put_le64(h + 48, info.last_usable);
        put_guid(h + 56, layout.disk_guid);
        put_le64(h + 72, entries);
        put_le32(h + 80, layout.entry_count);
        put_le32(h + 84, layout.entry_size);
        put_le32(h + 88, array_crc);
        put_le32(h + 16, static_cast<std::uint32_t>(::crc32(0, h, 92)));
        std::memcpy(d.block(entries), array.data(), array.size());
    };
    header(1, last, 2);
    header(last, 1, info.backup_entries);
    return info;
}

// Recomputes the CRC of the GPT header at `at` after a test edited it.
inline void reseal_gpt_header(MemBlockDevice& d, std::uint64_t at) {
    std::uint8_t* h = d.block(at);
    put_le32(h + 16, 0);
    const std::uint32_t size = h[12] | h[13] << 8 | h[14] << 16 | static_cast<std::uint32_t>(h[15]) << 24;
    put_le32(h + 16, static_cast<std::uint32_t>(::crc32(0, h, size)));
}

}  // namespace xb::sim
