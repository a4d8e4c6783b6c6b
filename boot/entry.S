/*
 * xenboot entry stub.
 *
 * Xen loads this file as an arm64 Linux Image (docs/arm64 booting protocol):
 * at RAM base + text_offset, entered at offset 0 in EL1h with the MMU and
 * D-cache off, DAIF masked, x0 = device tree, x1..x3 = 0.
 *
 * The stub is position independent. It
 *   1. discards stale cache lines over its own memory (writes with the MMU off
 *      go straight to RAM; a dirty line evicted later would undo them),
 *   2. applies its R_AARCH64_RELATIVE relocations for the address it runs at,
 *   3. clears BSS, builds an early identity map of 1-4 GiB (RAM bank 0) and
 *      turns the MMU and caches on,
 *   4. asks C++ where xenboot should live (boot/placement.cpp); if elsewhere,
 *      copies the image there, cleans it to the point of coherency, turns the
 *      MMU off and enters the copy at 1. again (x1 = MOVED_MAGIC, x2 = entry
 *      time, x3 = original load address),
 *   5. otherwise calls xenboot_main(dtb, entry_ticks, load_base).
 */

#define R_AARCH64_RELATIVE  1027

        .macro  adr_l, reg, sym
        adrp    \reg, \sym
        add     \reg, \reg, :lo12:\sym
        .endm

        .section .text.head, "ax"
        .globl  _start
_start:
        b       primary_entry                   /* code0 */
        .long   0                               /* code1 */
        .quad   0                               /* text_offset: load at the RAM base */
        .quad   0                               /* image_size: through the end of BSS, set by cmake/check-image.sh */
        .quad   0xa                             /* flags: LE, 4 KiB pages, anywhere in RAM */
        .quad   0, 0, 0                         /* res2-res4 */
        .byte   0x41, 0x52, 0x4d, 0x64          /* magic "ARM\x64" at 0x38 */
        .long   0                               /* res5 */

primary_entry:
        mov     x20, x0                         /* x20 = DTB */
        ldr     x9, =0x58424d4f564544           /* "XBMOVED": set by our own move, never by Xen */
        cmp     x1, x9
        b.ne    1f
        mov     x19, x2                         /* x19 = entry time from the first entry */
        mov     x22, x3                         /* x22 = where Xen loaded us */
        b       2f
1:      isb
        mrs     x19, cntvct_el0
        adr     x22, _start
2:      msr     daifset, #0xf
        mov     x9, #(3 << 20)                  /* CPACR_EL1.FPEN: no FP/SIMD traps */
        msr     cpacr_el1, x9
        isb
        adr     x21, _start                     /* x21 = where we run */

        /* 1. Drop stale cache lines over [image, end of BSS). Xen cleaned the
         *    image to PoC when it loaded it, so nothing of value is lost. */
        adr_l   x0, _start
        adr_l   x1, __bss_end
        bl      dcache_inval_poc

        /* 2. Relocate for the address we run at. The build rejects any other
         *    relocation type (cmake/check-image.sh). */
        adr_l   x0, __rela_start
        adr_l   x1, __rela_end
3:      cmp     x0, x1
        b.hs    4f
        ldp     x2, x3, [x0], #16               /* r_offset, r_info */
        ldr     x4, [x0], #8                    /* r_addend */
        cmp     w3, #R_AARCH64_RELATIVE
        b.ne    3b
        add     x4, x4, x21
        str     x4, [x21, x2]
        b       3b

        /* 3. Clear BSS (16-byte aligned by the linker script). */
4:      adr_l   x0, __bss_start
        adr_l   x1, __bss_end
5:      cmp     x0, x1
        b.hs    6f
        stp     xzr, xzr, [x0], #16
        b       5b

        /* Early identity map: level-1 blocks of 1 GiB for 1-4 GiB (where Xen
         * puts RAM bank 0), Normal WB Inner-Shareable. C++ replaces it with
         * exact tables (arch/page_table.cpp) before touching anything else. */
6:      adr_l   x0, early_l1
        mov     x1, #1
        mov     x2, #0x701                      /* AF | SH inner | AttrIndx 0 | block */
7:      lsl     x3, x1, #30
        orr     x3, x3, x2
        str     x3, [x0, x1, lsl #3]
        add     x1, x1, #1
        cmp     x1, #4
        b.lo    7b

        /* Everything we wrote went to RAM; make sure no line was allocated
         * for it meanwhile, so the cacheable view matches once the MMU is on. */
        adr_l   x0, _start
        adr_l   x1, __bss_end
        bl      dcache_inval_poc

        ldr     x0, =0xff                       /* MAIR: attr0 Normal WB, attr1 Device-nGnRnE */
        msr     mair_el1, x0
        mrs     x1, id_aa64mmfr0_el1
        and     x1, x1, #0xf                    /* PARange */
        cmp     x1, #5
        b.ls    8f
        mov     x1, #5                          /* at most 48-bit PA with 4 KiB pages */
        /* TCR: T0SZ=25 (39-bit VA), IRGN0/ORGN0 WB-WA, SH0 inner, TG0 4K, EPD1 */
8:      ldr     x0, =(25 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23))
        orr     x0, x0, x1, lsl #32             /* IPS = PARange */
        msr     tcr_el1, x0
        adr_l   x0, early_l1
        msr     ttbr0_el1, x0
        isb
        tlbi    vmalle1
        dsb     nsh
        isb
        mrs     x0, sctlr_el1
        orr     x0, x0, #(1 << 0)               /* M: MMU on */
        orr     x0, x0, #(1 << 2)               /* C: data cache on */
        orr     x0, x0, #(1 << 12)              /* I: instruction cache on */
        bic     x0, x0, #(1 << 1)               /* A: no alignment faults */
        bic     x0, x0, #(1 << 19)              /* WXN */
        bic     x0, x0, #(1 << 25)              /* EE: little-endian */
        msr     sctlr_el1, x0
        isb
        ic      iallu
        dsb     nsh
        isb

        adr_l   x0, exception_vectors
        msr     vbar_el1, x0
        msr     spsel, #1
        adr_l   x0, __stack_top
        mov     sp, x0
        isb

        /* 4. Where should xenboot live? */
        mov     x0, x20
        mov     x1, x21
        bl      xenboot_choose_home
        cmp     x0, x21
        b.eq    run_main

        mov     x23, x0                         /* x23 = new home */
        adr_l   x1, __data_end
        sub     x24, x1, x21                    /* x24 = bytes to copy (16-aligned) */
        mov     x1, x21
        mov     x3, x23
        add     x6, x21, x24
9:      cmp     x1, x6
        b.hs    10f
        ldp     x4, x5, [x1], #16
        stp     x4, x5, [x3], #16
        b       9b
10:     mov     x0, x23                         /* the copy must reach RAM: the */
        add     x1, x23, x24                    /* next entry runs with the MMU off */
        bl      dcache_clean_poc
        mov     x0, x21                         /* and nothing we dirtied here may */
        adr_l   x1, __bss_end                   /* be evicted later over free RAM */
        bl      dcache_clean_inval_poc
        mrs     x0, sctlr_el1
        bic     x0, x0, #(1 << 0)
        bic     x0, x0, #(1 << 2)
        msr     sctlr_el1, x0
        isb
        ic      iallu
        dsb     nsh
        isb
        mov     x0, x20
        ldr     x1, =0x58424d4f564544
        mov     x2, x19
        mov     x3, x22
        br      x23

        /* 5. */
run_main:
        mov     x0, x20
        mov     x1, x19
        mov     x2, x22
        bl      xenboot_main
11:     wfi                                     /* xenboot_main does not return */
        b       11b

/* Cache maintenance by VA to the point of coherency over [x0, x1).
 * Leaf routines: clobber x0, x2, x3 only; no stack (may run with MMU off). */
        .macro  dcache_line_size, reg, tmp
        mrs     \tmp, ctr_el0
        ubfx    \tmp, \tmp, #16, #4             /* DminLine: log2(words) */
        mov     \reg, #4
        lsl     \reg, \reg, \tmp
        .endm

        .macro  dcache_by_line, op
        dcache_line_size x2, x3
        sub     x3, x2, #1
        bic     x0, x0, x3
1:      dc      \op, x0
        add     x0, x0, x2
        cmp     x0, x1
        b.lo    1b
        dsb     sy
        ret
        .endm

dcache_inval_poc:
        dcache_by_line ivac
dcache_clean_poc:
        dcache_by_line cvac
dcache_clean_inval_poc:
        dcache_by_line civac

        .ltorg

        .section .bss.early_l1, "aw", %nobits
        .balign 4096
early_l1:
        .space  4096

        .section .bss.stack, "aw", %nobits
        .balign 16
        .space  XENBOOT_STACK_SIZE
        .globl  __stack_top
__stack_top:
