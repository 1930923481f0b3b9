#!/bin/bash
# CPU overhead of the runqlen collector: anomon's own CPU time (on-CPU nanoseconds of all
# its threads, /proc/PID/task/*/schedstat) plus the kernel time of its BPF program
# (kernel.bpf_stats_enabled), while runqlen -> runqlen_hist -> stdout runs for DURATION
# seconds at FREQ Hz, with every CPU kept busy by a loop so that every sample is taken. Prints one Markdown table row.
# Usage: bench/runqlen/overhead.sh [ANOMON] [DURATION] [FREQ] [WINDOW]   (as root)
set -euo pipefail
anomon=${1:-build/anomon}
dur=${2:-30}
freq=${3:-99}
window=${4:-1s}
PATH=$PATH:/usr/sbin
ncpu=$(nproc)

tmp=$(mktemp -d)
loops=()
stats_was=$(cat /proc/sys/kernel/bpf_stats_enabled)
cleanup() {
	for p in "${loops[@]}"; do kill "$p" 2>/dev/null || true; done
	echo "$stats_was" >/proc/sys/kernel/bpf_stats_enabled
	rm -rf "$tmp"
}
trap cleanup EXIT

cat >"$tmp/p.json" <<JSON
{"collectors": [{"plugin": "runqlen", "params": {"window": "$window", "frequency_hz": $freq}}],
 "features": [{"plugin": "runqlen_hist"}],
 "sinks": [{"plugin": "stdout", "params": {"format": "json"}}]}
JSON

for _ in $(seq "$ncpu"); do
	bash -c 'while :; do :; done' &
	loops+=($!)
done
echo 1 >/proc/sys/kernel/bpf_stats_enabled

# bpftool here may not list owning pids: ours is the runqlen program that is new.
before=$(bpftool prog show -j | jq -c '[.[] | select(.name == "runqlen_sample") | .id]')
# Stopped with SIGINT once measured, however long its start took.
"$anomon" run "$tmp/p.json" -v >/dev/null 2>"$tmp/err" &
pid=$!
# Past loading and attaching: measure the steady state.
for _ in $(seq 100); do
	grep -q 'info: sampling' "$tmp/err" && break
	kill -0 "$pid" 2>/dev/null || { echo "overhead.sh: anomon did not start: $(tail -3 "$tmp/err")" >&2; exit 1; }
	sleep 0.1
done
sleep 0.5
oncpu() { kill -0 "$pid" 2>/dev/null || { echo "overhead.sh: anomon exited: $(tail -3 "$tmp/err")" >&2; exit 1; }; cat /proc/"$pid"/task/*/schedstat | awk '{ t += $1 } END { print t }'; }
c0=$(oncpu)
prog=$(bpftool prog show -j | jq -c --argjson old "$before" \
	'[.[] | select(.name == "runqlen_sample" and (.id as $i | $old | index($i) | not))][0]')
rt0=$(jq '.run_time_ns // 0' <<<"$prog")
rc0=$(jq '.run_cnt // 0' <<<"$prog")
id=$(jq '.id' <<<"$prog")
sleep "$dur"
c1=$(oncpu)
prog=$(bpftool prog show id "$id" -j)
rt1=$(jq '.run_time_ns // 0' <<<"$prog")
rc1=$(jq '.run_cnt // 0' <<<"$prog")
kill -INT "$pid"
wait "$pid"

awk -v c="$((c1 - c0))" -v rt="$((rt1 - rt0))" \
	-v rc="$((rc1 - rc0))" -v d="$dur" -v f="$freq" -v n="$ncpu" -v w="$window" 'BEGIN {
	user = c / 1e9; bpf = rt / 1e9
	printf "| runqlen %d Hz, %d CPUs, window %s, %d s | %.3f s | %.4f s (%d runs, %.0f ns each) | %.3f %% |\n",
		f, n, w, d, user, bpf, rc, (rc ? rt / rc : 0), 100 * (user + bpf) / d
}'
