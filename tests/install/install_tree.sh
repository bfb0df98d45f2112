#!/bin/sh
# `cmake --install` into a temporary prefix, then check what landed there:
# the program runs, its man page formats and holds every option that
# `cubecast ... --help` prints, the docs, Slurm jobs and headers are there,
# and a small C program (consumer/) builds and runs against the installed
# library both with find_package(cubecast) and with pkg-config --static.
# usage: install_tree.sh SOURCE_DIR BUILD_DIR WORK_DIR CMAKE C_COMPILER
set -u
source_dir=$1
build=$2
work=$3
cmake=$4
cc=$5
prefix=$work/prefix
failed=0
passed=0
ok() { echo "ok    $*"; passed=$((passed + 1)); }
fail() { echo "FAIL  $*"; failed=$((failed + 1)); }
# A failure after which nothing else can be checked.
die() { echo "FAIL  $*"; echo "$passed passed, $((failed + 1)) failed"; exit 1; }

rm -rf "$work"
mkdir -p "$work"
"$cmake" --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; die "cmake --install $build --prefix $prefix"; }
ok "cmake --install into $prefix"

# The program.
want=$("$build/cubecast" --version) || die "the build's cubecast --version"
got=$("$prefix/bin/cubecast" --version 2>&1)
[ "$got" = "$want" ] && ok "bin/cubecast --version: $got" || fail "bin/cubecast --version: '$got', want '$want'"

# The man page: its sections, and groff (man's formatter) accepts it
# without a warning and prints every option the --help texts name.
page=$prefix/share/man/man1/cubecast.1
[ -f "$page" ] || die "no $page"
before=$failed
for section in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" "SEE ALSO"; do
  grep -q "^\.SH $section\$" "$page" || fail "man page: no section $section"
done
[ "$failed" = "$before" ] && ok "man page: NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXIT STATUS, SEE ALSO"
if command -v groff >/dev/null 2>&1; then
  groff -man -Tascii -ww -z "$page" >"$work/groff.warnings" 2>&1
  [ -s "$work/groff.warnings" ] && { cat "$work/groff.warnings"; fail "groff warns about the man page"; } ||
    ok "groff -man -ww formats the page without a warning"
  # -P-cbou: plain text, no bold or underline; wide lines keep words whole.
  groff -man -Tascii -P-cbou -rLL=250n "$page" >"$work/page.txt" 2>/dev/null
  missing=""
  for command in "" render generate info; do
    # shellcheck disable=SC2086  # no command: plain `cubecast --help`
    for option in $("$build/cubecast" $command --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
      grep -q -- "$option" "$work/page.txt" || missing="$missing ${command:-main}:$option"
    done
  done
  [ -z "$missing" ] && ok "the formatted page names every option of the four --help texts" ||
    fail "options missing from the formatted man page:$missing"
  grep -q "75 interrupted by SIGTERM/SIGUSR1" "$work/page.txt" && ok "man page: render's exit statuses" ||
    fail "man page: render's exit statuses missing"
else
  echo "note  groff not installed: the page's formatting is not checked"
fi

# Docs and Slurm jobs: every one in the source tree.
before=$failed
for file in README.md docs/*.md; do
  [ -f "$source_dir/$file" ] || continue
  cmp -s "$source_dir/$file" "$prefix/share/doc/cubecast/$file" || fail "share/doc/cubecast/$file missing or different"
done
[ "$failed" = "$before" ] && ok "share/doc/cubecast: README.md and docs/*.md"
before=$failed
for job in "$source_dir"/jobs/*.sbatch; do
  name=${job##*/}
  [ -x "$prefix/share/cubecast/jobs/$name" ] || fail "share/cubecast/jobs/$name missing or not executable"
done
[ "$failed" = "$before" ] && ok "share/cubecast/jobs: $(cd "$source_dir/jobs" && echo *.sbatch)"

# The library.
before=$failed
for header in "$source_dir"/include/cubecast/*.h; do
  [ -f "$prefix/include/cubecast/${header##*/}" ] || fail "include/cubecast/${header##*/} missing"
done
pc=$(find "$prefix" -name cubecast.pc | head -n 1)
config=$(find "$prefix" -name cubecastConfig.cmake | head -n 1)
[ -n "$pc" ] && [ -n "$config" ] || die "no cubecast.pc or cubecastConfig.cmake under $prefix"
libdir=${pc%/pkgconfig/cubecast.pc}
[ -f "$libdir/libcubecast.a" ] && [ -f "$libdir/libcubecast_cuda.a" ] ||
  die "no libcubecast.a and libcubecast_cuda.a in $libdir"
[ "$failed" = "$before" ] && ok "headers, ${libdir#"$prefix"/}/libcubecast.a, libcubecast_cuda.a, cubecast.pc, cubecastConfig.cmake"

# A program built against it: CMake's find_package ...
consumer=$source_dir/tests/install/consumer
if "$cmake" -S "$consumer" -B "$work/with-cmake" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Release >"$work/with-cmake.log" 2>&1 &&
  "$cmake" --build "$work/with-cmake" >>"$work/with-cmake.log" 2>&1; then
  if "$work/with-cmake/consumer" >"$work/with-cmake.out" 2>&1; then
    ok "find_package(cubecast) + cubecast::cubecast: the program links and its checks pass"
  else
    cat "$work/with-cmake.out"; fail "the find_package(cubecast) program's checks"
  fi
else
  cat "$work/with-cmake.log"; fail "building a program with find_package(cubecast)"
fi

# ... and pkg-config (the library is static: --static adds what it links).
if command -v pkg-config >/dev/null 2>&1; then
  if flags=$(PKG_CONFIG_PATH=$libdir/pkgconfig pkg-config --cflags --libs --static cubecast 2>"$work/pkg-config.err"); then
    # shellcheck disable=SC2086  # the flags are words
    if "$cc" -std=c11 "$consumer/consumer.c" -o "$work/with-pkg-config" $flags >"$work/pkg-config.log" 2>&1; then
      if "$work/with-pkg-config" >"$work/with-pkg-config.out" 2>&1; then
        ok "pkg-config --cflags --libs --static cubecast: the program links and its checks pass"
      else
        cat "$work/with-pkg-config.out"; fail "the pkg-config program's checks"
      fi
    else
      echo "flags: $flags"; cat "$work/pkg-config.log"; fail "building a program with pkg-config's flags"
    fi
  else
    cat "$work/pkg-config.err"; fail "pkg-config --static cubecast"
  fi
else
  echo "note  no pkg-config: cubecast.pc is not checked"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && rm -rf "$work"
[ "$failed" -eq 0 ]
