// Fuzzes the HTTP client's response handling: the input is a response byte
// stream (after a 3-byte header: target size and a seed for how it is cut)
// handed over in pieces of varying size, then EOF. http_get must end with a
// result or an error, and never write outside its range: guard bytes after
// the range must stay as they were, and a success must account for exactly
// the bytes it says.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "arch/host/virtual_clock.h"
#include "net/http_client.h"

namespace {

using namespace xb;
using namespace xb::net;

constexpr std::size_t kGuard = 64;

class PiecewiseStream final : public Stream {
  public:
    PiecewiseStream(const std::uint8_t* data, std::size_t size, std::uint8_t seed)
        : data_(data), size_(size), state_(seed | 1U) {}
    Status write(std::span<const std::uint8_t> d, Deadline) override {
        if (d.size() > 4096) std::abort();
        return {};
    }
    Result<std::size_t> read(std::span<std::uint8_t> buf, Deadline until) override {
        if (until.is_never()) std::abort();
        if (at_ >= size_) return std::size_t{0};
        // xorshift: piece sizes 1..64 or a whole buffer, from the seed.
        state_ ^= state_ << 7;
        state_ ^= state_ >> 9;
        std::size_t n = (state_ & 0x80U) != 0 ? buf.size() : 1 + state_ % 64;
        if (n > size_ - at_) n = size_ - at_;
        if (n > buf.size()) n = buf.size();
        std::memcpy(buf.data(), data_ + at_, n);
        at_ += n;
        return n;
    }

  private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t at_ = 0;
    std::uint32_t state_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    const std::size_t dest_size = static_cast<std::size_t>(data[0] << 8 | data[1]);
    std::vector<std::uint8_t> memory(dest_size + kGuard, 0xA5);
    Url url;
    if (!parse_url("http://10.9.0.1/Image", {}, url)) std::abort();
    HttpRequest req;
    req.dest = std::span<std::uint8_t>(memory.data(), dest_size);
    PiecewiseStream stream(data + 3, size - 3, data[2]);
    auto r = http_get(stream, url, req);
    if (r && r.value().bytes > dest_size) std::abort();
    if (r && r.value().length_known && r.value().bytes != r.value().content_length && r.value().location[0] == '\0')
        std::abort();
    for (std::size_t i = dest_size; i < memory.size(); ++i)
        if (memory[i] != 0xA5) std::abort();

    // The parser alone, fed byte by byte, must agree with itself on success.
    HttpResponseParser parser(req.dest);
    for (std::size_t i = 3; i < size; ++i)
        if (!parser.feed(std::span<const std::uint8_t>(data + i, 1))) break;
    (void)parser.finish();
    return 0;
}
