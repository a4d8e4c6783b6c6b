// xenboot_switch_tables(root): from the early identity map (boot/entry.S,
// 1 GiB blocks, RWX) to the final tables (arch/page_table.cpp: exact
// ranges, 2 MiB blocks and 4 KiB pages, W^X), break-before-make.
//
// The two maps translate the same addresses with different block sizes and
// permissions. Arm ARM D8.16 ("TLB maintenance", break-before-make and "TLB
// conflict aborts"): changing the size of a live translation without first
// making it invalid and invalidating the TLB may leave two TLB entries for
// one address, which is a TLB conflict abort on some cores or an unpredictable
// mix. Here the whole map is "broken" at once by turning stage 1 off: with
// SCTLR_EL1.M = 0 nothing is translated, so the TLB can be flushed and TTBR0
// replaced while no old entry can be used or refetched; then the MMU comes
// back on the new tables only.
//
// Requirements met by the caller and this code: RAM is identity-mapped in
// both maps (VA == PA), so instruction fetch continues at the same address
// with the MMU off; the code between MMU off and on makes no data access
// (none would be cacheable, and the stack is not touched); DAIF is masked.
// The tables were written through the cache; the walker reads them through
// it too (TCR_EL1.IRGN0/ORGN0 = write-back), so a DSB makes them visible.
// SCTLR_EL1.WXN (writable implies never-executable) is turned on in the same
// step: it may be cached in TLB entries, which are all gone here.
        .text
        .global xenboot_switch_tables
        .type   xenboot_switch_tables, %function
        .balign 64
xenboot_switch_tables:
        dsb     ish                     // table writes reach the walker
        mrs     x1, sctlr_el1
        bic     x2, x1, #(1 << 0)       // M: stage 1 off
        msr     sctlr_el1, x2
        isb
        tlbi    vmalle1                 // drop every early-map entry
        dsb     nsh
        msr     ttbr0_el1, x0
        orr     x1, x1, #(1 << 19)      // WXN
        msr     sctlr_el1, x1           // M back on, on the new tables
        isb
        ic      iallu                   // nothing fetched under the old map survives
        dsb     nsh
        isb
        ret
        .size   xenboot_switch_tables, . - xenboot_switch_tables
