#!/bin/bash
# Ordinary: editing files: vim opens a file, changes it and writes it (swap file, backup,
# rename), then the file is read back; with pauses as a person makes.   editor.sh [SECONDS]
. "$(dirname "$0")/lib.sh"
mkdir -p project
for i in 1 2 3 4 5; do seq 1 200 | sed "s/^/line $i /" >"project/notes$i.txt"; done
begin
n=0
while running; do
	n=$((n + 1))
	f=project/notes$((n % 5 + 1)).txt
	vim -u NONE -i NONE -n -es -c "normal Goedit $n" -c 'wq' "$f" </dev/null >/dev/null 2>&1
	grep -c edit "$f" >/dev/null
	head -n 5 "$f" >/dev/null
	sleep 0.3
done
