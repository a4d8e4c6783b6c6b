/*
 * Exception vectors (VBAR_EL1). xenboot runs with every interrupt masked and
 * expects no exception; each vector saves the registers and hands them to
 * xenboot_exception() (exception_report.cpp), which prints them on the console
 * and powers the guest off, so a fault is never a silent hang.
 */
#define FRAME_SIZE (36 * 8)     /* x0-x30, sp, elr, spsr, esr, far */

        .macro  vector, kind
        .balign 128
        sub     sp, sp, #FRAME_SIZE
        stp     x0, x1, [sp, #0]
        mov     x0, #\kind
        b       exception_common
        .endm

        .section .text.vectors, "ax"
        .balign 2048
        .globl  exception_vectors
exception_vectors:
        vector  0
        vector  1
        vector  2
        vector  3
        vector  4
        vector  5
        vector  6
        vector  7
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
        add     x1, sp, #FRAME_SIZE             /* sp before the exception */
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
1:      wfi
        b       1b
