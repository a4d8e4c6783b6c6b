/*
 * xenboot entry stub.
 *
 * Xen loads this file as an arm64 Linux Image (docs/arm64 booting protocol):
 * at the base of RAM bank 0 + text_offset (xen/arch/arm/kernel.c
 * kernel_zimage_place() and libxenguest both put a 64-bit Image there; for a
 * DomU that is GUEST_RAM0_BASE, 0x40000000, in public/arch-arm.h, for a
 * direct-mapped domain wherever the host's RAM is), entered at offset 0 in
 * EL1h with the MMU and D-cache off, DAIF masked, x0 = device tree, x1..x3 = 0.
 *
 * The stub is position independent. It
 *   0. installs the exception vectors (arch/arm64/exceptions.S) before
 *      anything else, with TPIDR_EL1 = 1 meaning "no C++ yet": an exception
 *      now ends the domain as crashed from the vector itself,
 *   1. discards stale cache lines over its own memory (writes with the MMU off
 *      go straight to RAM; a dirty line evicted later would undo them),
 *   2. applies its relative relocations (packed as RELR) for the address it
 *      runs at,
 *   3. clears BSS (on the first entry only the early BSS, what it uses
 *      before the move), builds an early identity map with 1 GiB blocks over the
 *      image and the device tree, wherever they are below 512 GiB (the 39-bit
 *      VA), and turns the MMU and caches on; an image or DTB above that is
 *      refused: the domain is crashed (SCHEDOP_shutdown), see boot/README.md,
 *   4. moves onto its stacks: C++ runs on SP_EL0 (64 KiB, guard page below),
 *      exceptions are taken on SP_EL1 (a separate stack), so a stack overflow
 *      can still be reported,
 *   5. asks C++ where xenboot should live (boot/placement.cpp); if here,
 *      clears the rest of BSS; if elsewhere, copies the image file's bytes
 *      there, cleans them to the point of coherency, turns the
 *      MMU off and enters the copy at 0. again (x1 = MOVED_MAGIC, x2 = entry
 *      time, x3 = original load address), which skips this step,
 *   6. otherwise calls xenboot_main(dtb, entry_ticks, load_base).
 */

        .macro  adr_l, reg, sym
        adrp    \reg, \sym
        add     \reg, \reg, :lo12:\sym
        .endm

/* Stub milestones (xenboot_stub_ticks slots; board/xenguest/stub_ticks.h
 * names them for C++): the first entry uses slots 0-7, the entry after the
 * move slots 8-15. */
#define STUB_ENTRY   0
#define STUB_INVAL   1
#define STUB_RELOC   2
#define STUB_BSS     3
#define STUB_MAP     4
#define STUB_MMU_ON  5
#define STUB_HOME    6
#define STUB_COPY    7
#define STUB_MOVED   8

/* Records the generic-timer count at stub milestone N (STUB_* above) in
 * xenboot_stub_ticks, for bdinfo's init profile (board.cpp). x25 is the
 * entry's first slot (0 on the first entry, STUB_MOVED after the move).
 * With the MMU off the store goes straight to RAM (step 1 dropped any line
 * over it); the array is in .data, so the move copies the first entry's
 * counts and BSS clearing leaves them. Clobbers x9, x10. */
        .macro  stamp, n
        mrs     x9, cntvct_el0
        adr_l   x10, xenboot_stub_ticks
        add     x10, x10, x25, lsl #3
        str     x9, [x10, #(\n * 8)]
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
        msr     daifset, #0xf
        mov     x9, #1                          /* TPIDR_EL1 != 0: not ready for C++ (exceptions.S) */
        msr     tpidr_el1, x9
        adr_l   x9, exception_vectors
        msr     vbar_el1, x9
        isb
        mov     x20, x0                         /* x20 = DTB */
        ldr     x9, =0x58424d4f564544           /* "XBMOVED": set by our own move, never by Xen */
        cmp     x1, x9
        b.ne    1f
        mov     x19, x2                         /* x19 = entry time from the first entry */
        mov     x22, x3                         /* x22 = where Xen loaded us */
        mov     x25, #STUB_MOVED                /* x25 = this entry's first stamp slot */
        mrs     x26, cntvct_el0                 /* x26 = this entry's time */
        b       2f
1:      isb
        mrs     x19, cntvct_el0
        mov     x26, x19
        mov     x25, #0
        adr     x22, _start
2:      mov     x9, #(3 << 20)                  /* CPACR_EL1.FPEN: no FP/SIMD traps */
        msr     cpacr_el1, x9
        isb
        adr     x21, _start                     /* x21 = where we run */

        /* 1. Drop stale cache lines over [image, end of BSS). Xen cleaned the
         *    image to PoC when it loaded it, so nothing of value is lost. */
        adr_l   x0, _start
        adr_l   x1, __bss_end
        bl      dcache_inval_poc
        adr_l   x10, xenboot_stub_ticks         /* stamp 0: the entry itself */
        add     x10, x10, x25, lsl #3
        str     x26, [x10]
        stamp   STUB_INVAL

        /* 2. Relocate for the address we run at. The image is linked at 0;
         *    every word that holds an address is listed in the RELR table at
         *    __reloc_table (a count, then the entries; cmake/relr-pack.py packs
         *    ld's R_AARCH64_RELATIVE relocations so, and the build rejects any
         *    other kind). The format is the ELF gABI's SHT_RELR (Cary Coutant's
         *    2017 generic-abi proposal "Relative relocations"): an even entry
         *    is the offset of a word to relocate, and "where" becomes the word
         *    after it; an odd entry is a bitmap whose bits 1..63 stand for the
         *    63 words from "where" on, after which "where" moves on 63 words.
         *    A word holds its own addend (the address as linked), so
         *    relocating adds the base to it, and doing it twice would add
         *    twice: the copy entered after the move (step 5) holds words
         *    relocated for the first home, so relocated_base records the base
         *    the words hold (0 in the file) and only the difference is added. */
        adr_l   x9, relocated_base
        ldr     x10, [x9]
        sub     x10, x21, x10                   /* x10 = what to add to each word */
        str     x21, [x9]
        adr_l   x0, __reloc_table
        ldr     x1, [x0], #8                    /* x1 = number of entries */
        add     x1, x0, x1, lsl #3              /* x1 = end of the entries */
        mov     x2, x21                         /* x2 = where (set by the first entry) */
3:      cmp     x0, x1
        b.hs    4f
        ldr     x3, [x0], #8
        tbnz    x3, #0, 31f
        add     x2, x21, x3                     /* an offset: relocate that word */
        ldr     x4, [x2]
        add     x4, x4, x10
        str     x4, [x2], #8                    /* where = the next word */
        b       3b
31:     mov     x5, x2                          /* a bitmap over the 63 words from where */
32:     lsr     x3, x3, #1
        cbz     x3, 34f
        tbz     x3, #0, 33f
        ldr     x4, [x5]
        add     x4, x4, x10
        str     x4, [x5]
33:     add     x5, x5, #8
        b       32b
34:     add     x2, x2, #(63 * 8)
        b       3b

        /* 3. Clear BSS. The first entry clears only the early BSS (the
         *    early L1 table): it runs nothing else before the move, and the
         *    lab's first write to a guest page is slow (~0.14 ms a page under
         *    QEMU TCG), so the rest, at an address xenboot is about to leave,
         *    would cost up to 80 ms for nothing (cmake/check-early-bss.py
         *    checks at link time that choose-home touches no other BSS; if
         *    xenboot stays, step 5 clears the rest). The entry after the move
         *    clears it all. Neither clears the stacks nor the .bss.noinit
         *    buffers before __bss_start (linker.ld, lib/noinit.h): no code
         *    reads them before writing them. */
4:      stamp   STUB_RELOC
        adr_l   x0, __bss_start
        adr_l   x1, __bss_early_end
        cbz     x25, 5f
        adr_l   x1, __bss_zero_end
5:      bl      zero_range
        stamp   STUB_BSS

        /* Early identity map: level-1 blocks of 1 GiB, Normal WB
         * Inner-Shareable, RWX, over the image with its BSS and stacks and
         * over the device tree (Xen refuses blobs over 2 MiB). C++ adds the
         * blocks of the heap and of the move's destination
         * (firmware_main.cpp), then replaces the whole map with exact tables
         * (arch/page_table.cpp, arch/arm64/mmu.S). */
        adr_l   x0, early_l1
        mov     x1, x21
        adr_l   x2, __bss_end
        bl      early_map_range
        mov     x1, x20
        add     x2, x20, #0x200, lsl #12        /* + 2 MiB */
        bl      early_map_range

        /* Everything we wrote went to RAM; make sure no line was allocated
         * for it meanwhile, so the cacheable view matches once the MMU is on. */
        adr_l   x0, _start
        adr_l   x1, __bss_end
        bl      dcache_inval_poc
        stamp   STUB_MAP

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
        stamp   STUB_MMU_ON

        /* 4. Stacks: exceptions on SP_EL1, everything else on SP_EL0. */
        msr     spsel, #1
        adr_l   x0, __exc_stack_top
        mov     sp, x0
        msr     spsel, #0
        adr_l   x0, __stack_top
        mov     sp, x0
        msr     tpidr_el1, xzr                  /* the vectors may call C++ now */
        isb

        /* 5. Where should xenboot live? Asked once: the entry after the move
         *    is home, and C++ kept the heap size it worked out (in .data,
         *    firmware_main.cpp); asking again would check the device tree
         *    once more for the same answer. */
        cbnz    x25, run_main
        mov     x0, x20
        mov     x1, x21
        bl      xenboot_choose_home
        stamp   STUB_HOME
        cmp     x0, x21
        b.ne    7f
        adr_l   x0, __bss_early_end             /* staying: the BSS step 3 left */
        adr_l   x1, __bss_zero_end
        bl      zero_range
        b       run_main

7:      mov     x23, x0                         /* x23 = new home */
        /* The file's bytes only: the RELR table (a count, then the entries)
         * ends it, and the rest of the room ld reserved for RELA entries up
         * to __data_end is never read (linker.ld), so copying it would only
         * write more pages at the home. */
        adr_l   x1, __reloc_table
        ldr     x2, [x1], #8
        add     x1, x1, x2, lsl #3
        add     x1, x1, #15
        and     x1, x1, #~15
        sub     x24, x1, x21                    /* x24 = bytes to copy (16-aligned) */
        mov     x1, x21
        mov     x3, x23
        add     x6, x21, x24
9:      cmp     x1, x6
        b.hs    10f
        ldp     x4, x5, [x1], #16
        stp     x4, x5, [x3], #16
        b       9b
10:     mrs     x9, cntvct_el0                  /* stamp STUB_COPY, in the copy */
        adr_l   x10, xenboot_stub_ticks
        sub     x10, x10, x21
        add     x10, x10, x23
        str     x9, [x10, #(STUB_COPY * 8)]
        mov     x0, x23                         /* the copy must reach RAM: the */
        add     x1, x23, x24                    /* next entry runs with the MMU off */
        bl      dcache_clean_poc
        mov     x0, x21                         /* and nothing we dirtied here may */
        adr_l   x1, __bss_end                   /* be evicted later over free RAM */
        bl      dcache_clean_inval_poc
        mov     x0, #1                          /* back to "no C++" until the copy is ready */
        msr     tpidr_el1, x0
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

        /* 6. */
run_main:
        mov     x0, x20
        mov     x1, x19
        mov     x2, x22
        bl      xenboot_main
11:     wfi                                     /* xenboot_main does not return */
        b       11b

/* Zeroes [x0, x1); both 16-byte aligned (linker.ld). Leaf routine: clobbers
 * x0 only; no stack (runs with the MMU off). */
zero_range:
1:      cmp     x0, x1
        b.hs    2f
        stp     xzr, xzr, [x0], #16
        b       1b
2:      ret

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

/* Identity-maps the 1 GiB blocks over [x1, x2) in the level-1 table at x0.
 * Leaf routine: clobbers x1-x4; no stack (runs with the MMU off). A block
 * beyond the 39-bit VA cannot be mapped: the image is refused. */
early_map_range:
        lsr     x1, x1, #30
        sub     x2, x2, #1
        lsr     x2, x2, #30
        cmp     x2, #512
        b.hs    early_refuse
        mov     x4, #0x701                      /* AF | SH inner | AttrIndx 0 | block */
1:      lsl     x3, x1, #30
        orr     x3, x3, x4
        str     x3, [x0, x1, lsl #3]
        add     x1, x1, #1
        cmp     x1, x2
        b.ls    1b
        ret

/* Loaded (or handed a device tree) above 512 GiB: nothing can be printed
 * without memory xenboot can map, so end the domain as crashed. */
early_refuse:
        b       xenboot_last_resort

        .ltorg

/* The base the image's relocated words hold (step 2): 0 in the file Xen
 * loads, then where the stub ran; the move copies it with the image. */
        .section .data.relocated_base, "aw"
        .balign 8
relocated_base:
        .quad   0

        .section .data.xenboot_stub_ticks, "aw"
        .balign 8
        .globl  xenboot_stub_ticks
xenboot_stub_ticks:
        .space  16 * 8

/* Early BSS (linker.ld): the one part the first entry clears and uses. */
        .section .bss.early.l1, "aw", %nobits
        .balign 4096
        .globl  early_l1
early_l1:
        .space  4096

/* The stacks, after BSS (linker.ld), each above a guard page that the final
 * page tables leave unmapped (arch/image_map.cpp):
 *   guard | main stack (SP_EL0) | guard | exception stack (SP_EL1) | guard | nested-fault stack
 * A push into a guard page is a data abort with FAR in it, reported as a
 * stack overflow from the next stack up. */
#define EXC_STACK_SIZE    16384
#define NESTED_STACK_SIZE 8192
#if (XENBOOT_STACK_SIZE % 4096) != 0
#error "XENBOOT_STACK_SIZE must be a multiple of the 4 KiB page"
#endif
        .section .stacks, "aw", %nobits
        .balign 4096
        .globl  __stack_guard, __stack_top, __exc_stack_guard, __exc_stack_top
        .globl  __nested_stack_guard, __nested_stack_top
__stack_guard:
        .space  4096
        .space  XENBOOT_STACK_SIZE
__stack_top:
__exc_stack_guard:
        .space  4096
        .space  EXC_STACK_SIZE
__exc_stack_top:
__nested_stack_guard:
        .space  4096
        .space  NESTED_STACK_SIZE
__nested_stack_top:
