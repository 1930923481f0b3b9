#!/bin/bash
# SIGTERM, SIGINT, --duration and the end of input all end a run cleanly: exit 0 and every
# record the collectors produced written by the sinks, even to a fully buffered file.
. "$(dirname "$0")/lib.sh"
build_example
P=$tmp/p.json
cat >"$P" <<JSON
{"collectors": [{"plugin": "loadavg", "params": {"interval": "20ms"}}],
 "sinks": [{"plugin": "stdout", "params": {"format": "json"}}]}
JSON
for sig in TERM INT; do
	"$ANOMON" run "$P" --plugin-dir "$tmp/loadavg.so" -v >"$tmp/out.$sig" 2>"$tmp/err.$sig" &
	pid=$!
	sleep 1.5
	kill -$sig $pid
	wait $pid
	rc=$?
	check "SIG$sig: exit $rc, expected 0: $(cat "$tmp/err.$sig")" test $rc -eq 0
	# Everything the collector emitted (it reports its count at exit) reached the file.
	emitted=$(sed -n 's/.*loadavg *collector in 0 out \([0-9]*\) dropped 0$/\1/p' "$tmp/err.$sig")
	lines=$(wc -l <"$tmp/out.$sig")
	check "SIG$sig: collector emitted '$emitted', file has $lines lines" test -n "$emitted" -a "$lines" = "$emitted" -a "$lines" -ge 10
	check "SIG$sig: every line is a complete JSON record" python3 -c '
import json, sys
for line in open(sys.argv[1]):
    assert json.loads(line)["type"] == "loadavg"
' "$tmp/out.$sig"
done

start=$(date +%s%N)
"$ANOMON" run "$P" --plugin-dir "$tmp/loadavg.so" --duration 0.5 >"$tmp/out" 2>"$tmp/err"
rc=$?
elapsed=$((($(date +%s%N) - start) / 1000000))
check "--duration: exit $rc: $(cat "$tmp/err")" test $rc -eq 0
check "--duration 0.5 stopped after ${elapsed} ms" test "$elapsed" -ge 400 -a "$elapsed" -lt 5000
check "--duration: records written" test "$(wc -l <"$tmp/out")" -ge 5

# A collector that ends its stream ends the run by itself, with everything delivered.
"$ANOMON" run "$P" --plugin-dir "$tmp/loadavg.so" --set loadavg.count=7 >"$tmp/out" 2>"$tmp/err"
rc=$?
check "end of stream: exit $rc: $(cat "$tmp/err")" test $rc -eq 0
check "end of stream: 7 records, got $(wc -l <"$tmp/out")" test "$(wc -l <"$tmp/out")" -eq 7
finish
