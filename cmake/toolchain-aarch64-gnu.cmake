# Cross toolchain for the firmware: Debian's GNU aarch64-linux-gnu toolchain
# (package g++-aarch64-linux-gnu), used freestanding.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_ASM_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_OBJCOPY aarch64-linux-gnu-objcopy CACHE FILEPATH "")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(XENBOOT_FIRMWARE ON CACHE BOOL "build the firmware image" FORCE)
# Debian's arm64 libfdt.a (from libfdt-dev:arm64, unpacked by scripts/install-deps.sh
# because the package cannot be co-installed with the host's libfdt-dev).
get_filename_component(_xb_repo "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(XENBOOT_LIBFDT_A "${_xb_repo}/build/deps/arm64/usr/lib/aarch64-linux-gnu/libfdt.a" CACHE FILEPATH "arm64 libfdt.a")
# Debian's arm64 liblzo2.a (unpacked next to libfdt.a by scripts/install-deps.sh): lzo
# btrfs extents (compress/; zlib, zstd, xz and lz4 are built from Debian's sources there);
# libmbedcrypto.a: SHA-256 (lib/sha256.h).
set(_xb_arm64_lib "${_xb_repo}/build/deps/arm64/usr/lib/aarch64-linux-gnu")
set(XENBOOT_LIBLZO2_A "${_xb_arm64_lib}/liblzo2.a" CACHE FILEPATH "arm64 liblzo2.a")
set(XENBOOT_LIBMBEDCRYPTO_A "${_xb_arm64_lib}/libmbedcrypto.a" CACHE FILEPATH "arm64 libmbedcrypto.a (SHA-256)")
