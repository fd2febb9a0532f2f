#!/bin/sh
# Usage: check_exports.sh NM LIBRARY [gcov]
# Fails unless every symbol the shared library defines for others to use is
# named fg_* (and fg_version is among them, so an empty listing fails too).
# "gcov": the library is built with --coverage, whose runtime (libgcov) adds
# __gcov_* and mangle_path.
nm=$1
lib=$2
gcov=${3:-}
syms=$("$nm" -D --defined-only "$lib" | awk '{print $NF}') || exit 1
[ -n "$syms" ] || { echo "no exported symbols read from $lib"; exit 1; }
echo "$syms" | grep -qx fg_version || { echo "fg_version is not exported"; exit 1; }
# Symbols the toolchain itself adds to every shared object.
bad=$(echo "$syms" | grep -v '^fg_' |
      grep -Ev '^(_init|_fini|_edata|_end|__bss_start|_DYNAMIC|_GLOBAL_OFFSET_TABLE_)$')
if [ "$gcov" = gcov ]; then
    bad=$(echo "$bad" | grep -Ev '^(__gcov_.*|mangle_path)$')
fi
if [ -n "$bad" ]; then
    echo "symbols exported without the fg_ prefix:"
    echo "$bad"
    exit 1
fi
echo "$(echo "$syms" | grep -c '^fg_') fg_ symbols exported, nothing else"
