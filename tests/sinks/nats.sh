#!/bin/bash
# nats sink and nats_in collector against Debian's nats-server with JetStream on loopback
# (own port and store dir). An edge anomon publishes verdicts and events while the server is
# killed and restarted: the stream ends up with every message exactly once. A central anomon
# then reads the events back from the stream (and another host's proc event) and reaches the
# same verdicts, the events written again as they were published. Finally, with the
# server away and a small buffer, what exceeds the buffer is counted as dropped.
. "$(dirname "$0")/lib.sh"
NATS_SERVER=$(command -v nats-server || echo /usr/sbin/nats-server)
[ -x "$NATS_SERVER" ] || fail "nats-server not installed (scripts/deps.txt: nats-server)"
TOOL=$BUILD/tests/sinks/nats_tool
[ -x "$TOOL" ] || fail "$TOOL not built"

P=$(free_port)
URL=nats://127.0.0.1:$P
start_nats() {
	"$NATS_SERVER" -js -sd "$T/js" -a 127.0.0.1 -p "$P" >>"$T/nats.log" 2>&1 &
	NS=$!
	PIDS+=("$NS")
	wait_port "$P"
}
start_nats
"$TOOL" "$URL" create ANOMON 'anomon.>'

# Edge: the replay's events and the model's verdicts both go to NATS. 81 windows at speed
# 80 take about 10 s; the server is killed after 3 s and back 2 s later.
pipeline "$T/edge.json" 80 '[{"plugin":"nats","inputs":["replay","logreg"],
  "params":{"url":["'"$URL"'"],"records":["verdicts","events"],"hostname":"edge1","ack_wait":"1s"}}]'
"$ANOMON" run "$T/edge.json" -v 2>"$T/edge.err" &
A=$!
PIDS+=("$A")
sleep 3
kill -9 "$NS"
{ wait "$NS"; } 2>/dev/null || true
sleep 2
start_nats
wait "$A" || fail "edge anomon exited $?: $(cat "$T/edge.err")"
grep -q 'captured by a JetStream stream' "$T/edge.err" || fail "JetStream not used: $(cat "$T/edge.err")"
[ "$(grep -c 'unreachable\|cannot publish' "$T/edge.err")" = 1 ] ||
	fail "outage not reported once: $(cat "$T/edge.err")"
grep -q 'publishing to .* again' "$T/edge.err" || fail "recovery not reported: $(cat "$T/edge.err")"
grep -Eq 'nats +sink +in [0-9]+ out [0-9]+ dropped 0' "$T/edge.err" || fail "drops: $(cat "$T/edge.err")"
n=$("$TOOL" "$URL" count ANOMON)
[ "$n" = $((2 * VERDICTS)) ] || fail "the stream holds $n messages, expected $((2 * VERDICTS)) (each once)"

# Another host's proc event (an exec whose name and path hold bytes that are not UTF-8), as
# its nats sink would publish it, over the plain NATS protocol.
PROC='{"record":"event","type":"proc","time":"2026-11-25T08:11:09.997418688Z","ts_ns":1795594269997418688,"kind":"exec","pid":4100,"tid":4100,"ppid":4000,"uid":1000,"comm":"sh\\xff","thread":false,"filename":"/opt/\\xfe\\x80/x é\\x41"}'
python3 - "$P" "$PROC" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
f = s.makefile("rb")
f.readline()  # INFO
data = sys.argv[2].encode()
s.sendall(b'CONNECT {"verbose":false}\r\nPUB anomon.edge2.sinktest.event.proc %d\r\n%s\r\nPING\r\n'
          % (len(data), data))
line = f.readline()
sys.exit(0 if line.startswith(b"PONG") else "publish: %r" % line)
PY

# Central: events from the stream through the same feature and model: the same verdicts; the
# events themselves, written again, are the lines that were published.
cat >"$T/central.json" <<JSON
{"collectors":[{"plugin":"nats_in","params":{"url":["$URL"],"stream":"ANOMON","subject":"anomon.*.*.event.>"}}],
 "features":[{"plugin":"runqlen_hist","params":{"features":["fractions","stats"]}}],
 "models":[{"plugin":"logreg","params":{"model":"$T/model.json","top":2}}],
 "sinks":[{"plugin":"stdout","params":{"format":"json"}},
          {"plugin":"file","inputs":["nats_in"],"params":{"path":"$T/events.ndjson","fsync":"never"}}]}
JSON
"$ANOMON" run "$T/central.json" --duration 4 -v >"$T/central.ndjson" 2>"$T/central.err" ||
	fail "central anomon exited $?: $(cat "$T/central.err")"
[ "$(wc -l <"$T/central.ndjson")" = $VERDICTS ] ||
	fail "central: $(wc -l <"$T/central.ndjson") verdicts: $(cat "$T/central.err")"
[ "$(grep -c '"type":"runq_hist"' "$T/events.ndjson")" = $VERDICTS ] ||
	fail "central: $(grep -c '"type":"runq_hist"' "$T/events.ndjson") runq_hist events"
[ "$(grep '"type":"proc"' "$T/events.ndjson")" = "$PROC" ] ||
	fail "central: the proc event came back as: $(grep '"type":"proc"' "$T/events.ndjson"; cat "$T/central.err")"
jq -c '[.label, .score, .start]' "$T/central.ndjson" >"$T/c"
jq -c '[.label, .score, .start]' "$T/reference.ndjson" >"$T/r"
# Replay times start at the run's "now": compare labels and scores, and window lengths.
cut -d, -f1-2 "$T/c" | cmp -s - <(cut -d, -f1-2 "$T/r") || fail "central verdicts differ from the edge's"
# A restarted central collector resumes after what it acknowledged: nothing again.
"$ANOMON" run "$T/central.json" --duration 2 >"$T/again.ndjson" 2>"$T/again.err" || fail "rerun: $(cat "$T/again.err")"
[ ! -s "$T/again.ndjson" ] || fail "the durable consumer delivered $(wc -l <"$T/again.ndjson") verdicts again"
[ "$(wc -l <"$T/events.ndjson")" = $((VERDICTS + 1)) ] || fail "the durable consumer delivered events again"

# Server away, buffer of 10: 71 verdicts dropped when the buffer was full and 10 more not
# delivered before stopping; reported, counted, and anomon exits 0.
kill "$NS"
{ wait "$NS"; } 2>/dev/null || true
pipeline "$T/away.json" 0 '[{"plugin":"nats","params":{"url":["'"$URL"'"],"buffer":10,"ack_wait":"500ms"}}]'
"$ANOMON" run "$T/away.json" -v 2>"$T/away.err" || fail "anomon exited $? with the server away: $(cat "$T/away.err")"
grep -Eq "nats +sink +in $VERDICTS out [0-9]+ dropped $VERDICTS" "$T/away.err" || fail "drops: $(cat "$T/away.err")"
grep -q '10 queued messages not delivered before stopping' "$T/away.err" || fail "$(cat "$T/away.err")"
echo "nats sink and collector: ok (stream held $n messages across a server restart)"
