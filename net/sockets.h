// The transports of net/transport.h over lwIP's raw API: UdpSocket (a
// udp_pcb) and TcpStream (a tcp_pcb). Each object owns its pcb and the
// received data not yet read; it must stay where it is while open (lwIP's
// callbacks hold its address), and closing or destroying it detaches every
// callback first, so nothing fires on freed state.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "net/stack.h"
#include "net/transport.h"

struct udp_pcb;
struct tcp_pcb;
struct pbuf;

namespace xb::net {

class UdpSocket final : public DatagramSocket {
  public:
    // Datagrams held for the reader; more are dropped (and counted) until it
    // catches up. 128 holds a 64-block TFTP window twice over.
    static constexpr std::size_t kQueue = 128;

    UdpSocket() = default;
    ~UdpSocket() { close(); }
    UdpSocket(const UdpSocket&) = delete;
    UdpSocket& operator=(const UdpSocket&) = delete;

    // Binds to a free local port (0) or `port` on `stack`.
    Status open(Stack& stack, std::uint16_t port = 0);
    void close();
    bool is_open() const { return pcb_ != nullptr; }

    std::uint16_t local_port() const override;
    Status send_to(Endpoint to, std::span<const std::uint8_t> payload) override;
    Result<Received> receive(std::span<std::uint8_t> buf, Deadline until) override;
    std::uint64_t dropped() const { return dropped_; }

    // lwIP's receive callback (sockets.cpp) hands each datagram here.
    void push(::pbuf* p, Endpoint from);

  private:
    struct Datagram {
        ::pbuf* p;
        Endpoint from;
    };

    udp_pcb* pcb_ = nullptr;
    std::array<Datagram, kQueue> queue_{};
    std::size_t head_ = 0;
    std::size_t count_ = 0;
    std::uint64_t dropped_ = 0;
};

class TcpStream final : public Stream {
  public:
    TcpStream() = default;
    ~TcpStream() { close(); }
    TcpStream(const TcpStream&) = delete;
    TcpStream& operator=(const TcpStream&) = delete;

    // Opens a connection (SYN, SYN-ACK) to `to` before `until`.
    Status connect(Stack& stack, Endpoint to, Deadline until);
    // Takes over a connection lwIP accepted (a listener in the host tests).
    void adopt(tcp_pcb* pcb);
    // Sends FIN (or RST when lwIP cannot queue the FIN) and lets go of the
    // pcb: lwIP finishes the close on its own, with no callback into us.
    void close();
    // Sends RST and forgets the connection.
    void abort();
    bool is_open() const { return pcb_ != nullptr; }

    Status write(std::span<const std::uint8_t> data, Deadline until) override;
    Result<std::size_t> read(std::span<std::uint8_t> buf, Deadline until) override;

    // Unread data is kept as up to kRxChains pbuf chains: lwIP hands each
    // delivery as a chain below 64 KiB (a chain's tot_len is 16-bit), and
    // the 512 KiB window (lwipopts.h) lets up to 8 such chains wait unread;
    // twice that leaves room for deliveries lwIP splits short.
    static constexpr std::size_t kRxChains = 16;

    // lwIP's callbacks (C linkage in sockets.cpp reach these). on_data
    // returns false when it cannot keep `p` (every chain slot full): lwIP then
    // holds it and offers it again later (tcp.h, tcp_recv: refused data).
    void on_connected();
    bool on_data(::pbuf* p);
    void on_error(int err);

  private:
    void attach(tcp_pcb* pcb);
    void detach();
    void drop_received();

    tcp_pcb* pcb_ = nullptr;
    std::array<::pbuf*, kRxChains> rx_{};  // received, not yet read: a ring of chains, oldest at rx_head_
    std::size_t rx_head_ = 0;
    std::size_t rx_count_ = 0;
    bool connected_ = false;
    bool fin_ = false;
    int error_ = 0;  // lwIP err_t once the connection failed (pcb_ is gone then)
};

}  // namespace xb::net
