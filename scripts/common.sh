# shellcheck shell=bash
# Shared set-up for scripts/demo, scripts/test and scripts/bench.
# Source it; it defines functions and variables and runs nothing by itself.
#
#   cc_install_deps   install the Debian packages cubecast needs (only missing ones)
#   cc_build          configure and build into build/ (with the CUDA backend where
#                     nvcc is found: CUBECAST_NVCC, default /usr/local/cuda/bin/nvcc)
#   cc_build_asan     configure and build build-asan/ with CUBECAST_SANITIZE=ON (ASan + UBSan)
#   cc_have_libfuzzer whether clang can link a libFuzzer program here
#   cc_build_fuzz     configure and build build-fuzz/ with clang and CUBECAST_FUZZ=ON
#   cc_setup          cc_install_deps + cc_build
#   cc_mpirun_cmd     fill the array CC_MPIRUN with "mpirun" and the flags it needs here
#
# Environment knobs (all optional):
#   CUBECAST_NO_INSTALL=1    never call apt-get (e.g. on a cluster with modules)
#   CUBECAST_BUILD_DIR=DIR   build folder (default build, relative to the repo root)
#   CUBECAST_CMAKE_ARGS="…"  extra arguments for the configure step (word-split),
#                            e.g. -DCUBECAST_NATIVE=ON (a build for this machine's CPU only)
#   CUBECAST_JOBS=N          parallel build jobs (default: nproc)
#   CUBECAST_CLANG=PATH      the clang for build-fuzz/ (default clang)
#   CUBECAST_NVCC=PATH       the CUDA compiler (default /usr/local/cuda/bin/nvcc)
#   CUBECAST_CUDA=AUTO|ON|OFF  the CUDA backend: AUTO (default) builds it where
#                            the compiler is found, ON requires it, OFF skips it
#   CUBECAST_FUZZ_SECONDS=S  how long each fuzzer runs in build-fuzz/'s ctest (default 30)

CC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Debian's interpreter: it is the one that sees python3-numpy/scipy/h5py, even
# when a pyenv or conda python3 comes first on PATH.
CC_PYTHON=${CUBECAST_PYTHON:-/usr/bin/python3}
CC_BUILD_DIR=${CUBECAST_BUILD_DIR:-build}
case $CC_BUILD_DIR in /*) ;; *) CC_BUILD_DIR=$CC_ROOT/$CC_BUILD_DIR ;; esac
CC_BIN=$CC_BUILD_DIR/cubecast
CC_JOBS=${CUBECAST_JOBS:-$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
CC_NVCC=${CUBECAST_NVCC:-/usr/local/cuda/bin/nvcc}
CC_CLANG=${CUBECAST_CLANG:-clang}
CC_FUZZ_SECONDS=${CUBECAST_FUZZ_SECONDS:-30}

CC_DEB_PACKAGES=(
  build-essential cmake pkg-config
  libhdf5-openmpi-dev hdf5-tools openmpi-bin libopenmpi-dev
  libpng-dev libjansson-dev
  liblzf-dev liblz4-dev libbz2-dev libblosc-dev
  python3 python3-numpy python3-scipy python3-h5py python3-matplotlib python3-pil python3-nibabel
  python3-hdf5plugin hdf5-filter-plugin hdf5-filter-plugin-blosc-serial hdf5-filter-plugin-zfp-serial
  time
  clang libclang-rt-dev
  munge slurmctld slurmd slurm-client
  ffmpeg # scripts/movie
)

cc_log() { printf '==> %s\n' "$*" >&2; }
cc_warn() { printf 'warning: %s\n' "$*" >&2; }
cc_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Install the Debian packages that are missing; do nothing (and never touch
# the network) when all are there.
cc_install_deps() {
  if [[ ${CUBECAST_NO_INSTALL:-0} == 1 ]]; then
    cc_log "CUBECAST_NO_INSTALL=1: not checking system packages"
    return 0
  fi
  if ! command -v dpkg-query >/dev/null 2>&1; then
    cc_warn "not a Debian/Ubuntu system (no dpkg-query): install by hand the equivalents of: ${CC_DEB_PACKAGES[*]}"
    return 0
  fi
  local p status missing=()
  for p in "${CC_DEB_PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [[ $status == installed ]] || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    cc_log "system packages: all ${#CC_DEB_PACKAGES[@]} present"
    return 0
  fi
  cc_log "missing Debian packages: ${missing[*]}"
  if [[ $(id -u) != 0 ]]; then
    {
      echo "error: installing packages needs root. Run:"
      echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}"
      echo "then run this script again (or set CUBECAST_NO_INSTALL=1 to skip this check)."
    } >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Wait for a concurrent apt/dpkg (unattended-upgrades, another script)
  # instead of failing at once on its lock.
  local wait=(-o DPkg::Lock::Timeout=300)
  apt-get "${wait[@]}" update
  # munge's and slurmd's package scripts start their daemons (through
  # invoke-rc.d): the slurm test starts private ones and wants none left
  # running, and without systemd a start can fail the install. Where no
  # policy-rc.d decides, one that denies every start is there during the
  # install (invoke-rc.d's documented hook, as in Debian's container images).
  local policy=/usr/sbin/policy-rc.d placed=0 rc=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# cubecast scripts/common.sh: no service starts while installing\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    placed=1
  fi
  apt-get "${wait[@]}" install -y "${missing[@]}" || rc=$?
  ((placed)) && rm -f "$policy"
  return "$rc"
}

# Configure and build; cmake is re-run every time (cheap, and it picks up
# changes to CMakeLists.txt), make/ninja rebuild only what changed.
# Usage: cc_cmake_build BUILD_DIR [extra cmake args...]
cc_cmake_build() {
  local dir=$1
  shift
  local extra=()
  # shellcheck disable=SC2206  # word-splitting is the point here
  [[ -n ${CUBECAST_CMAKE_ARGS:-} ]] && extra=($CUBECAST_CMAKE_ARGS)
  cc_log "configuring $dir"
  cmake -S "$CC_ROOT" -B "$dir" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCUBECAST_PYTHON="$CC_PYTHON" \
    "$@" "${extra[@]}"
  cc_log "building $dir with $CC_JOBS jobs"
  cmake --build "$dir" -j"$CC_JOBS"
}

cc_build() {
  local cuda=(-DCUBECAST_CUDA="${CUBECAST_CUDA:-AUTO}")
  [[ -x $CC_NVCC ]] && cuda+=(-DCMAKE_CUDA_COMPILER="$CC_NVCC")
  cc_cmake_build "$CC_BUILD_DIR" "${cuda[@]}"
  [[ -x $CC_BIN ]] || cc_die "build finished but $CC_BIN is missing"
}

# The library, program and tests with AddressSanitizer and UBSan (gcc), with
# debug information for the reports; the tests to run under it are chosen
# by scripts/test.
cc_build_asan() {
  cc_cmake_build "$CC_ROOT/build-asan" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCUBECAST_SANITIZE=ON
}

# clang and its libFuzzer runtime (Debian: clang, libclang-rt-dev) link a
# fuzzer here.
cc_have_libfuzzer() {
  command -v "$CC_CLANG" >/dev/null 2>&1 || return 1
  local probe
  probe=$(mktemp -d) || return 1
  printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return d == NULL && n > 0; }' \
    >"$probe/probe.c"
  local status=0
  "$CC_CLANG" -fsanitize=fuzzer,address,undefined "$probe/probe.c" -o "$probe/probe" \
    >/dev/null 2>&1 || status=$?
  rm -rf "$probe"
  return $status
}

# The libFuzzer harnesses of tests/fuzz, and the library they call compiled
# by clang with ASan, UBSan and coverage.  OpenMP is off: the fuzzers use
# one thread, and clang's OpenMP runtime would be one more package.
cc_build_fuzz() {
  cc_cmake_build "$CC_ROOT/build-fuzz" \
    -DCMAKE_C_COMPILER="$CC_CLANG" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCUBECAST_FUZZ=ON \
    -DCUBECAST_OPENMP=OFF \
    -DCUBECAST_FUZZ_SECONDS="$CC_FUZZ_SECONDS"
}

cc_setup() {
  cc_install_deps
  cc_build
}

# CC_MPIRUN=(mpirun ...): Open MPI refuses to run as root without
# --allow-run-as-root; --oversubscribe lets a run ask for more ranks than
# cores (a laptop, a CI box). Also export the environment equivalents so that
# tests which call mpirun themselves behave the same way.
cc_mpirun_cmd() {
  CC_MPIRUN=(mpirun)
  if [[ $(id -u) == 0 ]]; then
    CC_MPIRUN+=(--allow-run-as-root)
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  fi
  CC_MPIRUN+=(--oversubscribe)
  export OMPI_MCA_rmaps_base_oversubscribe=${OMPI_MCA_rmaps_base_oversubscribe:-1}
}
