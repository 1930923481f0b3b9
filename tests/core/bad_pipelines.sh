#!/bin/bash
# Every bad pipeline in pipelines/ is refused by `anomon validate` with exit status 2 and
# exactly the message in its .err file.
. "$(dirname "$0")/lib.sh"
build_example
cd "$SRC/tests/core/pipelines"
for json in *.json; do
	name=${json%.json}
	[ -f "$name.err" ] || { fail "$json has no $name.err"; continue; }
	expect 2 "$(cat "$name.err")" "$ANOMON" validate "$json" --plugin-dir "$tmp/loadavg.so"
	# run refuses the same way, before starting anything.
	expect 2 "$(cat "$name.err")" "$ANOMON" run "$json" --plugin-dir "$tmp/loadavg.so"
done
mkdir "$tmp/dir.json"
expect 2 "anomon: error: $tmp/dir.json: is a directory; expected a pipeline JSON file" \
	"$ANOMON" validate "$tmp/dir.json"
expect 2 "anomon: error: $tmp/none.json: cannot read pipeline: No such file or directory" \
	"$ANOMON" validate "$tmp/none.json"
finish
