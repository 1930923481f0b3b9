# Helpers shared by the bench/*/run scripts (sourced, not run).

# summary BENCHMARK ANOMON PEER MEASURED TARGET MET: one row of the summary table that
# bench/run prints first, appended to $BENCH_SUMMARY when bench/run set it (a script run on
# its own prints only its details).
summary() {
	[ -n "${BENCH_SUMMARY:-}" ] || return 0
	printf '| %s | %s | %s | %s | %s | %s |\n' "$@" >>"$BENCH_SUMMARY"
}

# meets VALUE OP LIMIT: "yes" when VALUE OP LIMIT holds (OP one of < <= > >=), "no" otherwise,
# "n/a" when VALUE is empty.
meets() {
	[ -n "$1" ] || { echo "n/a"; return 0; }
	awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
		ok = (op == "<") ? v < l : (op == "<=") ? v <= l : (op == ">") ? v > l : v >= l
		print ok ? "yes" : "no" }'
}

# median: the median of the numbers on standard input, one a line.
median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# need_debs PACKAGE...: install the Debian packages that are missing (as root, with apt-get);
# returns non-zero when one still is not there.
need_debs() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "bench: installing ${missing[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 ||
		{ apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2; }
}
