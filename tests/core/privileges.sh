#!/bin/bash
# Once every stage has started, anomon keeps only CAP_DAC_READ_SEARCH, sets no_new_privs and,
# with --user, runs as that user; the live eBPF collector goes on producing windows through
# its open descriptors.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "needs root to have privileges to drop"; exit 77; }
if ! "$ANOMON" validate "$SRC/pipelines/cpu.json" >"$tmp/v" 2>&1; then
	grep -qiE "not permitted|BPF not usable" "$tmp/v" && { cat "$tmp/v"; exit 77; }
fi
cat >"$tmp/p.json" <<JSON
{"collectors": [{"plugin": "runqlen", "params": {"window": "1s", "per_cpu": false, "per_cgroup": false}}],
 "sinks": [{"plugin": "stdout", "params": {"format": "json"}}]}
JSON
# status FIELD PID: a line of /proc/PID/status
status() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$2/status"; }

run_and_look() { # LABEL ARGS...: runs 4 s, samples /proc after 2 s into $tmp/LABEL.*
	local label=$1
	shift
	"$ANOMON" run "$tmp/p.json" --duration 4 "$@" >"$tmp/$label.out" 2>"$tmp/$label.err" &
	local pid=$!
	sleep 2
	{ status Uid $pid; status CapEff $pid; status NoNewPrivs $pid; } >"$tmp/$label.status"
	wait $pid
	echo $? >"$tmp/$label.rc"
}

run_and_look user --user nobody
read -r uid caps nnp < <(paste -sd' ' "$tmp/user.status")
check "--user nobody: exit $(cat "$tmp/user.rc"): $(cat "$tmp/user.err")" test "$(cat "$tmp/user.rc")" -eq 0
check "--user nobody: uid $uid" test "$uid" = "$(id -u nobody)"
check "--user nobody: capabilities $caps, expected CAP_DAC_READ_SEARCH only" test "$caps" = 0000000000000004
check "--user nobody: no_new_privs $nnp" test "$nnp" = 1
# Windows kept coming after the drop: about one per second for 4 s.
n=$(grep -c '"source":"host"' "$tmp/user.out")
check "--user nobody: $n host windows, expected at least 3" test "$n" -ge 3

run_and_look root
read -r uid caps nnp < <(paste -sd' ' "$tmp/root.status")
check "root: uid $uid, caps $caps" test "$uid" = 0 -a "$caps" = 0000000000000004
run_and_look keep --keep-privileges
read -r uid caps nnp < <(paste -sd' ' "$tmp/keep.status")
check "--keep-privileges: caps $caps kept" test "$caps" != 0000000000000004 -a "$nnp" = 0

expect 2 "anomon: error: --user no-such-user-here: no such user" \
	"$ANOMON" run "$tmp/p.json" --user no-such-user-here
finish
