#!/bin/sh
# cpack -G DEB, then install the package with apt-get, check the program
# and its man page under /usr, and remove the package again: on exit, also
# when a check fails, `dpkg --purge cubecast` runs, so the machine is left
# as it was.  It changes nothing else: it skips (77) when a cubecast package
# is installed already or one of the package's paths exists, and installs
# only when apt-get's simulation shows one package installed (no download)
# and none removed.  Needs root, apt-get and dpkg; skips (77) without them.
# usage: install_deb.sh BUILD_DIR WORK_DIR CPACK
set -u
build=$1
work=$2
cpack=$3
skip() { echo "skip: $*"; exit 77; }
die() { echo "FAIL  $*"; exit 1; }
ok() { echo "ok    $*"; }

[ "$(id -u)" = 0 ] || skip "not root (installing a .deb needs root)"
for tool in apt-get dpkg dpkg-deb dpkg-query; do
  command -v $tool >/dev/null 2>&1 || skip "no $tool (not a Debian system)"
done
# One run at a time on a machine (two builds' ctest at once).
if command -v flock >/dev/null 2>&1; then
  exec 9>/tmp/cubecast-install-deb.lock
  flock -w 600 9 || die "another install_deb test holds /tmp/cubecast-install-deb.lock"
fi
status=$(dpkg-query -W -f='${db:Status-Status}' cubecast 2>/dev/null)
[ -z "$status" ] || [ "$status" = not-installed ] ||
  skip "a cubecast package is on this machine already ($status): not replacing it"
for path in /usr/bin/cubecast /usr/share/man/man1/cubecast.1 /usr/share/doc/cubecast /usr/share/cubecast \
  /usr/include/cubecast /usr/lib/cmake/cubecast /usr/lib/pkgconfig/cubecast.pc /usr/lib/libcubecast.a; do
  [ -e "$path" ] && skip "$path exists (not from a cubecast package): not overwriting it"
done

rm -rf "$work"
mkdir -p "$work"
"$cpack" -G DEB -B "$work" --config "$build/CPackConfig.cmake" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; die "cpack -G DEB"; }
version=$("$build/cubecast" --version | sed -n "s/^cubecast //p")
deb=$work/cubecast_${version}_$(dpkg --print-architecture).deb
[ -f "$deb" ] || { ls "$work"; die "no ${deb##*/}"; }
ok "cpack -G DEB: ${deb##*/}"

# Its dependencies: what dpkg-shlibdeps found for the program's libraries.
depends=$(dpkg-deb -f "$deb" Depends)
echo "      Depends: $depends"
for lib in libhdf5 libopenmpi libpng libjansson libc6; do
  echo "$depends" | grep -q "$lib" || die "Depends does not name $lib"
done
ok "Depends names libhdf5, libopenmpi, libpng, libjansson and libc6"
outside=$(dpkg-deb -c "$deb" | awk '{print $6}' | grep -v '^\./usr/' | grep -v '^\./$')
[ -z "$outside" ] || die "files outside /usr: $outside"

# apt-get's plan: this package only, nothing downloaded, nothing removed.
DEBIAN_FRONTEND=noninteractive apt-get -s install --no-download --no-remove "$deb" >"$work/plan.log" 2>&1 ||
  { cat "$work/plan.log"; die "apt-get -s install (a dependency is missing?)"; }
plan=$(grep -E '^(Inst|Remv|Conf) ' "$work/plan.log" | grep -v '^Conf cubecast ' | grep -v '^Inst cubecast ')
[ -z "$plan" ] || die "apt-get would also change: $plan"
ok "apt-get -s: installs cubecast only"

# (Not --no-download here: apt 2.6 then refuses the local .deb itself,
# "Pathname to install is not absolute"; the plan above downloads nothing.)
trap 'dpkg --purge cubecast >/dev/null 2>&1' EXIT
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-remove -o DPkg::Lock::Timeout=120 \
  "$deb" >"$work/install.log" 2>&1 || { cat "$work/install.log"; die "apt-get install $deb"; }
got=$(/usr/bin/cubecast --version 2>&1 | head -n 1)
[ "$got" = "cubecast $version" ] || die "/usr/bin/cubecast --version: '$got'"
ok "/usr/bin/cubecast --version: $got"
[ -f /usr/share/man/man1/cubecast.1 ] || die "no /usr/share/man/man1/cubecast.1"
if command -v man >/dev/null 2>&1; then
  man -w cubecast 2>/dev/null | grep -q /usr/share/man/man1/cubecast.1 || die "man -w cubecast does not find the page"
fi
ok "the man page: /usr/share/man/man1/cubecast.1"
[ -f /usr/share/doc/cubecast/README.md ] && [ -f /usr/share/cubecast/jobs/render-frames.sbatch ] ||
  die "no docs or jobs under /usr/share"
if command -v pkg-config >/dev/null 2>&1; then
  [ "$(pkg-config --modversion cubecast 2>&1)" = "$version" ] || die "pkg-config does not find cubecast.pc under /usr"
fi
ok "docs, jobs and cubecast.pc under /usr"

dpkg --purge cubecast >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; die "dpkg --purge cubecast"; }
trap - EXIT
[ ! -e /usr/bin/cubecast ] && [ ! -e /usr/share/man/man1/cubecast.1 ] || die "files left after dpkg --purge"
ok "dpkg --purge cubecast: removed again"
rm -rf "$work"
