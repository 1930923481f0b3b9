#!/bin/bash
# A reload that changes a baseline stage keeps what it learnt: the old stage saves its state
# when it stops, which is after the new stage's init, so the new stage reads the state file
# again when it starts. A replay collector reads a FIFO the test feeds; open_behaviour makes
# a window of every 10 opens; baseline needs 6 windows. 4 windows before the reload and 3
# after: the 7th is judged against the key's own baseline only if the 4 were kept.
. "$SRC/tests/core/lib.sh"
trap '' PIPE
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT
FIFO=$tmp/fifo
mkfifo "$FIFO"
P=$tmp/p.json
pipeline() { # MARGIN
	cat >"$P" <<JSON
{"collectors": [{"plugin": "replay", "params": {"format": "opensnoop"}}],
 "features": [{"plugin": "open_behaviour", "params": {"window_events": 10, "key": "host"}}],
 "models": [{"plugin": "baseline", "name": "bl", "params": {"learn_windows": 6, "margin": $1,
   "state": "$tmp/bl.state", "save_every": "0"}}],
 "sinks": [
  {"plugin": "file", "name": "vectors", "inputs": ["open_behaviour"], "params": {"path": "$tmp/vectors.ndjson"}},
  {"plugin": "file", "name": "verdicts", "inputs": ["bl"], "params": {"path": "$tmp/verdicts.ndjson"}}]}
JSON
}
wait_for() { # DESCRIPTION COMMAND...: poll for up to 10 s
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
lines() { [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]; }
logged() { grep -q -- "$1" "$tmp/err"; }
feed() { for ((i = 0; i < $1; i++)); do echo "4242 cat 3 0 /f/$i"; done >&3; }

pipeline 3
"$ANOMON" run "$P" --set replay.path="$FIFO" -v >"$tmp/out" 2>"$tmp/err" &
pid=$!
exec 3>"$FIFO"
feed 40
wait_for "4 windows before the reload: $(cat "$tmp/err")" lines "$tmp/vectors.ndjson" 4
check "no verdict while learning" test ! -s "$tmp/verdicts.ndjson"

pipeline 4
kill -HUP "$pid"
wait_for "the reload restarts bl: $(cat "$tmp/err")" logged 'reload: kept .*, restarted [0-9]* (bl'
wait_for "the new stage reads the state its predecessor saved: $(cat "$tmp/err")" \
	logged "bl.state: 1 keys learnt before"
feed 30
wait_for "7 windows in all: $(cat "$tmp/err")" lines "$tmp/vectors.ndjson" 7
wait_for "the 7th window is judged against the key's own baseline: $(cat "$tmp/verdicts.ndjson" 2>/dev/null)" \
	grep -q '"basis":"own baseline"' "$tmp/verdicts.ndjson"
exec 3>&-
wait "$pid"
rc=$?
pid=
check "anomon exits 0 at the end of the stream ($rc): $(cat "$tmp/err")" test "$rc" -eq 0
finish
