// The command table. Names and syntax follow U-Boot's, so users' habits carry over.
#include <cstring>

#include "cmd/command.h"
#include "cmd/builtins.h"

namespace xb::cmd {
namespace {

constexpr Command kCommands[] = {
    {"bdinfo", "print board info: RAM, xenboot's own memory, Xen facts", "", do_bdinfo},
    {"bootflow", "find and boot an OS on the PV disks (extlinux.conf, boot.scr)", "scan [-l]", do_bootflow},
    {"booti", "boot a Linux kernel in 'Image' format (or Image.gz)", "kernel_addr [initrd_addr[:size] | -] [fdt_addr]", do_booti},
    {"cmp", "memory compare", "[.b, .w, .l, .q] addr1 addr2 count", do_cmp},
    {"cp", "memory copy", "[.b, .w, .l, .q] source target count", do_cp},
    {"crc32", "checksum calculation", "address count [addr]", do_crc32},
    {"echo", "echo args to console", "[-n] [args...]", do_echo},
    {"exception", "test exception handling (the guest powers off)", "undefined|breakpoint|abort", do_exception},
    {"ext4load", "load a file from an ext2/3/4 filesystem", "<interface> [<dev[:part]> [addr [filename [bytes [pos]]]]]", do_load},
    {"ext4ls", "list files in a directory of an ext2/3/4 filesystem", "<interface> [<dev[:part]> [directory]]", do_ls},
    {"ext4size", "determine a file's size (ext2/3/4)", "<interface> <dev[:part]> <filename>", do_size},
    {"fatload", "load a file from a FAT filesystem", "<interface> [<dev[:part]> [addr [filename [bytes [pos]]]]]", do_load},
    {"fatls", "list files in a directory of a FAT filesystem", "<interface> [<dev[:part]> [directory]]", do_ls},
    {"fatsize", "determine a file's size (FAT)", "<interface> <dev[:part]> <filename>", do_size},
    {"fstype", "look up a filesystem type", "<interface> <dev>:<part> [<varname>]", do_fstype},
    {"fdt", "flattened device tree utility commands",
     "addr [-c] [addr [len]] | print|list [path [prop]] | set path prop [<cells>|[bytes]|strings...] | mknode path name | rm path [prop] | resize [extra] | chosen [initrd_start initrd_end]",
     do_fdt},
    {"help", "print command description/usage", "[command...]", do_help},
    {"load", "load a file from a filesystem (ext2/3/4 or FAT, found by probing)", "<interface> [<dev[:part]> [addr [filename [bytes [pos]]]]]", do_load},
    {"ls", "list files in a directory (default /)", "<interface> [<dev[:part]> [directory]]", do_ls},
    {"md", "memory display", "[.b, .w, .l, .q] address [# of objects]", do_md},
    {"mw", "memory write (fill)", "[.b, .w, .l, .q] address value [count]", do_mw},
    {"part", "disk partition related commands", "list <interface> <dev>", do_part},
    {"poweroff", "power off the guest", "", do_poweroff},
    {"pvblock", "PV block (Xen blkfront) disks", "info | dev [n] | part [n] | read addr blk# cnt | write addr blk# cnt | reconnect [noindirect] [nopersistent] [noringorder]", do_pvblock},
    {"reset", "reset (reboot) the guest", "", do_reset},
    {"size", "determine a file's size (sets filesize)", "<interface> <dev[:part]> <filename>", do_size},
    {"sleep", "delay execution for some time", "N[.fraction] (seconds)", do_sleep},
    {"version", "print xenboot and Xen versions", "", do_version},
    {"xenstore", "read, write or list XenStore nodes", "read <path> | write <path> <value> | ls [path]", do_xenstore},
};

}  // namespace

std::span<const Command> commands() { return kCommands; }

const Command* find_command(const char* name) {
    // As in U-Boot, a '.' starts a suffix the command reads itself ("md.l"
    // finds md, which takes the size from its argv[0]).
    const char* dot = strchr(name, '.');
    const std::size_t len = dot != nullptr ? static_cast<std::size_t>(dot - name) : strlen(name);
    for (const Command& c : kCommands) {
        if (strncmp(c.name, name, len) == 0 && c.name[len] == '\0') return &c;
    }
    return nullptr;
}

bool Context::ctrlc() {
    bool seen = false;
    for (int c = con.read_char(); c >= 0; c = con.read_char()) {
        if (c == 0x03) seen = true;
    }
    return seen;
}

int usage_error(Context& ctx, const Command& cmd, const char* fmt, ...) {
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vformat_to(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ctx.con.printf("%s: %s (usage: %s%s%s)\n", cmd.name, msg, cmd.name, cmd.usage[0] != '\0' ? " " : "", cmd.usage);
    return 1;
}

}  // namespace xb::cmd
