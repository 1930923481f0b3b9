#!/usr/bin/env bash
# follow: anomon keeps reading a log while it is written, like tail -F. Lines appended in
# bursts and in pieces, a rotation (mv + new file, with lines still written to the old one)
# and a truncation must each arrive exactly once; the run only ends on a signal.
set -u
: "${ANOMON:?} ${SRC:?}"
tmp=$(mktemp -d)
disk=$tmp/events.json
echo '{"collectors":[{"plugin":"replay"}],"sinks":[{"plugin":"stdout","params":{"format":"json"}}]}' >"$disk"
pid=
trap '[ -n "$pid" ] && kill -KILL $pid 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
log=$tmp/bt.log
n=0
emit() { # emit FILE COUNT: append COUNT opens numbered from $n, one path each
	local f=$1 k
	for ((k = 0; k < $2; k++)); do
		n=$((n + 1))
		printf '%-6d %-16s %3d %3d /f/%d\n' $((1000 + n % 100)) cat 3 0 $n
	done >>"$f"
}
# wait_for COUNT: until COUNT opens are out (10 s at most)
wait_for() {
	local i
	for i in $(seq 100); do
		[ "$(grep -c '"type":"open"' "$tmp/out")" -ge "$1" ] && return 0
		sleep 0.1
	done
	fail "waited for $1 opens, got $(grep -c '"type":"open"' "$tmp/out")"
}

printf 'Attaching 6 probes...\nPID    COMM               FD ERR PATH\n' >"$log"
emit "$log" 100
"$ANOMON" run "$disk" --set replay.path="$log" --set replay.follow=true -v >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_for 100

# Bursts appended while it runs.
for b in 1 2 3 4 5; do emit "$log" 200; sleep 0.1; done
wait_for 1100
# A line written in two pieces arrives once, whole.
printf '%-6d %-16s %3d %3d /f/%s' 7 cat 3 0 "piece" >>"$log"
sleep 0.6
printf 'wise\n' >>"$log"
wait_for 1101
grep -q '"path":"/f/piecewise"}' "$tmp/out" || fail "a line written in pieces: $(tail -1 "$tmp/out")"

# Rotation: the old file gets a last burst after mv (the writer still holds it open), then
# a new file appears at the path, without the header.
mv "$log" "$log.1"
emit "$log.1" 50
sleep 0.6
emit "$log" 150
wait_for 1301
grep -q 'a new file: reading it from the start' "$tmp/err" || fail "rotation not noticed: $(cat "$tmp/err")"

# Truncation: the file is emptied, then written again from the start.
sleep 0.3
: >"$log"
sleep 0.6
emit "$log" 120
wait_for 1421
grep -q 'truncated: reading it from the start' "$tmp/err" || fail "truncation not noticed: $(cat "$tmp/err")"

# Still running at the end of the file: follow never ends the stream by itself.
sleep 0.5
kill -0 $pid 2>/dev/null || fail "anomon exited at the end of a followed file"
kill -INT $pid
wait $pid
rc=$?
pid=
[ $rc -eq 0 ] || fail "exit $rc after SIGINT: $(tail -3 "$tmp/err")"

# Every appended line exactly once, and nothing else.
grep -o '"path":"/f/[0-9a-z]*"' "$tmp/out" | sort >"$tmp/paths"
[ "$(wc -l <"$tmp/paths")" -eq $((n + 1)) ] || fail "expected $((n + 1)) opens, got $(wc -l <"$tmp/paths")"
dups=$(uniq -d "$tmp/paths" | head -3)
[ -z "$dups" ] || fail "opens seen twice: $dups"
for i in 1 100 101 1100 1150 1151 1300 1301 $n; do
	grep -qx "\"path\":\"/f/$i\"" "$tmp/paths" || fail "open /f/$i missing"
done
grep -q ' 0 lines rejected' "$tmp/err" || fail "rejects: $(grep 'lines read' "$tmp/err")"

# A followed file that does not exist yet is waited for.
"$ANOMON" run "$disk" --set replay.path="$tmp/later.log" --set replay.follow=true >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 0.5
printf 'PID COMM FD ERR PATH\n1 sh 3 0 /later\n' >"$tmp/later.log"
wait_for 1
kill -TERM $pid
wait $pid
rc=$?
pid=
[ $rc -eq 0 ] || fail "waiting for the file: exit $rc"
grep -q 'later.log does not exist yet: waiting for it' "$tmp/err" || fail "waiting: $(cat "$tmp/err")"

# follow needs a file.
"$ANOMON" validate "$disk" --set replay.path=- --set replay.follow=true >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q 'follow: expected a file path' "$tmp/err" || fail "follow on stdin: $(cat "$tmp/err")"

[ $fails -eq 0 ] && echo "all follow checks passed"
exit $((fails > 0))
