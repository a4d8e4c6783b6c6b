// A refused hand-off (board/xenguest/handoff.cpp refuses while a backend
// still maps one of xenboot's pages): booti returns the error, the kernel is
// not entered, the shell goes on, and a later booti boots once the hand-off
// goes through. Before the fix release_xen could only warn, and booti
// started the kernel anyway.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "tests/sim/boot_rig.h"
#include "tests/sim/kernel_files.h"

namespace {

using namespace xb;
using sim::hex;

TEST(HandoffRefusal, BootiReturnsTheErrorAndTheShellGoesOn) {
    sim::BootRig r;
    const std::vector<std::uint8_t> image = sim::make_arm64_image(300 * 1024, 7);
    r.handoff.snapshot_bytes = image.size();
    const std::uint64_t loaded = r.base() + 4 * sim::BootRig::kMiB;
    std::memcpy(r.at(loaded), image.data(), image.size());
    r.handoff.refuse = "hand-off refused: 3 grant references still in use (vbd 51712: 3)";
    int rc = -1;
    std::string out = r.run("booti " + hex(loaded) + "; echo after=$?", &rc);
    EXPECT_NE(out.find("hand-off refused: 3 grant references still in use (vbd 51712: 3)"), std::string::npos) << out;
    EXPECT_NE(out.find("after=1"), std::string::npos) << out;
    EXPECT_EQ(r.handoff.calls, (std::vector<std::string>{"release_xen"})) << out;  // never entered
    EXPECT_FALSE(r.ctx.stop);
    EXPECT_EQ(out.find("boot time:"), std::string::npos) << out;

    // The backend let go: the same command boots.
    r.handoff.refuse = nullptr;
    out = r.run("booti " + hex(loaded), &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(r.handoff.calls, (std::vector<std::string>{"release_xen", "release_xen", "enter_kernel"})) << out;
    EXPECT_EQ(r.handoff.kernel, image);
    EXPECT_TRUE(r.ctx.stop);
}

}  // namespace
