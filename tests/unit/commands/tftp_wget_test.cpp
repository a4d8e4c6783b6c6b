// tftpboot and wget through the shell: the command's stack on one end of a
// simulated cable, a second netif of the same lwIP on the other end with a
// small TFTP server (RFC 1350/2347/2348/2349/7440, read side) and an HTTP/1.1
// server written here over lwIP's raw API (the test cannot block: the servers
// answer from lwIP's callbacks while the command polls). A scripted DHCP
// peer (tests/sim/net_peer.h) shares the cable for dhcp + autoload.
#include <gtest/gtest.h>
#include <lwip/pbuf.h>
#include <lwip/tcp.h>
#include <lwip/udp.h>

#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bootflow/net_devices.h"
#include "lib/crc32.h"
#include "tests/sim/net_peer.h"
#include "tests/sim/shell_rig.h"

namespace {

using namespace xb;

class FakeNetDevices final : public cmd::NetDevices {
  public:
    explicit FakeNetDevices(net::Link* l) : link_(l) {}
    Result<net::Link*> link(unsigned index) override {
        if (index != 0) return Error::make(Errc::not_found, "no such port");
        return link_;
    }
    net::Stack& stack() override { return stack_; }

  private:
    net::Link* link_;
    net::Stack stack_;
};

std::vector<std::uint8_t> pattern(std::size_t n, unsigned seed) {
    std::vector<std::uint8_t> v(n);
    std::uint32_t x = seed * 2654435761U + 1;
    for (auto& b : v) {
        x = x * 1103515245U + 12345U;
        b = static_cast<std::uint8_t>(x >> 16);
    }
    return v;
}

void send_udp(udp_pcb* pcb, const std::vector<std::uint8_t>& data, const ip_addr_t* to, u16_t port) {
    pbuf* p = pbuf_alloc(PBUF_TRANSPORT, static_cast<u16_t>(data.size()), PBUF_RAM);
    ASSERT_NE(p, nullptr);
    std::memcpy(p->payload, data.data(), data.size());
    udp_sendto(pcb, p, to, port);
    pbuf_free(p);
}

// A TFTP server on port 69: honours blksize, windowsize, tsize and timeout,
// answers each ACK with the next window, ERROR 1 for an unknown file.
struct TftpServer {
    std::map<std::string, std::vector<std::uint8_t>> files;
    std::string last_file;
    std::map<std::string, std::string> last_options;
    unsigned rrqs = 0;
    std::uint64_t data_sent = 0;
    std::function<void(std::uint64_t acked)> ack_hook;  // called with each ACK's block
    std::uint64_t drop_once = 0;                        // this block is lost the first time

    udp_pcb* listen = nullptr;
    udp_pcb* tid = nullptr;
    netif* on = nullptr;
    const std::vector<std::uint8_t>* file = nullptr;
    std::size_t blksize = 512;
    unsigned window = 1;
    ip_addr_t client{};
    u16_t client_port = 0;

    void start(net::Stack& stack) {
        on = stack.lwip_netif();
        listen = udp_new();
        udp_bind_netif(listen, on);
        ASSERT_EQ(udp_bind(listen, IP_ADDR_ANY, 69), ERR_OK);
        udp_recv(listen, on_rrq, this);
    }
    ~TftpServer() {
        if (listen != nullptr) udp_remove(listen);
        if (tid != nullptr) udp_remove(tid);
    }
    static std::vector<std::uint8_t> copy(pbuf* p) {
        std::vector<std::uint8_t> v(p->tot_len);
        pbuf_copy_partial(p, v.data(), p->tot_len, 0);
        pbuf_free(p);
        return v;
    }
    static void on_rrq(void* arg, udp_pcb*, pbuf* p, const ip_addr_t* addr, u16_t port) {
        auto* self = static_cast<TftpServer*>(arg);
        self->rrq(copy(p), addr, port);
    }
    static void on_ack(void* arg, udp_pcb*, pbuf* p, const ip_addr_t*, u16_t) {
        auto* self = static_cast<TftpServer*>(arg);
        std::vector<std::uint8_t> v = copy(p);
        if (v.size() < 4 || v[1] != 4) return;
        const auto acked = static_cast<std::uint64_t>(v[2] << 8 | v[3]);
        if (self->ack_hook) self->ack_hook(acked);
        self->send_window(acked);
    }
    void rrq(const std::vector<std::uint8_t>& v, const ip_addr_t* addr, u16_t port) {
        if (v.size() < 4 || v[1] != 1) return;
        ++rrqs;
        std::vector<std::string> words;
        std::string w;
        for (std::size_t i = 2; i < v.size(); ++i) {
            if (v[i] == 0) {
                words.push_back(w);
                w.clear();
            } else {
                w += static_cast<char>(v[i]);
            }
        }
        last_file = words.at(0);
        last_options.clear();
        for (std::size_t i = 2; i + 1 < words.size(); i += 2) last_options[words[i]] = words[i + 1];
        ip_addr_copy(client, *addr);
        client_port = port;
        if (tid != nullptr) udp_remove(tid);
        tid = udp_new();
        udp_bind_netif(tid, on);
        udp_bind(tid, IP_ADDR_ANY, 0);
        udp_recv(tid, on_ack, this);
        auto it = files.find(last_file);
        if (it == files.end()) {
            std::vector<std::uint8_t> err{0, 5, 0, 1};
            for (char c : std::string("File not found")) err.push_back(static_cast<std::uint8_t>(c));
            err.push_back(0);
            send_udp(tid, err, &client, client_port);
            return;
        }
        file = &it->second;
        blksize = 512;
        window = 1;
        std::vector<std::uint8_t> oack{0, 6};
        auto option = [&](const std::string& name, const std::string& value) {
            for (char c : name) oack.push_back(static_cast<std::uint8_t>(c));
            oack.push_back(0);
            for (char c : value) oack.push_back(static_cast<std::uint8_t>(c));
            oack.push_back(0);
        };
        for (const auto& [name, value] : last_options) {
            if (name == "blksize") {
                blksize = std::stoul(value);
                option(name, value);
            } else if (name == "windowsize") {
                window = static_cast<unsigned>(std::stoul(value));
                option(name, value);
            } else if (name == "tsize") {
                option(name, std::to_string(file->size()));
            } else if (name == "timeout") {
                option(name, value);
            }
        }
        if (oack.size() > 2) send_udp(tid, oack, &client, client_port);
        else send_window(0);
    }
    void send_window(std::uint64_t acked) {
        const std::uint64_t last = file->size() / blksize + 1;
        for (std::uint64_t b = acked + 1; b <= acked + window && b <= last; ++b) {
            const std::size_t off = static_cast<std::size_t>((b - 1) * blksize);
            const std::size_t n = std::min(blksize, file->size() - off);
            std::vector<std::uint8_t> d{0, 3, static_cast<std::uint8_t>(b >> 8), static_cast<std::uint8_t>(b)};
            d.insert(d.end(), file->begin() + static_cast<std::ptrdiff_t>(off),
                     file->begin() + static_cast<std::ptrdiff_t>(off + n));
            ++data_sent;
            if (b == drop_once) {
                drop_once = 0;
                continue;
            }
            send_udp(tid, d, &client, client_port);
        }
    }
};

// An HTTP server on port 80: each connection reads a request up to the
// blank line and gets the response text set for its path (404 otherwise).
struct HttpServer {
    struct Conn {
        HttpServer* server;
        tcp_pcb* pcb;
        std::string request;
        std::string response;
        std::size_t sent = 0;
        bool closed = false;
    };
    std::map<std::string, std::string> responses;
    std::vector<std::string> paths;
    std::vector<std::unique_ptr<Conn>> conns;
    tcp_pcb* listen = nullptr;

    void start(net::Stack& stack) {
        tcp_pcb* p = tcp_new();
        tcp_bind_netif(p, stack.lwip_netif());
        ASSERT_EQ(tcp_bind(p, IP_ADDR_ANY, 80), ERR_OK);
        listen = tcp_listen(p);
        tcp_arg(listen, this);
        tcp_accept(listen, on_accept);
    }
    ~HttpServer() {
        for (auto& c : conns)
            if (!c->closed) close(*c);
        if (listen != nullptr) tcp_close(listen);
    }
    static void close(Conn& c) {
        tcp_arg(c.pcb, nullptr);
        tcp_recv(c.pcb, nullptr);
        tcp_sent(c.pcb, nullptr);
        tcp_err(c.pcb, nullptr);
        if (tcp_close(c.pcb) != ERR_OK) tcp_abort(c.pcb);
        c.closed = true;
    }
    static err_t on_accept(void* arg, tcp_pcb* pcb, err_t err) {
        if (err != ERR_OK || pcb == nullptr) return ERR_VAL;
        auto* self = static_cast<HttpServer*>(arg);
        self->conns.push_back(std::make_unique<Conn>(Conn{self, pcb, {}, {}, 0, false}));
        Conn* c = self->conns.back().get();
        tcp_arg(pcb, c);
        tcp_recv(pcb, on_recv);
        tcp_sent(pcb, on_sent);
        tcp_err(pcb, [](void* a, err_t) {
            if (a != nullptr) static_cast<Conn*>(a)->closed = true;
        });
        return ERR_OK;
    }
    static void push(Conn& c) {
        while (c.sent < c.response.size()) {
            const std::size_t room = tcp_sndbuf(c.pcb);
            const std::size_t n = std::min<std::size_t>({room, c.response.size() - c.sent, 8192});
            if (n == 0) break;
            if (tcp_write(c.pcb, c.response.data() + c.sent, static_cast<u16_t>(n), TCP_WRITE_FLAG_COPY) != ERR_OK)
                break;
            c.sent += n;
        }
        tcp_output(c.pcb);
        if (c.sent == c.response.size()) close(c);
    }
    static err_t on_sent(void* arg, tcp_pcb*, u16_t) {
        auto* c = static_cast<Conn*>(arg);
        if (c != nullptr && !c->closed && !c->response.empty()) push(*c);
        return ERR_OK;
    }
    static err_t on_recv(void* arg, tcp_pcb* pcb, pbuf* p, err_t) {
        auto* c = static_cast<Conn*>(arg);
        if (p == nullptr) {
            if (c != nullptr && !c->closed) close(*c);
            return ERR_OK;
        }
        std::string chunk(p->tot_len, '\0');
        pbuf_copy_partial(p, chunk.data(), p->tot_len, 0);
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
        if (c == nullptr || c->closed || !c->response.empty()) return ERR_OK;
        c->request += chunk;
        if (c->request.find("\r\n\r\n") == std::string::npos) return ERR_OK;
        const std::size_t sp = c->request.find(' ');
        const std::string path = c->request.substr(sp + 1, c->request.find(' ', sp + 1) - sp - 1);
        c->server->paths.push_back(path);
        auto it = c->server->responses.find(path);
        c->response = it != c->server->responses.end() ? it->second
                                                       : "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found";
        push(*c);
        return ERR_OK;
    }
};

std::string as_text(const std::vector<std::uint8_t>& v) { return std::string(v.begin(), v.end()); }

struct TftpWget : ::testing::Test {
    static constexpr std::uint64_t kRam = 8 << 20;
    static constexpr std::uint64_t kHeap = 6 << 20;
    sim::FakeLink link_a{net::MacAddress{{0x00, 0x16, 0x3e, 0x12, 0x34, 0x56}}};
    sim::FakeLink link_b{net::MacAddress{{0x00, 0x16, 0x3e, 0x00, 0x00, 0x02}}};
    sim::NetPeer peer{link_a, net::MacAddress{{0x00, 0x16, 0x3e, 0xaa, 0xbb, 0xcc}}, 0x0A090001};
    net::Stack b;
    FakeNetDevices devices{&link_a};
    sim::ShellRig r;
    TftpServer tftp;
    HttpServer http;
    std::uint8_t* ram = nullptr;
    std::uint64_t base = 0;

    void SetUp() override {
        auto to_peer = link_a.on_transmit;
        link_a.on_transmit = [this, to_peer](const sim::Frame& f) {
            to_peer(f);
            link_b.deliver(f);
        };
        link_b.on_transmit = [this](const sim::Frame& f) { link_a.deliver(f); };
        ASSERT_TRUE(b.up(link_b).ok());
        b.configure({net::Ipv4Address{0x0A090003}, net::Ipv4Address{0xFFFFFF00}, {}});
        tftp.start(b);
        http.start(b);
        r.services.net = &devices;
        ram = r.use_ram_window(kRam, kHeap);
        base = reinterpret_cast<std::uintptr_t>(ram);
        char cmd[160];
        std::snprintf(cmd, sizeof cmd, "setenv loadaddr %lx; setenv ipaddr 10.9.0.2; setenv serverip 10.9.0.3",
                      static_cast<unsigned long>(base + 0x1000));
        r.run(cmd);
    }
    std::string env(const char* name) {
        auto v = r.env.get(name);
        return v.has_value() ? std::string(*v) : std::string("<unset>");
    }
    std::string hex(std::uint64_t v) {
        char t[32];
        std::snprintf(t, sizeof t, "%lx", static_cast<unsigned long>(v));
        return t;
    }
    // What is in RAM at loadaddr + off.
    std::vector<std::uint8_t> loaded(std::size_t n, std::size_t off = 0x1000) {
        return std::vector<std::uint8_t>(ram + off, ram + off + n);
    }
};

TEST_F(TftpWget, TftpbootLoadsBootfileToLoadaddrWithDefaults) {
    const auto file = pattern(100000, 1);
    tftp.files["Image"] = file;
    int rc = -1;
    const std::string out = r.run("setenv bootfile Image; tftpboot", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(out, "TFTP from server 10.9.0.3; our IP address is 10.9.0.2\nFilename 'Image'.\nLoad address: 0x" +
                       hex(base + 0x1000) +
                       "\n100000 bytes transferred in 0 ms (blksize 1468, windowsize 1)\nBytes transferred = 100000 "
                       "(186a0 hex)\n");
    EXPECT_EQ(crc32(0, loaded(file.size()).data(), file.size()), crc32(0, file.data(), file.size()));
    EXPECT_EQ(loaded(file.size()), file);
    EXPECT_EQ(ram[0x1000 + file.size()], 0);  // nothing past the file
    EXPECT_EQ(tftp.last_options["blksize"], "1468");
    EXPECT_EQ(tftp.last_options.count("windowsize"), 0U);
    EXPECT_EQ(tftp.last_options["timeout"], "5");
    EXPECT_EQ(env("filesize"), "186a0");
    EXPECT_EQ(env("fileaddr"), hex(base + 0x1000));
}

TEST_F(TftpWget, TftpAliasWithBlockAndWindowSizeAndAnAddress) {
    const auto file = pattern(512 * 300, 2);  // a multiple of blksize: the last DATA is empty
    tftp.files["k/vmlinuz"] = file;
    int rc = -1;
    const std::string out = r.run(
        "setenv tftpblocksize 512; setenv tftpwindowsize 8; setenv tftptimeout 2000; "
        "tftp " +
            hex(base + 0x20000) + " k/vmlinuz",
        &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("Bytes transferred = 153600 (25800 hex)\n"), std::string::npos) << out;
    EXPECT_EQ(loaded(file.size(), 0x20000), file);
    EXPECT_EQ(tftp.last_options.count("blksize"), 0U);  // 512 is the default: not asked for
    EXPECT_EQ(tftp.last_options["windowsize"], "8");
    EXPECT_EQ(tftp.last_options["timeout"], "2");
    EXPECT_EQ(tftp.data_sent, 301U);  // no retransmissions
    EXPECT_EQ(env("fileaddr"), hex(base + 0x20000));
    EXPECT_EQ(env("filesize"), "25800");
}

TEST_F(TftpWget, TftpbootIpPrefixNamesTheServer) {
    const auto file = pattern(3000, 3);
    tftp.files["x.img"] = file;
    int rc = -1;
    const std::string out = r.run("setenv serverip 10.9.0.99; tftpboot 10.9.0.3:x.img", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(out.rfind("TFTP from server 10.9.0.3;", 0), 0U) << out;
    EXPECT_EQ(tftp.last_file, "x.img");
    EXPECT_EQ(loaded(file.size()), file);
    EXPECT_EQ(env("filesize"), "bb8");
}

TEST_F(TftpWget, TftpbootMissingFileIsTheServersError) {
    int rc = -1;
    const std::string out = r.run("tftpboot nope", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("File not found"), std::string::npos) << out;
    EXPECT_NE(out.find("nope"), std::string::npos) << out;
    EXPECT_EQ(env("filesize"), "<unset>");
    EXPECT_EQ(tftp.rrqs, 1U);
}

TEST_F(TftpWget, TftpbootOverXenbootsMemoryIsRefusedBeforeAnyPacket) {
    tftp.files["Image"] = pattern(100, 4);
    int rc = -1;
    const std::string out = r.run("tftpboot " + hex(base + kHeap + 0x100) + " Image", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("refusing Image at"), std::string::npos) << out;
    EXPECT_NE(out.find("overlaps xenboot's heap"), std::string::npos) << out;
    EXPECT_TRUE(link_a.sent.empty());
    EXPECT_EQ(tftp.rrqs, 0U);
}

TEST_F(TftpWget, TftpbootStopsAtTheEndOfFreeRam) {
    tftp.files["big"] = pattern(0x3000, 5);
    int rc = -1;
    const std::string out = r.run("tftpboot " + hex(base + kHeap - 0x1000) + " big", &rc);
    EXPECT_EQ(rc, 1) << out;
    for (std::uint64_t i = kHeap; i < kHeap + 0x2000; ++i) ASSERT_EQ(ram[i], 0) << i;  // heap untouched
    EXPECT_EQ(env("filesize"), "<unset>");
}

TEST_F(TftpWget, TftpbootWithoutAddressSaysSo) {
    tftp.files["Image"] = pattern(100, 6);
    int rc = -1;
    const std::string out = r.run("setenv ipaddr; tftpboot Image", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(out, "tftpboot: no IP address: run dhcp or set ipaddr\n");
}

// The boot file comes in the BOOTP `file` field here, not option 67: with two
// netifs in one lwIP, a broadcast ACK is accepted by the configured server
// netif, and lwIP calls the option hook with that netif (ip_current_netif()),
// so net/dhcp.cpp ignores its options. The firmware has one netif.
TEST_F(TftpWget, DhcpWithAutoloadLoadsTheBootfile) {
    const auto file = pattern(20000, 7);
    tftp.files["boot/Image"] = file;
    peer.dhcp.siaddr = 0x0A090003;
    peer.dhcp.file_field = "boot/Image";
    int rc = -1;
    const std::string out = r.run("setenv ipaddr; dhcp", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(out.rfind("DHCP client bound to address 10.9.0.50\nTFTP from server 10.9.0.3; our IP address is "
                        "10.9.0.50\n",
                        0),
              0U)
        << out;
    EXPECT_EQ(loaded(file.size()), file);
    EXPECT_EQ(env("filesize"), "4e20");
}

TEST_F(TftpWget, DhcpWithAutoloadNoOnlyGetsTheLease) {
    tftp.files["boot/Image"] = pattern(100, 8);
    peer.dhcp.siaddr = 0x0A090003;
    peer.dhcp.file_field = "boot/Image";
    int rc = -1;
    EXPECT_EQ(r.run("setenv ipaddr; setenv autoload no; dhcp", &rc), "DHCP client bound to address 10.9.0.50\n");
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(tftp.rrqs, 0U);
    EXPECT_EQ(env("bootfile"), "boot/Image");
}

TEST_F(TftpWget, DhcpWithAddressAndFileLoadsThem) {
    const auto file = pattern(5000, 9);
    tftp.files["other"] = file;
    peer.dhcp.siaddr = 0x0A090003;
    int rc = -1;
    const std::string out = r.run("setenv ipaddr; dhcp " + hex(base + 0x40000) + " other", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(loaded(file.size(), 0x40000), file);
    EXPECT_EQ(env("fileaddr"), hex(base + 0x40000));
}

TEST_F(TftpWget, WgetWithContentLength) {
    const auto body = pattern(300000, 10);
    http.responses["/k/Image"] = "HTTP/1.1 200 OK\r\nContent-Length: 300000\r\n\r\n" + as_text(body);
    int rc = -1;
    const std::string out = r.run("wget http://10.9.0.3/k/Image", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(out.rfind("300000 bytes transferred in ", 0), 0U) << out;
    EXPECT_NE(out.find("\nBytes transferred = 300000 (493e0 hex)\n"), std::string::npos) << out;
    EXPECT_EQ(loaded(body.size()), body);
    EXPECT_EQ(env("filesize"), "493e0");
    EXPECT_EQ(env("fileaddr"), hex(base + 0x1000));
}

TEST_F(TftpWget, WgetChunkedLegacyFormWithAddress) {
    const auto body = pattern(5000, 11);
    const std::string s = as_text(body);
    http.responses["/c.bin"] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n" + s.substr(0, 4096) +
                               "\r\n388\r\n" + s.substr(4096) + "\r\n0\r\n\r\n";
    int rc = -1;
    const std::string out = r.run("wget " + hex(base + 0x8000) + " 10.9.0.3:/c.bin", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(loaded(body.size(), 0x8000), body);
    EXPECT_EQ(http.paths, std::vector<std::string>{"/c.bin"});
    EXPECT_EQ(env("filesize"), "1388");
}

TEST_F(TftpWget, WgetLegacyFormUsesServerip) {
    const auto body = pattern(700, 12);
    http.responses["/f"] = "HTTP/1.1 200 OK\r\nContent-Length: 700\r\n\r\n" + as_text(body);
    int rc = -1;
    const std::string out = r.run("wget /f", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(loaded(body.size()), body);
}

TEST_F(TftpWget, Wget404FailsAndLeavesFilesizeAlone) {
    int rc = -1;
    const std::string out = r.run("setenv filesize 7; wget http://10.9.0.3/missing", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("404"), std::string::npos) << out;
    EXPECT_EQ(env("filesize"), "7");
    EXPECT_EQ(ram[0x1000], 0);
}

TEST_F(TftpWget, WgetRefusesHttps) {
    int rc = -1;
    const std::string out = r.run("wget https://10.9.0.3/x", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("HTTPS is not supported"), std::string::npos) << out;
    EXPECT_TRUE(link_a.sent.empty());
}

}  // namespace

namespace {

TEST_F(TftpWget, CtrlCStopsTftpboot) {
    const auto file = pattern(200000, 13);
    tftp.files["Image"] = file;
    // Ctrl-C typed while block 20 is on its way.
    tftp.ack_hook = [this](std::uint64_t acked) {
        if (acked == 20) r.type("\x03");
    };
    int rc = -1;
    const std::string out = r.run("tftpboot Image", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("\nAbort\n"), std::string::npos) << out;
    EXPECT_NE(loaded(file.size()), file);
    EXPECT_LT(tftp.data_sent, 100U);
    EXPECT_EQ(env("filesize"), "<unset>");
}

}  // namespace

namespace {

TEST_F(TftpWget, WgetOverXenbootsMemoryIsRefusedBeforeAnyPacket) {
    http.responses["/f"] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
    int rc = -1;
    const std::string out = r.run("wget " + hex(base + kHeap) + " http://10.9.0.3/f", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("overlaps xenboot's heap"), std::string::npos) << out;
    EXPECT_TRUE(link_a.sent.empty());
    EXPECT_TRUE(http.paths.empty());
}

TEST_F(TftpWget, WgetStopsAtTheEndOfFreeRam) {
    const auto body = pattern(0x3000, 14);
    http.responses["/big"] = "HTTP/1.1 200 OK\r\nContent-Length: 12288\r\n\r\n" + as_text(body);
    int rc = -1;
    const std::string out = r.run("wget " + hex(base + kHeap - 0x1000) + " http://10.9.0.3/big", &rc);
    EXPECT_EQ(rc, 1) << out;
    for (std::uint64_t i = kHeap; i < kHeap + 0x2000; ++i) ASSERT_EQ(ram[i], 0) << i;  // heap untouched
    EXPECT_EQ(env("filesize"), "<unset>");
}

}  // namespace

namespace {

// A lost block costs a timeout (1 s of virtual time): the transfer then lasts
// longer than a second and prints one progress line.
TEST_F(TftpWget, SlowTftpbootPrintsProgress) {
    const auto file = pattern(146800, 15);
    tftp.files["Image"] = file;
    tftp.drop_once = 50;
    int rc = -1;
    const std::string out = r.run("setenv tftptimeout 1000; tftpboot Image", &rc);
    EXPECT_EQ(rc, 0) << out;
    // 49 blocks of 1468 when the client timed out waiting for block 50.
    EXPECT_EQ(
        out, "TFTP from server 10.9.0.3; our IP address is 10.9.0.2\nFilename 'Image'.\nLoad address: 0x" +
                 hex(base + 0x1000) +
                 "\n  71932 bytes of 146800 (70 KiB/s)\n146800 bytes transferred in 1000 ms (143 KiB/s) (blksize 1468, "
                 "windowsize 1)\nBytes transferred = 146800 (23d70 hex)\n");
    EXPECT_EQ(loaded(file.size()), file);
}

}  // namespace
