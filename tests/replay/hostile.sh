#!/usr/bin/env bash
# Hostile input through anomon: each case gives events or counted rejections and exit 0,
# never a crash or a hang (every run has a time limit).
set -u
: "${ANOMON:?} ${SRC:?}"
fx="$SRC/tests/fixtures/formats"
tmp=$(mktemp -d)
disk=$tmp/events.json
echo '{"collectors":[{"plugin":"replay"}],"sinks":[{"plugin":"stdout","params":{"format":"json"}}]}' >"$disk"
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# run NAME FILE [--set ...]: replay FILE; sets $events, $rejects, $lines from the summary.
run() {
	local name=$1 file=$2
	shift 2
	timeout 30 "$ANOMON" run "$disk" --set replay.path="$file" "$@" -v >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	[ $rc -eq 0 ] || fail "$name: exit $rc: $(tail -3 "$tmp/err")"
	local s
	s=$(grep -o '[0-9]* lines read, [0-9]* events emitted, [0-9]* lines rejected' "$tmp/err")
	[ -n "$s" ] || { fail "$name: no summary: $(tail -3 "$tmp/err")"; s="0 0 0 0 0 0 0 0 0"; }
	set -- $s
	lines=$1 events=$4 rejects=$7
	[ "$(grep -c '"record":"event"' "$tmp/out")" -eq "$events" ] ||
		fail "$name: $events events in the summary, $(grep -c '"record":"event"' "$tmp/out") printed"
}

# Empty file.
: >"$tmp/empty.log"
run empty "$tmp/empty.log"
[ "$lines $events $rejects" = "0 0 0" ] || fail "empty: $lines $events $rejects"

# Binary garbage: 1 MiB of random bytes (a line may fit by chance: the counts must add up).
head -c 1048576 /dev/urandom >"$tmp/random.log"
run random "$tmp/random.log"
[ $((events + rejects)) -le "$lines" ] && [ "$rejects" -gt 1000 ] ||
	fail "random: $lines lines, $events events, $rejects rejected"
# Binary garbage that cannot fit (every line starts with a byte above 0x7f; NULs, '\r' and
# control bytes inside): every line is rejected, and only one in 1000 is reported.
python3 -c '
import random, sys
random.seed(1)
out = bytearray()
for i in range(5000):
    out += bytes([random.randrange(0x80, 0x100)])
    out += bytes(random.randrange(0, 256) for _ in range(random.randrange(0, 400))).replace(b"\n", b"")
    out += b"\n"
sys.stdout.buffer.write(out)' >"$tmp/garbage.log"
run garbage "$tmp/garbage.log"
[ "$lines $events $rejects" = "5000 0 5000" ] || fail "garbage: $lines lines, $events events, $rejects rejected"
warns=$(grep -c 'line skipped (rejected line' "$tmp/err")
[ "$warns" -eq 5 ] || fail "garbage: $warns reports for $rejects rejects"

# Garbage in 2500 short lines: reports for rejects 1, 1001 and 2001, each with its line.
{ echo 'PID COMM FD ERR PATH'; for i in $(seq 2500); do echo "x$i"; done; echo '9 sh 3 0 /end'; } >"$tmp/many.log"
run many "$tmp/many.log"
[ "$rejects $events" = "2500 1" ] || fail "many: $rejects rejected, $events events"
grep -q 'many.log:2:1: expected PID, an integer; line skipped (rejected line 1;' "$tmp/err" &&
	grep -q 'many.log:1002:1: .*(rejected line 1001;' "$tmp/err" &&
	grep -q 'many.log:2002:1: .*(rejected line 2001;' "$tmp/err" &&
	[ "$(grep -c 'line skipped' "$tmp/err")" -eq 3 ] || fail "many: reports: $(grep skipped "$tmp/err")"

# A line of 1 MiB between good lines: rejected with its line number, the others read.
{ echo 'PID COMM FD ERR PATH'; echo '1 sh 3 0 /a'; printf '2 sh 3 0 /'; head -c 1048576 /dev/zero | tr '\0' 'p'; echo; echo '3 sh 3 0 /c'; } >"$tmp/long.log"
run long "$tmp/long.log"
[ "$lines $events $rejects" = "4 2 1" ] || fail "1 MiB line: $lines $events $rejects"
grep -q 'long.log:3:1: expected a line of at most 65536 bytes' "$tmp/err" || fail "1 MiB line: $(cat "$tmp/err")"
tail -1 "$tmp/out" | grep -q '"pid":3,.*"path":"/c"}' || fail "1 MiB line: the line after it"

# CRLF line endings: the whole log, paths without '\r'.
sed 's/$/\r/' "$fx/opensnoop.log" >"$tmp/crlf.log"
run crlf "$tmp/crlf.log"
[ "$events $rejects" = "3874 0" ] || fail "crlf: $events events, $rejects rejected"
grep -q '\\r' "$tmp/out" && fail "crlf: a '\\r' reached an event"
sed 's/$/\r/' "$fx/runqlen.log" >"$tmp/crlf-runq.log"
run crlf-runqlen "$tmp/crlf-runq.log"
[ "$events $rejects" = "5 0" ] || fail "crlf runqlen: $events events, $rejects rejected"

# Truncated mid-line: the last partial line is an event if it still fits, else a reject;
# everything before it arrives.
head -c 200000 "$fx/opensnoop.log" >"$tmp/cut.log"
full=$(grep -c '^[0-9]' "$tmp/cut.log")
run truncated "$tmp/cut.log"
[ $((events + rejects)) -eq "$full" ] && [ "$events" -ge $((full - 1)) ] ||
	fail "truncated: $events events + $rejects rejected for $full data lines"
printf 'PID COMM FD ERR PATH\n1 sh 3 0 /a\n2 sh 3' >"$tmp/cut2.log"
run truncated-in-columns "$tmp/cut2.log"
[ "$events $rejects" = "1 1" ] || fail "truncated in columns: $events events, $rejects rejected"
printf '2.656 bash 29578 vda RA 12654392 16384 0.315\n2.657 dd 29578 vda R' >"$tmp/cut3.log"
run truncated-bio "$tmp/cut3.log"
[ "$events $rejects" = "1 1" ] || fail "truncated biosnoop: $events events, $rejects rejected"

# Histogram bins out of order and repeated add up by value; beyond the range: overflow.
printf '@runqlen:\n[3, 4) 1 |@|\n[0, 1) 2 |@|\n[3, 4) 4 |@|\n[250, 251) 5 |@|\n[100, ...) 6 |@|\n' >"$tmp/bins.log"
run bins "$tmp/bins.log"
[ "$events $rejects" = "1 0" ] || fail "bins: $events events, $rejects rejected"
grep -q '"samples":18,"overflow":11,"bins":\[2,0,0,5,0,' "$tmp/out" || fail "bins: $(cut -c1-300 "$tmp/out")"

# Negative and overflowing numbers in every format: rejected, the good lines kept.
cat >"$tmp/nums.log" <<'LOG'
PID COMM FD ERR PATH
-1 sh 3 0 /neg-pid
99999999999999999999999 sh 3 0 /big-pid
1 sh 3 -2 /neg-err
1 sh 99999999999 0 /big-fd
1 sh 3 0 /good
TIME(s) COMM PID DISK T SECTOR BYTES LAT(ms)
-2.5 dd 1 vda R 1 4096 0.1
2.5 dd 1 vda R -1 4096 0.1
2.5 dd 1 vda R 1 184467440737095516160 0.1
99999999999999999999.5 dd 1 vda R 1 4096 0.1
2.5 dd 1 vda R 1 4096 0.1
TIME(ms) COMM DISK PID LAT(ms)
10 dd vda -3 1
10 dd vda 3 -1
10 dd vda 3 1
@runqlen:
[0, 1) -4 |@|
@runqlen:
[0, 1) 99999999999999999999999 |@|
@runqlen:
[0, 1) 18446744073709551615 |@|
[1, 2) 18446744073709551615 |@|
LOG
run numbers "$tmp/nums.log"
[ "$events $rejects" = "4 12" ] || fail "numbers: $events events, $rejects rejected: $(grep skipped "$tmp/err")"
grep -q '"samples":18446744073709551615' "$tmp/out" || fail "numbers: sample count does not saturate"

# Non-UTF-8 bytes in paths and COMM go through as bytes (the sink escapes them).
printf 'PID COMM FD ERR PATH\n1 sh\xc3 3 0 /tmp/\xff\xfe\x80bad\n2 sh 3 0 /ok\n' >"$tmp/utf8.log"
run non-utf8 "$tmp/utf8.log"
[ "$events $rejects" = "2 0" ] || fail "non-UTF-8: $events events, $rejects rejected"
head -1 "$tmp/out" | python3 -c 'import json, sys; json.loads(sys.stdin.read())' 2>/dev/null ||
	fail "non-UTF-8: the event is not valid JSON: $(head -1 "$tmp/out" | od -c | head -3)"

# NUL bytes inside a line: the line is cut short for parsing, not the file.
printf 'PID COMM FD ERR PATH\n1 sh 3 0 /a\0b\n2 sh 3 0 /c\n' >"$tmp/nul.log"
run nul "$tmp/nul.log"
[ "$lines" -eq 3 ] && [ $((events + rejects)) -eq 2 ] || fail "NUL: $lines $events $rejects"
tail -1 "$tmp/out" | grep -q '"path":"/c"}' || fail "NUL: the next line"

[ $fails -eq 0 ] && echo "all hostile-input checks passed"
exit $((fails > 0))
