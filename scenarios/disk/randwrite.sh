#!/bin/bash
# Abnormal: a random-write I/O storm: 4 KiB direct writes at random offsets of a 256 MiB
# file, as a wiper or a disk-thrashing job does.   randwrite.sh [SECONDS]
. "$(dirname "$0")/lib.sh"
dd if=/dev/zero of=target bs=1M count=256 oflag=direct status=none
begin
/usr/bin/python3 - "$DEADLINE" "$SECONDS" write <<'PY'
import mmap, os, random, sys, time
end = time.monotonic() + int(sys.argv[1]) - int(sys.argv[2])
buf = mmap.mmap(-1, 4096)  # page-aligned, as O_DIRECT wants
buf.write(os.urandom(4096))
fd = os.open("target", os.O_RDWR | os.O_DIRECT)
blocks = os.fstat(fd).st_size // 4096
rng = random.Random(1)
while time.monotonic() < end:
    for _ in range(64):
        off = rng.randrange(blocks) * 4096
        if sys.argv[3] == "write":
            os.pwritev(fd, [buf], off)
        else:
            os.preadv(fd, [buf], off)
os.close(fd)
PY
