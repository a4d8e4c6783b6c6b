// Tab completion for the line editor: what the word at the cursor is (a
// command name, a variable after $ or ${, an argument of setenv / printenv /
// run / env that names a variable, an env subcommand) and its candidates.
#pragma once

#include <cstddef>
#include <string_view>

#include "shell/command.h"

namespace xb::cmd {

enum class CompletionKind { none, command, variable, env_subcommand };

struct CompletionSite {
    CompletionKind kind = CompletionKind::none;
    std::string_view prefix;  // the part of the word already typed (ends at the cursor)
    char suffix = 0;          // appended after a unique match: ' ', '}' (after ${) or 0
};

// Looks at the line up to the cursor.
CompletionSite completion_site(std::string_view line);

class CandidateSink {
  public:
    virtual void add(std::string_view candidate) = 0;

  protected:
    ~CandidateSink() = default;
};

// Every candidate that starts with site.prefix, in sorted order. Variables come
// from the environment (ctx.env; none when nullptr).
void for_each_candidate(const Context* ctx, const CompletionSite& site, CandidateSink& sink);

}  // namespace xb::cmd
