#!/bin/bash
# Ordinary: package database queries (dpkg, apt-cache), as inventory and update checks
# run them.   pkgquery.sh [SECONDS]
. "$(dirname "$0")/lib.sh"
begin
while running; do
	dpkg -l >/dev/null
	dpkg -S /bin/ls >/dev/null 2>&1
	dpkg -s coreutils >/dev/null
	apt-cache policy bash >/dev/null 2>&1
	apt-cache show make >/dev/null 2>&1
	sleep 0.2
done
