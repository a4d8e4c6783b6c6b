#include "shell/shell.h"

#include <cstring>
#include <new>

namespace xb::cmd {

Shell::Shell(Context& ctx) : ctx_(ctx), interp_(ctx), editor_(ctx.con) { editor_.set_context(&ctx); }

Shell::~Shell() { delete[] pending_; }

void Shell::on_line(std::string_view line) {
    if (pending_len_ == 0) {
        bool incomplete = false;
        if (interp_.check(line, &incomplete).ok() || !incomplete) {
            interp_.run_script(line);  // reports a syntax error itself
            return;
        }
    }
    // An unfinished if/for/while: collect lines until it is complete.
    if (pending_ == nullptr) pending_ = new (std::nothrow) char[kMaxPending];
    if (pending_ == nullptr || pending_len_ + line.size() + 1 > kMaxPending) {
        ctx_.con.printf("command too long (more than %zu bytes)\n", kMaxPending);
        pending_len_ = 0;
        return;
    }
    memcpy(pending_ + pending_len_, line.data(), line.size());
    pending_len_ += line.size();
    pending_[pending_len_++] = '\n';
    const std::string_view text(pending_, pending_len_);
    bool incomplete = false;
    if (!interp_.check(text, &incomplete).ok() && incomplete) return;
    pending_len_ = 0;
    interp_.run_script(text);
}

Status Shell::run() {
    editor_.set_prompt(kPrompt);
    ctx_.con.write(kPrompt);
    while (!ctx_.stop) {
        int c = ctx_.read_char();
        if (c < 0) {
            TRY(ctx_.con.wait_input(Deadline::never()));
            continue;
        }
        switch (editor_.feed(static_cast<char>(c))) {
            case LineEditor::Event::line: on_line(editor_.line()); break;
            case LineEditor::Event::interrupted: pending_len_ = 0; break;
            case LineEditor::Event::none: continue;
        }
        if (ctx_.stop) break;
        const char* prompt = pending_len_ != 0 ? kContinuationPrompt : kPrompt;
        editor_.set_prompt(prompt);
        ctx_.con.write(prompt);
    }
    return ok();
}

}  // namespace xb::cmd
