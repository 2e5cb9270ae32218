#!/bin/sh
# Fuzzes the scenario loader with libFuzzer for $1 seconds (default 600).
#   sh tests/fuzz.sh 120
# Builds build/fuzz/fuzz_scenario with ASan + UBSan, seeds a corpus from scenarios/*.yaml and
# tests/fuzz_seeds/*.yaml, runs, and prints libFuzzer's closing stats (number of executions).
# Crashes are written to build/fuzz/ as crash-*; the script fails if any appear.
set -eu
seconds=${1:-600}
out=build/fuzz
corpus=$out/corpus
mkdir -p "$out" "$corpus"
CC_FUZZ=${CC_FUZZ:-clang}
# The loader and what it needs from sim/ (nothing else: no kernel, no model).
src="tests/fuzz_scenario.c sim/units.c sim/config_table.c $(ls sim/scen_*.c)"
# shellcheck disable=SC2046
$CC_FUZZ -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I. \
  $(pkg-config --cflags libfyaml) -o "$out/fuzz_scenario" $src $(pkg-config --libs libfyaml)
for f in scenarios/*.yaml tests/fuzz_seeds/*.yaml; do
  [ -e "$f" ] && cp "$f" "$corpus/" || true
done
log=$out/fuzz.log
rc=0
dict=""
[ -f tests/fuzz_scenario.dict ] && dict="-dict=tests/fuzz_scenario.dict"
# shellcheck disable=SC2086
"$out/fuzz_scenario" "$corpus" $dict -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$out/" \
  >"$log" 2>&1 || rc=$?
grep -E '^(#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$log" | tail -4
if [ "$rc" -ne 0 ] || ls "$out"/crash-* "$out"/timeout-* "$out"/leak-* "$out"/oom-* >/dev/null 2>&1; then
  echo "fuzz: FAILED (see $log)"
  tail -40 "$log"
  exit 1
fi
echo "fuzz: ok, $seconds s"
