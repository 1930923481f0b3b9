#!/bin/bash
# Containers on real cgroups: cgroups named like each runtime's layout are created under the
# cgroup v2 hierarchy, a busy process runs in each, and the per-cgroup run-queue histograms
# of the live runqlen collector must name the right runtime, id and pod; include/exclude
# filters hold back the excluded cgroups; removing a cgroup mid-run is survived and its
# cache entry forgotten.
. "$(dirname "$0")/lib.sh"
ROOT=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
[ -n "$ROOT" ] || { echo "no cgroup v2 hierarchy mounted"; exit 77; }
"$ANOMON" plugins info runqlen >/dev/null 2>&1 || { echo "FAIL: runqlen plugin not built"; exit 1; }
if ! "$ANOMON" validate "$SRC/pipelines/cpu.json" >"$tmp/v" 2>&1; then
	grep -qiE "not permitted|permission|BPF not usable" "$tmp/v" && { cat "$tmp/v"; exit 77; }
fi

ID1=$(printf 'a%.0s' {1..8})$(printf '%056d' 1)    # 64 hex characters
ID2=$(printf 'b%.0s' {1..8})$(printf '%056d' 2)
ID3=$(printf 'c%.0s' {1..8})$(printf '%056d' 3)
UID_=6b7c1e0a_2f4d_4e5a_9b8c_0d1e2f3a4b5c
BASE=$ROOT/anomon-test-$$
declare -A CG=(
	[docker]="$BASE/docker-$ID1.scope"
	[containerd]="$BASE/kubepods-burstable-pod$UID_.slice/cri-containerd-$ID2.scope"
	[podman]="$BASE/libpod-$ID3.scope"
	[lxc]="$BASE/lxc.payload.web1"
	[systemd]="$BASE/anomon-probe.service"
)
declare -A PID=()
cleanup() {
	kill "${PID[@]}" 2>/dev/null
	wait 2>/dev/null
	for d in $(find "$BASE" -depth -type d 2>/dev/null); do rmdir "$d" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
for rt in "${!CG[@]}"; do
	mkdir -p "${CG[$rt]}" || { echo "cannot create cgroups under $ROOT"; exit 77; }
	# A busy loop inside the cgroup: it moves itself there, then spins.
	bash -c "echo \$\$ > '${CG[$rt]}/cgroup.procs' && exec bash -c 'while :; do :; done'" &
	PID[$rt]=$!
done
sleep 0.5

cat >"$tmp/p.json" <<JSON
{"collectors": [{"plugin": "runqlen", "params": {"window": "1s", "per_cpu": false}}],
 "sinks": [{"plugin": "stdout", "params": {"format": "json"}}]}
JSON
"$ANOMON" run "$tmp/p.json" --duration 3.5 >"$tmp/all.json" 2>"$tmp/err" ||
	fail "run: $(cat "$tmp/err")"
check_runtime() { # RUNTIME ID [POD] [NAME]
	python3 - "$tmp/all.json" "$@" <<'PY' || fail "no runq_hist event for $1 $2 with the right container"
import json, sys
path, runtime, cid = sys.argv[1:4]
pod = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else None
name = sys.argv[5] if len(sys.argv) > 5 else None
for line in open(path):
    r = json.loads(line)
    c = r.get("container")
    if r.get("source") != "cgroup" or not c or c["runtime"] != runtime:
        continue
    assert c["id"] == cid and c["short_id"] == cid[:12], c
    assert c.get("pod_uid") == pod, c
    assert name is None or c.get("name") == name, c
    assert r["cgroup"].startswith("/anomon-test-") and (cid in r["cgroup"] or runtime == "lxc"), r
    sys.exit(0)
sys.exit(1)
PY
}
checks=$((checks + 5))
check_runtime docker "$ID1"
check_runtime containerd "$ID2" "${UID_//_/-}"
check_runtime podman "$ID3"
check_runtime lxc web1 "" web1
check_runtime systemd anomon-probe.service "" anomon-probe

# exclude by id prefix and by name, include by path glob: excluded cgroups never reach
# the sink, and the collector counts what it held back.
"$ANOMON" run "$tmp/p.json" --duration 2.5 -v --set "runqlen.exclude=${ID1:0:12},web1" \
	>"$tmp/ex.json" 2>"$tmp/err" || fail "run with exclude: $(cat "$tmp/err")"
check "exclude: docker and lxc cgroups held back" \
	bash -c "! grep -q '\"short_id\":\"${ID1:0:12}\"\\|\"runtime\":\"lxc\"' '$tmp/ex.json'"
check "exclude: podman still there" grep -q "\"id\":\"$ID3\"" "$tmp/ex.json"
check "exclude: filtered count reported" grep -qE '^anomon: info: runqlen +collector .* filtered [1-9]' "$tmp/err"
"$ANOMON" run "$tmp/p.json" --duration 2.5 --set "runqlen.include=/anomon-test-$$/kubepods-*" \
	--set runqlen.containers_only=true >"$tmp/in.json" 2>"$tmp/err" || fail "run with include: $(cat "$tmp/err")"
check "include glob: only the pod's container" python3 -c '
import json, sys
ids = {json.loads(l).get("container", {}).get("id") for l in open(sys.argv[1])}
assert ids == {sys.argv[2]}, ids
' "$tmp/in.json" "$ID2"

# A cgroup removed while anomon runs: no crash, and the sweep forgets it.
"$ANOMON" run "$tmp/p.json" --duration 8 -vv >"$tmp/rm.json" 2>"$tmp/rm.err" &
apid=$!
sleep 2
kill "${PID[docker]}" 2>/dev/null
wait "${PID[docker]}" 2>/dev/null
rmdir "${CG[docker]}" || fail "cannot remove ${CG[docker]}"
wait $apid
check "removal: exit 0: $(tail -3 "$tmp/rm.err")" test $? -eq 0
check "removal: cache entry forgotten" grep -q 'forgot [1-9][0-9]* removed cgroups' "$tmp/rm.err"
finish
