#!/bin/sh
# Command-line tests through the real binary: exit statuses, error format, nothing written
# on bad input, trace hash, --out, --seed, and the nemesis replay promise.
bin=${1:-build/kafkasim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAILED: $*"; }
# expect_rc WANT DESCRIPTION -- command...
expect_rc() {
  want=$1; what=$2; shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
  if [ "$rc" = "$want" ]; then ok; else ko "$what: exit $rc, wanted $want"; cat "$tmp/err"; fi
}

expect_rc 2 "no command" -- "$bin"
expect_rc 2 "unknown command" -- "$bin" frobnicate
expect_rc 0 "--version" -- "$bin" --version
grep -q '^kafkasim [0-9]' "$tmp/out" && ok || ko "--version prints the version"
expect_rc 0 "--help" -- "$bin" --help
grep -q 'exit status' "$tmp/out" && ok || ko "--help explains exit statuses"
expect_rc 2 "run without a file" -- "$bin" run
expect_rc 2 "run with an unknown option" -- "$bin" run scenarios/network-faults-tour.yaml --bogus
expect_rc 2 "run --seed not a number" -- "$bin" run scenarios/network-faults-tour.yaml --seed x
expect_rc 2 "--json with --trace -" -- "$bin" run scenarios/network-faults-tour.yaml --json --trace -
expect_rc 2 "missing file" -- "$bin" run "$tmp/nope.yaml"
[ ! -s "$tmp/out" ] && ok || ko "bad input prints nothing on stdout"

# A bad file: FILE:LINE:COL: message, exit 2, nothing on stdout, no output files.
printf 'name: x\nduration: 10s\ncluster: {brokers: 1}\ntopics:\n  - {name: t, partitions: 1, replication.factor: 1}\nproducers:\n  - {id: p, topic: t, messages: 1, acsk: 1}\n' >"$tmp/bad.yaml"
expect_rc 2 "bad scenario" -- "$bin" run "$tmp/bad.yaml" --out "$tmp/outdir" --trace "$tmp/t.jsonl"
grep -q "^$tmp/bad.yaml:7:[0-9]*: .*acsk" "$tmp/err" && ok || { ko "error is FILE:LINE:COL naming the key"; cat "$tmp/err"; }
grep -q "did you mean .acks." "$tmp/err" && ok || ko "misspelled key gets a suggestion"
[ ! -s "$tmp/out" ] && ok || ko "bad scenario prints nothing on stdout"
[ ! -e "$tmp/t.jsonl" ] && [ ! -e "$tmp/outdir/summary.json" ] && ok || ko "nothing half-written"
expect_rc 2 "validate: a good and a bad file" -- "$bin" validate scenarios/network-faults-tour.yaml "$tmp/bad.yaml"
grep -q 'network-faults-tour.yaml: ok' "$tmp/out" && grep -q 'bad.yaml:7:' "$tmp/err" && ok || ko "validate reports every file"

# Bad input through the real binary: exit 2, FILE:LINE:COL: message on stderr, nothing on
# stdout (tests/bad/expected.txt: file, line:col, a piece of the message).
while read -r file pos msg; do
  expect_rc 2 "run $file" -- "$bin" run "tests/bad/$file"
  if grep -qF "tests/bad/$file:$pos: " "$tmp/err" && grep -qF "$msg" "$tmp/err" &&
     [ ! -s "$tmp/out" ]; then ok; else ko "$file: wanted $pos: $msg, got: $(cat "$tmp/err")"; fi
done < tests/bad/expected.txt

# Trace file and JSON summary agree on the hash.
f=scenarios/network-faults-tour.yaml
expect_rc 0 "run --json" -- "$bin" run $f --json --trace "$tmp/t.jsonl"
h=$(sed -n 's/.*"trace_sha256": "\([0-9a-f]*\)".*/\1/p' "$tmp/out")
[ -n "$h" ] && [ "$h" = "$(sha256sum "$tmp/t.jsonl" | cut -d' ' -f1)" ] && ok || ko "trace_sha256 is the trace file's SHA-256"
"$bin" run $f --trace - >"$tmp/t2.jsonl" 2>/dev/null
cmp -s "$tmp/t.jsonl" "$tmp/t2.jsonl" && ok || ko "--trace - writes the same trace to stdout"
expect_rc 0 "--out" -- "$bin" run $f --out "$tmp/o" --quiet
[ -s "$tmp/o/trace.jsonl" ] && [ -s "$tmp/o/summary.json" ] && ok || ko "--out writes trace.jsonl and summary.json"
[ ! -s "$tmp/out" ] && ok || ko "--quiet prints nothing"

# A failed expectation is exit 1, and the summary says which.
sed 's/offline-ms: 0/offline-ms: "> 0"/' $f >"$tmp/fails.yaml"
expect_rc 1 "a failing expectation" -- "$bin" run "$tmp/fails.yaml"
grep -q 'FAIL offline-ms > 0 (actual 0)' "$tmp/out" && ok || ko "the summary names the failed expectation"
expect_rc 1 "a failing expectation, --json" -- "$bin" run "$tmp/fails.yaml" --json
grep -q '"verdict": "fail"' "$tmp/out" && grep -q '"ok": false, "actual": 0' "$tmp/out" && ok ||
  ko "the JSON summary names the failed expectation"

# --seed: another nemesis schedule; the same seed, the same run.
n=scenarios/nemesis-brokers.yaml
"$bin" run $n --json >"$tmp/a.json"; "$bin" run $n --json --seed 11 >"$tmp/b.json"
"$bin" run $n --json --seed 12 >"$tmp/c.json"
ha=$(sed -n 's/.*"trace_sha256": "\([0-9a-f]*\)".*/\1/p' "$tmp/a.json")
hb=$(sed -n 's/.*"trace_sha256": "\([0-9a-f]*\)".*/\1/p' "$tmp/b.json")
hc=$(sed -n 's/.*"trace_sha256": "\([0-9a-f]*\)".*/\1/p' "$tmp/c.json")
[ "$ha" = "$hb" ] && ok || ko "--seed equal to the file's seed gives the same trace"
[ "$ha" != "$hc" ] && ok || ko "another --seed gives another run"
grep -q '"seed": 12' "$tmp/c.json" && ok || ko "the summary reports the seed used"

# The nemesis schedule, replayed as plain faults with the same seed, gives the same trace.
sed -n 's/.*"nemesis": \[\(.*\)\], "nodes".*/\1/p' "$tmp/a.json" | sed 's/", "/\n/g; s/"//g' >"$tmp/sched"
[ -s "$tmp/sched" ] && ok || ko "the nemesis drew a schedule"
{ sed '/^nemesis:/,$d' $n; echo "faults:"; sed 's/^/  - /' "$tmp/sched"; } >"$tmp/replay.yaml"
"$bin" run "$tmp/replay.yaml" --json >"$tmp/r.json" 2>"$tmp/err"
hr=$(sed -n 's/.*"trace_sha256": "\([0-9a-f]*\)".*/\1/p' "$tmp/r.json")
[ -n "$hr" ] && [ "$hr" = "$ha" ] && ok || { ko "nemesis replay gives the same trace"; cat "$tmp/err"; }

# partitioner: Kafka's murmur2 choices (kafka-semantics 2.2 derived vectors).
expect_rc 0 "partitioner" -- "$bin" partitioner --partitions 3 key0 key1 key2 ""
[ "$(cut -f2 "$tmp/out" | tr '\n' ' ')" = "1 2 2 0 " ] && ok || ko "partitioner picks Kafka's partitions"
expect_rc 0 "partitioner --json" -- "$bin" partitioner --json --partitions 3 -- key0
grep -qx '{"key": "key0", "partition": 1}' "$tmp/out" && ok || ko "partitioner --json line"
expect_rc 2 "partitioner without --partitions" -- "$bin" partitioner key0
expect_rc 2 "partitioner --partitions 0" -- "$bin" partitioner --partitions 0 key0

echo "cli tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
