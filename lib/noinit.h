// Buffers the entry stub does not clear. boot/entry.S zeroes BSS page by page,
// and in the lab the first write to a guest page is slow (about 0.14 ms a page
// under QEMU TCG): a large buffer that no code reads before writing it is
// better left alone until its first use, which may come after the prompt or
// never. XB_NOINIT(name) puts a variable into .bss.noinit.<name> (boot/linker.ld
// places those apart from the BSS the stub clears), in the firmware build only;
// the host build keeps it in ordinary BSS, where the sanitizers watch it.
// Its contents are unspecified until written, unlike C++'s zero-initialised
// statics: only for buffers whose users initialise what they read.
#pragma once

#ifdef XENBOOT_NOINIT_SECTIONS
#define XB_NOINIT(name) [[gnu::section(".bss.noinit." #name)]]
#else
#define XB_NOINIT(name)
#endif
