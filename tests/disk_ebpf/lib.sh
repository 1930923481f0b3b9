# Helpers for the live disk collector tests. Sourced; expects ANOMON, and sets up $tmp.
set -euo pipefail

tmp=$(mktemp -d)
bg_pids=()
cleanups=()
cleanup() {
	for p in "${bg_pids[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	for c in "${cleanups[@]}"; do eval "$c" || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; exit 1; }

# pipeline FILE PLUGIN PARAMS_JSON: a collector straight into the JSON stdout sink.
pipeline() {
	cat >"$1" <<JSON
{"collectors": [{"plugin": "$2", "params": $3}],
 "sinks": [{"plugin": "stdout", "params": {"format": "json"}}]}
JSON
}

# Skip only when the kernel or the permissions refuse BPF here.
skip_unless_bpf() {
	local out
	if ! out=$("$ANOMON" validate "$1" 2>&1); then
		if grep -qiE 'not permitted|not available|not usable|BTF|no .* tracepoints' <<<"$out"; then
			echo "SKIP: $out"
			exit 77
		fi
		fail "validate: $out"
	fi
}

# start NAME PIPELINE SECONDS [ARGS...]: anomon run in the background, -v, into
# $tmp/NAME.out and $tmp/NAME.err; returns once the collector is attached. Sets $last_pid.
start() {
	local name=$1 pl=$2 secs=$3
	shift 3
	"$ANOMON" run "$pl" --duration "$secs" -v "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	last_pid=$!
	bg_pids+=("$last_pid")
	for _ in $(seq 100); do
		grep -qE 'info: tracing' "$tmp/$name.err" && return 0
		kill -0 "$last_pid" 2>/dev/null || fail "$name: anomon exited early: $(cat "$tmp/$name.err")"
		sleep 0.05
	done
	fail "$name: not attached after 5 s: $(cat "$tmp/$name.err")"
}

# finish PID NAME: wait for the run to end successfully.
finish() {
	wait "$1" || fail "$2: anomon exited with an error: $(cat "$tmp/$2.err")"
}

# counters NAME: "seen delivered dropped" from the collector's last log line (seen less
# what the container filter held back in the kernel).
counters() {
	sed -nE 's/.*events seen ([0-9]+), filtered in kernel ([0-9]+), delivered ([0-9]+), dropped ([0-9]+).*/\1 \2 \3 \4/p' \
		"$tmp/$1.err" | tail -1 | { read -r seen filtered delivered dropped || exit 0
		echo "$((seen - filtered)) $delivered $dropped"; }
}
