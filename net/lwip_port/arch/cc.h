/* lwIP's compiler and platform glue for xenboot (lwIP's doc: "arch/cc.h").
 * Freestanding: the C library headers lwIP includes are only the ones the
 * toolchain has (stddef, stdint, inttypes, limits, unistd for ssize_t); no
 * stdio, no ctype, nothing that links against a C library. */
#ifndef XB_LWIP_ARCH_CC_H
#define XB_LWIP_ARCH_CC_H

#define LWIP_NO_CTYPE_H 1
#define LWIP_ERRNO_STDINCLUDE 0
#define LWIP_PROVIDE_ERRNO 0

#define BYTE_ORDER LITTLE_ENDIAN

#ifdef __cplusplus
extern "C" {
#endif
/* A broken lwIP invariant is a bug in xenboot (or lwIP): net/lwip_port/port.cpp
 * turns it into panic() with the file and line. */
__attribute__((noreturn)) void xb_lwip_assert(const char* message, const char* file, int line);
#ifdef __cplusplus
}
#endif

#define LWIP_PLATFORM_ASSERT(x) xb_lwip_assert((x), __FILE__, __LINE__)

/* lwIP's static memory (mem.c's heap and memp.c's pools, 0.9 MB with the
 * 512-buffer PBUF_POOL) goes where the entry stub does not clear it, in the
 * firmware (lib/noinit.h, boot/linker.ld): lwip_init runs on the first
 * network command, long after the prompt, and initialises it (mem_init, and
 * memp_init with MEMP_MEM_INIT, lwipopts.h), so before that its pages are
 * never written. lwIP's arch.h declares the same array otherwise. */
#ifdef XENBOOT_NOINIT_SECTIONS
#define LWIP_DECLARE_MEMORY_ALIGNED(variable_name, size) \
    u8_t variable_name[LWIP_MEM_ALIGN_BUFFER(size)] __attribute__((section(".bss.noinit." #variable_name)))
#endif

/* lwIP's debug output is off: LWIP_DEBUG is never defined, so this is unused. */
#define LWIP_PLATFORM_DIAG(x) \
    do {                      \
    } while (0)

#endif /* XB_LWIP_ARCH_CC_H */
