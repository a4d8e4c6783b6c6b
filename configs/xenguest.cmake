# Default configuration of the xenguest board. Values land in the generated
# header xenboot/config.h (see configs/config.h.in). Override any of them on the
# CMake command line, e.g. -DXENBOOT_HEAP_SIZE=16777216.
set(XENBOOT_VERSION "0.1.0" CACHE STRING "xenboot release version")
# Heap after BSS: holds the device-tree copy now, ring pages and buffers later.
set(XENBOOT_HEAP_SIZE 8388608 CACHE STRING "firmware heap size in bytes (8 MiB), guests under 256 MiB")
set(XENBOOT_HEAP_SIZE_LARGE 33554432 CACHE STRING "firmware heap size in bytes (32 MiB), guests from 256 MiB")
set(XENBOOT_STACK_SIZE 65536 CACHE STRING "firmware stack size in bytes")
# Room given to xenboot's copy of the device tree for later fixups (bootargs, initrd).
set(XENBOOT_DTB_EXTRA_SPACE 65536 CACHE STRING "extra bytes for device-tree fixups")
# Grant frames to map (512 references each; capped by Xen's max_grant_frames). 32 frames
# let a disk keep its whole ring of 1 MiB requests in flight.
set(XENBOOT_GRANT_FRAMES 32 CACHE STRING "grant-table frames to map")
