# The board's default environment (configs/xenguest.env, or the file given in
# XENBOOT_DEFAULT_ENV_FILE) embedded as a C string in xenboot/default_env.h.
# The text is parsed at start-up by shell/default_env.cpp (and checked by a unit test).
set(XENBOOT_DEFAULT_ENV_FILE ${CMAKE_SOURCE_DIR}/configs/xenguest.env CACHE FILEPATH "default environment (name=value lines)")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${XENBOOT_DEFAULT_ENV_FILE})
file(READ ${XENBOOT_DEFAULT_ENV_FILE} xb_env_text)
string(REPLACE "\\" "\\\\" xb_env_text "${xb_env_text}")
string(REPLACE "\"" "\\\"" xb_env_text "${xb_env_text}")
string(REPLACE "\n" "\\n\"\n    \"" xb_env_text "${xb_env_text}")
set(XENBOOT_DEFAULT_ENV_TEXT "\"${xb_env_text}\"")
configure_file(${CMAKE_SOURCE_DIR}/configs/default_env.h.in ${XENBOOT_GENERATED_DIR}/xenboot/default_env.h @ONLY)
