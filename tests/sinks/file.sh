#!/bin/bash
# file sink: the same NDJSON as stdout, rotation with kept files, SIGUSR1 reopen after an
# external move, a full disk (/dev/full) and a deleted directory reported once, counted,
# retried, and anomon exiting cleanly throughout.
. "$(dirname "$0")/lib.sh"

# 1. Same objects as stdout with format json; rotation keeps 2 files of at most 8 KiB.
pipeline "$T/p.json" 0 '[{"plugin":"stdout","params":{"format":"json"}},
  {"plugin":"file","params":{"path":"'"$T"'/out.ndjson","max_size":"8k","keep":2}}]'
"$ANOMON" run "$T/p.json" >"$T/stdout.ndjson" 2>"$T/err" || fail "run: $(cat "$T/err")"
[ "$(wc -l <"$T/stdout.ndjson")" = $VERDICTS ] || fail "stdout has $(wc -l <"$T/stdout.ndjson") lines"
[ -f "$T/out.ndjson.1" ] && [ -f "$T/out.ndjson.2" ] || fail "no rotated files: $(ls "$T")"
[ ! -e "$T/out.ndjson.3" ] || fail "keep=2 kept a third file"
for f in "$T"/out.ndjson*; do
	[ "$(stat -c %s "$f")" -le 8192 ] || fail "$f is larger than max_size"
done
# The newest lines, across the files in order, are exactly stdout's last lines.
cat "$T/out.ndjson.2" "$T/out.ndjson.1" "$T/out.ndjson" >"$T/all"
n=$(wc -l <"$T/all")
tail -n "$n" "$T/stdout.ndjson" | cmp -s - "$T/all" || fail "file lines differ from stdout's"
jq -e . "$T/all" >/dev/null || fail "a line is not JSON"

# 2. Appending: a second run adds to the file instead of truncating it.
pipeline "$T/p2.json" 0 '[{"plugin":"file","params":{"path":"'"$T"'/app.ndjson","fsync":"line"}}]'
"$ANOMON" run "$T/p2.json" 2>"$T/err" || fail "run: $(cat "$T/err")"
"$ANOMON" run "$T/p2.json" 2>"$T/err" || fail "run: $(cat "$T/err")"
[ "$(wc -l <"$T/app.ndjson")" = $((2 * VERDICTS)) ] || fail "append: $(wc -l <"$T/app.ndjson") lines"

# 3. A full disk: reported once, every record counted as dropped, exit 0; the other sink
# still gets everything.
pipeline "$T/p3.json" 0 '[{"plugin":"file","params":{"path":"/dev/full"}},
  {"plugin":"file","name":"good","params":{"path":"'"$T"'/good.ndjson"}}]'
"$ANOMON" run "$T/p3.json" -v 2>"$T/err" || fail "full disk: exit $?: $(cat "$T/err")"
[ "$(grep -c 'No space left on device' "$T/err")" = 1 ] || fail "ENOSPC not reported once: $(cat "$T/err")"
grep -Eq "file +sink +in $VERDICTS out [0-9]+ dropped $VERDICTS" "$T/err" || fail "drops not counted: $(cat "$T/err")"
[ "$(wc -l <"$T/good.ndjson")" = $VERDICTS ] || fail "the healthy sink was held back"

# 4. Live: move the file away and send SIGUSR1 (logrotate); remove the directory, then
# recreate it. 81 windows at speed 100 take about 8 s.
mkdir "$T/d"
pipeline "$T/p4.json" 100 '[{"plugin":"file","params":{"path":"'"$T"'/d/live.ndjson"}}]'
"$ANOMON" run "$T/p4.json" -v 2>"$T/err4" &
pid=$!
PIDS+=("$pid")
sleep 2
mv "$T/d/live.ndjson" "$T/rotated.ndjson"
kill -USR1 "$pid"
sleep 1
[ -s "$T/d/live.ndjson" ] || fail "no new file after SIGUSR1"
gone=$(wc -l <"$T/d/live.ndjson")
rm -rf "$T/d"
sleep 1.5
mkdir "$T/d"
wait "$pid" || fail "anomon exited $? after SIGUSR1 and a deleted directory: $(cat "$T/err4")"
[ "$(grep -c 'cannot open' "$T/err4")" = 1 ] || fail "deleted directory not reported once: $(cat "$T/err4")"
grep -q 'writing to .* again' "$T/err4" || fail "recovery not reported: $(cat "$T/err4")"
[ -s "$T/d/live.ndjson" ] || fail "nothing written after the directory came back"
r=$(wc -l <"$T/rotated.ndjson")
l=$(wc -l <"$T/d/live.ndjson")
[ "$r" -gt 5 ] && [ "$l" -gt 5 ] || fail "rotated $r lines, live $l lines"
# Held in the queue while the directory was missing: besides the lines deleted with it, only
# what was written to the deleted file before the writer noticed (within a tick) may be gone.
kept=$((r + l + gone))
[ $kept -ge $((VERDICTS - 3)) ] && [ $kept -le $VERDICTS ] ||
	fail "$r + $l lines kept, $gone deleted, of $VERDICTS"
jq -e . "$T/rotated.ndjson" "$T/d/live.ndjson" >/dev/null || fail "a broken line"
echo "file sink: ok ($r lines before the move, $l after)"
