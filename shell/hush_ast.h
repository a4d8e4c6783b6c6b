// The parsed form of a hush script: a tree of nodes kept in an Arena that the
// parse owns. Words are kept as written (quotes, backslashes and $variables
// still in them): they are expanded when the command runs, as in U-Boot's hush,
// so `setenv x 1; echo $x` on one line prints 1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <string_view>

namespace xb::cmd::hush {

// Bump allocator over a chain of heap chunks, freed all at once. Bounded:
// allocations beyond kMaxTotal fail (the parse reports "script too large").
class Arena {
  public:
    static constexpr std::size_t kChunk = 16 * 1024;
    static constexpr std::size_t kMaxTotal = 4 * 1024 * 1024;

    constexpr Arena() = default;
    ~Arena() { release(); }
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;

    // nullptr when out of heap or over kMaxTotal.
    void* alloc(std::size_t size, std::size_t align);
    template <typename T>
    T* make() {
        void* p = alloc(sizeof(T), alignof(T));
        return p != nullptr ? new (p) T() : nullptr;
    }
    void release();

  private:
    struct Chunk {
        Chunk* next;
        std::size_t size;
        std::size_t used;
    };
    Chunk* head_ = nullptr;
    std::size_t total_ = 0;
};

struct Word {
    std::string_view text;  // as written, into the arena's copy of the script
    std::uint32_t pos = 0;  // offset in the script (for messages)
    Word* next = nullptr;
};

enum class NodeKind : std::uint8_t {
    simple,  // words: [name=value...] [command args...]
    if_,     // a: condition, b: then-part, c: else-part (an if_ node for elif) or nullptr
    for_,    // var, words (nullptr with has_in=false: no "in"), b: body
    while_,  // a: condition, b: body
    until_,  // a: condition, b: body
    and_or,  // a, then the pipelines chained by a->next, each joined to the one before by its op
    not_,    // ! a
};

enum class Op : std::uint8_t { none, and_, or_ };

// A list (what runs in sequence, separated by ';' or newlines) is a chain of
// nodes linked by next.
struct Node {
    NodeKind kind = NodeKind::simple;
    std::uint32_t pos = 0;
    Node* next = nullptr;
    Word* words = nullptr;
    Node* a = nullptr;
    Node* b = nullptr;
    Node* c = nullptr;
    std::string_view var;
    bool has_in = false;
    bool is_elif = false;  // an if_ node that is the elif of the one before (runs in its loop, not nested)
    Op op = Op::none;      // in an and_or chain: && or || before this pipeline
};

}  // namespace xb::cmd::hush
