#!/bin/bash
# Bad input to procsnoop and proc_behaviour: one line naming the file, the position and what
# was expected, exit status 2, no crash. Nothing here needs BPF: each error is found before
# the programs load. And without the privileges BPF needs: one line saying so, exit 1.
. "$SRC/tests/core/lib.sh"

# pl COLLECTOR_PARAMS FEATURE_PARAMS: a pipeline into $tmp/p.json, one stage per line.
pl() {
	cat >"$tmp/p.json" <<JSON
{"collectors": [{"plugin": "procsnoop", "params": $1}],
 "features": [{"plugin": "proc_behaviour", "params": $2}],
 "sinks": [{"plugin": "stdout"}]}
JSON
}
P=$tmp/p.json

pl '{"thread": true}' '{}'
expect 2 "anomon: error: $P:1:52: collectors[0].params.thread: unknown parameter \"thread\" of procsnoop; did you mean \"threads\"?" \
	"$ANOMON" validate "$P"
pl '{"threads": "yes"}' '{}'
expect 2 "anomon: error: $P:1:63: collectors[0].params.threads: expected boolean (true or false), got string \"yes\"" \
	"$ANOMON" validate "$P"
pl '{"ringbuf_size": "1000"}' '{}'
expect 2 "anomon: error: $P:1:17: collectors[0] (procsnoop): ringbuf_size: expected a power of two from 64k to 1G, got 1000" \
	"$ANOMON" validate "$P"
pl '{}' '{}'
expect 2 "anomon: error: $P:1:17: collectors[0] (procsnoop): ringbuf_size: expected a power of two from 64k to 1G, got 3145728" \
	"$ANOMON" validate "$P" --set procsnoop.ringbuf_size=3M
expect 2 "anomon: error: $P:1:17: collectors[0] (procsnoop): ringbuf_size: expected a power of two from 64k to 1G, got 2147483648" \
	"$ANOMON" run "$P" --set procsnoop.ringbuf_size=2G
expect 2 "anomon: error: $P:1:17: collectors[0] (procsnoop): poll_interval: expected 1ms to 10s" \
	"$ANOMON" validate "$P" --set procsnoop.poll_interval=0s
expect 2 "anomon: error: --set procsnoop.threads=maybe: expected boolean (true or false), got \"maybe\"" \
	"$ANOMON" validate "$P" --set procsnoop.threads=maybe

pl '{}' '{"windows": "1s"}'
expect 2 "anomon: error: $P:2:55: features[0].params.windows: unknown parameter \"windows\" of proc_behaviour; did you mean \"window\"?" \
	"$ANOMON" validate "$P"
pl '{}' '{"key": "pod"}'
expect 2 "anomon: error: $P:2:15: features[0] (proc_behaviour): key: expected \"cgroup\" or \"host\", got \"pod\"" \
	"$ANOMON" validate "$P"
pl '{}' '{"window_events": -1}'
expect 2 "anomon: error: $P:2:15: features[0] (proc_behaviour): window_events: expected 0 (time windows) or a positive count, got -1" \
	"$ANOMON" validate "$P"
pl '{}' '{"max_keys": 0}'
expect 2 "anomon: error: $P:2:15: features[0] (proc_behaviour): max_keys: expected 1..1048576, got 0" \
	"$ANOMON" validate "$P"

# Wiring: proc_behaviour reads only proc events.
cat >"$P" <<JSON
{"collectors": [{"plugin": "replay", "params": {"path": "/dev/null", "format": "opensnoop"}}],
 "features": [{"plugin": "proc_behaviour"}],
 "sinks": [{"plugin": "stdout"}]}
JSON
expect 2 "anomon: error: $P:2:15: features[0] (proc_behaviour): input \"replay\" produces runq_hist, open, bio events, but proc_behaviour consumes only proc" \
	"$ANOMON" validate "$P"

# Not root: the one line that says what is missing (the pipeline readable by that user).
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	pl '{}' '{}'
	chmod 755 "$tmp"
	expect_re 1 "anomon: error: $P:1:17: collectors\[0\] \(procsnoop\): (BPF not usable: bpf\(BPF_MAP_CREATE\): |loading the BPF program: )operation not permitted: run as root, or grant CAP_BPF and CAP_PERFMON \(CAP_SYS_ADMIN before Linux 5\.8\)( \(-v shows libbpf's messages\))?" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$ANOMON" validate "$P"
fi
finish
