#!/bin/bash
# The dataset sink: records labelled vectors that train reads back; an interrupted run
# leaves no file; a validate run leaves nothing behind.
set -u
T=$(mktemp -d); trap 'kill $pid 2>/dev/null; rm -rf "$T"' EXIT
pid=
fail() { echo "FAIL: $*"; exit 1; }
CSV=$SRC/datasets/seed/runqlen_histograms.csv
pipeline() { # label out speed
	cat <<JSON
{"collectors":[{"plugin":"replay","params":{"path":"$CSV","format":"runqlen-csv","label":$1,"speed":$3}}],
 "features":[{"plugin":"runqlen_hist"}],
 "sinks":[{"plugin":"dataset","params":{"path":"$2","label":"$1"}}]}
JSON
}
pipeline 0 "$T/n.jsonl" 0 >"$T/n.json"
pipeline 1 "$T/a.jsonl" 0 >"$T/a.json"
"$ANOMON" validate "$T/n.json" >/dev/null 2>&1 || fail "validate"
[ -z "$(ls "$T" | grep jsonl)" ] || fail "validate left files: $(ls "$T")"
"$ANOMON" run -q "$T/n.json" || fail "record normal"
"$ANOMON" run -q "$T/a.json" || fail "record abnormal"
[ "$(wc -l <"$T/n.jsonl")" -eq 42 ] || fail "normal rows: $(wc -l <"$T/n.jsonl")"
[ "$(wc -l <"$T/a.jsonl")" -eq 39 ] || fail "abnormal rows"
grep -q '"label":1,"start":[0-9]*,"end":[0-9]*,"key":"host"' "$T/a.jsonl" || fail "line format"
"$ANOMON" train --model logreg --data "$T/n.jsonl" "$T/a.jsonl" --out "$T/m.json" --json >"$T/j" ||
	fail "train from recorded JSONL"
grep -q '"accuracy":0.9' "$T/j" || fail "poor accuracy from recorded data: $(cat "$T/j")"

# A bad label is a configuration error.
sed 's/"label":"0"/"label":"maybe"/' "$T/n.json" >"$T/bad.json"
"$ANOMON" validate "$T/bad.json" >/dev/null 2>"$T/err"
[ $? -eq 2 ] && grep -q 'label' "$T/err" || fail "bad label accepted: $(cat "$T/err")"

# Killed mid-run: the dataset never appears half-written.
pipeline 0 "$T/k.jsonl" 1 >"$T/k.json"
"$ANOMON" run -q "$T/k.json" & pid=$!
sleep 1
kill -KILL $pid; wait $pid 2>/dev/null; pid=
[ -e "$T/k.jsonl" ] && fail "an interrupted run left $T/k.jsonl"
echo ok
