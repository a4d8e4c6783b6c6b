// The hush interpreter: runs parsed scripts (shell/hush_parser.h) the way
// U-Boot's hush shell does.
//  - `name=value` sets a shell-local variable; `setenv` sets the environment.
//    `$name` looks in the local variables first, then the environment, so a
//    local variable hides an environment variable of the same name (and
//    `setenv` does not change what `$name` gives while the local exists).
//  - `$?` is the status of the last command; commands, `if`, loops and `run`
//    set it. A failing command does not stop the rest of a line or script.
//  - `run var...` (cmd_env.cpp) runs environment variables as scripts;
//    `source addr` runs a script image. Each is a nested run_script.
//  - Ctrl-C (Context::ctrlc, checked before every command and every loop
//    iteration, and by long commands) stops the whole script and prints
//    <INTERRUPT>; so does a command that saw Ctrl-C itself.
// Bounded: nesting of compound commands and run/source (kMaxDepth,
// kMaxRunDepth) and, when set, the number of steps (commands + loop
// iterations) one top-level script may take (for fuzzing).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "shell/command.h"
#include "shell/hush_ast.h"
#include "shell/hush_expand.h"
#include "shell/hush_parser.h"

namespace xb::cmd {

class Interpreter final : public hush::VarSource {
  public:
    // Bounds that keep the firmware's 64 KiB stack safe (measured with
    // aarch64 -fstack-usage: ~150 bytes per compound level, ~350 per run
    // level, ~450 per parser nesting level (kMaxNesting) while a script is
    // parsed; error paths are kept in separate non-inlined functions).
    static constexpr unsigned kMaxDepth = 48;     // compound commands + nested scripts, together
    static constexpr unsigned kMaxRunDepth = 16;  // run/source inside run/source

    explicit Interpreter(Context& ctx);
    ~Interpreter();
    Interpreter(const Interpreter&) = delete;
    Interpreter& operator=(const Interpreter&) = delete;

    // Parses the whole text (syntax errors are printed as "syntax error: ..."
    // with the position, and nothing runs; status 1), then runs it. what, if
    // given, names the script in messages ("run: bootcmd"). Returns the exit
    // status of the last command (0 success), 1 after Ctrl-C.
    int run_script(std::string_view text, const char* what = nullptr);
    // Parses without running: for continuation lines at the prompt and for
    // fuzzing. *incomplete: the text ended inside an if/for/while or after &&.
    Status check(std::string_view text, bool* incomplete = nullptr);

    int last_status() const { return status_; }
    // Stops every top-level script after this many steps (0: no limit).
    void set_step_limit(std::uint64_t steps) { step_limit_ = steps; }
    // Commands for which allow(name) is false fail with "not allowed here".
    // For fuzzers: `sleep` waits in real time on the host.
    void set_command_filter(bool (*allow)(const char* name)) { allow_ = allow; }

    // Shell-local variables (name=value, for loop variables).
    Status set_local(std::string_view name, std::string_view value);
    std::optional<std::string_view> local(std::string_view name) const;
    bool remove_local(std::string_view name);
    // $? first, then local variables, then the environment.
    std::optional<std::string_view> lookup(std::string_view name) const override;

  private:
    int exec_list(const hush::Node* list);
    int exec_node(const hush::Node* node);
    int exec_simple(const hush::Node* node);
    int exec_if(const hush::Node* node);
    int exec_for(const hush::Node* node);
    int exec_loop(const hush::Node* node);
    bool expand_command(const hush::Node* node, hush::Fields& f);
    bool expand_for_words(const hush::Node* node, hush::Fields& items);
    bool set_loop_variable(std::string_view name, const char* value);
    bool parse_or_report(std::string_view text, hush::Script& script, const char* what);
    // Counts a step and checks for Ctrl-C, power-off and the step limit;
    // true when the script must stop (then aborting_ is set).
    bool must_stop();

    Context& ctx_;
    Environment* locals_ = nullptr;  // allocated on the first local variable
    int status_ = 0;
    unsigned depth_ = 0;
    unsigned run_depth_ = 0;
    std::uint64_t step_limit_ = 0;
    std::uint64_t steps_ = 0;
    bool (*allow_)(const char* name) = nullptr;
    bool aborting_ = false;  // Ctrl-C, power-off or the step limit: unwind everything
    bool exiting_ = false;   // `exit`: unwind the current script
    mutable char status_text_[12] = {};
};

}  // namespace xb::cmd
