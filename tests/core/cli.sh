#!/bin/bash
# The command line: help, version, plugins list/info, --set, --duration, validate.
. "$(dirname "$0")/lib.sh"
OK=$SRC/tests/core/valid/ok_replay.json

check "version" bash -c "'$ANOMON' version | grep -Eq '^anomon [0-9]+\.[0-9]+\.[0-9]+ \(plugin ABI 1\.2\)$'"
check "--help" bash -c "'$ANOMON' --help | grep -q '^commands:'"
for c in run validate record plugins; do
	check "$c --help" bash -c "'$ANOMON' $c --help | grep -q '^usage: anomon $c'"
done
expect 2 'anomon: error: unknown command "rn"; "anomon --help" lists the commands' "$ANOMON" rn
expect 2 'anomon: error: plugins: expected "list" or "info NAME"; see "anomon plugins --help"' \
	"$ANOMON" plugins
expect 2 'anomon: error: no plugin named "stdut"; did you mean "stdout"?' "$ANOMON" plugins info stdut

# plugins list --json is generated from the descriptors.
"$ANOMON" plugins list --json >"$tmp/list.json" || fail "plugins list --json failed"
check "plugins list --json content" python3 - "$tmp/list.json" "$BUILD" <<'PY'
import json, sys
plugins = {p["name"]: p for p in json.load(open(sys.argv[1]))}
s = plugins["stdout"]
assert s["kind"] == "sink" and s["abi"] == "1.2", s
assert s["path"] == sys.argv[2] + "/plugins/sinks/stdout/stdout.so", s["path"]
fmt = [p for p in s["params"] if p["name"] == "format"][0]
assert fmt == {"name": "format", "type": "string", "default": "text", "required": False,
               "description": fmt["description"]} and fmt["description"], fmt
r = plugins["replay"]
assert r["kind"] == "collector" and "open" in r["produces"], r
path = [p for p in r["params"] if p["name"] == "path"][0]
assert path["required"] is True, path
PY
check "plugins info text" bash -c "'$ANOMON' plugins info stdout | grep -Eq '^  format +string +default \"text\"'"

# --set: typed by the parameter table, naming stage and parameter.
printf 'PID    COMM               FD ERR PATH\n1      cat                 3   0 /etc/hosts\n' >"$tmp/o.log"
"$ANOMON" run "$OK" --set replay.path="$tmp/o.log" --set stdout.format=json >"$tmp/out" 2>"$tmp/err" ||
	fail "run with --set: $(cat "$tmp/err")"
check "--set reaches both stages" grep -q '"path":"/etc/hosts"' "$tmp/out"
expect 2 "anomon: error: --set stdot.format=json: no stage named \"stdot\"; did you mean \"stdout\"?" \
	"$ANOMON" run "$OK" --set stdot.format=json
expect 2 "anomon: error: --set stdout.frmat=json: unknown parameter \"frmat\" of stdout; did you mean \"format\"?" \
	"$ANOMON" run "$OK" --set stdout.frmat=json
expect 2 "anomon: error: --set stdout.header=maybe: expected boolean (true or false), got \"maybe\"" \
	"$ANOMON" run "$OK" --set stdout.header=maybe
expect 2 "anomon: error: --set stdout: expected STAGE.PARAM=VALUE" "$ANOMON" run "$OK" --set stdout
expect 2 "anomon: error: $OK:3:13: sinks[0] (stdout): format: expected \"text\" or \"json\", got \"xml\"" \
	"$ANOMON" run "$OK" --set stdout.format=xml
expect 2 "anomon: error: --duration 0: expected a positive number of seconds" \
	"$ANOMON" run "$OK" --duration 0
expect 2 'anomon: error: record: needs PIPELINE, --label and --out; see "anomon record --help"' \
	"$ANOMON" record "$OK"

# validate initialises and checks every stage, starts nothing, and says what it checked.
"$ANOMON" validate "$OK" >"$tmp/out" 2>"$tmp/err" || fail "validate ok pipeline: $(cat "$tmp/err")"
check "validate output" grep -qx "$OK: ok: replay, stdout" "$tmp/out"
finish
