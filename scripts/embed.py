#!/usr/bin/env python3
"""Embed a text file in C as `const char NAME[]` plus `NAME_name[]` (its base name)."""
import os
import sys

src, out, name = sys.argv[1], sys.argv[2], sys.argv[3]
data = open(src, 'rb').read()
with open(out, 'w') as f:
    f.write('/* Generated from %s; do not edit. */\n' % os.path.basename(src))
    f.write('const char %s[] = {\n' % name)
    for i in range(0, len(data), 16):
        f.write('  ' + ', '.join('0x%02x' % b for b in data[i:i + 16]) + ',\n')
    f.write('  0x00 };\n')
    f.write('const char %s_name[] = "(built-in %s)";\n' % (name, os.path.basename(src)))
