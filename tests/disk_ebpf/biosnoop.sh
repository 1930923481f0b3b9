#!/bin/bash
# Live test of the biosnoop collector through anomon run (stdout sink, JSON), as root.
# Two anomon instances run at once, each with opensnoop and biosnoop; while both are
# attached, the test creates a loop device and writes to it and to a file under /var/tmp
# with direct I/O. Checks:
#  - both instances see the direct writes on both disks: disk name (the loop device only
#    exists after anomon started, so its name comes from a re-read of /proc/partitions),
#    rwbs, total bytes, the issuing command, service latency > 0, queue time present;
#  - that re-read is an open by each anomon: each instance sees the other's and never its own.
# Usage: biosnoop.sh   (env: ANOMON). Exit 77 only when the kernel refuses BPF.
. "$(dirname "$0")/lib.sh"

pipeline "$tmp/bio.json" biosnoop '{}'
skip_unless_bpf "$tmp/bio.json"
cat >"$tmp/both.json" <<'JSON'
{"collectors": [{"plugin": "opensnoop", "params": {"comm": "anomon"}},
                {"plugin": "biosnoop"}],
 "sinks": [{"plugin": "stdout", "params": {"format": "json"}}]}
JSON

count=64
start a "$tmp/both.json" 5
a=$last_pid
start b "$tmp/both.json" 5
b=$last_pid
sleep 1.2 # past biosnoop's minimum interval between two reads of /proc/partitions

img=$(mktemp /var/tmp/anomon-bio-XXXXXX)
cleanups+=("rm -f $img")
truncate -s 32M "$img"
loop=$(losetup -f --show "$img") || fail "cannot create a loop device"
cleanups+=("losetup -d $loop")
ldisk=$(basename "$loop")
dd if=/dev/zero of="$loop" bs=4k count=$count oflag=direct status=none
file=$(mktemp /var/tmp/anomon-bio-XXXXXX)
cleanups+=("rm -f $file")
dd if=/dev/zero of="$file" bs=4k count=$count oflag=direct conv=fsync status=none
rootdisk=$(lsblk -no PKNAME "$(df --output=source /var/tmp | tail -1)" 2>/dev/null || true)
[ -n "$rootdisk" ] || rootdisk=$(basename "$(df --output=source /var/tmp | tail -1)")
finish "$a" a
finish "$b" b

for i in a b; do
	bio() { jq -c "select(.record == \"event\" and .type == \"bio\") | $1" "$tmp/$i.out"; }
	# The loop device: exactly our writes, as dd issued them.
	w=$(bio "select(.disk == \"$ldisk\" and .comm == \"dd\" and (.rwbs | startswith(\"W\")))")
	[ -n "$w" ] || fail "$i: no writes on $ldisk: $(bio "select(.disk == \"$ldisk\")" | head -3)"
	total=$(jq -s 'map(.bytes) | add' <<<"$w")
	[ "$total" -eq $((count * 4096)) ] || fail "$i: $total bytes written on $ldisk, expected $((count * 4096))"
	jq -e 'select(.service_ns <= 0 or (.queue_ns | type) != "number" or .pid <= 0 or .cgroup_id <= 0)' \
		<<<"$w" >/dev/null && fail "$i: a write on $ldisk lacks latency, queue time or issuer: $w"
	echo "$i: $(wc -l <<<"$w") writes, $total bytes on $ldisk; e.g. $(head -1 <<<"$w")"
	# The file on the root disk.
	w=$(bio "select(.disk == \"$rootdisk\" and .comm == \"dd\" and .bytes == 4096 and (.rwbs | startswith(\"W\")))")
	n=$(grep -c . <<<"$w" || true)
	[ "$n" -ge "$count" ] || fail "$i: $n direct 4 KiB writes by dd on $rootdisk, expected $count"
	jq -e 'select(.service_ns <= 0)' <<<"$w" >/dev/null && fail "$i: zero service time on $rootdisk"
	echo "$i: $n writes of 4096 bytes on $rootdisk"
done

# Each instance re-read /proc/partitions for the new loop device: the other one saw it.
opens() { jq -c "select(.record == \"event\" and .type == \"open\" and .pid == $2)" "$tmp/$1.out"; }
# grep without -q: with pipefail, jq writing after grep -q exits would fail the pipeline.
opens a "$b" | grep '"/proc/partitions"' >/dev/null || fail "a did not see b read /proc/partitions"
opens b "$a" | grep '"/proc/partitions"' >/dev/null || fail "b did not see a read /proc/partitions"
[ -z "$(opens a "$a")" ] || fail "a saw its own opens"
[ -z "$(opens b "$b")" ] || fail "b saw its own opens"
echo "each instance saw the other's open of /proc/partitions and none of its own"

echo "ok"
