#!/bin/bash
# The loader checks every descriptor before calling anything, and refuses with one line
# naming the file and the reason; commands then exit 2.
. "$(dirname "$0")/lib.sh"
B=$BROKEN_DIR
for cmd in "plugins list" "validate $SRC/tests/core/valid/ok_replay.json"; do
	expect 2 "anomon: error: $B/broken_nosym.so: not an anomon plugin (no anomon_plugin_v1 symbol)" \
		"$ANOMON" $cmd --plugin-dir "$B/broken_nosym.so"
	expect 2 "anomon: error: $B/broken_abi.so: plugin refused: ABI major version 99, this anomon supports 1" \
		"$ANOMON" $cmd --plugin-dir "$B/broken_abi.so"
	expect_re 2 "anomon: error: $B/broken_size.so: plugin refused: descriptor size 48, expected [0-9]+ for ABI 1\.2" \
		"$ANOMON" $cmd --plugin-dir "$B/broken_size.so"
	expect 2 "anomon: error: $B/broken_dup.so: plugin refused: duplicate plugin name \"stdout\" (already loaded from $BUILD/plugins/sinks/stdout/stdout.so)" \
		"$ANOMON" $cmd --plugin-dir "$B/broken_dup.so"
	expect 2 "anomon: error: $B/broken_noinit.so: plugin refused: plugin \"broken\" lacks the required init or destroy callback" \
		"$ANOMON" $cmd --plugin-dir "$B/broken_noinit.so"
	# Long enough for the loader to read an ELF header, which it is not.
	head -c 4096 /dev/zero | tr '\0' 'x' >"$tmp/garbage.so"
	expect 2 "anomon: error: $tmp/garbage.so: cannot load plugin: $tmp/garbage.so: invalid ELF header (run \"ldd $tmp/garbage.so\" to see missing libraries)" \
		"$ANOMON" $cmd --plugin-dir "$tmp/garbage.so"
	expect 2 "anomon: error: --plugin-dir $tmp/nowhere: No such file or directory" \
		"$ANOMON" $cmd --plugin-dir "$tmp/nowhere"
done
# A directory is scanned for *.so: every broken plugin in it is reported, in name order.
expect_re 2 "(anomon: error: $B/broken_[a-z]+\.so: [^
]+
){4}anomon: error: $B/broken_size\.so: [^
]+" "$ANOMON" plugins list --plugin-dir "$B"
# Plugins also come from $ANOMON_PLUGIN_PATH.
rm -f "$tmp/garbage.so"
build_example
checks=$((checks + 1))
ANOMON_PLUGIN_PATH="$tmp/nowhere:$tmp" "$ANOMON" plugins info loadavg >"$tmp/out" 2>"$tmp/err" ||
	fail "ANOMON_PLUGIN_PATH: $(cat "$tmp/err")"
grep -q "^path: *$tmp/loadavg.so$" "$tmp/out" || fail "plugins info loadavg via ANOMON_PLUGIN_PATH: $(cat "$tmp/out")"

# A plugin others could replace runs as root: refused unless --allow-unsafe-plugins.
mkdir "$tmp/open"
cp "$tmp/loadavg.so" "$tmp/open/"
chmod 0777 "$tmp/open"
expect 2 "anomon: error: $tmp/open/loadavg.so: plugin refused: $tmp/open is writable by other users (mode 0777); fix the permissions, or pass --allow-unsafe-plugins" \
	"$ANOMON" plugins list --plugin-dir "$tmp/open"
chmod 0755 "$tmp/open"
chmod 0666 "$tmp/open/loadavg.so"
expect 2 "anomon: error: $tmp/open/loadavg.so: plugin refused: $tmp/open/loadavg.so is writable by other users (mode 0666); fix the permissions, or pass --allow-unsafe-plugins" \
	"$ANOMON" plugins list --plugin-dir "$tmp/open/loadavg.so"
expect 0 "" "$ANOMON" plugins info loadavg --plugin-dir "$tmp/open/loadavg.so" --allow-unsafe-plugins
finish
