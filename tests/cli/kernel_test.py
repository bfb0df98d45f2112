#!/usr/bin/python3
"""The render kernel's copies (issue 14 item 4, src/render_kernel.h).

    kernel_test.py CUBECAST MPIEXEC WORKDIR

A portable build holds one copy of the kernel per instruction set (avx512,
avx2, baseline) and runs the best one the CPU has, or the one CUBECAST_ISA
names.  Checked here:
  * --version lists the copies and the one this CPU runs;
  * CUBECAST_ISA=bogus, and a set the CPU lacks (where it lacks one), stop
    the render with one line (exit 2) before any output is made;
  * by default the best copy the CPU runs renders, and --profile says so
    (its table and the manifest's per-rank "kernel");
  * every copy the CPU runs, forced in turn, on the original camera,
    --precision double, tilted cameras, a band file, an orbit about z and
    bricks under mpiexec -np 2: the copies with FMA (avx512, avx2) draw the
    same frames byte for byte in single precision (PNGs, the manifest's
    CRC-32s, --raw's floats); elsewhere (baseline x86-64 has no FMA, and
    double precision's vector exp and log differ between vector widths:
    src/render_kernel.h) the unquantised values agree within 1e-5 (single)
    or 1e-12 (double), ten and a thousand times tighter than the
    contract's 1e-4 and 1e-9, and a PNG sample differs by at most one level, in at most 0.1% of
    the samples; the projection, computed outside the kernel, is the same
    byte for byte.  The copies are different machine code (vector widths,
    FMA, libmvec's 8-, 4- or 2-wide exp), so a copy that miscomputes shows.
Exits 77 (skipped) where fewer than two copies run: a CUBECAST_NATIVE build
or another architecture has one.
"""

import os
import shutil
import sys

import h5py
import numpy as np
from PIL import Image

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from harness import MPI_FLAGS, Checks  # noqa: E402

TIMEOUT = 300
BANDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden", "data",
                     "bands5.json")
RENDER = ["--frames", "4", "--size", "64", "--quiet"]
# name, ranks, options
CASES = [
    ("original", 1, []),
    ("double", 1, ["--precision", "double"]),
    ("tilted", 1, ["--elevation", "25", "--zoom", "1.2"]),
    ("tilted-double", 1, ["--elevation", "-20", "--precision", "double"]),
    ("bands", 1, ["--tf", BANDS]),
    ("bands-double", 1, ["--tf", BANDS, "--precision", "double"]),
    ("orbit-z", 1, ["--axis", "z", "--size", "72"]),
    ("bricks", 2, ["--decomp", "bricks"]),
    ("bricks-tilted-double", 2, ["--decomp", "bricks", "--elevation", "15", "--precision",
                                 "double"]),
]
FMA_COPIES = ("avx512", "avx2")


def env_for(isa):
    env = harness.open_mpi_env("2")
    env.pop("CUBECAST_ISA", None)
    if isa is not None:
        env["CUBECAST_ISA"] = isa
    return env


def run(cmd, work, isa=None):
    return harness.run(cmd, TIMEOUT, env=env_for(isa), cwd=work, errors="replace",
                       kill_descendants=False)


def our_lines(err):
    return [l for l in err.splitlines() if l.startswith("cubecast")]


def kernels_of(c, exe, work, isa=None):
    """(the copies built, the one that runs or the refusal) from --version."""
    res = run([exe, "--version"], work, isa)
    c.require(res.rc == 0, f"--version (CUBECAST_ISA={isa}) exits 0", res.describe_output())
    lines = res.out.splitlines()
    c.require(len(lines) == 2 and lines[0].startswith("cubecast ") and
              lines[1].startswith("render kernels: ") and "; this CPU runs " in lines[1],
              "--version: 'cubecast VERSION' then 'render kernels: ...; this CPU runs ...'",
              res.describe_output())
    built, runs = lines[1][len("render kernels: "):].split("; this CPU runs ", 1)
    return built.split(), runs


def outputs(folder):
    """{file name: bytes} of the PNGs, and the manifest's CRC-32 per frame."""
    files = {name: harness.read_bytes(os.path.join(folder, name))
             for name in sorted(os.listdir(folder)) if name.endswith(".png")}
    crcs = {n: e.get("crc32") for n, e in harness.manifest_frames(harness.load_manifest(folder)).items()}
    return files, crcs


def raw_arrays(path):
    with h5py.File(path, "r") as f:
        return {name: f[name][()] for name in ("frames", "transmittance", "projection")}


def pixels(folder, name):
    return np.asarray(Image.open(os.path.join(folder, name))).astype(np.int64)


def raw_gap(a, b):
    """The largest difference between two --raw files' arrays (inf where
    their shapes or their non-finite values differ)."""
    gap = 0.0
    for name in a:
        x, y = a[name].astype(np.float64), b[name].astype(np.float64)
        if x.shape != y.shape or not np.array_equal(np.isfinite(x), np.isfinite(y)):
            return np.inf
        finite = np.isfinite(x)
        if finite.any():
            gap = max(gap, float(np.max(np.abs(x[finite] - y[finite]))))
    return gap


def render(c, exe, mpiexec, cube, work, isa, name, ranks, options):
    out = os.path.join(work, f"{name}-{isa}")
    argv = [exe, "render", cube, "-o", out, "--raw", out + ".raw.h5"] + RENDER + options
    cmd = argv if ranks == 1 else [mpiexec] + MPI_FLAGS + ["-np", str(ranks)] + argv
    res = run(cmd, work, isa)
    c.require(res.rc == 0, f"{name}, CUBECAST_ISA={isa}: renders", res.describe_output())
    return out


def check_refusals(c, exe, cube, work, built, runnable):
    """A bogus set, and a set the CPU lacks, stop before any output."""
    lacking = [s for s in built if s not in runnable]
    for isa in ["bogus"] + lacking:
        target = os.path.join(work, f"refused-{isa}")
        res = run([exe, "render", cube, "-o", target] + RENDER, work, isa)
        lines = our_lines(res.err)
        c.check(res.rc == 2, f"CUBECAST_ISA={isa}: exit 2 (got {res.rc})", res.describe_output())
        c.check(len(lines) == 1 and f"CUBECAST_ISA={isa}: " in lines[0],
                f"CUBECAST_ISA={isa}: one line naming the variable", res.describe_output())
        c.check(not os.path.lexists(target), f"CUBECAST_ISA={isa}: no output folder")
    if not lacking:
        print(f"note  this CPU runs every copy ({' '.join(built)}): no refusal of a missing set")


def check_default(c, exe, cube, work, best):
    """Without CUBECAST_ISA the best copy renders, and --profile names it."""
    out = os.path.join(work, "profiled")
    res = run([exe, "render", cube, "-o", out, "--profile"] + RENDER, work)
    c.require(res.rc == 0, "--profile: renders", res.describe_output())
    c.check(f"  render kernel: {best}\n" in res.err,
            f"--profile's table: 'render kernel: {best}'", res.err)
    per_rank = harness.load_manifest(out).get("profile", {}).get("per_rank", [])
    c.check([r.get("kernel") for r in per_rank] == [best],
            f"manifest profile: per-rank kernel [{best}]", str(per_rank))


def check_frames(c, exe, mpiexec, cube, work, runnable):
    first = runnable[0]
    for name, ranks, options in CASES:
        double = "double" in options
        folders = {isa: render(c, exe, mpiexec, cube, work, isa, name, ranks, options)
                   for isa in runnable}
        files, crcs = outputs(folders[first])
        raw = raw_arrays(folders[first] + ".raw.h5")
        c.check(len(files) == 5 and len(crcs) == 4, f"{name}: 4 frames and the projection")
        for isa in runnable[1:]:
            other_files, other_crcs = outputs(folders[isa])
            c.require(other_files.keys() == files.keys(), f"{name}: {isa} writes the same files")
            c.check(other_files["projection.png"] == files["projection.png"],
                    f"{name}: {isa}'s projection.png equals {first}'s byte for byte")
            if not double and isa in FMA_COPIES and first in FMA_COPIES:
                same = [n for n in files if other_files[n] == files[n]]
                c.check(len(same) == len(files), f"{name}: {isa}'s PNGs equal {first}'s byte for "
                        f"byte ({len(same)} of {len(files)})")
                c.check(other_crcs == crcs, f"{name}: {isa}'s manifest CRC-32s equal {first}'s")
                other = raw_arrays(folders[isa] + ".raw.h5")
                c.check(all(np.array_equal(raw[k], other[k], equal_nan=True) for k in raw),
                        f"{name}: {isa}'s --raw floats equal {first}'s bit for bit")
                continue
            tolerance = 1e-12 if double else 1e-5
            gap = raw_gap(raw, raw_arrays(folders[isa] + ".raw.h5"))
            c.check(gap <= tolerance, f"{name}: {isa}'s --raw values within {tolerance:g} of "
                    f"{first}'s (largest difference {gap:.3g})")
            levels = [np.abs(pixels(folders[isa], n) - pixels(folders[first], n))
                      for n in files if n.startswith("frame_")]
            moved = sum(int(np.count_nonzero(d)) for d in levels)
            samples = sum(d.size for d in levels)
            c.check(max(int(d.max()) for d in levels) <= 1 and moved <= samples // 1000,
                    f"{name}: {isa}'s PNG samples within one level of {first}'s, in at most "
                    f"0.1% of them ({moved} of {samples} differ)")


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    exe, mpiexec, workdir = os.path.abspath(sys.argv[1]), sys.argv[2], os.path.abspath(sys.argv[3])
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    c = Checks("cli_kernel")
    try:
        built, best = kernels_of(c, exe, workdir)
        c.require(best in built, f"--version: the copy this CPU runs ({best}) is one built ({built})")
        runnable = [isa for isa in built if kernels_of(c, exe, workdir, isa)[1] == isa]
        c.check(runnable and runnable[0] == best,
                f"the default is the best copy this CPU runs ({best} of {runnable})")
        cube = os.path.join(workdir, "cube.h5")
        res = run([exe, "generate", cube, "--shape", "40", "48", "36", "--seed", "5"], workdir)
        c.require(res.rc == 0, "generate a 40x48x36 cube", res.describe_output())
        check_refusals(c, exe, cube, workdir, built, runnable)
        check_default(c, exe, cube, workdir, best)
        if len(runnable) < 2:
            print(f"skipped: this build's CPU runs one render kernel ({runnable})")
            c.finish()
            return 1 if c.failures else 77
        check_frames(c, exe, mpiexec, cube, workdir, runnable)
    except harness.Abort:
        pass
    status = c.finish()
    if status == 0:
        shutil.rmtree(workdir, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
