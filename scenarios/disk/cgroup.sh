# A cgroup v2 per scenario run, so that the scenario's windows have a key of their own (a
# plain cgroup is keyed by its path below the cgroup v2 root) apart from the rest of the
# machine.
#   cg_create NAME   sets CG (the directory) and CG_KEY; cg_remove   removes it
cg_root() {
	awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts
}

cg_create() {
	local root
	root=$(cg_root)
	[ -n "$root" ] || { echo "no cgroup2 mount" >&2; return 1; }
	CG_KEY="/anomon-scenario-$1-$$"
	CG="$root$CG_KEY"
	mkdir "$CG" || return 1
}

cg_remove() {
	# The scenario's processes have exited; a cgroup without processes can be removed.
	[ -n "${CG:-}" ] && [ -d "$CG" ] && rmdir "$CG"
	CG=
}
