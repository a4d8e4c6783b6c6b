#include "shell/hush_parser.h"

#include <cstring>

#include "lib/format.h"

namespace xb::cmd::hush {
namespace {

struct Token {
    enum Kind : std::uint8_t { end, word, newline, semi, and_and, or_or } kind = end;
    std::uint32_t pos = 0;
    std::string_view text;
};

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

class Parser {
  public:
    Parser(std::string_view text, Arena& arena) : text_(text), arena_(arena) {}

    Node* parse_script() {
        Node* root = parse_list();
        if (failed_) return nullptr;
        const Token& t = peek();
        if (failed_) return nullptr;
        if (t.kind != Token::end) unexpected(t, nullptr);
        return failed_ ? nullptr : root;
    }

    bool failed() const { return failed_; }
    bool incomplete() const { return incomplete_; }
    std::uint32_t error_pos() const { return error_pos_; }
    const char* message() const { return message_; }

  private:
    // --- errors -----------------------------------------------------------
    [[gnu::format(printf, 3, 4)]] void fail(std::uint32_t pos, const char* fmt, ...) {
        if (failed_) return;
        failed_ = true;
        error_pos_ = pos;
        va_list ap;
        va_start(ap, fmt);
        vformat_to(message_, sizeof message_, fmt, ap);
        va_end(ap);
    }
    // "unexpected X" for the token t, or "unexpected end of input" (which more
    // lines could fix).
    void unexpected(const Token& t, const char* expected) {
        char what[40];
        switch (t.kind) {
            case Token::end:
                incomplete_ = true;
                format_to(what, sizeof what, "end of input");
                break;
            case Token::newline: format_to(what, sizeof what, "newline"); break;
            case Token::semi: format_to(what, sizeof what, "';'"); break;
            case Token::and_and: format_to(what, sizeof what, "'&&'"); break;
            case Token::or_or: format_to(what, sizeof what, "'||'"); break;
            case Token::word:
                format_to(what, sizeof what, "'%.*s'", static_cast<int>(t.text.size() > 24 ? 24 : t.text.size()),
                          t.text.data());
                break;
        }
        if (expected != nullptr) fail(t.pos, "unexpected %s (expected '%s')", what, expected);
        else fail(t.pos, "unexpected %s", what);
    }

    // --- tokens -----------------------------------------------------------
    const Token& peek() {
        if (!have_peek_) {
            peeked_ = scan();
            have_peek_ = true;
        }
        return peeked_;
    }
    Token take() {
        Token t = peek();
        have_peek_ = false;
        return t;
    }
    bool peek_keyword(const char* kw) {
        const Token& t = peek();
        return t.kind == Token::word && t.text == kw;
    }
    static bool is_terminator(const Token& t) {
        if (t.kind != Token::word) return false;
        const std::string_view w = t.text;
        return w == "then" || w == "elif" || w == "else" || w == "fi" || w == "do" || w == "done";
    }

    Token scan() {
        Token t;
        const std::size_t n = text_.size();
        for (;;) {
            while (i_ < n && is_blank(text_[i_])) ++i_;
            if (i_ + 1 < n && text_[i_] == '\\' && text_[i_ + 1] == '\n') {  // line continuation
                i_ += 2;
                continue;
            }
            if (i_ < n && text_[i_] == '#') {
                while (i_ < n && text_[i_] != '\n') ++i_;
                continue;
            }
            break;
        }
        t.pos = static_cast<std::uint32_t>(i_);
        if (i_ == n) return t;
        const char c = text_[i_];
        if (c == '\n' || c == ';') {
            ++i_;
            t.kind = c == '\n' ? Token::newline : Token::semi;
            return t;
        }
        if (c == '&' || c == '|') {
            if (i_ + 1 < n && text_[i_ + 1] == c) {
                i_ += 2;
                t.kind = c == '&' ? Token::and_and : Token::or_or;
                return t;
            }
            fail(t.pos, c == '&' ? "'&' (background jobs are not supported; quote it)"
                                 : "'|' (pipes are not supported; quote it)");
            return t;
        }
        const std::size_t start = i_;
        while (i_ < n && !failed_) {
            const char ch = text_[i_];
            if (is_blank(ch) || ch == '\n' || ch == ';' || ch == '&' || ch == '|') break;
            if (ch == '\\') {
                if (i_ + 1 == n) fail(static_cast<std::uint32_t>(i_), "backslash at end of input");
                i_ += 2;
            } else if (ch == '\'') {
                const std::size_t close = text_.find('\'', i_ + 1);
                if (close == std::string_view::npos) fail(static_cast<std::uint32_t>(i_), "unterminated ' quote");
                else i_ = close + 1;
            } else if (ch == '"') {
                scan_double_quoted();
            } else if (ch == '$' && i_ + 1 < n && text_[i_ + 1] == '{') {
                scan_braces();
            } else {
                ++i_;
            }
        }
        t.kind = Token::word;
        t.text = text_.substr(start, i_ - start);
        return t;
    }
    void scan_braces() {  // at "${"
        const std::size_t close = text_.find('}', i_ + 2);
        if (close == std::string_view::npos) {
            fail(static_cast<std::uint32_t>(i_), "unterminated ${");
            return;
        }
        i_ = close + 1;
    }
    void scan_double_quoted() {  // at '"'
        const std::size_t open = i_++;
        const std::size_t n = text_.size();
        while (i_ < n && !failed_) {
            const char ch = text_[i_];
            if (ch == '"') {
                ++i_;
                return;
            }
            if (ch == '\\' && i_ + 1 < n) i_ += 2;
            else if (ch == '$' && i_ + 1 < n && text_[i_ + 1] == '{') scan_braces();
            else ++i_;
        }
        fail(static_cast<std::uint32_t>(open), "unterminated \" quote");
    }

    // --- tree -------------------------------------------------------------
    Node* node(NodeKind kind, std::uint32_t pos) {
        Node* nd = arena_.make<Node>();
        if (nd == nullptr) {
            fail(pos, "script too large (out of memory)");
            return nullptr;
        }
        nd->kind = kind;
        nd->pos = pos;
        return nd;
    }
    Word* word(const Token& t) {
        Word* w = arena_.make<Word>();
        if (w == nullptr) {
            fail(t.pos, "script too large (out of memory)");
            return nullptr;
        }
        w->text = t.text;
        w->pos = t.pos;
        return w;
    }
    bool enter(std::uint32_t pos) {
        if (++depth_ > kMaxNesting) {
            fail(pos, "nesting too deep (more than %u levels)", kMaxNesting);
            return false;
        }
        return true;
    }
    void expect(const char* kw) {
        if (failed_) return;
        Token t = peek();
        if (failed_) return;
        if (t.kind == Token::word && t.text == kw) {
            take();
            return;
        }
        unexpected(t, kw);
    }
    void skip_newlines() {
        while (!failed_ && peek().kind == Token::newline) take();
    }

    Node* parse_list() {
        Node* head = nullptr;
        Node* tail = nullptr;
        while (!failed_) {
            const Token& t = peek();
            if (failed_) break;
            if (t.kind == Token::semi || t.kind == Token::newline) {
                take();
                continue;
            }
            if (t.kind == Token::end || is_terminator(t)) break;
            Node* nd = parse_and_or();
            if (nd == nullptr) break;
            if (tail != nullptr) tail->next = nd;
            else head = nd;
            tail = nd;
            const Token& after = peek();
            if (failed_) break;
            if (after.kind == Token::word && !is_terminator(after)) {
                unexpected(after, nullptr);
                break;
            }
        }
        return failed_ ? nullptr : head;
    }

    Node* parse_and_or() {
        Node* first = parse_pipeline();
        if (first == nullptr) return nullptr;
        if (peek().kind != Token::and_and && peek().kind != Token::or_or) return first;
        Node* chain = node(NodeKind::and_or, first->pos);
        if (chain == nullptr) return nullptr;
        chain->a = first;
        Node* last = first;
        while (!failed_ && (peek().kind == Token::and_and || peek().kind == Token::or_or)) {
            const bool is_and = take().kind == Token::and_and;
            skip_newlines();
            Node* next = parse_pipeline();
            if (next == nullptr) return nullptr;
            next->op = is_and ? Op::and_ : Op::or_;
            last->next = next;
            last = next;
        }
        return failed_ ? nullptr : chain;
    }

    Node* parse_pipeline() {
        bool negate = false;
        const std::uint32_t pos = peek().pos;
        while (!failed_ && peek_keyword("!")) {
            take();
            negate = !negate;
        }
        Node* cmd = parse_command();
        if (cmd == nullptr || !negate) return cmd;
        Node* nd = node(NodeKind::not_, pos);
        if (nd != nullptr) nd->a = cmd;
        return nd;
    }

    Node* parse_command() {
        const Token t = peek();
        if (failed_) return nullptr;
        if (t.kind != Token::word || is_terminator(t)) {
            unexpected(t, nullptr);
            return nullptr;
        }
        Node* nd = nullptr;
        if (t.text == "if" || t.text == "for" || t.text == "while" || t.text == "until") {
            if (!enter(t.pos)) return nullptr;
            if (t.text == "if") nd = parse_if();
            else if (t.text == "for") nd = parse_for();
            else nd = parse_while(t.text == "while" ? NodeKind::while_ : NodeKind::until_);
            --depth_;
            return failed_ ? nullptr : nd;
        }
        nd = node(NodeKind::simple, t.pos);
        if (nd == nullptr) return nullptr;
        Word* tail = nullptr;
        while (!failed_ && peek().kind == Token::word) {
            Word* w = word(take());
            if (w == nullptr) return nullptr;
            if (tail != nullptr) tail->next = w;
            else nd->words = w;
            tail = w;
        }
        return failed_ ? nullptr : nd;
    }

    Node* parse_if() {
        Node* top = node(NodeKind::if_, take().pos);
        Node* cur = top;
        while (cur != nullptr && !failed_) {
            cur->a = parse_list();
            expect("then");
            cur->b = parse_list();
            if (failed_) return nullptr;
            if (peek_keyword("elif")) {
                Node* elif = node(NodeKind::if_, take().pos);
                if (elif == nullptr) return nullptr;
                elif->is_elif = true;
                cur->c = elif;
                cur = elif;
                continue;
            }
            if (peek_keyword("else")) {
                take();
                cur->c = parse_list();
            }
            expect("fi");
            break;
        }
        return failed_ ? nullptr : top;
    }

    Node* parse_for() {
        Node* nd = node(NodeKind::for_, take().pos);
        if (nd == nullptr) return nullptr;
        const Token name = take();
        if (failed_) return nullptr;
        if (name.kind != Token::word || !valid_name(name.text)) {
            if (name.kind == Token::end) unexpected(name, "variable name");
            else fail(name.pos, "'for' needs a variable name");
            return nullptr;
        }
        nd->var = name.text;
        skip_newlines();
        if (peek_keyword("in")) {
            take();
            nd->has_in = true;
            Word* tail = nullptr;
            while (!failed_ && peek().kind == Token::word) {
                Word* w = word(take());
                if (w == nullptr) return nullptr;
                if (tail != nullptr) tail->next = w;
                else nd->words = w;
                tail = w;
            }
            if (failed_) return nullptr;
            const Token& sep = peek();
            if (sep.kind != Token::semi && sep.kind != Token::newline) {
                unexpected(sep, "do");
                return nullptr;
            }
            take();
        } else if (peek().kind == Token::semi) {
            take();
        }
        skip_newlines();
        expect("do");
        nd->b = parse_list();
        expect("done");
        return failed_ ? nullptr : nd;
    }

    Node* parse_while(NodeKind kind) {
        Node* nd = node(kind, take().pos);
        if (nd == nullptr) return nullptr;
        nd->a = parse_list();
        expect("do");
        nd->b = parse_list();
        expect("done");
        return failed_ ? nullptr : nd;
    }

    static bool valid_name(std::string_view s) {
        if (s.empty() || !name_start(s[0])) return false;
        for (char c : s) {
            if (!name_char(c)) return false;
        }
        return true;
    }

    std::string_view text_;
    Arena& arena_;
    std::size_t i_ = 0;
    Token peeked_;
    bool have_peek_ = false;
    unsigned depth_ = 0;
    bool failed_ = false;
    bool incomplete_ = false;
    std::uint32_t error_pos_ = 0;
    char message_[96] = {};
};

}  // namespace

std::size_t assignment_name_length(std::string_view word) {
    if (word.empty() || !name_start(word[0])) return 0;
    std::size_t i = 1;
    while (i < word.size() && name_char(word[i])) ++i;
    return i < word.size() && word[i] == '=' ? i : 0;
}

Status parse(std::string_view text, Script& out, bool* incomplete) {
    out.arena.release();
    out.root = nullptr;
    out.text = {};
    if (incomplete != nullptr) *incomplete = false;
    if (text.size() > kMaxScript) {
        return Error::make(Errc::invalid_argument, "script too long (%zu bytes, at most %zu)", text.size(), kMaxScript);
    }
    if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
        return Error::make(Errc::invalid_argument, "NUL byte at offset %zu", nul);
    }
    // The tree points into the text: keep a copy that lives as long as the
    // tree (a script may change the variable it came from while it runs).
    char* copy = static_cast<char*>(out.arena.alloc(text.size() + 1, 1));
    if (copy == nullptr) return Error::make(Errc::no_memory, "no memory for a %zu-byte script", text.size());
    memcpy(copy, text.data(), text.size());
    copy[text.size()] = '\0';
    out.text = std::string_view(copy, text.size());

    Parser p(out.text, out.arena);
    Node* root = p.parse_script();
    if (p.failed()) {
        if (incomplete != nullptr) *incomplete = p.incomplete();
        const std::uint32_t pos = p.error_pos();
        unsigned line = 1;
        std::size_t line_start = 0;
        for (std::size_t i = 0; i < pos && i < text.size(); ++i) {
            if (text[i] == '\n') {
                ++line;
                line_start = i + 1;
            }
        }
        const unsigned column = static_cast<unsigned>(pos - line_start + 1);
        const bool multi_line = text.find('\n') != std::string_view::npos &&
                                text.find('\n') + 1 < text.size();  // a lone trailing newline is still one line
        out.arena.release();
        out.text = {};
        if (multi_line) return Error::make(Errc::invalid_argument, "line %u, column %u: %s", line, column, p.message());
        return Error::make(Errc::invalid_argument, "column %u: %s", column, p.message());
    }
    out.root = root;
    return ok();
}

}  // namespace xb::cmd::hush
