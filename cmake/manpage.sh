#!/bin/sh
# Writes the man page cubecast(1) from the built program's help texts:
# `cubecast --help`, then `cubecast render|generate|info --help`, each
# after a "@@section NAME" line, through help2roff.awk.
# usage: manpage.sh CUBECAST VERSION HELP2ROFF.AWK OUT.1
set -eu
# In the sanitizer and fuzz builds the program is built with ASan, whose
# leak checker would fail this step on Open MPI's leaks at exit (as in
# scripts/test, which runs their tests with detect_leaks=0).
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
export ASAN_OPTIONS
bin=$1
version=$2
script=$3
out=$4
{
  echo "@@section main"
  "$bin" --help
  for command in render generate info; do
    echo "@@section $command"
    "$bin" "$command" --help
  done
} >"$out.txt"
awk -v version="$version" -f "$script" "$out.txt" >"$out.tmp"
rm -f "$out.txt"
mv "$out.tmp" "$out"
