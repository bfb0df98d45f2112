#!/usr/bin/python3
"""The user's data are sacred (issue 9): tests of what cubecast refuses and
what it leaves behind, as a hostile or careless user would meet it.

    safety_test.py GROUP CUBECAST [MPIEXEC]

GROUP is one of:
  input      no output, temporary file or --overwrite ever writes or removes
             the input, whatever name or link leads to it
  folder     the output folder is owned: nothing left after an early failure,
             one sweep per folder, --overwrite, clean-up of cubecast's own
             temporary names only, a lock against a second run, --raw and
             generate temporaries of dead processes
  resume     resume checks the input's content, not its path, and a refusal
             names the parameter that differs
  edges      angles, --range forms, a FIFO as input, info in bounded memory,
             the memory plan (SLURM_MEM_PER_NODE, info's figures)
"""

import fcntl
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from harness import MPI_FLAGS, Checks  # noqa: E402

EXIT_USAGE, EXIT_INPUT, EXIT_OUTPUT, EXIT_INTERRUPTED = 2, 3, 4, 75
TIMEOUT = 60
ENV = harness.open_mpi_env("2")


def run(argv, cwd, timeout=TIMEOUT, env=None):
    return harness.run(argv, timeout, env=env or ENV, cwd=cwd, errors="replace",
                       kill_descendants=False)


def digest(path):
    with open(path, "rb") as f:
        return f.read()


def one_error_line(c, label, res, code, must_contain=()):
    """Exit code, exactly one stderr line starting 'cubecast: error: ', the
    culprits named in it."""
    lines = res.err.splitlines()
    c.check(res.rc == code, f"{label}: exit {code} (got {res.rc})", res.describe_output())
    c.check(len(lines) == 1 and lines[0].startswith("cubecast: error: "),
            f"{label}: one line 'cubecast: error: ...'", res.describe_output())
    for word in must_contain:
        c.check(word in res.err, f"{label}: the message names {word!r}", res.describe_output())


def generate(c, exe, path, *args):
    res = run([exe, "generate", path] + [str(a) for a in args], cwd=os.path.dirname(path))
    c.require(res.rc == 0, f"generate {os.path.basename(path)}", res.describe_output())


def render_args(cube, out, *extra):
    return ["render", cube, "-o", out, "--frames", "4", "--size", "24", "--quiet"] + list(extra)


# --------------------------------------------------------------------------

def input_group(c, exe, tmp):
    cube = os.path.join(tmp, "cube.h5")
    generate(c, exe, cube, "--shape", "24", "20", "16")
    original = digest(cube)

    def untouched(label):
        c.check(os.path.isfile(cube) and not os.path.islink(cube) and digest(cube) == original,
                f"{label}: the input file is unchanged")

    # --raw naming the input: by its path, through a symbolic link, through a
    # hard link, and through a relative path from another folder.
    os.symlink(cube, os.path.join(tmp, "sym.h5"))
    os.link(cube, os.path.join(tmp, "hard.h5"))
    os.mkdir(os.path.join(tmp, "sub"))
    for label, raw, cwd in (("--raw is the input", cube, tmp),
                            ("--raw is a link to the input", os.path.join(tmp, "sym.h5"), tmp),
                            ("--raw is a hard link of the input", os.path.join(tmp, "hard.h5"), tmp),
                            ("--raw is the input by a relative path", "../cube.h5",
                             os.path.join(tmp, "sub"))):
        out = os.path.join(tmp, "never")
        res = run([exe] + render_args(cube, out, "--raw", raw), cwd=cwd)
        one_error_line(c, label, res, EXIT_OUTPUT, ["input"])
        untouched(label)
        c.check(not os.path.lexists(out), f"{label}: no output folder created", str(harness.listing(out)))
        c.check(not any(".cubecast-tmp-" in n for n in os.listdir(tmp)),
                f"{label}: no temporary file left", str(os.listdir(tmp)))

    # The input inside the output folder under a name cubecast writes.
    for name, how in (("frame_00002.png", "hard link"), ("projection.png", "symbolic link"),
                      ("manifest.json", "hard link"), ("frame_00003.png", "the file itself")):
        out = os.path.join(tmp, f"holds-{name}")
        os.mkdir(out)
        target = os.path.join(out, name)
        victim = cube
        if how == "hard link":
            os.link(cube, target)
        elif how == "symbolic link":
            os.symlink(cube, target)
        else:
            victim = target
            shutil.copy(cube, target)
        before = digest(victim)
        res = run([exe] + render_args(victim, out), cwd=tmp)
        label = f"output folder holds the input as {name} ({how})"
        one_error_line(c, label, res, EXIT_OUTPUT, [name])
        c.check(digest(victim) == before and os.path.exists(target),
                f"{label}: the input is unchanged")
        c.check(harness.listing(out) == [name], f"{label}: nothing else written", str(harness.listing(out)))
    untouched("after all refusals")

    # --overwrite never removes the input, even when an old manifest lists it.
    out = os.path.join(tmp, "overwrite")
    res = run([exe] + render_args(cube, out), cwd=tmp)
    c.require(res.rc == 0, "a first sweep", res.describe_output())
    os.remove(os.path.join(out, "frame_00001.png"))
    victim = os.path.join(out, "frame_00001.png")
    shutil.copy(cube, victim)
    before = digest(victim)
    res = run([exe] + render_args(victim, out, "--size", "20", "--overwrite"), cwd=tmp)
    one_error_line(c, "--overwrite where the old sweep lists the input", res, EXIT_OUTPUT,
                   ["frame_00001.png"])
    c.check(digest(victim) == before, "--overwrite: the input listed as an old frame is kept")


# --------------------------------------------------------------------------

def corrupt_chunk(path, shape=(16, 16, 16)):
    """A gzip-chunked dataset whose last chunk's bytes are garbage: HDF5
    finds out only while reading."""
    data = np.exp(np.random.default_rng(3).uniform(-4, 9, size=shape)).astype("float32")
    with h5py.File(path, "w") as f:
        d = f.create_dataset("density", data=data, chunks=(8, 8, 8), compression="gzip")
        offset = d.id.get_chunk_info(d.id.get_num_chunks() - 1).byte_offset
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(b"\xff" * 64)


def folder_group(c, exe, tmp):
    cube = os.path.join(tmp, "cube.h5")
    generate(c, exe, cube, "--shape", "24", "20", "16")

    # Bad input found only while reading: no folder, no parent left.
    bad = os.path.join(tmp, "corrupt.h5")
    corrupt_chunk(bad)
    out = os.path.join(tmp, "a", "b", "c")
    res = run([exe] + render_args(bad, out), cwd=tmp)
    one_error_line(c, "a corrupt chunk", res, EXIT_INPUT, ["corrupt.h5"])
    c.check(not os.path.lexists(os.path.join(tmp, "a")),
            "a corrupt chunk: neither the folder nor its parents are left", str(harness.listing(tmp)))
    existing = os.path.join(tmp, "existing")
    os.mkdir(existing)
    res = run([exe] + render_args(bad, existing), cwd=tmp)
    c.check(res.rc == EXIT_INPUT and harness.listing(existing) == [],
            "a corrupt chunk into an existing folder: it stays empty",
            res.describe_output() + f" {harness.listing(existing)}")

    # --raw inside the output folder the run creates (the docs' example), and
    # in a folder that does not exist: refused with the reason, nothing made.
    out = os.path.join(tmp, "exact")
    res = run([exe] + render_args(cube, out, "--raw", os.path.join(out, "raw.h5")), cwd=tmp)
    c.check(res.rc == 0 and os.path.isfile(os.path.join(out, "raw.h5")),
            "--raw into the output folder it creates: exits 0, writes it", res.describe_output())
    out = os.path.join(tmp, "raw-nowhere")
    res = run([exe] + render_args(cube, out, "--raw", os.path.join(tmp, "nodir", "raw.h5")),
              cwd=tmp)
    one_error_line(c, "--raw in a missing folder", res, EXIT_OUTPUT,
                   ["nodir", "No such file or directory"])
    c.check(not os.path.lexists(out), "--raw in a missing folder: no output folder created")

    # One sweep per folder.
    out = os.path.join(tmp, "sweep")
    res = run([exe] + render_args(cube, out, "--frames", "6"), cwd=tmp)
    c.require(res.rc == 0, "a 6-frame sweep", res.describe_output())
    user_files = ["frame_00099.png", "notes.txt", "frame_0001.png.tmp.12",
                  "manifest.json.tmp.3", "projection.png.tmp.x", ".frame_00001.png.tmp.4"]
    for name in user_files:
        with open(os.path.join(out, name), "w") as f:
            f.write("the user's own file\n")
    before = {n: digest(os.path.join(out, n)) for n in os.listdir(out)}
    res = run([exe] + render_args(cube, out, "--frames", "6", "--size", "20"), cwd=tmp)
    one_error_line(c, "another sweep without --resume", res, EXIT_USAGE,
                   ["--size is 20 here but 24 there", "--overwrite"])
    after = {n: digest(os.path.join(out, n)) for n in os.listdir(out)}
    c.check(after == before, "another sweep refused: the folder is unchanged",
            f"{sorted(set(before) ^ set(after))}")

    res = run([exe] + render_args(cube, out, "--size", "20", "--overwrite"), cwd=tmp)
    c.check(res.rc == 0, "--overwrite: exits 0", res.describe_output())
    names = sorted(os.listdir(out))
    want = sorted([f"frame_{f:05d}.png" for f in range(4)] + ["manifest.json", "projection.png"]
                  + user_files)
    c.check(names == want, "--overwrite: the old sweep's listed files replaced, the user's kept",
            f"got {names}")
    manifest = harness.load_manifest(out)
    c.check(sorted(harness.manifest_frames(manifest)) == [0, 1, 2, 3]
            and manifest["parameters"]["size"] == 20,
            "--overwrite: the manifest is the new sweep's only", str(manifest.get("parameters")))
    for name in user_files:
        c.check(digest(os.path.join(out, name)) == b"the user's own file\n",
                f"user file {name} is untouched")

    # A short run into the folder of a longer run of the same sweep: the
    # manifest keeps listing exactly the files there are.
    out = os.path.join(tmp, "long-short")
    res = run([exe] + render_args(cube, out, "--frames", "8"), cwd=tmp)
    c.require(res.rc == 0, "a long run", res.describe_output())
    res = run([exe] + render_args(cube, out, "--frames", "8", "--range", "2:4"), cwd=tmp)
    c.check(res.rc == 0, "a short run of the same sweep into its folder: exits 0",
            res.describe_output())
    listed = harness.manifest_frames(harness.load_manifest(out))
    on_disk = [harness.frame_number(p) for p in harness.frame_files(out)]
    c.check(sorted(listed) == sorted(on_disk) == list(range(8)),
            "long then short run: the manifest lists exactly the frames on disk",
            f"listed {sorted(listed)}, on disk {on_disk}")

    # Frames that no manifest describes.
    out = os.path.join(tmp, "orphans")
    os.mkdir(out)
    with open(os.path.join(out, "frame_00000.png"), "wb") as f:
        f.write(b"not ours")
    res = run([exe] + render_args(cube, out), cwd=tmp)
    one_error_line(c, "frames without a manifest", res, EXIT_USAGE, ["--overwrite"])
    c.check(digest(os.path.join(out, "frame_00000.png")) == b"not ours",
            "frames without a manifest: left alone")

    # Temporary files of dead runs are removed; those of live processes and
    # the user's look-alikes are not.
    out = os.path.join(tmp, "stale")
    res = run([exe] + render_args(cube, out), cwd=tmp)
    c.require(res.rc == 0, "a sweep to leave stale temporaries in", res.describe_output())
    host = socket.gethostname()
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = [f".frame_00001.png.cubecast-tmp-{dead.pid}@{host}",
             f".manifest.json.cubecast-tmp-{dead.pid}@{host}"]
    for name in stale:
        with open(os.path.join(out, name), "w") as f:
            f.write("half a frame")
    res = run([exe] + render_args(cube, out, "--resume"), cwd=tmp)
    c.check(res.rc == 0, "a run over stale temporaries: exits 0", res.describe_output())
    left = [n for n in os.listdir(out) if "cubecast-tmp" in n]
    c.check(left == [], "a run removes the temporaries dead runs left", str(left))

    # A second run while the first holds the folder.
    out = os.path.join(tmp, "locked")
    res = run([exe] + render_args(cube, out), cwd=tmp)
    c.require(res.rc == 0, "a sweep to lock", res.describe_output())
    # (Reading the lock file would drop this process's fcntl lock on it.)
    before = {n: digest(os.path.join(out, n)) for n in os.listdir(out)}
    with open(os.path.join(out, ".cubecast.lock"), "a+") as holder:
        fcntl.lockf(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        res = run([exe] + render_args(cube, out, "--resume"), cwd=tmp)
        one_error_line(c, "a folder another run is writing", res, EXIT_USAGE, [out])
        after = {n: digest(os.path.join(out, n)) for n in os.listdir(out)
                 if n != ".cubecast.lock"}
        c.check(after == before, "a locked folder is left as it was")
    res = run([exe] + render_args(cube, out, "--resume"), cwd=tmp)
    c.check(res.rc == 0 and not os.path.exists(os.path.join(out, ".cubecast.lock")),
            "once the lock is free the run goes ahead and removes its lock file",
            res.describe_output() + str(os.listdir(out)))

    # Two real runs of different sweeps at once.
    big = os.path.join(tmp, "big.h5")
    generate(c, exe, big, "--shape", "96", "96", "96")
    out = os.path.join(tmp, "race")
    first = harness.start([exe, "render", big, "-o", out, "--frames", "400", "--size", "96",
                           "--quiet"], env=dict(ENV, OMP_NUM_THREADS="1"), cwd=tmp)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not harness.frame_files(out):
        time.sleep(0.05)
    res = run([exe] + render_args(big, out, "--size", "32"), cwd=tmp)
    one_error_line(c, "a second sweep while the first runs", res, EXIT_USAGE, [out])
    harness.kill_session(first)
    first.communicate()

    # --raw: a SIGKILLed run's temporary is removed by the next run.
    out = os.path.join(tmp, "rawkill")
    raw = os.path.join(tmp, "frames.h5")
    proc = harness.start([exe, "render", big, "-o", out, "--frames", "400", "--size", "96",
                          "--raw", raw, "--quiet"], env=dict(ENV, OMP_NUM_THREADS="1"), cwd=tmp)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(harness.frame_files(out)) < 2:
        time.sleep(0.05)
    harness.kill_session(proc)
    proc.communicate()
    temporaries = [n for n in os.listdir(tmp) if n.startswith(".frames.h5.cubecast-tmp-")]
    c.check(len(temporaries) == 1, "a SIGKILLed --raw run leaves its temporary (precondition)",
            str(os.listdir(tmp)))
    res = run([exe] + render_args(cube, os.path.join(tmp, "rawnext"), "--raw", raw), cwd=tmp)
    c.check(res.rc == 0 and os.path.isfile(raw), "the next --raw run: exits 0, writes the file",
            res.describe_output())
    left = [n for n in os.listdir(tmp) if "cubecast-tmp" in n]
    c.check(left == [], "the next --raw run removes the dead run's temporary", str(left))

    # generate: SIGTERM removes its temporary; a SIGKILLed one's goes next time.
    target = os.path.join(tmp, "gen.h5")
    for sig in (signal.SIGTERM, signal.SIGKILL):
        proc = harness.start([exe, "generate", target, "--size", "384"], cwd=tmp)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(
                n.startswith(".gen.h5.cubecast-tmp-") for n in os.listdir(tmp)):
            time.sleep(0.02)
        time.sleep(0.3)
        proc.send_signal(sig)
        proc.communicate(timeout=TIMEOUT)
        left = [n for n in os.listdir(tmp) if n.startswith(".gen.h5.cubecast-tmp-")]
        if sig == signal.SIGTERM:
            c.check(proc.returncode == EXIT_INTERRUPTED and left == [] and
                    not os.path.exists(target),
                    "generate stopped by SIGTERM: exit 75, no temporary, no file",
                    f"rc {proc.returncode}, left {left}")
        else:
            c.check(len(left) == 1, "a SIGKILLed generate leaves its temporary (precondition)",
                    str(left))
    res = run([exe, "generate", target, "--size", "8"], cwd=tmp)
    left = [n for n in os.listdir(tmp) if n.startswith(".gen.h5.cubecast-tmp-")]
    c.check(res.rc == 0 and left == [], "the next generate removes the dead one's temporary",
            res.describe_output() + str(left))


# --------------------------------------------------------------------------

def resume_group(c, exe, mpiexec, tmp):
    cube = os.path.join(tmp, "cube.h5")
    generate(c, exe, cube, "--shape", "24", "20", "16", "--seed", "1")
    out = os.path.join(tmp, "out")
    res = run([exe] + render_args(cube, out, "--range", "0:2"), cwd=tmp)
    c.require(res.rc == 0, "half a sweep", res.describe_output())
    before = {n: digest(os.path.join(out, n)) for n in os.listdir(out)}

    # Other data at the same path: refused, naming the checksum.
    other = os.path.join(tmp, "other.h5")
    generate(c, exe, other, "--shape", "24", "20", "16", "--seed", "2")
    saved = os.path.join(tmp, "saved.h5")
    os.rename(cube, saved)
    shutil.copy(other, cube)
    res = run([exe] + render_args(cube, out, "--resume"), cwd=tmp)
    one_error_line(c, "--resume after the input was replaced", res, EXIT_USAGE,
                   ["checksum", out])
    after = {n: digest(os.path.join(out, n)) for n in os.listdir(out)}
    c.check(after == before, "--resume against other data: the folder is unchanged")
    os.replace(saved, cube)

    # The same data by another path (a copy, a link): accepted.
    copy = os.path.join(tmp, "elsewhere", "copy.h5")
    os.mkdir(os.path.dirname(copy))
    shutil.copy(cube, copy)
    res = run([exe] + render_args(copy, out, "--resume", "--range", "0:3"), cwd=tmp)
    c.check(res.rc == 0, "--resume on a copy of the input under another path: accepted",
            res.describe_output())
    c.check({n: digest(os.path.join(out, n)) for n in ("frame_00000.png", "frame_00001.png")} ==
            {n: before[n] for n in ("frame_00000.png", "frame_00001.png")},
            "--resume by another path: the finished frames are kept as they were")
    os.symlink(cube, os.path.join(tmp, "link.h5"))
    res = run([exe] + render_args(os.path.join(tmp, "link.h5"), out, "--resume"), cwd=tmp)
    c.check(res.rc == 0 and len(harness.frame_files(out)) == 4,
            "--resume through a symbolic link: accepted, the sweep completed",
            res.describe_output())

    # The same data in another type is another input.
    f64 = os.path.join(tmp, "f64.h5")
    with h5py.File(cube, "r") as f, h5py.File(f64, "w") as g:
        g["density"] = f["density"][...].astype("float64")
    res = run([exe] + render_args(f64, out, "--resume"), cwd=tmp)
    one_error_line(c, "--resume on the values stored as float64", res, EXIT_USAGE,
                   ["type", "float64", "float32"])

    # A refusal names the first parameter that differs, with both values.
    for option, value, old in (("--frames", "5", "4"), ("--start-deg", "10", "0"),
                               ("--sweep-deg", "180", "90"), ("--precision", "double", "single"),
                               ("--size", "30", "24")):
        res = run([exe] + render_args(cube, out, "--resume", option, value), cwd=tmp)
        one_error_line(c, f"--resume with {option} {value}", res, EXIT_USAGE, [option])
        c.check(re.search(re.escape(value) + r"\D.*here", res.err) is not None
                and old in res.err.split("here", 1)[-1],
                f"--resume with {option} {value}: gives both values ({value} here, {old} there)",
                res.err)

    # The camera (issue 11) too; the spacing as the user writes it.
    before = {n: digest(os.path.join(out, n)) for n in os.listdir(out)}
    for option, value, old in (("--axis", "y", '"x"'), ("--elevation", "10", "0"),
                               ("--zoom", "2", "1"), ("--spacing", "1:2:1", "1:1:1")):
        res = run([exe] + render_args(cube, out, "--resume", option, value), cwd=tmp)
        one_error_line(c, f"--resume with {option} {value}", res, EXIT_USAGE, [option])
        c.check(re.search(re.escape(value) + r"\D.*here", res.err) is not None
                and old in res.err.split("here", 1)[-1],
                f"--resume with {option} {value}: gives both values ({value} here, {old} there)",
                res.err)
    res = run([exe] + render_args(cube, out, "--resume", "--fit"), cwd=tmp)
    one_error_line(c, "--resume with --fit", res, EXIT_USAGE, ["--fit is true here but false"])
    c.check({n: digest(os.path.join(out, n)) for n in os.listdir(out)} == before,
            "--resume with another camera: the folder is unchanged")

    # A manifest from before the camera was recorded means section 1's
    # camera: the default resumes, another camera is refused naming it.
    old_camera = os.path.join(tmp, "old-camera")
    shutil.copytree(out, old_camera)
    manifest = harness.load_manifest(old_camera)
    for key in ("axis", "elevation_deg", "zoom", "fit", "spacing", "spacing_auto"):
        manifest["parameters"].pop(key, None)
    with open(os.path.join(old_camera, "manifest.json"), "w") as f:
        json.dump(manifest, f)
    for extra in ([], ["--axis", "x", "--elevation", "0", "--zoom", "1", "--spacing", "1:1:1"]):
        res = run([exe] + render_args(cube, old_camera, "--resume", *extra), cwd=tmp)
        c.check(res.rc == 0, f"--resume {' '.join(extra)} on a manifest without a camera: "
                "taken as the default camera", res.describe_output())
    for option, value, old in (("--axis", "z", '"x"'), ("--elevation", "-5", "0.0"),
                               ("--zoom", "0.5", "1.0"), ("--spacing", "1:1:3", "1:1:1"),
                               ("--fit", None, "false")):
        extra = [option] + ([value] if value is not None else [])
        res = run([exe] + render_args(cube, old_camera, "--resume", *extra), cwd=tmp)
        one_error_line(c, f"--resume {' '.join(extra)} on a manifest without a camera", res,
                       EXIT_USAGE, [f"{option} is ", f"but {old} there"])

    # Under mpirun, every decomposition computes the same checksum.
    sums = set()
    for decomp, ranks in (("frames", 1), ("frames", 3), ("rows", 3), ("bricks", 4)):
        folder = os.path.join(tmp, f"sum-{decomp}-{ranks}")
        cmd = ([mpiexec] + MPI_FLAGS + ["-np", str(ranks), exe] +
               render_args(cube, folder, "--decomp", decomp, "--size", "12"))
        res = run(cmd, cwd=tmp, env=harness.open_mpi_env("1"))
        if c.check(res.rc == 0, f"{decomp} on {ranks} ranks: exits 0", res.describe_output()):
            sums.add(harness.load_manifest(folder)["input"]["checksum"])
    c.check(len(sums) == 1, "the input's checksum is the same in every decomposition", str(sums))


# --------------------------------------------------------------------------

def edges_group(c, exe, mpiexec, tmp):
    cube = os.path.join(tmp, "cube.h5")
    generate(c, exe, cube, "--shape", "24", "20", "16")
    out = os.path.join(tmp, "never")
    for args, words in ((["--sweep-deg", "1e308"], ["--sweep-deg"]),
                        (["--start-deg", "1e308", "--sweep-deg", "1e308"], ["--start-deg"]),
                        (["--range", "0:-1"], ["--range"]), (["--range", "3:"], ["--range"]),
                        (["--range", ":3"], ["--range"]), (["--range", "1:2:3"], ["--range"]),
                        (["--range", " 1:2"], ["--range"]), (["--range", "+1:2"], ["--range"]),
                        (["--range", "a:b"], ["--range"]), (["--range", "1:99999999999"],
                                                             ["--range"]),
                        (["--resume", "--overwrite"], ["--overwrite"])):
        res = run([exe] + render_args(cube, out) + args, cwd=tmp)
        one_error_line(c, " ".join(args), res, EXIT_USAGE, words)
        c.check(not os.path.lexists(out), f"{' '.join(args)}: nothing created")

    fifo = os.path.join(tmp, "pipe.h5")
    os.mkfifo(fifo)
    res = run([exe] + render_args(fifo, out), cwd=tmp, timeout=20)
    c.check(not res.timed_out, "a FIFO as input: does not block", res.describe_output())
    one_error_line(c, "a FIFO as input", res, EXIT_INPUT, ["pipe.h5", "FIFO"])
    res = run([exe, "info", fifo], cwd=tmp, timeout=20)
    c.check(not res.timed_out and res.rc == EXIT_INPUT, "info on a FIFO: exit 3 without blocking",
            res.describe_output())
    res = run([exe] + render_args("/dev/null", out), cwd=tmp, timeout=20)
    one_error_line(c, "a device as input", res, EXIT_INPUT, ["/dev/null"])

    # info on a wide, sparse dataset: memory stays bounded (it used to read
    # whole planes in double precision: 1.2 GiB here).
    wide = os.path.join(tmp, "wide.h5")
    with h5py.File(wide, "w") as f:
        d = f.create_dataset("density", shape=(2, 12000, 12000), dtype="float32",
                             chunks=(1, 1000, 1000), fillvalue=0.0)
        d[0, :10, :10] = 2.0
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    res = run([exe, "info", wide], cwd=tmp, timeout=300)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    c.check(res.rc == 0, "info on a 2 x 12000 x 12000 sparse dataset: exits 0",
            res.describe_output())
    c.check(peak_kib < 400 * 1024 or peak_kib == before,
            f"info on a wide dataset: peak memory {peak_kib // 1024} MiB below 400 MiB")
    c.check("100 with a logarithm" in res.out, "info on a wide dataset: counts its 100 values",
            res.out)

    # The memory plan.
    res = run([exe, "info", cube], cwd=tmp)
    c.check(res.rc == 0 and re.search(r"memory.*frames.*MiB", res.out, re.S | re.I) is not None,
            "info prints the plan's memory per rank", res.out)
    env = dict(ENV, SLURM_MEM_PER_NODE="16")
    res = run([exe] + render_args(cube, out), cwd=tmp, env=env)
    one_error_line(c, "SLURM_MEM_PER_NODE=16", res, 3, ["memory", "MiB", "SLURM_MEM_PER_NODE"])
    c.check(not os.path.lexists(out), "SLURM_MEM_PER_NODE=16: nothing created")
    # Two ranks on one node: frames shares one copy, which rows and bricks
    # cannot beat there, so a node too small for it needs more nodes.
    big = os.path.join(tmp, "big.h5")
    generate(c, exe, big, "--size", "128")
    for limit, decomp, fits in (("200", "auto", True), ("80", "frames", False),
                                ("80", "auto", False)):
        env = dict(harness.open_mpi_env("1"), SLURM_MEM_PER_NODE=limit)
        folder = os.path.join(tmp, f"plan-{decomp}-{limit}")
        cmd = ([mpiexec] + MPI_FLAGS + ["-x", "SLURM_MEM_PER_NODE", "-np", "2", exe] +
               render_args(big, folder, "--precision", "double", "--decomp", decomp))
        res = run(cmd, cwd=tmp, env=env)
        label = f"2 ranks, a 16 MiB cube in double, {limit} MiB per node, --decomp {decomp}"
        if fits:
            c.check(res.rc == 0 and len(harness.frame_files(folder)) == 4,
                    f"{label}: renders", res.describe_output())
            continue
        ours = [line for line in res.err.splitlines() if line.startswith("cubecast")]
        c.check(res.rc not in (None, 0), f"{label}: refused", res.describe_output())
        c.check(len(ours) == 1 and "more nodes" in ours[0] and f"{limit} MiB" in ours[0],
                f"{label}: one line with the figures, suggesting more nodes",
                res.describe_output())
        c.check("MPI_ABORT" not in res.err and "ERRORS_ARE_FATAL" not in res.err,
                f"{label}: no abort trace", res.describe_output())
        c.check(not os.path.lexists(folder), f"{label}: nothing created")


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    group, exe = sys.argv[1], os.path.abspath(sys.argv[2])
    mpiexec = sys.argv[3] if len(sys.argv) > 3 else shutil.which("mpiexec")
    c = Checks(f"safety_{group}")
    tmp = tempfile.mkdtemp(prefix=f"cubecast-safety-{group}-")
    try:
        if group == "input":
            input_group(c, exe, tmp)
        elif group == "folder":
            folder_group(c, exe, tmp)
        elif group == "resume":
            resume_group(c, exe, mpiexec, tmp)
        elif group == "edges":
            edges_group(c, exe, mpiexec, tmp)
        else:
            print(f"unknown group {group}")
            return 2
    except harness.Abort:
        pass
    status = c.finish()
    if status == 0:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"  work folder kept: {tmp}")
    return status


if __name__ == "__main__":
    sys.exit(main())
