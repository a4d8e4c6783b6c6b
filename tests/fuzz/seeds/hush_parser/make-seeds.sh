#!/usr/bin/env bash
# Seeds for fuzz_hush_parser: one small script per construct.
set -euo pipefail
out=$1
i=0
seed() { i=$((i + 1)); printf '%s' "$1" >"$out/seed-$i.sh"; }
seed 'x=1; echo $x ${x} "$x" '"'"'$x'"'"' \$x'
seed 'if test $a = 1; then echo one; elif [ -n "$b" ]; then echo b; else echo no; fi'
seed 'for t in ${boot_targets} a "b c"; do echo $t; done'
seed 'setenv i 0; while itest $i < 5; do setexpr i $i + 1; done; echo $?'
seed 'until false; do; done'
seed 'true && echo a || echo b; ! false; echo $?'
seed 'setenv s "echo x; run s"; run s'
seed 'setexpr v gsub "([a-z]+)=([0-9]*)" "\2:\1" "ab=12 cd=3"; echo $v'
seed "# comment
echo a \\
b; exit 2"
seed 'if true
then
  for x in 1 2
  do
    echo $x
  done
fi'
seed 'env set a 1; env print a; env delete a; env default -a; printenv'
