# Shared by the disk scenarios: a private work directory that is always removed, a time
# bound, and joining the scenario's cgroup (when the driver gives one) once the preparation
# is done, so that only the workload itself is observed under the scenario's key.
#   SCENARIO_CGROUP  a cgroup v2 directory to move into before the workload (optional)
set -u
SECONDS_TOTAL=${1:-20}
WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/anomon-scenario.XXXXXX")
cleanup() {
	trap - EXIT INT TERM
	# Children first, so that nothing writes into the directory while it is removed.
	jobs -p | xargs -r kill 2>/dev/null
	wait 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cd "$WORK"

# Call after preparing: moves this shell (and so the workload) into the scenario's cgroup
# and starts the clock.
begin() {
	if [ -n "${SCENARIO_CGROUP:-}" ]; then
		echo $$ >"$SCENARIO_CGROUP/cgroup.procs"
	fi
	DEADLINE=$((SECONDS + SECONDS_TOTAL))
}

# True while the scenario's time is not over.
running() { [ "$SECONDS" -lt "$DEADLINE" ]; }
