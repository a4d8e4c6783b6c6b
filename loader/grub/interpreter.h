// A native interpreter for the grub.cfg language that generated configs use
// (Debian/Ubuntu grub-mkconfig output, the ESP stubs, Fedora/RHEL `blscfg`):
// it runs a config as GRUB's normal mode would, records the menu, and
// evaluates the chosen entry's body into a BootSpec. Everything outside goes
// through Host; nothing here touches a disk. See loader/grub/README.md for
// the language subset, GRUB's behaviour it follows and the limits.
//
// The object is large (~1 MiB): allocate it with new (std::nothrow).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "lib/result.h"
#include "loader/grub/env.h"
#include "loader/grub/host.h"
#include "loader/grub/lexer.h"

namespace xb::loader {
struct BlsEntry;
}

namespace xb::loader::grub {

struct FileRef {
    char dev[32];    // GRUB device name without parentheses: "hd0,gpt1"
    char path[512];  // absolute within that device
};

struct BootSpec {
    FileRef kernel;
    char args[4096];  // the command line after the kernel path, words joined by one space
    FileRef initrds[16];
    unsigned initrd_count;  // several initrds are loaded back to back (GRUB concatenates them)
    bool has_devicetree;    // a `devicetree` command was seen and ignored (the tree comes from Xen)
};

// An entry of the recorded menu: an index into Interpreter::entry().
struct EntryRef {
    unsigned index;
    friend bool operator==(EntryRef a, EntryRef b) { return a.index == b.index; }
};

enum class TimeoutStyle : std::uint8_t { menu, countdown, hidden };

struct MenuEntry {
    char title[256];
    char id[128];               // --id, else the title (as GRUB)
    char classes[128];          // the --class values, separated by one space
    char users[128];            // --users
    char hotkey[16];            // --hotkey
    bool unrestricted;          // --unrestricted
    bool submenu;               // a submenu; its entries have parent == this index
    int parent;                 // -1 at the top level
    std::uint32_t body_offset;  // the body's source text (Interpreter::body())
    std::uint32_t body_size;
    char file[128];  // where the body is, for messages
    unsigned line;
};

class Interpreter {
  public:
    static constexpr unsigned kMaxEntries = 128;
    static constexpr unsigned kMaxFunctions = 64;
    static constexpr unsigned kMaxFileDepth = 8;   // nested source/configfile
    static constexpr unsigned kMaxCallDepth = 16;  // nested function calls and submenus
    static constexpr unsigned kMaxNesting = 32;    // nested if / blocks in one text
    // parse_list frames in all (blocks, function calls, submenus and files together):
    // the limits above reset per text, so their product (25 texts of 33 levels) would
    // bound the stack, not 64 KiB. The file's level and one per function call GRUB
    // allows; each costs up to ~2 KiB of frames (a file: parse_list, parse_simple,
    // run_command, cmd_source, run_file, run_text), and scripts/check-stack.py checks
    // after every link that this many fit the stack.
    static constexpr unsigned kMaxLevels = kMaxCallDepth + 1;
    static constexpr std::size_t kMaxConfigSize = 256 * 1024;
    static constexpr std::size_t kTextArena = 512 * 1024;        // all files open at once
    static constexpr std::size_t kBodyArena = 256 * 1024;        // entry and function bodies
    static constexpr std::uint64_t kDefaultStepBudget = 100000;  // commands per run

    explicit Interpreter(Host& host) : host_(host) {}

    // Runs the config file dev:path as GRUB's normal mode does. Errors of a
    // command are printed (FILE:LINE: message) and the run goes on; a syntax
    // error in this file, a configfile loop, the step budget, Ctrl-C and a
    // config that defines no entry are errors.
    Status run_config(std::string_view dev, std::string_view path);

    unsigned entry_count() const { return count_; }
    const MenuEntry& entry(EntryRef ref) const { return entries_[ref.index]; }
    std::string_view body(EntryRef ref) const;

    // GRUB's choice from $default (index, id or title, `a>b` paths into submenus).
    Result<EntryRef> default_entry() const;
    // $timeout in ms; -1 = wait for ever (GRUB: absent or invalid timeout).
    std::int64_t timeout_ms() const;
    TimeoutStyle timeout_style() const;

    // Runs the entry's body in the final environment (as GRUB does at boot),
    // with $chosen and $default set, and returns what linux/initrd said.
    Result<BootSpec> evaluate_entry(EntryRef ref);
    // The same into out (~13 KiB: the firmware passes heap memory, so that it is not on
    // the stack below the interpreter's recursion).
    Status evaluate_entry(EntryRef ref, BootSpec& out);

    std::optional<std::string_view> var(std::string_view name) const { return env_.get(name); }
    void set_step_budget(std::uint64_t steps) { step_budget_ = steps; }

  private:
    enum class Stop : std::uint8_t { end, then_kw, elif_kw, else_kw, fi_kw, close_brace, finished };
    struct Function {
        char name[64];
        std::uint32_t body_offset;
        std::uint32_t body_size;
        char file[128];
        unsigned line;
    };

    void reset();
    Status set_grub_variables(std::string_view dev, std::string_view path);

    // Parsing and execution. These call each other recursively (parse_list is entered
    // once per level, at most kMaxLevels times) and every level pays the frames of its
    // chain, so each is kept out of line, and so is every command below: under link-time
    // optimisation GCC inlined them into parse_list (2,672 bytes a level instead of 368)
    // and a grub.cfg whose `search` read a GPT ran into the stack's guard page.
    // scripts/check-stack.py holds each level's frames to its budget.
    [[gnu::noinline]] Result<Stop> parse_list(Source& src, bool exec, unsigned nesting);
    [[gnu::noinline]] Result<Stop> parse_if(Source& src, bool exec, unsigned nesting, unsigned line);
    [[gnu::noinline]] Status parse_function(Source& src, bool exec, unsigned nesting, unsigned line);
    [[gnu::noinline]] Status parse_menuentry(Source& src, bool exec, unsigned nesting, bool submenu, unsigned line);
    [[gnu::noinline]] Status parse_simple(Source& src, bool exec, unsigned line);
    // Skips a { ... } body, returning its text and first line.
    [[gnu::noinline]] Status capture_body(Source& src, unsigned nesting, unsigned open_line, std::string_view& body,
                                          unsigned& body_line);
    [[gnu::noinline]] Status run_text(std::string_view text, const char* file, unsigned line, unsigned nesting);
    [[gnu::noinline]] Status run_file(std::string_view spec, bool configfile, unsigned line, const char* from);
    // Reads and names the file run_file runs; its locals (a 544-byte FileRef, errors)
    // stay out of run_file's frame.
    [[gnu::noinline]] Result<std::size_t> load_file(std::string_view spec, bool configfile, unsigned line,
                                                    const char* from);
    [[gnu::noinline]] Status run_command(const ArgList& args, const char* file, unsigned line);
    [[gnu::noinline]] Status call_function(const Function& f, const ArgList& args, const char* file, unsigned line);

    // Commands (out of line: see above).
    [[gnu::noinline]] Status cmd_set(const ArgList& args);
    [[gnu::noinline]] Status cmd_search(const ArgList& args, unsigned first, int forced_kind);
    [[gnu::noinline]] Status cmd_test(const ArgList& args, bool bracket);
    [[gnu::noinline]] Status cmd_load_env(const ArgList& args);
    [[gnu::noinline]] Status cmd_blscfg();
    Status add_bls_entry(const BlsEntry& b);
    static constexpr std::size_t kBlsBody = 8 * 1024;
    [[gnu::noinline]] Status cmd_linux(const ArgList& args);
    [[gnu::noinline]] Status cmd_initrd(const ArgList& args);
    [[gnu::noinline]] Status cmd_source(const ArgList& args, bool configfile, const char* file, unsigned line);

    [[gnu::noinline]] Status add_entry(const ArgList& raw, bool submenu, std::string_view body, const char* file,
                                       unsigned line, int& index);
    Result<std::uint32_t> store_body(std::string_view text);
    // "(dev)/path" or "/path" (on $root) into a FileRef.
    [[gnu::noinline]] Status resolve_file(std::string_view spec, FileRef& out) const;
    [[gnu::noinline]] Result<bool> test_file(char op, std::string_view spec);
    // A missing device or file is {exists = false}.
    [[gnu::noinline]] Result<Host::FileInfo> stat_file(const FileRef& ref);

    static std::optional<std::string_view> lookup(void* ctx, std::string_view name);
    std::optional<std::string_view> lookup_var(std::string_view name);
    Error fatal(Error e) {
        fatal_ = true;
        return e;
    }
    [[gnu::noinline]] Status check_step(const char* file, unsigned line);
    void report(const char* file, unsigned line, const Error& e);
    Result<EntryRef> pick(int parent, std::string_view spec) const;
    const Function* find_function(std::string_view name) const;
    void finalize_menu();

    Host& host_;
    Env env_;
    MenuEntry entries_[kMaxEntries];
    unsigned count_ = 0;
    unsigned base_ = 0;  // the current menu is entries_[base_, count_)
    int parent_ = -1;    // where new entries go
    bool recording_ = true;
    Function functions_[kMaxFunctions];
    unsigned function_count_ = 0;
    char bodies_[kBodyArena];
    std::size_t bodies_used_ = 0;
    char texts_[kTextArena];
    std::size_t texts_used_ = 0;
    char file_names_[kMaxFileDepth + 1][160];
    unsigned file_depth_ = 0;
    unsigned call_depth_ = 0;
    unsigned levels_ = 0;  // parse_list frames on the stack (kMaxLevels)
    ArgList args_[kMaxCallDepth + 2];
    const ArgList* frame_ = nullptr;  // positional parameters of the running function
    char number_[24];
    char scratch_[Env::kMaxValue + 1];  // echo lines, paths, values (keeps frames small: 64 KiB stack)
    int status_ = 0;                    // $?
    bool returning_ = false;
    bool finished_ = false;  // a configfile made the final menu
    bool fatal_ = false;
    bool save_env_noted_ = false;
    std::uint64_t steps_ = 0;
    std::uint64_t step_budget_ = kDefaultStepBudget;
    // While evaluating an entry.
    BootSpec* spec_ = nullptr;
    bool have_linux_ = false;
    Error boot_error_ = Error::make(Errc::invalid_argument, "%s", "no error");
    bool have_boot_error_ = false;
};

}  // namespace xb::loader::grub
