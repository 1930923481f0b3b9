#!/bin/bash
# Live test of the per-key bounds, as root: 2000 short-lived cgroups (under a test parent
# that is always removed), each running a process that opens a file once, while anomon runs
# opensnoop -> disk_behaviour with max_keys 64. Checks:
#  1. no event is lost to the bound: one window per cgroup, each of its one open, and the
#     windows' events add up to what the feature received;
#  2. the feature never held more than max_keys keys, and evicted the rest; a window cut
#     short by an eviction is flagged incomplete and counted as a drop;
#  3. the core's cgroup cache forgets the removed cgroups at its sweep (5 s after start).
# Usage: bounds.sh CGROUP_CHURN   (env: ANOMON). Exit 77 only when the kernel refuses BPF.
. "$(dirname "$0")/lib.sh"
churn=$1
n=2000 max=64

cat >"$tmp/p.json" <<'JSON'
{"collectors": [{"plugin": "opensnoop", "params": {"comm": "anomon-churn"}}],
 "features": [{"plugin": "disk_behaviour", "params": {"max_keys": 64, "tokens": 0}}],
 "sinks": [{"plugin": "stdout", "params": {"format": "json"}}]}
JSON
skip_unless_bpf "$tmp/p.json"

cg2=$(findmnt -n -t cgroup2 -o TARGET | head -1 || true)
[ -n "$cg2" ] || fail "no cgroup v2 mount"
parent=$cg2/anomon-bounds-$$
mkdir "$parent" || fail "cannot create $parent"
cleanups+=("find '$parent' -depth -type d -exec rmdir {} +")

# -vv: the core's cache sweep logs at debug level.
start churn "$tmp/p.json" 6 -v -v
read -r made opened < <("$churn" "$parent" $n anomon-churn /dev/null 300)
[ "$made" -eq $n ] && [ "$opened" -eq $n ] || fail "churn: $made cgroups, $opened opens"
finish "$last_pid" churn

# 1. One window of one open per cgroup; nothing lost.
jq -c 'select(.record == "vector")' "$tmp/churn.out" >"$tmp/vectors"
mine=$(jq -c --arg p "${parent#"$cg2"}/c" 'select(.key | startswith($p))' "$tmp/vectors")
windows=$(grep -c . <<<"$mine" || true)
keys=$(jq -r .key <<<"$mine" | sort -u | wc -l)
ones=$(jq 'select(.events == 1 and .features.open_count == 1)' <<<"$mine" | jq -s length)
echo "cgroups: $n; their windows: $windows, keys $keys, of one open: $ones"
[ "$windows" -eq $n ] && [ "$keys" -eq $n ] && [ "$ones" -eq $n ] ||
	fail "expected one window of one open for each of the $n cgroups"
in=$(sed -nE 's/.*disk_behaviour +feature +in ([0-9]+) out.*/\1/p' "$tmp/churn.err")
sum=$(jq -s 'map(.events) | add' "$tmp/vectors")
out=$(sed -nE 's/.*disk_behaviour +feature +in [0-9]+ out ([0-9]+).*/\1/p' "$tmp/churn.err")
echo "feature: in $in, events in windows $sum, windows $out"
[ "$sum" -eq "$in" ] || fail "the windows hold $sum events, the feature received $in"
[ "$out" -eq "$(wc -l <"$tmp/vectors")" ] || fail "$out windows emitted, $(wc -l <"$tmp/vectors") printed"

# 2. The bound.
line=$(grep -E '\[disk_behaviour\] info: keys: ' "$tmp/churn.err" | tail -1)
[ -n "$line" ] || fail "no key statistics: $(cat "$tmp/churn.err")"
echo "$line"
held=$(sed -nE 's/.*at most ([0-9]+) held at once \(max_keys ([0-9]+)\).*/\1/p' <<<"$line")
evicted=$(sed -nE 's/.* ([0-9]+) evicted at the bound.*/\1/p' <<<"$line")
cut=$(sed -nE 's/.*\(([0-9]+) open windows cut short\).*/\1/p' <<<"$line")
[ "$held" -le $max ] && [ "$held" -ge $((max / 2)) ] || fail "held $held keys at once, max_keys $max"
[ "$evicted" -ge $((n - max)) ] || fail "$evicted keys evicted of $n with max_keys $max"
grep -q "max_keys $max reached: new keys evict the least recently seen" "$tmp/churn.err" ||
	fail "the bound was not reported"
incomplete=$(jq 'select(.incomplete)' <<<"$mine" | jq -s length)
dropped=$(sed -nE 's/.*disk_behaviour +feature +in [0-9]+ out [0-9]+ dropped ([0-9]+).*/\1/p' "$tmp/churn.err")
echo "windows cut short: $cut, flagged incomplete: $incomplete, feature drops: $dropped"
[ "$incomplete" -eq "$cut" ] && [ "$dropped" -eq "$cut" ] ||
	fail "cut short $cut, incomplete $incomplete, dropped $dropped"

# 3. The core's cgroup cache after its sweep.
sweep=$(grep -E 'debug: forgot [0-9]+ removed cgroups' "$tmp/churn.err" | head -1)
echo "cache: ${sweep:-no sweep logged}"
forgot=$(sed -nE 's/.*forgot ([0-9]+) removed cgroups \(([0-9]+) cached\).*/\1/p' <<<"$sweep")
cached=$(sed -nE 's/.*forgot ([0-9]+) removed cgroups \(([0-9]+) cached\).*/\2/p' <<<"$sweep")
[ -n "$forgot" ] && [ "$forgot" -ge $n ] || fail "the sweep forgot ${forgot:-no} cgroups of $n removed"
[ "$cached" -lt 100 ] || fail "$cached cgroups still cached after the sweep"

echo "ok"
