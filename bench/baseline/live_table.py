#!/usr/bin/env python3
"""The table of bench/baseline/live: RECORDS (anomon's NDJSON) TIMELINE LOAD."""
import json
import sys
from collections import defaultdict
from datetime import datetime, timezone


def ts(s):
    """RFC 3339 with nanoseconds -> Unix seconds."""
    main, _, frac = s.rstrip("Z").partition(".")
    t = datetime.strptime(main, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return t.timestamp() + (float("0." + frac) if frac else 0.0)


records, timeline, loadfile = sys.argv[1:4]
# Windows of different stages are not aligned (runqlen reads its histograms every 2 s from
# its start; disk windows sit on multiples of 2 s): each verdict goes to the 2 s slot of its
# window's middle. key -> slot -> [(model, label, basis)]
SLOT = 2.0
slots = defaultdict(lambda: defaultdict(list))
for line in open(records):
    r = json.loads(line)
    if r.get("record") != "verdict":
        continue
    mid = (ts(r["start"]) + ts(r["end"])) / 2
    slots[r["key"]][int(mid // SLOT)].append((r["model"], r["label"], r.get("basis", "")))

load = [tuple(map(float, l.split())) for l in open(loadfile) if len(l.split()) == 3]


def load_in(t0, t1):
    xs = [(a, r) for t, a, r in load if t0 <= t <= t1]
    if not xs:
        return "-"
    return "%.1f / %.1f" % (sum(a for a, _ in xs) / len(xs), sum(r for _, r in xs) / len(xs))


rows = [l.split() for l in open(timeline)]
print("| phase | scenario | expected | windows judged | flagged (cpu / disk / proc / either) | fraction flagged | basis own / host | load avg / runnable |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
totals = defaultdict(lambda: [0, 0])
ok = True


def flagged(vs, suffix=""):
    return any(m.endswith(suffix) and l == "abnormal" for m, l, _ in vs)


for phase, scen, kind, key, t0, t1 in rows:
    t0, t1 = float(t0), float(t1)
    ks = slots.get(key, {})
    ids = sorted(i for i in ks if i * SLOT < t1 and (i + 1) * SLOT > t0)[1:-1]
    judged = [ks[i] for i in ids]
    fc = sum(flagged(v, "cpu") for v in judged)
    fd = sum(flagged(v, "disk") for v in judged)
    fp = sum(flagged(v, "proc") for v in judged)
    fe = sum(flagged(v) for v in judged)
    own = sum(any(b == "own baseline" for _, _, b in v) for v in judged)
    host = sum(any(b.startswith("host baseline") for _, _, b in v) for v in judged)
    frac = fe / len(judged) if judged else float("nan")
    mark = ""
    counted = phase != "learn" and not scen.startswith("host:")
    if counted:
        totals[(phase, kind)][0] += len(judged)
        totals[(phase, kind)][1] += fe
        if kind == "abnormal" and not (judged and frac >= 0.9):
            mark, ok = " (below 0.90)", False
    print(f"| {phase} | {scen} | {kind} | {len(judged)} | {fc} / {fd} / {fp} / {fe} | "
          f"{frac:.3f}{mark} | {own} / {host} | {load_in(t0, t1)} |")

n, f = totals[("ordinary", "ordinary")]
print()
print(f"Ordinary activity after learning: {f} of {n} windows flagged "
      f"({(f / n if n else float('nan')):.2%}; target at most 2%).")
ord_rows = [r for r in rows if r[0] == "ordinary"]
if ord_rows:
    t0, t1 = float(ord_rows[0][4]), float(ord_rows[-1][5])
    hs = slots.get("host", {})
    hw = [hs[i] for i in hs if i * SLOT >= t0 and (i + 1) * SLOT <= t1]
    hf = sum(flagged(v) for v in hw)
    print(f"The host's own windows over the ordinary phase (shared with the machine's other "
          f"work): {hf} of {len(hw)} flagged ({(hf / len(hw) if hw else float('nan')):.2%}).")
if n and f > 0.02 * n:
    ok = False
sys.exit(0 if ok else 1)
