#!/bin/bash
# Ordinary: an idle daemon: it wakes twice a second to read a few /proc files and a
# configuration file.   idle.sh [SECONDS]
. "$(dirname "$0")/lib.sh"
printf 'interval=0.5\n' >daemon.conf
begin
while running; do
	read -r _ </proc/loadavg
	read -r _ </proc/meminfo
	read -r _ <daemon.conf
	sleep 0.5
done
