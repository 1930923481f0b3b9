# A cgroup v2 per scenario run, so that the scenario's windows have a key of their own (the
# cgroup id, which is the directory's inode number) apart from the rest of the machine.
#   cg_create NAME   sets CG (the directory) and CG_ID; cg_remove   removes it
cg_root() {
	awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts
}

cg_create() {
	local root
	root=$(cg_root)
	[ -n "$root" ] || { echo "no cgroup2 mount" >&2; return 1; }
	CG="$root/anomon-scenario-$1-$$"
	mkdir "$CG" || return 1
	CG_ID=$(stat -c %i "$CG")
}

cg_remove() {
	# The scenario's processes have exited; a cgroup without processes can be removed.
	[ -n "${CG:-}" ] && [ -d "$CG" ] && rmdir "$CG"
	CG=
}
