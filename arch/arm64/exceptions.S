/*
 * Exception vectors (VBAR_EL1, installed by boot/entry.S before anything
 * else). xenboot runs with every interrupt masked and expects no exception;
 * every one ends the guest, and none may hang or recurse.
 *
 * Stacks (boot/entry.S): xenboot's code runs on SP_EL0; taking an exception
 * to EL1 sets PSTATE.SP to 1 (Arm ARM, "Stack pointer register selection"),
 * so the handler runs on SP_EL1, a separate stack:
 *  - "current EL with SP_EL0" (0-3) is the normal case, even when SP_EL0 ran
 *    into its guard page: save the registers on the exception stack and call
 *    xenboot_exception() (exception_report.cpp), which prints them and powers
 *    off;
 *  - "current EL with SP_ELx" (4-7) is a fault while already on SP_EL1: in
 *    the report itself or in the entry stub before C++ can run. TPIDR_EL1
 *    says which (0: C++ ready). The first such fault switches to a third
 *    stack and calls xenboot_nested_exception() (short message, power-off);
 *    any later one, or one before C++, goes to xenboot_last_resort, which
 *    needs no stack and ends the domain. So a fault in the fault path costs
 *    at most two more entries here, never a recursion.
 *  - lower EL (8-15) cannot happen (xenboot never drops to EL0); handled as 0-3.
 */
#define FRAME_SIZE (36 * 8)     /* x0-x30, sp, elr, spsr, esr, far */

#define HYPERVISOR_sched_op     29      /* public/xen.h */
#define SCHEDOP_shutdown        2       /* public/sched.h */
#define SHUTDOWN_crash          3
#define PSCI_SYSTEM_OFF         0x84000008

        .macro  adr_l, reg, sym
        adrp    \reg, \sym
        add     \reg, \reg, :lo12:\sym
        .endm

        .macro  vector, kind
        .balign 128
        sub     sp, sp, #FRAME_SIZE
        stp     x0, x1, [sp, #0]
        mov     x0, #\kind
        b       exception_common
        .endm

        .macro  vector_nested, kind
        .balign 128
        mrs     x0, tpidr_el1
        cbnz    x0, xenboot_last_resort
        mov     x0, #1                          /* any further fault: last resort */
        msr     tpidr_el1, x0
        adr_l   x0, __nested_stack_top
        mov     sp, x0
        mov     x0, #\kind
        b       xenboot_nested_exception
        .endm

        .section .text.vectors, "ax"
        .balign 2048
        .globl  exception_vectors
exception_vectors:
        vector  0
        vector  1
        vector  2
        vector  3
        vector_nested 4
        vector_nested 5
        vector_nested 6
        vector_nested 7
        vector  8
        vector  9
        vector  10
        vector  11
        vector  12
        vector  13
        vector  14
        vector  15

exception_common:
        stp     x2, x3, [sp, #16]
        stp     x4, x5, [sp, #32]
        stp     x6, x7, [sp, #48]
        stp     x8, x9, [sp, #64]
        stp     x10, x11, [sp, #80]
        stp     x12, x13, [sp, #96]
        stp     x14, x15, [sp, #112]
        stp     x16, x17, [sp, #128]
        stp     x18, x19, [sp, #144]
        stp     x20, x21, [sp, #160]
        stp     x22, x23, [sp, #176]
        stp     x24, x25, [sp, #192]
        stp     x26, x27, [sp, #208]
        stp     x28, x29, [sp, #224]
        mrs     x1, sp_el0                      /* the interrupted code's stack */
        stp     x30, x1, [sp, #240]
        mrs     x1, elr_el1
        mrs     x2, spsr_el1
        stp     x1, x2, [sp, #256]
        mrs     x1, esr_el1
        mrs     x2, far_el1
        stp     x1, x2, [sp, #272]
        mov     x1, x0                          /* kind */
        mov     x0, sp                          /* frame */
        bl      xenboot_exception
        b       xenboot_last_resort             /* not reached: it does not return */

/*
 * The end when nothing else can be trusted: no stack, no C++. The first time
 * (TPIDR_EL1 < 2) it asks Xen for SCHEDOP_shutdown(crash), whose argument
 * must be in memory: stored, then cleaned to the point of coherency, since
 * with the MMU off the store went to RAM but a line of it may be cached, and
 * Xen reads guest memory through its own cacheable mapping. If that store
 * faults, or Xen refuses, PSCI SYSTEM_OFF needs registers only. Then wait.
 */
        .text
        .globl  xenboot_last_resort
        .type   xenboot_last_resort, %function
xenboot_last_resort:
        msr     daifset, #0xf
        mrs     x0, tpidr_el1
        cmp     x0, #2
        b.hs    1f
        mov     x0, #2
        msr     tpidr_el1, x0
        adr_l   x1, last_resort_arg
        mov     w2, #SHUTDOWN_crash
        str     w2, [x1]
        dc      civac, x1
        dsb     sy
        mov     x0, #SCHEDOP_shutdown
        mov     x16, #HYPERVISOR_sched_op
        hvc     #0xea1
1:      ldr     x0, =PSCI_SYSTEM_OFF
        mov     x1, xzr
        mov     x2, xzr
        mov     x3, xzr
        hvc     #0
2:      wfi
        b       2b
        .ltorg
        .size   xenboot_last_resort, . - xenboot_last_resort

        .section .bss.last_resort, "aw", %nobits
        .balign 64                              /* a cache line of its own */
last_resort_arg:
        .space  64
