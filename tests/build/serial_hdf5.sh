#!/bin/sh
# Configure must stop, naming the Debian package, when the HDF5 it finds is
# serial.  A fake compiler wrapper reports the real (parallel) HDF5 as
# serial; the same configure with the real wrapper must succeed, so the
# failure is the serial check and nothing else.
# usage: serial_hdf5.sh SOURCE_DIR WORK_DIR
set -u
source_dir=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
real=$(command -v h5pcc) || { echo "FAIL: no h5pcc on PATH"; exit 1; }
cat >"$work/h5cc" <<WRAPPER
#!/bin/sh
if [ "\$1" = "-showconfig" ]; then "$real" -showconfig | sed 's/Parallel HDF5: yes/Parallel HDF5: no/'; exit 0; fi
exec "$real" "\$@"
WRAPPER
chmod +x "$work/h5cc"

if cmake -S "$source_dir" -B "$work/serial" -DCUBECAST_TESTS=OFF \
    -DHDF5_C_COMPILER_EXECUTABLE="$work/h5cc" >"$work/serial.log" 2>&1; then
  echo "FAIL: configure accepted a serial HDF5"; exit 1
fi
grep -q "needs HDF5 built with MPI" "$work/serial.log" || { echo "FAIL: no clear message"; cat "$work/serial.log"; exit 1; }
grep -q "libhdf5-openmpi-dev" "$work/serial.log" || { echo "FAIL: package not named"; exit 1; }
echo "ok    serial HDF5 refused with a message naming libhdf5-openmpi-dev"

if ! cmake -S "$source_dir" -B "$work/parallel" -DCUBECAST_TESTS=OFF \
    -DHDF5_C_COMPILER_EXECUTABLE="$real" >"$work/parallel.log" 2>&1; then
  echo "FAIL: configure with the real parallel HDF5 failed"; cat "$work/parallel.log"; exit 1
fi
echo "ok    the real parallel HDF5 configures"
rm -rf "$work"
echo "1 passed, 0 failed"
