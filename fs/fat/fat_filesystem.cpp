#include "fs/fat/fat_filesystem.h"

#include <new>

#include "fs/fat/fat.h"

namespace xb::fs::fat {
namespace {

// Heap-allocated scratch (DirReader is ~6 KiB: too big for the firmware
// stack), freed on every path out.
template <typename T>
class HeapObject {
  public:
    template <typename... Args>
    explicit HeapObject(Args&&... args) : p_(new (std::nothrow) T(static_cast<Args&&>(args)...)) {}
    ~HeapObject() { delete p_; }
    HeapObject(const HeapObject&) = delete;
    HeapObject& operator=(const HeapObject&) = delete;
    T* get() { return p_; }
    T* operator->() { return p_; }

  private:
    T* p_;
};

Error no_memory(const char* what) { return Error::make(Errc::no_memory, "FAT: no memory for %s", what); }

}  // namespace

FatFilesystem::FatFilesystem(BlockDevice& dev, const Geometry& geometry) : vol_(dev, geometry) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::size_t n = 0;
    for (int shift = 28; shift >= 0; shift -= 4) {
        uuid_[n++] = kHex[(geometry.serial >> shift) & 0xf];
        if (shift == 16) uuid_[n++] = '-';
    }
    uuid_[n] = '\0';
}

std::string_view FatFilesystem::label() const {
    if (!label_read_) {
        // GRUB's fs_label: the first volume-label entry of the root directory
        // (not the boot sector's BS_VolLab), or none.
        HeapObject<DirReader> reader(vol_, kRootId);
        if (reader.get() == nullptr) return "";  // tried again next time
        DirItem item;
        while (!reader->has_volume_label()) {
            Result<bool> more = reader->next(item);
            if (!more.ok() || !more.value()) break;
        }
        const std::string_view found = reader->volume_label();
        for (std::size_t i = 0; i < found.size(); ++i) label_[i] = found[i];
        label_len_ = static_cast<std::uint8_t>(found.size());
        label_read_ = true;
    }
    return std::string_view(label_, label_len_);
}

Result<Node> FatFilesystem::find(const Node& dir, std::string_view name, std::string_view path, std::size_t end) {
    HeapObject<DirReader> reader(vol_, dir.id);
    if (reader.get() == nullptr) return no_memory("a directory reader");
    DirItem item;
    while (TRY_CTX(reader->next(item), "%.*s", static_cast<int>(end), path.data())) {
        if (names_equal_ignoring_case(name, item.long_name) || names_equal_ignoring_case(name, item.short_name)) {
            return item.node;
        }
    }
    return Error::make(Errc::not_found, "%.*s: not found", static_cast<int>(end), path.data());
}

Result<Node> FatFilesystem::lookup(std::string_view path) {
    Node node{kRootId, 0, NodeType::directory};
    std::size_t i = 0;
    while (i < path.size()) {
        if (path[i] == '/') {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < path.size() && path[end] != '/') ++end;
        const std::string_view name = path.substr(i, end - i);
        const std::size_t parent_end = i;
        i = end;
        if (name == ".") continue;
        if (node.type != NodeType::directory) {
            std::size_t shown = parent_end;
            while (shown > 1 && path[shown - 1] == '/') --shown;
            return Error::make(Errc::not_found, "%.*s: not a directory", static_cast<int>(shown), path.data());
        }
        // ".." goes up through the directory's own ".." entry; the root has none
        // and stays where it is.
        if (name == ".." && node.id == kRootId) continue;
        node = TRY(find(node, name, path, end));
    }
    return node;
}

Status FatFilesystem::list(const Node& dir, DirVisitor& visitor) {
    if (dir.type != NodeType::directory) return Error::make(Errc::invalid_argument, "FAT: not a directory");
    HeapObject<DirReader> reader(vol_, dir.id);
    if (reader.get() == nullptr) return no_memory("a directory reader");
    DirItem item;
    while (TRY(reader->next(item))) {
        if (!visitor.visit(DirEntry{item.name(), item.node})) break;
    }
    return ok();
}

Result<ChainWalker> FatFilesystem::seek(std::uint32_t first, std::uint64_t index, std::uint64_t size) {
    ChainWalker w = have_cursor_ && cursor_.first() == first && cursor_.index() <= index
                        ? cursor_
                        : ChainWalker(vol_.fat, vol_.geo, first);
    while (w.index() < index) {
        if (!TRY(w.advance())) {
            return Error::make(Errc::bad_data,
                               "file at cluster %u: its cluster chain ends at cluster %u after %lu clusters, "
                               "short of its size %lu",
                               first, w.cluster(), w.index() + 1, size);
        }
    }
    return w;
}

Result<std::uint64_t> FatFilesystem::read(const Node& file, std::uint64_t offset, std::span<std::uint8_t> buf) {
    if (file.type != NodeType::file) return Error::make(Errc::invalid_argument, "FAT: not a file");
    const Geometry& g = vol_.geo;
    const std::uint64_t size = file.size;
    if (offset >= size || buf.empty()) return std::uint64_t{0};
    if (file.id == 0) return Error::make(Errc::bad_data, "file of %lu bytes has no clusters", size);
    if (file.id > 0xffffffff || !g.valid_cluster(static_cast<std::uint32_t>(file.id))) {
        return Error::make(Errc::bad_data, "file's first cluster %lu is outside 2..%u", file.id, g.last_cluster());
    }
    const auto first = static_cast<std::uint32_t>(file.id);
    const std::uint64_t cb = g.cluster_bytes;
    if ((size - 1) / cb >= g.cluster_count) {
        return Error::make(Errc::bad_data, "file at cluster %u: its size %lu is more than the volume's clusters hold",
                           first, size);
    }
    const std::uint64_t n = buf.size() < size - offset ? buf.size() : size - offset;

    ChainWalker w = TRY(seek(first, offset / cb, size));
    std::uint64_t done = 0;
    while (done < n) {
        // Grow a run of physically consecutive clusters until it covers what
        // is wanted or the chain jumps; `w` then sits on the jump target.
        const std::uint32_t run_first = w.cluster();
        const std::uint64_t skip = (offset + done) % cb;
        const std::uint64_t want = n - done;
        std::uint64_t run = 1;
        while (run * cb - skip < want) {
            if (!TRY(w.advance())) {
                return Error::make(Errc::bad_data,
                                   "file at cluster %u: its cluster chain ends at cluster %u after %lu clusters, "
                                   "short of its size %lu",
                                   first, w.cluster(), w.index() + 1, size);
            }
            if (w.cluster() != run_first + run) break;
            ++run;
        }
        const std::uint64_t avail = run * cb - skip;
        const std::uint64_t bytes = avail < want ? avail : want;
        TRY_CTX(vol_.reader.read(g.cluster_offset(run_first) + skip, bytes, buf.data() + done, "file data"),
                "file at cluster %u", first);
        done += bytes;
    }
    if (offset + n == size) {
        // The whole file is read: its chain must end here. A chain that goes
        // on is followed to its end so that a loop (which could also have
        // repeated clusters inside the file) is caught by the walker.
        while (TRY(w.advance())) {}
    }
    cursor_ = w;
    have_cursor_ = true;
    return n;
}

Result<Filesystem*> mount(BlockDevice& dev) {
    TRY(VolumeReader::check_device(dev));
    const std::uint32_t bs = dev.block_size();
    auto* block = new (std::nothrow) std::uint8_t[bs];
    if (block == nullptr) return no_memory("the boot sector");
    const Status read = dev.read(0, 1, block);
    if (!read.ok()) {
        delete[] block;
        Error e = read.error();
        e.prefix("reading the FAT boot sector");
        return e;
    }
    const std::uint64_t count = dev.block_count();
    const std::uint64_t device_bytes = count > ~std::uint64_t{0} / bs ? ~std::uint64_t{0} : count * bs;
    Result<Geometry> geometry = parse_boot_sector(block, device_bytes);
    delete[] block;
    if (!geometry.ok()) return geometry.error();
    auto* fs = new (std::nothrow) FatFilesystem(dev, geometry.value());
    if (fs == nullptr) return no_memory("the filesystem");
    return static_cast<Filesystem*>(fs);
}

}  // namespace xb::fs::fat
