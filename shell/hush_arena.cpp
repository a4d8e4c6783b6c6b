#include <cstring>
#include <new>

#include "shell/hush_ast.h"

namespace xb::cmd::hush {

void* Arena::alloc(std::size_t size, std::size_t align) {
    if (size > kMaxTotal) return nullptr;
    if (head_ != nullptr) {
        const std::uintptr_t base = reinterpret_cast<std::uintptr_t>(head_ + 1);
        const std::size_t at = ((base + head_->used + align - 1) & ~(std::uintptr_t{align} - 1)) - base;
        if (at <= head_->size && size <= head_->size - at) {
            head_->used = at + size;
            return reinterpret_cast<void*>(base + at);
        }
    }
    // A new chunk, big enough for this allocation (a long script text may
    // exceed kChunk). The header keeps max_align_t alignment for what follows.
    std::size_t want = size + align > kChunk ? size + align : kChunk;
    if (total_ + want > kMaxTotal) return nullptr;
    void* mem = ::operator new(sizeof(Chunk) + want, std::nothrow);
    if (mem == nullptr) return nullptr;
    Chunk* c = static_cast<Chunk*>(mem);
    c->next = head_;
    c->size = want;
    c->used = 0;
    head_ = c;
    total_ += want;
    return alloc(size, align);
}

void Arena::release() {
    while (head_ != nullptr) {
        Chunk* next = head_->next;
        ::operator delete(head_);
        head_ = next;
    }
    total_ = 0;
}

}  // namespace xb::cmd::hush
