#!/usr/bin/python3
"""--tf auto gives a meaningful picture on any data (issue 10, point 2).

    look_test.py CUBECAST WORKDIR

Real data: the two MRI volumes Debian's python3-nibabel ships among its
test data (anatomical.nii, 33 x 41 x 25 int16 with a few negative values;
example4d.nii.gz, 128 x 96 x 24 x 2 int16, its first volume, written here
chunked and gzip-compressed), converted to HDF5 with h5py; and cubecast's
generated cube.  Each is rendered with --tf auto at N = 96 and 180, and
over the pixels whose rays cross the volume every frame must have fewer
than 5% saturated pixels in any channel, a luminance (Rec. 709) standard
deviation of at least 0.08 and a mean luminance between 0.05 and 0.7.
The same criterion fails for the original look on the MRI volumes (which
is why --tf auto exists): a check that the criterion can fail.
"""

import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
from PIL import Image

NIBABEL_DATA = "/usr/lib/python3/dist-packages/nibabel/tests/data"
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMP_NUM_THREADS="2")
failures = []


def check(ok, what, detail=""):
    print(("ok    " if ok else "FAIL  ") + what + (f"\n      {detail}" if detail and not ok else ""),
          flush=True)
    if not ok:
        failures.append(what)


def crossing(shape, n, theta):
    """Pixels (row j, column k) whose ray crosses the grid's box."""
    c = np.linspace(-n / 2, n / 2, n)
    nx, ny, nz = shape
    depth, column = c[:, None], c[None, :]
    y = depth * np.cos(theta) - column * np.sin(theta)
    z = depth * np.sin(theta) + column * np.cos(theta)
    columns = ((np.abs(y) <= ny / 2) & (np.abs(z) <= nz / 2)).any(axis=0)
    return (np.abs(c) <= nx / 2)[:, None] & columns[None, :]


def measure(folder, shape):
    """(saturated share, luminance std, luminance mean) per frame."""
    with h5py.File(os.path.join(folder, "raw.h5")) as f:
        n, angles, numbers = int(f.attrs["size"]), f["angles"][...], f["frame_index"][...]
    out = []
    for angle, number in zip(angles, numbers):
        image = np.asarray(Image.open(os.path.join(folder, f"frame_{number:05d}.png")),
                           dtype=np.float64) / 255.0
        pixels = image[crossing(shape, n, np.deg2rad(angle))]
        saturated = max(float((pixels[:, c] >= 1.0).mean()) for c in range(3))
        luminance = pixels @ np.array([0.2126, 0.7152, 0.0722])
        out.append((saturated, float(luminance.std()), float(luminance.mean())))
    return out


def render(exe, cube, folder, *extra):
    shutil.rmtree(folder, ignore_errors=True)
    res = subprocess.run([exe, "render", cube, "-o", folder, "--frames", "4", "--sweep-deg", "180",
                          "--raw", os.path.join(folder, "raw.h5"), "--quiet"] + list(extra),
                         env=ENV, capture_output=True, text=True, timeout=300)
    check(res.returncode == 0, f"render {os.path.basename(cube)} {' '.join(extra)}: exits 0",
          res.stderr[-2000:])
    return res.returncode == 0


def meets(stats):
    return all(s < 0.05 and std >= 0.08 and 0.05 <= mean <= 0.7 for s, std, mean in stats)


def describe(stats):
    return "; ".join(f"sat {s:.3f} std {std:.3f} mean {mean:.3f}" for s, std, mean in stats)


def main():
    exe, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    try:
        import nibabel
    except ImportError:
        print("python3-nibabel is not installed (scripts/test installs it)")
        return 1
    cubes = {}
    anatomical = nibabel.load(os.path.join(NIBABEL_DATA, "anatomical.nii"))
    cubes["anatomical"] = os.path.join(work, "anatomical.h5")
    with h5py.File(cubes["anatomical"], "w") as f:
        f["density"] = np.asarray(anatomical.dataobj).astype(np.int16)
    example = nibabel.load(os.path.join(NIBABEL_DATA, "example4d.nii.gz"))
    cubes["example4d"] = os.path.join(work, "example4d.h5")
    with h5py.File(cubes["example4d"], "w") as f:
        f.create_dataset("density", data=np.asarray(example.dataobj)[..., 0].astype(np.int16),
                         chunks=True, compression="gzip")
    cubes["generated"] = os.path.join(work, "generated.h5")
    res = subprocess.run([exe, "generate", cubes["generated"], "--size", "256"], env=ENV,
                         capture_output=True, text=True, timeout=300)
    check(res.returncode == 0, "generate a 256^3 cube (the demo's)", res.stderr)
    for name, cube in cubes.items():
        with h5py.File(cube) as f:
            shape = f["density"].shape
        for n in (96, 180):
            folder = os.path.join(work, f"{name}-auto-{n}")
            if render(exe, cube, folder, "--tf", "auto", "--size", str(n)):
                stats = measure(folder, shape)
                check(meets(stats), f"{name}, --tf auto, N = {n}: meaningful ({describe(stats)})",
                      describe(stats))
        if name != "generated":
            folder = os.path.join(work, f"{name}-default")
            if render(exe, cube, folder, "--size", "96"):
                stats = measure(folder, shape)
                check(not meets(stats),
                      f"{name}, the original look: fails the same criterion ({describe(stats)})",
                      describe(stats))
    res = subprocess.run([exe, "info", cubes["example4d"]], env=ENV, capture_output=True,
                         text=True, timeout=120)
    line = [l for l in res.stdout.splitlines() if l.startswith("render with it:")]
    check(res.returncode == 0 and len(line) == 1 and "--tf auto" in line[0],
          "info prints the command line --tf auto amounts to", res.stdout)
    print(f"\nlook: {len(failures) == 0 and 'all' or len(failures)} "
          f"{'passed' if not failures else 'failed'}")
    if not failures:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
