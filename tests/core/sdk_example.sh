#!/bin/bash
# The SDK example builds out of tree with nothing but `pkg-config --cflags anomon-plugin`,
# loads, describes itself, and runs.
. "$(dirname "$0")/lib.sh"
build_example
check "example built" test -f "$tmp/loadavg.so"
"$ANOMON" plugins info loadavg --plugin-dir "$tmp/loadavg.so" >"$tmp/info" 2>"$tmp/err" ||
	fail "plugins info loadavg: $(cat "$tmp/err")"
check "info: kind" grep -qx 'kind:        collector' "$tmp/info"
check "info: produces" grep -qx 'produces:    loadavg' "$tmp/info"
check "info: interval param" grep -Eq '^  interval +duration +default "1s"' "$tmp/info"
cat >"$tmp/p.json" <<JSON
{"collectors": [{"plugin": "loadavg", "params": {"interval": "10ms", "count": 3}}],
 "sinks": [{"plugin": "stdout"}]}
JSON
"$ANOMON" run "$tmp/p.json" --plugin-dir "$tmp/loadavg.so" >"$tmp/out" 2>"$tmp/err" ||
	fail "run example: $(cat "$tmp/err")"
check "text output: header and 3 events" test "$(grep -c ' loadavg (32 bytes)$' "$tmp/out")" -eq 3
check "header line" grep -qx 'TIME         EVENT' "$tmp/out"
expect 2 "anomon: error: $tmp/p.json:1:17: collectors[0] (loadavg): interval must be at least 1ms and count at least 0" \
	"$ANOMON" run "$tmp/p.json" --plugin-dir "$tmp/loadavg.so" --set loadavg.count=-1
finish
