// Fuzzes the grub.cfg interpreter: the input is a set of files on fake
// devices ("\n@@@ DEV PATH\n" starts a new file; the text before the first
// marker is (hd0,gpt1)/boot/grub/grub.cfg). Every device has a UUID and a
// label equal to its name. Any input gives an error or a menu whose strings
// are terminated and whose parents come before their children; the default
// entry and every entry evaluate without crashing.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "loader/grub/interpreter.h"

namespace {

using namespace xb;
using namespace xb::loader::grub;

void check(bool ok) {
    if (!ok) __builtin_trap();
}

struct File {
    std::string dev, path, text;
};

class FuzzHost final : public Host {
  public:
    std::vector<File> files;
    unsigned calls = 0;

    Result<std::uint64_t> read_file(std::string_view dev, std::string_view path, std::span<char> out) override {
        for (auto& f : files)
            if (f.dev == dev && f.path == path) {
                if (f.text.size() > out.size()) return Error::make(Errc::no_space, "big");
                std::memcpy(out.data(), f.text.data(), f.text.size());
                return std::uint64_t(f.text.size());
            }
        return Error::make(Errc::not_found, "none");
    }
    Result<FileInfo> stat(std::string_view dev, std::string_view path) override {
        for (auto& f : files)
            if (f.dev == dev && f.path == path) return FileInfo{true, false, f.text.size()};
        return FileInfo{false, false, 0};
    }
    Status list_dir(std::string_view dev, std::string_view path, bool (*visit)(void*, std::string_view),
                    void* ctx) override {
        bool any = false;
        for (auto& f : files) {
            if (f.dev != dev || f.path.size() <= path.size() + 1 || f.path.compare(0, path.size(), path) != 0 ||
                f.path[path.size()] != '/')
                continue;
            any = true;
            if (!visit(ctx, std::string_view(f.path).substr(path.size() + 1))) break;
        }
        return any ? ok() : Status(Error::make(Errc::not_found, "none"));
    }
    Result<std::size_t> search(SearchKind kind, std::string_view key, std::span<char> out) override {
        for (auto& f : files) {
            const bool match = kind == SearchKind::file ? f.path == key : f.dev == key;
            if (!match || f.dev.size() > out.size()) continue;
            std::memcpy(out.data(), f.dev.data(), f.dev.size());
            return f.dev.size();
        }
        return Error::make(Errc::not_found, "none");
    }
    void print(std::string_view line) override { check(line.find('\n') == std::string_view::npos || true); }
    bool interrupted() override { return ++calls > 2000000; }
};

template <std::size_t N>
void check_string(const char (&s)[N]) {
    check(strnlen(s, N) < N);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    FuzzHost host;
    File current{"hd0,gpt1", "/boot/grub/grub.cfg", ""};
    std::size_t pos = 0;
    for (;;) {
        const std::size_t mark = input.find("\n@@@ ", pos);
        current.text = input.substr(pos, mark == std::string::npos ? std::string::npos : mark - pos);
        host.files.push_back(current);
        if (mark == std::string::npos || host.files.size() > 16) break;
        const std::size_t eol = input.find('\n', mark + 5);
        const std::string header =
            input.substr(mark + 5, eol == std::string::npos ? std::string::npos : eol - mark - 5);
        const std::size_t sp = header.find(' ');
        current.dev = header.substr(0, sp);
        current.path = sp == std::string::npos ? "/" : header.substr(sp + 1);
        if (eol == std::string::npos) break;
        pos = eol + 1;
    }
    auto in = std::make_unique<Interpreter>(host);
    in->set_step_budget(20000);
    if (!in->run_config("hd0,gpt1", "/boot/grub/grub.cfg").ok()) return 0;
    check(in->entry_count() >= 1 && in->entry_count() <= Interpreter::kMaxEntries);
    for (unsigned i = 0; i < in->entry_count(); ++i) {
        const MenuEntry& e = in->entry(EntryRef{i});
        check_string(e.title);
        check_string(e.id);
        check_string(e.classes);
        check(e.parent < static_cast<int>(i) && (e.parent < 0 || in->entry(EntryRef{unsigned(e.parent)}).submenu));
        auto spec = in->evaluate_entry(EntryRef{i});
        if (spec.ok()) {
            check_string(spec.value().kernel.dev);
            check_string(spec.value().kernel.path);
            check_string(spec.value().args);
            check(spec.value().initrd_count <= 16);
        }
    }
    auto d = in->default_entry();
    if (d.ok()) check(d.value().index < in->entry_count() && !in->entry(d.value()).submenu);
    (void)in->timeout_ms();
    return 0;
}
