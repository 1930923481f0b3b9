#!/bin/bash
# Live test of the runqlen collector and the runqlen_hist feature through anomon, as root:
#  - idle: host sample counts match frequency x window x CPUs;
#  - under contention (4 busy loops per CPU): the host histogram's mean rises by at least
#    1.5, at least 75% of samples see a task waiting (root run queue), and the raw kernel
#    samples (idle_fill off) still match frequency x window x CPUs, since busy CPUs take
#    every sample;
#  - a second anomon instance runs at the same time as the first and both produce windows.
# Env: ANOMON (the binary), SRC, BUILD. Exit 77 only when the kernel refuses BPF or perf.
set -euo pipefail

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; exit 1; }

cat >"$tmp/live.json" <<'JSON'
{
  "collectors": [{"plugin": "runqlen", "params": {"window": "1s", "frequency_hz": 99}}],
  "features": [{"plugin": "runqlen_hist"}],
  "sinks": [{"plugin": "stdout", "params": {"format": "json"}}]
}
JSON

# Skip only when the kernel or the permissions refuse BPF or perf events here.
if ! out=$("$ANOMON" validate "$tmp/live.json" 2>&1); then
	if grep -qiE 'not permitted|not available|not usable|BTF' <<<"$out"; then
		echo "SKIP: $out"
		exit 77
	fi
	fail "validate: $out"
fi

ncpu=$(nproc)
freq=99

# run NAME SECONDS [--set ...]: host vectors as NDJSON in $tmp/NAME.json
run() {
	local name=$1 secs=$2
	shift 2
	"$ANOMON" run "$tmp/live.json" --duration "$secs" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" ||
		fail "$name: anomon exited $?: $(cat "$tmp/$name.err")"
	jq -c 'select(.record == "vector" and .key == "host")' "$tmp/$name.out" >"$tmp/$name.json"
	[ -s "$tmp/$name.json" ] || fail "$name: no host vectors: $(head -c 500 "$tmp/$name.out")"
}

# jq: seconds since midnight of an RFC 3339 UTC time, and a window's duration.
jqdefs='def secs(t): (t | capture("T(?<h>[0-9]+):(?<m>[0-9]+):(?<s>[0-9.]+)Z") |
	(.h | tonumber) * 3600 + (.m | tonumber) * 60 + (.s | tonumber));
def dur: (secs(.end) - secs(.start)) | if . < 0 then . + 86400 else . end;'

# Average of a feature over the full windows (the last, partial one is left out).
avg() {
	jq -s --arg f "$2" "$jqdefs"' [.[] | select(dur >= 0.9) | .features[$f]] | add / length' \
		"$tmp/$1.json"
}

# Every host window: samples / (freq x duration x CPUs) within [lo, hi].
check_counts() {
	local name=$1 lo=$2 hi=$3
	jq -r --argjson f "$freq" --argjson n "$ncpu" "$jqdefs"'
		dur as $d | select($d >= 0.5) | "\(.features.samples) \($d * $f * $n)"' \
		"$tmp/$name.json" >"$tmp/$name.counts"
	[ -s "$tmp/$name.counts" ] || fail "$name: no window of 0.5 s or more"
	while read -r got want; do
		awk -v g="$got" -v w="$want" -v lo="$lo" -v hi="$hi" \
			'BEGIN { exit !(g >= lo * w && g <= hi * w) }' ||
			fail "$name: $got samples in a window, expected about $want ($lo..$hi x)"
	done <"$tmp/$name.counts"
	echo "$name: sample counts match $freq Hz x window x $ncpu CPUs ($(wc -l <"$tmp/$name.counts") windows)"
}

# 1. Idle (or whatever else this machine runs).
run idle 4.5
check_counts idle 0.90 1.10
idle_mean=$(avg idle mean)
idle_wait=$(avg idle waiting)
echo "idle: mean $idle_mean, waiting $idle_wait"

# 2. Contention: 4 busy loops per CPU, with a second instance running alongside the first.
for _ in $(seq $((4 * ncpu))); do
	bash -c 'while :; do :; done' &
	pids+=($!)
done
sleep 0.5
"$ANOMON" run "$tmp/live.json" --duration 4.5 >"$tmp/second.out" 2>"$tmp/second.err" &
second=$!
pids+=("$second")
# Note the programs the second instance holds, to check below that its exit released them
# (other anomon instances on the machine may hold runqlen programs of their own).
(sleep 2; cat /proc/"$second"/fdinfo/* 2>/dev/null | sed -n 's/^prog_id:[[:space:]]*//p' |
	sort -u >"$tmp/ids") &
ids_job=$!
run load 4.5 --set runqlen.idle_fill=false
wait "$second" || fail "second instance exited with an error: $(cat "$tmp/second.err")"
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
wait 2>/dev/null || true
pids=()

check_counts load 0.85 1.10
load_mean=$(avg load mean)
load_wait=$(avg load waiting)
echo "load: mean $load_mean, waiting $load_wait"
# 4 loops per CPU keep about 3 tasks waiting on each root run queue. Not every sample waits:
# the balancer weighs autogroups, not tasks, so it may leave another session's lone task on a
# CPU of its own for a while.
awk -v l="$load_mean" -v i="$idle_mean" 'BEGIN { exit !(l >= i + 1.5) }' ||
	fail "mean queue length did not rise under load: idle $idle_mean, load $load_mean"
awk -v l="$load_wait" 'BEGIN { exit !(l >= 0.75) }' ||
	fail "under load fewer than 75% of samples saw a task waiting: $load_wait (idle $idle_wait)"

n2=$(jq -c 'select(.record == "vector" and .key == "host")' "$tmp/second.out" | wc -l)
[ "$n2" -ge 3 ] || fail "second instance: $n2 host windows, expected at least 3"
echo "second instance: $n2 host windows alongside the first"

# 3. The second instance released its BPF programs.
wait "$ids_job" || true
sleep 0.2
if command -v bpftool >/dev/null || [ -x /usr/sbin/bpftool ]; then
	[ -s "$tmp/ids" ] || fail "the running instance held no BPF program"
	while read -r id; do
		! PATH=$PATH:/usr/sbin bpftool prog show id "$id" >/dev/null 2>&1 ||
			fail "BPF program $id still loaded after its instance exited"
	done <"$tmp/ids"
fi
echo "ok"
