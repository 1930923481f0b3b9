#!/bin/bash
# Drops end to end, live, as root: an open() storm while anomon's reader is stopped fills a
# 64 KiB ring, through the disk pipeline (opensnoop -> disk_behaviour -> forest, twice: once
# with skip_incomplete) into a file sink and the prometheus sink. Checks that the counts add
# up at every link:
#  1. the kernel saw every open: seen = delivered + dropped, and the run's statistics say so;
#  2. the feature got what was delivered, and its windows hold exactly that;
#  3. the window that lost events is incomplete in its vector's verdict, in the file; the
#     model told to skip incomplete windows leaves it unjudged;
#  4. prometheus exports the collector's drops while running, and the run's statistics at
#     exit are a warning that names them.
# (A sink's own drops, a full queue or a failing disk, are tested in tests/sinks/file.sh.)
# Usage: drops.sh OPEN_STORM   (env: ANOMON, SRC). Exit 77 only when the kernel refuses BPF.
. "$(dirname "$0")/lib.sh"
storm=$1
nstorm=200000

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$tmp/p.json" <<JSON
{"name": "drops",
 "collectors": [{"plugin": "opensnoop", "params": {"comm": "anomon-storm", "ringbuf_size": "64k"}}],
 "features": [{"plugin": "disk_behaviour", "params": {"window": "2s", "tokens": 32}}],
 "models": [{"plugin": "forest", "params": {"model": "$SRC/models/disk-forest.json"}},
            {"plugin": "forest", "name": "strict",
             "params": {"model": "$SRC/models/disk-forest.json", "skip_incomplete": true}}],
 "sinks": [{"plugin": "file", "params": {"path": "$tmp/verdicts.ndjson"}},
           {"plugin": "prometheus", "params": {"listen": "127.0.0.1:$port"}}]}
JSON
skip_unless_bpf "$tmp/p.json"

# Stopped by SIGTERM once the metrics are read (the run flushes and exits 0 either way).
start drops "$tmp/p.json" 60
kill -STOP "$last_pid"
# In a sanitizer build LeakSanitizer would open /proc files at exit, under the storm's name.
read -r _ opened < <(ASAN_OPTIONS=detect_leaks=0 "$storm" anomon-storm "$nstorm")
kill -CONT "$last_pid"
# Within a poll interval the ring is read, and the kernel's drop counter with it.
pdrops=
for _ in $(seq 100); do
	metrics=$(curl -sf "http://127.0.0.1:$port/metrics") || fail "no metrics: $(cat "$tmp/drops.err")"
	pdrops=$(sed -nE 's/^anomon_stage_drops_total\{stage="opensnoop",[^}]*\} ([0-9.e+]+)$/\1/p' <<<"$metrics")
	[ "${pdrops:-0}" != 0 ] && break
	sleep 0.05
done
kill -TERM "$last_pid"
finish "$last_pid" drops

# 1. The kernel's counts and the run's statistics.
read -r seen delivered dropped < <(counters drops)
echo "storm: $opened opens; kernel: seen $seen, delivered $delivered, dropped $dropped"
[ "$seen" -eq "$opened" ] || fail "the kernel saw $seen opens of $opened"
[ "$dropped" -gt 0 ] || fail "no drops with a stopped reader and a 64 KiB ring"
[ $((delivered + dropped)) -eq "$seen" ] || fail "delivered + dropped != seen"
stat() { sed -nE "s/.*: $1 +$2 +in ([0-9]+) out ([0-9]+) dropped ([0-9]+).*/\\1 \\2 \\3/p" "$tmp/drops.err" | tail -1; }
read -r _ out cdrops < <(stat opensnoop collector)
echo "statistics: opensnoop out $out dropped $cdrops"
[ "$out" -eq "$delivered" ] && [ "$cdrops" -eq "$dropped" ] ||
	fail "the run's statistics disagree with the kernel: $(grep collector "$tmp/drops.err")"

# 2. The feature and its windows.
read -r fin fout fdrops < <(stat disk_behaviour feature)
echo "feature: in $fin, windows $fout, dropped $fdrops"
[ "$fin" -eq "$delivered" ] || fail "the feature received $fin of $delivered events"
[ "$fdrops" -eq 0 ] || fail "the feature dropped $fdrops"

# 3. Verdicts in the file: every window judged twice; the incomplete one unjudged by strict.
v=$tmp/verdicts.ndjson
[ "$(jq -s length "$v")" -eq $((2 * fout)) ] || fail "$(wc -l <"$v") verdicts for $fout windows"
inc=$(jq -s 'map(select(.stage == "forest" and .incomplete)) | length' "$v")
strict_inc=$(jq -s 'map(select(.stage == "strict" and .incomplete)) | length' "$v")
unjudged=$(jq -s 'map(select(.stage == "strict" and .label == "unjudged")) | length' "$v")
judged_inc=$(jq -s 'map(select(.stage == "forest" and .incomplete and .label != "unjudged")) | length' "$v")
echo "verdicts: $inc incomplete windows, judged by forest $judged_inc, left unjudged by strict $unjudged"
[ "$inc" -ge 1 ] || fail "no verdict is marked incomplete: $(cat "$v")"
[ "$strict_inc" -eq "$inc" ] && [ "$unjudged" -eq "$inc" ] && [ "$judged_inc" -eq "$inc" ] ||
	fail "skip_incomplete: strict saw $strict_inc incomplete windows and left $unjudged unjudged"
# The storm's last window lost its events.
jq -s -e 'map(select(.stage == "forest")) | max_by(.end) | .incomplete' "$v" >/dev/null ||
	fail "the storm's window is not incomplete"

# 4. Prometheus, while running.
echo "prometheus: anomon_stage_drops_total of opensnoop $pdrops"
[ -n "$pdrops" ] && awk -v a="$pdrops" -v b="$dropped" 'BEGIN { exit !(a == b) }' ||
	fail "prometheus exported ${pdrops:-no} drops, the kernel counted $dropped"
grep -qE "warning: opensnoop +collector +in 0 out $delivered dropped $dropped\$" "$tmp/drops.err" ||
	fail "the drops are not a warning at exit: $(grep collector "$tmp/drops.err")"

echo "ok"
