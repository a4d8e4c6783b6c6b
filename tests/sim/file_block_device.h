// A BlockDevice over an image file on the host, read with pread: for images
// too big to hold in memory (sparse multi-GiB filesystems) and for measuring
// how many device reads a filesystem issues.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "lib/block_device.h"

namespace xb::sim {

class FileBlockDevice final : public BlockDevice {
  public:
    FileBlockDevice(const std::string& path, std::uint32_t block_size) : name_(path), block_size_(block_size) {
        fd_ = ::open(path.c_str(), O_RDONLY);
        struct stat st {};
        if (fd_ >= 0 && ::fstat(fd_, &st) == 0) blocks_ = static_cast<std::uint64_t>(st.st_size) / block_size;
    }
    ~FileBlockDevice() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileBlockDevice(const FileBlockDevice&) = delete;
    FileBlockDevice& operator=(const FileBlockDevice&) = delete;

    bool is_open() const { return fd_ >= 0; }
    const char* name() const override { return name_.c_str(); }
    std::uint32_t block_size() const override { return block_size_; }
    std::uint64_t block_count() const override { return blocks_; }
    bool read_only() const override { return true; }

    Status read(std::uint64_t block, std::uint64_t count, void* buf) override {
        ++reads_;
        if (block > blocks_ || count > blocks_ - block) {
            return Error::make(Errc::invalid_argument, "%s: blocks %lu+%lu are beyond its %lu blocks", name(), block,
                               count, blocks_);
        }
        auto* out = static_cast<char*>(buf);
        std::uint64_t done = 0;
        const std::uint64_t total = count * block_size_;
        while (done < total) {
            const ssize_t n = ::pread(fd_, out + done, total - done, static_cast<off_t>(block * block_size_ + done));
            if (n <= 0) {
                return Error::make(Errc::io, "%s: I/O error at block %lu", name(), block + done / block_size_);
            }
            done += static_cast<std::uint64_t>(n);
        }
        bytes_read_ += total;
        return ok();
    }
    Status write(std::uint64_t, std::uint64_t, const void*) override {
        return Error::make(Errc::invalid_argument, "%s: read-only", name());
    }

    std::uint64_t reads() const { return reads_; }
    std::uint64_t bytes_read() const { return bytes_read_; }

  private:
    std::string name_;
    std::uint32_t block_size_;
    std::uint64_t blocks_ = 0;
    int fd_ = -1;
    std::uint64_t reads_ = 0;
    std::uint64_t bytes_read_ = 0;
};

}  // namespace xb::sim
