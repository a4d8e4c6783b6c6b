// xenboot_enter_kernel(entry, dtb, ram0_base, ram0_size, ram1_base, ram1_size)
//
// The last instructions xenboot runs. Linux's arm64 boot protocol
// (Documentation/arch/arm64/booting.rst, "Call the kernel image") wants:
// MMU off, D-cache off (I-cache may be on), every byte the kernel will read
// cleaned to the point of coherency, interrupts masked, EL1, x0 = the device
// tree's physical address and x1-x3 = 0.
//
// Order matters:
//  1. Mask DAIF: nothing may interrupt the hand-off.
//  2. MMU and D-cache off together (SCTLR_EL1.M = C = 0). From here on every
//     data access is Device (no line is allocated, nothing new gets dirty),
//     and, with no translation, the kernel's RAM is executable although
//     xenboot's own tables map all RAM outside its code non-executable (W^X,
//     arch/image_map.cpp). RAM is identity-mapped (VA == PA), so the next
//     instruction fetch continues at the same address.
//  3. Clean and invalidate every line of guest RAM by VA (== PA now) to the
//     PoC. The RAM banks come in registers because memory written with the
//     cache on may not be in RAM yet. Cleaning all of RAM (not just the
//     kernel, initrd and DTB) is what makes it safe: a dirty line of
//     xenboot's heap, stack or of a user's `mw` could otherwise be evicted
//     later over memory the kernel has written with its caches off. Doing it
//     with the MMU off also reaches the guard pages that xenboot's tables
//     leave unmapped (by VA with the MMU on, those would fault).
//  4. Invalidate the I-cache and the TLBs (the kernel's code was written as
//     data; stale translations must not outlive xenboot's tables).
//  5. Back to SP_EL1 (Xen enters a kernel in EL1h; xenboot ran on SP_EL0).
//  6. x0 = dtb, x1-x3 = 0, branch.
        .text
        .global xenboot_enter_kernel
        .type   xenboot_enter_kernel, %function
        .balign 64
xenboot_enter_kernel:
        msr     daifset, #0xf
        mov     x19, x0                 // entry
        mov     x20, x1                 // dtb

        mrs     x8, sctlr_el1
        bic     x8, x8, #(1 << 2)       // C: data caching off
        bic     x8, x8, #(1 << 0)       // M: MMU off
        msr     sctlr_el1, x8
        isb

        // Smallest D-cache line: CTR_EL0.DminLine (log2 words) -> bytes in x9.
        mrs     x9, ctr_el0
        ubfx    x9, x9, #16, #4
        mov     x10, #4
        lsl     x9, x10, x9
        sub     x10, x9, #1             // line mask

        mov     x0, x2
        mov     x1, x3
        bl      1f                      // bank 0
        mov     x0, x4
        mov     x1, x5
        bl      1f                      // bank 1 (size 0: nothing)
        dsb     sy

        ic      iallu
        tlbi    vmalle1
        dsb     nsh
        isb
        msr     spsel, #1

        mov     x0, x20
        mov     x1, xzr
        mov     x2, xzr
        mov     x3, xzr
        br      x19

// Clean+invalidate [x0, x0 + x1) by VA; x9 = line size, x10 = line mask.
// Uses only registers (x0, x1, x11); returns through x30.
1:      cbz     x1, 3f
        add     x11, x0, x1             // end
        bic     x0, x0, x10
2:      dc      civac, x0
        add     x0, x0, x9
        cmp     x0, x11
        b.lo    2b
3:      ret
        .size   xenboot_enter_kernel, . - xenboot_enter_kernel
