#!/bin/bash
# Ordinary: a C project rebuilt again and again (make, gcc, as, ld), as a developer or CI
# does.   build.sh [SECONDS]
. "$(dirname "$0")/lib.sh"
for i in $(seq 1 12); do
	printf '#include <stdio.h>\n#include <string.h>\n#include "common.h"\nint f%d(const char *s) { return (int)strlen(s) + K; }\n' "$i" >"f$i.c"
done
printf '#define K 3\n' >common.h
printf 'int main(void) { return 0; }\n' >main.c
printf 'OBJ := $(patsubst %%.c,%%.o,$(wildcard *.c))\nprog: $(OBJ)\n\tgcc -o $@ $^\n%%.o: %%.c common.h\n\tgcc -O1 -c $< -o $@\nclean:\n\trm -f *.o prog\n' >Makefile
begin
while running; do
	make -s clean
	make -s -j2 prog >/dev/null 2>&1
	touch common.h
done
