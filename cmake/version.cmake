# Version facts for `version` and the banner, from git when available. The
# date is the commit's, so rebuilding the same commit gives the same image.
execute_process(COMMAND git -C ${CMAKE_SOURCE_DIR} describe --always --dirty --abbrev=10
                OUTPUT_VARIABLE XENBOOT_GIT_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
execute_process(COMMAND git -C ${CMAKE_SOURCE_DIR} log -1 --format=%cd --date=short
                OUTPUT_VARIABLE XENBOOT_BUILD_DATE OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT XENBOOT_GIT_REVISION)
  set(XENBOOT_GIT_REVISION "unknown")
endif()
if(NOT XENBOOT_BUILD_DATE)
  string(TIMESTAMP XENBOOT_BUILD_DATE "%Y-%m-%d" UTC)
endif()
set(XENBOOT_GENERATED_DIR ${CMAKE_BINARY_DIR}/generated)
configure_file(${CMAKE_SOURCE_DIR}/configs/version.h.in ${XENBOOT_GENERATED_DIR}/xenboot/version.h @ONLY)
configure_file(${CMAKE_SOURCE_DIR}/configs/config.h.in ${XENBOOT_GENERATED_DIR}/xenboot/config.h @ONLY)
