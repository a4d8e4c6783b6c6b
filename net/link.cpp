#include "net/link.h"

#include "net/bytes.h"

namespace xb::net {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Link::receive into one buffer: a frame that does not fit is refused.
class SpanSink final : public FrameSink {
  public:
    explicit SpanSink(std::span<std::uint8_t> buf) : buf_(buf) {}
    bool begin(const RxFrameInfo& info) override {
        at_ = 0;
        return info.length <= buf_.size();
    }
    void append(std::span<const std::uint8_t> piece) override {
        // The link keeps to the length it announced; the check costs nothing.
        const std::size_t n = piece.size() <= buf_.size() - at_ ? piece.size() : buf_.size() - at_;
        copy_bytes(buf_.data() + at_, piece.data(), n);
        at_ += n;
    }

  private:
    std::span<std::uint8_t> buf_;
    std::size_t at_ = 0;
};

}  // namespace

Result<std::size_t> Link::receive(std::span<std::uint8_t> buf) {
    SpanSink sink(buf);
    return receive(static_cast<FrameSink&>(sink));
}

Result<MacAddress> parse_mac(const char* text) {
    MacAddress mac;
    const char* p = text;
    for (std::size_t i = 0; i < mac.bytes.size(); ++i) {
        const int hi = hex_value(p[0]);
        const int lo = hi < 0 ? -1 : hex_value(p[1]);
        if (lo < 0) return Error::make(Errc::invalid_argument, "bad MAC address '%s'", text);
        mac.bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
        p += 2;
        const char want = i + 1 < mac.bytes.size() ? ':' : '\0';
        if (*p != want) return Error::make(Errc::invalid_argument, "bad MAC address '%s'", text);
        if (want != '\0') ++p;
    }
    return mac;
}

void format_mac(const MacAddress& mac, std::span<char, 18> out) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::size_t o = 0;
    for (std::size_t i = 0; i < mac.bytes.size(); ++i) {
        out[o++] = kDigits[mac.bytes[i] >> 4];
        out[o++] = kDigits[mac.bytes[i] & 0xF];
        out[o++] = i + 1 < mac.bytes.size() ? ':' : '\0';
    }
}

}  // namespace xb::net
