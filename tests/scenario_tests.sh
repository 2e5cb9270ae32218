#!/bin/sh
# Scenario tests: every scenario of the library (scenarios/) and of the test suite
# (tests/scenarios/) validates, holds every expectation it states (exit 0), and runs twice
# with the same trace_sha256.
bin=${1:-build/kafkasim}
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAILED: $*"; }
hash_of() { sed -n 's/.*"trace_sha256": *"\([0-9a-f]*\)".*/\1/p'; }
for f in scenarios/*.yaml tests/scenarios/*.yaml; do
  [ -e "$f" ] || continue
  if "$bin" validate "$f" >/dev/null; then ok; else ko "validate $f"; fi
  out=$("$bin" run "$f" --json); rc=$?
  if [ "$rc" -eq 0 ]; then ok; else
    ko "$f: exit $rc"; "$bin" run "$f" | sed -n '/^Expectations/,$p'; fi
  a=$(echo "$out" | hash_of)
  b=$("$bin" run "$f" --json | hash_of)
  if [ -n "$a" ] && [ "$a" = "$b" ]; then ok; else ko "determinism $f ($a vs $b)"; fi
done
echo "scenario tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
