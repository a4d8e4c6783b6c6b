#include "bootflow/method_files.h"

#include <new>

#include "bootflow/fs_access.h"
#include "shell/parse.h"

namespace xb::cmd {

Result<std::uint64_t> load_to(Context& ctx, fs::Filesystem& fs, const char* what, const char* path,
                              const char* addr_var, const char* limit_var, std::uint64_t offset) {
    const std::uint64_t base = TRY(env_hex(ctx.env, addr_var));
    const std::uint64_t addr = base + offset;
    const fs::Node node = TRY_CTX(fs.lookup(path), "%s %s", what, path);
    if (limit_var != nullptr) {
        const std::uint64_t limit = TRY(env_hex(ctx.env, limit_var));
        if (limit > base && (addr >= limit || node.size > limit - addr)) {
            return Error::make(Errc::no_space, "%s %s (%lu bytes) does not fit at $%s 0x%lx (%lu bytes before $%s)",
                               what, path, node.size, addr_var, addr, addr < limit ? limit - addr : 0, limit_var);
        }
    }
    ctx.con.printf("Retrieving %s: %s\n", what, path);
    const LoadResult r = TRY_CTX(load_file(ctx, fs, path, addr, 0, 0), "%s %s", what, path);
    print_load_result(ctx, r);
    TRY(ctx.env->set_hex("filesize", r.bytes));
    return r.bytes;
}

Status read_text(fs::Filesystem& fs, const char* path, TextFile& out, std::uint64_t limit) {
    const fs::Node node = TRY(fs.lookup(path));
    if (node.type != fs::NodeType::file) return Error::make(Errc::invalid_argument, "%s is not a file", path);
    if (node.size > limit) return Error::make(Errc::bad_data, "%s is %lu bytes (at most %lu)", path, node.size, limit);
    delete[] out.text;
    out.text = new (std::nothrow) char[node.size + 1];
    if (out.text == nullptr) return Error::make(Errc::no_memory, "no memory for %s", path);
    const std::uint64_t got =
        TRY(fs.read(node, 0, std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(out.text), node.size)));
    out.text[got] = '\0';
    out.size = got;
    return ok();
}

}  // namespace xb::cmd
