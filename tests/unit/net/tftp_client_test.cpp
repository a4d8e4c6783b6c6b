#include "net/tftp_client.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "arch/host/virtual_clock.h"
#include "tests/unit/net/tftp_server_script.h"

namespace xb::net {
namespace {

using sim::FakeDatagramSocket;
using sim::ScriptedTftpServer;
using Fault = ScriptedTftpServer::Fault;

std::vector<std::uint8_t> pattern(std::size_t n) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i * 7 + i / 251);
    return v;
}

class TftpClientTest : public ::testing::Test {
  protected:
    FakeDatagramSocket socket;
    ScriptedTftpServer server{socket};
    std::vector<std::uint8_t> dest = std::vector<std::uint8_t>(1 << 20, 0xEE);
    std::vector<std::uint8_t> packet = std::vector<std::uint8_t>(65468);
    TftpRequest req;

    void SetUp() override {
        req.server = ScriptedTftpServer::kListen;
        req.filename = "vmlinuz";
        req.dest = dest;
        req.packet = packet;
    }
    Result<TftpResult> run() { return tftp_read(socket, req); }
    void expect_file(std::size_t limit_check = 0) {
        ASSERT_GE(dest.size(), server.file.size());
        EXPECT_TRUE(std::equal(server.file.begin(), server.file.end(), dest.begin()));
        // Nothing written past the file.
        const std::size_t end = limit_check != 0 ? limit_check : dest.size();
        for (std::size_t i = server.file.size(); i < end; ++i) ASSERT_EQ(dest[i], 0xEE) << "byte " << i;
    }
};

TEST_F(TftpClientTest, DefaultOptionsAskedAndNegotiated) {
    server.file = pattern(100000);
    auto r = run();
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(server.rrq_filename, "vmlinuz");
    EXPECT_EQ(server.rrq_mode, "octet");
    EXPECT_EQ(server.rrq_options, (std::vector<std::string>{"blksize=1468", "timeout=5", "tsize=0"}));
    EXPECT_EQ(r.value().bytes, 100000u);
    EXPECT_EQ(r.value().blocks, 100000u / 1468 + 1);
    EXPECT_EQ(r.value().block_size, 1468);
    EXPECT_EQ(r.value().window_size, 1);
    EXPECT_EQ(r.value().tsize, 100000u);
    EXPECT_EQ(r.value().retransmits, 0u);
    EXPECT_EQ(r.value().duplicates, 0u);
    expect_file();
}

TEST_F(TftpClientTest, WindowedTransferAcksOncePerWindow) {
    server.file = pattern(16 * 1468 * 3 + 100);
    req.options.window_size = 16;
    auto r = run();
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(server.rrq_options, (std::vector<std::string>{"blksize=1468", "windowsize=16", "timeout=5", "tsize=0"}));
    EXPECT_EQ(r.value().window_size, 16);
    // ACK 0 for the OACK, one per full window (3), one for the last block.
    EXPECT_EQ(server.acks, 1 + 3 + 1);
    expect_file();
}

TEST_F(TftpClientTest, ServerMayShrinkBlockSizeAndWindow) {
    server.file = pattern(20000);
    server.max_block_size = 1024;
    server.max_window = 4;
    req.options.window_size = 8;
    auto r = run();
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r.value().block_size, 1024);
    EXPECT_EQ(r.value().window_size, 4);
    expect_file();
}

TEST_F(TftpClientTest, OptionlessServerSends512ByteBlocks) {
    server.file = pattern(5000);
    server.honour_options = false;
    req.options.window_size = 8;
    auto r = run();
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r.value().block_size, 512);
    EXPECT_EQ(r.value().window_size, 1);
    EXPECT_EQ(r.value().tsize, 0u);
    EXPECT_EQ(r.value().blocks, 10u);
    expect_file();
}

TEST_F(TftpClientTest, ExactMultipleOfBlockSizeEndsWithEmptyBlock) {
    server.file = pattern(1468 * 4);
    auto r = run();
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r.value().blocks, 5u);
    EXPECT_EQ(r.value().bytes, 1468u * 4);
    expect_file();
}

TEST_F(TftpClientTest, BlockNumbersRollOverWithTinyBlocks) {
    // 8-byte blocks: 70000 blocks pass 65535 and go on from 0.
    server.file = pattern(8 * 70000 + 3);
    req.options.block_size = 8;
    req.options.window_size = 64;
    auto r = run();
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r.value().blocks, 70001u);
    expect_file();
}

TEST_F(TftpClientTest, LostDataInWindowIsResentFromTheGap) {
    server.file = pattern(1468 * 40 + 5);
    req.options.window_size = 8;
    server.fault = [](std::uint64_t b, std::uint32_t times) {
        return (b == 3 || b == 17 || b == 24) && times == 0 ? Fault::drop : Fault::none;
    };
    auto r = run();
    ASSERT_TRUE(r) << r.error().message();
    expect_file();
    // Blocks 3 and 17 are mid-window: the next block shows the gap and the
    // client ACKs 2 and 16 at once. 24 ends a window: only the timeout finds it.
    EXPECT_EQ(r.value().retransmits, 1u);
    EXPECT_GT(r.value().duplicates, 0u);
    EXPECT_EQ(r.value().blocks, 41u);
}

TEST_F(TftpClientTest, GapIsAckedOnceWithTheLastInOrderBlock) {
    server.file = pattern(1468 * 6 + 10);  // blocks 1..7
    req.options.window_size = 4;
    server.fault = [](std::uint64_t b, std::uint32_t times) {
        return b == 2 && times == 0 ? Fault::drop : Fault::none;
    };
    auto r = run();
    ASSERT_TRUE(r) << r.error().message();
    expect_file();
    std::vector<int> acks;
    for (const auto& d : socket.sent)
        if (d.data[1] == 4) acks.push_back(d.data[2] << 8 | d.data[3]);
    // ACK 0 for the OACK; block 3 shows the gap: ACK 1 once (not again for
    // block 4); the server sends 2..5 again, a full window: ACK 5; then 6, 7 (last).
    EXPECT_EQ(acks, (std::vector<int>{0, 1, 5, 7}));
    EXPECT_EQ(r.value().duplicates, 2u);  // 3 and 4 the first time
    EXPECT_EQ(r.value().retransmits, 0u);
}

TEST_F(TftpClientTest, LockstepLossIsRecoveredByTimeout) {
    server.file = pattern(1468 * 10 + 1);
    server.fault = [](std::uint64_t b, std::uint32_t times) {
        return b % 3 == 0 && times < 2 ? Fault::drop : Fault::none;
    };
    const std::uint64_t before = arch::virtual_clock::now();
    auto r = run();
    ASSERT_TRUE(r) << r.error().message();
    expect_file();
    // Blocks 3, 6, 9 each lost twice: six timeouts of 5 s on the virtual clock.
    EXPECT_EQ(r.value().retransmits, 6u);
    EXPECT_GE(arch::virtual_clock::now() - before, 6u * 5000 * 1000);
    EXPECT_GE(r.value().elapsed_ms, 30000u);
}

TEST_F(TftpClientTest, DuplicatesAndReorderingNeverWriteTwice) {
    server.file = pattern(1468 * 50 + 77);
    req.options.window_size = 4;
    server.fault = [](std::uint64_t b, std::uint32_t times) {
        if (times != 0) return Fault::none;
        if (b % 5 == 0) return Fault::duplicate;
        if (b % 7 == 0) return Fault::hold;  // arrives after the next block
        return Fault::none;
    };
    auto r = run();
    ASSERT_TRUE(r) << r.error().message();
    expect_file();
    EXPECT_EQ(r.value().blocks, 51u);
    EXPECT_GT(r.value().duplicates, 0u);
}

TEST_F(TftpClientTest, LostOackAckIsAnsweredAgain) {
    server.file = pattern(3000);
    // The server resends the OACK (as if our ACK 0 was lost); we ACK it again.
    int oacks = 0;
    socket.on_send = [&, inner = socket.on_send](Endpoint to, std::span<const std::uint8_t> p) {
        inner(to, p);
        if (p.size() == 4 && p[1] == 1 && oacks++ == 0) {
            // after the RRQ: queue a copy of the OACK the server queued
            socket.inbox.push_back(socket.inbox.back());
        }
    };
    auto r = run();
    ASSERT_TRUE(r) << r.error().message();
    expect_file();
}

TEST_F(TftpClientTest, ServerStoppingMidFileTimesOutWithClearError) {
    server.file = pattern(1468 * 2000);
    dest.resize(1468 * 2001, 0xEE);
    req.dest = dest;
    server.stop_after = 1234;
    const std::uint64_t before = arch::virtual_clock::now();
    auto r = run();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), Errc::timeout);
    EXPECT_STREQ(r.error().message(), "tftp: no answer from 10.9.0.1 for vmlinuz after block 1234 (10 tries)");
    // Ten 5-second waits, nine ACKs sent again.
    const std::uint64_t waited = arch::virtual_clock::now() - before;
    EXPECT_GE(waited, 50u * 1000 * 1000);
    EXPECT_LT(waited, 51u * 1000 * 1000);
    EXPECT_EQ(server.acks, 1 + 1234 + 9);
}

TEST_F(TftpClientTest, NoServerAtAllRetransmitsTheRequest) {
    socket.on_send = nullptr;
    req.options.timeout_ms = 200;  // raised to the 1000 ms floor
    req.options.max_retries = 3;
    const std::uint64_t before = arch::virtual_clock::now();
    auto r = run();
    ASSERT_FALSE(r);
    EXPECT_STREQ(r.error().message(), "tftp: no answer from 10.9.0.1 for vmlinuz after block 0 (3 tries)");
    EXPECT_EQ(socket.sent.size(), 3u);
    for (const auto& d : socket.sent) EXPECT_EQ(d.data[1], 1);  // all RRQs
    const std::uint64_t waited = arch::virtual_clock::now() - before;
    EXPECT_GE(waited, 3u * 1000 * 1000);
    EXPECT_LT(waited, 4u * 1000 * 1000);
}

TEST_F(TftpClientTest, FileLargerThanRangeSendsError3AndStopsAtTheLimit) {
    server.file = pattern(10000);
    server.send_tsize = false;
    req.dest = std::span<std::uint8_t>(dest.data(), 5000);
    auto r = run();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), Errc::no_space);
    EXPECT_NE(std::string(r.error().message()).find("does not fit in the 5000 bytes"), std::string::npos)
        << r.error().message();
    EXPECT_EQ(server.client_error, 3);
    EXPECT_EQ(server.client_error_text, "disk full or allocation exceeded");
    // Three whole blocks fit (4404 bytes); the fourth would pass the limit: not written.
    EXPECT_TRUE(std::equal(server.file.begin(), server.file.begin() + 4404, dest.begin()));
    for (std::size_t i = 4404; i < dest.size(); ++i) ASSERT_EQ(dest[i], 0xEE) << i;
}

TEST_F(TftpClientTest, TsizeLargerThanRangeFailsBeforeTransfer) {
    server.file = pattern(10000);
    req.dest = std::span<std::uint8_t>(dest.data(), 9999);
    auto r = run();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), Errc::no_space);
    EXPECT_NE(std::string(r.error().message()).find("is 10000 bytes, more than the 9999"), std::string::npos)
        << r.error().message();
    EXPECT_EQ(server.client_error, 3);
    EXPECT_EQ(server.data_sent, 0u);
    EXPECT_EQ(dest[0], 0xEE);
}

TEST_F(TftpClientTest, BadOackIsRefusedWithError8) {
    struct Case {
        std::string oack;
        const char* message;
    };
    const Case cases[] = {
        {std::string("blksize\0"
                     "2000\0",
                     13),
         "blksize 2000 not in 8..1468"},
        {std::string("blksize\0"
                     "7\0",
                     10),
         "blksize 7 not in 8..1468"},
        {std::string("windowsize\0"
                     "2\0",
                     13),
         "option 'windowsize' not asked for (or twice)"},
        {std::string("timeout\0"
                     "9\0",
                     10),
         "timeout 9, asked 5"},
        {std::string("tsize\0"
                     "12x\0",
                     10),
         "tsize '12x' is not a number"},
        {std::string("tsize\0"
                     "1\0tsize\0"
                     "1\0",
                     16),
         "option 'tsize' not asked for (or twice)"},
        {std::string("multicast\0\0", 11), "option 'multicast' not asked for (or twice)"},
        {std::string("blksize\0"
                     "512",
                     11),
         "option 'blksize' without value"},
        {std::string("bl\x01ksize", 8), "option name without end"},
    };
    for (const Case& c : cases) {
        FakeDatagramSocket s;
        ScriptedTftpServer srv{s};
        srv.file = pattern(100);
        srv.raw_oack = c.oack;
        auto r = tftp_read(s, req);
        ASSERT_FALSE(r) << c.message;
        EXPECT_EQ(r.error().code(), Errc::bad_data);
        EXPECT_EQ(std::string(r.error().message()),
                  std::string("tftp: vmlinuz: bad option acknowledgement from 10.9.0.1: ") + c.message);
        EXPECT_EQ(srv.client_error, 8) << c.message;
        EXPECT_EQ(srv.data_sent, 0u);
    }
}

TEST_F(TftpClientTest, ServerErrorIsReportedSanitizedAndBounded) {
    server.error_code = 1;
    server.error_text = "File not found";
    auto r = run();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), Errc::not_found);
    EXPECT_STREQ(r.error().message(), "tftp: vmlinuz: server 10.9.0.1: error 1 (File not found)");
    EXPECT_EQ(server.client_error, -1);  // no ERROR answered to an ERROR

    FakeDatagramSocket s;
    ScriptedTftpServer srv{s};
    srv.error_code = 2;
    srv.error_text = "bad\x1b[2Jterm" + std::string(200, 'x');
    auto r2 = tftp_read(s, req);
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().code(), Errc::io);
    EXPECT_EQ(std::string(r2.error().message()),
              "tftp: vmlinuz: server 10.9.0.1: error 2 (bad?[2Jterm" + std::string(64 - 11, 'x') + ")");
}

TEST_F(TftpClientTest, StrangersGetError5AndChangeNothing) {
    server.file = pattern(1468 * 6);
    server.on_ack = [&](std::uint64_t acked) {
        if (acked == 2) {
            // Another port of the server, and another host, both claiming block 3.
            std::vector<std::uint8_t> fake = ScriptedTftpServer::packet(3, 3, std::string(1468, 'Z'));
            socket.deliver({ScriptedTftpServer::kTid.ip, 50001}, fake);
            socket.deliver({Ipv4Address{0x0A090002}, 50000}, fake);
        }
    };
    auto r = run();
    ASSERT_TRUE(r) << r.error().message();
    expect_file();
    EXPECT_EQ(r.value().ignored, 2u);
    ASSERT_EQ(server.error_destinations.size(), 2u);
    EXPECT_EQ(server.error_destinations[0], (Endpoint{ScriptedTftpServer::kTid.ip, 50001}));
    EXPECT_EQ(server.error_destinations[1], (Endpoint{Ipv4Address{0x0A090002}, 50000}));
    // ERROR 5 (unknown transfer ID) to both, and the real transfer went on.
    for (const auto& d : socket.sent)
        if (d.data[1] == 5) {
            EXPECT_EQ(d.data[3], 5);
        }
}

TEST_F(TftpClientTest, ShortAndUnknownPacketsAreIgnoredAndCounted) {
    server.file = pattern(3000);
    server.on_ack = [&](std::uint64_t acked) {
        if (acked == 1) {
            socket.deliver(ScriptedTftpServer::kTid, {0, 3, 0});           // short
            socket.deliver(ScriptedTftpServer::kTid, {0, 9, 0, 2, 1, 2});  // bad opcode
            socket.deliver(ScriptedTftpServer::kTid, ScriptedTftpServer::packet(3, 2, std::string(1469, 'Q')));
            socket.deliver(ScriptedTftpServer::kTid, ScriptedTftpServer::packet(4, 2));  // an ACK to us
        }
    };
    auto r = run();
    ASSERT_TRUE(r) << r.error().message();
    expect_file();
    EXPECT_EQ(r.value().ignored, 4u);
}

TEST_F(TftpClientTest, CancelSendsError0) {
    server.file = pattern(1468 * 100);
    int polls = 0;
    req.callbacks.context = &polls;
    req.callbacks.cancel = [](void* c) { return ++*static_cast<int*>(c) > 20; };
    auto r = run();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), Errc::interrupted);
    EXPECT_NE(std::string(r.error().message()).find("tftp: vmlinuz: cancelled after"), std::string::npos);
    EXPECT_EQ(server.client_error, 0);
}

TEST_F(TftpClientTest, ProgressIsRateLimitedAndEndsWithTheTotal) {
    server.file = pattern(1468 * 30 + 3);
    // Every block is lost once: each costs a 5 s timeout, so progress is due.
    server.fault = [](std::uint64_t, std::uint32_t times) { return times == 0 ? Fault::drop : Fault::none; };
    struct Seen {
        std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
    } seen;
    req.callbacks.context = &seen;
    req.callbacks.progress_interval_ms = 12000;
    req.callbacks.progress = [](void* c, std::uint64_t bytes, std::uint64_t total) {
        static_cast<Seen*>(c)->calls.emplace_back(bytes, total);
    };
    auto r = run();
    ASSERT_TRUE(r) << r.error().message();
    // 31 blocks at 5 s each = 155 s; one call at most every 12 s, plus the last.
    ASSERT_GE(seen.calls.size(), 10u);
    EXPECT_LE(seen.calls.size(), 14u);
    EXPECT_EQ(seen.calls.back(), (std::pair<std::uint64_t, std::uint64_t>{server.file.size(), server.file.size()}));
    for (std::size_t i = 1; i < seen.calls.size(); ++i) EXPECT_GE(seen.calls[i].first, seen.calls[i - 1].first);
}

TEST_F(TftpClientTest, BadArgumentsAreRefused) {
    req.filename = "";
    EXPECT_STREQ(run().error().message(), "tftp: no file name");
    std::string long_name(300, 'a');
    req.filename = long_name.c_str();
    EXPECT_STREQ(run().error().message(), "tftp: file name longer than 255 bytes");
    req.filename = "f";
    req.options.block_size = 4;
    EXPECT_STREQ(run().error().message(), "tftp: block size 4 outside 8..65464");
    req.options.block_size = 1468;
    req.packet = std::span<std::uint8_t>(packet.data(), 100);
    EXPECT_STREQ(run().error().message(), "tftp: packet buffer of 100 bytes, need at least 516");
    EXPECT_TRUE(socket.sent.empty());
}

TEST_F(TftpClientTest, SmallPacketBufferAsksForASmallerBlockSize) {
    server.file = pattern(5000);
    req.packet = std::span<std::uint8_t>(packet.data(), 1004);
    auto r = run();
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(server.rrq_options[0], "blksize=1000");
    expect_file();
}

}  // namespace
}  // namespace xb::net
