#!/bin/bash
# syslog sink against rsyslog: rsyslogd (run directly, never the system's service) receives
# on loopback TCP (octet counting), UDP and its own unix socket, and writes every message of
# app "anomon" to a file with its severity, structured data and text; the test reads it back.
. "$(dirname "$0")/lib.sh"
RSYSLOGD=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
[ -x "$RSYSLOGD" ] || fail "rsyslogd not installed (scripts/deps.txt: rsyslog)"

TCP=$(free_port)
UDP=$(free_port)
mkdir "$T/rs"
start_rsyslog() {
	cat >"$T/rsyslog.conf" <<CONF
global(workDirectory="$T/rs" maxMessageSize="64k")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$TCP")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="$UDP")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" socket="$T/log.sock" useSpecialParser="off" parseHostname="on")
template(name="t" type="string"
  string="%inputname% %syslogseverity-text% %syslogfacility-text% %hostname% %app-name% %msgid% %structured-data% %msg%\n")
if \$app-name == "anomon" then action(type="omfile" file="$T/received.log" template="t")
CONF
	"$RSYSLOGD" -n -f "$T/rsyslog.conf" -i "$T/rs/pid" >"$T/rs.out" 2>&1 &
	RS=$!
	PIDS+=("$RS")
	wait_port "$TCP"
	for ((i = 0; i < 50; i++)); do [ -S "$T/log.sock" ] && break; sleep 0.1; done
	[ -S "$T/log.sock" ] || fail "rsyslogd made no socket: $(cat "$T/rs.out")"
}
start_rsyslog

# One pipeline, three syslog sinks: every verdict reaches rsyslog three ways.
pipeline "$T/p.json" 0 '[
  {"plugin":"syslog","name":"tcp","params":{"address":"tcp:127.0.0.1:'"$TCP"'","hostname":"h1","facility":"local3"}},
  {"plugin":"syslog","name":"udp","params":{"address":"udp:127.0.0.1:'"$UDP"'","hostname":"h1","facility":"local3"}},
  {"plugin":"syslog","name":"unix","params":{"address":"unix:'"$T"'/log.sock","hostname":"h1","facility":"local3","message":"json"}}]'
"$ANOMON" run "$T/p.json" 2>"$T/err" || fail "run: $(cat "$T/err")"
count() { grep -c "$1" "$T/received.log" || true; }
for ((i = 0; i < 50; i++)); do
	[ "$(count .)" -ge $((3 * VERDICTS)) ] && break
	sleep 0.1
done
for input in imtcp imudp imuxsock; do
	[ "$(count "^$input ")" = $VERDICTS ] || fail "$input received $(count "^$input ") of $VERDICTS"
done
# Severity by label and score; the structured data carries key, label, score, model.
ab=$(grep '^imtcp ' "$T/received.log" | grep -c 'label="abnormal"' || true)
[ "$ab" = "$ABNORMAL" ] || fail "$ab abnormal messages over TCP, expected $ABNORMAL"
bad=$(awk '/^imtcp / && /label="normal"/ && !/^imtcp info local3 h1 anomon verdict /' "$T/received.log")
[ -z "$bad" ] || fail "a normal verdict is not info: $bad"
bad=$(awk '/^imtcp / && /label="abnormal"/ && !/^imtcp (warning|crit) /' "$T/received.log")
[ -z "$bad" ] || fail "an abnormal verdict is not warning/crit: $bad"
line=$(grep -m1 '^imtcp ' "$T/received.log")
for f in 'key="host"' 'score="0\.[0-9]\{4\}"' 'model="model"' 'pipeline="sinktest"' '\[anomon@32473 '; do
	grep -q "$f" <<<"$line" || fail "no $f in: $line"
done
grep -q ': \(normal\|abnormal\), score 0\.[0-9]* (model model); top: ' <<<"$line" || fail "text: $line"
# message json: the MSG is the record's JSON form, the same as stdout's.
line=$(grep -m1 '^imuxsock ' "$T/received.log")
jq -e '.record == "verdict"' <<<"${line#*] }" >/dev/null || fail "json message: $line"

# The server goes away mid-run (TCP): anomon reports it once, keeps running, and sends again
# once rsyslogd is back. 81 windows at speed 50 take about 16 s.
: >"$T/received.log"
pipeline "$T/p2.json" 50 '[{"plugin":"syslog","params":{"address":"tcp:127.0.0.1:'"$TCP"'"}}]'
"$ANOMON" run "$T/p2.json" -v 2>"$T/err2" &
A=$!
PIDS+=("$A")
sleep 3
kill "$RS"
wait "$RS" || true
sleep 3
start_rsyslog
wait "$A" || fail "anomon exited $? while rsyslogd restarted: $(cat "$T/err2")"
[ "$(grep -c 'cannot \(send to\|connect to\)' "$T/err2")" = 1 ] || fail "outage not reported once: $(cat "$T/err2")"
grep -q 'sending to 127.0.0.1:[0-9]* again' "$T/err2" || fail "recovery not reported: $(cat "$T/err2")"
sleep 1
got=$(count .)
# TCP syslog has no acknowledgement: what the kernel accepted just before the server died
# may be lost; everything queued during the outage is sent after it.
[ "$got" -ge $((VERDICTS - 5)) ] || fail "only $got of $VERDICTS received across the restart"
echo "syslog sink: ok ($got of $VERDICTS across a server restart)"
