// Fuzzes the TFTP client against a hostile server: the input sets the
// client's options and the size of the target range, then scripts what
// arrives, one datagram per receive (from the server's TID, from a stranger,
// or nothing: a timeout on the virtual clock). The client must end (it has at
// most 3 tries per packet) and never write outside its range: guard bytes
// after the range must stay as they were.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "arch/host/virtual_clock.h"
#include "net/tftp_client.h"

namespace {

using namespace xb;
using namespace xb::net;

constexpr Endpoint kServer{Ipv4Address{0x0A090001}, 69};
constexpr std::size_t kGuard = 64;

class ScriptedSocket final : public DatagramSocket {
  public:
    ScriptedSocket(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    std::uint16_t local_port() const override { return 40000; }
    Status send_to(Endpoint, std::span<const std::uint8_t> payload) override {
        if (payload.size() > 65507) std::abort();
        return {};
    }
    // Each step: a control byte (bit 0: from a stranger's port, bit 1: from
    // another host, bit 2: nothing arrives), a 16-bit length, the bytes.
    Result<Received> receive(std::span<std::uint8_t> buf, Deadline until) override {
        if (until.is_never()) std::abort();  // every wait has a deadline
        if (at_ >= size_ || ++steps_ > 4096) return expire(until);
        const std::uint8_t ctrl = data_[at_++];
        if ((ctrl & 4U) != 0) return expire(until);
        std::size_t len = 0;
        if (at_ + 2 <= size_) {
            len = static_cast<std::size_t>(data_[at_] << 8 | data_[at_ + 1]);
            at_ += 2;
        }
        if (len > size_ - at_) len = size_ - at_;
        Received r;
        r.from = kServer;
        r.from.port = (ctrl & 1U) != 0 ? 50001 : 50000;
        if ((ctrl & 2U) != 0) r.from.ip.value = 0x0A090002;
        r.length = len < buf.size() ? len : buf.size();
        r.truncated = len > buf.size();
        std::memcpy(buf.data(), data_ + at_, r.length);
        at_ += len;
        return r;
    }

  private:
    Result<Received> expire(Deadline until) {
        arch::virtual_clock::advance_to(until.at());
        return Received{};
    }
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t at_ = 0;
    unsigned steps_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 6) return 0;
    // Header: dest size (16 bits), block size choice, window, flags.
    const std::size_t dest_size = static_cast<std::size_t>(data[0] << 8 | data[1]);
    static constexpr std::uint16_t kBlockSizes[] = {512, 8, 1468, 1024, 4096, 65464, 9, 600};
    TftpRequest req;
    req.server = kServer;
    req.filename = "fuzz/Image";
    req.options.block_size = kBlockSizes[data[2] & 7U];
    req.options.window_size = static_cast<std::uint16_t>(1 + data[3] % 64);
    req.options.ask_tsize = (data[4] & 1U) != 0;
    req.options.ask_timeout = (data[4] & 2U) != 0;
    req.options.max_retries = 3;
    std::vector<std::uint8_t> memory(dest_size + kGuard, 0xA5);
    std::vector<std::uint8_t> packet((data[4] & 4U) != 0 ? 516 : 65468);
    req.dest = std::span<std::uint8_t>(memory.data(), dest_size);
    req.packet = packet;
    ScriptedSocket socket(data + 5, size - 5);
    auto r = tftp_read(socket, req);
    if (r && r.value().bytes > dest_size) std::abort();
    for (std::size_t i = dest_size; i < memory.size(); ++i)
        if (memory[i] != 0xA5) std::abort();
    return 0;
}
