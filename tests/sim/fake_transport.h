// Test doubles for net/transport.h: a UDP socket and a TCP stream whose peer
// is a script in the test. Time passes on the virtual clock
// (arch/host/virtual_clock.h): a receive with nothing queued jumps to its
// deadline, so a 5 s TFTP timeout costs nothing and every run is the same.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "arch/host/virtual_clock.h"
#include "net/transport.h"

namespace xb::sim {

class FakeDatagramSocket final : public net::DatagramSocket {
  public:
    struct Datagram {
        net::Endpoint peer;  // sender of a queued one, destination of a sent one
        std::vector<std::uint8_t> data;
    };
    // The peer: sees each datagram the code under test sends, and answers
    // by calling deliver().
    std::function<void(net::Endpoint to, std::span<const std::uint8_t>)> on_send;
    std::deque<Datagram> inbox;
    std::vector<Datagram> sent;
    std::uint64_t waits_expired = 0;

    std::uint16_t local_port() const override { return 40000; }
    void deliver(net::Endpoint from, std::vector<std::uint8_t> data) { inbox.push_back({from, std::move(data)}); }

    Status send_to(net::Endpoint to, std::span<const std::uint8_t> payload) override {
        sent.push_back({to, std::vector<std::uint8_t>(payload.begin(), payload.end())});
        if (on_send) on_send(to, payload);
        return {};
    }

    Result<Received> receive(std::span<std::uint8_t> buf, Deadline until) override {
        if (inbox.empty()) {
            if (until.is_never()) return Error::make(Errc::timeout, "fake socket: wait without a deadline");
            arch::virtual_clock::advance_to(until.at());
            ++waits_expired;
            return Received{};
        }
        Datagram d = std::move(inbox.front());
        inbox.pop_front();
        Received r;
        r.from = d.peer;
        r.length = std::min(buf.size(), d.data.size());
        r.truncated = d.data.size() > buf.size();
        if (r.length != 0) std::memcpy(buf.data(), d.data.data(), r.length);
        return r;
    }
};

// A TCP stream whose peer's bytes are scripted: `chunks` are handed out one
// read at a time (a read never returns more than one chunk), then EOF, or an
// error if `reset_at_end`. What the code under test writes is in `written`.
class FakeStream final : public net::Stream {
  public:
    std::deque<std::string> chunks;
    std::string written;
    bool reset_at_end = false;
    bool stall_at_end = false;  // the peer keeps the connection open and silent

    Status write(std::span<const std::uint8_t> data, Deadline) override {
        written.append(reinterpret_cast<const char*>(data.data()), data.size());
        return {};
    }

    Result<std::size_t> read(std::span<std::uint8_t> buf, Deadline until) override {
        if (chunks.empty()) {
            if (reset_at_end) return Error::make(Errc::io, "connection reset by peer");
            if (stall_at_end) {
                if (until.is_never()) return Error::make(Errc::timeout, "fake stream: wait without a deadline");
                arch::virtual_clock::advance_to(until.at());
                return Error::make(Errc::timeout, "timed out waiting for data");
            }
            return std::size_t{0};
        }
        std::string& c = chunks.front();
        const std::size_t n = std::min(buf.size(), c.size());
        std::memcpy(buf.data(), c.data(), n);
        c.erase(0, n);
        if (c.empty()) chunks.pop_front();
        return n;
    }
};

}  // namespace xb::sim
