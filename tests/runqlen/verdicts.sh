#!/bin/bash
# The default CPU pipeline (pipelines/cpu.json with its model) live, as root, with 2 s
# windows: a short version of the issue's target.
#   quiet 8 s -> stress-ng --cpu 4xNCPU for 14 s -> quiet 12 s
# Asserts: at least 90% of the host windows under the load are abnormal; at least 90% of the
# quiet ones (the windows that straddle a change left out) are normal; the verdict flips
# within two windows of the load starting and of it stopping.
# Env: ANOMON (the binary), SRC. Exit 77 only when the kernel refuses BPF or perf events.
set -euo pipefail

tmp=$(mktemp -d)
load_pgid=
anomon_pid=
cleanup() {
	[ -n "$load_pgid" ] && kill -KILL -- "-$load_pgid" 2>/dev/null || true
	[ -n "$anomon_pid" ] && kill "$anomon_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

pipeline=$SRC/pipelines/cpu.json
if ! out=$("$ANOMON" validate "$pipeline" 2>&1); then
	if grep -qiE 'not permitted|not available|not usable|BTF' <<<"$out"; then
		echo "SKIP: $out"
		exit 77
	fi
	fail "validate: $out"
fi
command -v stress-ng >/dev/null || fail "stress-ng is not installed (scripts/deps.txt)"

# Other work on the machine skews the quiet windows: wait (up to 30 s) for the CPUs to be
# at least half idle, and say how busy they were.
busy_pct() {
	local a b
	a=($(head -1 /proc/stat))
	sleep 1
	b=($(head -1 /proc/stat))
	awk -v u="$((b[1] + b[2] + b[3] + b[6] + b[7] - a[1] - a[2] - a[3] - a[6] - a[7]))" \
		-v i="$((b[4] + b[5] - a[4] - a[5]))" 'BEGIN { printf "%d", 100 * u / (u + i + 1e-9) }'
}
for _ in $(seq 30); do
	busy=$(busy_pct)
	[ "$busy" -le 50 ] && break
done
echo "machine before the run: ${busy}% busy, load average $(cut -d' ' -f1-3 /proc/loadavg)"

now() { date +%s.%N; }
ncpu=$(nproc)
"$ANOMON" run "$pipeline" --set runqlen.window=2s --set runqlen.per_cgroup=false \
	--set runqlen.per_cpu=false --set stdout.format=json --duration 34 \
	>"$tmp/out.json" 2>"$tmp/err" &
anomon_pid=$!
sleep 8
t_on=$(now)
setsid stress-ng --cpu $((4 * ncpu)) --timeout 20s >/dev/null 2>&1 </dev/null &
load_pgid=$!
sleep 14
kill -TERM -- "-$load_pgid" 2>/dev/null || true
wait "$load_pgid" 2>/dev/null || true
t_off=$(now)
load_pgid=
wait "$anomon_pid" || fail "anomon exited $?: $(cat "$tmp/err")"
anomon_pid=

# One line per host window: start end label score (times in Unix seconds).
jq -r 'def ts(t): (t | capture("^(?<s>[^.Z]+)(?<f>\\.[0-9]+)?Z$")) as $c |
		($c.s + "Z" | fromdateiso8601) + (("0" + ($c.f // "")) | tonumber);
	select(.record == "verdict" and .key == "host") |
	"\(ts(.start)) \(ts(.end)) \(.label) \(.score)"' "$tmp/out.json" >"$tmp/host"
[ -s "$tmp/host" ] || fail "no host verdicts: $(head -c 500 "$tmp/out.json") $(cat "$tmp/err")"

awk -v on="$t_on" -v off="$t_off" '
	function show(what, n, k) {
		printf "%s: %d of %d windows %s\n", what, k, n, n ? "" : "(none)"
	}
	$2 - $1 < 1.5 { next }                  # the last, partial window
	{ i++; s[i] = $1; e[i] = $2; l[i] = $3 }
	END {
		for (j = 1; j <= i; j++) {
			if (e[j] <= on) { nq++; kq += l[j] == "normal" }
			else if (s[j] >= on + 0.5 && e[j] <= off) { nl++; kl += l[j] == "abnormal" }
			else if (s[j] >= off + 0.5) { nq++; kq += l[j] == "normal" }
			# Flips: the first two windows that end after the change.
			if (e[j] > on && fon < 2) { fon++; if (l[j] == "abnormal") flip_on = 1 }
			if (e[j] > off && foff < 2) { foff++; if (l[j] == "normal") flip_off = 1 }
		}
		show("under load, abnormal", nl, kl)
		show("quiet, normal", nq, kq)
		bad = 0
		if (nl < 4 || kl < 0.9 * nl) { print "FAIL: under load, fewer than 90% abnormal"; bad = 1 }
		if (nq < 4 || kq < 0.9 * nq) { print "FAIL: quiet, fewer than 90% normal"; bad = 1 }
		if (!flip_on) { print "FAIL: no abnormal verdict within two windows of the load starting"; bad = 1 }
		if (!flip_off) { print "FAIL: no normal verdict within two windows of the load stopping"; bad = 1 }
		exit bad
	}' "$tmp/host" || { echo "windows (start end label score), load $t_on .. $t_off:"; cat "$tmp/host"; exit 1; }
echo "ok"
