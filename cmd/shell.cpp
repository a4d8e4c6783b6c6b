#include "cmd/shell.h"

#include "cmd/tokenize.h"

namespace xb::cmd {

int Shell::run_line(std::string_view line) {
    // Parse the whole line first, so a syntax error anywhere runs nothing.
    std::string_view rest = line;
    while (!rest.empty()) {
        Words words;
        Status s = next_command(rest, words, static_cast<std::size_t>(rest.data() - line.data()));
        if (!s.ok()) {
            ctx_.con.printf("syntax error: %s\n", s.error().message());
            return 1;
        }
    }
    int rc = 0;
    rest = line;
    while (!rest.empty() && !ctx_.stop) {
        Words words;
        (void)next_command(rest, words);  // succeeded above
        if (words.argc == 0) continue;
        const Command* cmd = find_command(words.argv[0]);
        if (cmd == nullptr) {
            ctx_.con.printf("Unknown command '%s' - try 'help'\n", words.argv[0]);
            rc = 1;
            continue;
        }
        rc = cmd->fn(ctx_, words.argc, words.argv);
    }
    return rc;
}

Status Shell::run() {
    ctx_.con.write(kPrompt);
    while (!ctx_.stop) {
        int c = ctx_.con.read_char();
        if (c < 0) {
            TRY(ctx_.con.wait_input(Deadline::never()));
            continue;
        }
        switch (editor_.feed(static_cast<char>(c))) {
            case LineEditor::Event::line:
                run_line(editor_.line());
                if (!ctx_.stop) ctx_.con.write(kPrompt);
                break;
            case LineEditor::Event::interrupted:
                ctx_.con.write(kPrompt);
                break;
            case LineEditor::Event::none:
                break;
        }
    }
    return ok();
}

}  // namespace xb::cmd
