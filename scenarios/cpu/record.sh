#!/bin/bash
# Record the CPU datasets (datasets/cpu/NAME.jsonl) that models/rebuild-cpu trains the
# default model from: host run-queue vectors (scenarios/cpu/record.json, 2 s windows) under
# one load each, labelled normal or abnormal. Every load runs in its own process group, is
# bounded by its own timeout and is killed when its recording ends or the script exits.
#
#   scenarios/cpu/record.sh [-a ANOMON] [-d SECONDS] [-o DIR] [-t TRIES] [SCENARIO...]
#
# Scenarios (all of them when none is named):
#   normal:   idle     nothing but the machine's own background
#             busy1    one busy process (stress-ng --cpu 1)
#             busy2    two busy processes on a 2-CPU machine (stress-ng --cpu 2)
#             build    a parallel build of anomon itself (ninja -j NCPU, repeated; the
#                      source tree is $BUILD_SRC, default this repository)
#   abnormal: cpu4     twice as many busy threads as CPUs (stress-ng --cpu 2xNCPU)
#             cpu8     four times as many (stress-ng --cpu 4xNCPU)
#             fork     a fork storm (stress-ng --fork NCPU)
#             mixed    CPU and disk I/O (stress-ng --cpu 2xNCPU --hdd 2)
# Run as root from anywhere; needs stress-ng (scripts/deps.txt). Record on an otherwise quiet
# machine: a normal scenario waits (up to 30 s) until the CPUs are at least 80% idle, keeps
# only the windows in which other work did not make it contention (on average at most one
# runnable task per CPU, plus half a task: procs_running in /proc/stat), and is recorded
# again (up to TRIES times, default 3) until it has enough of them.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
anomon=$root/build/anomon
secs=40
out=$root/datasets/cpu
tries=3
while getopts "a:d:o:t:h" opt; do
	case $opt in
	a) anomon=$OPTARG ;;
	d) secs=$OPTARG ;;
	o) out=$OPTARG ;;
	t) tries=$OPTARG ;;
	*) sed -n '2,23p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
all=(idle busy1 busy2 build cpu4 cpu8 fork mixed)
[ $# -gt 0 ] && scenarios=("$@") || scenarios=("${all[@]}")

command -v stress-ng >/dev/null || { echo "record.sh: stress-ng is not installed" >&2; exit 2; }
[ -x "$anomon" ] || { echo "record.sh: $anomon: no anomon binary (-a ANOMON)" >&2; exit 2; }
ncpu=$(nproc)
tmp=$(mktemp -d)
load_pgid=
sampler=

stop_load() {
	if [ -n "$load_pgid" ]; then
		kill -TERM -- "-$load_pgid" 2>/dev/null || true
		sleep 0.5
		kill -KILL -- "-$load_pgid" 2>/dev/null || true
		load_pgid=
	fi
}
cleanup() {
	[ -n "$sampler" ] && kill "$sampler" 2>/dev/null
	stop_load
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Percent of CPU time busy over one second, from /proc/stat.
busy_pct() {
	local a b
	a=($(head -1 /proc/stat))
	sleep 1
	b=($(head -1 /proc/stat))
	awk -v u="$((b[1] + b[2] + b[3] + b[6] + b[7] - a[1] - a[2] - a[3] - a[6] - a[7]))" \
		-v i="$((b[4] + b[5] - a[4] - a[5]))" 'BEGIN { printf "%d", 100 * u / (u + i + 1e-9) }'
}

wait_quiet() {
	local b
	for _ in $(seq 30); do
		b=$(busy_pct)
		[ "$b" -le 20 ] && return 0
	done
	echo "record.sh: warning: the machine stayed busy (${b}% of CPU time); recording anyway" >&2
}

# Start a load command in a new process group (setsid) whose id is recorded for stop_load.
start_load() {
	setsid "$@" >/dev/null 2>&1 </dev/null &
	load_pgid=$!
	sleep 1 # past start-up: every recorded window is under the load
}

# Every quarter second, "NANOSECONDS RUNNABLE" (procs_running of /proc/stat) into FILE.
sample_running() {
	while :; do
		awk -v t="$(date +%s%N)" '$1 == "procs_running" { print t, $2 - 1 }' /proc/stat
		sleep 0.25
	done >"$1" # (minus 1: awk itself)
}

# Print the lines of dataset FILE whose window saw on average at most LIMIT runnable tasks
# in the samples of RUNNING.
quiet_windows() {
	jq -r '"\(.start) \(.end)"' "$1" |
		awk -v lim="$3" 'NR == FNR { t[NR] = $1; n[NR] = $2; m = NR; next }
			{ c = s = 0
			  for (i = 1; i <= m; i++) if (t[i] >= $1 && t[i] <= $2) { c++; s += n[i] }
			  if (c && s / c <= lim) print FNR }' "$2" - >"$tmp/keep"
	awk 'NR == FNR { k[$1]; next } FNR in k' "$tmp/keep" "$1"
}

bound=$((secs + 15)) # every load ends by itself even if this script is killed
for s in "${scenarios[@]}"; do
	case $s in
	idle) label=normal ;;
	busy1) label=normal; load=(stress-ng --cpu 1 --timeout "${bound}s") ;;
	busy2) label=normal; load=(stress-ng --cpu 2 --timeout "${bound}s") ;;
	build) label=normal; load=(timeout "$bound" "$here/build_loop.sh" "${BUILD_SRC:-$root}" "$tmp/build" "$ncpu") ;;
	cpu4) label=abnormal; load=(stress-ng --cpu $((2 * ncpu)) --timeout "${bound}s") ;;
	cpu8) label=abnormal; load=(stress-ng --cpu $((4 * ncpu)) --timeout "${bound}s") ;;
	fork) label=abnormal; load=(stress-ng --fork "$ncpu" --timeout "${bound}s") ;;
	mixed) label=abnormal
		load=(stress-ng --cpu $((2 * ncpu)) --hdd 2 --hdd-bytes 64M --temp-path "$tmp" --timeout "${bound}s") ;;
	*) echo "record.sh: unknown scenario $s (one of: ${all[*]})" >&2; exit 2 ;;
	esac
	# Normal scenarios keep only the windows in which other work did not turn the load into
	# contention: on average no more runnable tasks than CPUs (plus half a task). They are
	# recorded again until they have 3/4 of one run's windows or TRIES runs were made.
	need=$((secs * 3 / 8))
	: >"$tmp/kept.jsonl"
	for _ in $(seq "$tries"); do
		[ "$label" = normal ] && wait_quiet
		before=$(cut -d' ' -f1-3 /proc/loadavg)
		[ "$s" = idle ] || start_load "${load[@]}"
		sample_running "$tmp/running" &
		sampler=$!
		"$anomon" record "$here/record.json" -q --label "$label" --out "$tmp/run.jsonl" \
			--duration "$secs"
		kill "$sampler"
		wait "$sampler" 2>/dev/null || true
		sampler=
		stop_load
		if [ "$label" = normal ]; then
			quiet_windows "$tmp/run.jsonl" "$tmp/running" "$ncpu.5" >>"$tmp/kept.jsonl"
		else
			cat "$tmp/run.jsonl" >>"$tmp/kept.jsonl"
		fi
		running=$(awk '{ t += $2 } END { printf "%.2f", t / NR }' "$tmp/running")
		echo "$s: kept $(wc -l <"$tmp/kept.jsonl") windows so far ($(wc -l <"$tmp/run.jsonl")" \
			"this run, runnable tasks on average $running, load average before: $before)"
		[ "$(wc -l <"$tmp/kept.jsonl")" -ge "$need" ] && break
	done
	if [ -s "$tmp/kept.jsonl" ]; then
		mv "$tmp/kept.jsonl" "$out/$s.jsonl"
		echo "$s: $(wc -l <"$out/$s.jsonl") windows, $label -> $out/$s.jsonl"
	else
		echo "record.sh: $s: the machine never stayed quiet; $out/$s.jsonl not written" >&2
	fi
done
