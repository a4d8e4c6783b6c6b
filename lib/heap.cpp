#include "lib/heap.h"

#include "lib/panic.h"

namespace xb {
namespace {
constexpr std::uintptr_t align_up(std::uintptr_t v, std::size_t a) { return (v + a - 1) & ~(std::uintptr_t{a} - 1); }
constexpr std::size_t kMinBlock = 64;  // never leave a fragment smaller than this
}  // namespace

void Heap::init(void* base, std::size_t size) {
    std::uintptr_t start = align_up(reinterpret_cast<std::uintptr_t>(base), kGranule);
    std::size_t lost = start - reinterpret_cast<std::uintptr_t>(base);
    size = size > lost ? (size - lost) & ~(kGranule - 1) : 0;
    base_ = start;
    size_ = size;
    free_list_ = nullptr;
    in_use_ = 0;
    allocations_ = 0;
    if (size >= kMinBlock) insert_free(start, size);
}

void* Heap::alloc(std::size_t size, std::size_t align) {
    if (align == 0 || (align & (align - 1)) != 0 || size == 0 || size > size_) return nullptr;
    if (align < kGranule) align = kGranule;
    std::size_t need_payload = align_up(size, kGranule);

    FreeBlock** link = &free_list_;
    for (FreeBlock* block = free_list_; block != nullptr; link = &block->next, block = block->next) {
        std::uintptr_t start = reinterpret_cast<std::uintptr_t>(block);
        std::uintptr_t end = start + block->size;
        std::uintptr_t payload = align_up(start + sizeof(Header), align);
        // A gap in front of the header must be big enough to stay a free block.
        if (payload - sizeof(Header) != start && payload - sizeof(Header) - start < kMinBlock) {
            payload = align_up(start + kMinBlock + sizeof(Header), align);
        }
        if (payload + need_payload > end || payload + need_payload < payload) continue;

        std::uintptr_t header_at = payload - sizeof(Header);
        std::uintptr_t used_end = payload + need_payload;
        if (end - used_end < kMinBlock) used_end = end;  // absorb a tail too small to keep

        // Unlink this block, then give back the front gap and the tail.
        *link = block->next;
        if (header_at != start) insert_free(start, header_at - start);
        if (used_end != end) insert_free(used_end, end - used_end);

        auto* header = reinterpret_cast<Header*>(header_at);
        header->size = used_end - header_at;
        header->start = header_at;
        header->magic = kMagic;
        in_use_ += header->size;
        ++allocations_;
        return reinterpret_cast<void*>(payload);
    }
    return nullptr;
}

void Heap::free(void* ptr) {
    if (ptr == nullptr) return;
    auto payload = reinterpret_cast<std::uintptr_t>(ptr);
    if (payload < base_ + sizeof(Header) || payload >= base_ + size_) panic("heap: free of a pointer outside the heap");
    auto* header = reinterpret_cast<Header*>(payload - sizeof(Header));
    if (header->magic != kMagic || header->start != payload - sizeof(Header)) {
        panic("heap: free of a corrupted or foreign block");
    }
    header->magic = 0;  // catches a double free
    // Poison the payload: a use after free then reads kPoison instead of the
    // old contents (which may be a grant's data or a parsed path), so the bug
    // shows at once and no stale data outlives its owner.
    __builtin_memset(ptr, kPoison, header->start + header->size - payload);
    in_use_ -= header->size;
    --allocations_;
    insert_free(header->start, header->size);
}

void Heap::insert_free(std::uintptr_t start, std::size_t size) {
    FreeBlock* prev = nullptr;
    FreeBlock* next = free_list_;
    while (next != nullptr && reinterpret_cast<std::uintptr_t>(next) < start) {
        prev = next;
        next = next->next;
    }
    auto* block = reinterpret_cast<FreeBlock*>(start);
    block->size = size;
    block->next = next;
    if (prev != nullptr) prev->next = block;
    else free_list_ = block;
    // Merge with the following block, then with the preceding one.
    if (next != nullptr && start + size == reinterpret_cast<std::uintptr_t>(next)) {
        block->size += next->size;
        block->next = next->next;
    }
    if (prev != nullptr && reinterpret_cast<std::uintptr_t>(prev) + prev->size == start) {
        prev->size += block->size;
        prev->next = block->next;
    }
}

Heap::Stats Heap::stats() const {
    std::size_t largest = 0;
    for (FreeBlock* b = free_list_; b != nullptr; b = b->next) {
        if (b->size > largest) largest = b->size;
    }
    return Stats{size_, in_use_, largest, allocations_};
}

}  // namespace xb
