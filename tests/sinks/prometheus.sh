#!/bin/bash
# prometheus sink against a real Prometheus server (Debian's prometheus, run directly with
# its own config and data dir, never the system's service): it scrapes anomon's /metrics on
# loopback every second, and the test finds the series through Prometheus's HTTP API.
. "$(dirname "$0")/lib.sh"
PROMETHEUS=$(command -v prometheus || echo /usr/bin/prometheus)
[ -x "$PROMETHEUS" ] || fail "prometheus not installed (scripts/deps.txt: prometheus)"

MP=$(free_port)
PP=$(free_port)
cat >"$T/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: anomon
    static_configs:
      - targets: ["127.0.0.1:$MP"]
YML
"$PROMETHEUS" --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address="127.0.0.1:$PP" >"$T/prom.log" 2>&1 &
PIDS+=("$!")

# The endpoint itself: text format, 404 elsewhere. 81 windows at speed 10 take 81 s: the
# run is stopped by --duration while the replay still produces.
pipeline "$T/p.json" 10 '[{"plugin":"prometheus","params":{"listen":"127.0.0.1:'"$MP"'"}}]'
"$ANOMON" run "$T/p.json" --duration 40 2>"$T/err" &
A=$!
PIDS+=("$A")
wait_port "$MP"
sleep 1
curl -sf "http://127.0.0.1:$MP/metrics" >"$T/m1" || fail "no /metrics"
grep -q '^# TYPE anomon_scoring_latency_seconds histogram$' "$T/m1" || fail "no latency histogram: $(head "$T/m1")"
grep -q '^anomon_uptime_seconds{pipeline="sinktest"} ' "$T/m1" || fail "no uptime"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MP/nothing")" = 404 ] || fail "not a 404"

query() {
	curl -sf --get "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=$1"
}
# Wait until Prometheus is ready and has scraped anomon at least a few times.
found=
for ((i = 0; i < 300; i++)); do
	r=$(query 'anomon_model_verdicts_total{job="anomon"}' 2>/dev/null || true)
	v=$(jq -r '.data.result[0].value[1] // empty' <<<"${r:-{\}}" 2>/dev/null || true)
	if [ -n "$v" ] && [ "$v" -ge 5 ]; then found=$v; break; fi
	sleep 0.2
done
[ -n "$found" ] || fail "Prometheus has no anomon_model_verdicts_total: $(tail -5 "$T/prom.log")"
up=$(query 'up{job="anomon"}' | jq -r '.data.result[0].value[1]')
[ "$up" = 1 ] || fail "target not up"
r=$(query 'anomon_score{job="anomon",key="host"}')
s=$(jq -r '.data.result[0].value[1]' <<<"$r")
awk -v s="$s" 'BEGIN { exit !(s >= 0 && s <= 1) }' || fail "anomon_score: $r"
for q in 'anomon_abnormal_windows_total{key="host"}' 'anomon_verdicts_total{label="normal"}' \
	'anomon_stage_drops_total{kind="collector"}' 'anomon_windows_total' 'anomon_uptime_seconds' \
	'anomon_scoring_latency_seconds_bucket{le="+Inf"}' 'anomon_stage_in_total{kind="sink"}'; do
	n=$(query "$q" | jq '.data.result | length')
	[ "$n" -ge 1 ] || fail "Prometheus has no $q"
done
# Counters agree with the pipeline: the sink received what the model emitted.
a=$(query 'anomon_model_verdicts_total' | jq -r '.data.result[0].value[1]')
b=$(query 'sum(anomon_verdicts_total)' | jq -r '.data.result[0].value[1]')
[ "$a" = "$b" ] || fail "model emitted $a, the sink counted $b"
kill "$A"
wait "$A" || fail "anomon exited $? on SIGTERM: $(cat "$T/err")"
echo "prometheus sink: ok (Prometheus saw $found verdicts)"
