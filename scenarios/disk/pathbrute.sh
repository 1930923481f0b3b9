#!/bin/bash
# Abnormal: path brute force: guessing names of files and directories (backups, configs,
# admin pages), nearly all of which do not exist.   pathbrute.sh [SECONDS]
. "$(dirname "$0")/lib.sh"
begin
/usr/bin/python3 - "$DEADLINE" "$SECONDS" <<'PY'
import itertools, os, sys, time
end = time.monotonic() + int(sys.argv[1]) - int(sys.argv[2])
roots = ["/var/www", "/srv", "/opt", "/etc", "/usr/local/etc", "/home", "/var/backups"]
words = ["admin", "backup", "config", "db", "dump", "old", "secret", "test", "wp-config",
         "site", "app", "private", "database", "passwords", "users", "archive"]
exts = ["", ".bak", ".old", ".sql", ".zip", ".tar.gz", ".php", ".conf", ".txt", "~"]
for root, w, x in itertools.cycle(itertools.product(roots, words, exts)):
    if time.monotonic() >= end:
        break
    for p in (f"{root}/{w}{x}", f"{root}/{w}/{w}{x}", f"{root}/.{w}{x}"):
        try:
            os.close(os.open(p, os.O_RDONLY))
        except OSError:
            pass
    time.sleep(0.0005)
PY
