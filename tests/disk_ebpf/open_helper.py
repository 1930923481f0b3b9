#!/usr/bin/env python3
# open_helper.py COMM DIR OUT: under the task name COMM, open DIR/known (write, create,
# truncate, mode 0640), DIR/missing (fails with ENOENT) and DIR/LONG/file (a path of more
# than 255 bytes, made by the caller as DIR/long), then write what happened to OUT as JSON.
# With WAIT_FIFO set, first wait for a line on that FIFO (so the caller knows our pid).
import errno, json, os, sys

comm, d, out = sys.argv[1:4]
if os.environ.get("WAIT_FIFO"):
    with open(os.environ["WAIT_FIFO"]) as f:
        f.readline()
with open("/proc/self/comm", "w") as f:
    f.write(comm)
res = {"pid": os.getpid()}
known = os.path.join(d, "known")
fd = os.open(known, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
res["known"] = {"path": known, "fd": fd, "flags": os.O_WRONLY | os.O_CREAT | os.O_TRUNC}
os.close(fd)
missing = os.path.join(d, "missing")
try:
    os.open(missing, os.O_RDONLY)
    res["missing"] = {"path": missing, "err": 0}
except OSError as e:
    res["missing"] = {"path": missing, "err": e.errno}
with open(os.path.join(d, "longpath")) as f:
    long_path = f.read().strip()
fd = os.open(long_path, os.O_RDONLY)
res["long"] = {"path": long_path, "fd": fd}
os.close(fd)
with open(out, "w") as f:
    json.dump(res, f)
