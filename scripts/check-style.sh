#!/usr/bin/env bash
# Checks the house style (CONTRIBUTING.md, "Style tools"): clang-format
# (.clang-format) on every tracked C/C++ file, and clang-tidy (.clang-tidy) on
# the core sources with the flags of the host build, whose
# build/host/compile_commands.json must exist (scripts/build.sh makes it).
# Exits non-zero on any finding; prints what it found and the time it took.
# JOBS (default 2) clang-tidy processes run in parallel.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
start=$(date +%s)
jobs=${JOBS:-2}
db=build/host/compile_commands.json
failed=0

# Generated or third-party sources would go here (none are tracked today).
mapfile -t sources < <(git ls-files '*.cpp' '*.h')

echo "style: clang-format on ${#sources[@]} files"
if ! clang-format --dry-run --Werror "${sources[@]}"; then
  echo "style: clang-format: files above need formatting (clang-format -i FILE)" >&2
  failed=1
fi

if [ ! -f "$db" ]; then
  echo "style: $db missing; run scripts/build.sh first" >&2
  failed=1
else
  # The core: every compiled source outside tests/ (tests are left out for time).
  mapfile -t core < <(python3 -c '
import json, sys
for e in json.load(open(sys.argv[1])):
    if "/tests/" not in e["file"] and e["file"].endswith(".cpp"):
        print(e["file"])' "$db" | sort -u)
  echo "style: clang-tidy on ${#core[@]} core sources, $jobs at a time"
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  if ! printf '%s\0' "${core[@]}" | xargs -0 -P "$jobs" -n 4 clang-tidy -p build/host --quiet >"$log" 2>&1; then
    failed=1
  fi
  # clang-tidy prints "N warnings generated" to stderr for suppressed ones; keep the findings.
  if grep -qE '(warning|error):' "$log"; then
    grep -vE '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed|^Use -header-filter' "$log" >&2
    echo "style: clang-tidy: findings above" >&2
    failed=1
  fi
fi

echo "style: $(( $(date +%s) - start )) s"
[ "$failed" -eq 0 ] && echo "style: clean"
exit "$failed"
