#!/bin/bash
# Live test of the opensnoop collector through anomon run (stdout sink, JSON), as root:
#  1. a test process's opens: a known path (pid, comm, fd, flags, mode), a failure
#     (errno), a path of more than 255 bytes; anomon's own opens are not traced;
#  2. filters: pid, comm, cgroup, failed_only;
#  3. drops: a tiny ring buffer, a stopped reader and an open() storm: every open the kernel
#     saw is either delivered or counted as dropped, and the drops reach the run's summary.
# Usage: opensnoop.sh OPEN_STORM OPEN_HELPER_PY   (env: ANOMON). Exit 77 only when the
# kernel refuses BPF.
. "$(dirname "$0")/lib.sh"
storm=$1 helper=$2

pipeline "$tmp/all.json" opensnoop '{}'
skip_unless_bpf "$tmp/all.json"

# A directory with a path of more than 255 bytes inside.
d="$tmp/files"
long="$d/$(printf 'a%.0s' $(seq 150))/$(printf 'b%.0s' $(seq 120))"
mkdir -p "$long"
: >"$long/file"
echo "$long/file" >"$d/longpath"
[ ${#long} -gt 255 ] || fail "test setup: long path only ${#long} bytes"

jqev() { jq -c "select(.record == \"event\" and .type == \"open\") | $2" "$tmp/$1.out"; }

# 1. Everything, with a helper run while attached; a second anomon starts meanwhile.
start all "$tmp/all.json" 3
all_pid=$last_pid
python3 "$helper" anomon-t-open "$d" "$tmp/helper.json"
hpid=$(jq .pid "$tmp/helper.json")
"$ANOMON" run "$tmp/all.json" --duration 0.5 >/dev/null 2>"$tmp/second.err" &
second=$!
wait "$second" || fail "second instance: $(cat "$tmp/second.err")"
finish "$all_pid" all

known=$(jq -r .known.path "$tmp/helper.json")
kfd=$(jq .known.fd "$tmp/helper.json")
kflags=$(jq .known.flags "$tmp/helper.json")
ev=$(jqev all "select(.pid == $hpid and .path == \"$known\")")
[ -n "$ev" ] || fail "known open not seen: pid $hpid $known"
jq -e --argjson fd "$kfd" --argjson fl "$kflags" --argjson pid "$hpid" '
	.comm == "anomon-t-open" and .fd == $fd and .err == 0 and .tid == $pid and .uid == 0 and
	(.flags | . % 4096) as $f | ($f - ($f % 64)) as $_ | true' <<<"$ev" >/dev/null ||
	fail "known open fields wrong: $ev"
# flags: O_WRONLY|O_CREAT|O_TRUNC all set (plus whatever the libc adds, e.g. O_CLOEXEC)
flags=$(jq .flags <<<"$ev")
[ $((flags & kflags)) -eq "$kflags" ] || fail "flags $flags lack $kflags: $ev"
[ "$(jq .mode <<<"$ev")" -eq $((8#640)) ] || fail "mode not 0640: $ev"
[ "$(jq .cgroup_id <<<"$ev")" -gt 0 ] || fail "no cgroup id: $ev"
echo "known open: $ev"

missing=$(jq -r .missing.path "$tmp/helper.json")
ev=$(jqev all "select(.pid == $hpid and .path == \"$missing\")")
jq -e '.err == 2 and .fd == -1' <<<"$ev" >/dev/null || fail "failed open wrong: $ev"
echo "failed open: err 2, fd -1"

lfd=$(jq .long.fd "$tmp/helper.json")
ev=$(jqev all "select(.pid == $hpid and .path == \"$long/file\")")
[ -n "$ev" ] || fail "long path (${#long} bytes) not seen in full"
[ "$(jq .fd <<<"$ev")" -eq "$lfd" ] || fail "long path fd wrong: $ev"
echo "long path: $(( ${#long} + 5 )) bytes seen in full"

# The second instance started while the first was attached: the first saw its opens
# (plugins, BTF), and never its own.
n_second=$(jqev all "select(.pid == $second)" | wc -l)
[ "$n_second" -gt 0 ] || fail "the second instance's opens were not seen by the first"
n_self=$(jqev all "select(.pid == $all_pid)" | wc -l)
[ "$n_self" -eq 0 ] || fail "anomon saw $n_self of its own opens"
echo "second instance: $n_second opens seen; own opens: 0"

# 2. Filters.
# pid: the helper waits on a FIFO so its pid is known before anomon starts.
mkfifo "$tmp/go"
WAIT_FIFO="$tmp/go" python3 "$helper" anomon-t-pid "$d" "$tmp/hpid.json" &
fpid=$!
pipeline "$tmp/pid.json" opensnoop "{\"pid\": $fpid}"
start pid "$tmp/pid.json" 2
cat /etc/hostname >/dev/null
echo go >"$tmp/go"
wait "$fpid"
finish "$last_pid" pid
others=$(jqev pid "select(.pid != $fpid)" | wc -l)
mine=$(jqev pid "select(.pid == $fpid and .path == \"$known\")" | wc -l)
[ "$others" -eq 0 ] && [ "$mine" -ge 1 ] || fail "pid filter: $others foreign events, $mine of the helper's"
echo "pid filter: only pid $fpid"

# comm, with failed_only: only the helper's failed open.
pipeline "$tmp/comm.json" opensnoop '{"comm": "anomon-t-comm", "failed_only": true}'
start comm "$tmp/comm.json" 2
python3 "$helper" anomon-t-comm "$d" "$tmp/hcomm.json"
cat /etc/hostname /nonexistent-anomon >/dev/null 2>&1 || true
finish "$last_pid" comm
n=$(jqev comm '.' | wc -l)
ok=$(jqev comm "select(.comm == \"anomon-t-comm\" and .err == 2 and .path == \"$missing\")" | wc -l)
bad=$(jqev comm 'select(.comm != "anomon-t-comm" or .err == 0)' | wc -l)
[ "$ok" -eq 1 ] && [ "$bad" -eq 0 ] || fail "comm + failed_only: $n events, $ok expected, $bad wrong"
echo "comm + failed_only filters: $n events, all failed opens of anomon-t-comm"

# cgroup: a cgroup v2 of our own, given by path; the helper runs inside it.
cg2=$(findmnt -n -t cgroup2 -o TARGET | head -1 || true)
cg=${cg2:-/sys/fs/cgroup}/anomon-test-$$
if [ -n "$cg2" ] && mkdir "$cg" 2>/dev/null; then
	cleanups+=("rmdir $cg")
	cgid=$(stat -c %i "$cg")
	pipeline "$tmp/cg.json" opensnoop "{\"cgroup\": \"$cg\"}"
	start cg "$tmp/cg.json" 2
	bash -c "echo \$\$ >$cg/cgroup.procs && exec python3 '$helper' anomon-t-cg '$d' '$tmp/hcg.json'"
	cat /etc/hostname >/dev/null
	finish "$last_pid" cg
	mine=$(jqev cg "select(.cgroup_id == $cgid and .comm == \"anomon-t-cg\")" | wc -l)
	others=$(jqev cg "select(.cgroup_id != $cgid)" | wc -l)
	[ "$mine" -ge 3 ] && [ "$others" -eq 0 ] || fail "cgroup filter: $mine inside, $others outside"
	echo "cgroup filter: $mine opens, all in cgroup $cgid"
	# The same cgroup by id is accepted.
	pipeline "$tmp/cgid.json" opensnoop "{\"cgroup\": \"$cgid\"}"
	"$ANOMON" validate "$tmp/cgid.json" >/dev/null 2>&1 || fail "cgroup by id $cgid refused"
else
	echo "cgroup filter: not tested (no cgroup2 mount to create a cgroup in)"
fi
pipeline "$tmp/cgbad.json" opensnoop '{"cgroup": "no-such-cgroup-anomon"}'
"$ANOMON" validate "$tmp/cgbad.json" >/dev/null 2>&1 && fail "a missing cgroup was accepted"

# 3. Drops: the reader stopped while a storm fills a 64 KiB ring.
nstorm=200000
pipeline "$tmp/drop.json" opensnoop '{"comm": "anomon-storm", "ringbuf_size": "64k"}'
start drop "$tmp/drop.json" 3
kill -STOP "$last_pid"
# In a sanitizer build LeakSanitizer would open /proc files at exit, under the storm's name.
read -r _ opened < <(ASAN_OPTIONS=detect_leaks=0 "$storm" anomon-storm "$nstorm")
kill -CONT "$last_pid"
finish "$last_pid" drop
read -r seen delivered dropped < <(counters drop)
out=$(jqev drop '.' | wc -l)
echo "storm: $opened opens, seen $seen, delivered $delivered, dropped $dropped, output $out"
[ "$seen" -eq "$opened" ] || fail "the kernel saw $seen opens of $opened"
[ "$dropped" -gt 0 ] || fail "no drops with a stopped reader and a 64 KiB ring"
[ $((delivered + dropped)) -eq "$seen" ] || fail "delivered + dropped != seen"
[ "$out" -eq "$delivered" ] || fail "$out events printed, $delivered delivered"
grep -qE "opensnoop +collector .*dropped $dropped\$" "$tmp/drop.err" ||
	fail "drops not in the run summary: $(grep collector "$tmp/drop.err")"

echo "ok"
