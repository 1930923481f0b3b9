#!/bin/bash
# The baseline model through a real pipeline: a test collector (hist_source) feeds chosen
# run-queue histograms to the runqlen_hist feature, whose vectors baseline judges.
#  - nothing is judged while learning; then ordinary windows are normal against the key's
#    own baseline and crowded ones abnormal, naming departing features with their range;
#  - a key that appears later is judged against the host-wide baseline, and says so with its
#    progress; an abnormal new key does not learn;
#  - the state file: saved at exit (atomically), loaded at start so a restart does not
#    forget; a state of another feature set, a truncated and a garbage one are refused with
#    one line naming the file;
#  - the stdout and syslog text forms show the normal ranges and the basis.
. "$SRC/tests/core/lib.sh"
PLUGIN=$BUILD/tests/models/hist_source.so
[ -f "$PLUGIN" ] || { echo "FAIL: $PLUGIN not built"; exit 1; }

# HISTS: START KEY DROPS BINS...  Ordinary: mostly nothing waiting; crowded: 2-3 waiting.
python3 - "$tmp" <<'PY'
import random, sys
d = sys.argv[1]
random.seed(7)
def quiet():
    return [random.randint(180, 200), random.randint(0, 8), random.randint(0, 2)]
busy = [20, 50, 80, 40]
def line(t, key, bins, drops=0):
    return f"{t} {key} {drops} " + " ".join(map(str, bins)) + "\n"
with open(f"{d}/learn.txt", "w") as f:
    for i in range(60):
        t = 1000 + 2 * i
        f.write(line(t, "host", quiet()))
        f.write(line(t, "cg:111", quiet()))
    for i in range(60, 65):
        t = 1000 + 2 * i
        f.write(line(t, "host", busy))
        f.write(line(t, "cg:222", quiet()))
        f.write(line(t, "cg:333", busy))
with open(f"{d}/later.txt", "w") as f:
    for i in range(5):
        f.write(line(5000 + 2 * i, "host", quiet()))
    f.write(line(5010, "host", busy))
PY
cat >"$tmp/p.json" <<'JSON'
{"collectors": [{"plugin": "hist_source"}],
 "features": [{"plugin": "runqlen_hist", "params": {"features": ["tails", "stats"]}}],
 "models": [{"plugin": "baseline", "name": "bl", "params": {"learn_windows": 30}}],
 "sinks": [{"plugin": "stdout", "params": {"format": "json"}}]}
JSON
run() { # INPUT [--set ...]: verdicts (JSON) in $tmp/v.json
	local in=$1
	shift
	"$ANOMON" run "$tmp/p.json" --plugin-dir "$PLUGIN" --set "hist_source.path=$tmp/$in" "$@" \
		>"$tmp/v.json" 2>"$tmp/run.err"
}
q() { jq -s -e "$1" "$tmp/v.json" >/dev/null; }
epoch() { echo "1970-01-01T00:$(printf '%02d:%02d' $(($1 / 60)) $(($1 % 60))).000000000Z"; }

checks=$((checks + 1))
run learn.txt || fail "run: $(cat "$tmp/run.err")"
# Host and cg:111 learn 30 windows each (t = 1000 ... 1058); the host key is complete first,
# and with it the host-wide baseline, so cg:111's 30th window is judged against that one.
check "no verdict while learning" q "[.[] | select(.start < \"$(epoch 1058)\")] | length == 0"
check "the last learning window of a key: host baseline" \
	q "[.[] | select(.start == \"$(epoch 1058)\")] | length == 1 and .[0].key == \"cgroup:111\" and
	   .[0].basis == \"host baseline: key still learning (29/30 windows)\""
check "ordinary windows after learning: normal, own baseline" \
	q "[.[] | select((.key == \"host\" or .key == \"cgroup:111\") and .start >= \"$(epoch 1060)\" and
	   .start < \"$(epoch 1120)\")] | length == 60 and
	   all(.label == \"normal\" and .basis == \"own baseline\" and .model == \"bl\")"
check "crowded host windows: abnormal, scored high" \
	q "[.[] | select(.key == \"host\" and .start >= \"$(epoch 1120)\")] |
	   length == 5 and all(.label == \"abnormal\" and .score > 0.9)"
check "the departing features are named, outside their normal range" \
	q "[.[] | select(.key == \"host\" and .label == \"abnormal\")][0].top |
	   length == 3 and all(.normal[0] <= .normal[1] and (.value > .normal[1] or .value < .normal[0])
	                       and (.weight | fabs) > 0)"
check "a new ordinary key: host baseline, its progress, normal" \
	q "[.[] | select(.key == \"cgroup:222\")] | length == 5 and all(.label == \"normal\") and
	   map(.basis) == [range(5) | \"host baseline: key still learning (\(.)/30 windows)\"]"
check "a new crowded key: abnormal against the host baseline, never learnt" \
	q "[.[] | select(.key == \"cgroup:333\")] | length == 5 and all(.label == \"abnormal\") and
	   all(.basis == \"host baseline: key still learning (0/30 windows)\")"

# Restart: with the state of the first run, the first windows are judged at once.
checks=$((checks + 1))
run learn.txt --set "bl.state=$tmp/st/bl.state" || fail "run with state: $(cat "$tmp/run.err")"
check "state saved at exit" test -s "$tmp/st/bl.state"
check "no temporary file left" test "$(ls "$tmp/st")" = bl.state
checks=$((checks + 1))
run later.txt --set "bl.state=$tmp/st/bl.state" || fail "second run: $(cat "$tmp/run.err")"
check "after a restart: judged from the first window, own baseline" \
	q "[.[] | select(.key == \"host\")] | length == 6 and all(.basis == \"own baseline\") and
	   (map(.label) == [\"normal\", \"normal\", \"normal\", \"normal\", \"normal\", \"abnormal\"])"
run later.txt
check "without the state: nothing judged" q 'length == 0'

# Refusals: one line naming the file, exit 2, at validate too; the file is left alone.
cp "$tmp/st/bl.state" "$tmp/good.state"
head -c 300 "$tmp/good.state" >"$tmp/short.state"
printf 'hello, world\n' >"$tmp/garbage.state"
pre="anomon: error: $tmp/p.json:3:13: models\[0\] \(bl\): "
refuse() { # STATE REGEX [--set ...]
	local st=$1 re=$2
	shift 2
	for cmd in run validate; do
		expect_re 2 "$pre$st: $re" "$ANOMON" "$cmd" "$tmp/p.json" --plugin-dir "$PLUGIN" \
			--set "hist_source.path=$tmp/later.txt" --set "bl.state=$st" "$@"
	done
}
refuse "$tmp/good.state" "learnt for another feature set: 10 features \(log_ge1, log_ge2, log_ge3, \.\.\.\), this pipeline gives 6 \(mean, p50, p90, \.\.\.\); move the file away or set another state path" \
	--set runqlen_hist.features=stats
refuse "$tmp/short.state" "damaged or truncated \(300 bytes, checksum does not match\)"
refuse "$tmp/garbage.state" "not a baseline state file \(it does not start with \"ANOMONBL\"\)"
check "a refused state file is left as it was" cmp -s "$tmp/good.state" "$tmp/st/bl.state"

# Text forms: the range each named feature normally lies in, and the basis.
checks=$((checks + 1))
run learn.txt --set stdout.format=text || fail "text run: $(cat "$tmp/run.err")"
check "stdout text: ranges and basis" grep -Eq \
	'^[0-9:.]+ +host +abnormal +1\.000 +bl +p90=3 \(normally 0\) .* mean=1\.74 \(normally 0-0\.06[0-9]*\) \[own baseline\]$' \
	"$tmp/v.json"
check "stdout text: a new key's basis" grep -q \
	'cgroup:222 .*\[host baseline: key still learning (0/30 windows)\]$' "$tmp/v.json"
# syslog over UDP to a listener of our own: the text MSG carries the same.
port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 - "$port" >"$tmp/syslog.txt" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.settimeout(10)
try:
    while True:
        print(s.recv(65536).decode(), flush=True)
except socket.timeout:
    pass
PY
listener=$!
sleep 0.3
jq --arg p "$port" '.sinks = [{"plugin": "syslog", "params": {"address": ("udp:127.0.0.1:" + $p), "only_abnormal": true}}]' \
	"$tmp/p.json" >"$tmp/syslog.json"
"$ANOMON" run "$tmp/syslog.json" --plugin-dir "$PLUGIN" --set "hist_source.path=$tmp/learn.txt" \
	2>"$tmp/run.err" || fail "syslog run: $(cat "$tmp/run.err")"
for _ in $(seq 50); do [ "$(grep -c . "$tmp/syslog.txt")" -ge 10 ] && break; sleep 0.1; done
kill "$listener" 2>/dev/null
wait "$listener" 2>/dev/null
check "syslog text: ranges and basis" grep -Eq \
	'host: abnormal, score 1\.000 \(model bl\); top: p90=3 \(normally 0\), .*, mean=1\.74 \(normally 0-0\.06[0-9]*\) \[own baseline\]$' \
	"$tmp/syslog.txt"
finish
