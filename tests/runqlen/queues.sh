#!/bin/bash
# Which queue the host histograms count (runqlen host_queue), as root: 4 busy loops per CPU,
# each in a session of its own (setsid).
#  - host_queue=cpu (the default) counts the CPUs' root run queues: about 3 tasks waiting
#    per CPU, the mean rises by at least 1.5;
#  - host_queue=group counts each sampled task's own group queue: with autogroup on and this
#    test in the root cpu cgroup, every loop is alone in its session's group, so the mean
#    stays below 0.5 (checked only in that setting; elsewhere the groups differ).
# Env: ANOMON (the binary). Exit 77 only when the kernel refuses BPF or perf events.
set -euo pipefail

tmp=$(mktemp -d)
pgids=()
cleanup() {
	for g in "${pgids[@]}"; do kill -KILL -- "-$g" 2>/dev/null || true; done
	{ wait; } 2>/dev/null || true # reap them without "Killed" reports
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

cat >"$tmp/p.json" <<'JSON'
{
  "collectors": [{"plugin": "runqlen", "params": {"window": "1s", "per_cpu": false, "per_cgroup": false}}],
  "features": [{"plugin": "runqlen_hist", "params": {"features": ["stats"]}}],
  "sinks": [{"plugin": "stdout", "params": {"format": "json"}}]
}
JSON
if ! out=$("$ANOMON" validate "$tmp/p.json" 2>&1); then
	if grep -qiE 'not permitted|not available|not usable|BTF' <<<"$out"; then
		echo "SKIP: $out"
		exit 77
	fi
	fail "validate: $out"
fi

# Mean host queue over the full windows of a 3.5 s run with host_queue=$1.
mean_queue() {
	"$ANOMON" run "$tmp/p.json" --duration 3.5 --set runqlen.host_queue="$1" >"$tmp/$1.json" ||
		fail "anomon run with host_queue=$1 failed"
	jq -s '[.[] | select(.record == "vector" and .key == "host") | .features.mean][0:3] |
		add / length' "$tmp/$1.json"
}

for _ in $(seq $((4 * $(nproc)))); do
	setsid bash -c 'while :; do :; done' </dev/null >/dev/null 2>&1 &
	pgids+=($!)
done
sleep 0.5
root=$(mean_queue cpu)
group=$(mean_queue group)
echo "4 loops per CPU in sessions of their own: mean host queue $root (root), $group (group)"

awk -v r="$root" 'BEGIN { exit !(r >= 1.5) }' ||
	fail "host_queue=cpu: mean queue $root, expected at least 1.5"

# Autogroups exist only for tasks of the root cpu cgroup (cgroup v1 "cpu" line, else v2).
cpu_cg=$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ { print $3; found = 1 } END { if (!found) print "" }' \
	/proc/self/cgroup)
[ -n "$cpu_cg" ] || cpu_cg=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
if [ "$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null)" = 1 ] && [ "$cpu_cg" = / ]; then
	awk -v g="$group" 'BEGIN { exit !(g < 0.5) }' ||
		fail "host_queue=group: mean queue $group, expected below 0.5 (one loop per autogroup)"
else
	echo "autogroup off or not in the root cpu cgroup ($cpu_cg): group measure not checked"
fi
echo "ok"
