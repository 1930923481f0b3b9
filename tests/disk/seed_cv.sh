#!/bin/bash
# The original tool's labelled opensnoop snippets through open_behaviour: record each class
# with replay's label filter, then stratified 5-fold CV of a forest. Pins what anomon
# reaches (accuracy 0.900, F1 of the abnormal class 0.700, seed 0) against the target
# (0.85 and 0.6) and the original tool (0.79 and 0.30).
set -u
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
SEED=$SRC/tests/replay/fixtures/opensnoop_windows.jsonl
fail() { echo "FAIL: $*"; exit 1; }

# One snippet per 10 s span, one 10 s window per snippet.
cat >"$T/seed.json" <<JSON
{"collectors": [{"plugin": "replay", "params": {"path": "$SEED", "format": "opensnoop-jsonl",
   "span": "10s", "start": "2024-01-01T00:00:00Z"}}],
 "features": [{"plugin": "open_behaviour", "params": {"window": "10s", "key": "host"}}],
 "sinks": []}
JSON
for l in 0 1; do
	"$ANOMON" record "$T/seed.json" --label $l --set replay.label=$l --out "$T/seed$l.jsonl" -q ||
		fail "record label $l exited $?"
done
n0=$(wc -l <"$T/seed0.jsonl"); n1=$(wc -l <"$T/seed1.jsonl")
# 48 normal snippets, one of which holds no parsable open; 13 abnormal.
[ "$n0" -eq 47 ] && [ "$n1" -eq 13 ] || fail "windows: $n0 normal, $n1 abnormal"

"$ANOMON" train --model forest --data "$T/seed0.jsonl" "$T/seed1.jsonl" --out "$T/m.json" \
	--cv 5 --seed 0 --json >"$T/cv.json" || fail "train exited $?"
/usr/bin/python3 - "$T/cv.json" <<'PY' || fail "CV figures: $(cat "$T/cv.json")"
import json, sys
cv = json.load(open(sys.argv[1]))["cv"]
acc, f1 = cv["accuracy"]["mean"], cv["f1"]["mean"]
print(f"seed opensnoop snippets, forest on open_behaviour, 5-fold CV: accuracy {acc:.3f}, F1 {f1:.3f}")
assert cv["k"] == 5
assert acc >= 0.85 and f1 >= 0.6, (acc, f1)   # the issue's target
assert acc >= 0.899 and f1 >= 0.699, (acc, f1) # what anomon reaches
PY
