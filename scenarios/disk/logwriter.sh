#!/bin/bash
# Ordinary: a service writing its log: appended lines, a flush now and then, and rotation
# with compression when the log grows.   logwriter.sh [SECONDS]
. "$(dirname "$0")/lib.sh"
mkdir -p log
begin
n=0
while running; do
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		n=$((n + 1))
		echo "$(printf '%(%FT%T)T') service[$$]: request $n served in $((n % 97)) ms" >>log/service.log
	done
	sync log/service.log
	if [ "$(stat -c %s log/service.log)" -gt 65536 ]; then
		mv log/service.log "log/service.log.$n"
		gzip -q "log/service.log.$n"
		ls log/*.gz 2>/dev/null | head -n -3 | xargs -r rm -f
	fi
	sleep 0.1
done
