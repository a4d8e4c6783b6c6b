# Compiler flags for the two kinds of build.
#   firmware: freestanding C++20 for aarch64, static PIE, no exceptions/RTTI,
#             no global constructors, warnings are errors.
#   host:     the same core code for unit tests, with ASan and UBSan.
# Implicit narrowing and sign changes are where untrusted sizes and offsets go
# wrong; every conversion in the core is spelled out (static_cast).
set(XB_WARNINGS -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers
    -Wconversion -Wsign-conversion -Wold-style-cast)

if(XENBOOT_FIRMWARE)
  set(XB_CORE_FLAGS
      -march=armv8-a -mno-outline-atomics -ffreestanding -fno-exceptions -fno-rtti
      -fno-threadsafe-statics -fno-use-cxa-atexit -fPIE -fno-stack-protector
      -fno-asynchronous-unwind-tables -fno-unwind-tables -ffunction-sections -fdata-sections
      -Os -fomit-frame-pointer -g ${XB_WARNINGS} -include ${CMAKE_CURRENT_LIST_DIR}/visibility_hidden.h
      # GCC 12 at -Os warns that an engaged std::optional<std::string_view> "may be used
      # uninitialized" (GCC bug 80635, a false positive); the host build keeps the warning.
      -Wno-maybe-uninitialized)
  # No frame records (x29 chains): nothing in the firmware walks them (the exception
  # report prints ELR for addr2line), .debug_frame still lets a debugger unwind, and
  # setting x29 in every non-leaf function cost about 1,300 instructions.
  # Size first: every file is built -Os, except the few whose loops touch every byte a
  # boot reads or that run per I/O request, where -O2's unrolling pays for itself
  # (see scripts/size-report.py for what each component costs).
  set(XB_HOT_SOURCES lib/string.cpp lib/crc32.cpp lib/crc32c.cpp drivers/pvblock/blk_queue.cpp)
  # The stacks have a 4 KiB unmapped guard page below them (boot/README.md),
  # and some frames are larger than that (filesystem parsers, up to 16 KiB):
  # probe every 4 KiB of a big frame so an overflow faults in the guard page
  # instead of jumping over it into BSS.
  list(APPEND XB_CORE_FLAGS -fstack-clash-protection --param=stack-clash-protection-guard-size=12)
  # Each function's frame (.su) and direct calls (.ci), for scripts/check-stack.py, which
  # bounds every recursion after the link. Under LTO GCC writes them for the ltrans units
  # at the link (xenboot.elf.ltransN.ltrans.su/.ci), so they are also link flags.
  set(XB_STACK_INFO_FLAGS -fstack-usage -fcallgraph-info=su)
  list(APPEND XB_CORE_FLAGS ${XB_STACK_INFO_FLAGS})
  set(XB_FIRMWARE_LINK_FLAGS
      -nostdlib -static-pie -Wl,--no-dynamic-linker -Wl,-z,norelro -Wl,-z,noexecstack
      -Wl,--gc-sections -Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,--no-warn-rwx-segments)
  # Link-time optimisation: GCC sees the whole firmware at the link, inlines and drops
  # across files (image -24 KB, scripts/size-report.py). Each function keeps the -O level
  # its file was built with (the hot -O2 files below stay -O2). The map then names LTO's
  # partitions instead of the source files: scripts/size-report.py charges their bytes by
  # symbol and debug information.
  # Inlining across files once put the GRUB interpreter's commands into its recursive
  # parse_list (368 bytes a level became 2,672) and a grub.cfg whose `search` read a GPT
  # ran the 64 KiB stack into its guard page. The functions on every recursion that
  # input drives are now kept out of line where it matters ([[gnu::noinline]], with the
  # reason at each), and scripts/check-stack.py, run after every link, fails the build
  # when a recursion has no bound, a level outgrows its budget or a bound does not fit
  # (it needs the LTO link's own call graph: ccache keeps no per-object one).
  # ON by default since every system suite passed on the LTO firmware (2026-12-06;
  # README "Size"); -DXENBOOT_LTO=OFF builds without it (the map then names source files).
  option(XENBOOT_LTO "link-time optimisation of the firmware" ON)
  if(XENBOOT_LTO)
    set(XB_LTO_FLAGS -flto=2 -fno-fat-lto-objects)
    list(APPEND XB_CORE_FLAGS ${XB_LTO_FLAGS})
    list(APPEND XB_FIRMWARE_LINK_FLAGS ${XB_LTO_FLAGS} -Os ${XB_STACK_INFO_FLAGS})
    # Archives of LTO objects need the plugin's symbol index (compress/, net/ lwIP).
    set(CMAKE_AR aarch64-linux-gnu-gcc-ar CACHE FILEPATH "" FORCE)
    set(CMAKE_RANLIB aarch64-linux-gnu-gcc-ranlib CACHE FILEPATH "" FORCE)
  endif()
else()
  # vptr checks need RTTI, which the core is built without.
  set(XB_SANITIZERS -fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=all -fno-omit-frame-pointer)
  if(XENBOOT_FUZZ)
    list(APPEND XB_SANITIZERS -fsanitize=fuzzer-no-link)
  endif()
  set(XB_CORE_FLAGS -fno-exceptions -fno-rtti -g -O1 ${XB_SANITIZERS} ${XB_WARNINGS})
  add_link_options(${XB_SANITIZERS})
endif()

# xb_component(NAME SOURCES...): one folder's code as an object library with
# the core flags. Firmware-only or host-only sources are chosen by the caller.
function(xb_component name)
  add_library(${name} OBJECT ${ARGN})
  target_compile_options(${name} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${XB_CORE_FLAGS}>)
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR} ${XENBOOT_GENERATED_DIR})
  target_compile_definitions(${name} PUBLIC XENBOOT_STACK_SIZE=${XENBOOT_STACK_SIZE})
  foreach(src IN LISTS ARGN)
    get_filename_component(abs ${src} ABSOLUTE)
    file(RELATIVE_PATH rel ${CMAKE_SOURCE_DIR} ${abs})
    if(rel IN_LIST XB_HOT_SOURCES)
      # Source options follow the target's on the command line: the later -O2 wins.
      set_property(SOURCE ${src} APPEND PROPERTY COMPILE_OPTIONS -O2)
    endif()
  endforeach()
endfunction()
