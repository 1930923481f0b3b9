#!/bin/bash
# anomon train / eval end to end: metrics, --json, CV, reproducible files, refusals.
set -u
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
CSV=$SRC/datasets/seed/runqlen_histograms.csv
fail() { echo "FAIL: $*"; exit 1; }

"$ANOMON" train --model logreg --data "$CSV" --out "$T/l.json" --cv 5 --seed 0 >"$T/out" ||
	fail "train logreg exited $?"
grep -q '^training set: accuracy 0.938' "$T/out" || fail "training accuracy: $(cat "$T/out")"
grep -q 'confusion matrix' "$T/out" || fail "no confusion matrix"
grep -q '5-fold stratified CV' "$T/out" || fail "no CV figures"

# --json: one object with the documented keys.
"$ANOMON" train --model logreg --data "$CSV" --out "$T/l2.json" --cv 3 --json >"$T/j" ||
	fail "train --json exited $?"
/usr/bin/python3 - "$T/j" <<'PY' || fail "--json output"
import json, sys
o = json.loads(open(sys.argv[1]).read())
for k in ("accuracy", "precision", "recall", "f1", "roc_auc", "cv"):
    assert k in o, k
assert abs(o["accuracy"] - 76 / 81) < 1e-12, o["accuracy"]
assert o["cv"]["k"] == 3 and "mean" in o["cv"]["f1"] and "std" in o["cv"]["f1"]
PY

# eval scores the saved file through the plugin's pipeline path: same figures.
"$ANOMON" eval --model "$T/l.json" --data "$CSV" --json >"$T/e" || fail "eval exited $?"
/usr/bin/python3 -c "import json,sys; o=json.load(open(sys.argv[1])); assert abs(o['accuracy']-76/81)<1e-12, o" "$T/e" ||
	fail "eval accuracy"
# A higher threshold through --set changes the labels, never the AUC.
"$ANOMON" eval --model "$T/l.json" --data "$CSV" --set threshold=0.99 --json >"$T/e2" ||
	fail "eval --set exited $?"
/usr/bin/python3 -c "
import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2]))
assert a['roc_auc']==b['roc_auc'] and b['recall']<a['recall'], (a,b)" "$T/e" "$T/e2" ||
	fail "threshold"

# Same command, same bytes; a forest is seeded. (The file's base name is the model's name.)
mkdir -p "$T/a" "$T/b"
"$ANOMON" train --model forest --data "$CSV" --out "$T/f1.json" --seed 3 --set n_trees=20 -q >/dev/null ||
	fail "train forest exited $?"
"$ANOMON" train --model forest --data "$CSV" --out "$T/b/f1.json" --seed 3 --set n_trees=20 -q >/dev/null ||
	fail "train forest again"
cmp -s "$T/f1.json" "$T/b/f1.json" || fail "forest files differ for the same seed"
"$ANOMON" train --model forest --data "$CSV" --out "$T/a/f1.json" --seed 4 --set n_trees=20 -q >/dev/null
cmp -s "$T/f1.json" "$T/a/f1.json" && fail "forest files equal for different seeds"
"$ANOMON" eval --model "$T/f1.json" --data "$CSV" >/dev/null || fail "eval forest"

# The shipped model is what models/rebuild makes.
cmp -s "$SRC/models/seed-runqlen-logreg.json" <(cd "$SRC" && "$ANOMON" train --model logreg \
	--data datasets/seed/runqlen_histograms.csv --out "$T/seed-runqlen-logreg.json" \
	--cv 5 --seed 0 -q >/dev/null && cat "$T/seed-runqlen-logreg.json") ||
	fail "models/seed-runqlen-logreg.json is not what models/rebuild produces"

# Configuration errors exit 2 with a message.
expect2() {
	"$@" >"$T/o" 2>"$T/err"; rc=$?
	[ $rc -eq 2 ] || fail "exit $rc, not 2: $*"
	[ -s "$T/err" ] || fail "no message: $*"
}
expect2 "$ANOMON" train --model logreg --data "$CSV"
expect2 "$ANOMON" train --model nosuch --data "$CSV" --out "$T/x.json"
expect2 "$ANOMON" train --model stdout --data "$CSV" --out "$T/x.json"
expect2 "$ANOMON" train --model logreg --data "$CSV" --out "$T/x.json" --set C=-1
expect2 "$ANOMON" train --model logreg --data "$CSV" --out "$T/x.json" --set nosuch=1
expect2 "$ANOMON" train --model forest --data "$CSV" --out "$T/x.json" --set max_features=500
expect2 "$ANOMON" train --model logreg --data "$CSV" --out "$T/x.json" --cv 50
expect2 "$ANOMON" eval --model "$T/f1.json" --data "$T/nosuch.csv"
grep -q nosuch.csv "$T/err" || fail "missing file not named"
[ -e "$T/x.json" ] && fail "a refused training wrote a file"
echo ok
