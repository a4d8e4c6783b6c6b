#include "fs/xfs/inode.h"

#include <cstring>

namespace xb::fs::xfs {

using namespace layout;

NodeType Inode::type() const {
    switch (mode & kModeType) {
        case kModeFile: return NodeType::file;
        case kModeDir: return NodeType::directory;
        case kModeLink: return NodeType::symlink;
        default: return NodeType::other;
    }
}

Result<Inode> read_inode(Volume& vol, std::uint64_t ino) {
    const Superblock& sb = vol.sb();
    std::uint64_t block = 0;
    std::uint32_t offset = 0;
    if (!inode_location(sb, ino, &block, &offset)) {
        return Error::make(Errc::bad_data, "xfs: inode %lu: no such inode number", ino);
    }
    const std::uint8_t* cluster = TRY(vol.metadata_block(block, "an inode"));
    const std::uint8_t* raw = cluster + offset;
    if (be16(raw + di::magic) != di::kMagic) return Error::make(Errc::bad_data, "xfs: inode %lu: bad magic", ino);
    const std::uint8_t version = raw[di::version];
    if (sb.crc ? version != 3 : (version != 1 && version != 2)) {
        return Error::make(Errc::bad_data, "xfs: inode %lu: version %u on a v%u filesystem", ino, version, sb.version);
    }
    if (sb.crc) {
        if (!crc_matches(raw, sb.inode_size, di::crc))
            return Error::make(Errc::bad_data, "xfs: inode %lu: CRC mismatch", ino);
        if (be64(raw + di::ino) != ino) {
            return Error::make(Errc::bad_data, "xfs: inode %lu: records number %lu", ino, be64(raw + di::ino));
        }
    }
    Inode in;
    in.number = ino;
    in.mode = be16(raw + di::mode);
    in.format = raw[di::format];
    in.flags = be16(raw + di::flags);
    in.size = be64(raw + di::size);
    if (in.size >> 63 != 0) return Error::make(Errc::bad_data, "xfs: inode %lu: size %lu", ino, in.size);
    const bool big_counters = version == 3 && (be64(raw + di::flags2) & kFlag2Nrext64) != 0;
    in.extents = big_counters ? be64(raw + di::big_nextents) : be32(raw + di::nextents);

    const std::uint32_t core = version == 3 ? di::kCoreV3 : di::kCoreV2;
    const std::uint32_t literal = sb.inode_size - core;
    const std::uint32_t forkoff = std::uint32_t{raw[di::forkoff]} * 8;
    if (forkoff >= literal) return Error::make(Errc::bad_data, "xfs: inode %lu: fork offset %u", ino, forkoff);
    in.fork_size = forkoff != 0 ? forkoff : literal;
    std::memcpy(in.fork, raw + core, in.fork_size);

    const NodeType type = in.type();
    // Devices, FIFOs and sockets: nothing here reads their fork.
    bool format_ok = type == NodeType::other;
    if (!format_ok) switch (in.format) {
            case kFormatLocal: format_ok = in.size <= in.fork_size; break;
            case kFormatExtents: format_ok = in.extents <= in.fork_size / kExtentSize; break;
            case kFormatBtree: format_ok = true; break;
            default: break;
        }
    if (!format_ok) {
        return Error::make(Errc::bad_data, "xfs: inode %lu: data fork format %u with %lu extents and size %lu", ino,
                           in.format, in.extents, in.size);
    }
    return in;
}

}  // namespace xb::fs::xfs
