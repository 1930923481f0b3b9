#!/bin/bash
# The runqlen kernel side builds against plugins/collectors/bpf/vmlinux_min.h, the header
# the build falls back to on a machine without /sys/kernel/btf/vmlinux.
# Usage: fallback_header.sh CLANG LIBBPF_INCLUDEDIR   (env: SRC)
set -euo pipefail
clang=$1 libbpf_inc=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$SRC/plugins/collectors/bpf/vmlinux_min.h" "$tmp/vmlinux.h"
"$clang" -target bpf -g -O2 -Wall -Werror -D__TARGET_ARCH_x86 -I"$tmp" \
	-I"$SRC/plugins/collectors/runqlen" -I"$libbpf_inc" \
	-c "$SRC/plugins/collectors/runqlen/runqlen.bpf.c" -o "$tmp/runqlen.bpf.o"
# The object must carry the CO-RE relocations of every field flavour.
if ! command -v bpftool >/dev/null && [ -x /usr/sbin/bpftool ]; then PATH=$PATH:/usr/sbin; fi
if command -v bpftool >/dev/null; then
	btf=$(bpftool btf dump file "$tmp/runqlen.bpf.o")
	for t in cfs_rq___old cfs_rq___new cfs_rq___runnable cfs_rq___delayed sched_entity___delayed; do
		grep -q "STRUCT '$t'" <<<"$btf" || { echo "no BTF for $t in the object"; exit 1; }
	done
fi
echo "runqlen.bpf.c builds against vmlinux_min.h"
