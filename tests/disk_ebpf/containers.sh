#!/bin/bash
# Live test of the container filters opensnoop and biosnoop apply in the kernel, as root.
# Two cgroups named as containers (a Docker and a Podman scope, under a test parent that is
# always removed) run opens and direct-I/O writes while anomon runs with
# --set STAGE.exclude=<short id> or --set STAGE.include=<short id>. Checks:
#  1. exclude: no event of the excluded cgroup is printed; the collector's in-kernel
#     filtered counter covers its opens and writes; none of them reached user space (the
#     host filtered nothing), so what the collector delivered is what the sink printed; the
#     other cgroup's events are all there, with their container;
#  2. include: only the included cgroup's events, all of them; delivered = printed + what
#     the host filtered (cgroups created by others during the run);
#  3. a cgroup created after anomon started: its first events reach user space and are
#     filtered there, every later one in the kernel;
#  4. with the comm and failed_only filters: those filters first, the container filter on
#     what they let through.
# Usage: containers.sh OPEN_STORM   (env: ANOMON). Exit 77 only when the kernel refuses BPF.
. "$(dirname "$0")/lib.sh"
storm=$1

pipeline "$tmp/os.json" opensnoop '{}'
skip_unless_bpf "$tmp/os.json"
cat >"$tmp/both.json" <<'JSON'
{"collectors": [{"plugin": "opensnoop"}, {"plugin": "biosnoop"}],
 "sinks": [{"plugin": "stdout", "params": {"format": "json"}}]}
JSON

cg2=$(findmnt -n -t cgroup2 -o TARGET | head -1 || true)
[ -n "$cg2" ] || fail "no cgroup v2 mount: container filters need one"
parent=$cg2/anomon-kfilter-$$
mkdir "$parent" || fail "cannot create $parent"
# Children first; their processes have exited by then.
cleanups+=("find '$parent' -depth -type d -exec rmdir {} +")

hexid() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
ida=$(hexid) idb=$(hexid) idc=$(hexid)
cga=$parent/docker-$ida.scope
cgb=$parent/libpod-$idb.scope
cgc=$parent/docker-$idc.scope
mkdir "$cga" "$cgb"
cida=$(stat -c %i "$cga")
cidb=$(stat -c %i "$cgb")

# incg CGROUP CMD...: run CMD inside CGROUP. Without the test runner's LD_LIBRARY_PATH,
# whose every directory the dynamic loader would try with an open: a command then makes
# only a few opens besides its own.
incg() { env -u LD_LIBRARY_PATH bash -c 'echo $$ >"$0/cgroup.procs" && exec "${@}"' "$@"; }
# opens_in CGROUP COMM N PATH: N opens of PATH by a task named COMM inside CGROUP; prints N ok.
# In a sanitizer build LeakSanitizer would open /proc files at the storm's exit, under its name.
opens_in() { ASAN_OPTIONS=detect_leaks=0 incg "$1" "$storm" "$2" "$3" "$4" | cut -d' ' -f2; }
# direct CGROUP FILE: 64 direct 4 KiB writes by dd inside CGROUP.
direct() { incg "$1" dd if=/dev/zero of="$2" bs=4k count=64 oflag=direct conv=fsync status=none; }

jqev() { jq -c "select(.record == \"event\" and .type == \"$2\") | $3" "$tmp/$1.out"; }
count() { jqev "$@" | grep -c . || true; }
# kernel NAME STAGE: "seen filtered delivered dropped" from the collector's stop line.
kernel() {
	sed -nE "s/.*\\[$2\\] info: events seen ([0-9]+), filtered in kernel ([0-9]+), delivered ([0-9]+), dropped ([0-9]+).*/\\1 \\2 \\3 \\4/p" \
		"$tmp/$1.err" | tail -1
}
# summary NAME STAGE: "out filtered" from the run's statistics (in the kernel and by the host).
summary() {
	local line
	line=$(grep -E ": $2 +collector in " "$tmp/$1.err" | tail -1)
	[ -n "$line" ] || fail "$1: no statistics for $2: $(cat "$tmp/$1.err")"
	echo "$(sed -nE 's/.* out ([0-9]+) .*/\1/p' <<<"$line") $(sed -nE 's/.* filtered ([0-9]+).*/\1/p' <<<"$line" | grep . || echo 0)"
}

marka=$tmp/marker-a markb=$tmp/marker-b
: >"$marka"
: >"$markb"
n=300
fa=$(mktemp /var/tmp/anomon-kfilter-XXXXXX) fb=$(mktemp /var/tmp/anomon-kfilter-XXXXXX)
cleanups+=("rm -f $fa $fb")

# workload: opens and direct writes in both cgroups.
workload() {
	[ "$(opens_in "$cga" kf-a $n "$marka")" -eq $n ] || fail "storm in a"
	[ "$(opens_in "$cgb" kf-b $n "$markb")" -eq $n ] || fail "storm in b"
	direct "$cga" "$fa"
	direct "$cgb" "$fb"
}

# check_pass NAME CGID MARK COMM RUNTIME: every open and write of that cgroup was printed.
check_pass() {
	local got
	got=$(count "$1" open "select(.cgroup_id == $2 and .comm == \"$4\" and .path == \"$3\")")
	[ "$got" -eq $n ] || fail "$1: $got of $n opens of cgroup $2 printed"
	jqev "$1" open "select(.cgroup_id == $2)" | jq -e --arg rt "$5" \
		'select(.container.runtime != $rt)' >/dev/null && fail "$1: cgroup $2 events not of a $5 container"
	got=$(jqev "$1" bio "select(.cgroup_id == $2 and .comm == \"dd\" and (.rwbs | startswith(\"W\"))) | .bytes" |
		jq -s add)
	[ "${got:-0}" != null ] && [ "${got:-0}" -ge $((64 * 4096)) ] ||
		fail "$1: ${got:-0} bytes of direct writes of cgroup $2 printed, expected $((64 * 4096))"
}

# 1. exclude the Docker one, by its short id.
start ex "$tmp/both.json" 4 --set "opensnoop.exclude=${ida:0:12}" --set "biosnoop.exclude=${ida:0:12}"
workload
finish "$last_pid" ex
[ "$(count ex open "select(.cgroup_id == $cida)")" -eq 0 ] || fail "ex: opens of the excluded cgroup printed"
[ "$(count ex bio "select(.cgroup_id == $cida)")" -eq 0 ] || fail "ex: writes of the excluded cgroup printed"
check_pass ex "$cidb" "$markb" kf-b podman
for st in opensnoop biosnoop; do
	read -r seen kf delivered dropped < <(kernel ex $st) || fail "ex: no counters for $st: $(cat "$tmp/ex.err")"
	read -r out hf < <(summary ex $st)
	hf=$((hf - kf)) # the statistics count both: what the kernel and what the host held back
	min=$n
	[ $st = biosnoop ] && min=64
	echo "exclude, $st: seen $seen, filtered in kernel $kf, delivered $delivered, dropped $dropped; printed $out, filtered by the host $hf"
	[ "$kf" -ge $min ] || fail "ex: $st filtered $kf in the kernel, expected at least $min"
	[ "$hf" -eq 0 ] || fail "ex: $hf events of $st reached user space to be filtered there"
	[ "$dropped" -eq 0 ] || fail "ex: $st dropped $dropped"
	[ "$delivered" -eq "$out" ] || fail "ex: $st delivered $delivered, emitted $out"
	[ $((kf + delivered + dropped)) -eq "$seen" ] || fail "ex: $st counters do not add up"
	type=open
	[ $st = biosnoop ] && type=bio
	printed=$(count ex $type .)
	[ "$printed" -eq "$out" ] || fail "ex: $printed $type events printed, $st emitted $out"
done

# 2. include the Podman one only.
start in "$tmp/both.json" 4 --set "opensnoop.include=${idb:0:12}" --set "biosnoop.include=${idb:0:12}"
workload
finish "$last_pid" in
[ "$(count in open "select(.cgroup_id != $cidb)")" -eq 0 ] || fail "in: opens of other cgroups printed"
[ "$(count in bio "select(.cgroup_id != $cidb)")" -eq 0 ] || fail "in: writes of other cgroups printed"
check_pass in "$cidb" "$markb" kf-b podman
for st in opensnoop biosnoop; do
	read -r seen kf delivered dropped < <(kernel in $st)
	read -r out hf < <(summary in $st)
	hf=$((hf - kf)) # the statistics count both: what the kernel and what the host held back
	echo "include, $st: seen $seen, filtered in kernel $kf, delivered $delivered; printed $out, filtered by the host $hf"
	[ "$kf" -ge 64 ] || fail "in: $st filtered $kf in the kernel"
	[ "$delivered" -eq $((out + hf)) ] || fail "in: $st delivered $delivered, emitted $out + filtered $hf"
done
[ "$(count in open .)" -eq "$(summary in opensnoop | cut -d' ' -f1)" ] || fail "in: printed != emitted"

# 3. a cgroup created once anomon runs: its first opens are filtered in user space (and
# teach the kernel), the rest in the kernel.
start new "$tmp/os.json" 4 --set "opensnoop.exclude=${idc:0:12}"
mkdir "$cgc"
cidc=$(stat -c %i "$cgc")
first=$(opens_in "$cgc" kf-c 1 "$marka")
sleep 0.5 # several poll intervals: the first opens have been read
later=$(opens_in "$cgc" kf-c $n "$marka")
finish "$last_pid" new
read -r seen kf delivered dropped < <(kernel new opensnoop)
read -r out hf < <(summary new opensnoop)
hf=$((hf - kf)) # the statistics count both: what the kernel and what the host held back
learned=$(sed -nE 's/.*cgroups found unwanted while running ([0-9]+).*/\1/p' "$tmp/new.err" | tail -1)
echo "new cgroup: $first + $later opens; filtered in kernel $kf, by the host $hf; cgroups learned $learned"
[ "$(count new open "select(.cgroup_id == $cidc)")" -eq 0 ] || fail "new: opens of the new excluded cgroup printed"
# The first command's opens (the loader's two, its one) reach user space before the
# cgroup is stored; none of the second's may.
# Each cgroup learnt while running (ours, and any another process made meanwhile) may let a
# few events through before its entry is in the kernel's map.
[ "$hf" -ge 1 ] && [ "$hf" -le $((10 * ${learned:-1})) ] ||
	fail "new: $hf events filtered by the host, expected the first few of $learned learnt cgroups"
[ "$kf" -ge "$later" ] || fail "new: $kf filtered in the kernel, expected at least $later"
[ "${learned:-0}" -ge 1 ] || fail "new: the new cgroup was not stored in the kernel"
[ "$delivered" -eq $((out + hf)) ] || fail "new: delivered $delivered, emitted $out + filtered $hf"

# 4. comm and failed_only still apply, before the container filter.
pipeline "$tmp/comm.json" opensnoop '{"comm": "kf-a", "failed_only": true}'
start comm "$tmp/comm.json" 3 --set "opensnoop.include=${ida:0:12}"
opens_in "$cga" kf-a 100 "$tmp/missing" >/dev/null
opens_in "$cga" kf-a 100 "$marka" >/dev/null
opens_in "$cgb" kf-a 100 "$tmp/missing" >/dev/null
opens_in "$cgb" kf-b 100 "$tmp/missing" >/dev/null
finish "$last_pid" comm
read -r seen kf delivered dropped < <(kernel comm opensnoop)
ok=$(count comm open "select(.cgroup_id == $cida and .comm == \"kf-a\" and .err == 2)")
all=$(count comm open .)
echo "comm + failed_only + include: printed $all ($ok expected ones), filtered in kernel $kf, delivered $delivered"
[ "$ok" -eq 100 ] && [ "$all" -eq 100 ] || fail "comm: $all printed, $ok of them expected"
[ "$kf" -eq 100 ] || fail "comm: filtered $kf in the kernel, expected exactly the 100 failed opens of kf-a in b"
[ "$delivered" -eq 100 ] || fail "comm: delivered $delivered"

echo "ok"
