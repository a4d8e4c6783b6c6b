#include "shell/interpreter.h"

#include <cstring>
#include <new>

#include "shell/hush_parser.h"
#include "shell/parse.h"
#include "lib/format.h"

namespace xb::cmd {

using hush::Node;
using hush::NodeKind;
using hush::Word;

Interpreter::Interpreter(Context& ctx) : ctx_(ctx) { ctx_.interp = this; }

Interpreter::~Interpreter() {
    if (ctx_.interp == this) ctx_.interp = nullptr;
    delete locals_;
}

Status Interpreter::set_local(std::string_view name, std::string_view value) {
    if (locals_ == nullptr) {
        locals_ = new (std::nothrow) Environment();
        if (locals_ == nullptr) return Error::make(Errc::no_memory, "no memory for local variables");
    }
    return locals_->set(name, value);
}

std::optional<std::string_view> Interpreter::local(std::string_view name) const {
    if (locals_ == nullptr) return std::nullopt;
    return locals_->get(name);
}

bool Interpreter::remove_local(std::string_view name) { return locals_ != nullptr && locals_->remove(name); }

std::optional<std::string_view> Interpreter::lookup(std::string_view name) const {
    if (name == "?") {
        format_to(status_text_, sizeof status_text_, "%d", status_);
        return std::string_view(status_text_);
    }
    if (std::optional<std::string_view> v = local(name)) return v;
    if (ctx_.env != nullptr) return ctx_.env->get(name);
    return std::nullopt;
}

Status Interpreter::check(std::string_view text, bool* incomplete) {
    hush::Script script;
    return hush::parse(text, script, incomplete);
}

[[gnu::noinline]] bool Interpreter::parse_or_report(std::string_view text, hush::Script& script, const char* what) {
    Status parsed = hush::parse(text, script);
    if (!parsed.ok())
        ctx_.con.printf("syntax error%s%s: %s\n", what ? " in " : "", what ? what : "", parsed.error().message());
    return parsed.ok();
}

int Interpreter::run_script(std::string_view text, const char* what) {
    if (ctx_.gate != nullptr) ctx_.gate->ready();
    if (run_depth_ >= kMaxRunDepth) {
        ctx_.con.printf("%s%snesting too deep (more than %u scripts inside each other)\n", what ? what : "",
                        what ? ": " : "", kMaxRunDepth);
        status_ = 1;
        return status_;
    }
    const bool outermost = run_depth_ == 0;
    if (outermost) {
        aborting_ = false;
        steps_ = 0;
        ctx_.interrupted = false;
    }
    // The tree lives on the heap: a script may be long.
    hush::Script* script = new (std::nothrow) hush::Script();
    if (script == nullptr) {
        ctx_.con.printf("%s%sno memory for the script\n", what ? what : "", what ? ": " : "");
        status_ = 1;
        return status_;
    }
    if (!parse_or_report(text, *script, what)) {
        delete script;
        status_ = 1;
        return status_;
    }
    if (depth_ >= kMaxDepth) {
        ctx_.con.printf("script nesting too deep (more than %u levels)\n", kMaxDepth);
        aborting_ = true;
    } else {
        ++run_depth_;
        ++depth_;
        exec_list(script->root);
        --depth_;
        --run_depth_;
    }
    delete script;
    exiting_ = false;
    if (outermost && aborting_) {
        if (ctx_.interrupted) ctx_.con.write("<INTERRUPT>\n");
        ctx_.interrupted = false;
        aborting_ = false;
        status_ = 1;
    }
    return status_;
}

bool Interpreter::must_stop() {
    if (aborting_ || exiting_) return true;
    ++steps_;
    if (ctx_.stop || ctx_.interrupted || ctx_.ctrlc() || (step_limit_ != 0 && steps_ > step_limit_)) {
        if (!ctx_.interrupted && !ctx_.stop) ctx_.con.printf("script stopped after %lu steps\n", step_limit_);
        aborting_ = true;
        status_ = 1;
        return true;
    }
    return false;
}

int Interpreter::exec_list(const Node* list) {
    if (list == nullptr) status_ = 0;  // an empty body succeeds
    for (const Node* n = list; n != nullptr && !aborting_ && !exiting_; n = n->next) status_ = exec_node(n);
    return status_;
}

int Interpreter::exec_node(const Node* node) {
    if (node->kind == NodeKind::simple) return exec_simple(node);
    if (depth_ >= kMaxDepth) {
        ctx_.con.printf("script nesting too deep (more than %u levels)\n", kMaxDepth);
        aborting_ = true;
        return 1;
    }
    ++depth_;
    int rc = 0;
    switch (node->kind) {
        case NodeKind::if_: rc = exec_if(node); break;
        case NodeKind::for_: rc = exec_for(node); break;
        case NodeKind::while_:
        case NodeKind::until_: rc = exec_loop(node); break;
        case NodeKind::not_: rc = exec_node(node->a) == 0 ? 1 : 0; break;
        case NodeKind::and_or: {
            rc = exec_node(node->a);
            for (const Node* p = node->a->next; p != nullptr && !aborting_ && !exiting_; p = p->next) {
                if ((p->op == hush::Op::and_) == (rc == 0)) rc = exec_node(p);
            }
            break;
        }
        case NodeKind::simple: break;
    }
    --depth_;
    if (aborting_) return 1;
    status_ = rc;
    return rc;
}

int Interpreter::exec_if(const Node* node) {
    for (const Node* n = node; n != nullptr;) {
        exec_list(n->a);
        if (aborting_ || exiting_) return status_;
        if (status_ == 0) return n->b != nullptr ? exec_list(n->b) : 0;
        if (n->c == nullptr) return 0;
        if (n->c->is_elif) {
            n = n->c;
            continue;
        }
        return exec_list(n->c);
    }
    return 0;
}

[[gnu::noinline]] bool Interpreter::expand_for_words(const Node* node, hush::Fields& items) {
    for (const Word* w = node->words; w != nullptr; w = w->next) {
        Status s = hush::expand(w->text, *this, items);
        if (!s.ok()) {
            ctx_.con.printf("for: %s\n", s.error().message());
            return false;
        }
    }
    return true;
}

[[gnu::noinline]] bool Interpreter::set_loop_variable(std::string_view name, const char* value) {
    Status s = set_local(name, value);
    if (!s.ok()) ctx_.con.printf("for: %s\n", s.error().message());
    return s.ok();
}

int Interpreter::exec_for(const Node* node) {
    int rc = 0;
    if (!node->has_in) return 0;  // no positional parameters in xenboot: nothing to loop over
    hush::Fields* items = new (std::nothrow) hush::Fields();
    if (items == nullptr) {
        ctx_.con.printf("for: no memory\n");
        return 1;
    }
    items->clear();
    if (!expand_for_words(node, *items)) {
        delete items;
        return 1;
    }
    for (int i = 0; i < items->argc; ++i) {
        if (must_stop()) break;
        if (!set_loop_variable(node->var, items->argv[i])) {
            rc = 1;
            break;
        }
        rc = exec_list(node->b);
    }
    delete items;
    return rc;
}

int Interpreter::exec_loop(const Node* node) {
    int rc = 0;
    const bool until = node->kind == NodeKind::until_;
    while (!must_stop()) {
        const int cond = exec_list(node->a);
        if (aborting_ || exiting_) break;
        if ((cond == 0) == until) break;
        rc = exec_list(node->b);
        if (aborting_ || exiting_) break;
    }
    return rc;
}

// Expands a simple command's words into f, setting its leading NAME=value
// words as local variables. Kept out of exec_simple (noinline) so that its
// error objects are not on the stack while the command runs (nested run and
// source go through exec_simple again).
[[gnu::noinline]] bool Interpreter::expand_command(const Node* node, hush::Fields& f) {
    const Word* w = node->words;
    // Leading NAME=value words set local variables (U-Boot's hush).
    for (; w != nullptr; w = w->next) {
        const std::size_t name_len = hush::assignment_name_length(w->text);
        if (name_len == 0) break;
        Status s = hush::expand(w->text.substr(name_len + 1), *this, f, false);
        if (s.ok()) s = set_local(w->text.substr(0, name_len), f.argv[0]);
        f.clear();
        if (!s.ok()) {
            ctx_.con.printf("%.*s: %s\n", static_cast<int>(name_len), w->text.data(), s.error().message());
            return false;
        }
    }
    for (; w != nullptr; w = w->next) {
        Status s = hush::expand(w->text, *this, f);
        if (!s.ok()) {
            ctx_.con.printf("%s\n", s.error().message());
            return false;
        }
    }
    return true;
}

namespace {

// exit's argument: 0-255 decimal; anything else is status 1.
[[gnu::noinline]] int exit_status(const char* text) {
    Result<std::uint64_t> n = parse_dec(text, "exit status");
    return n.ok() && n.value() <= 255 ? static_cast<int>(n.value()) : 1;
}

}  // namespace

int Interpreter::exec_simple(const Node* node) {
    if (must_stop()) return status_;
    hush::Fields* f = new (std::nothrow) hush::Fields();
    if (f == nullptr) {
        ctx_.con.printf("no memory to run a command\n");
        return 1;
    }
    f->clear();
    if (!expand_command(node, *f)) {
        delete f;
        return 1;
    }
    int rc = 0;
    if (f->argc == 0) {
        rc = 0;
    } else if (strcmp(f->argv[0], "exit") == 0) {
        // exit [n]: ends the current script (a `run` or `source` level, or the line).
        rc = f->argc > 1 ? exit_status(f->argv[1]) : 0;
        exiting_ = true;
    } else if (const Command* cmd = find_command(f->argv[0]); cmd != nullptr) {
        if (allow_ != nullptr && !allow_(cmd->name)) {
            ctx_.con.printf("%s: not allowed here\n", cmd->name);
            rc = 1;
        } else {
            rc = run_command(ctx_, *cmd, f->argc, f->argv);
        }
    } else {
        ctx_.con.printf("Unknown command '%s' - try 'help'\n", f->argv[0]);
        rc = 1;
    }
    delete f;
    if (ctx_.interrupted && !aborting_) {  // the command saw Ctrl-C itself: the script stops too
        aborting_ = true;
        rc = 1;
    }
    status_ = rc;
    return rc;
}

}  // namespace xb::cmd
