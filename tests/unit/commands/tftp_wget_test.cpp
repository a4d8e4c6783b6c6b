// tftpboot and wget through the shell: the command's stack on one end of a
// simulated cable, a second netif of the same lwIP on the other end with the
// small TFTP server of tests/sim/tftp_server.h and an HTTP/1.1 server written
// here over lwIP's raw API (the test cannot block: the servers answer from
// lwIP's callbacks while the command polls). A scripted DHCP peer
// (tests/sim/net_peer.h) shares the cable for dhcp + autoload.
#include <gtest/gtest.h>
#include <lwip/pbuf.h>
#include <lwip/tcp.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lib/crc32.h"
#include "tests/sim/shell_rig.h"
#include "tests/sim/tftp_server.h"

namespace {

using namespace xb;

std::vector<std::uint8_t> pattern(std::size_t n, unsigned seed) {
    std::vector<std::uint8_t> v(n);
    std::uint32_t x = seed * 2654435761U + 1;
    for (auto& b : v) {
        x = x * 1103515245U + 12345U;
        b = static_cast<std::uint8_t>(x >> 16);
    }
    return v;
}

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

// The N of "transferred in N ms" in a tftpboot report (or a huge value when
// the line is missing, so that range checks fail).
std::uint64_t transfer_ms(const std::string& out) {
    const std::string key = "transferred in ";
    const std::size_t at = out.find(key);
    if (at == std::string::npos) return UINT64_MAX;
    return std::strtoull(out.c_str() + at + key.size(), nullptr, 10);
}

// The report with "N ms" and the rate after it (printed only when N > 0)
// replaced by "<time>": the rest is compared exactly. Every read of the
// host's virtual clock moves it one tick, so a transfer's time depends by a
// millisecond on how many reads lwIP's timers happen to make.
std::string without_transfer_time(std::string out) {
    const std::string key = "transferred in ";
    const std::size_t at = out.find(key);
    if (at == std::string::npos) return out;
    const std::size_t from = at + key.size();
    std::size_t to = out.find(" ms", from);
    if (to == std::string::npos) return out;
    to += 3;
    if (out.compare(to, 2, " (") == 0 && out.compare(to + 2, 7, "blksize") != 0) to = out.find(')', to) + 1;
    out.replace(from, to - from, "<time>");
    return out;
}

struct TftpWget : ::testing::Test, sim::ServedNet {
    static constexpr std::uint64_t kRam = 8 << 20;
    static constexpr std::uint64_t kHeap = 6 << 20;
    sim::ShellRig r;
    HttpServer http;
    std::uint8_t* ram = nullptr;
    std::uint64_t base = 0;

    void SetUp() override {
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
    // The server answers at once: only the simulator's tick per clock read
    // passes, about a millisecond (0 or 1 depending on lwIP's timer phase).
    const std::uint64_t took = transfer_ms(out);
    EXPECT_LE(took, 1U) << out;
    EXPECT_EQ(without_transfer_time(out),
              "TFTP from server 10.9.0.3; our IP address is 10.9.0.2\nFilename 'Image'.\nLoad address: 0x" +
                  hex(base + 0x1000) +
                  "\n100000 bytes transferred in <time> (blksize 1468, windowsize 1)\nBytes transferred = 100000 "
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
    EXPECT_EQ(tftp.last_file(), "x.img");
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
    EXPECT_EQ(tftp.rrqs(), 1U);
}

TEST_F(TftpWget, TftpbootOverXenbootsMemoryIsRefusedBeforeAnyPacket) {
    tftp.files["Image"] = pattern(100, 4);
    int rc = -1;
    const std::string out = r.run("tftpboot " + hex(base + kHeap + 0x100) + " Image", &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("refusing Image at"), std::string::npos) << out;
    EXPECT_NE(out.find("overlaps xenboot's heap"), std::string::npos) << out;
    EXPECT_TRUE(link_a.sent.empty());
    EXPECT_EQ(tftp.rrqs(), 0U);
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
    EXPECT_EQ(tftp.rrqs(), 0U);
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
    // The 1000 ms timeout plus the simulator's tick per clock read.
    const std::uint64_t took = transfer_ms(out);
    EXPECT_GE(took, 1000U) << out;
    EXPECT_LE(took, 1001U) << out;
    EXPECT_NE(out.find(" ms (143 KiB/s) (blksize"), std::string::npos) << out;
    EXPECT_EQ(without_transfer_time(out),
              "TFTP from server 10.9.0.3; our IP address is 10.9.0.2\nFilename 'Image'.\nLoad address: 0x" +
                  hex(base + 0x1000) +
                  "\n  71932 bytes of 146800 (70 KiB/s)\n146800 bytes transferred in <time> (blksize 1468, "
                  "windowsize 1)\nBytes transferred = 146800 (23d70 hex)\n");
    EXPECT_EQ(loaded(file.size()), file);
}

}  // namespace
