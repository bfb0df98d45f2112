#!/usr/bin/python3
"""Command-line tests for cubecast (docs/cli-spec.md, design.md section 4).

    cli_test.py GROUP CUBECAST [MPIEXEC]

GROUP is one of: errors, errors_mpi, generate, info, render, singletons.  Each group
prints one line per check and exits 1 when any check failed.  Needs numpy,
h5py and PIL (Debian's /usr/bin/python3 has them).
"""

import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np
from PIL import Image

sys.dont_write_bytecode = True  # no __pycache__ next to harness.py
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402  (tests/harness.py)
from harness import MPI_FLAGS, Checks, mpiexec_crashed  # noqa: E402

VERSION = "0.1.0"  # include/cubecast/version.h
EXIT_USAGE, EXIT_INPUT, EXIT_OUTPUT = 2, 3, 4
MPI_RANKS = 4
TIMEOUT = 60

# The user's OpenMP thread count, 2 when unset.
ENV = harness.open_mpi_env(os.environ.get("OMP_NUM_THREADS", "2"))


def run(argv, cwd, timeout=TIMEOUT, env=None):
    """Runs argv in its own process group; on timeout kills the group."""
    return harness.run(argv, timeout, env=env or ENV, cwd=cwd, errors="replace",
                       kill_descendants=False)


def write_cube(path, shape=(12, 10, 8), dtype="float32", dataset="density", seed=1,
               chunks=None, compression=None):
    rng = np.random.default_rng(seed)
    data = np.exp(rng.uniform(-4.0, 10.0, size=shape)).astype(dtype)
    with h5py.File(path, "w") as f:
        f.create_dataset(dataset, data=data, chunks=chunks, compression=compression)
    return data


# --------------------------------------------------------------------------
# Bad input

class ErrorFixtures:
    def __init__(self, tmp):
        self.tmp = tmp
        self.good = os.path.join(tmp, "good.h5")
        write_cube(self.good)
        self.missing = os.path.join(tmp, "no-such-file.h5")
        self.text = os.path.join(tmp, "notes.h5")
        with open(self.text, "w") as f:
            f.write("this is a text file, not HDF5\n" * 20)
        self.empty = os.path.join(tmp, "empty.h5")
        open(self.empty, "w").close()
        self.folder_input = os.path.join(tmp, "a-folder.h5")
        os.mkdir(self.folder_input)
        self.multi = os.path.join(tmp, "multi.h5")
        with h5py.File(self.multi, "w") as f:
            f.create_dataset("flat", data=np.ones((16, 16), dtype="float32"))
            f.create_dataset("names", data=np.array([b"abc", b"de"] * 4).reshape(2, 2, 2))
            f.create_dataset("density", data=np.ones((4, 4, 4), dtype="float32"))
            f.create_group("fields")
        # A cut-short file and a gzip chunk overwritten: the messages give
        # HDF5's reason (issue 15), not a bare "cannot".
        self.truncated = os.path.join(tmp, "truncated.h5")
        self.corrupt = os.path.join(tmp, "corrupt.h5")
        with h5py.File(self.corrupt, "w") as f:
            f.create_dataset("density", data=np.full((16, 16, 16), 2.0, dtype="float32"),
                             chunks=(8, 8, 8), compression="gzip")
        with h5py.File(self.corrupt, "r") as f:
            offset = f["density"].id.get_chunk_info(0).byte_offset
        with open(self.corrupt, "rb") as f:
            whole = bytearray(f.read())
        with open(self.truncated, "wb") as f:
            f.write(whole[:1500])
        whole[offset + 2:offset + 40] = b"\xff" * 38
        with open(self.corrupt, "wb") as f:
            f.write(whole)
        self.regular = os.path.join(tmp, "somefile")
        with open(self.regular, "w") as f:
            f.write("a regular file\n")
        # Transfer-function files (design.md section 5), each wrong in one way.
        self.tf = {}
        pv = {"ColorSpace": "RGB", "Name": "test", "NanColor": [1, 1, 0],
              "RGBPoints": [0, 0, 0, 0.5, 10, 1, 0.5, 0, 20, 1, 1, 1],
              "Points": [0, 0, 0.5, 0, 20, 0.8, 0.5, 0]}
        band = {"centre": 3.0, "width": 0.5, "rgba": [1, 0.5, 0.2, 0.1]}
        files = {
            "bad_json": '{"cubecast_transfer_function": 1, "bands": [{"centre": 1,, }]}',
            "no_rgbpoints": [{k: v for k, v in pv.items() if k != "RGBPoints"}],
            "decreasing_x": [dict(pv, RGBPoints=[0, 0, 0, 0, 10, 1, 1, 1, 5, 0, 1, 0])],
            "decreasing_opacity_x": [dict(pv, Points=[0, 0, 0.5, 0, 12, 1, 0.5, 0,
                                                      6, 0.5, 0.5, 0])],
            "width_0": {"cubecast_transfer_function": 1, "scale": "log",
                        "bands": [band, dict(band, width=0)]},
            "no_bands": {"cubecast_transfer_function": 1, "scale": "log", "bands": []},
            "colour_space": [dict(pv, ColorSpace="Diverging")],
            "log_x_zero": [dict(pv, UseLogScale=True)],  # RGBPoints start at x = 0
            "paraview": [pv],
            "paraview_log": [dict(pv, UseLogScale=True,
                                  RGBPoints=[0.1, 0, 0, 0, 10, 1, 1, 1, 1000, 1, 0, 0],
                                  Points=[0.1, 0, 0.5, 0, 1000, 1, 0.5, 0])],
            "bands": {"cubecast_transfer_function": 1, "scale": "log", "bands": [band]},
            "sharpness": [dict(pv, Points=[0, 0, 0.5, 1.5, 20, 0.8, 0.5, 0.4])],
        }
        for name, content in files.items():
            path = os.path.join(tmp, "tf_%s.json" % name)
            with open(path, "w") as f:
                f.write(content if isinstance(content, str) else json.dumps(content))
            self.tf[name] = path
        self.tf["missing"] = os.path.join(tmp, "tf_no_such_file.json")

    def snapshot(self):
        """Contents of the input files, to check they are left alone."""
        out = {}
        for p in (self.good, self.text, self.multi, self.regular, self.empty, self.truncated,
                  self.corrupt,
                  *(p for name, p in sorted(self.tf.items()) if name != "missing")):
            with open(p, "rb") as f:
                out[p] = f.read()
        return out


def error_cases(fx):
    """(name, argv after the program, exit code, culprit strings, output kind).

    output kind "normal": the case gets -o added (a fresh path and an empty
    existing folder are both tried); "fixed": argv names its own -o."""
    g = fx.good
    return [
        # input file / dataset
        ("missing file", ["render", fx.missing], EXIT_INPUT,
         [fx.missing, os.path.basename(fx.missing)], "normal"),
        ("not an HDF5 file (text)", ["render", fx.text], EXIT_INPUT,
         [fx.text, os.path.basename(fx.text)], "normal"),
        ("empty file", ["render", fx.empty], EXIT_INPUT,
         [fx.empty, os.path.basename(fx.empty)], "normal"),
        ("cut-short HDF5 file", ["render", fx.truncated], EXIT_INPUT,
         ["'%s': truncated file" % fx.truncated], "normal"),
        ("corrupt gzip chunk", ["render", fx.corrupt], EXIT_INPUT,
         ["'%s': inflate() failed" % fx.corrupt], "normal"),
        ("input is a folder", ["render", fx.folder_input], EXIT_INPUT,
         [fx.folder_input, os.path.basename(fx.folder_input)], "normal"),
        ("missing dataset", ["render", g, "--dataset", "nosuch"], EXIT_INPUT,
         ["nosuch"], "normal"),
        ("2D dataset", ["render", fx.multi, "--dataset", "flat"], EXIT_INPUT,
         ["flat"], "normal"),
        ("string dataset", ["render", fx.multi, "--dataset", "names"], EXIT_INPUT,
         ["names"], "normal"),
        ("a group, not a dataset", ["render", fx.multi, "--dataset", "fields"], EXIT_INPUT,
         ["fields"], "normal"),
        # options
        ("--size 0", ["render", g, "--size", "0"], EXIT_USAGE, ["--size", "size"], "normal"),
        ("--size 1", ["render", g, "--size", "1"], EXIT_USAGE, ["--size", "size"], "normal"),
        ("--size abc", ["render", g, "--size", "abc"], EXIT_USAGE,
         ["--size", "size", "abc"], "normal"),
        ("--frames -1", ["render", g, "--frames", "-1"], EXIT_USAGE,
         ["--frames", "frames"], "normal"),
        ("--frames 0", ["render", g, "--frames", "0"], EXIT_USAGE,
         ["--frames", "frames"], "normal"),
        ("--range 5:2", ["render", g, "--range", "5:2"], EXIT_USAGE,
         ["--range", "range", "5:2"], "normal"),
        ("--range past the sweep", ["render", g, "--frames", "10", "--range", "8:12"], EXIT_USAGE,
         ["--range", "range", "8:12"], "normal"),
        ("--precision quad", ["render", g, "--precision", "quad"], EXIT_USAGE,
         ["--precision", "precision", "quad"], "normal"),
        ("--bit-depth 12", ["render", g, "--bit-depth", "12"], EXIT_USAGE,
         ["--bit-depth", "12"], "normal"),
        ("--background #12345", ["render", g, "--background", "#12345"], EXIT_USAGE,
         ["--background", "#12345"], "normal"),
        ("--colormap unknown", ["render", g, "--colormap", "nope"], EXIT_USAGE,
         ["'nope'; known: viridis, magma, inferno, plasma, cividis, grey, \"Cool to Warm\""],
         "normal"),
        ("--colormap viridis_r", ["render", g, "--colormap", "viridis_r"], EXIT_USAGE,
         ["viridis_r"], "normal"),
        # checked with the options, even when no projection would use it
        ("--colormap unknown, --no-projection",
         ["render", g, "--no-projection", "--colormap", "Cool to Warmer"], EXIT_USAGE,
         ["'Cool to Warmer'"], "normal"),
        ("--projection-range 5:2", ["render", g, "--projection-range", "5:2"], EXIT_USAGE,
         ["--projection-range", "5:2"], "normal"),
        ("--projection-range 1:nan", ["render", g, "--projection-range", "1:nan"], EXIT_USAGE,
         ["--projection-range", "1:nan"], "normal"),
        ("--projection-range automatic", ["render", g, "--projection-range", "automatic"],
         EXIT_USAGE, ["--projection-range", "automatic"], "normal"),
        ("--projection-size 1", ["render", g, "--projection-size", "1"], EXIT_USAGE,
         ["--projection-size", "1"], "normal"),
        ("--projection-size x", ["render", g, "--projection-size", "x"], EXIT_USAGE,
         ["--projection-size", "x"], "normal"),
        ("--projection-size with --no-projection",
         ["render", g, "--projection-size", "64", "--no-projection"], EXIT_USAGE,
         ["--projection-size", "--no-projection"], "normal"),
        # transfer-function files: each refused before anything is written,
        # the message naming the file
        *[("--tf " + what, ["render", g, "--tf", fx.tf[name]] + extra, EXIT_USAGE,
           [fx.tf[name]], "normal") for what, name, extra in (
               ("bad JSON", "bad_json", []),
               ("missing RGBPoints", "no_rgbpoints", []),
               ("RGBPoints x decreasing", "decreasing_x", []),
               ("Points x decreasing", "decreasing_opacity_x", []),
               ("band of width 0", "width_0", []),
               ("empty band list", "no_bands", []),
               ("ColorSpace Diverging", "colour_space", []),
               ("UseLogScale with a point at x = 0", "log_x_zero", []),
               ("opacity sharpness 1.5 (outside [0, 1])", "sharpness", []),
               ("--scale log with a ParaView file", "paraview", ["--scale", "log"]),
               ("--scale linear with a ParaView file", "paraview", ["--scale", "linear"]),
               ("--data-range with a band file", "bands", ["--data-range", "1:2"]),
               ("--data-range=-1:2 with UseLogScale", "paraview_log", ["--data-range=-1:2"]),
               ("file missing", "missing", []))],
        # the camera (issue 11): each message names the option and the value
        *[(f"{option} {value!r}", ["render", g, option, value], EXIT_USAGE,
           [(option, f"'{value}'")], "normal") for option, value in (
               ("--axis", "w"), ("--axis", ""), ("--axis", "X"),
               ("--elevation", "90"), ("--elevation", "-90"), ("--elevation", "nan"),
               ("--elevation", "inf"), ("--elevation", "abc"),
               ("--zoom", "0"), ("--zoom", "-1"), ("--zoom", "inf"), ("--zoom", "nan"),
               ("--spacing", "1:2"), ("--spacing", "1:0:1"), ("--spacing", "1:-1:1"),
               ("--spacing", "1:nan:1"), ("--spacing", "a:b:c"), ("--spacing", "1:2:3:4"),
               ("--spacing", "1::2"), ("--spacing", "1:inf:1"), ("--spacing", "Auto"))],
        # beyond what a camera can mean: refused by the library's check
        ("--zoom 1e9", ["render", g, "--zoom", "1e9"], EXIT_USAGE, [("--zoom", "1e+09")],
         "normal"),
        ("--spacing 1:1e7:1", ["render", g, "--spacing", "1:1e7:1"], EXIT_USAGE,
         [("--spacing", "1e+07")], "normal"),
        # rows mode serves elevation 0 only, and says what serves the rest
        ("--decomp rows --elevation 10", ["render", g, "--decomp", "rows", "--elevation", "10"],
         EXIT_USAGE, [("--decomp rows", "--elevation 0", "bricks", "frames")], "normal"),
        ("unknown option", ["render", g, "--bogus-option"], EXIT_USAGE,
         ["--bogus-option", "bogus-option"], "normal"),
        ("no input file", ["render"], EXIT_USAGE, ["input", "INPUT", "file"], "normal"),
        # output
        ("output under a regular file", ["render", g, "-o", os.path.join(fx.regular, "out")],
         EXIT_OUTPUT, [fx.regular, os.path.basename(fx.regular)], "fixed"),
        ("output in /proc", ["render", g, "-o", "/proc/cubecast-test"], EXIT_OUTPUT,
         ["/proc/cubecast-test", "/proc"], "fixed"),
    ]


def check_error_run(c, label, res, code, culprits, mpi_statuses=None, mpi=False):
    """One message line, the documented code, the culprit named."""
    if not c.check(not res.timed_out, f"{label}: finishes within {TIMEOUT} s", res.describe_output()):
        return
    lines = res.err.splitlines()
    if mpi:
        # Open MPI adds its own banner when ranks exit non-zero; count what
        # cubecast wrote.
        ours = [l for l in lines if "cubecast" in l or "error" in l.lower()
                and "non-zero" not in l]
        c.check(not any(w in res.err for w in ("MPI_ABORT", "Segmentation", "signal", "core dumped")),
                f"{label}: no abort or crash", res.describe_output())
    else:
        ours = lines
    c.check(len(ours) == 1, f"{label}: exactly one line on stderr (got {len(ours)})",
            res.describe_output())
    if ours:
        first = ours[0]
        c.check(first.startswith("cubecast: error: "),
                f"{label}: message starts with 'cubecast: error: '", repr(first))
        # A tuple of strings: all of them (an option and its value).
        c.check(any(all(p in first for p in s) if isinstance(s, tuple) else s in first
                    for s in culprits),
                f"{label}: message names the culprit (one of {culprits})", repr(first))
    if mpi_statuses is None:
        c.check(res.rc != 0, f"{label}: exit status non-zero", res.describe_output())
        c.check(res.rc == code, f"{label}: exit status {code} (got {res.rc})", res.describe_output())
    else:
        codes = [mpi_statuses.get(r) for r in range(MPI_RANKS)]
        c.check(all(x is not None for x in codes),
                f"{label}: every rank finished by itself (exit codes {codes})", res.describe_output())
        c.check(all(x not in (None, 0) for x in codes),
                f"{label}: every rank exits non-zero ({codes})", res.describe_output())
        c.check(all(x == code for x in codes),
                f"{label}: every rank exits {code} ({codes})", res.describe_output())


def read_statuses(folder):
    out = {}
    for name in os.listdir(folder):
        m = re.fullmatch(r"rank_(\d+)", name)
        if m:
            with open(os.path.join(folder, name)) as f:
                try:
                    out[int(m.group(1))] = int(f.read().strip())
                except ValueError:
                    pass
    return out


def error_group(c, exe, mpiexec, use_mpi):
    tmp = tempfile.mkdtemp(prefix="cubecast-cli-errors-")
    try:
        fx = ErrorFixtures(tmp)
        before = fx.snapshot()
        for name, args, code, culprits, kind in error_cases(fx):
            variants = ["fresh", "existing"] if kind == "normal" else ["fixed"]
            for variant in variants:
                work = tempfile.mkdtemp(prefix="run-", dir=tmp)  # cwd: default "out" lands here
                argv = list(args)
                target = None
                if variant == "fresh":
                    target = os.path.join(work, "fresh-out")
                    argv += ["-o", target]
                elif variant == "existing":
                    target = os.path.join(work, "existing-out")
                    os.mkdir(target)
                    argv += ["-o", target]
                label = f"{name} [{variant}{', mpi x%d' % MPI_RANKS if use_mpi else ''}]"
                statuses = None
                if use_mpi:
                    status_dir = tempfile.mkdtemp(prefix="status-", dir=tmp)
                    if variant == "existing":
                        # What users run: a plain mpiexec, which stops the job when
                        # a rank fails; it must still end, non-zero, one message.
                        cmd = [mpiexec] + MPI_FLAGS + ["-np", str(MPI_RANKS), exe] + argv
                        res = run(cmd, cwd=work)
                        for _ in range(2):
                            if not mpiexec_crashed(res):
                                break
                            print(f"NOTE  {label}: mpiexec itself crashed while tearing the job "
                                  f"down (Open MPI bug, not cubecast); retrying\n      "
                                  + res.describe_output())
                            res = run(cmd, cwd=work)
                        check_error_run(c, label, res, code, culprits, mpi=True)
                        c.check(res.rc not in (None, 0), f"{label}: mpiexec exits non-zero",
                                res.describe_output())
                    else:
                        # Every rank runs to its own end, each one's exit status
                        # recorded by a wrapper.
                        wrapper = ('"$0" "$@"; rc=$?; echo $rc > "' + status_dir +
                                   '/rank_$OMPI_COMM_WORLD_RANK"; exit $rc')
                        res = run([mpiexec] + MPI_FLAGS +
                                  ["--mca", "orte_abort_on_non_zero_status", "0",
                                   "-np", str(MPI_RANKS), "sh", "-c", wrapper, exe] + argv,
                                  cwd=work)
                        statuses = read_statuses(status_dir)
                        check_error_run(c, label, res, code, culprits, mpi_statuses=statuses,
                                        mpi=True)
                else:
                    res = run([exe] + argv, cwd=work)
                    check_error_run(c, label, res, code, culprits)

                if variant == "fresh":
                    c.check(not os.path.lexists(target), f"{label}: output folder not created",
                            f"{target}: {harness.listing(target)}")
                elif variant == "existing":
                    c.check(harness.listing(target) == [], f"{label}: existing output folder left empty",
                            f"{target}: {harness.listing(target)}")
                left = [p for p in (harness.listing(work) or []) if p not in ("fresh-out", "existing-out")]
                left = [p for p in left if not p.startswith("existing-out")]
                c.check(left == [], f"{label}: nothing written in the working folder", str(left))
                if name == "output in /proc":
                    c.check(not os.path.lexists("/proc/cubecast-test"),
                            f"{label}: /proc/cubecast-test not created")
                if name == "output under a regular file":
                    c.check(os.path.isfile(fx.regular), f"{label}: the regular file is still a file")
        after = fx.snapshot()
        c.check(before == after, "input files are not modified by failed runs")
        c.check(sorted(os.listdir(fx.folder_input)) == [], "a folder given as input is left empty")

        if not use_mpi:
            # generate's own errors
            work = tempfile.mkdtemp(prefix="run-", dir=tmp)
            res = run([exe, "generate", "/proc/cubecast-test.h5", "--size", "8"], cwd=work)
            check_error_run(c, "generate into /proc", res, EXIT_OUTPUT,
                            ["/proc/cubecast-test.h5", "/proc"])
            res = run([exe, "generate", os.path.join(work, "g.h5"), "--shape", "1", "5", "5"],
                      cwd=work)
            check_error_run(c, "generate --shape 1 5 5", res, EXIT_USAGE,
                            ["--shape", "shape"])
            c.check(harness.listing(work) == [], "generate --shape 1 5 5: nothing written",
                    str(harness.listing(work)))
            res = run([exe, "info", fx.missing], cwd=work)
            check_error_run(c, "info on a missing file", res, EXIT_INPUT,
                            [fx.missing, os.path.basename(fx.missing)])
            res = run([exe, "info", fx.multi, "--dataset", "nosuch"], cwd=work)
            check_error_run(c, "info on a missing dataset", res, EXIT_INPUT, ["nosuch"])
            res = run([exe, "frobnicate"], cwd=work)
            check_error_run(c, "unknown command", res, EXIT_USAGE, ["frobnicate"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------
# generate

def read_dataset(path, name="density"):
    with h5py.File(path, "r") as f:
        d = f[name]
        return d[...], d.dtype


def generate_group(c, exe):
    tmp = tempfile.mkdtemp(prefix="cubecast-cli-generate-")
    try:
        def gen(name, *extra, env=None):
            path = os.path.join(tmp, name)
            res = run([exe, "generate", path] + list(extra), cwd=tmp, env=env)
            c.check(res.rc == 0 and os.path.isfile(path),
                    f"generate {name} {' '.join(extra)}: exits 0 and writes the file",
                    res.describe_output())
            return path

        a = gen("a.h5", "--shape", "40", "56", "48", "--seed", "7")
        b = gen("b.h5", "--shape", "40", "56", "48", "--seed", "7")
        d = gen("d.h5", "--shape", "40", "56", "48", "--seed", "8")
        e = gen("e.h5", "--shape", "40", "56", "48", "--seed", "7", "--dtype", "float64")
        env1 = dict(ENV, OMP_NUM_THREADS="1")
        env4 = dict(ENV, OMP_NUM_THREADS="4")
        t1 = gen("t1.h5", "--shape", "40", "56", "48", "--seed", "7", env=env1)
        t4 = gen("t4.h5", "--shape", "40", "56", "48", "--seed", "7", env=env4)
        s = gen("s.h5", "--size", "32")
        big = gen("big.h5", "--size", "64", "--seed", "3")
        try:
            va, ta = read_dataset(a)
            vb, _ = read_dataset(b)
            vd, _ = read_dataset(d)
            ve, te = read_dataset(e)
            v1, _ = read_dataset(t1)
            v4, _ = read_dataset(t4)
            vs, _ = read_dataset(s)
            vbig, _ = read_dataset(big)
        except Exception as ex:  # noqa: BLE001
            c.check(False, "generated files open with h5py and hold 'density'", repr(ex))
            return
        print(f"      default dtype: {ta}")
        c.check(va.shape == (40, 56, 48), f"--shape 40 56 48 gives that shape (got {va.shape})")
        c.check(vs.shape == (32, 32, 32), f"--size 32 gives 32^3 (got {vs.shape})")
        c.check(va.dtype == vb.dtype and va.tobytes() == vb.tobytes(),
                "same seed: bitwise identical dataset")
        c.check(va.shape == vd.shape and va.tobytes() != vd.tobytes(),
                "different seed: different dataset")
        c.check(v1.tobytes() == v4.tobytes() and v1.tobytes() == va.tobytes(),
                "same bytes with 1 and 4 OpenMP threads")
        c.check(te == np.float64, f"--dtype float64 gives float64 (got {te})")
        c.check(ve.shape == (40, 56, 48), "--dtype float64 keeps the shape")
        if ta == np.float32 and te == np.float64:
            c.check(np.array_equal(ve.astype(np.float32), va),
                    "float32 cube is the float64 cube rounded (same seed)",
                    f"max |diff| {np.max(np.abs(ve.astype(np.float32) - va))}")
        c.check(np.all(np.isfinite(va)) and np.all(va > 0), "values finite and positive",
                f"min {va.min()}, nonfinite {np.count_nonzero(~np.isfinite(va))}")
        lb = np.log(vbig.astype(np.float64))
        print(f"      --size 64 ln(value): min {lb.min():.2f} p50 {np.median(lb):.2f} "
              f"max {lb.max():.2f}; voxels near 3: {np.count_nonzero(abs(lb - 3) < 0.5)}, "
              f"near 9: {np.count_nonzero(abs(lb - 9) < 0.5)}")
        c.check(lb.min() < -2.0 and lb.max() > 8.5 and np.any(abs(lb - 3) < 0.5),
                "all three transfer bands present (ln value below -2, near 3, above 8.5)")
        names = sorted(os.listdir(tmp))
        c.check(not any(".tmp" in n or "cubecast-tmp" in n for n in names), "no temporary files left",
                str(names))
        with h5py.File(a, "r") as f:
            c.check(list(f.keys()) == ["density"] or "density" in f,
                    f"dataset named density (file holds {list(f.keys())})")
        # An existing file is the user's: replaced only with --force (issue 15).
        before = read_dataset(s)[0].tobytes()
        res = run([exe, "generate", s, "--size", "16"], cwd=tmp)
        lines = res.err.strip().splitlines()
        c.check(res.rc == 2 and len(lines) == 1 and s in lines[0] and "--force" in lines[0] and
                read_dataset(s)[0].tobytes() == before,
                "generate over an existing file: one line naming it and --force, exit 2, the "
                "file unchanged", res.describe_output())
        res = run([exe, "generate", s, "--size", "16", "--force"], cwd=tmp)
        c.check(res.rc == 0 and read_dataset(s)[0].shape == (16, 16, 16),
                "generate --force replaces it", res.describe_output())
        res = run([exe, "generate", "--help"], cwd=tmp)
        c.check(res.rc == 0 and all(o in res.out for o in ("--size", "--shape", "--seed",
                                                           "--dtype", "--dataset", "--force")),
                "generate --help lists every option", res.out)
        names = sorted(os.listdir(tmp))
        c.check(not any("cubecast-tmp" in n for n in names), "no temporary files left", str(names))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------
# info

def parse_info(text):
    """Pulls shape, type, layout, chunk and ln(value) statistics out of the
    info output.  Expected lines (design agreed with the lead):
        shape: 40 x 56 x 48
        type: float32
        layout: chunked (8 x 8 x 8), deflate(4)
        ln(value): min -4.21  p1 ...  max 9.61
    """
    info = {}
    for line in text.splitlines():
        low = line.strip().lower()
        m = re.match(r"^(shape|dims|dimensions)\s*[:=]\s*(.*)$", low)
        if m and "shape" not in info:
            info["shape"] = tuple(int(x) for x in re.findall(r"\d+", m.group(2)))
        m = re.match(r"^(type|dtype)\s*[:=]\s*(\S+)", low)
        if m and "type" not in info:
            info["type"] = m.group(2).strip(",")
        m = re.match(r"^layout\s*[:=]\s*(.*)$", low)
        if m and "layout" not in info:
            info["layout_line"] = m.group(1)
            info["layout"] = "chunked" if "chunk" in m.group(1) else (
                "contiguous" if "contiguous" in m.group(1) else m.group(1))
            paren = re.search(r"\(([\d\sx×,]+)\)", m.group(1))
            if paren:
                info["chunk"] = tuple(int(x) for x in re.findall(r"\d+", paren.group(1)))
        if low.startswith("ln") or "ln(value)" in low or "log" in low.split(":")[0]:
            for key in ("min", "max", "p1", "p50", "p99", "median", "mean"):
                mm = re.search(r"\b" + key + r"\b\s*[:=]?\s*(-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|nan|-?inf)",
                               low)
                if mm and key not in info:
                    info[key] = float(mm.group(1))
    return info


def info_group(c, exe):
    tmp = tempfile.mkdtemp(prefix="cubecast-cli-info-")
    try:
        chunked = os.path.join(tmp, "chunked.h5")
        d1 = write_cube(chunked, shape=(40, 56, 48), dtype="float32", chunks=(8, 8, 8),
                        compression="gzip", seed=4)
        with h5py.File(chunked, "r") as f:
            print(f"      h5py: chunks {f['density'].chunks}, compression "
                  f"{f['density'].compression} {f['density'].compression_opts}")
        contiguous = os.path.join(tmp, "contiguous.h5")
        d2 = write_cube(contiguous, shape=(20, 14, 9), dtype="float64", seed=5,
                        dataset="fields/rho")
        cases = [
            ("chunked float32", [chunked], d1, (40, 56, 48), "float32", "chunked", (8, 8, 8)),
            ("contiguous float64 /fields/rho", [contiguous, "--dataset", "/fields/rho"], d2,
             (20, 14, 9), "float64", "contiguous", None),
        ]
        gen = os.path.join(tmp, "gen.h5")
        res = run([exe, "generate", gen, "--shape", "24", "20", "16", "--seed", "2"], cwd=tmp)
        if c.check(res.rc == 0, "generate a cube for info", res.describe_output()):
            with h5py.File(gen, "r") as f:
                dg = f["density"][...]
                gl = "chunked" if f["density"].chunks else "contiguous"
                gc = f["density"].chunks
            cases.append(("generated", [gen], dg, (24, 20, 16), str(dg.dtype), gl, gc))
        for name, args, data, shape, dtype, layout, chunk in cases:
            res = run([exe, "info"] + args, cwd=tmp)
            if not c.check(res.rc == 0, f"info {name}: exits 0", res.describe_output()):
                continue
            print("      | " + res.out.replace("\n", "\n      | "))
            c.check(res.err == "", f"info {name}: nothing on stderr", res.describe_output())
            info = parse_info(res.out)
            c.check(info.get("shape") == shape,
                    f"info {name}: shape {shape} (parsed {info.get('shape')})", res.out)
            c.check(info.get("type") == dtype,
                    f"info {name}: type {dtype} (parsed {info.get('type')})", res.out)
            c.check(info.get("layout") == layout,
                    f"info {name}: layout {layout} (parsed {info.get('layout')})", res.out)
            if chunk:
                c.check(info.get("chunk") == tuple(chunk),
                        f"info {name}: chunk {tuple(chunk)} (parsed {info.get('chunk')})", res.out)
            if name.startswith("chunked"):
                c.check("deflate" in info.get("layout_line", "") or "gzip" in res.out.lower()
                        or "deflate" in res.out.lower(),
                        f"info {name}: names the deflate filter", res.out)
            ln = np.log(data.astype(np.float64))
            for key, want in (("max", ln.max()), ("min", ln.min())):
                got = info.get(key)
                ok = got is not None and math.isclose(got, want, rel_tol=5e-3, abs_tol=5e-3)
                c.check(ok, f"info {name}: ln(value) {key} {want:.4g} to 3 digits (parsed {got})",
                        res.out)
            for key, q in (("p1", 1), ("p50", 50), ("p99", 99)):
                if key in info:
                    want = np.percentile(ln, q)
                    c.check(math.isclose(info[key], want, rel_tol=2e-2, abs_tol=2e-2),
                            f"info {name}: ln(value) {key} ~ {want:.3g} (parsed {info[key]})",
                            res.out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------
# render

def frames_in_manifest(manifest):
    frames = manifest.get("frames")
    if isinstance(frames, dict):
        frames = list(frames.values())
    out = []
    for entry in frames or []:
        if not isinstance(entry, dict):
            continue
        angle = entry.get("angle_deg", entry.get("angle"))
        file = entry.get("file", entry.get("path", entry.get("filename")))
        out.append((entry.get("frame"), angle, file))
    return out


def check_render_output(c, label, out, input_path, frames, size, first, last, start, sweep,
                        projection, proj_shape):
    names = harness.listing(out)
    if not c.check(names is not None, f"{label}: output folder exists"):
        return
    want = [f"frame_{f:05d}.png" for f in range(first, last)] + ["manifest.json"]
    if projection:
        want.append("projection.png")
    c.check(sorted(names) == sorted(want), f"{label}: exactly the expected files",
            f"got {sorted(names)}, expected {sorted(want)}")
    c.check(not any(".tmp" in n or "cubecast-tmp" in n for n in names),
            f"{label}: no temporary files", str(names))
    if projection:
        p = os.path.join(out, "projection.png")
        if os.path.isfile(p):
            im = Image.open(p)
            c.check(im.size == (proj_shape[1], proj_shape[0]) and im.mode == "RGB",
                    f"{label}: projection.png is Ny x Nz RGB "
                    f"(got {im.size} {im.mode}, want {proj_shape[1]}x{proj_shape[0]})")
    any_light = False
    for f in range(first, last):
        p = os.path.join(out, f"frame_{f:05d}.png")
        if not os.path.isfile(p):
            continue
        im = Image.open(p)
        im.load()
        c.check(im.size == (size, size) and im.mode == "RGB",
                f"{label}: frame {f} is {size}x{size} RGB (got {im.size} {im.mode})")
        any_light |= bool(np.asarray(im).max() > 0)
        text = getattr(im, "text", {}) or {}
        angle = start + sweep * f / frames
        ok = True
        detail = repr(text)
        try:
            ok &= int(text.get("frame", "x")) == f
            ok &= math.isclose(float(text.get("angle", "nan")), angle, abs_tol=1e-6)
            ok &= input_path in text.get("input", "") or os.path.basename(input_path) in text.get(
                "input", "")
            ok &= text.get("dataset", "").lstrip("/") == "density"
        except ValueError:
            ok = False
        c.check(ok, f"{label}: frame {f} tEXt has frame={f}, angle={angle:g}, input, dataset",
                detail)
        # PNG's registered keyword is "Software"; the spec lists it lower-case.
        software = {k.lower(): v for k, v in text.items()}.get("software", "")
        c.check("cubecast" in software and VERSION in software,
                f"{label}: frame {f} tEXt Software names cubecast {VERSION}", detail)
    c.check(any_light, f"{label}: frames are not all black")
    mpath = os.path.join(out, "manifest.json")
    try:
        with open(mpath) as fh:
            manifest = json.load(fh)
    except Exception as ex:  # noqa: BLE001
        c.check(False, f"{label}: manifest.json parses as JSON", repr(ex))
        return
    c.check(True, f"{label}: manifest.json parses as JSON")
    listed = sorted(frames_in_manifest(manifest), key=lambda t: (t[0] is None, t[0]))
    want_listed = [(f, start + sweep * f / frames, f"frame_{f:05d}.png") for f in range(first, last)]
    ok = len(listed) == len(want_listed) and all(
        lf == wf and la is not None and math.isclose(la, wa, abs_tol=1e-9)
        and lfile is not None and os.path.basename(lfile) == wfile
        for (lf, la, lfile), (wf, wa, wfile) in zip(listed, want_listed))
    c.check(ok, f"{label}: manifest lists each frame with its angle and file",
            f"listed {listed}, expected {want_listed}")


def check_camera_record(c, label, out, axis, elevation, zoom, fit, spacing, spacing_auto):
    """manifest.json's parameters hold the camera (axis, elevation_deg, zoom,
    fit, spacing as rendered, spacing_auto)."""
    try:
        with open(os.path.join(out, "manifest.json")) as fh:
            got = json.load(fh)["parameters"]
    except (OSError, ValueError, KeyError) as ex:
        c.check(False, f"{label}: manifest.json has parameters", repr(ex))
        return
    want = {"axis": axis, "elevation_deg": elevation, "zoom": zoom, "fit": fit,
            "spacing": spacing, "spacing_auto": spacing_auto}
    # 1 == 1.0 but a bool is no number here: fit and spacing_auto are true/false.
    c.check(all(k in got and got[k] == v and isinstance(got[k], bool) == isinstance(v, bool)
                for k, v in want.items()),
            f"{label}: the manifest records the camera {want}",
            str({k: got.get(k) for k in want}))


def render_group(c, exe):
    tmp = tempfile.mkdtemp(prefix="cubecast-cli-render-")
    try:
        # help and version
        for args in (["--help"], ["-h"], ["render", "--help"]):
            res = run([exe] + args, cwd=tmp)
            c.check(res.rc == 0, f"{' '.join(args)}: exits 0", res.describe_output())
            c.check("usage" in res.out.lower() and "render" in res.out,
                    f"{' '.join(args)}: usage on stdout", res.describe_output())
            c.check(res.err == "", f"{' '.join(args)}: nothing on stderr", res.describe_output())
        res = run([exe, "render", "--help"], cwd=tmp)
        for opt in ("--dataset", "--output", "--frames", "--size", "--range", "--no-projection",
                    "--precision", "--resume", "--axis", "--elevation", "--zoom", "--fit",
                    "--spacing"):
            c.check(opt in res.out, f"render --help mentions {opt}")
        res = run([exe, "--version"], cwd=tmp)
        c.check(res.rc == 0 and VERSION in res.out, f"--version prints {VERSION}", res.describe_output())
        c.check(harness.listing(tmp) == [], "help/version write nothing", str(harness.listing(tmp)))

        cube = os.path.join(tmp, "cube.h5")
        res = run([exe, "generate", cube, "--shape", "24", "20", "16", "--seed", "5"], cwd=tmp)
        if not c.check(res.rc == 0, "generate the test cube", res.describe_output()):
            return
        size = 20

        out = os.path.join(tmp, "all")
        res = run([exe, "render", cube, "-o", out, "--frames", "4", "--size", str(size),
                   "--quiet"], cwd=tmp)
        if c.check(res.rc == 0, "render 4 frames: exits 0", res.describe_output()):
            c.check(res.err == "", "render --quiet: nothing on stderr", res.describe_output())
            check_render_output(c, "render 4 frames", out, cube, 4, size, 0, 4, 0.0, 90.0, True,
                                (20, 16))

            check_camera_record(c, "render 4 frames", out, "x", 0.0, 1.0, False, [1, 1, 1],
                                False)

        # The camera (issue 11) is recorded in the manifest as given.
        camera = ["--axis", "z", "--elevation", "-30", "--zoom", "1.5", "--fit", "--spacing",
                  "0.5:1:2"]
        res = run([exe, "render", cube, "-o", os.path.join(tmp, "camera"), "--frames", "2",
                   "--size", "12", "--quiet"] + camera, cwd=tmp)
        if c.check(res.rc == 0, f"render {' '.join(camera)}: exits 0", res.describe_output()):
            check_render_output(c, "render with a camera", os.path.join(tmp, "camera"), cube, 2,
                                12, 0, 2, 0.0, 90.0, True, (20, 16))
            check_camera_record(c, "render with a camera", os.path.join(tmp, "camera"), "z",
                                -30.0, 1.5, True, [0.5, 1, 2], False)
        # --spacing auto on a file with no spacing attributes: 1:1:1.
        res = run([exe, "render", cube, "-o", os.path.join(tmp, "auto"), "--frames", "1",
                   "--size", "12", "--quiet", "--spacing", "auto"], cwd=tmp)
        if c.check(res.rc == 0, "render --spacing auto: exits 0", res.describe_output()):
            check_camera_record(c, "render --spacing auto without attributes",
                                os.path.join(tmp, "auto"), "x", 0.0, 1.0, False, [1, 1, 1], True)

        # --resume into a folder made with other parameters: refused, and
        # the earlier run's manifest and frames are left exactly as they were.
        out = os.path.join(tmp, "all")
        before = {name: open(os.path.join(out, name), "rb").read() for name in os.listdir(out)}
        res = run([exe, "render", cube, "-o", out, "--frames", "4", "--size", str(size + 2),
                   "--resume", "--quiet"], cwd=tmp)
        c.check(res.rc == EXIT_USAGE and "other parameters" in res.err,
                "--resume with another --size: refused (exit 2, names the parameters)",
                res.describe_output())
        after = {name: open(os.path.join(out, name), "rb").read() for name in os.listdir(out)}
        c.check(after == before, "--resume refused: the folder's manifest and frames are unchanged",
                f"changed: {sorted(n for n in set(before) | set(after) if before.get(n) != after.get(n))}")

        out = os.path.join(tmp, "range")
        res = run([exe, "render", cube, "-o", out, "--frames", "6", "--size", str(size),
                   "--range", "2:4", "--quiet"], cwd=tmp)
        if c.check(res.rc == 0, "render --range 2:4: exits 0", res.describe_output()):
            check_render_output(c, "render --range 2:4", out, cube, 6, size, 2, 4, 0.0, 90.0,
                                True, (20, 16))

        out = os.path.join(tmp, "noproj")
        res = run([exe, "render", cube, "--output", out, "--frames", "3", "--size", str(size),
                   "--no-projection", "--start-deg", "10", "--sweep-deg", "180", "--quiet"],
                  cwd=tmp)
        if c.check(res.rc == 0, "render --no-projection: exits 0", res.describe_output()):
            c.check(not os.path.exists(os.path.join(out, "projection.png")),
                    "--no-projection: no projection.png")
            check_render_output(c, "render --no-projection --start-deg 10 --sweep-deg 180", out,
                                cube, 3, size, 0, 3, 10.0, 180.0, False, None)

        # default output folder "out" in the working folder, default dataset
        work = tempfile.mkdtemp(prefix="cwd-", dir=tmp)
        res = run([exe, "render", cube, "--frames", "2", "--size", "12", "--quiet"], cwd=work)
        if c.check(res.rc == 0, "render with the default output folder: exits 0",
                   res.describe_output()):
            check_render_output(c, "default -o out", os.path.join(work, "out"), cube, 2, 12, 0, 2,
                                0.0, 90.0, True, (20, 16))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def singletons_group(c, exe):
    """cubecast started without mpirun runs as an isolated Open MPI singleton
    with a private session folder under $TMPDIR (src/cli/main.c).  Runs
    started at once must not disturb each other, and no folder may be left
    behind, after success or after an error."""
    tmp = tempfile.mkdtemp(prefix="cubecast-cli-singletons-")
    try:
        sessions = os.path.join(tmp, "sessions")
        os.mkdir(sessions)
        env = dict(ENV, TMPDIR=sessions)
        cube = os.path.join(tmp, "cube.h5")
        res = run([exe, "generate", cube, "--shape", "40", "36", "32", "--seed", "3"], cwd=tmp,
                  env=env)
        if not c.check(res.rc == 0, "generate the test cube", res.describe_output()):
            return
        args = ["--frames", "6", "--size", "40", "--quiet"]
        res = run([exe, "render", cube, "-o", os.path.join(tmp, "alone")] + args, cwd=tmp, env=env)
        if not c.check(res.rc == 0, "a run alone: exits 0", res.describe_output()):
            return
        c.check(harness.listing(sessions) == [], "a run alone leaves no session folder",
                str(harness.listing(sessions)))

        runs = []
        for k in range(4):
            out = os.path.join(tmp, f"together{k}")
            argv = [exe, "render", cube, "-o", out, "--raw", out + ".h5"] + args
            runs.append((out, subprocess.Popen(argv, cwd=tmp, env=env, stdout=subprocess.PIPE,
                                               stderr=subprocess.PIPE, text=True)))
        for k, (out, proc) in enumerate(runs):
            try:
                _, err = proc.communicate(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                _, err = proc.communicate()
            if c.check(proc.returncode == 0, f"run {k} of 4 started at once: exits 0",
                       f"exit {proc.returncode}, stderr: {err[-2000:]}"):
                same = all(open(os.path.join(out, f), "rb").read() ==
                           open(os.path.join(tmp, "alone", f), "rb").read()
                           for f in os.listdir(os.path.join(tmp, "alone")) if f.endswith(".png"))
                c.check(same, f"run {k} of 4 started at once: the same PNGs as the run alone")
        c.check(harness.listing(sessions) == [], "runs started at once leave no session folder",
                str(harness.listing(sessions)))

        res = run([exe, "render", os.path.join(tmp, "missing.h5"), "-o",
                   os.path.join(tmp, "never")], cwd=tmp, env=env)
        c.check(res.rc == EXIT_INPUT, "a failing run exits 3", res.describe_output())
        c.check(harness.listing(sessions) == [], "a failing run leaves no session folder",
                str(harness.listing(sessions)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    group, exe = sys.argv[1], os.path.abspath(sys.argv[2])
    mpiexec = sys.argv[3] if len(sys.argv) > 3 else shutil.which("mpiexec")
    c = Checks(group)
    if group == "errors":
        error_group(c, exe, mpiexec, use_mpi=False)
    elif group == "errors_mpi":
        if not mpiexec:
            print("no mpiexec given or found")
            return 1
        error_group(c, exe, mpiexec, use_mpi=True)
    elif group == "generate":
        generate_group(c, exe)
    elif group == "info":
        info_group(c, exe)
    elif group == "render":
        render_group(c, exe)
    elif group == "singletons":
        singletons_group(c, exe)
    else:
        print(f"unknown group {group}")
        return 2
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
