// The environment as bytes, in U-Boot's formats (`env import` / `env export`,
// doc/usage/cmd/env.rst and lib/hashtable.c's himport_r/hexport_r):
//   text (-t)      "name=value" entries separated by '\n' (a uEnv.txt)
//   binary (-b)    entries separated by '\0', the list ends with "\0\0"
//   checksum (-c)  a 4-byte little-endian CRC-32 of the rest, then binary
// Import rules, per entry: leading blanks are skipped; '#' starts a comment
// entry; in a value a backslash takes the next byte literally (so "\" at the
// end of a line continues the value on the next line, the newline kept);
// "name" or "name=" alone deletes the variable; a NUL byte where an entry
// would start ends the data. Pure functions over bytes: the input is
// untrusted (a file from a guest's disk) and fuzzed (fuzz_env_import).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "lib/result.h"

namespace xb::cmd {

class Environment;

// What an import does with each entry. value is empty for a deletion.
class EnvImportSink {
  public:
    virtual Status entry(std::string_view name, std::string_view value, unsigned line) = 0;

  protected:
    ~EnvImportSink() = default;
};

struct EnvImportOptions {
    char sep = '\n';          // '\n' text, '\0' binary
    bool crlf_is_lf = false;  // -r: "\r\n" ends an entry like "\n" (text only)
};

// Parses data and calls sink.entry for each entry, in order. Errors (with the
// line, counted from 1 at each separator): an empty or invalid name, a value
// longer than Environment::kMaxValue, or the sink's own. Bounded by data.
Status parse_env_import(std::span<const char> data, const EnvImportOptions& opt, EnvImportSink& sink);

// The payload of a checksum-protected block (-c): the CRC-32 in its first 4
// bytes (little-endian, as U-Boot's env_t on arm64) must match the rest.
Result<std::span<const char>> env_checksum_payload(std::span<const char> block);

// The export of env (only the named variables when names is not empty; a name
// that is not set is skipped, as U-Boot's hexport_r does) as entries ended by
// sep, each value's backslashes and separators escaped with a backslash, then
// a terminating '\0' (binary: the second '\0' of "\0\0"). Writes to out (when
// not empty; it must hold the whole export) and returns the size in bytes.
Result<std::size_t> export_env(const Environment& env, std::span<const char* const> names, char sep,
                               std::span<char> out);

}  // namespace xb::cmd
