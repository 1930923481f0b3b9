#!/bin/bash
# Live test of proc_behaviour on procsnoop, as root: a known workload (proc_workload: five
# children with statuses 0, 1, 2, 3, 42, one killed by SIGKILL, M execs of /bin/true, T
# threads) in a cgroup of the test's own, through procsnoop -> proc_behaviour (1 s windows),
# the sink printing both the events and the vectors. Checks:
#  1. every vector of the cgroup's key equals the features recomputed from the events it
#     printed for that key and window (the rates, ratios, distinct programs, mean age);
#  2. summed over windows (the workload may straddle two), the counts are the workload's
#     exactly: 9 new processes, 1 + M execs, 10 exits, T threads, 5 failed and 1 signalled
#     exit; nothing else has the cgroup's key.
# Usage: features.sh PROC_WORKLOAD   (env: ANOMON). Exit 77 only when the kernel refuses BPF.
. "$(dirname "$0")/../disk_ebpf/lib.sh"
workload=$1
M=3 T=2

cg2=$(findmnt -n -t cgroup2 -o TARGET | head -1 || true)
[ -n "$cg2" ] || fail "no cgroup v2 mount to create a cgroup in"
name=anomon-procf-$$
cg=$cg2/$name
mkdir "$cg" || fail "cannot create $cg"
cleanups+=("rmdir $cg")

cat >"$tmp/f.json" <<JSON
{"collectors": [{"plugin": "procsnoop", "params": {"threads": true, "include": ["/$name"]}}],
 "features": [{"plugin": "proc_behaviour", "params": {"window": "1s"}}],
 "sinks": [{"plugin": "stdout", "params": {"format": "json"},
            "inputs": ["procsnoop", "proc_behaviour"]}]}
JSON
skip_unless_bpf "$tmp/f.json"

start f "$tmp/f.json" 30
ASAN_OPTIONS=detect_leaks=0 bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" \
	"$workload" "$tmp/w.json" $M $T || fail "workload failed"
kill -INT "$last_pid"
finish "$last_pid" f

python3 - "$tmp/f.out" "/$name" "$M" "$T" <<'PY' || fail "features differ"
import json, math, sys
from datetime import datetime, timezone
out, key, m, t = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
recs = [json.loads(l) for l in open(out)]
evs = [r for r in recs if r["record"] == "event"]
vecs = [r for r in recs if r["record"] == "vector"]
assert evs and vecs, "no events or no vectors"
assert all(v["key"] == key for v in vecs), [v["key"] for v in vecs]
W = 1000000000

def start_ns(s):
    # "2026-11-25T08:11:09.000000000Z": windows start on whole seconds
    d = datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return int(d.timestamp()) * W + int(s[20:29])

# 1. Each window from its own events.
by_win = {}
for e in evs:
    by_win.setdefault(e["ts_ns"] - e["ts_ns"] % W, []).append(e)
assert sorted(by_win) == sorted(start_ns(v["start"]) for v in vecs), "windows differ"
total = dict.fromkeys(["forks", "execs", "exits", "threads", "failed", "signaled"], 0)
for v in vecs:
    es = by_win[start_ns(v["start"])]
    f = v["features"]
    procs = [e for e in es if not e["thread"]]
    forks = [e for e in procs if e["kind"] == "fork"]
    execs = [e for e in procs if e["kind"] == "exec"]
    exits = [e for e in procs if e["kind"] == "exit"]
    threads = [e for e in es if e["thread"] and e["kind"] == "fork"]
    failed = [e for e in exits if e["exit_code"] != 0 or e["signaled"]]
    signaled = [e for e in exits if e["signaled"]]
    short = [e for e in exits if e["age_ns"] < W]
    n = len(exits)
    want = {
        "proc_forks_per_s": len(forks), "proc_execs_per_s": len(execs),
        "proc_exits_per_s": n, "proc_threads_per_s": len(threads),
        "proc_short_lived_ratio": len(short) / n if n else 0,
        "proc_fail_exit_ratio": len(failed) / n if n else 0,
        "proc_signal_exit_ratio": len(signaled) / n if n else 0,
        "proc_distinct_execs": len({e["filename"] for e in execs}),
        "proc_mean_age_s": math.exp(sum(math.log(max(e["age_ns"] / 1e9, 0.001)) for e in exits) / n) if n else 0,
    }
    assert sorted(f) == sorted(want), sorted(f)
    for k, x in want.items():
        assert math.isfinite(f[k]) and abs(f[k] - x) <= 1e-6 * max(1, abs(x)), (v["start"], k, f[k], x)
    assert v["events"] == len(es) and not v["incomplete"], v
    for k, lst in (("forks", forks), ("execs", execs), ("exits", exits), ("threads", threads),
                   ("failed", failed), ("signaled", signaled)):
        total[k] += len(lst)
    print(v["start"], json.dumps(f))

# 2. The workload, whole.
want = {"forks": 5 + 1 + m, "execs": 1 + m, "exits": 5 + 1 + m + 1, "threads": t,
        "failed": 5, "signaled": 1}
assert total == want, (total, want)
print("totals:", total)
PY
echo "ok"
