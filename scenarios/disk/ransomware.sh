#!/bin/bash
# Abnormal: ransomware-like: walk a tree of documents, read each file, write an encrypted
# copy next to it and delete the original.   ransomware.sh [SECONDS]
. "$(dirname "$0")/lib.sh"
# Enough documents for the whole run (some 400 files a second are encrypted here).
/usr/bin/python3 - "$SECONDS_TOTAL" <<'PY'
import os, sys
n = int(sys.argv[1]) * 600
for i in range(n):
    d = f"docs/d{i % 40}/s{i % 7}"
    os.makedirs(d, exist_ok=True)
    with open(f"{d}/report{i}.txt", "wb") as f:
        f.write(os.urandom(4096 + (i * 7919) % 8192))
PY
begin
/usr/bin/python3 - "$DEADLINE" "$SECONDS" <<'PY'
import os, sys, time
end = time.monotonic() + int(sys.argv[1]) - int(sys.argv[2])
key = os.urandom(32)
for root, _, files in os.walk("docs"):
    for name in files:
        if time.monotonic() >= end:
            sys.exit(0)
        p = os.path.join(root, name)
        with open(p, "rb") as f:
            data = f.read()
        enc = bytes(b ^ key[i % 32] for i, b in enumerate(data[:4096])) + data[4096:]
        with open(p + ".locked", "wb") as f:
            f.write(enc)
            f.flush()
            os.fsync(f.fileno())
        os.unlink(p)
while time.monotonic() < end:
    time.sleep(0.1)
PY
