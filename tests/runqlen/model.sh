#!/bin/bash
# The default CPU model, without BPF:
#  - models/rebuild-cpu, run twice on a copy of the repository's datasets, gives the same
#    model byte for byte, and the same as the shipped models/runqlen-logreg.json (so the
#    shipped model is the one its datasets give), and the same seed datasets as shipped;
#  - on the seed histograms alone, the shipped features reach stratified 5-fold CV accuracy
#    >= 0.95 (seed 0, C = 10);
#  - pipelines/replay-cpu.json scores a recorded bpftrace runqlen log with that model: one
#    host verdict per histogram, each with its top features; the idle histogram is normal.
# Env: ANOMON (the binary), SRC.
set -euo pipefail

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# 1. Rebuild in a copy laid out like the repository.
mkdir -p "$tmp/repo/models" "$tmp/repo/scenarios/cpu" "$tmp/repo/datasets/seed"
cp "$SRC/models/rebuild-cpu" "$tmp/repo/models/"
cp "$SRC/scenarios/cpu/seed.json" "$tmp/repo/scenarios/cpu/"
cp "$SRC/datasets/seed/runqlen_histograms.csv" "$tmp/repo/datasets/seed/"
cp -r "$SRC/datasets/cpu" "$tmp/repo/datasets/"
"$tmp/repo/models/rebuild-cpu" "$ANOMON" >"$tmp/first.txt" || fail "rebuild-cpu failed"
cp "$tmp/repo/models/runqlen-logreg.json" "$tmp/first.json"
"$tmp/repo/models/rebuild-cpu" "$ANOMON" >/dev/null || fail "rebuild-cpu failed the second time"
cmp -s "$tmp/first.json" "$tmp/repo/models/runqlen-logreg.json" ||
	fail "two rebuilds gave different models"
cmp -s "$tmp/first.json" "$SRC/models/runqlen-logreg.json" ||
	fail "models/runqlen-logreg.json is not what models/rebuild-cpu makes of datasets/cpu"
for f in seed-normal seed-abnormal; do
	cmp -s "$tmp/repo/datasets/cpu/$f.jsonl" "$SRC/datasets/cpu/$f.jsonl" ||
		fail "datasets/cpu/$f.jsonl is not what the seed CSV gives"
done
echo "rebuild: same model twice, same as shipped"

# 2. Seed-only cross-validation with the shipped features.
acc=$("$ANOMON" train --model logreg --set C=10 --cv 5 --seed 0 --json --out "$tmp/seed.json" \
	--data "$SRC/datasets/cpu/seed-normal.jsonl" "$SRC/datasets/cpu/seed-abnormal.jsonl" |
	jq '.cv.accuracy.mean')
echo "seed histograms: 5-fold CV accuracy $acc"
awk -v a="$acc" 'BEGIN { exit !(a >= 0.95 - 1e-9) }' || fail "seed CV accuracy $acc < 0.95"

# 3. A recorded bpftrace log through the replay pipeline.
log=$SRC/tests/fixtures/formats/runqlen.log
"$ANOMON" run "$SRC/pipelines/replay-cpu.json" --set replay.path="$log" >"$tmp/v.json" ||
	fail "replay-cpu.json failed"
n_hist=$(grep -c '^@runqlen' "$log")
n=$(jq -s '[.[] | select(.record == "verdict" and .key == "host")] | length' "$tmp/v.json")
[ "$n" -eq "$n_hist" ] || fail "$n host verdicts for $n_hist histograms"
jq -e -s 'all(.[] | select(.record == "verdict"); (.top | length) == 2 and
	(.label == "normal" or .label == "abnormal") and .model == "runqlen-logreg")' \
	"$tmp/v.json" >/dev/null || fail "a verdict without label, model or two top features"
# The first histogram of the log holds only empty queues.
jq -e -s '[.[] | select(.record == "verdict")][0] | .label == "normal" and .score < 0.1' \
	"$tmp/v.json" >/dev/null || fail "the idle histogram is not normal: $(head -1 "$tmp/v.json")"
echo "replay-cpu: $n verdicts for $n_hist histograms"

# 4. The model takes its features by name: a vector with more of them (demand, for the
# baseline model of the same pipeline), in another order, scores the same; one lacking a
# feature of the model is refused before anything runs, naming it.
"$ANOMON" run "$SRC/pipelines/replay-cpu.json" --set replay.path="$log" \
	--set runqlen_hist.features=demand,stats,tails >"$tmp/v2.json" ||
	fail "replay-cpu.json with demand failed"
cmp -s <(jq -c 'select(.record == "verdict") | [.score, .label, .top]' "$tmp/v.json") \
	<(jq -c 'select(.record == "verdict") | [.score, .label, .top]' "$tmp/v2.json") ||
	fail "verdicts differ when the vector carries more features"
if "$ANOMON" run "$SRC/pipelines/replay-cpu.json" --set replay.path="$log" \
	--set runqlen_hist.features=stats >"$tmp/v3.json" 2>"$tmp/v3.err"; then
	fail "a vector without the model's tails was accepted"
fi
grep -q 'the model needs feature "log_ge1", which the pipeline does not give (it gives 6: mean, p50, ...)$' "$tmp/v3.err" ||
	fail "unexpected error for a missing feature: $(cat "$tmp/v3.err")"
[ "$(wc -l <"$tmp/v3.err")" -eq 1 ] || fail "more than one line of error: $(cat "$tmp/v3.err")"
[ ! -s "$tmp/v3.json" ] || fail "output written although the pipeline was refused"
echo "features by name: ok"
echo "ok"
