# Shared by the sink tests: a temp dir removed at exit, free loopback ports, and a pipeline
# that turns the labelled run-queue histograms into 81 verdicts (42 abnormal) with the shipped
# CPU model, so sinks get real verdicts without live eBPF.
set -euo pipefail
T=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	if [ -n "${KEEP:-}" ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Wait until a TCP port on loopback accepts connections (max $2 seconds).
wait_port() {
	local i
	for ((i = 0; i < ${2:-20} * 10; i++)); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	fail "nothing listens on 127.0.0.1:$1"
}

# The replay of the labelled run-queue histograms gives 81 windows. A logreg model trained on
# them (recorded as normal and abnormal datasets) turns the windows into verdicts, so sinks
# get real verdicts without live eBPF.
VERDICTS=81
CSV=$SRC/tests/replay/fixtures/runqlen_histograms.csv
cat >"$T/record.json" <<JSON
{"collectors":[{"plugin":"replay","params":{"format":"runqlen-csv","path":"$CSV"}}],
 "features":[{"plugin":"runqlen_hist","params":{"features":["fractions","stats"]}}]}
JSON
"$ANOMON" record "$T/record.json" -q --label 0 --out "$T/normal.jsonl" --set replay.label=0
"$ANOMON" record "$T/record.json" -q --label 1 --out "$T/abnormal.jsonl" --set replay.label=1
"$ANOMON" train -q --model logreg --data "$T/normal.jsonl" "$T/abnormal.jsonl" \
	--out "$T/model.json" >/dev/null

# pipeline FILE SPEED SINKS_JSON: replay at SPEED (0: as fast as possible; 1: real time).
pipeline() {
	cat >"$1" <<JSON
{"name":"sinktest",
 "collectors":[{"plugin":"replay","params":{"format":"runqlen-csv","speed":$2,"path":"$CSV"}}],
 "features":[{"plugin":"runqlen_hist","params":{"features":["fractions","stats"]}}],
 "models":[{"plugin":"logreg","params":{"model":"$T/model.json","top":2}}],
 "sinks":$3}
JSON
}

# The verdicts as stdout prints them, and how many are abnormal.
pipeline "$T/reference.json" 0 '[{"plugin":"stdout","params":{"format":"json"}}]'
"$ANOMON" run "$T/reference.json" >"$T/reference.ndjson"
ABNORMAL=$(grep -c '"label":"abnormal"' "$T/reference.ndjson")
[ "$(wc -l <"$T/reference.ndjson")" = $VERDICTS ] || fail "reference run: not $VERDICTS verdicts"
[ "$ABNORMAL" -gt 0 ] && [ "$ABNORMAL" -lt $VERDICTS ] || fail "reference run: $ABNORMAL abnormal"
