// The command table. Names and syntax follow U-Boot's, so users' habits carry over.
// It is kept in strcmp order, checked at compile time: `help` lists it as it
// stands and find_command searches it by halves.
#include <cstring>
#include <string_view>

#include "shell/command.h"
#include "commands/builtins.h"

namespace xb::cmd {
namespace {

constexpr Command kCommands[] = {
    {"[", "minimal test like /bin/sh (ends with ])", "expression ]", do_test},
    {"askenv", "get environment variables from stdin", "name [message...] [size]", do_askenv},
    {"bdinfo", "print board info: RAM, xenboot's own memory, Xen facts", "", do_bdinfo},
    {"boot", "boot default, i.e., run 'bootcmd'", "", do_boot},
    {"bootd", "boot default, i.e., run 'bootcmd'", "", do_boot},
    {"bootflow", "find and boot an OS on the PV disks (extlinux.conf, boot.scr, grub.cfg)",
     "scan [-lbaeGH] [pvblock] | list [-e] | select [N] | info | boot", do_bootflow},
    {"booti", "boot a Linux kernel in 'Image' format (or Image.gz)", "kernel_addr [initrd_addr[:size] | -] [fdt_addr]",
     do_booti},
    {"bootm", "boot a FIT image or a legacy uImage kernel", "[addr[#config] [initrd[:size] | - [fdt_addr]]]", do_bootm},
    {"bootz", "boot a 32-bit ARM zImage (cannot run here: says so, use booti)", "[args...]", do_bootz},
    {"cmp", "memory compare", "[.b, .w, .l, .q] addr1 addr2 count", do_cmp},
    {"cp", "memory copy", "[.b, .w, .l, .q] source target count", do_cp},
    {"crc32", "checksum calculation", "[-v] address count [addr | crc]", do_crc32},
    {"dhcp", "boot image via network using DHCP/TFTP protocol", "[loadAddress] [[hostIPaddr:]bootfilename]", do_dhcp},
    {"echo", "echo args to console", "[-n] [args...]", do_echo},
    {"editenv", "edit environment variable", "name", do_editenv},
    {"env", "environment handling commands",
     "set [-f] name [value...] | print [-a | name...] | default [-f] -a | default [-f] var... | delete [-f] var... | "
     "run var... | exists name | edit name | ask name [message...] [size] | "
     "import [-d] [-t [-r] | -b | -c] addr [size | -] [var...] | export [-t | -b | -c] [-s size] addr [var...] | "
     "save",
     do_env},
    {"exception", "test exception handling (the guest powers off)", "undefined|breakpoint|abort|stackoverflow|nested",
     do_exception},
    {"ext2load", "load a file from an ext2/3/4 filesystem (as ext4load)",
     "<interface> [<dev[:part]> [addr [filename [bytes [pos]]]]]", do_load},
    {"ext2ls", "list files in a directory of an ext2/3/4 filesystem (as ext4ls)",
     "<interface> [<dev[:part]> [directory]]", do_ls},
    {"ext4load", "load a file from an ext2/3/4 filesystem",
     "<interface> [<dev[:part]> [addr [filename [bytes [pos]]]]]", do_load},
    {"ext4ls", "list files in a directory of an ext2/3/4 filesystem", "<interface> [<dev[:part]> [directory]]", do_ls},
    {"ext4size", "determine a file's size (ext2/3/4)", "<interface> <dev[:part]> <filename>", do_size},
    {"false", "do nothing, unsuccessfully", "", do_false},
    {"fatload", "load a file from a FAT filesystem", "<interface> [<dev[:part]> [addr [filename [bytes [pos]]]]]",
     do_load},
    {"fatls", "list files in a directory of a FAT filesystem", "<interface> [<dev[:part]> [directory]]", do_ls},
    {"fatsize", "determine a file's size (FAT)", "<interface> <dev[:part]> <filename>", do_size},
    {"fdt", "flattened device tree utility commands",
     "addr [-cq] [addr [len]] | print|list [path [prop]] | set path prop [<cells>|[bytes]|strings...] | mknode path "
     "name | rm path [prop] | resize [extra] | get value|name|addr|size var path [prop [index]] | header [get var "
     "member] | rsvmem print|add addr size|delete index | apply addr | chosen [initrd_start initrd_end]",
     do_fdt},
    {"fstype", "look up a filesystem type", "<interface> <dev>:<part> [<varname>]", do_fstype},
    {"fstypes", "list supported filesystem types", "", do_fstypes},
    {"hash", "compute hash message digest (sha256, crc32)", "[-v] algorithm address count [[*]sum_dest | sum]",
     do_hash},
    {"help", "print command description/usage", "[command...]", do_help},
    {"itest", "return true/false on integer compare", "[.b, .w, .l, .q, .s] [*]value1 <op> [*]value2", do_itest},
    {"load", "load a file from a filesystem (any of fstypes, found by probing)",
     "<interface> [<dev[:part]> [addr [filename [bytes [pos]]]]]", do_load},
    {"ls", "list files in a directory (default /)", "<interface> [<dev[:part]> [directory]]", do_ls},
    {"md", "memory display", "[.b, .w, .l, .q] address [# of objects]", do_md},
    {"mw", "memory write (fill)", "[.b, .w, .l, .q] address value [count]", do_mw},
    {"part", "disk partition related commands",
     "list <interface> <dev> [-bootable] [varname] | uuid|type <interface> <dev>[:<part>] [varname] | "
     "start|size|number|name <interface> <dev> <part> [varname]",
     do_part},
    {"ping", "send ICMP ECHO_REQUEST to network host", "pingAddress", do_ping},
    {"poweroff", "power off the guest", "", do_poweroff},
    {"printenv", "print environment variables", "[-a] [name...]", do_printenv},
    {"pvblock", "PV block (Xen blkfront) disks",
     "info | dev [n] | part [n] | read addr blk# cnt | write addr blk# cnt | reconnect [noindirect] [nopersistent] "
     "[noringorder]",
     do_pvblock},
    {"pvnet", "PV network (Xen netfront) interfaces", "info | reset [n]", do_pvnet},
    {"pxe", "get and boot from pxe files (pxelinux.cfg over TFTP)", "get [-4] | boot [pxefile_addr_r] [-4]", do_pxe},
    {"reset", "reset (reboot) the guest", "", do_reset},
    {"run", "run commands in an environment variable", "var [...]", do_run},
    {"saveenv", "save environment variables to persistent storage (xenboot has none: says so)", "", do_saveenv},
    {"setenv", "set environment variables", "[-f] name [value...] (no value: delete)", do_setenv},
    {"setexpr", "set environment variable as the result of eval expression",
     "[.b, .w, .l, .q] name [*]value1 <op> [*]value2 | name [*]value | name sub|gsub regex replacement [value]",
     do_setexpr},
    {"sha256sum", "compute SHA256 message digest", "[-v] address count [[*]sum_dest | sum]", do_sha256sum},
    {"size", "determine a file's size (sets filesize)", "<interface> <dev[:part]> <filename>", do_size},
    {"sleep", "delay execution for some time", "N[.fraction] (seconds)", do_sleep},
    {"source", "run script from memory", "addr (a U-Boot script image: mkimage -T script)", do_source},
    {"sysboot", "command to get and boot from syslinux files",
     "[-p] <interface> <dev[:part]> <any|ext2|fat> [addr] [filename]", do_sysboot},
    {"test", "minimal test like /bin/sh", "[args..]", do_test},
    {"tftp", "load file via network using TFTP protocol (alias of tftpboot)",
     "[loadAddress] [[hostIPaddr:]bootfilename]", do_tftpboot},
    {"tftpboot", "load file via network using TFTP protocol", "[loadAddress] [[hostIPaddr:]bootfilename]", do_tftpboot},
    {"time", "run a command and report its execution time", "command [args...]", do_time},
    {"true", "do nothing, successfully", "", do_true},
    {"unzip", "unzip a memory region (gzip, zstd, xz, lzma, lz4)", "srcaddr dstaddr [dstsize]", do_unzip},
    {"version", "print xenboot and Xen versions", "", do_version},
    {"wget", "boot image via network using HTTP protocol",
     "[loadAddress] [[hostIPaddr:]path | http://host[:port]/path]", do_wget},
    {"xenstore", "read, write or list XenStore nodes", "read <path> | write <path> <value> | ls [path]", do_xenstore},
};

// strcmp's order (bytes compared as unsigned char), usable at compile time.
constexpr int compare_names(std::string_view a, std::string_view b) {
    const std::size_t n = a.size() < b.size() ? a.size() : b.size();
    for (std::size_t i = 0; i < n; ++i) {
        const auto x = static_cast<unsigned char>(a[i]);
        const auto y = static_cast<unsigned char>(b[i]);
        if (x != y) return x < y ? -1 : 1;
    }
    return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

// Each name strictly after the one before it: sorted, and no name twice.
constexpr bool sorted_without_duplicates(std::span<const Command> table) {
    for (std::size_t i = 1; i < table.size(); ++i) {
        if (compare_names(table[i - 1].name, table[i].name) >= 0) return false;
    }
    return true;
}

static_assert(sorted_without_duplicates(kCommands),
              "kCommands must be in strcmp order ('[' first) with every name once");

}  // namespace

std::span<const Command> commands() { return kCommands; }

const Command* find_command(const char* name) {
    // As in U-Boot, a '.' starts a suffix the command reads itself ("md.l"
    // finds md, which takes the size from its argv[0]).
    const char* dot = strchr(name, '.');
    const std::string_view wanted(name, dot != nullptr ? static_cast<std::size_t>(dot - name) : strlen(name));
    std::size_t lo = 0, hi = std::size(kCommands);
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        const int c = compare_names(kCommands[mid].name, wanted);
        if (c == 0) return &kCommands[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return nullptr;
}

}  // namespace xb::cmd
