# Default configuration of the xenguest board. Values land in the generated
# header xenboot/config.h (see configs/config.h.in). Override any of them on the
# CMake command line, e.g. -DXENBOOT_HEAP_SIZE=16777216.
set(XENBOOT_VERSION "0.1.0" CACHE STRING "xenboot release version")
# Heap after BSS: holds the device-tree copy now, ring pages and buffers later.
set(XENBOOT_HEAP_SIZE 8388608 CACHE STRING "firmware heap size in bytes (8 MiB)")
set(XENBOOT_STACK_SIZE 65536 CACHE STRING "firmware stack size in bytes")
# Room given to xenboot's copy of the device tree for later fixups (bootargs, initrd).
set(XENBOOT_DTB_EXTRA_SPACE 65536 CACHE STRING "extra bytes for device-tree fixups")
