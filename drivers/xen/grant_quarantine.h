// Grants another domain would not let go of, with the memory they grant.
//
// GrantTable::end() fails (Errc::busy) while the grantee still maps a page:
// GTF_reading or GTF_writing is set in the entry (public/grant_table.h, v1).
// The page then may still be read or written by that domain, so it must never
// go back to the heap (the next owner would share it with the backend) nor to
// a kernel (booting is refused while any grant is in use, board/xenguest/
// handoff.cpp). Instead of a silent leak, the reference and the memory it
// grants are held here: retry() ends them again (before a hand-off and on
// `pvblock reconnect`) and gives a block back to its heap only once every grant
// to it has ended. Fixed capacity, bookkeeping from the heap at init; if it is
// full, the grant stays granted and its memory is leaked: never unsafe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "drivers/xen/abi.h"
#include "lib/heap.h"
#include "lib/result.h"
#include "lib/types.h"

namespace xb::xen {

class GrantTable;

class GrantQuarantine {
  public:
    static constexpr unsigned kMaxBlocks = 64;
    static constexpr unsigned kMaxRefs = 4096;
    static constexpr unsigned kOwnerLen = 16;

    // Room for min(capacity, kMaxRefs) references and kMaxBlocks blocks.
    Status init(Heap& heap, unsigned capacity);
    bool ready() const { return refs_ != nullptr; }

    // Ends every reference in refs. If all end, `block` (memory from `heap`;
    // nullptr: memory the caller does not own, nothing to free) goes back to
    // the heap and true is returned. Otherwise the references that did not end
    // are held with the block, which is not freed, and the first failure goes
    // to `first` (if it holds none yet). `owner` names the user in messages
    // ("vbd 51712"); held caller memory of one owner shares one block entry.
    bool end_or_hold(GrantTable& grants, std::span<const GrantRef> refs, void* block, Heap* heap, const char* owner,
                     Status& first);

    // Ends every held reference again; frees each block whose grants have all
    // ended. Returns how many references are still held.
    unsigned retry(GrantTable& grants);

    unsigned held() const { return count_; }
    // Grants that could not even be held (the quarantine was full): they stay
    // granted, their memory leaked.
    unsigned lost() const { return lost_; }
    // "vbd 51712: 3, vbd 51728: 1" (what is held, by owner); "" if nothing.
    void describe(char* out, std::size_t size) const;

  private:
    struct Block {
        void* mem = nullptr;
        Heap* heap = nullptr;
        unsigned refs = 0;  // held references into it; 0: slot unused
        char owner[kOwnerLen] = {};
    };
    static constexpr std::uint16_t kNoBlock = 0xffff;

    std::uint16_t block_for(void* mem, Heap* heap, const char* owner);
    void release_ref(unsigned i);

    std::uint32_t* refs_ = nullptr;
    std::uint16_t* ref_block_ = nullptr;  // index into blocks_, or kNoBlock
    Block* blocks_ = nullptr;
    unsigned capacity_ = 0;
    unsigned count_ = 0;
    unsigned lost_ = 0;
};

}  // namespace xb::xen
