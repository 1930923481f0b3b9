#!/bin/bash
# Recorded opensnoop and biosnoop logs replayed through open_behaviour, bio_behaviour and
# disk_behaviour: the values of known windows, count windows, keys, and refused parameters.
set -u
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
FX=$SRC/tests/disk/fixtures
fail() { echo "FAIL: $*"; exit 1; }

pipeline() { # FEATURE PARAMS-JSON FORMAT FILE
	cat >"$T/p.json" <<JSON
{"collectors": [{"plugin": "replay", "params": {"path": "$4", "format": "$3",
   "start": "2024-01-01T00:00:00Z", "span": "10s"}}],
 "features": [{"plugin": "$1", "params": $2}],
 "sinks": [{"plugin": "stdout", "params": {"format": "json"}}]}
JSON
}

# Opens: one 10 s window (untimed lines are spread over the replay's 10 s span).
pipeline open_behaviour '{"window": "10s", "key": "host", "tokens": 16}' opensnoop "$FX/opensnoop.log"
"$ANOMON" run "$T/p.json" >"$T/open.out" 2>"$T/err" || fail "open run: $(cat "$T/err")"
/usr/bin/python3 - "$T/open.out" <<'PY' || fail "open_behaviour values"
import json, sys
vs = [json.loads(l) for l in open(sys.argv[1]) if '"vector"' in l]
assert len(vs) == 1, len(vs)
v, f = vs[0], vs[0]["features"]
assert v["key"] == "host" and v["events"] == 8, v
want = {"open_count": 8, "open_rate": 0.8, "open_fail_ratio": 3 / 8, "open_enoent_ratio": 2 / 8,
        "open_eacces_ratio": 1 / 8, "open_other_fail_ratio": 0, "open_paths_ratio": 1,
        "open_dirs_ratio": 5 / 8, "open_procs": 4, "open_comms": 4, "open_write_ratio": 0,
        "open_sensitive": 3, "open_relative_ratio": 1 / 8}
for k, x in want.items():
    assert abs(f[k] - x) < 1e-9, (k, f[k], x)
tok = sum(f["open_tok_%d" % i] for i in range(16))
# tokens: etc passwd etc shadow nonexistent a nonexistent b proc environ root ssh id rsa data txt etc ld so cache
assert abs(tok - 20 / 8) < 1e-9, tok
assert "open_tok_16" not in f
PY

# Count windows: 3 events each, the rest at the end of the stream.
pipeline open_behaviour '{"window_events": 3, "key": "host", "tokens": 0}' opensnoop "$FX/opensnoop.log"
"$ANOMON" run "$T/p.json" >"$T/count.out" 2>"$T/err" || fail "count run: $(cat "$T/err")"
/usr/bin/python3 - "$T/count.out" <<'PY' || fail "count windows"
import json, sys
vs = [json.loads(l) for l in open(sys.argv[1]) if '"vector"' in l]
assert [v["events"] for v in vs] == [3, 3, 2], [v["events"] for v in vs]
assert [v["features"]["open_count"] for v in vs] == [3, 3, 2]
assert len(vs[0]["features"]) == 18
PY

# Block I/O: two 2 s windows of the timed bcc log.
pipeline bio_behaviour '{"window": "2s"}' biosnoop "$FX/biosnoop.log"
"$ANOMON" run "$T/p.json" >"$T/bio.out" 2>"$T/err" || fail "bio run: $(cat "$T/err")"
/usr/bin/python3 - "$T/bio.out" <<'PY' || fail "bio_behaviour values"
import json, sys
vs = [json.loads(l) for l in open(sys.argv[1]) if '"vector"' in l]
assert len(vs) == 2, len(vs)
a, b = vs[0]["features"], vs[1]["features"]
want = {"bio_count": 4, "bio_iops": 2, "bio_bytes_per_s": (3 * 4096 + 8192) / 2,
        "bio_read_ratio": 0.75, "bio_write_ratio": 0.25, "bio_seq_ratio": 2 / 3,
        "bio_lat_p50_ms": 2, "bio_lat_p95_ms": 4, "bio_lat_max_ms": 4, "bio_issuers": 2,
        "bio_disks": 1}
for k, x in want.items():
    assert abs(a[k] - x) < 1e-9, (k, a[k], x)
assert b["bio_count"] == 1 and b["bio_seq_ratio"] == 0 and b["bio_lat_p50_ms"] == 5, b
PY

# The joined feature: open then bio names, zeros for the part without events.
pipeline disk_behaviour '{"window": "10s", "tokens": 4}' biosnoop "$FX/biosnoop.log"
"$ANOMON" run "$T/p.json" >"$T/disk.out" 2>"$T/err" || fail "disk run: $(cat "$T/err")"
/usr/bin/python3 - "$T/disk.out" <<'PY' || fail "disk_behaviour vector"
import json, sys
vs = [json.loads(l) for l in open(sys.argv[1]) if '"vector"' in l]
assert len(vs) == 1, len(vs)
names = list(vs[0]["features"])
assert len(names) == 18 + 4 + 18 and names[0] == "open_count" and names[22] == "bio_count", names
f = vs[0]["features"]
assert f["open_count"] == 0 and f["bio_count"] == 5, f
PY

# Refusals: configuration errors exit 2 with a message.
for bad in '{"key": "pod"}' '{"tokens": -1}' '{"window_events": -2}' '{"window": "0s"}'; do
	pipeline open_behaviour "$bad" opensnoop "$FX/opensnoop.log"
	"$ANOMON" validate "$T/p.json" >/dev/null 2>"$T/err"; rc=$?
	[ $rc -eq 2 ] || fail "$bad: exit $rc, not 2"
	[ -s "$T/err" ] || fail "$bad: no message"
done
echo ok
