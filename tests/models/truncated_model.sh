#!/bin/bash
# A model file cut at every byte offset: anomon eval refuses each with one line, never crashes.
# Every 7th offset (TRUNCATE_STRIDE=N: every Nth; the sanitizer pass uses a longer stride, a
# run costs ~0.2 s there): test_models_math loops over every offset in-process, and the
# fuzz_model target explores the reader further; this checks the command's one-line refusal.
set -u
STRIDE=${TRUNCATE_STRIDE:-7}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
printf 'label,a,b\n0,1,5\n0,2,4\n0,1.5,6\n1,4,1\n1,5,2\n1,4.5,0\n' >"$T/d.csv"
"$ANOMON" train --model logreg --data "$T/d.csv" --out "$T/l.json" -q >/dev/null || fail "train logreg"
"$ANOMON" train --model forest --data "$T/d.csv" --out "$T/f.json" --set n_trees=2 -q >/dev/null ||
	fail "train forest"
for m in l f; do
	size=$(($(stat -c %s "$T/$m.json") - 1)) # the last byte is the final newline
	for ((n = 0; n < size; n += STRIDE)); do
		head -c $n "$T/$m.json" >"$T/cut.json"
		"$ANOMON" eval --model "$T/cut.json" --plugin $([ $m = l ] && echo logreg || echo forest) \
			--data "$T/d.csv" >/dev/null 2>"$T/err"
		rc=$?
		[ $rc -eq 2 ] || fail "$m.json cut at $n: exit $rc ($(cat "$T/err"))"
		[ "$(wc -l <"$T/err")" -eq 1 ] || fail "$m.json cut at $n: $(cat "$T/err")"
		grep -q "cut.json" "$T/err" || fail "$m.json cut at $n: file not named: $(cat "$T/err")"
	done
	echo "$m.json: $size truncations refused"
done
"$ANOMON" eval --model "$T/l.json" --data "$T/d.csv" >/dev/null || fail "the whole file is refused"
# Well-formed JSON whose per-node arrays disagree in length (a fuzz_model finding: the reader
# indexed "left" and "right" by the node count, which the "feature" array gives).
for key in left right; do
	jq -c ".forest.trees[0].$key |= .[:-1]" "$T/f.json" >"$T/short.json"
	"$ANOMON" eval --model "$T/short.json" --plugin forest --data "$T/d.csv" >/dev/null 2>"$T/err"
	rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
		grep -q "short.json: forest.trees\[0\]: $key: expected [0-9]* entries (one per node)" "$T/err" ||
		fail "forest tree with a short $key array: exit $rc: $(cat "$T/err")"
done
echo ok
