// Board init end to end on the simulated Xen: a good device tree reaches the
// prompt; broken ones give a clear message and a power-off, never a hang.
#include <gtest/gtest.h>

#include <cstring>
#include <regex>

#include <vector>

#include "arch/arch.h"
#include "arch/host/virtual_clock.h"
#include "board/xenguest/board.h"
#include "tests/sim/dtb_builder.h"
#include "tests/sim/fakes.h"
#include "tests/sim/guest_ram.h"
#include "tests/sim/sim_netback.h"
#include "tests/sim/sim_vbd.h"

namespace {

using namespace xb;

void no_panic_console(Console*) {}

// Xen and its backends only: board_main sets up the guest's side itself.
struct BoardRig : sim::SimGuest {
    sim::SimXenstore& xenstore = *daemon;
    sim::FakeMapper mapper;
    sim::FakePower power;
    Heap board_heap;
    std::vector<std::uint8_t> dtb;

    // No autoboot unless a test asks for it (bootdelay in its bootargs): typed
    // input would otherwise stop the countdown instead of reaching the prompt.
    static sim::DtbSpec quiet(sim::DtbSpec spec) {
        if (spec.bootargs.empty()) spec.bootargs = "bootdelay=-1";
        return spec;
    }
    explicit BoardRig(const sim::DtbSpec& spec)
        : SimGuest(Options{}.with_fresh_ram().without_drivers().with_xenstore()), dtb(sim::build_dtb(quiet(spec))) {
        // The board's heap hands out ring and grant pages: it must be guest RAM.
        board_heap.init(heap.alloc(16u << 20, 4096), 16u << 20);
    }

    const std::uint64_t* stub_ticks = nullptr;
    std::uint64_t main_ticks = 0;

    std::string boot(const std::string& typed, std::uint64_t entry_ticks = arch::counter()) {
        backend.type(typed);
        board::BoardEnv env{xen,
                            mapper,
                            power,
                            board_heap,
                            dtb.data(),
                            dtb.size(),
                            entry_ticks,
                            0x40000000,
                            Range{0x43e00000, 0x100000},
                            Range{0x43f00000, 0x80000},
                            &no_panic_console};
        env.stub_ticks = stub_ticks;
        env.main_ticks = main_ticks;
        board::board_main(env);
        return backend.output();
    }
};

TEST(Board, GoodTreeReachesThePromptAndRunsCommands) {
    BoardRig rig{sim::DtbSpec{}};
    std::string out = rig.boot("version\rpoweroff\r");
    EXPECT_NE(out.find("xenboot 0."), std::string::npos) << out;
    EXPECT_NE(out.find("on Xen 4.17.7-sim"), std::string::npos) << out;
    EXPECT_NE(out.find("DRAM:  bank 0 at 0x40000000, 64 MiB"), std::string::npos) << out;
    EXPECT_NE(out.find("Entry to prompt: "), std::string::npos) << out;
    EXPECT_NE(out.find("=> version"), std::string::npos) << out;
    EXPECT_EQ(rig.power.power_offs, 1);
    // shared_info went into the last page of the grant-table window.
    ASSERT_TRUE(rig.xen.shared_info_gfn().has_value());
    EXPECT_EQ(rig.xen.shared_info_gfn()->value(), 0x38fffu);
    // RAM, console page and grant window mapped Normal, then activated.
    EXPECT_EQ(rig.mapper.activations, 1);
    bool ram = false, console = false, grant = false, store = false;
    for (auto& m : rig.mapper.mapped) {
        EXPECT_EQ(m.type, arch::MemType::normal);
        ram |= m.range.base == 0x40000000 && m.range.size == (64u << 20);
        console |= m.range.base == 0x39000000;
        store |= m.range.base == 0x39001000 && m.range.size == 0x1000;
        grant |= m.range.base == 0x38000000;
    }
    EXPECT_TRUE(ram && console && grant && store);
}

// The load addresses with 0x, fdtcontroladdr/fdt_addr at xenboot's copy of
// the tree, and `env default -a` gives back all of it and the cmdline's words.
TEST(Board, EnvDefaultRestoresComputedVariables) {
    sim::DtbSpec spec;
    spec.bootargs = "bootdelay=-1 mine=from_cmdline";
    BoardRig rig{spec};
    std::string out = rig.boot(
        "setenv kernel_addr_r; setenv mine x; setenv extra 1\r"
        "env default -a\r"
        "printenv kernel_addr_r ramdisk_addr_r loadaddr mine bootdelay bootcmd extra\r"
        "printenv fdtcontroladdr fdt_addr\r"
        "poweroff\r");
    EXPECT_NE(out.find("## Resetting to default environment"), std::string::npos) << out;
    EXPECT_NE(out.find("kernel_addr_r=0x40000000\r\n"), std::string::npos) << out;
    EXPECT_NE(out.find("loadaddr=0x40000000\r\n"), std::string::npos) << out;
    EXPECT_NE(out.find("ramdisk_addr_r=0x4"), std::string::npos) << out;
    EXPECT_NE(out.find("mine=from_cmdline\r\n"), std::string::npos) << out;
    EXPECT_NE(out.find("bootdelay=-1\r\n"), std::string::npos) << out;
    EXPECT_NE(out.find("bootcmd=bootflow scan -lb\r\n"), std::string::npos) << out;
    EXPECT_NE(out.find("## Error: \"extra\" not defined"), std::string::npos) << out;
    // Bare hex (env_set_hex), both the address of xenboot's copy.
    std::smatch m;
    ASSERT_TRUE(std::regex_search(out, m, std::regex("fdtcontroladdr=([0-9a-f]+)\r\n"))) << out;
    EXPECT_NE(out.find("fdt_addr=" + m[1].str() + "\r\n"), std::string::npos) << out;
}

TEST(Board, ProbesPvDisksAndServesPvblock) {
    BoardRig rig{sim::DtbSpec{}};
    std::vector<std::uint8_t> disk(4u << 20, 0x5a);
    sim::SimVbd vbd(rig.xen, rig.xenstore, disk, {});
    std::string out = rig.boot("pvblock info\rpoweroff\r");
    // The banner names the disk; its size comes with Connected (pvblock info).
    EXPECT_NE(out.find("pvblock 0: xvda (vbd 51712)\r\n"), std::string::npos) << out;
    EXPECT_NE(out.find("Capacity: 4.0 MB = 0.0 GB (8192 x 512)"), std::string::npos) << out;
    EXPECT_NE(out.find("Grants: persistent pool of"), std::string::npos) << out;
    EXPECT_EQ(rig.xenstore.get(vbd.frontend() + "/state"), "4");
}

std::uint64_t ms_after(const std::string& out, const char* label) {
    std::smatch m;
    if (!std::regex_search(out, m, std::regex(std::string(label) + "(\\d+)"))) return UINT64_MAX;
    return std::stoull(m[1].str());
}

// A backend that reaches Connected `ms` after the frontend is Initialised.
sim::SimVbd::Options connects_after(std::uint64_t ms) {
    sim::SimVbd::Options o;
    o.connect_after_ms = ms;
    return o;
}

// Prompt first: init starts the handshake and prints the prompt without
// waiting for blkback; the command that needs the disk waits for it.
TEST(Board, ThePromptComesBeforeASlowDiskConnects) {
    BoardRig rig{sim::DtbSpec{}};
    sim::SimVbd vbd(rig.xen, rig.xenstore, std::vector<std::uint8_t>(4u << 20, 0x5a), connects_after(400));
    std::string out = rig.boot("pvblock info\rpoweroff\r");
    const std::uint64_t prompt = ms_after(out, "Entry to prompt: ");
    EXPECT_LT(prompt, 100u) << out;
    // The handshake took the backend's 400 ms, after the prompt.
    EXPECT_GE(ms_after(out, "Connect: "), 400u) << out;
    EXPECT_LT(out.find("Entry to prompt: "), out.find("Capacity: 4.0 MB")) << out;
    EXPECT_EQ(rig.xenstore.get(vbd.frontend() + "/state"), "4");
}

// No XenStore round trip before the prompt: with xenstored silent for the
// first 300 ms the prompt still comes at once (init used to list the disks
// and vifs first, 2 + 2 per disk + 3 per vif requests). The command typed
// meanwhile waits for the listing, which is printed before its output.
TEST(Board, ThePromptComesBeforeAnyXenstoreReply) {
    BoardRig rig{sim::DtbSpec{}};
    sim::SimVbd vbd(rig.xen, rig.xenstore, std::vector<std::uint8_t>(4u << 20, 0x5a), {});
    sim::SimNetback vif0(rig.xen, rig.xenstore);
    const unsigned before = rig.xenstore.requests();
    rig.xenstore.stall_until(arch::virtual_clock::now() + 300'000);
    std::string out = rig.boot("pvblock info; printenv ethaddr\rpoweroff\r");
    EXPECT_LT(ms_after(out, "Entry to prompt: "), 100u) << out;
    EXPECT_NE(out.find(" ms (0 XenStore requests)\r\n"), std::string::npos) << out;
    const std::size_t prompt = out.find("Entry to prompt: ");
    const std::size_t listed = out.find("pvblock 0: xvda (vbd 51712)\r\nNet:   eth0: vif 0, 00:16:3e:12:34:56\r\n");
    ASSERT_NE(listed, std::string::npos) << out;
    EXPECT_LT(prompt, listed) << out;
    EXPECT_LT(listed, out.find("Capacity: 4.0 MB")) << out;
    EXPECT_NE(out.find("ethaddr=00:16:3e:12:34:56\r\n"), std::string::npos) << out;
    EXPECT_GT(rig.xenstore.requests(), before);
    EXPECT_EQ(rig.xenstore.get(vbd.frontend() + "/state"), "4");
}

// bootdelay=0: bootcmd runs at once, and the listing it waits for is done
// first (the disk is known to the boot flow, not half listed).
TEST(Board, BootcmdWaitsForTheListing) {
    sim::DtbSpec spec;
    spec.bootargs = "bootdelay=0 bootcmd='pvblock info; poweroff'";
    BoardRig rig{spec};
    sim::SimVbd vbd(rig.xen, rig.xenstore, std::vector<std::uint8_t>(4u << 20, 0x5a), {});
    rig.xenstore.stall_until(arch::virtual_clock::now() + 300'000);
    std::string out = rig.boot("");
    EXPECT_LT(ms_after(out, "Entry to prompt: "), 100u) << out;
    const std::size_t listed = out.find("pvblock 0: xvda (vbd 51712)\r\n");
    ASSERT_NE(listed, std::string::npos) << out;
    EXPECT_LT(listed, out.find("Capacity: 4.0 MB")) << out;
    EXPECT_NE(out.find("Capacity: 4.0 MB"), std::string::npos) << out;
    EXPECT_EQ(rig.power.power_offs, 1);
}

// While the prompt waits for input the handshake finishes and the pool is
// warmed: blkback maps every pool page once before the first read.
TEST(Board, AnIdlePromptConnectsAndWarmsTheDisk) {
    BoardRig rig{sim::DtbSpec{}};
    sim::SimVbd vbd(rig.xen, rig.xenstore, std::vector<std::uint8_t>(4u << 20, 0x5a), connects_after(100));
    std::string out = rig.boot("sleep 1\rpoweroff\r");
    EXPECT_EQ(rig.xenstore.get(vbd.frontend() + "/state"), "4") << out;
    EXPECT_GT(vbd.blkback().persistent_mappings(), 900u) << out;
    EXPECT_GT(vbd.blkback().stats().indirect_requests, 0u);
}

// A disk whose backend never connects: the prompt still comes at once, and
// `pvblock info` says why the disk is unusable once its deadline passed.
TEST(Board, ADeadDiskDoesNotDelayThePromptAndInfoSaysWhy) {
    BoardRig rig{sim::DtbSpec{}};
    sim::SimVbd::Options dead;
    dead.never_connect = true;
    sim::SimVbd vbd(rig.xen, rig.xenstore, std::vector<std::uint8_t>(1u << 20, 0x5a), dead);
    std::string out = rig.boot("pvblock info\rpoweroff\r");
    EXPECT_LT(ms_after(out, "Entry to prompt: "), 100u) << out;
    EXPECT_NE(out.find("State: failed: vbd 51712: backend /local/domain/0/backend/vbd/1/51712 did not reach Connected "
                       "within 30000 ms (last seen: InitWait)"),
              std::string::npos)
        << out;
}

// The vifs are listed (no connect: the prompt comes first) and their MACs
// become ethaddr and eth1addr, as U-Boot names them.
TEST(Board, ListsVifsWithoutConnectingAndSetsEthaddr) {
    BoardRig rig{sim::DtbSpec{}};
    sim::SimNetback vif0(rig.xen, rig.xenstore);
    sim::SimNetback::Options o1;
    o1.handle = 1;
    o1.mac = "00:16:3e:00:00:01";
    sim::SimNetback vif1(rig.xen, rig.xenstore, o1);
    std::string out = rig.boot("printenv ethaddr eth1addr\rpoweroff\r");
    EXPECT_NE(out.find("Net:   eth0: vif 0, 00:16:3e:12:34:56\r\nNet:   eth1: vif 1, 00:16:3e:00:00:01\r\n"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("ethaddr=00:16:3e:12:34:56\r\neth1addr=00:16:3e:00:00:01\r\n"), std::string::npos) << out;
    EXPECT_TRUE(vif0.state_log().empty());
    EXPECT_FALSE(vif0.connected());
    EXPECT_EQ(rig.xenstore.get(vif0.backend() + "/state"), "2");
}

// The network commands reach vif 0 through the board's ports: ping with a
// static address connects the vif on first use and sends an ARP request for
// the target from the vif's MAC (nobody answers in this rig), and asking for
// a port the guest does not have says so.
TEST(Board, NetworkCommandsUseVif0) {
    BoardRig rig{sim::DtbSpec{}};
    sim::SimNetback vif0(rig.xen, rig.xenstore);
    std::string out = rig.boot("setenv ipaddr 10.9.0.50; setenv netmask 255.255.255.0; ping 10.9.0.1\rpoweroff\r");
    EXPECT_NE(out.find("ping: no ARP reply from 10.9.0.1"), std::string::npos) << out;
    EXPECT_TRUE(vif0.connected() || !vif0.state_log().empty()) << out;
    // lwIP announces its own address first (gratuitous ARP); then it asks for 10.9.0.1.
    const std::vector<std::uint8_t> broadcast(6, 0xff), mac{0x00, 0x16, 0x3e, 0x12, 0x34, 0x56};
    const std::vector<std::uint8_t> target{10, 9, 0, 1};
    bool asked = false;
    for (const std::vector<std::uint8_t>& f : vif0.sent_frames()) {
        if (f.size() < 42 || f[12] != 0x08 || f[13] != 0x06) continue;  // EtherType 0x0806: ARP
        if (std::vector<std::uint8_t>(f.begin() + 38, f.begin() + 42) != target) continue;
        asked = true;
        EXPECT_EQ(std::vector<std::uint8_t>(f.begin(), f.begin() + 6), broadcast);
        EXPECT_EQ(std::vector<std::uint8_t>(f.begin() + 6, f.begin() + 12), mac);
        EXPECT_EQ(std::vector<std::uint8_t>(f.begin() + 28, f.begin() + 32),
                  (std::vector<std::uint8_t>{10, 9, 0, 50}));  // sender protocol address
    }
    EXPECT_TRUE(asked) << vif0.sent_frames().size() << " frames, none an ARP request for 10.9.0.1";
}

TEST(Board, NetworkCommandsWithoutAVifSaySo) {
    BoardRig rig{sim::DtbSpec{}};
    std::string out = rig.boot("ping 10.9.0.1\rpoweroff\r");
    EXPECT_NE(out.find("no network device"), std::string::npos) << out;
}

TEST(Board, KeepsAnEthaddrGivenInBootargs) {
    sim::DtbSpec spec;
    spec.bootargs = "bootdelay=-1 ethaddr=02:00:00:00:00:01";
    BoardRig rig{spec};
    sim::SimNetback vif0(rig.xen, rig.xenstore);
    std::string out = rig.boot("printenv ethaddr\rpoweroff\r");
    EXPECT_NE(out.find("xenboot: warning: ethaddr is 02:00:00:00:00:01, but vif 0's MAC is 00:16:3e:12:34:56"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("ethaddr=02:00:00:00:00:01\r\n"), std::string::npos) << out;
}

TEST(Board, BdinfoShowsXenstoreFacts) {
    BoardRig rig{sim::DtbSpec{}};
    std::string out = rig.boot("bdinfo\rpoweroff\r");
    EXPECT_NE(out.find("xenstore    = pfn 0x39001, event channel 1"), std::string::npos) << out;
    EXPECT_NE(out.find("shared_info = gfn 0x38fff"), std::string::npos) << out;
    // The listing before the first command: device/vbd and device/vif (both
    // absent here), one request each; and where init spent its time.
    EXPECT_NE(out.find("xenstore    = pfn 0x39001, event channel 1, 2 requests so far\r\n"), std::string::npos) << out;
    EXPECT_NE(out.find(" ms XenStore client, grant table, buses\r\n"), std::string::npos) << out;
    EXPECT_TRUE(std::regex_search(out, std::regex("init step   = \\d+\\.\\d{3} ms banner\r\n"))) << out;
}

TEST(Board, BdinfoShowsTheEntryStubsSteps) {
    BoardRig rig{sim::DtbSpec{}};
    // Counts as boot/entry.S leaves them after a move: the first entry's eight
    // slots, then the second entry's (its last two not reached).
    const std::uint64_t entry = arch::virtual_clock::now();
    const std::uint64_t hz = arch::counter_hz();
    std::uint64_t ticks[board::kStubTicks] = {};
    for (unsigned i = 0; i < 14; ++i) ticks[i] = entry + i * hz / 1000;  // 1 ms apart
    rig.stub_ticks = ticks;
    rig.main_ticks = entry + 14 * hz / 1000;
    arch::virtual_clock::advance_to(rig.main_ticks);
    std::string out = rig.boot("bdinfo\rpoweroff\r", entry);
    EXPECT_NE(out.find("init step   = 1.000 ms stub: invalidate image (MMU off)\r\n"
                       "init step   = 1.000 ms stub: relocate (MMU off)\r\n"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("init step   = 1.000 ms stub 2: MMU on\r\n"
                       "init step   = 1.000 ms stub to C++ entry\r\n"),
              std::string::npos)
        << out;
    EXPECT_EQ(out.find("stub 2: choose home"), std::string::npos) << out;
}

TEST(Board, NoMemoryNodeGivesAMessageAndPowerOff) {
    sim::DtbSpec spec;
    spec.memory.clear();
    BoardRig rig{spec};
    std::string out = rig.boot("");
    EXPECT_NE(out.find("xenboot: fatal: device tree has no usable /memory node"), std::string::npos) << out;
    EXPECT_NE(out.find("powering off"), std::string::npos);
    EXPECT_EQ(rig.power.power_offs, 1);
    EXPECT_EQ(out.find("=> "), std::string::npos);
}

TEST(Board, NoHypervisorNodeGivesAMessageAndPowerOff) {
    sim::DtbSpec spec;
    spec.hypervisor = false;
    BoardRig rig{spec};
    std::string out = rig.boot("");
    EXPECT_NE(out.find("xenboot: fatal: device tree has no /hypervisor node"), std::string::npos) << out;
    EXPECT_EQ(rig.power.power_offs, 1);
    EXPECT_FALSE(rig.xen.shared_info_gfn().has_value());
}

TEST(Board, GarbageDeviceTreeGivesAMessageAndPowerOff) {
    BoardRig rig{sim::DtbSpec{}};
    rig.dtb.assign(256, 0x5a);
    std::string out = rig.boot("");
    EXPECT_NE(out.find("xenboot: fatal: device tree: bad magic"), std::string::npos) << out;
    EXPECT_EQ(rig.power.power_offs, 1);
}

TEST(Board, RamThatDoesNotHoldXenbootIsRefused) {
    sim::DtbSpec spec;
    spec.memory = {{0x80000000, 64 << 20}};
    BoardRig rig{spec};
    std::string out = rig.boot("");
    EXPECT_NE(out.find("no RAM bank holds xenboot"), std::string::npos) << out;
    EXPECT_EQ(rig.power.power_offs, 1);
}

TEST(Board, NoConsoleParamsStillPowersOff) {
    BoardRig rig{sim::DtbSpec{}};
    rig.xen.inject_error(xen::Hypercall::hvm_op, xen::kHvmopGetParam, xen::kEINVAL);
    rig.boot("");
    EXPECT_EQ(rig.power.power_offs, 1);
}

TEST(Board, SharedInfoRefusedFallsBackToPollingConsole) {
    BoardRig rig{sim::DtbSpec{}};
    rig.xen.inject_error(xen::Hypercall::memory_op, xen::kXenmemAddToPhysmap, xen::kEBUSY);
    std::string out = rig.boot("echo ok\rpoweroff\r");
    EXPECT_NE(out.find("warning: mapping shared_info"), std::string::npos) << out;
    EXPECT_NE(out.find("ok\r\n"), std::string::npos);
    EXPECT_EQ(rig.power.power_offs, 1);
}

}  // namespace
