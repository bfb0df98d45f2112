#!/usr/bin/python3
"""--device (issue 12): the backend a rank renders with.

    device_test.py CUBECAST MPIEXEC WORKDIR

On a machine without a usable CUDA device (or with a build without CUDA):
--device cuda fails on every rank with one error line and writes nothing;
--device auto and cpu render the default's frames bit for bit and the
manifest names "cpu" for every rank; a bogus device is a usage error; the
device is not a sweep parameter (a resume does not compare it).  Exits 77
(skipped) where --device cuda finds a GPU: scripts/gpu-check covers that.
"""

import json
import os
import shutil
import sys

import h5py
import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from harness import MPI_FLAGS, Checks  # noqa: E402

TIMEOUT = 120
ENV = harness.open_mpi_env("2")
RENDER = ["--frames", "3", "--size", "24", "--quiet"]


def run(cmd, cwd):
    return harness.run(cmd, TIMEOUT, env=ENV, cwd=cwd, errors="replace", kill_descendants=False)


def our_lines(err):
    """What cubecast wrote on stderr, without Open MPI's banners."""
    return [l for l in err.splitlines() if l.startswith("cubecast")]


def ranks_run(mpiexec, exe, ranks, argv, work):
    """Every rank runs to its own end; returns the result and each rank's exit status."""
    status_dir = os.path.join(work, f"status-{len(os.listdir(work))}")
    os.mkdir(status_dir)
    wrapper = ('"$0" "$@"; rc=$?; echo $rc > "' + status_dir +
               '/rank_$OMPI_COMM_WORLD_RANK"; exit $rc')
    res = run([mpiexec] + MPI_FLAGS + ["--mca", "orte_abort_on_non_zero_status", "0",
                                       "-np", str(ranks), "sh", "-c", wrapper, exe] + argv, work)
    codes = {}
    for name in os.listdir(status_dir):
        with open(os.path.join(status_dir, name)) as f:
            codes[int(name.split("_")[1])] = int(f.read().strip() or -1)
    return res, [codes.get(r) for r in range(ranks)]


def raw_frames(path):
    with h5py.File(path, "r") as f:
        return {name: f[name][()] for name in ("frames", "transmittance", "angles")}


def same_frames(a, b):
    ra, rb = raw_frames(a + ".raw.h5"), raw_frames(b + ".raw.h5")
    if not all(np.array_equal(ra[k], rb[k]) for k in ra):
        return False
    pngs = sorted(n for n in os.listdir(a) if n.endswith(".png"))
    return pngs == sorted(n for n in os.listdir(b) if n.endswith(".png")) and all(
        harness.read_bytes(os.path.join(a, n)) == harness.read_bytes(os.path.join(b, n))
        for n in pngs)


def render(c, exe, cube, work, name, *extra):
    out = os.path.join(work, name)
    res = run([exe, "render", cube, "-o", out, "--raw", out + ".raw.h5"]
              + RENDER + list(extra), work)
    c.require(res.rc == 0, f"{name}: renders", res.describe_output())
    return out


def check_unavailable(c, exe, mpiexec, cube, work):
    """--device cuda without a device: one line, non-zero everywhere, nothing written."""
    for precision in ("single", "double"):
        target = os.path.join(work, f"cuda-{precision}")
        raw = os.path.join(work, f"cuda-{precision}.h5")
        argv = ["render", cube, "-o", target, "--raw", raw, "--device", "cuda",
                "--precision", precision] + RENDER
        res = run([exe] + argv, work)
        label = f"--device cuda, {precision}, 1 rank"
        lines = our_lines(res.err)
        c.check(res.rc not in (None, 0), f"{label}: exit non-zero (got {res.rc})",
                res.describe_output())
        c.check(len(res.err.splitlines()) == 1 and len(lines) == 1,
                f"{label}: exactly one line on stderr", res.describe_output())
        c.check(bool(lines) and lines[0].startswith("cubecast: error: --device cuda")
                and ("without CUDA" in lines[0] or "no CUDA" in lines[0]),
                f"{label}: the line names --device cuda and the cause", repr(lines))
        c.check(not os.path.lexists(target) and not os.path.lexists(raw),
                f"{label}: no output folder, no raw file", str(os.listdir(work)))
    target = os.path.join(work, "cuda-mpi")
    res, codes = ranks_run(mpiexec, exe, 2, ["render", cube, "-o", target, "--device", "cuda"]
                           + RENDER, work)
    label = "--device cuda, mpiexec -n 2"
    c.check(all(x not in (None, 0) for x in codes), f"{label}: every rank exits non-zero ({codes})",
            res.describe_output())
    c.check(len(our_lines(res.err)) == 1, f"{label}: exactly one cubecast line on stderr",
            res.describe_output())
    c.check(not os.path.lexists(target), f"{label}: no output folder", str(os.listdir(work)))


def check_cpu(c, exe, mpiexec, cube, work):
    """auto and cpu: the default's frames bit for bit; the manifest says cpu."""
    default = render(c, exe, cube, work, "default")
    for precision in ("single", "double"):
        reference = default if precision == "single" else render(
            c, exe, cube, work, "default-double", "--precision", precision)
        for device in ("auto", "cpu"):
            name = f"{device}-{precision}"
            out = render(c, exe, cube, work, name, "--device", device, "--precision", precision)
            c.check(same_frames(reference, out),
                    f"--device {device}, {precision}: raw frames and PNGs equal the default's")
            devices = harness.load_manifest(out).get("devices")
            c.check(devices == ["cpu"], f"--device {device}, {precision}: manifest devices "
                    f"[\"cpu\"] (got {devices})")
    out = os.path.join(work, "auto-mpi")
    res = run([mpiexec] + MPI_FLAGS + ["-np", "2", exe, "render", cube, "-o", out, "--device",
                                       "auto", "--decomp", "bricks", "--profile"] + RENDER, work)
    c.require(res.rc == 0, "--device auto, mpiexec -n 2, bricks: renders", res.describe_output())
    manifest = harness.load_manifest(out)
    c.check(manifest.get("devices") == ["cpu", "cpu"],
            f"--device auto, 2 ranks: manifest devices [cpu, cpu] (got {manifest.get('devices')})")
    per_rank = [r.get("device") for r in manifest.get("profile", {}).get("per_rank", [])]
    c.check(per_rank == ["cpu", "cpu"], f"--profile: per-rank device cpu, cpu (got {per_rank})")
    c.check(sum(1 for l in res.err.splitlines() if l.rstrip().endswith("%  cpu")) == 2,
            "--profile's table names the device of each rank", res.err)

    # Not a sweep parameter: a folder drawn on another device resumes as is.
    path = os.path.join(default, "manifest.json")
    with open(path) as f:
        manifest = json.load(f)
    manifest["devices"] = ["cuda:0 Some GPU"]
    with open(path, "w") as f:
        json.dump(manifest, f)
    before = {n: os.stat(os.path.join(default, n)).st_mtime_ns
              for n in os.listdir(default) if n.startswith("frame_")}
    res = run([exe, "render", cube, "-o", default, "--resume", "--device", "cpu"] + RENDER, work)
    c.check(res.rc == 0, "--resume of a folder another device drew: accepted",
            res.describe_output())
    after = {n: os.stat(os.path.join(default, n)).st_mtime_ns for n in before}
    c.check(before == after and len(before) == 3, "--resume: its frames are kept, not redrawn")
    c.check(harness.load_manifest(default).get("devices") == ["cpu"],
            "--resume: the manifest names this run's device")


def check_bogus(c, exe, cube, work):
    target = os.path.join(work, "bogus")
    res = run([exe, "render", cube, "-o", target, "--device", "bogus"] + RENDER, work)
    c.check(res.rc == 2, f"--device bogus: exit 2 (got {res.rc})", res.describe_output())
    lines = res.err.splitlines()
    c.check(len(lines) == 1 and "--device" in lines[0] and "bogus" in lines[0],
            "--device bogus: one line naming the option and the value", res.describe_output())
    c.check(not os.path.lexists(target), "--device bogus: no output folder")
    res = run([exe, "render", "--help"], work)
    c.check(res.rc == 0 and "--device cpu|cuda|auto" in res.out, "--help lists --device",
            res.describe_output())


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    exe, mpiexec, work = os.path.abspath(sys.argv[1]), sys.argv[2], os.path.abspath(sys.argv[3])
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    c = Checks("device")
    cube = os.path.join(work, "c.h5")
    res = run([exe, "generate", cube, "--shape", "20", "24", "28"], work)
    if not c.check(res.rc == 0, "generate the cube", res.describe_output()):
        return c.finish()
    probe = os.path.join(work, "probe")
    res = run([exe, "render", cube, "-o", probe, "--device", "cuda"] + RENDER, work)
    if res.rc == 0:
        print(f"skip: --device cuda found a GPU here ({harness.load_manifest(probe).get('devices')});"
              " scripts/gpu-check covers it")
        return 77
    try:
        check_unavailable(c, exe, mpiexec, cube, work)
        check_cpu(c, exe, mpiexec, cube, work)
        check_bogus(c, exe, cube, work)
    except harness.Abort:
        pass
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
