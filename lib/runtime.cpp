// What the compiler and Debian's libfdt.a, libz.a, libzstd.a, liblzma.a and
// liblz4.a expect from a C/C++ runtime, for the firmware build only:
// stack-protector symbols (libfdt and libz are built with
// -fstack-protector-strong), the pure-virtual trap, malloc/calloc/free and
// operator new/delete on the firmware heap. No global constructors exist (the
// linker script asserts .init_array is empty), so there is no constructor
// runner here.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

#include "lib/heap.h"
#include "lib/panic.h"
#include "lib/runtime.h"

namespace xb {
constinit Heap g_heap;
}

extern "C" {
// A fixed guard: xenboot has no entropy source this early. It still catches
// linear overruns of libfdt's stack buffers.
std::uintptr_t __stack_chk_guard = 0x595e9fbd94fda766ULL;

[[noreturn]] void __stack_chk_fail() { xb::panic("stack smashing detected"); }
[[noreturn]] void __cxa_pure_virtual() { xb::panic("pure virtual function called"); }

// zlib's default allocators (zcalloc/zcfree in Debian's libz.a) call these.
// xenboot always passes its own zalloc/zfree (compress/gunzip.cpp), but the
// symbols must resolve; they use the same heap, 16-byte aligned as malloc is.
void* malloc(std::size_t size) { return xb::g_heap.alloc(size); }
void free(void* p) { xb::g_heap.free(p); }
// libzstd's and liblz4's default allocators (ZSTD_customCalloc, the legacy
// v0.5/v0.6 decoders, LZ4's state helpers) call calloc; xenboot passes
// ZSTD_customMem and uses no allocating lz4 call, but the symbol must resolve.
void* calloc(std::size_t count, std::size_t size) {
    if (size != 0 && count > SIZE_MAX / size) return nullptr;
    void* p = xb::g_heap.alloc(count * size);
    if (p != nullptr) memset(p, 0, count * size);
    return p;
}

// Debian's libmbedcrypto.a is built without -ffunction-sections, so linking
// sha256.o (lib/sha256.cpp) also links mbedtls_sha256_self_test, which prints
// with puts/putchar/__printf_chk, and platform_util.o's gmtime_r wrapper.
// xenboot never calls either; the symbols must resolve, and a call is a bug.
int puts(const char*) { xb::panic("mbedtls: puts called (self-test code)"); }
int putchar(int) { xb::panic("mbedtls: putchar called (self-test code)"); }
int __printf_chk(int, const char*, ...) { xb::panic("mbedtls: printf called (self-test code)"); }
struct tm;
struct tm* gmtime_r(const void*, struct tm*) {
    xb::panic("mbedtls: gmtime_r called");
}
}

// libstdc++'s header-only parts (string_view::substr, array::at, ...) call these
// on misuse; with exceptions off they can only be fatal.
namespace std {
const nothrow_t nothrow{};  // the tag `new (std::nothrow)` refers to
[[noreturn]] void __throw_out_of_range_fmt(const char* fmt, ...) { xb::panic("libstdc++: %s", fmt); }
[[noreturn]] void __throw_out_of_range(const char* what) { xb::panic("libstdc++: %s", what); }
[[noreturn]] void __throw_length_error(const char* what) { xb::panic("libstdc++: %s", what); }
[[noreturn]] void __throw_bad_alloc() { xb::panic("libstdc++: bad_alloc"); }
[[noreturn]] void __throw_bad_array_new_length() { xb::panic("libstdc++: bad_array_new_length"); }
}  // namespace std

void* operator new(std::size_t size) {
    void* p = xb::g_heap.alloc(size);
    if (p == nullptr) xb::panic("out of heap memory (%zu bytes requested)", size);
    return p;
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return xb::g_heap.alloc(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return xb::g_heap.alloc(size); }
void operator delete(void* p) noexcept { xb::g_heap.free(p); }
void operator delete[](void* p) noexcept { xb::g_heap.free(p); }
void operator delete(void* p, std::size_t) noexcept { xb::g_heap.free(p); }
void operator delete[](void* p, std::size_t) noexcept { xb::g_heap.free(p); }
