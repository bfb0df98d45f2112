#!/usr/bin/python3
"""One folder, one sweep, many writers (issue 14 item 2): runs of the same
sweep that differ only in --range (the tasks of a Slurm job array) add their
frames to one folder, one after the other or at the same time, and the
manifest lists the union; another sweep is refused while they write.

    writers_test.py CUBECAST

Every check reads the folder as a user would: the manifest's frames, and
each listed file's size and CRC-32 against its record.
"""

import json
import os
import shutil
import struct
import sys
import tempfile
import time
import zlib

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from harness import Checks  # noqa: E402

EXIT_USAGE = 2
TIMEOUT = 120
# One thread per run: four runs at once on two cores still overlap in time.
ENV = harness.open_mpi_env("1")


def render(exe, cube, out, frames, first, end, size, *extra):
    return [exe, "render", cube, "-o", out, "--frames", str(frames), "--range",
            f"{first}:{end}", "--size", str(size), "--quiet"] + list(extra)


def run(cmd, cwd):
    return harness.run(cmd, TIMEOUT, env=ENV, cwd=cwd, errors="replace", kill_descendants=False)


def run_together(cmds, cwd):
    """Starts every command at once; their Results, in order."""
    started = time.monotonic()
    procs = [harness.start(cmd, env=ENV, cwd=cwd, errors="replace") for cmd in cmds]
    results = []
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=TIMEOUT)
            results.append(harness.Result(proc.returncode, out, err, time.monotonic() - started))
        except Exception:  # a timeout: kill it and report
            harness.kill_session(proc)
            out, err = proc.communicate()
            results.append(harness.Result(None, out, err, time.monotonic() - started, True))
    return results


def png_width(path):
    with open(path, "rb") as f:
        head = f.read(24)
    return struct.unpack(">I", head[16:20])[0]


def check_folder(c, label, out, expected):
    """The manifest lists exactly the frames expected, each once, each file
    on disk with the recorded size and CRC; no temporary file is left."""
    manifest = harness.load_manifest(out)
    records = manifest["frames"]
    listed = sorted(record["frame"] for record in records.values())
    c.check(listed == sorted(expected), f"{label}: the manifest lists frames {min(expected)}.."
            f"{max(expected)}, each once", str(listed))
    bad = []
    for name, record in records.items():
        path = os.path.join(out, name)
        data = open(path, "rb").read() if os.path.isfile(path) else None
        if data is None or len(data) != record["bytes"] or zlib.crc32(data) != record["crc32"]:
            bad.append(name)
    c.check(not bad, f"{label}: every listed file matches its record", str(bad))
    on_disk = sorted(harness.frame_number(p) for p in harness.frame_files(out))
    c.check(on_disk == sorted(expected), f"{label}: exactly those frames are on disk",
            str(on_disk))
    left = [n for n in os.listdir(out) if "cubecast-tmp" in n or n == ".cubecast.lock"]
    c.check(not left, f"{label}: no temporary or lock file is left", str(left))


def one_after_the_other(c, exe, tmp, cube):
    out = os.path.join(tmp, "sequential")
    for first, end in ((0, 5), (5, 10)):
        res = run(render(exe, cube, out, 10, first, end, 32), tmp)
        c.check(res.rc == 0, f"--range {first}:{end} into one folder: exit 0",
                res.describe_output())
    check_folder(c, "--range 0:5 then 5:10", out, range(10))


def four_at_once(c, exe, tmp, cube):
    out = os.path.join(tmp, "array")
    cmds = [render(exe, cube, out, 40, a, a + 10, 32) for a in range(0, 40, 10)]
    results = run_together(cmds, tmp)
    for cmd, res in zip(cmds, results):
        c.check(res.rc == 0 and res.err == "", f"{cmd[8]} at the same time: exit 0, silent",
                res.describe_output())
    check_folder(c, "4 runs at once", out, range(40))
    manifest = harness.load_manifest(out)
    # Each run's own frames: nothing of another's range was rendered again
    # (a record's seconds and rank are its renderer's; the ranges are
    # disjoint, so every frame has exactly one writer).
    c.check(len(manifest["frames"]) == 40, "4 runs at once: 40 records")


def overlapping_at_once(c, exe, tmp, cube):
    out = os.path.join(tmp, "overlap")
    cmds = [render(exe, cube, out, 30, a, b, 32) for a, b in ((0, 20), (5, 25), (10, 30))]
    results = run_together(cmds, tmp)
    for cmd, res in zip(cmds, results):
        c.check(res.rc == 0, f"overlapping {cmd[8]} at the same time: exit 0",
                res.describe_output())
    check_folder(c, "overlapping ranges at once", out, range(30))


def another_sweep_while_one_writes(c, exe, tmp, big):
    out = os.path.join(tmp, "busy")
    first = harness.start(render(exe, big, out, 400, 0, 400, 64), env=ENV, cwd=tmp,
                          errors="replace")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(harness.frame_files(out)) < 2:
            time.sleep(0.05)
        c.require(first.poll() is None and harness.frame_files(out), "a long run is writing")
        # Another --size: refused naming it, and nothing of it written.
        res = run(render(exe, big, out, 400, 0, 400, 24), tmp)
        lines = res.err.splitlines()
        c.check(res.rc == EXIT_USAGE and len(lines) == 1 and "--size" in res.err,
                "another --size while one writes: exit 2, one line naming --size",
                res.describe_output())
        c.check(all(png_width(p) == 64 for p in harness.frame_files(out)),
                "another --size while one writes: none of its frames written")
        # --overwrite would remove the writer's frames: refused while it runs.
        res = run(render(exe, big, out, 400, 0, 400, 24, "--overwrite"), tmp)
        lines = res.err.splitlines()
        c.check(res.rc == EXIT_USAGE and len(lines) == 1 and "writing" in res.err,
                "--overwrite while another run writes: exit 2, one line",
                res.describe_output())
        c.check(first.poll() is None and harness.frame_files(out) and
                all(png_width(p) == 64 for p in harness.frame_files(out)),
                "--overwrite while another run writes: its frames are left alone")
        manifest = harness.load_manifest(out)
        c.check(manifest["parameters"]["size"] == 64, "the folder's manifest is the writer's")
    finally:
        # SIGTERM: it stops cleanly, its manifest listing every frame it wrote.
        first.terminate()
        first.communicate()
    # Once nobody writes, --overwrite replaces the sweep as before.
    res = run(render(exe, big, out, 4, 0, 4, 24, "--overwrite"), tmp)
    c.check(res.rc == 0, "--overwrite once nobody writes: exit 0", res.describe_output())
    check_folder(c, "--overwrite once nobody writes", out, range(4))


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    exe = os.path.abspath(sys.argv[1])
    c = Checks("writers")
    tmp = tempfile.mkdtemp(prefix="cubecast-writers-")
    started = time.monotonic()
    try:
        cube, big = os.path.join(tmp, "cube.h5"), os.path.join(tmp, "big.h5")
        for path, shape in ((cube, "48"), (big, "96")):
            res = run([exe, "generate", path, "--shape", shape, shape, shape], tmp)
            c.require(res.rc == 0, f"generate {os.path.basename(path)}", res.describe_output())
        one_after_the_other(c, exe, tmp, cube)
        four_at_once(c, exe, tmp, cube)
        overlapping_at_once(c, exe, tmp, cube)
        another_sweep_while_one_writes(c, exe, tmp, big)
    except harness.Abort:
        pass
    status = c.finish(time.monotonic() - started)
    if status == 0:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"  work folder kept: {tmp}")
    return status


if __name__ == "__main__":
    sys.exit(main())
