#!/usr/bin/env bash
# The replay collector through anomon on the recorded logs of every format: event counts and
# field values, auto detection and its message, the end-of-run summary, standard input,
# datasets into a feature, pacing, and configuration errors.
set -u
: "${ANOMON:?} ${SRC:?}"
fx="$SRC/tests/fixtures/formats"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The replay stage alone into NDJSON; the shipped pipelines may gain features and models.
events='{"collectors":[{"plugin":"replay"}],"sinks":[{"plugin":"stdout","params":{"format":"json"}}]}'
echo "$events" >"$tmp/events.json"
cpu=$tmp/events.json disk=$tmp/events.json
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
count() { grep -c "$1" "$2"; }

# runqlen: one runq_hist per @runqlen:, one span each; bins by their value, not position.
"$ANOMON" run "$cpu" --set replay.path="$fx/runqlen.log" --set replay.start=0 \
	--set replay.span=5s -v >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || fail "runqlen: exit $rc: $(cat "$tmp/err")"
[ "$(count '"type":"runq_hist"' "$tmp/out")" -eq 5 ] || fail "runqlen: expected 5 histograms"
sed -n 2p "$tmp/out" | grep -q '"ts_ns":10000000000,.*"samples":460,"overflow":0,"bins":\[46,204,205,5,0,' ||
	fail "runqlen: second histogram: $(sed -n 2p "$tmp/out" | cut -c1-300)"
# The third starts at [1, 2): bin 0 is empty (the original tool put 249 there).
sed -n 3p "$tmp/out" | grep -q '"samples":499,"overflow":0,"bins":\[0,249,250,0,' ||
	fail "runqlen: third histogram: $(sed -n 3p "$tmp/out" | cut -c1-300)"
grep -q '24 lines read, 5 events emitted, 0 lines rejected' "$tmp/err" ||
	fail "runqlen: summary: $(cat "$tmp/err")"

# opensnoop: every open, failed ones with FD -1 and ERR, the last one intact; auto says
# what it chose (at -v), and the summary counts lines, events and rejects.
"$ANOMON" run "$disk" --set replay.path="$fx/opensnoop.log" -v >"$tmp/out" 2>"$tmp/err" ||
	fail "opensnoop: $(cat "$tmp/err")"
[ "$(count '"type":"open"' "$tmp/out")" -eq 3874 ] || fail "opensnoop: expected 3874 opens"
[ "$(count '"fd":-1,"err":[1-9]' "$tmp/out")" -eq 722 ] || fail "opensnoop: expected 722 failed opens"
[ "$(count '"comm":"ls"' "$tmp/out")" -eq 2233 ] || fail "opensnoop: expected 2233 opens by ls"
tail -1 "$tmp/out" | grep -q '"pid":29556,"comm":"sleep","fd":3,"err":0,"path":"/usr/lib/locale/C.utf8/LC_CTYPE"}' ||
	fail "opensnoop: last open: $(tail -1 "$tmp/out")"
grep -q 'opensnoop.log:3: format auto: reading opensnoop (from a header)' "$tmp/err" ||
	fail "opensnoop: no auto message: $(cat "$tmp/err")"
grep -q '3880 lines read, 3874 events emitted, 0 lines rejected' "$tmp/err" ||
	fail "opensnoop: summary: $(cat "$tmp/err")"
# No timestamps in the log: events get the time they were read (now, not 1970).
head -1 "$tmp/out" | grep -q '"time":"20[2-9][0-9]-' || fail "opensnoop: read time: $(head -1 "$tmp/out")"
# Without -v the run is silent on stderr.
"$ANOMON" run "$disk" --set replay.path="$fx/opensnoop.log" >/dev/null 2>"$tmp/err"
[ ! -s "$tmp/err" ] || fail "opensnoop: stderr without -v: $(cat "$tmp/err")"

# PATH runs to the end of the line, spaces included; COMM may hold a space.
printf 'PID COMM FD ERR PATH\n7 tmux: server 5 0 /tmp/a dir/my file.txt\n' >"$tmp/sp.log"
"$ANOMON" run "$disk" --set replay.path="$tmp/sp.log" >"$tmp/out" 2>"$tmp/err"
grep -q '"pid":7,"comm":"tmux: server","fd":5,"err":0,"path":"/tmp/a dir/my file.txt"}' "$tmp/out" ||
	fail "spaces: $(cat "$tmp/out" "$tmp/err")"

# biosnoop (bcc, 8 columns) from a pipe: the log's own times; rwbs, sector, bytes present,
# queue time absent.
cat "$fx/biosnoop.log" | "$ANOMON" run "$disk" --set replay.path=- --set replay.start=0 >"$tmp/out" 2>"$tmp/err" ||
	fail "biosnoop pipe: $(cat "$tmp/err")"
[ "$(count '"type":"bio"' "$tmp/out")" -eq 528 ] || fail "biosnoop: expected 528 bio events"
head -1 "$tmp/out" | grep -q '"ts_ns":2656000000,"pid":29578,"comm":"bash","disk":"vda","rwbs":"RA","sector":12654392,"bytes":16384,"service_ns":315000}' ||
	fail "biosnoop: first request: $(head -1 "$tmp/out")"
tail -1 "$tmp/out" | grep -q '"ts_ns":2792000000,.*"sector":35693568,"bytes":262144,"service_ns":4121000}' ||
	fail "biosnoop: last request: $(tail -1 "$tmp/out")"
grep -q queue_ns "$tmp/out" && fail "biosnoop: queue time should be absent"
bytes=$(grep -o '"bytes":[0-9]*' "$tmp/out" | cut -d: -f2 | awk '{ s += $1 } END { print s }')
[ "$bytes" = 42786816 ] || fail "biosnoop: total bytes $bytes"

# biosnoop5 (the original script) on standard input from a file; an RFC 3339 start.
"$ANOMON" run "$disk" --set replay.path=- --set replay.start=2024-11-25T08:00:00Z <"$fx/biosnoop5.log" >"$tmp/out" 2>"$tmp/err" ||
	fail "biosnoop5: $(cat "$tmp/err")"
[ "$(count '"type":"bio"' "$tmp/out")" -eq 528 ] || fail "biosnoop5: expected 528 bio events"
head -1 "$tmp/out" | grep -q '"time":"2024-11-25T08:00:02.689000000Z",.*"pid":29578,"comm":"bash","disk":"vda","service_ns":0}' ||
	fail "biosnoop5: first request: $(head -1 "$tmp/out")"
grep -q '"rwbs"\|"sector"\|"bytes"' "$tmp/out" && fail "biosnoop5: absent fields printed"
[ "$(count '"service_ns":4000000}' "$tmp/out")" -ge 1 ] || fail "biosnoop5: LAT(ms) 4 as 4 ms"

# Each format forced by name reads its log whole.
for f in runqlen opensnoop biosnoop biosnoop5; do
	"$ANOMON" run "$disk" --set replay.path="$fx/$f.log" --set replay.format=$f -v >/dev/null 2>"$tmp/err" ||
		fail "format=$f: exit $?"
	grep -q ' 0 lines rejected' "$tmp/err" || fail "format=$f: $(grep lines "$tmp/err")"
done

# A bpftrace warning, a banner and a lost-events line are not rejects; lost events are drops.
printf 'Attaching 6 probes...\nWARNING: x\ncannot attach kprobe, probe entry may not exist\nPID COMM FD ERR PATH\n1 a 3 0 /x\nLost 41 events\n' >"$tmp/lost.log"
"$ANOMON" run "$disk" --set replay.path="$tmp/lost.log" -v >/dev/null 2>"$tmp/err"
grep -q '6 lines read, 1 events emitted, 0 lines rejected' "$tmp/err" || fail "lost: $(cat "$tmp/err")"
grep -q 'replay .*dropped 41' "$tmp/err" || fail "lost: drops: $(cat "$tmp/err")"

# Bad lines are counted and skipped, the run goes on and exits 0; strict stops at the first.
printf 'PID COMM FD ERR PATH\n1 sh 3 0 /a\n1 sh three 0 /b\n2 sh 4 0 /c\n' >"$tmp/bad.log"
"$ANOMON" run "$disk" --set replay.path="$tmp/bad.log" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || fail "bad line: exit $rc"
[ "$(wc -l <"$tmp/out")" -eq 2 ] || fail "bad line: expected 2 events"
grep -q "bad.log:3:3: expected COMM .*; line skipped (rejected line 1; one in 1000 is reported)" "$tmp/err" ||
	fail "bad line: message: $(cat "$tmp/err")"
grep -q '4 lines read, 2 events emitted, 1 lines rejected' "$tmp/err" || fail "bad line: summary: $(cat "$tmp/err")"
"$ANOMON" run "$disk" --set replay.path="$tmp/bad.log" --set replay.strict=true >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "strict: exit $rc, expected 2"
[ "$(wc -l <"$tmp/out")" -eq 1 ] || fail "strict: expected 1 event before the bad line"
grep -q 'error: .*collectors\[0\] (replay): .*bad.log:3:3: expected COMM.*stopping (strict)' "$tmp/err" || fail "strict: $(cat "$tmp/err")"

# Configuration errors exit 2 before anything runs.
for set in replay.format=biosnoop7 replay.path="$tmp/none.log" replay.path="$tmp" \
	"replay.start=yesterday" "replay.bins=0"; do
	"$ANOMON" validate "$disk" --set replay.path="$tmp/bad.log" --set "$set" >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] || fail "--set $set: exit $rc, expected 2"
	grep -q 'replay' "$tmp/err" || fail "--set $set: message: $(cat "$tmp/err")"
done
"$ANOMON" validate "$disk" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q 'missing required parameter "path"' "$tmp/err" || fail "path is not required"

# The seed dataset, one class, through the run-queue feature: one vector per row.
cat >"$tmp/csv.json" <<JSON
{"collectors":[{"plugin":"replay","params":{"path":"$SRC/tests/replay/fixtures/runqlen_histograms.csv","label":1}}],
 "features":[{"plugin":"runqlen_hist"}],"sinks":[{"plugin":"stdout","params":{"format":"json"}}]}
JSON
"$ANOMON" run "$tmp/csv.json" >"$tmp/out" 2>"$tmp/err" || fail "csv: $(cat "$tmp/err")"
[ "$(count '"record":"vector"' "$tmp/out")" -eq 39 ] || fail "csv: expected 39 vectors"

# A real-time replay is cut by --duration: it stops promptly and cleanly.
start=$(date +%s%N)
"$ANOMON" run "$cpu" --set replay.path="$fx/runqlen.log" --set replay.speed=1 --duration 0.5 >"$tmp/out" 2>"$tmp/err"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
[ $rc -eq 0 ] || fail "paced: exit $rc: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/out")" -eq 0 ] || fail "paced: nothing is due in the first 0.5 s of a 10 s span"
[ $ms -lt 5000 ] || fail "paced: took ${ms} ms to stop"
# Paced at 20x, the biosnoop log's requests (2.66 to 2.79 s into the trace) go out after
# about 133 to 140 ms.
start=$(date +%s%N)
"$ANOMON" run "$disk" --set replay.path="$fx/biosnoop.log" --set replay.speed=20 >"$tmp/out" 2>"$tmp/err"
ms=$((($(date +%s%N) - start) / 1000000))
[ "$(count '"type":"bio"' "$tmp/out")" -eq 528 ] || fail "paced biosnoop: expected 528 events"
[ $ms -ge 100 ] || fail "paced biosnoop: speed 20 took only ${ms} ms (trace times 2.66 to 2.79 s)"
# A log without times is not held back by pacing.
"$ANOMON" run "$disk" --set replay.path="$fx/opensnoop.log" --set replay.speed=1 --duration 3 >"$tmp/out" 2>"$tmp/err"
[ "$(count '"type":"open"' "$tmp/out")" -eq 3874 ] || fail "paced opensnoop: $(count '"type":"open"' "$tmp/out") of 3874 opens"

# Reading in bounded turns keeps the loop responsive: SIGINT in the middle of a long log
# stops the run at once, with what was read so far flushed and summarised.
awk 'BEGIN { print "PID COMM FD ERR PATH"; for (i = 0; i < 3000000; i++) printf "%d ls 3 0 /etc/ld.so.cache\n", i % 30000 + 1 }' >"$tmp/big.log"
"$ANOMON" run "$disk" --set replay.path="$tmp/big.log" -v >/dev/null 2>"$tmp/err" &
bg=$!
sleep 0.3
start=$(date +%s%N)
kill -INT $bg
wait $bg
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
[ $rc -eq 0 ] || fail "SIGINT mid-file: exit $rc"
[ $ms -lt 1000 ] || fail "SIGINT mid-file: took ${ms} ms to stop"
read_lines=$(grep -o '[0-9]* lines read' "$tmp/err" | cut -d' ' -f1)
[ -n "$read_lines" ] && [ "$read_lines" -lt 3000001 ] || fail "SIGINT mid-file: $(cat "$tmp/err")"

[ $fails -eq 0 ] && echo "all replay format checks passed"
exit $((fails > 0))
