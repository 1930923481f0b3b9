# Helpers for the core's integration scripts. Sourced; expects ANOMON, SRC, BUILD.
set -u
failures=0
checks=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# expect RC EXPECTED_STDERR CMD...: CMD exits RC and its stderr is exactly EXPECTED_STDERR.
expect() {
	local rc=$1 want=$2
	shift 2
	checks=$((checks + 1))
	"$@" >"$tmp/out" 2>"$tmp/err"
	local got=$?
	if [ "$got" -ne "$rc" ]; then
		fail "$*: exit $got, expected $rc; stderr: $(cat "$tmp/err")"
	elif [ "$(cat "$tmp/err")" != "$want" ]; then
		fail "$*: stderr differs:"
		diff <(printf '%s\n' "$want") "$tmp/err" | sed 's/^/    /'
	fi
}

# Build the SDK example plugin the way an out-of-tree author would: with pkg-config only.
build_example() {
	PKG_CONFIG_PATH="$SDK_PKGCONFIG" make -s -C "$SRC/sdk/examples" OUT="$tmp" \
		CFLAGS="-O2 -Wall -Wextra -Werror" >/dev/null || {
		echo "FAIL: cannot build sdk/examples/loadavg.c"
		exit 1
	}
}

finish() {
	if [ "$failures" -gt 0 ]; then
		echo "$failures of $checks checks failed"
		exit 1
	fi
	echo "all $checks checks passed"
	exit 0
}

# expect_re RC REGEX CMD...: CMD exits RC and its whole stderr matches the extended REGEX.
expect_re() {
	local rc=$1 re=$2
	shift 2
	checks=$((checks + 1))
	"$@" >"$tmp/out" 2>"$tmp/err"
	local got=$?
	if [ "$got" -ne "$rc" ]; then
		fail "$*: exit $got, expected $rc; stderr: $(cat "$tmp/err")"
	elif ! [[ "$(cat "$tmp/err")" =~ ^${re}$ ]]; then
		fail "$*: stderr does not match /$re/: $(cat "$tmp/err")"
	fi
}

# check DESCRIPTION COMMAND...: COMMAND (a shell test) succeeds.
check() {
	local what=$1
	shift
	checks=$((checks + 1))
	"$@" || fail "$what"
}
