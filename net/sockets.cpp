// UdpSocket and TcpStream over lwIP's raw API (see sockets.h).
#include "net/sockets.h"

#include <lwip/err.h>
#include <lwip/pbuf.h>
#include <lwip/tcp.h>
#include <lwip/udp.h>

#include <algorithm>

namespace xb::net {
namespace {

ip_addr_t to_ip(Ipv4Address a) {
    ip_addr_t out;
    ip_addr_set_ip4_u32(&out, lwip_htonl(a.value));
    return out;
}

Ipv4Address from_ip(const ip_addr_t* a) { return Ipv4Address{lwip_ntohl(ip_addr_get_ip4_u32(a))}; }

void udp_received(void* arg, udp_pcb* /*pcb*/, pbuf* p, const ip_addr_t* addr, u16_t port) {
    static_cast<UdpSocket*>(arg)->push(p, Endpoint{from_ip(addr), port});
}

err_t tcp_connected_cb(void* arg, tcp_pcb* /*pcb*/, err_t err) {
    if (arg != nullptr && err == ERR_OK) static_cast<TcpStream*>(arg)->on_connected();
    return ERR_OK;
}

err_t tcp_recv_cb(void* arg, tcp_pcb* /*pcb*/, pbuf* p, err_t err) {
    if (arg == nullptr) {  // detached: nobody reads any more
        if (p != nullptr) pbuf_free(p);
        return ERR_OK;
    }
    if (err != ERR_OK && p != nullptr) {
        pbuf_free(p);
        return ERR_OK;
    }
    // ERR_MEM: lwIP keeps p as refused data and offers it again (tcp_in.c).
    return static_cast<TcpStream*>(arg)->on_data(p) ? ERR_OK : ERR_MEM;
}

void tcp_err_cb(void* arg, err_t err) {
    // lwIP has freed the pcb already (tcp.h: tcp_err).
    if (arg != nullptr) static_cast<TcpStream*>(arg)->on_error(err);
}

Error lwip_failure(const char* what, err_t err) {
    return Error::make(err == ERR_MEM ? Errc::no_memory : Errc::io, "%s: %s", what, lwip_error_name(err));
}

}  // namespace

// ---- UDP -------------------------------------------------------------------

Status UdpSocket::open(Stack& stack, std::uint16_t port) {
    close();
    if (!stack.is_up()) return Error::make(Errc::invalid_argument, "udp: the network is down");
    pcb_ = udp_new();
    if (pcb_ == nullptr) return Error::make(Errc::no_memory, "udp: no free socket (MEMP_NUM_UDP_PCB)");
    const err_t err = udp_bind(pcb_, IP4_ADDR_ANY, port);
    if (err != ERR_OK) {
        udp_remove(pcb_);
        pcb_ = nullptr;
        return lwip_failure("udp: bind", err);
    }
    udp_recv(pcb_, udp_received, this);
    return ok();
}

void UdpSocket::close() {
    if (pcb_ != nullptr) {
        udp_recv(pcb_, nullptr, nullptr);
        udp_remove(pcb_);
        pcb_ = nullptr;
    }
    for (; count_ != 0; --count_) {
        pbuf_free(queue_[head_].p);
        head_ = (head_ + 1) % kQueue;
    }
    head_ = 0;
}

std::uint16_t UdpSocket::local_port() const { return pcb_ == nullptr ? 0 : pcb_->local_port; }

void UdpSocket::push(pbuf* p, Endpoint from) {
    if (count_ == kQueue) {
        pbuf_free(p);
        ++dropped_;
        return;
    }
    queue_[(head_ + count_) % kQueue] = Datagram{p, from};
    ++count_;
}

Status UdpSocket::send_to(Endpoint to, std::span<const std::uint8_t> payload) {
    if (pcb_ == nullptr) return Error::make(Errc::invalid_argument, "udp: socket is closed");
    constexpr std::size_t kMaxDatagram = 65507;  // 65535 - IPv4 header - UDP header
    if (payload.size() > kMaxDatagram)
        return Error::make(Errc::invalid_argument, "udp: %zu-byte datagram is larger than %zu", payload.size(),
                           kMaxDatagram);
    pbuf* p = pbuf_alloc(PBUF_TRANSPORT, static_cast<u16_t>(payload.size()), PBUF_RAM);
    if (p == nullptr) return Error::make(Errc::no_memory, "udp: no buffer for a %zu-byte datagram", payload.size());
    if (!payload.empty()) pbuf_take(p, payload.data(), static_cast<u16_t>(payload.size()));
    const ip_addr_t dst = to_ip(to.ip);
    const err_t err = udp_sendto(pcb_, p, &dst, to.port);
    pbuf_free(p);
    if (err != ERR_OK) {
        char ip[16];
        format_ipv4(to.ip, ip);
        return lwip_failure("udp: send", err).prefix("to %s:%u", ip, to.port);
    }
    return ok();
}

Result<DatagramSocket::Received> UdpSocket::receive(std::span<std::uint8_t> buf, Deadline until) {
    if (pcb_ == nullptr) return Error::make(Errc::invalid_argument, "udp: socket is closed");
    // Polls at least once, so a datagram already on the link is seen even
    // when `until` has passed.
    while (count_ == 0) {
        TRY(Stack::poll(until));
        if (count_ == 0 && until.expired()) return Received{};
    }
    Datagram d = queue_[head_];
    head_ = (head_ + 1) % kQueue;
    --count_;
    Received r;
    r.from = d.from;
    r.truncated = d.p->tot_len > buf.size();
    const auto want = static_cast<u16_t>(std::min<std::size_t>(buf.size(), d.p->tot_len));
    r.length = pbuf_copy_partial(d.p, buf.data(), want, 0);
    pbuf_free(d.p);
    return r;
}

// ---- TCP -------------------------------------------------------------------

void TcpStream::attach(tcp_pcb* pcb) {
    pcb_ = pcb;
    tcp_arg(pcb, this);
    tcp_recv(pcb, tcp_recv_cb);
    tcp_err(pcb, tcp_err_cb);
}

void TcpStream::detach() {
    if (pcb_ != nullptr) {
        tcp_arg(pcb_, nullptr);
        tcp_recv(pcb_, nullptr);  // lwIP then frees what arrives (tcp_recv_null)
        tcp_err(pcb_, nullptr);
        tcp_sent(pcb_, nullptr);
        pcb_ = nullptr;
    }
    drop_received();
    connected_ = false;
    fin_ = false;
    error_ = 0;
}

void TcpStream::adopt(tcp_pcb* pcb) {
    close();
    attach(pcb);
    connected_ = true;
}

Status TcpStream::connect(Stack& stack, Endpoint to, Deadline until) {
    close();
    char ip[16];
    format_ipv4(to.ip, ip);
    if (!stack.is_up())
        return Error::make(Errc::invalid_argument, "tcp: connect %s:%u: the network is down", ip, to.port);
    tcp_pcb* pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
    if (pcb == nullptr) return Error::make(Errc::no_memory, "tcp: connect %s:%u: no free pcb", ip, to.port);
    attach(pcb);
    const ip_addr_t dst = to_ip(to.ip);
    const err_t err = tcp_connect(pcb, &dst, to.port, tcp_connected_cb);
    if (err != ERR_OK) {
        abort();
        return lwip_failure("tcp: connect", err).prefix("%s:%u", ip, to.port);
    }
    while (!connected_) {
        if (error_ != 0) {
            const int e = error_;
            detach();
            return Error::make(Errc::io, "tcp: connect %s:%u: %s", ip, to.port,
                               e == ERR_RST ? "connection refused" : lwip_error_name(e));
        }
        if (until.expired()) {
            abort();
            return Error::make(Errc::timeout, "tcp: connect %s:%u: no answer in %lu ms", ip, to.port,
                               static_cast<unsigned long>(until.budget_ms()));
        }
        TRY(Stack::poll(until));
    }
    return ok();
}

void TcpStream::close() {
    tcp_pcb* pcb = pcb_;
    detach();
    if (pcb != nullptr && tcp_close(pcb) != ERR_OK) tcp_abort(pcb);
}

void TcpStream::abort() {
    tcp_pcb* pcb = pcb_;
    detach();
    if (pcb != nullptr) tcp_abort(pcb);
}

void TcpStream::on_connected() { connected_ = true; }

void TcpStream::drop_received() {
    for (; rx_count_ != 0; --rx_count_) {
        pbuf_free(rx_[rx_head_]);
        rx_[rx_head_] = nullptr;
        rx_head_ = (rx_head_ + 1) % kRxChains;
    }
    rx_head_ = 0;
}

bool TcpStream::on_data(pbuf* p) {
    if (p == nullptr) {
        fin_ = true;
        return true;
    }
    if (p->tot_len == 0) {  // nothing to read (lwIP does not send these; never a chain in the ring)
        pbuf_free(p);
        return true;
    }
    // Onto the newest chain while it stays below 64 KiB, else a chain of its own.
    if (rx_count_ != 0) {
        pbuf* last = rx_[(rx_head_ + rx_count_ - 1) % kRxChains];
        if (std::size_t{last->tot_len} + p->tot_len <= 0xFFFF) {
            pbuf_cat(last, p);
            return true;
        }
    }
    if (rx_count_ == kRxChains) return false;
    rx_[(rx_head_ + rx_count_) % kRxChains] = p;
    ++rx_count_;
    return true;
}

void TcpStream::on_error(int err) {
    pcb_ = nullptr;  // lwIP freed it
    error_ = err == ERR_OK ? ERR_ABRT : err;
}

Status TcpStream::write(std::span<const std::uint8_t> data, Deadline until) {
    std::size_t done = 0;
    while (done < data.size()) {
        if (pcb_ == nullptr)
            return Error::make(Errc::io, "tcp: write: %s",
                               error_ != 0 ? lwip_error_name(error_) : "connection is closed");
        const std::size_t room = tcp_sndbuf(pcb_);
        if (room != 0 && tcp_sndqueuelen(pcb_) < TCP_SND_QUEUELEN) {
            const auto n = static_cast<u16_t>(std::min<std::size_t>({room, data.size() - done, 0xFFFF}));
            const err_t err = tcp_write(pcb_, data.data() + done, n, TCP_WRITE_FLAG_COPY);
            if (err == ERR_OK) {
                done += n;
                tcp_output(pcb_);
                continue;
            }
            if (err != ERR_MEM) return lwip_failure("tcp: write", err);
        }
        tcp_output(pcb_);
        if (until.expired())
            return Error::make(Errc::timeout, "tcp: write: no send window in %lu ms (%zu of %zu bytes queued)",
                               static_cast<unsigned long>(until.budget_ms()), done, data.size());
        TRY(Stack::poll(until));
    }
    return ok();
}

Result<std::size_t> TcpStream::read(std::span<std::uint8_t> buf, Deadline until) {
    if (buf.empty()) return std::size_t{0};
    while (rx_count_ == 0) {
        if (fin_) return std::size_t{0};
        if (error_ != 0)
            return Error::make(Errc::io, "tcp: read: %s",
                               error_ == ERR_RST ? "connection reset by peer" : lwip_error_name(error_));
        if (pcb_ == nullptr) return Error::make(Errc::invalid_argument, "tcp: read: connection is closed");
        if (until.expired())
            return Error::make(Errc::timeout, "tcp: read: no data in %lu ms",
                               static_cast<unsigned long>(until.budget_ms()));
        TRY(Stack::poll(until));
    }
    // As much as is waiting, across chains, up to buf.size().
    std::size_t done = 0;
    while (done < buf.size() && rx_count_ != 0) {
        pbuf*& head = rx_[rx_head_];
        const auto want = static_cast<u16_t>(std::min<std::size_t>(buf.size() - done, head->tot_len));
        const u16_t n = pbuf_copy_partial(head, buf.data() + done, want, 0);
        if (n == 0) break;  // cannot happen: a chain in the ring is never empty
        if (n == head->tot_len) {
            pbuf_free(head);
            head = nullptr;
            rx_head_ = (rx_head_ + 1) % kRxChains;
            --rx_count_;
        } else {
            head = pbuf_free_header(head, n);
        }
        done += n;
        // Reopen the window by what the reader took: the sender is paced by us.
        if (pcb_ != nullptr) tcp_recved(pcb_, n);
    }
    return done;
}

}  // namespace xb::net
