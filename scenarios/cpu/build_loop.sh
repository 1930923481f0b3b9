#!/bin/bash
# A build as ordinary load: configure anomon in BUILD_DIR, then build and clean it in a
# loop with JOBS parallel jobs until killed (scenarios/cpu/record.sh bounds it in time).
#   build_loop.sh SOURCE_DIR BUILD_DIR JOBS
set -euo pipefail
meson setup "$2" "$1" >/dev/null
while :; do
	ninja -C "$2" -j "$3" >/dev/null || true
	ninja -C "$2" clean >/dev/null
done
