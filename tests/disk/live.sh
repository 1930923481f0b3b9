#!/bin/bash
# Live, short: every scenario of scenarios/disk (ordinary and abnormal) runs for a few
# seconds in its own cgroup under `anomon run pipelines/disk.json` (opensnoop + biosnoop ->
# disk_behaviour -> forest); each scenario's complete windows must get the expected verdict.
# The full-length figures come from scenarios/disk/evaluate.
set -u
fail() { echo "FAIL: $*"; exit 1; }

# The collectors must be there: this test never skips because a plugin is missing.
"$ANOMON" plugins list >"${TMPDIR:-/tmp}/anomon-plugins.$$" || fail "plugins list"
for p in opensnoop biosnoop disk_behaviour forest; do
	grep -q "^$p " "${TMPDIR:-/tmp}/anomon-plugins.$$" || { rm -f "${TMPDIR:-/tmp}/anomon-plugins.$$"; fail "plugin $p is not built"; }
done
rm -f "${TMPDIR:-/tmp}/anomon-plugins.$$"

# Skip only when the kernel refuses BPF (not root, or locked down), and say so.
out=$("$ANOMON" run "$SRC/pipelines/disk.json" --duration 1 -q 2>&1 >/dev/null); rc=$?
if [ $rc -ne 0 ]; then
	if grep -qiE 'operation not permitted|permission denied' <<<"$out"; then
		echo "SKIP: the kernel refuses BPF here: $out"
		exit 77
	fi
	fail "anomon run pipelines/disk.json: exit $rc: $out"
fi

# 6 s per scenario: 3 windows of 2 s, of which 1 or 2 are complete (about 15 in all).
"$SRC/scenarios/disk/evaluate" "$ANOMON" 6 0.9 || fail "verdicts below 90% (table above)"
