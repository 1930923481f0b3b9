#!/bin/bash
# Every eBPF collector's kernel side (plugins/collectors/*/*.bpf.c) builds against
# plugins/collectors/bpf/vmlinux_min.h, the header the build falls back to on a machine without
# /sys/kernel/btf/vmlinux, with the build's own clang flags, and each object carries the BTF
# of the CO-RE flavour structs its source declares (NAME___FLAVOUR).
#
# Where the kernel has BTF, each object then loads here (bpftool prog loadall, pins removed),
# and libbpf must relocate it exactly as it relocates the same source built against the
# vmlinux.h generated from this kernel. A load alone would not do: a struct the trimmed header
# names otherwise than the kernel still compiles, libbpf then poisons the instructions that
# read through it, and the verifier refuses only those on a path it explores with the default
# (zero) read-only data: not, for one, opensnoop's regs_args path.
# bpftool loads every program of an object, both flavours (tp_btf and raw_tp) of biosnoop and
# procsnoop; the plugins load one, and only for the tracepoints the kernel has. An object with
# a tp_btf program whose tracepoint this kernel lacks is therefore not loaded, and says so.
#
# Usage: bpf_fallback_header.sh CLANG BPFTOOL BPF_CFLAGS...   (env: SRC)
# Exit 77 only when the kernel refuses BPF (or has no BTF to relocate against), and only once
# the build checks have passed.
set -uo pipefail
clang=$1 bpftool=$2
shift 2
cflags=("$@")
tmp=$(mktemp -d)
pins=()
cleanup() {
	local p
	for p in "${pins[@]}"; do [ ! -e "$p" ] || rm -rf "$p"; done
	mountpoint -q "$tmp/bpffs" 2>/dev/null && umount "$tmp/bpffs"
	rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# compile SRC VARIANT: SRC's object built with $tmp/VARIANT/vmlinux.h, as bpf_cc_cmd does.
compile() {
	local src=$1 v=$2 name
	name=$(basename "$src" .bpf.c)
	"$clang" -I"$tmp/$v" "${cflags[@]}" -I"$(dirname "$src")" -MD -MF "$tmp/$v/$name.d" \
		-c "$src" -o "$tmp/$v/$name.bpf.o" 2>"$tmp/$v/$name.err"
}

mkdir -p "$tmp/min" "$tmp/full"
cp "$SRC/plugins/collectors/bpf/vmlinux_min.h" "$tmp/min/vmlinux.h"
srcs=("$SRC"/plugins/collectors/*/*.bpf.c)
[ -e "${srcs[0]}" ] || { echo "FAIL: no plugins/collectors/*/*.bpf.c under $SRC"; exit 1; }

built=()
for src in "${srcs[@]}"; do
	name=$(basename "$src" .bpf.c)
	if ! compile "$src" min; then
		fail "${src#"$SRC"/} does not build against vmlinux_min.h:"
		grep -E 'error' "$tmp/min/$name.err" | head -n 12 | sed 's/^/    /'
		continue
	fi
	before=$failures n=0
	# The trimmed header, not the build's generated one, is what the object was built with.
	grep -qF "$tmp/min/vmlinux.h" "$tmp/min/$name.d" ||
		fail "$name: built without $tmp/min/vmlinux.h (include order)"
	btf=$("$bpftool" btf dump file "$tmp/min/$name.bpf.o") || { fail "$name: no BTF"; continue; }
	for t in $(grep -oE 'struct [A-Za-z_][A-Za-z0-9_]*___[A-Za-z0-9_]+' "$src" |
		   sed 's/^struct //' | sort -u); do
		n=$((n + 1))
		grep -qF "STRUCT '$t'" <<<"$btf" || fail "$name: no BTF for struct $t in the object"
	done
	[ "$failures" -eq "$before" ] || continue
	echo "$name: builds against vmlinux_min.h, BTF of its $n CO-RE flavour structs"
	built+=("$src")
done
[ "$failures" -eq 0 ] || { echo "$failures checks failed"; exit 1; }

# ---- Load on this kernel, relocated as with the kernel's own vmlinux.h ----
vmlinux=/sys/kernel/btf/vmlinux
if [ ! -r "$vmlinux" ]; then
	echo "this kernel has no $vmlinux, so CO-RE objects cannot be relocated and loaded here"
	exit 77
fi
"$bpftool" btf dump file "$vmlinux" format c >"$tmp/full/vmlinux.h" ||
	{ echo "FAIL: bpftool cannot dump $vmlinux"; exit 1; }
if [ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ]; then
	pinroot=/sys/fs/bpf
else
	mkdir "$tmp/bpffs"
	mount -t bpf bpf "$tmp/bpffs" || { echo "cannot mount a BPF file system to pin into"; exit 77; }
	pinroot=$tmp/bpffs
fi

# relocations LOG: "prog 'P' <kind> SPEC => RESULT" for each CO-RE relocation libbpf applied
# (RESULT: the patched value, or "invalid" for a poisoned instruction).
relocations() {
	awk '
	/prog .*: relo #[0-9]+: <[a-z_]+> \[/ && !/candidate/ {
		match($0, /prog \047[^\047]*\047/); prog = substr($0, RSTART, RLENGTH)
		s = $0; sub(/.*relo #[0-9]+: /, "", s); sub(/ \[[0-9]+\]/, "", s)
		sub(/ \([^()]*\)$/, "", s)
		cur = prog " " s; next
	}
	/patched insn/ && cur != "" { s = $0; sub(/.*-> /, "", s); print cur " => " s; cur = ""; next }
	/substituting insn .* invalid/ && cur != "" { print cur " => invalid"; cur = ""; next }
	' "$1" | sort
}

unloaded=
for src in "${built[@]}"; do
	name=$(basename "$src" .bpf.c)
	missing=
	for tp in $(grep -oE 'SEC\("tp_btf/[A-Za-z0-9_]+' "$src" | sed 's/.*tp_btf\///'); do
		grep -qE "\(\*btf_trace_$tp\)\(" "$tmp/full/vmlinux.h" || missing+=" $tp"
	done
	if [ -n "$missing" ]; then
		echo "$name: not loaded: this kernel lacks tracepoints of its tp_btf programs:$missing"
		unloaded+=" $name"
		continue
	fi
	if ! compile "$src" full; then
		fail "${src#"$SRC"/} does not build against this kernel's vmlinux.h:"
		grep -E 'error' "$tmp/full/$name.err" | head -n 12 | sed 's/^/    /'
		continue
	fi
	for v in min full; do
		pin=$pinroot/anomon-fallback-$$-$name-$v
		pins+=("$pin")
		"$bpftool" -d prog loadall "$tmp/$v/$name.bpf.o" "$pin" >"$tmp/$v/$name.log" 2>&1
		rc=$?
		[ ! -e "$pin" ] || rm -rf "$pin"
		if [ "$rc" -ne 0 ]; then
			if grep -q 'Operation not permitted' "$tmp/$v/$name.log"; then
				echo "the kernel refuses BPF here (the build checks passed):"
				grep -m1 'Operation not permitted' "$tmp/$v/$name.log"
				exit 77
			fi
			[ "$v" = min ] && h=vmlinux_min.h || h="this kernel's vmlinux.h"
			fail "$name built against $h does not load:"
			# libbpf's and the verifier's reasons, not the whole debug log
			grep -E 'CO-RE relocation|^Error|failed|invalid' "$tmp/$v/$name.log" |
				grep -v -e ': relo #' -e 'found [0-9]* CO-RE' -e mark_precise |
				head -n 12 | sed 's/^/    /'
			continue 2
		fi
		relocations "$tmp/$v/$name.log" >"$tmp/$v/$name.rel"
	done
	# Every CO-RE relocation libbpf reports must be in the comparison (a change in libbpf's
	# log would otherwise compare two empty lists).
	want=$(grep -oE 'found [0-9]+ CO-RE relocations' "$tmp/min/$name.log" |
		awk '{ n += $2 } END { print n + 0 }')
	got=$(wc -l <"$tmp/min/$name.rel")
	if [ "$want" -eq 0 ] || [ "$got" -ne "$want" ]; then
		fail "$name: $got CO-RE relocation results read from libbpf's log, $want reported"
	elif ! diff -u "$tmp/full/$name.rel" "$tmp/min/$name.rel" >"$tmp/$name.diff"; then
		fail "$name: relocated otherwise with vmlinux_min.h (+) than with this kernel's (-):"
		sed 's/^/    /' "$tmp/$name.diff"
	else
		echo "$name: loads, $got CO-RE relocations as with this kernel's vmlinux.h"
	fi
done
[ "$failures" -eq 0 ] || { echo "$failures checks failed"; exit 1; }
if [ -n "$unloaded" ]; then
	echo "every collector builds against vmlinux_min.h; all but$unloaded load on this kernel"
else
	echo "every collector builds against vmlinux_min.h and loads on this kernel"
fi
