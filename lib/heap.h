// The firmware's heap: a first-fit allocator over one contiguous region, with
// an address-ordered free list so that freeing coalesces neighbours.
// Freed payloads are poisoned (kPoison). Not thread-safe (xenboot runs on one vCPU with interrupts masked).
#pragma once

#include <cstddef>
#include <cstdint>

namespace xb {

class Heap {
  public:
    struct Stats {
        std::size_t capacity;
        std::size_t in_use;
        std::size_t largest_free;
        std::size_t allocations;
    };

    constexpr Heap() = default;

    // Takes ownership of [base, base + size). base is aligned up to kGranule.
    void init(void* base, std::size_t size);

    // Returns nullptr when no block fits. align must be a power of two.
    void* alloc(std::size_t size, std::size_t align = kGranule);
    void free(void* ptr);

    Stats stats() const;
    std::uintptr_t base() const { return base_; }
    std::size_t size() const { return size_; }

    static constexpr std::size_t kGranule = 16;
    // What free() fills a block's payload with.
    static constexpr std::uint8_t kPoison = 0xDB;

  private:
    struct FreeBlock {
        std::size_t size;  // whole block, header included
        FreeBlock* next;
    };
    struct Header {
        std::size_t size;  // whole block from `start`, header included
        std::uintptr_t start;
        std::uint64_t magic;
        std::uint64_t pad;
    };
    static_assert(sizeof(Header) % kGranule == 0);
    static constexpr std::uint64_t kMagic = 0x786268656170a110ULL;  // "xbheap" tag

    void insert_free(std::uintptr_t start, std::size_t size);

    std::uintptr_t base_ = 0;
    std::size_t size_ = 0;
    FreeBlock* free_list_ = nullptr;
    std::size_t in_use_ = 0;
    std::size_t allocations_ = 0;
};

}  // namespace xb
