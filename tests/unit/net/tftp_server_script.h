// A scripted TFTP server (RFC 1350/2347/2348/2349/7440, read side) behind a
// FakeDatagramSocket, with the faults the client must survive: lost,
// duplicated and reordered DATA, a server that stops, ignores options, sends
// a bad OACK or an ERROR. It answers every ACK at or after the last one with
// the next window and has no timer of its own: lost packets are recovered by
// the client's timeout, as with a server whose timer is longer than ours.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/sim/fake_transport.h"

namespace xb::sim {

class ScriptedTftpServer {
  public:
    enum class Fault { none, drop, duplicate, hold };  // hold: sent after the next DATA

    static constexpr net::Endpoint kListen{net::Ipv4Address{0x0A090001}, 69};
    static constexpr net::Endpoint kTid{net::Ipv4Address{0x0A090001}, 50000};

    std::vector<std::uint8_t> file;
    bool honour_options = true;
    std::uint32_t max_block_size = 65464;
    std::uint32_t max_window = 65535;
    bool send_tsize = true;
    // Replaces the OACK's option list when not empty (raw bytes, NULs included).
    std::string raw_oack;
    // Answer the RRQ with ERROR code/text instead.
    int error_code = -1;
    std::string error_text;
    // Stop answering after sending this absolute block (1-based), 0: never.
    std::uint64_t stop_after = 0;
    // Decides the fate of each DATA sent: absolute block, how often sent before.
    std::function<Fault(std::uint64_t block, std::uint32_t times)> fault;
    // Called after each ACK the server takes: can inject strangers' packets.
    std::function<void(std::uint64_t acked)> on_ack;

    // What the server saw.
    std::vector<std::string> rrq_options;  // "name=value"
    std::string rrq_filename, rrq_mode;
    int rrqs = 0;
    int acks = 0;
    int client_error = -1;
    std::string client_error_text;
    std::vector<net::Endpoint> error_destinations;
    std::uint64_t data_sent = 0;

    explicit ScriptedTftpServer(FakeDatagramSocket& socket) : socket_(socket) {
        socket_.on_send = [this](net::Endpoint to, std::span<const std::uint8_t> p) { receive(to, p); };
    }

    std::uint64_t last_block() const { return file.size() / block_size_ + 1; }
    std::uint32_t block_size() const { return block_size_; }
    std::uint32_t window() const { return window_; }

    static std::vector<std::uint8_t> packet(std::uint16_t op, std::uint16_t n, const std::string& tail = {}) {
        std::vector<std::uint8_t> p{static_cast<std::uint8_t>(op >> 8), static_cast<std::uint8_t>(op),
                                    static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
        p.insert(p.end(), tail.begin(), tail.end());
        return p;
    }

  private:
    void receive(net::Endpoint to, std::span<const std::uint8_t> p) {
        if (p.size() < 2) return;
        const unsigned op = p[0] << 8 | p[1];
        if (op == 5) {
            error_destinations.push_back(to);
            if (to == kTid || to == kListen) {
                client_error = p.size() >= 4 ? (p[2] << 8 | p[3]) : -2;
                client_error_text.assign(reinterpret_cast<const char*>(p.data()) + 4,
                                         strnlen(reinterpret_cast<const char*>(p.data()) + 4, p.size() - 4));
                stopped_ = true;
            }
            return;
        }
        if (op == 4 && to == kTid) ++acks;
        if (stopped_) return;
        if (op == 1 && to == kListen) return on_rrq(p);
        if (op == 4 && to == kTid && p.size() == 4) return on_ack_packet(static_cast<std::uint16_t>(p[2] << 8 | p[3]));
    }

    void on_rrq(std::span<const std::uint8_t> p) {
        ++rrqs;
        std::vector<std::string> fields;
        std::string cur;
        for (std::size_t i = 2; i < p.size(); ++i) {
            if (p[i] == 0) fields.push_back(cur), cur.clear();
            else cur.push_back(static_cast<char>(p[i]));
        }
        if (fields.size() >= 2) rrq_filename = fields[0], rrq_mode = fields[1];
        rrq_options.clear();
        std::string oack;
        block_size_ = 512;
        window_ = 1;
        for (std::size_t i = 2; i + 1 < fields.size(); i += 2) {
            rrq_options.push_back(fields[i] + "=" + fields[i + 1]);
            const std::uint64_t v = std::stoull(fields[i + 1]);
            if (fields[i] == "blksize") {
                block_size_ = static_cast<std::uint32_t>(std::min<std::uint64_t>(v, max_block_size));
                oack += "blksize" + std::string(1, '\0') + std::to_string(block_size_) + std::string(1, '\0');
            } else if (fields[i] == "windowsize") {
                window_ = static_cast<std::uint32_t>(std::min<std::uint64_t>(v, max_window));
                oack += "windowsize" + std::string(1, '\0') + std::to_string(window_) + std::string(1, '\0');
            } else if (fields[i] == "tsize" && send_tsize) {
                oack += "tsize" + std::string(1, '\0') + std::to_string(file.size()) + std::string(1, '\0');
            } else if (fields[i] == "timeout") {
                oack += "timeout" + std::string(1, '\0') + fields[i + 1] + std::string(1, '\0');
            }
        }
        if (error_code >= 0) {
            socket_.deliver(kTid, packet(5, static_cast<std::uint16_t>(error_code), error_text + std::string(1, '\0')));
            return;
        }
        acked_ = 0;
        if (!honour_options || (fields.size() <= 2 && raw_oack.empty())) {
            block_size_ = 512;
            window_ = 1;
            send_window(0);
            return;
        }
        std::vector<std::uint8_t> o{0, 6};
        const std::string& body = raw_oack.empty() ? oack : raw_oack;
        o.insert(o.end(), body.begin(), body.end());
        socket_.deliver(kTid, o);
    }

    void on_ack_packet(std::uint16_t n) {
        // The absolute block this ACK means: at or after the last one ACKed.
        const std::uint64_t abs = acked_ + static_cast<std::uint16_t>(n - static_cast<std::uint16_t>(acked_));
        if (abs > sent_max_) return;  // an ACK for a block never sent
        acked_ = abs;
        if (on_ack) on_ack(abs);
        if (abs >= last_block()) return;  // done
        send_window(abs);
    }

    void send_window(std::uint64_t after) {
        const std::uint64_t end = std::min<std::uint64_t>(after + window_, last_block());
        for (std::uint64_t b = after + 1; b <= end; ++b) {
            if (stop_after != 0 && b > stop_after) {
                stopped_ = true;
                break;
            }
            send_data(b);
        }
        if (held_) {
            socket_.deliver(kTid, *held_);
            held_.reset();
        }
    }

    void send_data(std::uint64_t b) {
        sent_max_ = std::max(sent_max_, b);
        const std::size_t off = static_cast<std::size_t>((b - 1) * block_size_);
        const std::size_t len = std::min<std::size_t>(block_size_, file.size() - off);
        std::vector<std::uint8_t> d = packet(3, static_cast<std::uint16_t>(b));
        d.insert(d.end(), file.begin() + static_cast<std::ptrdiff_t>(off),
                 file.begin() + static_cast<std::ptrdiff_t>(off + len));
        const Fault f = fault ? fault(b, times_sent_[b]++) : Fault::none;
        ++data_sent;
        if (f == Fault::drop) return;
        if (f == Fault::hold && !held_) {
            held_ = d;
            return;
        }
        socket_.deliver(kTid, d);
        if (f == Fault::duplicate) socket_.deliver(kTid, d);
        if (held_ && f != Fault::hold) {
            socket_.deliver(kTid, *held_);
            held_.reset();
        }
    }

    FakeDatagramSocket& socket_;
    std::uint32_t block_size_ = 512;
    std::uint32_t window_ = 1;
    std::uint64_t acked_ = 0;
    std::uint64_t sent_max_ = 0;
    bool stopped_ = false;
    std::optional<std::vector<std::uint8_t>> held_;
    std::map<std::uint64_t, std::uint32_t> times_sent_;
};

}  // namespace xb::sim
