// The fdt command through the shell on the simulated console. "RAM" is 1 MiB of
// the simulated guest RAM registered in SystemInfo.memory; its last 64 KiB are
// "xenboot's heap", which holds xenboot's copy of the device tree (the default
// working tree). Results are checked in the output and by reading the tree
// back with libfdt.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "commands/builtins.h"
#include "shell/environment.h"
#include "bootflow/fdt_working_tree.h"
#include "shell/shell.h"
#include "fdt/chosen.h"
#include "fdt/device_tree.h"
#include "tests/sim/dtb_builder.h"
#include "tests/sim/host_tools.h"
#include "tests/sim/shell_rig.h"

extern "C" {
#include <libfdt.h>
}

namespace {

using namespace xb;

constexpr std::uint64_t kRamSize = 0x100000;
constexpr std::uint64_t kHeapOffset = 0xf0000;
constexpr std::uint64_t kCopyOffset = 0xf8000;  // xenboot's copy, in the heap
constexpr std::size_t kCopyRoom = 0x4000;
constexpr std::uint64_t kUserOffset = 0x10000;  // a tree "loaded" into free RAM

std::string hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%lx", v);
    return buf;
}

sim::DtbSpec default_spec() {
    sim::DtbSpec spec;
    spec.bootargs = "console=hvc0";
    return spec;
}

struct FdtRig : sim::ShellRig {
    std::uint8_t* ram = nullptr;

    explicit FdtRig(const sim::DtbSpec& spec = default_spec()) {
        ram = use_ram_window(kRamSize, kHeapOffset);
        auto blob = sim::build_dtb(spec);
        EXPECT_TRUE(fdt::copy_to(blob.data(), copy(), kCopyRoom).ok());
        sys.dtb_copy = base() + kCopyOffset;
        sys.dtb_copy_size = kCopyRoom;
        cmd::reset_working_fdt();
    }
    ~FdtRig() { cmd::reset_working_fdt(); }

    std::uint64_t base() const { return reinterpret_cast<std::uintptr_t>(ram); }
    void* copy() { return ram + kCopyOffset; }
    void* user() { return ram + kUserOffset; }

    // Runs fdt with these words directly (for values longer than a shell line).
    std::string call(std::vector<std::string> words, int* status = nullptr) {
        std::vector<char*> argv;
        for (auto& w : words) argv.push_back(w.data());
        const int rc = cmd::run_command(ctx, *cmd::find_command("fdt"), static_cast<int>(argv.size()), argv.data());
        if (status != nullptr) *status = rc;
        return output();
    }
    // The property as libfdt reads it from the tree at blob ("" + found=false if absent).
    static std::string prop(const void* blob, const char* path, const char* name, bool* found = nullptr) {
        const int node = fdt_path_offset(blob, path);
        int len = 0;
        const void* p = node >= 0 ? fdt_getprop(blob, node, name, &len) : nullptr;
        if (found != nullptr) *found = p != nullptr;
        return p != nullptr ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(len)) : std::string();
    }
};

const char* const kWholeTree =
    "/ {\n"
    "\t#address-cells = <0x00000002>;\n"
    "\t#size-cells = <0x00000002>;\n"
    "\tcompatible = \"xen,xenvm-4.17\";\n"
    "\tchosen {\n"
    "\t\tbootargs = \"console=hvc0\";\n"
    "\t};\n"
    "\tmemory@40000000 {\n"
    "\t\tdevice_type = \"memory\";\n"
    "\t\treg = <0x00000000 0x40000000 0x00000000 0x04000000>;\n"
    "\t};\n"
    "\thypervisor {\n"
    "\t\tcompatible = \"xen,xen-4.17\", \"xen,xen\";\n"
    "\t\treg = <0x00000000 0x38000000 0x00000000 0x01000000 0x00000000 0x60000000 0x00000000 0x20000000>;\n"
    "\t\tinterrupts = <0x00000001 0x0000000f 0x00000f08>;\n"
    "\t};\n"
    "};\n";

TEST(FdtCommand, PrintsTheWholeTreeAsUBootDoes) {
    FdtRig rig;
    int rc = -1;
    EXPECT_EQ(rig.run("fdt print", &rc), kWholeTree);
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(rig.run("fdt print /"), kWholeTree);
}

TEST(FdtCommand, ListShowsOneLevel) {
    FdtRig rig;
    EXPECT_EQ(rig.run("fdt list /"),
              "/ {\n"
              "\t#address-cells = <0x00000002>;\n"
              "\t#size-cells = <0x00000002>;\n"
              "\tcompatible = \"xen,xenvm-4.17\";\n"
              "\tchosen {\n"
              "\t};\n"
              "\tmemory@40000000 {\n"
              "\t};\n"
              "\thypervisor {\n"
              "\t};\n"
              "};\n");
    EXPECT_EQ(rig.run("fdt list /chosen"), "chosen {\n\tbootargs = \"console=hvc0\";\n};\n");
    EXPECT_EQ(rig.run("fdt li /hypervisor interrupts"), "interrupts = <0x00000001 0x0000000f 0x00000f08>\n");
}

TEST(FdtCommand, PrintOneProperty) {
    FdtRig rig;
    EXPECT_EQ(rig.run("fdt print /chosen bootargs"), "bootargs = \"console=hvc0\"\n");
    EXPECT_EQ(rig.run("fdt print /hypervisor compatible"), "compatible = \"xen,xen-4.17\", \"xen,xen\"\n");
    int rc = 0;
    EXPECT_EQ(rig.run("fdt print /chosen nothing", &rc),
              "fdt print: /chosen nothing: FDT_ERR_NOTFOUND (no such property)\n");
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(rig.run("fdt print /nowhere"), "fdt print: /nowhere: FDT_ERR_NOTFOUND (no such node)\n");
    EXPECT_EQ(rig.run("fdt print noalias"), "fdt print: noalias: FDT_ERR_BADPATH (not a path, nor a known alias)\n");
}

TEST(FdtCommand, PrintFormatsBytesEmptyAndLongValues) {
    FdtRig rig;
    EXPECT_EQ(rig.run("fdt set /chosen bytes [01 02 0a]"), "");
    EXPECT_EQ(rig.run("fdt set /chosen flag"), "");
    EXPECT_EQ(rig.run("fdt set /chosen bin [00 41 00 00]"), "");  // two NULs in a row: not strings
    EXPECT_EQ(rig.run("fdt print /chosen bytes"), "bytes = [01 02 0a]\n");
    EXPECT_EQ(rig.run("fdt print /chosen flag"), "/chosen flag\n");  // as U-Boot shows an empty property
    EXPECT_EQ(rig.run("fdt print /chosen bin"), "bin = <0x00410000>\n");
    std::string cells = "fdt set /chosen long <";
    for (int i = 0; i < 17; ++i) cells += " 1";
    EXPECT_EQ(rig.run(cells + ">"), "");
    int len = 0;
    const void* data = fdt_getprop(rig.copy(), fdt_path_offset(rig.copy(), "/chosen"), "long", &len);
    ASSERT_NE(data, nullptr);
    EXPECT_EQ(len, 68);
    EXPECT_EQ(rig.run("fdt print /chosen long"),
              "long = * 0x" + hex(reinterpret_cast<std::uintptr_t>(data)) + " [0x00000044]\n");
    // libfdt adds a new property in front of the node's others (as in U-Boot).
    EXPECT_EQ(rig.run("fdt print /chosen"),
              "chosen {\n\tlong = * 0x" + hex(reinterpret_cast<std::uintptr_t>(data)) +
                  " [0x00000044];\n\tbin = <0x00410000>;\n\tflag;\n\tbytes = [01 02 0a];\n"
                  "\tbootargs = \"console=hvc0\";\n};\n");
}

TEST(FdtCommand, SetRoundTripsThroughLibfdt) {
    FdtRig rig;
    // Values spread over several words by the shell's splitting, as U-Boot takes them.
    EXPECT_EQ(rig.run("fdt set /chosen reg <0x0 0x48000000 0x0 0x1000>"), "");
    EXPECT_EQ(FdtRig::prop(rig.copy(), "/chosen", "reg"), std::string("\0\0\0\0\x48\0\0\0\0\0\0\0\0\0\x10\0", 16));
    EXPECT_EQ(rig.run("fdt set /chosen n <42 010>"), "");
    EXPECT_EQ(FdtRig::prop(rig.copy(), "/chosen", "n"), std::string("\0\0\0\x2a\0\0\0\x08", 8));
    EXPECT_EQ(rig.run("fdt set /chosen compatible \"multiboot,module\" \"multiboot,kernel\""), "");
    EXPECT_EQ(FdtRig::prop(rig.copy(), "/chosen", "compatible"),
              std::string("multiboot,module\0multiboot,kernel\0", 34));
    EXPECT_EQ(rig.run("fdt set /chosen bootargs 'root=/dev/xvda1 ro'"), "");
    EXPECT_EQ(FdtRig::prop(rig.copy(), "/chosen", "bootargs"), std::string("root=/dev/xvda1 ro\0", 19));
    EXPECT_EQ(rig.run("fdt set / empty"), "");
    bool found = false;
    EXPECT_EQ(FdtRig::prop(rig.copy(), "/", "empty", &found), "");
    EXPECT_TRUE(found);
    // The tree stays valid and the rest of it untouched.
    EXPECT_TRUE(fdt::validate(rig.copy(), kCopyRoom).ok());
    EXPECT_EQ(fdt::memory_banks(rig.copy()).value().bank[0].base, 0x40000000u);
}

TEST(FdtCommand, SetErrors) {
    FdtRig rig;
    int rc = 0;
    EXPECT_EQ(rig.run("fdt set /chosen/foo x 1", &rc), "fdt set: /chosen/foo: FDT_ERR_NOTFOUND (no such node)\n");
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(rig.run("fdt set /chosen x <0x100000000>"), "fdt set: cell '0x100000000' does not fit in 32 bits\n");
    EXPECT_EQ(rig.run("fdt set /chosen x <1 2"), "fdt set: missing '>' at the end of the value\n");
    EXPECT_EQ(rig.run("fdt set /chosen x [1 2] 3"), "fdt set: unexpected text after ']' (one value per property)\n");
    EXPECT_EQ(rig.run("fdt set /chosen"),
              "fdt set: expects a node and a property (usage: fdt set path prop [<cells> | [bytes] | string...])\n");
    EXPECT_EQ(
        rig.run("fdt set /chosen a/b 1"),
        "fdt set: 'a/b' is not a valid property name (usage: fdt set path prop [<cells> | [bytes] | string...])\n");
    bool found = true;
    FdtRig::prop(rig.copy(), "/chosen", "x", &found);
    EXPECT_FALSE(found);
}

TEST(FdtCommand, MknodAsUBootAcceptsIt) {
    FdtRig rig;
    const std::string addr = "48000000", size = "1234";
    EXPECT_EQ(rig.run("fdt mknod /chosen module; fdt set /chosen/module reg <0x0 0x" + addr + " 0x0 0x" + size +
                      ">; fdt set /chosen/module compatible multiboot,kernel multiboot,module"),
              "");
    EXPECT_EQ(rig.run("fdt print /chosen/module"),
              "module {\n"
              "\tcompatible = \"multiboot,kernel\", \"multiboot,module\";\n"
              "\treg = <0x00000000 0x48000000 0x00000000 0x00001234>;\n"
              "};\n");
    EXPECT_EQ(rig.run("fdt mknode / module@1"), "");
    EXPECT_GE(fdt_path_offset(rig.copy(), "/module@1"), 0);
    EXPECT_EQ(rig.run("fdt mknode /chosen module"), "fdt mknode: /chosen/module: FDT_ERR_EXISTS (already exists)\n");
    EXPECT_EQ(rig.run("fdt mknode /nowhere x"), "fdt mknode: /nowhere: FDT_ERR_NOTFOUND (no such node)\n");
    EXPECT_EQ(rig.run("fdt mknode / a/b"),
              "fdt mknode: 'a/b' is not a valid node name (usage: fdt mknode path name)\n");
}

TEST(FdtCommand, Rm) {
    FdtRig rig;
    EXPECT_EQ(rig.run("fdt rm /chosen bootargs"), "");
    bool found = true;
    FdtRig::prop(rig.copy(), "/chosen", "bootargs", &found);
    EXPECT_FALSE(found);
    EXPECT_EQ(rig.run("fdt rm /chosen bootargs"), "fdt rm: /chosen bootargs: FDT_ERR_NOTFOUND (no such property)\n");
    EXPECT_EQ(rig.run("fdt rm /chosen"), "");
    EXPECT_EQ(fdt_path_offset(rig.copy(), "/chosen"), -FDT_ERR_NOTFOUND);
    EXPECT_EQ(rig.run("fdt rm /chosen"), "fdt rm: /chosen: FDT_ERR_NOTFOUND (no such node)\n");
    EXPECT_EQ(rig.run("fdt rm /"), "fdt rm: refusing to remove the root node (usage: fdt rm path [prop])\n");
    EXPECT_TRUE(fdt::hypervisor(rig.copy()).ok());
}

TEST(FdtCommand, ResizeOwnCopyWithinItsRoom) {
    FdtRig rig;
    const std::uint64_t copy = rig.sys.dtb_copy;
    ASSERT_EQ(fdt_totalsize(rig.copy()), kCopyRoom);
    // Never less room than the tree had (U-Boot would shrink it here).
    EXPECT_EQ(rig.run("fdt resize"), "");
    EXPECT_EQ(fdt_totalsize(rig.copy()), kCopyRoom);
    // A packed tree: no extra gives the packed size ending on a 4 KiB
    // boundary (the copy is at ...f8000).
    ASSERT_EQ(fdt_pack(rig.copy()), 0);
    EXPECT_EQ(rig.run("fdt resize"), "");
    const std::uint32_t packed = fdt_off_dt_strings(rig.copy()) + fdt_size_dt_strings(rig.copy());
    EXPECT_EQ(fdt_totalsize(rig.copy()), align_up(copy + packed, 4096) - copy);
    EXPECT_EQ(fdt_totalsize(rig.copy()), 0x1000u);
    EXPECT_TRUE(fdt::validate(rig.copy(), kCopyRoom).ok());
    // Full: setting a value larger than what is free says so.
    const std::string big(0x1000, 'x');
    int rc = 0;
    const std::string out = rig.call({"fdt", "set", "/chosen", "big", big}, &rc);
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(out, "fdt set: /chosen big: device tree full: " + std::to_string(0x1000 - packed) +
                       " bytes free; use fdt resize\n");
    EXPECT_EQ(rig.run("fdt resize 2000"), "");
    EXPECT_EQ(fdt_totalsize(rig.copy()), 0x3000u);
    EXPECT_EQ(rig.call({"fdt", "set", "/chosen", "big", big}), "");
    EXPECT_EQ(FdtRig::prop(rig.copy(), "/chosen", "big"), big + '\0');
    // Never past the copy's room; the rounding stops at it.
    EXPECT_EQ(rig.run("fdt resize 4000"), "fdt resize: the tree needs 0x" +
                                              hex(fdt::packed_size(rig.copy()).value() + 0x4000) +
                                              " bytes; xenboot's copy has room for 0x4000\n");
    EXPECT_EQ(rig.run("fdt resize 800"), "");
    EXPECT_EQ(fdt_totalsize(rig.copy()), 0x3000u);  // 0x1000 + "big" + 0x800 rounds to 0x2000: kept at 0x3000
    EXPECT_EQ(rig.run("fdt resize " + hex(kCopyRoom - fdt::packed_size(rig.copy()).value())), "");
    EXPECT_EQ(fdt_totalsize(rig.copy()), kCopyRoom);
    EXPECT_EQ(FdtRig::prop(rig.copy(), "/chosen", "big"), big + '\0');
    EXPECT_EQ(rig.run("fdt resize zz"), "fdt resize: invalid size 'zz' (hex expected)\n");
}

TEST(FdtCommand, AddrSelectsAUserTree) {
    FdtRig rig;
    EXPECT_EQ(rig.run("fdt addr"), "Working fdt: " + hex(rig.sys.dtb_copy) + "\n");
    EXPECT_EQ(rig.run("fdt addr -c"), "Control fdt: " + hex(rig.sys.dtb_copy) + "\n");
    sim::DtbSpec spec;
    spec.bootargs = "user tree";
    auto blob = sim::build_dtb(spec);
    std::memcpy(rig.user(), blob.data(), blob.size());
    const std::uint64_t user = rig.base() + kUserOffset;
    EXPECT_EQ(rig.run("fdt addr " + hex(user)), "Working FDT set to " + hex(user) + "\n");
    EXPECT_EQ(rig.env.get("fdtaddr").value_or(""), hex(user));
    EXPECT_EQ(rig.run("fdt addr"), "Working fdt: " + hex(user) + "\n");
    EXPECT_EQ(cmd::working_fdt_addr(rig.sys), user);
    EXPECT_EQ(rig.run("fdt print /chosen bootargs"), "bootargs = \"user tree\"\n");
    // The built blob is packed: no room until it is expanded (addr's len, or resize).
    EXPECT_NE(rig.run("fdt set /chosen x 1").find("device tree full: 0 bytes free"), std::string::npos);
    EXPECT_EQ(rig.run("fdt addr " + hex(user) + " 2000"), "Working FDT set to " + hex(user) + "\n");
    EXPECT_EQ(fdt_totalsize(rig.user()), 0x2000u);
    EXPECT_EQ(rig.run("fdt addr " + hex(user) + " 100"),
              "Working FDT set to " + hex(user) + "\nNew length 256 < existing length 8192, ignoring\n");
    EXPECT_EQ(rig.run("fdt set /chosen x 1"), "");
    EXPECT_EQ(FdtRig::prop(rig.user(), "/chosen", "x"), std::string("1\0", 2));
    EXPECT_EQ(rig.run("fdt resize 1000"), "");
    const std::uint32_t packed = fdt_off_dt_strings(rig.user()) + fdt_size_dt_strings(rig.user());
    EXPECT_EQ(fdt_totalsize(rig.user()), align_up(user + packed + 0x1000, 4096) - user);
    // The copy's untouched; selecting its address goes back to it.
    EXPECT_EQ(FdtRig::prop(rig.copy(), "/chosen", "bootargs"), std::string("console=hvc0\0", 13));
    EXPECT_EQ(rig.run("fdt addr " + hex(rig.sys.dtb_copy)), "Working FDT set to " + hex(rig.sys.dtb_copy) + "\n");
    EXPECT_EQ(rig.run("fdt print /chosen bootargs"), "bootargs = \"console=hvc0\"\n");
}

TEST(FdtCommand, AddrRefusesWhatIsNotATreeInRam) {
    FdtRig rig;
    const std::uint64_t user = rig.base() + kUserOffset;
    int rc = 0;
    EXPECT_EQ(rig.run("fdt addr " + hex(user), &rc),
              "fdt addr: 0x" + hex(user) + ": device tree: bad magic 0x00000000\n");
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(rig.run("fdt addr " + hex(user + 4)),
              "fdt addr: 0x" + hex(user + 4) + ": device tree: not 8-byte aligned\n");
    EXPECT_EQ(rig.run("fdt addr 10"), "fdt addr: refusing fdt read at 0x10 (+0x28): not in RAM\n");
    // A header whose totalsize runs past RAM.
    auto blob = sim::build_dtb(sim::DtbSpec{});
    const std::uint64_t near_end = rig.base() + kHeapOffset - 0x100;
    std::memcpy(rig.ram + kHeapOffset - 0x100, blob.data(), 0x100);
    rig.ram[kHeapOffset - 0x100 + 4] = 0x7f;  // totalsize 0x7f......
    EXPECT_NE(rig.run("fdt addr " + hex(near_end)).find("not in RAM"), std::string::npos);
    EXPECT_EQ(cmd::working_fdt_addr(rig.sys), rig.sys.dtb_copy);  // unchanged
    EXPECT_FALSE(rig.env.get("fdtaddr").has_value());
    EXPECT_EQ(rig.run("fdt addr -c 1000"),
              "fdt addr: xenboot's control tree cannot be moved (usage: fdt addr [-cq] [addr [len]])\n");
    EXPECT_EQ(rig.run("fdt addr -x"), "fdt addr: unknown flag '-x' (usage: fdt addr [-cq] [addr [len]])\n");
}

TEST(FdtCommand, UserTreeInXenbootsMemoryIsReadOnly) {
    FdtRig rig;
    auto blob = sim::build_dtb(sim::DtbSpec{});
    std::memcpy(rig.ram + kHeapOffset, blob.data(), blob.size());
    const std::uint64_t in_heap = rig.base() + kHeapOffset;
    EXPECT_EQ(rig.run("fdt addr " + hex(in_heap)), "Working FDT set to " + hex(in_heap) + "\n");
    EXPECT_EQ(rig.run("fdt list /chosen"), "chosen {\n};\n");
    const std::string out = rig.run("fdt set /chosen x 1");
    EXPECT_EQ(out.rfind("fdt set: refusing fdt write at 0x" + hex(in_heap), 0), 0u) << out;
    EXPECT_NE(out.find("overlaps xenboot's heap"), std::string::npos) << out;
}

TEST(FdtCommand, ATreeCorruptedAfterSelectionIsCaught) {
    FdtRig rig;
    static_cast<std::uint8_t*>(rig.copy())[0] = 0;
    EXPECT_EQ(rig.run("fdt print"),
              "fdt print: xenboot's copy at 0x" + hex(rig.sys.dtb_copy) + ": device tree: bad magic 0x000dfeed\n");
    rig.sys.dtb_copy = 0;
    EXPECT_EQ(rig.run("fdt print"), "fdt print: no working device tree (select one with fdt addr)\n");
}

TEST(FdtCommand, ChosenFromTheEnvironment) {
    FdtRig rig;
    ASSERT_TRUE(rig.env.set("bootargs", "console=hvc0 root=/dev/xvda2").ok());
    EXPECT_EQ(rig.run("fdt chosen 48000000 48100000"), "");
    EXPECT_EQ(FdtRig::prop(rig.copy(), "/chosen", "bootargs"), std::string("console=hvc0 root=/dev/xvda2\0", 29));
    EXPECT_EQ(rig.run("fdt print /chosen"),
              "chosen {\n"
              "\tlinux,initrd-end = <0x00000000 0x48100000>;\n"
              "\tlinux,initrd-start = <0x00000000 0x48000000>;\n"
              "\tbootargs = \"console=hvc0 root=/dev/xvda2\";\n"
              "};\n");
    EXPECT_EQ(rig.run("fdt chosen"), "");  // no initrd now: the old one goes
    EXPECT_EQ(rig.run("fdt list /chosen"), "chosen {\n\tbootargs = \"console=hvc0 root=/dev/xvda2\";\n};\n");
    EXPECT_EQ(rig.run("fdt chosen 2000 1000"), "fdt chosen: initrd end 0x1000 is not above its start 0x2000\n");
    EXPECT_EQ(rig.run("fdt chosen 2000"),
              "fdt chosen: expects no arguments, or the initrd's start and end (usage: fdt chosen [initrd_start "
              "initrd_end])\n");
    // Without bootargs in the environment, /chosen/bootargs stays (Xen's `extra=`).
    rig.env.remove("bootargs");
    EXPECT_EQ(rig.run("fdt rm /chosen; fdt chosen; fdt print /chosen"), "chosen {\n};\n");
    rig.ctx.env = nullptr;
    EXPECT_EQ(rig.run("fdt set /chosen bootargs xen-extra; fdt chosen; fdt print /chosen bootargs"),
              "bootargs = \"xen-extra\"\n");
}

TEST(FdtCommand, DepthIsBoundedAndCtrlCStopsALongListing) {
    FdtRig rig;
    std::string path = "/chosen";
    for (int i = 0; i < 40; ++i) {
        ASSERT_EQ(rig.call({"fdt", "mknode", path, "n"}), "") << i;
        path += "/n";
    }
    EXPECT_TRUE(fdt::validate(rig.copy(), kCopyRoom).ok());
    std::string out = rig.run("fdt print /chosen");
    EXPECT_NE(out.find(std::string(32, '\t') + "n {\n"), std::string::npos);
    EXPECT_EQ(out.find(std::string(33, '\t') + "n {\n"), std::string::npos);
    EXPECT_NE(out.find("fdt print: device tree: nodes nested deeper than 32 levels\n"), std::string::npos) << out;
    EXPECT_EQ(rig.run("fdt rm /chosen/n"), "");

    for (int i = 0; i < 200; ++i) ASSERT_EQ(rig.call({"fdt", "mknode", "/chosen", "m@" + std::to_string(i)}), "");
    rig.guest.backend.type("\x03");
    int rc = 0;
    out = rig.run("fdt list /chosen", &rc);
    EXPECT_EQ(rc, 1);
    // The command says it stopped; the shell then notes the interrupt.
    const std::string tail = "fdt list: interrupted\n<INTERRUPT>\n";
    ASSERT_GE(out.size(), tail.size());
    EXPECT_EQ(out.substr(out.size() - tail.size()), tail);
    EXPECT_NE(out.find("m@199"), std::string::npos);  // libfdt puts a new subnode first
    EXPECT_EQ(out.find("m@0 "), std::string::npos);
    // Without Ctrl-C the whole listing comes.
    EXPECT_NE(rig.run("fdt list /chosen").find("\tm@0 {\n\t};\n"), std::string::npos);
}

TEST(FdtCommand, SubcommandsAndUsage) {
    FdtRig rig;
    EXPECT_EQ(rig.run("fdt pr /chosen bootargs"), "bootargs = \"console=hvc0\"\n");
    EXPECT_NE(rig.run("fdt").find("fdt: expects a subcommand (usage: fdt addr [-cq] [addr [len]] | print|list"),
              std::string::npos);
    EXPECT_NE(rig.run("fdt r /").find("fdt: unknown subcommand 'r'"), std::string::npos);  // rm or resize?
    EXPECT_NE(rig.run("fdt bootcpu 1").find("fdt: unknown subcommand 'bootcpu'"), std::string::npos);
    EXPECT_NE(rig.run("help fdt").find("fdt - flattened device tree utility commands\n\nUsage:\nfdt addr"),
              std::string::npos);
}

// ---- get, header, rsvmem, apply, addr -q (U-Boot's formats, cmd/fdt.c)

TEST(FdtCommand, GetValueAsUBootStoresIt) {
    FdtRig rig;
    EXPECT_EQ(rig.run("fdt get value v /hypervisor compatible; echo $v"), "xen,xen-4.17\n");
    EXPECT_EQ(rig.run("fdt get value v /hypervisor compatible 1; echo $v"), "xen,xen\n");
    EXPECT_EQ(rig.run("fdt get value v / '#address-cells'; echo $v"), "0x00000002\n");
    EXPECT_EQ(rig.run("fdt get value v /memory@40000000 reg 1; echo $v"), "0x40000000\n");
    EXPECT_EQ(rig.run("fdt get value v /hypervisor interrupts 2; echo $v"), "0x00000F08\n");
    // A cell array without an index: every cell, as a hash would be shown.
    EXPECT_EQ(rig.run("fdt get value v /memory@40000000 reg; echo $v"), "00000000400000000000000004000000\n");
    int rc = 0;
    EXPECT_EQ(rig.run("fdt get value v /hypervisor compatible 2", &rc),
              "fdt get: /hypervisor compatible: no string at index 2\n");
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(rig.run("fdt get value v /memory@40000000 reg 4"), "fdt get: /memory@40000000 reg: no cell at index 4\n");
    EXPECT_EQ(rig.run("fdt get value v /chosen nothing"),
              "fdt get: /chosen nothing: FDT_ERR_NOTFOUND (no such property)\n");
    EXPECT_EQ(rig.run("fdt set /chosen empty; fdt get value v /chosen empty; echo \"[$v]\""), "[]\n");
    EXPECT_EQ(rig.run("fdt set /chosen odd [01 02 03]; fdt get value v /chosen odd"),
              "fdt get: /chosen odd: unprintable value (3 bytes)\n");
}

TEST(FdtCommand, GetNameSizeAddr) {
    FdtRig rig;
    EXPECT_EQ(rig.run("fdt get name n / 0; echo $n"), "chosen\n");
    EXPECT_EQ(rig.run("fdt get name n / 2; echo $n"), "hypervisor\n");
    EXPECT_EQ(rig.run("fdt get name n / 3"), "fdt get: /: no subnode at index 3\n");
    EXPECT_EQ(rig.run("fdt get size n /; echo $n"), "3\n");  // subnodes: decimal, as U-Boot's env_set_ulong
    EXPECT_EQ(rig.run("fdt get size n /chosen; echo $n"), "0\n");
    EXPECT_EQ(rig.run("fdt get size n /chosen bootargs; echo $n"), "d\n");  // "console=hvc0\0", bare hex
    rig.run("fdt get addr a /chosen bootargs");
    const std::uint64_t a = std::stoull(std::string(rig.env.get("a").value_or("0")), nullptr, 16);
    EXPECT_GT(a, rig.sys.dtb_copy);
    EXPECT_LT(a, rig.sys.dtb_copy + kCopyRoom);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(static_cast<std::uintptr_t>(a))), "console=hvc0");
    EXPECT_NE(rig.run("fdt get foo v /").find("fdt get: unknown get 'foo'"), std::string::npos);
    EXPECT_NE(rig.run("fdt get value v /").find("(usage: fdt get "), std::string::npos);
}

TEST(FdtCommand, HeaderAsUBootPrintsIt) {
    FdtRig rig;
    const void* b = rig.copy();
    char expect[512];
    std::snprintf(expect, sizeof expect,
                  "magic:\t\t\t0xd00dfeed\ntotalsize:\t\t0x%x (%u)\noff_dt_struct:\t\t0x%x\noff_dt_strings:\t\t0x%x\n"
                  "off_mem_rsvmap:\t\t0x%x\nversion:\t\t17\nlast_comp_version:\t16\nboot_cpuid_phys:\t0x0\n"
                  "size_dt_strings:\t0x%x\nsize_dt_struct:\t\t0x%x\nnumber mem_rsv:\t\t0x0\n\n",
                  fdt_totalsize(b), fdt_totalsize(b), fdt_off_dt_struct(b), fdt_off_dt_strings(b),
                  fdt_off_mem_rsvmap(b), fdt_size_dt_strings(b), fdt_size_dt_struct(b));
    EXPECT_EQ(rig.run("fdt header"), expect);
    EXPECT_EQ(rig.run("fdt header get t totalsize; echo $t"), "4000\n");
    EXPECT_EQ(rig.run("fdt header get m magic; echo $m"), "d00dfeed\n");
    EXPECT_EQ(rig.run("fdt header get m bogus"), "fdt header: no header member 'bogus'\n");
    EXPECT_NE(rig.run("fdt header put m magic").find("(usage: fdt header [get var member])"), std::string::npos);
}

TEST(FdtCommand, RsvmemPrintAddDelete) {
    FdtRig rig;
    const std::string head = "index\t\t   start\t\t    size\n------------------------------------------------\n";
    EXPECT_EQ(rig.run("fdt rsvmem print"), head);
    EXPECT_EQ(rig.run("fdt rsvmem add 48000000 100000"), "");
    EXPECT_EQ(rig.run("fdt rsvmem add 1234567800000000 1000"), "");
    EXPECT_EQ(rig.run("fdt rsvmem print"), head +
                                               "    0\t0000000048000000\t0000000000100000\n"
                                               "    1\t1234567800000000\t0000000000001000\n");
    EXPECT_EQ(rig.run("fdt header get n size_dt_struct; fdt rsvmem delete 0"), "");
    EXPECT_EQ(rig.run("fdt rsvmem print"), head + "    0\t1234567800000000\t0000000000001000\n");
    EXPECT_EQ(rig.run("fdt rsvmem delete 1"), "fdt rsvmem: no reservation at index 0x1 (there are 1)\n");
    EXPECT_NE(rig.run("fdt rsvmem frob").find("unknown rsvmem 'frob'"), std::string::npos);
    EXPECT_TRUE(fdt::validate(rig.copy(), kCopyRoom).ok());
}

TEST(FdtCommand, AddrQuietSaysNothing) {
    FdtRig rig;
    int rc = 0;
    EXPECT_EQ(rig.run("fdt addr -q 10", &rc), "");
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(rig.run("fdt addr -q zz", &rc), "");
    EXPECT_EQ(rc, 1);
    auto blob = sim::build_dtb(sim::DtbSpec{});
    std::memcpy(rig.user(), blob.data(), blob.size());
    const std::uint64_t user = rig.base() + kUserOffset;
    EXPECT_EQ(rig.run("fdt addr -q " + hex(user) + " 100", &rc), "");
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(cmd::working_fdt_addr(rig.sys), user);
    EXPECT_EQ(rig.env.get("fdtaddr").value_or(""), hex(user));
    EXPECT_EQ(rig.run("fdt addr -cq"), "Control fdt: " + hex(rig.sys.dtb_copy) + "\n");
}

// Overlays compiled by dtc (-@ for the base's __symbols__).
struct OverlayFiles {
    std::vector<std::uint8_t> base, overlay, dangling;
};
OverlayFiles make_overlays() {
    OverlayFiles f;
    sim::TempDir dir("ovl");
    std::FILE* out = std::fopen((dir / "base.dts").c_str(), "w");
    std::fputs(
        "/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>; chosen { };\n"
        "  uart: serial@9000000 { compatible = \"arm,pl011\"; status = \"disabled\"; }; };\n",
        out);
    std::fclose(out);
    out = std::fopen((dir / "ovl.dts").c_str(), "w");
    std::fputs(
        "/dts-v1/;\n/plugin/;\n&uart { status = \"okay\"; label-added = \"yes\"; };\n"
        "&{/chosen} { from-overlay { value = <7>; }; };\n",
        out);
    std::fclose(out);
    out = std::fopen((dir / "bad.dts").c_str(), "w");
    std::fputs("/dts-v1/;\n/plugin/;\n&nosuchlabel { status = \"okay\"; };\n", out);
    std::fclose(out);
    const std::string dtc = "dtc -q -@ -I dts -O dtb -o ";
    if (!sim::run_tool(dtc + dir / "base.dtb " + dir / "base.dts").ok ||
        !sim::run_tool(dtc + dir / "ovl.dtbo " + dir / "ovl.dts").ok ||
        !sim::run_tool(dtc + dir / "bad.dtbo " + dir / "bad.dts").ok) {
        return f;
    }
    f.base = sim::read_file(dir / "base.dtb");
    f.overlay = sim::read_file(dir / "ovl.dtbo");
    f.dangling = sim::read_file(dir / "bad.dtbo");
    return f;
}

TEST(FdtCommand, ApplyOverlayFromDtc) {
    if (!sim::have_tool("dtc")) GTEST_SKIP() << "dtc is not installed";
    const OverlayFiles f = make_overlays();
    ASSERT_FALSE(f.base.empty());
    FdtRig rig;
    const std::uint64_t user = rig.base() + kUserOffset;
    const std::uint64_t ovl = rig.base() + 0x30000;
    const std::uint64_t bad = rig.base() + 0x38000;
    std::memcpy(rig.user(), f.base.data(), f.base.size());
    std::memcpy(rig.ram + 0x30000, f.overlay.data(), f.overlay.size());
    std::memcpy(rig.ram + 0x38000, f.dangling.data(), f.dangling.size());
    rig.run("fdt addr " + hex(user));
    // dtc's output has no room: the overlay does not fit, and the tree is as before.
    const std::vector<std::uint8_t> before(rig.ram + kUserOffset, rig.ram + kUserOffset + f.base.size());
    int rc = 0;
    EXPECT_EQ(rig.run("fdt apply " + hex(ovl), &rc),
              "fdt apply: fdt_overlay_apply: FDT_ERR_NOSPACE (device tree full; use fdt resize)\n");
    EXPECT_EQ(rc, 1);
    EXPECT_TRUE(std::equal(before.begin(), before.end(), rig.ram + kUserOffset));
    EXPECT_EQ(rig.run("fdt resize 1000"), "");
    // A label the base does not have: an error, and the tree still as it was.
    const std::vector<std::uint8_t> resized(rig.ram + kUserOffset, rig.ram + kUserOffset + fdt_totalsize(rig.user()));
    EXPECT_NE(rig.run("fdt apply " + hex(bad), &rc).find("fdt apply: fdt_overlay_apply: FDT_ERR_NOTFOUND"),
              std::string::npos);
    EXPECT_EQ(rc, 1);
    EXPECT_TRUE(std::equal(resized.begin(), resized.end(), rig.ram + kUserOffset));
    // The overlay itself is left intact (libfdt's apply damages its copy only).
    EXPECT_TRUE(std::equal(f.overlay.begin(), f.overlay.end(), rig.ram + 0x30000));
    EXPECT_EQ(rig.run("fdt apply " + hex(ovl), &rc), "");
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(rig.run("fdt get value s /serial@9000000 status; echo $s"), "okay\n");
    EXPECT_EQ(rig.run("fdt get value s /chosen/from-overlay value; echo $s"), "0x00000007\n");
    EXPECT_TRUE(fdt::validate(rig.user(), fdt_totalsize(rig.user())).ok());
    EXPECT_EQ(rig.run("fdt apply " + hex(user + 4)),
              "fdt apply: overlay: 0x" + hex(user + 4) + ": device tree: not 8-byte aligned\n");
}

}  // namespace
