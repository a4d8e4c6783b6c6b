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

/* lwIP's debug output is off: LWIP_DEBUG is never defined, so this is unused. */
#define LWIP_PLATFORM_DIAG(x) \
    do {                      \
    } while (0)

#endif /* XB_LWIP_ARCH_CC_H */
