"""Write a bpftrace opensnoop log of LINES lines, the same bytes on every run.

The lines are the recorded opensnoop.bt log of tests/fixtures/formats/ replayed over and over,
each pass with its own PIDs (so a reader grouping by process sees new processes, as in a long
trace), with one of the original tool's labelled snippets (tests/replay/fixtures/, normal and
abnormal in turn) after every 1000 lines, so that both kinds of behaviour occur.

    make_opensnoop_log.py LINES OUT
"""
import json
import os
import re
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
RECORDED = os.path.join(SRC, "tests/fixtures/formats/opensnoop.log")
SNIPPETS = os.path.join(SRC, "tests/replay/fixtures/opensnoop_windows.jsonl")
LINE = re.compile(r"^(\d+)(\s.*)$")


def body(pid, rest):
    """What follows the PID column of bpftrace's "%-6d %-16s ...": COMM onwards."""
    return rest[max(0, 6 - len(pid)) + 1:]


def main():
    lines, out = int(sys.argv[1]), sys.argv[2]
    with open(RECORDED, encoding="utf-8", errors="surrogateescape") as f:
        recorded = [(m.group(1), body(*m.groups())) for m in map(LINE.match, f.read().splitlines()) if m]
    with open(SNIPPETS, encoding="utf-8") as f:
        snippets = [[body(*m.groups()) for m in map(LINE.match, json.loads(l)["log"].splitlines()) if m]
                    for l in f if l.strip()]
    written, inserted = 0, 0
    with open(out, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("Attaching 6 probes...\nTracing open syscalls... Hit Ctrl-C to end.\n")
        f.write("PID    COMM               FD ERR PATH\n")
        passes = 0
        while written < lines:
            for pid, rest in recorded:
                if written == lines:
                    break
                # each pass shifts the PIDs by 100000, 40 passes before they repeat; PIDs stay
                # below the kernel's largest, 4194304
                f.write(f"{int(pid) % 100000 + 100000 * (passes % 40):<6d} {rest}\n")
                written += 1
                if written % 1000 == 0 and written < lines:
                    snippet = snippets[inserted % len(snippets)][: lines - written]
                    for rest2 in snippet:
                        f.write(f"{4100000 + inserted % 90000:<6d} {rest2}\n")
                    written += len(snippet)
                    inserted += 1
            passes += 1


if __name__ == "__main__":
    main()
