#include "shell/completion.h"

#include <cstring>

namespace xb::cmd {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_separator(char c) { return c == ';' || c == '&' || c == '|' || c == '\n'; }

bool is_keyword_before_command(std::string_view w) {
    return w == "if" || w == "then" || w == "else" || w == "elif" || w == "do" || w == "while" || w == "until" ||
           w == "!";
}

// The words of the current command before the word at the cursor (at most a few
// are needed: which command, and how many arguments precede).
struct CommandWords {
    std::string_view first;   // the command name, if any
    std::string_view second;  // its first argument, if any
    unsigned count = 0;       // words before the cursor's word
};

CommandWords command_words(std::string_view line, std::size_t word_start) {
    // Start of the current command: after the last separator or keyword.
    std::size_t start = 0;
    for (std::size_t i = word_start; i > 0; --i) {
        if (is_separator(line[i - 1])) {
            start = i;
            break;
        }
    }
    CommandWords cw;
    std::size_t i = start;
    while (i < word_start) {
        while (i < word_start && is_blank(line[i])) ++i;
        if (i >= word_start) break;
        std::size_t j = i;
        while (j < word_start && !is_blank(line[j])) ++j;
        const std::string_view w = line.substr(i, j - i);
        if (cw.count == 0 && is_keyword_before_command(w)) {  // "if setenv ..." : the command follows
            i = j;
            continue;
        }
        if (cw.count == 0) cw.first = w;
        else if (cw.count == 1) cw.second = w;
        ++cw.count;
        i = j;
    }
    return cw;
}

bool takes_variable_names(const CommandWords& cw) {
    const std::string_view cmd = cw.first.substr(0, cw.first.find('.'));
    if (cmd == "printenv" || cmd == "run") return true;
    if (cmd == "editenv" || cmd == "askenv") return cw.count == 1;
    if (cmd == "setenv" || cmd == "setexpr") return cw.count == 1;  // the name, not the value
    if (cmd == "env") {
        if (cw.count < 2) return false;
        if (cw.second == "set") return cw.count == 2;
        if (cw.second == "edit" || cw.second == "ask") return cw.count == 2;
        return cw.second == "print" || cw.second == "delete" || cw.second == "default" || cw.second == "run" ||
               cw.second == "exists" || cw.second == "export";
    }
    return false;
}

}  // namespace

CompletionSite completion_site(std::string_view line) {
    CompletionSite site;
    std::size_t word_start = line.size();
    while (word_start > 0 && !is_blank(line[word_start - 1]) && !is_separator(line[word_start - 1])) --word_start;
    const std::string_view word = line.substr(word_start);

    // $name / ${name} anywhere in the word.
    const std::size_t dollar = word.rfind('$');
    if (dollar != std::string_view::npos) {
        std::string_view after = word.substr(dollar + 1);
        const bool braced = !after.empty() && after[0] == '{';
        if (braced) after.remove_prefix(1);
        bool plain = true;
        for (char c : after) {
            if (c == '}' || c == '"' || c == '\'' || c == '/' || c == ':') plain = false;
        }
        if (plain) {
            site.kind = CompletionKind::variable;
            site.prefix = after;
            site.suffix = braced ? '}' : 0;
            return site;
        }
    }
    const CommandWords cw = command_words(line, word_start);
    if (cw.count == 0) {
        site.kind = CompletionKind::command;
        site.prefix = word;
        site.suffix = ' ';
    } else if (cw.first == "env" && cw.count == 1) {
        site.kind = CompletionKind::env_subcommand;
        site.prefix = word;
        site.suffix = ' ';
    } else if (takes_variable_names(cw)) {
        site.kind = CompletionKind::variable;
        site.prefix = word;
        site.suffix = ' ';
    }
    return site;
}

void for_each_candidate(const Context* ctx, const CompletionSite& site, CandidateSink& sink) {
    auto starts = [&](std::string_view s) { return s.substr(0, site.prefix.size()) == site.prefix; };
    switch (site.kind) {
        case CompletionKind::command:
            for (const Command& c : commands()) {
                if (starts(c.name)) sink.add(c.name);
            }
            break;
        case CompletionKind::env_subcommand: {
            static constexpr const char* kSubs[] = {"ask",    "default", "delete", "edit", "exists", "export",
                                                    "import", "print",   "run",    "save", "set"};
            for (const char* s : kSubs) {
                if (starts(s)) sink.add(s);
            }
            break;
        }
        case CompletionKind::variable:
            if (ctx == nullptr || ctx->env == nullptr) break;
            for (unsigned i = 0; i < ctx->env->count(); ++i) {
                if (starts(ctx->env->name(i))) sink.add(ctx->env->name(i));
            }
            break;
        case CompletionKind::none: break;
    }
}

}  // namespace xb::cmd
