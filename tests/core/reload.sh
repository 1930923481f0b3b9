#!/bin/bash
# SIGHUP re-reads the pipeline file: unchanged stages keep running (the collector's count and
# a feature's open window go on), changed ones restart, added and removed ones come and go,
# a bad file is refused while the old pipeline keeps delivering, and the reload counters show
# in the prometheus sink. A replay collector reads a FIFO the test feeds, so every record can
# be accounted for.
. "$(dirname "$0")/lib.sh"
trap '' PIPE
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT
FIFO=$tmp/fifo
mkfifo "$FIFO"
P=$tmp/p.json
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# pipeline EVENTS_FILE [EXTRA_SINK] [LOGREG_PARAMS] [EXTRA_COLLECTOR]: replay (its path comes
# from --set) feeds a file sink "events" and open_behaviour, whose one window (1000 events)
# stays open until the end; runqlen_hist and logreg are there for the prometheus sink.
pipeline() {
	cat >"$P" <<JSON
{"name": "reload",
 "collectors": [{"plugin": "replay", "params": {"format": "opensnoop"}}${4:-}],
 "features": [
  {"plugin": "open_behaviour", "inputs": ["replay"], "params": {"window_events": 1000, "key": "host"}},
  {"plugin": "runqlen_hist", "inputs": ["replay"], "params": {"features": ["tails", "stats"]}}],
 "models": [{"plugin": "logreg", "inputs": ["runqlen_hist"],
   "params": {${3:-\"model\": \"$SRC/models/runqlen-logreg.json\"}, "top": 2}}],
 "sinks": [
  {"plugin": "file", "name": "events", "inputs": ["replay"], "params": {"path": "$1"}},
  {"plugin": "file", "name": "vectors", "inputs": ["open_behaviour"], "params": {"path": "$tmp/vectors.ndjson"}},
  {"plugin": "prometheus", "inputs": ["logreg"], "params": {"listen": "127.0.0.1:$PORT"}}${2:-}]}
JSON
}

# wait_for DESCRIPTION COMMAND...: poll COMMAND for up to 10 s.
wait_for() {
	local what=$1 i
	shift
	checks=$((checks + 1))
	for ((i = 0; i < 200; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	fail "$what"
	return 1
}
lines() { [ -f "$1" ] && [ "$(wc -l <"$1")" -eq "$2" ]; }
logged() { [ "$(grep -c -- "$1" "$tmp/err")" -ge "${2:-1}" ]; }
feed() { for ((i = $1; i <= $2; i++)); do echo "4242 cat 3 0 /f/$i"; done >&3; }
# paths FILE: the opened paths the file sink wrote, one line
paths() { python3 -c '
import json, sys
print(" ".join(json.loads(l)["path"] for l in open(sys.argv[1])))' "$1"; }
seq_paths() { local i out=; for ((i = $1; i <= $2; i++)); do out+="${out:+ }/f/$i"; done; echo "$out"; }
no_sanitizer_report() { ! grep -q Sanitizer "$tmp/err"; }
hup() { kill -HUP "$pid"; wait_for "$1" logged "$2" "${3:-1}"; }

pipeline "$tmp/a.ndjson"
"$ANOMON" run "$P" --set replay.path="$FIFO" -v >"$tmp/out" 2>"$tmp/err" &
pid=$!
exec 3>"$FIFO"
feed 1 5
wait_for "5 events in a.ndjson before the reload: $(cat "$tmp/err")" lines "$tmp/a.ndjson" 5

# (1) A sink's parameter changes: only that sink restarts; --set is applied again (the file
# has no replay.path).
pipeline "$tmp/b.ndjson"
hup "reload of a changed sink: $(cat "$tmp/err")" \
	'info: reload: kept 6, restarted 1 (events), added 0, removed 0$'
feed 6 10
wait_for "5 events in b.ndjson after the reload" lines "$tmp/b.ndjson" 5
check "a.ndjson holds events 1-5: $(paths "$tmp/a.ndjson")" \
	test "$(paths "$tmp/a.ndjson")" = "$(seq_paths 1 5)"

# (2) Refused: a syntax error; a wrong type; a stage whose init fails (with a sink change in
# the same file that must not happen); with privileges dropped, a new eBPF collector.
cp "$P" "$tmp/good.json"
head -c 200 "$tmp/good.json" >"$P"
hup "invalid JSON refused" 'reload: .*p.json refused; the running pipeline goes on unchanged$'
check "invalid JSON: the error names the file and position: $(cat "$tmp/err")" \
	logged "^anomon: error: $P:[0-9]*:[0-9]*: invalid JSON: "
pipeline "$tmp/b.ndjson" ',
  {"plugin": "stdout", "params": {"format": 7}}'
hup "wrong type refused" 'p.json refused' 2
check "wrong type: FILE:LINE:COL: PATH: what was expected: $(cat "$tmp/err")" \
	logged "^anomon: error: $P:12:45: sinks\[3\].params.format: expected string, got integer$"
pipeline "$tmp/c.ndjson" "" "\"model\": \"$tmp/none.json\""
hup "failing init refused" 'p.json refused' 3
check "failing init: the stage's error with its position: $(cat "$tmp/err")" \
	logged "^anomon: error: $P:6:13: models\[0\] (logreg): .*none.json"
failures_expected=3
if [ -e "$BUILD/plugins/collectors/opensnoop/opensnoop.so" ]; then
	pipeline "$tmp/b.ndjson" "" "" ',{"plugin": "opensnoop"}'
	hup "new eBPF collector after the privilege drop refused" 'p.json refused' 4
	check "privileges: the refusal points at --keep-privileges: $(cat "$tmp/err")" \
		logged 'p.json refused (privileges were dropped after start: .* --keep-privileges)'
	failures_expected=4
fi
feed 11 13
wait_for "events still flow to b.ndjson after refused reloads" lines "$tmp/b.ndjson" 8
check "nothing written to c.ndjson (the refused file's sink)" test ! -e "$tmp/c.ndjson"
check "still running after refused reloads" kill -0 "$pid"

# (3) A sink added, then removed: it sees exactly what flowed while it was there.
pipeline "$tmp/b.ndjson" ',{"plugin": "stdout", "name": "more", "inputs": ["replay"], "params": {"format": "json"}}'
hup "a sink added" 'info: reload: kept 7, restarted 0, added 1 (more), removed 0$'
feed 14 16
wait_for "events 14-16 in b.ndjson" lines "$tmp/b.ndjson" 11
pipeline "$tmp/b.ndjson"
hup "a sink removed" 'info: reload: kept 7, restarted 0, added 0, removed 1 (more)$'
check "the removed sink flushed events 14-16 on its way out: $(paths "$tmp/out")" \
	test "$(paths "$tmp/out")" = "$(seq_paths 14 16)"
feed 17 18

# (4) The counters in /metrics: every reload, failures apart; the collector's count went on.
reloads=$((3 + failures_expected))
wait_for "b.ndjson has 13 events" lines "$tmp/b.ndjson" 13
curl -sf "http://127.0.0.1:$PORT/metrics" >"$tmp/metrics"
check "anomon_reloads_total $reloads: $(grep reload "$tmp/metrics")" \
	grep -qx "anomon_reloads_total $reloads" "$tmp/metrics"
check "anomon_reload_failures_total $failures_expected" \
	grep -qx "anomon_reload_failures_total $failures_expected" "$tmp/metrics"
check "the kept collector's count went on: $(grep 'stage_out_total{stage="replay"' "$tmp/metrics")" \
	grep -qx 'anomon_stage_out_total{stage="replay",plugin="replay",kind="collector"} 18' "$tmp/metrics"

exec 3>&-
wait $pid
rc=$?
pid=
check "end of input: exit $rc: $(cat "$tmp/err")" test $rc -eq 0
check "b.ndjson holds events 6-18 once each: $(paths "$tmp/b.ndjson")" \
	test "$(paths "$tmp/b.ndjson")" = "$(seq_paths 6 18)"
check "the replay collector emitted 18 in all" logged 'info: replay  *collector in 0 out 18 dropped 0$'
# The window open since the first event went through every reload with all of them.
check "one window of 18 events: $(cat "$tmp/vectors.ndjson")" python3 -c '
import json, sys
v = [json.loads(l) for l in open(sys.argv[1])]
assert len(v) == 1 and v[0]["events"] == 18, v' "$tmp/vectors.ndjson"

# (5) SIGHUP during --duration reloads and the run still ends on time; SIGHUPs while the
# run stops (and after the loop closed its handler) do not end it early or crash it.
pipeline "$tmp/d.ndjson"
exec 3<>"$FIFO"
"$ANOMON" run "$P" --set replay.path="$FIFO" --duration 1.5 -v >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 0.4
kill -HUP $pid
sleep 0.3
kill -HUP $pid
wait $pid
rc=$?
check "--duration with SIGHUPs: exit $rc: $(cat "$tmp/err")" test $rc -eq 0
check "--duration: both reloads done" logged 'reload: kept 7, restarted 0, added 0, removed 0$' 2
check "--duration: stopped by the duration" logged 'stopping: duration reached'

"$ANOMON" run "$P" --set replay.path="$FIFO" >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 0.5
kill -TERM $pid
# Until it is a zombie (kill still reaches one): a stream of SIGHUPs through every phase.
for ((k = 0; k < 100000; k++)); do
	kill -HUP $pid 2>/dev/null || break
	read -r _ _ state _ <"/proc/$pid/stat" 2>/dev/null || break
	[ "$state" = Z ] && break
done
wait $pid
rc=$?
pid=
exec 3>&-
check "SIGHUPs at shutdown: exit $rc, expected 0: $(tail -3 "$tmp/err")" test $rc -eq 0
check "SIGHUPs at shutdown: no sanitizer report" no_sanitizer_report

# The built-in pipeline has no file to re-read, and says so.
"$ANOMON" run --duration 1 >/dev/null 2>"$tmp/err" &
pid=$!
sleep 0.5
kill -HUP $pid
wait $pid
rc=$?
pid=
if [ $rc -ne 0 ] && grep -qiE "not permitted|BPF not usable" "$tmp/err"; then
	echo "built-in pipeline not checked: the kernel refuses BPF: $(head -1 "$tmp/err")"
else
	check "built-in pipeline: exit $rc: $(cat "$tmp/err")" test $rc -eq 0
	check "built-in pipeline: SIGHUP has nothing to re-read: $(cat "$tmp/err")" \
		logged '^anomon: warning: SIGHUP: the built-in pipeline has no file to re-read; nothing reloaded$'
fi
finish
