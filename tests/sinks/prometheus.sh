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
# A port already taken: one line naming the sink and the address (libmicrohttpd's own
# message goes through anomon's log at -vv only), exit 1.
pipeline "$T/dup.json" 0 '[{"plugin":"prometheus","params":{"listen":"127.0.0.1:'"$MP"'"}}]'
rc=0
"$ANOMON" run "$T/dup.json" 2>"$T/dup.err" || rc=$?
[ "$rc" = 1 ] || fail "a taken port: exit $rc, expected 1: $(cat "$T/dup.err")"
[ "$(wc -l <"$T/dup.err")" = 1 ] || fail "a taken port: not one line: $(cat "$T/dup.err")"
grep -qE '^anomon: error: .*dup\.json:[0-9]+:[0-9]+: sinks\[0\] \(prometheus\): cannot listen on 127\.0\.0\.1:'"$MP"': Address already in use$' \
	"$T/dup.err" || fail "a taken port: $(cat "$T/dup.err")"
# Counters agree with the pipeline: the sink received what the model emitted.
a=$(query 'anomon_model_verdicts_total' | jq -r '.data.result[0].value[1]')
b=$(query 'sum(anomon_verdicts_total)' | jq -r '.data.result[0].value[1]')
[ "$a" = "$b" ] || fail "model emitted $a, the sink counted $b"
kill "$A"
wait "$A" || fail "anomon exited $? on SIGTERM: $(cat "$T/err")"
echo "prometheus sink: ok (Prometheus saw $found verdicts)"

# metric PORT NAME{LABELS}: the value of one sample in a scrape, empty when absent.
metric() {
	curl -sf "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1 == m { print $2 }'
}
# until_metric PORT SAMPLE VALUE: wait (max 10 s) until the sample has that value.
until_metric() {
	local i v
	for ((i = 0; i < 100; i++)); do
		v=$(metric "$1" "$2" || true)
		[ "$v" = "$3" ] && return 0
		sleep 0.1
	done
	fail "$2 is ${v:-absent}, expected $3"
}

# series_ttl: a replay that follows its file gives its verdicts at once, then none; the key
# is dropped from the export once no verdict updated it for 1 s.
TP=$(free_port)
cat >"$T/ttl.json" <<JSON
{"name":"ttl",
 "collectors":[{"plugin":"replay","params":{"format":"runqlen-csv","follow":true,"path":"$CSV"}}],
 "features":[{"plugin":"runqlen_hist","params":{"features":["fractions","stats"]}}],
 "models":[{"plugin":"logreg","params":{"model":"$T/model.json"}}],
 "sinks":[{"plugin":"prometheus","params":{"listen":"127.0.0.1:$TP","series_ttl":"1s"}}]}
JSON
"$ANOMON" run "$T/ttl.json" --duration 30 2>"$T/ttl.err" &
A=$!
PIDS+=("$A")
wait_port "$TP"
until_metric "$TP" 'anomon_stage_in_total{stage="prometheus",plugin="prometheus",kind="sink"}' $VERDICTS
until_metric "$TP" anomon_prometheus_series_expired_total 1
[ "$(metric "$TP" anomon_series)" = 0 ] || fail "series_ttl: series left after expiry"
curl -sf "http://127.0.0.1:$TP/metrics" >"$T/ttl.m" || fail "series_ttl: no /metrics"
! grep -q '^anomon_score{' "$T/ttl.m" || fail "series_ttl: a score left"
kill "$A"
wait "$A" || fail "series_ttl run exited $?: $(cat "$T/ttl.err")"
echo "series_ttl: ok"

# max_series, live: opensnoop sees a tracer-named cat run in cgroups of our own, one window
# per open, judged by two models (so each key has two series) into max_series 8 (four
# keys). Keys a1..a4, then a1 and a2 again, then new b1 and b2: a3 and a4, the least recently
# updated, are evicted with both their series; then 200 more cgroups leave the last four.
cg2=$(findmnt -n -t cgroup2 -o TARGET | head -1 || true)
[ -n "$cg2" ] || fail "no cgroup v2 mount"
PARENT=$cg2/anomon-prom-$$
mkdir "$PARENT"
trap 'find "$PARENT" -depth -type d -exec rmdir {} + 2>/dev/null || true; cleanup' EXIT
CAT=$T/anomon-promcat
cp "$(command -v cat)" "$CAT"
jq -c '.name = "disk-forest-b"' "$SRC/models/disk-forest.json" >"$T/forest-b.json"
BP=$(free_port)
cat >"$T/bound.json" <<JSON
{"name":"bound",
 "collectors":[{"plugin":"opensnoop","params":{"comm":"anomon-promcat"}}],
 "features":[{"plugin":"disk_behaviour","params":{"window_events":1,"tokens":32}}],
 "models":[{"plugin":"forest","params":{"model":"$SRC/models/disk-forest.json"}},
           {"plugin":"forest","name":"forest_b","params":{"model":"$T/forest-b.json"}}],
 "sinks":[{"plugin":"prometheus","params":{"listen":"127.0.0.1:$BP","max_series":8}}]}
JSON
if ! out=$("$ANOMON" validate "$T/bound.json" 2>&1); then
	grep -qiE 'not permitted|not available|not usable|BTF|no .* tracepoints' <<<"$out" || fail "validate: $out"
	echo "SKIP: the kernel refuses BPF: $out"
	exit 77
fi
"$ANOMON" run "$T/bound.json" -v --duration 120 2>"$T/bound.err" &
A=$!
PIDS+=("$A")
for ((i = 0; i < 200; i++)); do
	grep -q 'info: tracing' "$T/bound.err" && break
	kill -0 "$A" 2>/dev/null || fail "bound: anomon exited: $(cat "$T/bound.err")"
	sleep 0.05
done
wait_port "$BP"
K=${PARENT#"$cg2"}
# open_in CGROUP...: open files from each cgroup in turn (each cat ends before the next starts).
open_in() {
	for c in "$@"; do
		mkdir -p "$PARENT/$c"
		(echo "$BASHPID" >"$PARENT/$c/cgroup.procs" && exec "$CAT" /dev/null)
	done
}
# verdicts CGROUP MODEL: the sink's count of that key's verdicts of that model.
verdicts() {
	curl -sf "http://127.0.0.1:$BP/metrics" | awk -v k="key=\"$K/$1\"" -v m="model=\"$2\"" \
		'/^anomon_verdicts_total\{/ && index($0, k) && index($0, m) { n += $2 } END { print n + 0 }'
}
# keys: the keys exported, sorted, each with its models' count.
keys() {
	curl -sf "http://127.0.0.1:$BP/metrics" | sed -nE 's/^anomon_score\{key="([^"]*)".*/\1/p' |
		sort | uniq -c | awk '{ print $2 ":" $1 }' | tr '\n' ' '
}
# until_verdicts CGROUP N: wait until both models' verdicts of the key reach N each.
until_verdicts() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(verdicts "$1" disk-forest)" -ge "$2" ] && [ "$(verdicts "$1" disk-forest-b)" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "no verdicts of $1: keys $(keys)"
}
open_in a1 a2 a3 a4
until_verdicts a4 1
n1=$(verdicts a1 disk-forest) n2=$(verdicts a2 disk-forest)
[ "$(keys)" = "$K/a1:2 $K/a2:2 $K/a3:2 $K/a4:2 " ] || fail "bound: keys $(keys)"
[ "$(metric "$BP" anomon_prometheus_series_evicted_total)" = 0 ] || fail "evicted below the bound"
open_in a1 a2
until_verdicts a2 $((n2 + 1))
open_in b1 b2
until_verdicts b2 1
[ "$(keys)" = "$K/a1:2 $K/a2:2 $K/b1:2 $K/b2:2 " ] ||
	fail "expected a1 a2 b1 b2 (a3 and a4 least recently updated), got $(keys)"
# a1 was kept, not evicted and made anew: its counter went on.
[ "$(verdicts a1 disk-forest)" -gt "$n1" ] || fail "a1 lost its count: $(verdicts a1 disk-forest)"
[ "$(metric "$BP" anomon_prometheus_series_evicted_total)" = 4 ] ||
	fail "evicted $(metric "$BP" anomon_prometheus_series_evicted_total), expected 4"
# 200 short-lived keys more: still 8 series, the four newest keys.
mapfile -t churn < <(seq -f 'c%03g' 1 200)
open_in "${churn[@]}"
until_verdicts c200 1
[ "$(keys)" = "$K/c197:2 $K/c198:2 $K/c199:2 $K/c200:2 " ] || fail "after the churn: $(keys)"
[ "$(metric "$BP" anomon_series)" = 8 ] || fail "anomon_series $(metric "$BP" anomon_series)"
evicted=$(metric "$BP" anomon_prometheus_series_evicted_total)
[ "$evicted" = $((2 * (206 - 4))) ] || fail "evicted $evicted, expected $((2 * (206 - 4)))"
[ "$(metric "$BP" 'anomon_stage_drops_total{stage="prometheus",plugin="prometheus",kind="sink"}')" = 0 ] ||
	fail "the sink dropped verdicts instead of evicting"
kill "$A"
wait "$A" || fail "bound run exited $?: $(cat "$T/bound.err")"
[ "$(grep -c 'max_series 8 reached: the least recently updated keys are evicted with all their series' "$T/bound.err")" = 1 ] ||
	fail "the bound was not logged once: $(grep prometheus "$T/bound.err")"
grep -q "\[prometheus\] info: series: 8 kept, of 4 keys (max_series 8); $evicted evicted, 0 expired" "$T/bound.err" ||
	fail "no summary: $(grep prometheus "$T/bound.err")"
echo "max_series: ok (206 keys through max_series 8: $evicted series evicted, 8 kept)"
