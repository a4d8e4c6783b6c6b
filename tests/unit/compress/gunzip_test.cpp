#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "compress/gunzip.h"
#include "tests/sim/host_tools.h"

namespace {

using xb::Errc;
using xb::compress::gunzip;
using xb::compress::GunzipProgress;
using xb::compress::is_gzip;
using Bytes = std::vector<std::uint8_t>;

// Compressible but not trivial: runs of text with random bytes between.
Bytes sample(std::size_t size, std::uint32_t seed) {
    std::mt19937 rng(seed);
    Bytes out(size);
    static const char kText[] = "arm64 Image.gz inflated by xenboot; ";
    for (std::size_t i = 0; i < size; ++i) {
        out[i] = (i / 4096) % 3 == 2 ? static_cast<std::uint8_t>(rng())
                                     : static_cast<std::uint8_t>(kText[i % (sizeof kText - 1)]);
    }
    return out;
}

// gzip-wrapped deflate made by zlib itself (windowBits 16 + 15).
Bytes gzip_of(const Bytes& data, int level = 6) {
    z_stream s{};
    EXPECT_EQ(deflateInit2(&s, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    Bytes out(deflateBound(&s, data.size()) + 64);
    s.next_in = const_cast<Bytef*>(data.data());
    s.avail_in = static_cast<uInt>(data.size());
    s.next_out = out.data();
    s.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&s, Z_FINISH), Z_STREAM_END);
    out.resize(s.total_out);
    deflateEnd(&s);
    return out;
}

std::string message(const xb::Error& e) { return e.message(); }

TEST(Gunzip, RecognisesTheMagic) {
    EXPECT_TRUE(is_gzip(Bytes{0x1f, 0x8b, 0x08}));
    EXPECT_TRUE(is_gzip(gzip_of(Bytes{1, 2, 3})));
    EXPECT_FALSE(is_gzip(Bytes{0x1f, 0x8b}));
    EXPECT_FALSE(is_gzip(Bytes{0x1f, 0x8b, 0x07}));  // not deflate
    EXPECT_FALSE(is_gzip(Bytes{}));
}

TEST(Gunzip, InflatesIntoAnExactAndALargerBuffer) {
    const Bytes data = sample(3 << 20, 1);
    const Bytes gz = gzip_of(data);
    ASSERT_LT(gz.size(), data.size());
    Bytes out(data.size());
    auto r = gunzip(gz, out);
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r.value(), data.size());
    EXPECT_EQ(out, data);

    Bytes big(data.size() + 4096, 0xee);
    auto r2 = gunzip(gz, big);
    ASSERT_TRUE(r2.ok());
    EXPECT_EQ(r2.value(), data.size());
    EXPECT_TRUE(std::equal(data.begin(), data.end(), big.begin()));
    EXPECT_EQ(big[data.size()], 0xee);  // nothing written past the data
}

TEST(Gunzip, StoredAndBestCompression) {
    const Bytes data = sample(200000, 2);
    for (int level : {0, 1, 9}) {
        Bytes out(data.size());
        auto r = gunzip(gzip_of(data, level), out);
        ASSERT_TRUE(r.ok()) << level << ": " << r.error().message();
        EXPECT_EQ(out, data) << level;
    }
}

TEST(Gunzip, EmptyContent) {
    Bytes none;
    auto r = gunzip(gzip_of({}), none);
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r.value(), 0u);
}

TEST(Gunzip, OutputThatDoesNotFitIsNoSpace) {
    const Bytes data = sample(100000, 3);
    const Bytes gz = gzip_of(data);
    for (std::size_t room : {data.size() - 1, data.size() / 2, std::size_t{0}}) {
        Bytes out(room);
        auto r = gunzip(gz, out);
        ASSERT_FALSE(r.ok()) << room;
        EXPECT_EQ(r.error().code(), Errc::no_space);
        EXPECT_EQ(message(r.error()), "inflated data larger than " + std::to_string(room) + " bytes");
    }
}

TEST(Gunzip, RefusesWhatIsNotGzip) {
    Bytes out(16);
    auto empty = gunzip({}, out);
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.error().code(), Errc::bad_data);
    EXPECT_NE(message(empty.error()).find("empty input"), std::string::npos);
    auto text = gunzip(Bytes{'h', 'e', 'l', 'l', 'o'}, out);
    ASSERT_FALSE(text.ok());
    EXPECT_NE(message(text.error()).find("not gzip data"), std::string::npos);
}

TEST(Gunzip, TruncatedAtEveryKindOfCutPoint) {
    const Bytes data = sample(60000, 4);
    const Bytes gz = gzip_of(data);
    Bytes out(data.size());
    unsigned cuts = 0;
    for (std::size_t cut = 3; cut < gz.size(); cut += (cut < 64 || cut > gz.size() - 16) ? 1 : 97) {
        auto r = gunzip(std::span(gz).first(cut), out);
        ASSERT_FALSE(r.ok()) << cut;
        EXPECT_EQ(r.error().code(), Errc::bad_data) << cut;
        EXPECT_NE(message(r.error()).find("truncated gzip data (inflated "), std::string::npos)
            << cut << ": " << r.error().message();
        ++cuts;
    }
    EXPECT_GT(cuts, 100u);
    // Cut before the magic is complete: not recognised at all.
    EXPECT_NE(message(gunzip(std::span(gz).first(2), out).error()).find("not gzip data"), std::string::npos);
}

TEST(Gunzip, TruncatedMessageCountsTheBytesInflated) {
    const Bytes data(50000, 'x');
    Bytes gz = gzip_of(data, 0);  // stored blocks: the cut position maps to output
    Bytes out(data.size());
    auto r = gunzip(std::span(gz).first(gz.size() - 8), out);  // the whole trailer missing
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(message(r.error()), "truncated gzip data (inflated 50000 bytes)");
}

TEST(Gunzip, CorruptTrailerAndData) {
    const Bytes data = sample(80000, 5);
    const Bytes gz = gzip_of(data);
    Bytes out(data.size());

    Bytes bad_crc = gz;
    bad_crc[gz.size() - 8] ^= 1;
    auto c = gunzip(bad_crc, out);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code(), Errc::bad_data);
    EXPECT_NE(message(c.error()).find("incorrect data check"), std::string::npos) << c.error().message();

    Bytes bad_size = gz;
    bad_size[gz.size() - 1] ^= 0x40;
    auto s = gunzip(bad_size, out);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(message(s.error()).find("incorrect length check"), std::string::npos) << s.error().message();

    Bytes bad_header = gz;
    bad_header[3] = 0xe0;  // reserved FLG bits
    auto h = gunzip(bad_header, out);
    ASSERT_FALSE(h.ok());
    EXPECT_NE(message(h.error()).find("corrupt gzip data at input byte"), std::string::npos) << h.error().message();

    // Flipped bits through the deflate data: always an error, never a crash
    // or a write past `out` (ASan watches).
    std::mt19937 rng(6);
    for (int i = 0; i < 300; ++i) {
        Bytes bad = gz;
        const std::size_t at = 10 + rng() % (gz.size() - 18);
        bad[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
        auto r = gunzip(bad, out);
        ASSERT_FALSE(r.ok()) << at;
        EXPECT_TRUE(r.error().code() == Errc::bad_data || r.error().code() == Errc::no_space) << r.error().message();
    }
}

TEST(Gunzip, ConcatenatedMembersAndTrailingPadding) {
    const Bytes a = sample(70000, 7), b = sample(50000, 8);
    Bytes gz = gzip_of(a);
    const Bytes gb = gzip_of(b);
    gz.insert(gz.end(), gb.begin(), gb.end());
    gz.insert(gz.end(), 512, 0);  // padding to a block: ignored
    Bytes out(a.size() + b.size());
    auto r = gunzip(gz, out);
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r.value(), a.size() + b.size());
    EXPECT_TRUE(std::equal(a.begin(), a.end(), out.begin()));
    EXPECT_TRUE(std::equal(b.begin(), b.end(), out.begin() + static_cast<std::ptrdiff_t>(a.size())));

    // A second member that is truncated is reported as such.
    Bytes cut = gzip_of(a);
    cut.insert(cut.end(), gb.begin(), gb.begin() + 100);
    auto t = gunzip(cut, out);
    ASSERT_FALSE(t.ok());
    EXPECT_NE(message(t.error()).find("truncated"), std::string::npos);
}

struct Progress {
    std::vector<std::uint64_t> seen;
    std::size_t stop_after = ~std::size_t{0};
};

bool record(void* context, std::uint64_t inflated) {
    auto* p = static_cast<Progress*>(context);
    p->seen.push_back(inflated);
    return p->seen.size() < p->stop_after;
}

TEST(Gunzip, ProgressIsReportedAndCanInterrupt) {
    const Bytes data = sample((5 << 20) + 1000, 9);  // reports at 1..5 MiB; none at the end
    const Bytes gz = gzip_of(data);
    Bytes out(data.size());
    Progress p;
    GunzipProgress progress{record, &p, 1 << 20};
    auto r = gunzip(gz, out, &progress);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(out, data);
    ASSERT_EQ(p.seen.size(), 5u);
    for (std::size_t i = 0; i < p.seen.size(); ++i) EXPECT_EQ(p.seen[i], (i + 1) << 20);

    Progress stop;
    stop.stop_after = 2;
    GunzipProgress stopping{record, &stop, 1 << 20};
    auto s = gunzip(gz, out, &stopping);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Errc::interrupted);
    EXPECT_EQ(message(s.error()), "gunzip interrupted after 2097152 bytes");
}

// What gzip(1) writes (header with a name and mtime) for a real file.
TEST(Gunzip, InflatesGzipToolOutput) {
    const std::string path = std::string(XB_SOURCE_DIR) + "/compress/gunzip.cpp";
    const Bytes original = xb::sim::read_file(path);
    ASSERT_FALSE(original.empty());

    const xb::sim::ToolRun zipped =
        xb::sim::run_tool("gzip -c -9 " + xb::sim::shell_quote(path), xb::sim::Stderr::discarded);
    ASSERT_TRUE(zipped.ok);
    const Bytes gz(zipped.output.begin(), zipped.output.end());
    ASSERT_TRUE(is_gzip(gz));
    EXPECT_NE(gz[3] & 0x08, 0);  // FNAME set: the header carries the file name

    Bytes out(original.size());
    auto r = gunzip(gz, out);
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(out, original);
}

}  // namespace
