#!/bin/bash
# Live test of runqlen's demand (the tasks ready to run, per container) as root. Two
# cgroups run busy loops at once: A, 3 per CPU; B, one. Everything is runnable all the
# time, so per CPU A has 3 tasks ready (runnable 3) and, however the balancer (which weighs
# groups, not tasks) spreads them, some CPU holds at least three of A's: at least half of
# the samples are crowded. B has 1/NCPU, never two on a CPU, whatever A's load does to
# B's waiting. The host counts both. With demand off the features are 0.
# Env: ANOMON (the binary). Exit 77 only when the kernel refuses BPF or perf events.
set -euo pipefail
tmp=$(mktemp -d)
parent=
loads=()
cleanup() {
	for p in "${loads[@]}"; do kill -KILL -- "-$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -n "$parent" ] && [ -d "$parent" ] && { sleep 0.2; find "$parent" -depth -type d -exec rmdir {} + 2>/dev/null || true; }
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v stress-ng >/dev/null || fail "stress-ng is not installed (scripts/deps.txt)"

cg2=$(findmnt -n -t cgroup2 -o TARGET | head -1 || true)
[ -n "$cg2" ] || fail "no cgroup v2 mount"
parent=$cg2/anomon-demand-$$
mkdir "$parent" "$parent/a" "$parent/b"
ncpu=$(nproc)

cat >"$tmp/p.json" <<JSON
{"collectors": [{"plugin": "runqlen", "params": {"window": "1s", "per_cpu": false}}],
 "features": [{"plugin": "runqlen_hist", "params": {"features": ["demand"],
   "include": ["host", "${parent#"$cg2"}/*"]}}],
 "sinks": [{"plugin": "stdout", "params": {"format": "json"}}]}
JSON
if ! out=$("$ANOMON" validate "$tmp/p.json" 2>&1); then
	if grep -qiE 'not permitted|not available|not usable|BTF' <<<"$out"; then
		echo "SKIP: $out"
		exit 77
	fi
	fail "validate: $out"
fi

incg() { setsid bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$@" >/dev/null 2>&1 </dev/null & loads+=($!); }
incg "$parent/a" stress-ng --cpu $((3 * ncpu)) --timeout 30s
incg "$parent/b" stress-ng --cpu 1 --timeout 30s
sleep 1 # the loops start

# run NAME [--set ...]: 5 s of vectors; the first and last windows are cut by start and stop.
run() {
	local name=$1
	shift
	"$ANOMON" run "$tmp/p.json" --duration 5 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" ||
		fail "$name: anomon exited $?: $(cat "$tmp/$name.err")"
}
run on
run off --set runqlen.demand=false
for p in "${loads[@]}"; do kill -KILL -- "-$p" 2>/dev/null || true; done

# median KEY FEATURE FILE: the median over the key's middle windows
median() {
	jq -r --arg k "$1" --arg f "$2" 'select(.record == "vector" and .key == $k) | .features[$f]' "$3" |
		sed '1d;$d' | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "none" }'
}
within() { # NAME VALUE LOW HIGH
	[ "$2" != none ] || fail "$1: no window"
	awk -v v="$2" -v lo="$3" -v hi="$4" 'BEGIN { exit !(v >= lo && v <= hi) }' ||
		fail "$1 = $2, expected $3..$4"
	echo "ok: $1 = $2 (expected $3..$4)"
}
a=${parent#"$cg2"}/a b=${parent#"$cg2"}/b
within "A runnable" "$(median "$a" runnable "$tmp/on.out")" 2.6 3.4
within "A crowded" "$(median "$a" crowded "$tmp/on.out")" 0.45 1
within "B runnable" "$(median "$b" runnable "$tmp/on.out")" "$(awk -v n="$ncpu" 'BEGIN { print 0.7 / n }')" "$(awk -v n="$ncpu" 'BEGIN { print 1.3 / n }')"
within "B crowded" "$(median "$b" crowded "$tmp/on.out")" 0 0.05
within "A excess" "$(median "$a" excess "$tmp/on.out")" 1.6 2.4
within "B excess" "$(median "$b" excess "$tmp/on.out")" 0 0
within "host runnable" "$(median host runnable "$tmp/on.out")" "$(awk -v n="$ncpu" 'BEGIN { print (3 * n + 0.7) / n }')" 5
for k in "$a" "$b" host; do
	within "$k runnable, demand off" "$(median "$k" runnable "$tmp/off.out")" 0 0
	within "$k crowded, demand off" "$(median "$k" crowded "$tmp/off.out")" 0 0
done
echo "demand: ok"
