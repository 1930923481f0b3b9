#!/bin/bash
# Live test of the procsnoop collector through anomon run (stdout sink, JSON), as root, with
# the stage's include filter set to a cgroup v2 the test creates and runs a known workload in
# (proc_workload: children exiting 0, 1, 2, 3 and 42, one killed by SIGKILL, M execs of
# /bin/true, T threads). Checks:
#  1. threads true: exactly the workload's events and nothing from outside the cgroup: every
#     fork (pid, tid, ppid, comm), exec (filename, new comm) and exit (status, signal flag,
#     age), the thread creations and exits by tid, each child's fork before its exec before
#     its exit;
#  2. threads false: the same without the thread events, which are counted as left out;
#  3. drops: a 64 KiB ring, a stopped reader and a fork storm in the cgroup: what the kernel
#     passed is delivered or counted as dropped, and the drops reach the run's summary.
# Usage: procsnoop.sh PROC_WORKLOAD FORK_LOOP   (env: ANOMON). Exit 77 only when the kernel
# refuses BPF.
. "$(dirname "$0")/../disk_ebpf/lib.sh"
workload=$1 loop=$2
M=3 T=2

cg2=$(findmnt -n -t cgroup2 -o TARGET | head -1 || true)
[ -n "$cg2" ] || fail "no cgroup v2 mount to create a cgroup in"
name=anomon-proc-$$
cg=$cg2/$name
mkdir "$cg" || fail "cannot create $cg"
cleanups+=("rmdir $cg")
cgid=$(stat -c %i "$cg")

pipeline "$tmp/t.json" procsnoop "{\"threads\": true, \"include\": [\"/$name\"]}"
skip_unless_bpf "$tmp/t.json"
pipeline "$tmp/nt.json" procsnoop "{\"include\": [\"/$name\"]}"

# incg CMD...: run CMD inside the cgroup: a shell moves itself in, then execs CMD. (In a
# sanitizer build LeakSanitizer would fork a tracer at the workload's exit.)
incg() { ASAN_OPTIONS=detect_leaks=0 bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@"; }

# check NAME THREADS: the events of run NAME against what the workload wrote.
check() {
	python3 - "$tmp/$1.out" "$tmp/$1.w.json" "$cgid" "$workload" "$2" "$M" "$T" <<'PY' || fail "$1: events differ"
import json, os, sys
out, wl, cgid, prog, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5] == "true"
m, t = int(sys.argv[6]), int(sys.argv[7])
w = json.load(open(wl))
evs = [json.loads(l) for l in open(out)]
evs = [e for e in evs if e["record"] == "event"]
bad = [e for e in evs if e["type"] != "proc" or e.get("cgroup_id") != cgid]
assert not bad, "events from outside the cgroup: %s" % bad[:3]
P, PP, uid = w["pid"], w["ppid"], os.getuid()
codes = {pid: code for pid, code in w["codes"]}
killed, sig = w["killed"]
execs, tids = set(w["execs"]), set(w["threads"])
assert len(codes) == 5 and len(execs) == m and len(tids) == t, w
kids = set(codes) | {killed} | execs
def pick(kind, thread):
    return [e for e in evs if e["kind"] == kind and e["thread"] == thread]
forks, tforks = pick("fork", False), pick("fork", True)
ex, tex = pick("exec", False), pick("exec", True)
xs, txs = pick("exit", False), pick("exit", True)
assert len(evs) == len(forks) + len(tforks) + len(ex) + len(xs) + len(txs), "unknown kinds"
assert not tex, tex
for e in evs:
    assert e["uid"] == uid and e["pid"] in kids | {P}, e

# Forks: one per child, by the workload.
assert sorted(e["pid"] for e in forks) == sorted(kids), forks
for e in forks:
    assert e["tid"] == e["pid"] and e["ppid"] == P and e["comm"] == "proc_workload", e
# Execs: the workload itself (the shell that moved into the cgroup), then /bin/true.
assert sorted(e["pid"] for e in ex) == sorted(execs | {P}), ex
for e in ex:
    assert e["tid"] == e["pid"] and "exit_code" not in e and "age_ns" not in e, e
    if e["pid"] == P:
        assert e["filename"] == prog and e["comm"] == "proc_workload" and e["ppid"] == PP, e
    else:
        assert e["filename"] == "/bin/true" and e["comm"] == "true" and e["ppid"] == P, e
# Exits: every child with its status, and the workload.
assert sorted(e["pid"] for e in xs) == sorted(kids | {P}), xs
for e in xs:
    p = e["pid"]
    assert e["age_ns"] >= 0, e
    if p == P:
        want = (0, False, "proc_workload", PP)
    elif p == killed:
        want = (sig, True, "proc_workload", P)
    elif p in execs:
        want = (0, False, "true", P)
    else:
        want = (codes[p], False, "proc_workload", P)
    assert (e["exit_code"], e["signaled"], e["comm"], e["ppid"]) == want, (e, want)
# Each child: forked, then (maybe) exec'd, then ended.
ts = {}
for e in forks + ex + xs:
    ts.setdefault(e["pid"], {})[e["kind"]] = e["ts_ns"]
for p in kids:
    assert ts[p]["fork"] <= ts[p].get("exec", ts[p]["fork"]) <= ts[p]["exit"], (p, ts[p])
# Threads: created and ended in the workload, by tid; none without `threads`.
if threads:
    assert sorted(e["tid"] for e in tforks) == sorted(tids), tforks
    assert sorted(e["tid"] for e in txs) == sorted(tids), txs
    for e in tforks + txs:
        assert e["pid"] == P and e["ppid"] == PP and e["comm"] == "proc_workload", e
    for e in txs:
        assert e["exit_code"] == 0 and not e["signaled"] and e["age_ns"] >= 0, e
else:
    assert not tforks and not txs, tforks + txs
print("%d events: %d forks, %d execs, %d exits, %d thread creations, %d thread exits" %
      (len(evs), len(forks), len(ex), len(xs), len(tforks), len(txs)))
PY
}

# 1. Threads.
start t "$tmp/t.json" 30
incg "$workload" "$tmp/t.w.json" $M $T || fail "workload failed"
kill -INT "$last_pid"
finish "$last_pid" t
check t true

# 2. No threads: their creations and exits are counted in the kernel instead.
start nt "$tmp/nt.json" 30
incg "$workload" "$tmp/nt.w.json" $M $T || fail "workload failed"
kill -INT "$last_pid"
finish "$last_pid" nt
check nt false
left=$(sed -nE 's/.*thread creations and exits left out \(threads false\): ([0-9]+).*/\1/p' "$tmp/nt.err")
[ "${left:-0}" -ge $((2 * T)) ] || fail "threads left out: ${left:-none}, expected at least $((2 * T))"
echo "threads false: $left thread creations and exits left out (host-wide)"

# 3. Drops: the reader stopped while a fork storm fills a 64 KiB ring.
n=5000
pipeline "$tmp/drop.json" procsnoop "{\"ringbuf_size\": \"64k\", \"include\": [\"/$name\"]}"
start drop "$tmp/drop.json" 30
kill -STOP "$last_pid"
read -r forked _ < <(incg "$loop" $n)
kill -CONT "$last_pid"
kill -INT "$last_pid"
finish "$last_pid" drop
read -r seen delivered dropped < <(counters drop)
mine=$(jq -c "select(.record == \"event\" and .cgroup_id == $cgid)" "$tmp/drop.out" | wc -l)
# The storm's exec and exit, and a fork and an exit per child.
want=$((2 * forked + 2))
echo "storm: $forked forks, $want events in the cgroup; seen $seen, delivered $delivered, dropped $dropped, printed $mine"
[ "$forked" -eq $n ] || fail "fork_loop made $forked forks of $n"
[ "$dropped" -gt 0 ] || fail "no drops with a stopped reader and a 64 KiB ring"
[ $((delivered + dropped)) -eq "$seen" ] || fail "delivered + dropped != seen"
[ "$mine" -le "$want" ] && [ $((mine + dropped)) -ge "$want" ] ||
	fail "$mine events of the cgroup printed and $dropped dropped, for $want"
grep -qE "procsnoop +collector .*dropped $dropped( |$)" "$tmp/drop.err" ||
	fail "drops not in the run summary: $(grep collector "$tmp/drop.err")"

echo "ok"
