# Third-party code that Debian ships as source only, or whose Debian archives are built
# without -ffunction-sections: scripts/install-deps.sh unpacks the source packages into
# build/deps/src/<name>-<version> (never committed) and the components build from there.
get_filename_component(_xb_repo "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(XENBOOT_DEBIAN_SOURCES_DIR "${_xb_repo}/build/deps/src" CACHE PATH
    "where scripts/install-deps.sh unpacks Debian source packages")

# xb_debian_source(VAR DIR CHECK): VAR (a cache path, so it can be overridden) is
# XENBOOT_DEBIAN_SOURCES_DIR/DIR; configuring fails with a clear message when CHECK is
# not in it.
function(xb_debian_source var dir check)
  set(${var} "${XENBOOT_DEBIAN_SOURCES_DIR}/${dir}" CACHE PATH "unpacked Debian sources of ${dir}")
  if(NOT EXISTS "${${var}}/${check}")
    message(FATAL_ERROR "${${var}}/${check} is missing: run scripts/install-deps.sh, which unpacks "
                        "Debian's source package into ${XENBOOT_DEBIAN_SOURCES_DIR}")
  endif()
endfunction()

# Flags for third-party C in the firmware: the ABI-relevant part of XB_CORE_FLAGS (same
# target, position independence, no unwind tables, one section per function so that
# --gc-sections keeps only what is called, link-time optimisation when it is on). Their
# own warnings are not ours to fix.
set(XB_THIRD_PARTY_C_FLAGS
    -march=armv8-a -mno-outline-atomics -ffreestanding -fPIE -fno-stack-protector -fomit-frame-pointer
    -fno-asynchronous-unwind-tables -fno-unwind-tables -ffunction-sections -fdata-sections
    -fstack-clash-protection --param=stack-clash-protection-guard-size=12 -g -w
    -include ${CMAKE_CURRENT_LIST_DIR}/visibility_hidden.h ${XB_LTO_FLAGS})
