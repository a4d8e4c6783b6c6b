#include "drivers/xen/grant_quarantine.h"

#include <cstring>
#include <new>

#include "drivers/xen/grant_table.h"
#include "lib/format.h"

namespace xb::xen {

Status GrantQuarantine::init(Heap& heap, unsigned capacity) {
    if (ready()) return ok();
    capacity_ = capacity < kMaxRefs ? capacity : kMaxRefs;
    refs_ = static_cast<std::uint32_t*>(heap.alloc(capacity_ * sizeof(std::uint32_t)));
    ref_block_ = static_cast<std::uint16_t*>(heap.alloc(capacity_ * sizeof(std::uint16_t)));
    blocks_ = static_cast<Block*>(heap.alloc(kMaxBlocks * sizeof(Block), alignof(Block)));
    if (refs_ == nullptr || ref_block_ == nullptr || blocks_ == nullptr) {
        heap.free(refs_);
        heap.free(ref_block_);
        heap.free(blocks_);
        refs_ = nullptr;
        ref_block_ = nullptr;
        blocks_ = nullptr;
        capacity_ = 0;
        return Error::make(Errc::no_memory, "no heap for the grant quarantine");
    }
    for (unsigned i = 0; i < kMaxBlocks; ++i) new (&blocks_[i]) Block();
    count_ = 0;
    lost_ = 0;
    return ok();
}

std::uint16_t GrantQuarantine::block_for(void* mem, Heap* heap, const char* owner) {
    // Memory the caller owns (mem == nullptr) is never freed here: one entry
    // per owner is enough to name it.
    if (mem == nullptr) {
        for (unsigned i = 0; i < kMaxBlocks; ++i) {
            if (blocks_[i].refs != 0 && blocks_[i].mem == nullptr && strcmp(blocks_[i].owner, owner) == 0)
                return static_cast<std::uint16_t>(i);
        }
    }
    for (unsigned i = 0; i < kMaxBlocks; ++i) {
        if (blocks_[i].refs != 0) continue;
        blocks_[i].mem = mem;
        blocks_[i].heap = heap;
        format_to(blocks_[i].owner, sizeof blocks_[i].owner, "%s", owner);
        return static_cast<std::uint16_t>(i);
    }
    return kNoBlock;  // full: the block is leaked, its references still held
}

bool GrantQuarantine::end_or_hold(GrantTable& grants, std::span<const GrantRef> refs, void* block, Heap* heap,
                                  const char* owner, Status& first) {
    std::uint16_t b = kNoBlock;
    bool have_block = false;
    for (GrantRef ref : refs) {
        Status s = grants.end(ref);
        if (s.ok()) continue;
        if (first.ok()) first = s;
        // Only a grant the other side still maps is held; any other failure
        // (not ours, not granted) means there is nothing left to end.
        if (s.error().code() != Errc::busy) continue;
        if (!have_block) {
            b = ready() ? block_for(block, heap, owner) : kNoBlock;
            have_block = true;
        }
        if (count_ == capacity_) {
            ++lost_;  // stays granted for good; the block is never freed either
            continue;
        }
        refs_[count_] = ref.value();
        ref_block_[count_] = b;
        ++count_;
        if (b != kNoBlock) ++blocks_[b].refs;
    }
    if (have_block) return false;
    if (block != nullptr && heap != nullptr) heap->free(block);
    return true;
}

void GrantQuarantine::release_ref(unsigned i) {
    const std::uint16_t b = ref_block_[i];
    --count_;
    refs_[i] = refs_[count_];
    ref_block_[i] = ref_block_[count_];
    if (b == kNoBlock) return;
    Block& blk = blocks_[b];
    if (--blk.refs != 0) return;
    if (blk.mem != nullptr && blk.heap != nullptr) blk.heap->free(blk.mem);
    blk = Block();
}

unsigned GrantQuarantine::retry(GrantTable& grants) {
    for (unsigned i = 0; i < count_;) {
        Status s = grants.end(GrantRef(refs_[i]));
        // busy: still mapped, try again later. Anything else: the reference
        // is no longer granted, so nothing can reach the memory through it.
        if (!s.ok() && s.error().code() == Errc::busy) {
            ++i;
            continue;
        }
        release_ref(i);  // moves the last entry to i: look at i again
    }
    return count_;
}

void GrantQuarantine::describe(char* out, std::size_t size) const {
    if (size == 0) return;
    out[0] = '\0';
    std::size_t len = 0;
    auto add = [&](const char* owner, unsigned n) {
        if (len + 1 >= size) return;
        len += format_to(out + len, size - len, "%s%s: %u", len == 0 ? "" : ", ", owner, n);
        if (len >= size) len = size - 1;
    };
    // Sum per owner name (several blocks of one device count together).
    for (unsigned i = 0; i < kMaxBlocks && blocks_ != nullptr; ++i) {
        if (blocks_[i].refs == 0) continue;
        bool seen = false;
        for (unsigned j = 0; j < i && !seen; ++j)
            seen = blocks_[j].refs != 0 && strcmp(blocks_[j].owner, blocks_[i].owner) == 0;
        if (seen) continue;
        unsigned n = 0;
        for (unsigned j = i; j < kMaxBlocks; ++j)
            if (blocks_[j].refs != 0 && strcmp(blocks_[j].owner, blocks_[i].owner) == 0) n += blocks_[j].refs;
        add(blocks_[i].owner, n);
    }
    unsigned unnamed = lost_;
    for (unsigned i = 0; i < count_; ++i)
        if (ref_block_[i] == kNoBlock) ++unnamed;
    if (unnamed != 0) add("unnamed", unnamed);
}

}  // namespace xb::xen
