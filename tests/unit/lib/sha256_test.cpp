// lib/sha256 against FIPS 180-4's examples (NIST CSRC "SHA256.pdf": "abc", the
// 448-bit message, one million 'a') and the coreutils sha256sum of random data.
#include "lib/sha256.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "tests/sim/host_tools.h"

namespace {

std::string hex(const xb::Sha256Digest& d) {
    std::string s;
    char b[3];
    for (std::uint8_t v : d) {
        std::snprintf(b, sizeof b, "%02x", v);
        s += b;
    }
    return s;
}

TEST(Sha256, FipsExamples) {
    EXPECT_EQ(hex(xb::sha256("abc", 3)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(hex(xb::sha256("", 0)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const std::string m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    EXPECT_EQ(hex(xb::sha256(m448.data(), m448.size())),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const std::string million(1000000, 'a');
    EXPECT_EQ(hex(xb::sha256(million.data(), million.size())),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalEqualsOneShotAndSha256sum) {
    std::vector<std::uint8_t> data(100003);
    std::mt19937 rng(5);
    for (auto& b : data) b = static_cast<std::uint8_t>(rng());
    xb::Sha256 h;
    for (std::size_t at = 0; at < data.size(); at += 777)
        h.update(data.data() + at, std::min<std::size_t>(777, data.size() - at));
    const std::string pieces = hex(h.finish());
    EXPECT_EQ(pieces, hex(xb::sha256(data.data(), data.size())));

    if (!xb::sim::have_tool("sha256sum")) GTEST_SKIP() << "sha256sum not installed";
    xb::sim::TempDir dir("sha");
    const std::string f = dir / "data";
    FILE* out = std::fopen(f.c_str(), "wb");
    ASSERT_NE(out, nullptr);
    std::fwrite(data.data(), 1, data.size(), out);
    std::fclose(out);
    EXPECT_EQ(xb::sim::run_tool("sha256sum " + f).output.substr(0, 64), pieces);
}

}  // namespace
