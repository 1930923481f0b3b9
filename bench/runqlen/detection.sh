#!/bin/bash
# The CPU detector's live figures: the default pipeline (pipelines/cpu.json and its model)
# with 2 s windows through phases of load, as root:
#   idle 20 s, one busy process 20 s (stress-ng --cpu 1), idle 10 s,
#   stress-ng --cpu 8 for 20 s, idle 20 s.
# Prints, per phase, the host windows that lay wholly inside it and how many got the expected
# label, and how many windows the verdict took to flip when the load started and stopped
# (1 = the first window that ends after the change).
# Usage: bench/runqlen/detection.sh [ANOMON] [PIPELINE]   (as root; needs stress-ng)
set -euo pipefail
anomon=${1:-build/anomon}
pipeline=${2:-pipelines/cpu.json}

tmp=$(mktemp -d)
load_pgid=
cleanup() {
	[ -n "$load_pgid" ] && kill -KILL -- "-$load_pgid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

now() { date +%s.%N; }
load() { # SECONDS COMMAND...: run COMMAND in its own process group for SECONDS
	local secs=$1
	shift
	setsid "$@" >/dev/null 2>&1 </dev/null &
	load_pgid=$!
	sleep "$secs"
	kill -TERM -- "-$load_pgid" 2>/dev/null || true
	wait "$load_pgid" 2>/dev/null || true
	load_pgid=
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$anomon" run "$pipeline" --set runqlen.window=2s --set runqlen.per_cgroup=false \
	--set runqlen.per_cpu=false --set stdout.format=json --duration 92 >"$tmp/out.json" &
pid=$!
sleep 1
t0=$(now); sleep 20
t1=$(now); load 20 stress-ng --cpu 1 --timeout 30s
t2=$(now); sleep 10
t3=$(now); load 20 stress-ng --cpu 8 --timeout 30s
t4=$(now); sleep 20
t5=$(now)
wait "$pid"

jq -r 'def ts(t): (t | capture("^(?<s>[^.Z]+)(?<f>\\.[0-9]+)?Z$")) as $c |
		($c.s + "Z" | fromdateiso8601) + (("0" + ($c.f // "")) | tonumber);
	select(.record == "verdict" and .key == "host") |
	"\(ts(.start)) \(ts(.end)) \(.label)"' "$tmp/out.json" |
awk -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" -v t4="$t4" -v t5="$t5" '
	$2 - $1 < 1.5 { next }
	{ i++; s[i] = $1; e[i] = $2; l[i] = $3 }
	function phase(name, a, b, want,   j, n, k) {
		for (j = 1; j <= i; j++)
			if (s[j] >= a + 0.5 && e[j] <= b) { n++; k += l[j] == want }
		printf "| %s | %d | %d %s (%.0f %%) |\n", name, n, k, want, n ? 100 * k / n : 0
	}
	function flip(t, want,   j, c) {
		for (j = 1; j <= i; j++)
			if (e[j] > t) { c++; if (l[j] == want) return c }
		return "never"
	}
	END {
		print "| phase | windows | expected label |"
		print "| --- | --- | --- |"
		phase("idle", t0, t1, "normal")
		phase("one busy process (stress-ng --cpu 1)", t1, t2, "normal")
		phase("idle", t2, t3, "normal")
		phase("stress-ng --cpu 8", t3, t4, "abnormal")
		phase("idle after the load", t4, t5, "normal")
		printf "\nflip to abnormal after the load started: window %s; back to normal after it stopped: window %s\n",
			flip(t3, "abnormal"), flip(t4, "normal")
	}'
