#!/usr/bin/python3
"""Tests of snapshot series (issue 13): one render over several inputs.

    series_test.py --cubecast BIN --mpiexec MPIEXEC --workdir DIR CASE

A series is `cubecast render IN0.h5 IN1.h5 ... -o OUT` (or `--inputs LIST`)
with `--frames-per-input K`: F = S*K frames, frame f drawing input f // K at
the angle of frame f of the F-frame sweep.

CASE is one of:
  cli        positional inputs and --inputs LIST (comments, blank lines, paths
             relative to the current folder, not to the list) give the same
             frames byte for byte; K defaults to 1 with several inputs; with one
             input --frames-per-input K alone means F = K; every frame's PNG
             text "input", the manifest's per-frame "input", its "series" list
             and the sweep parameters (number of inputs, frames_per_input);
             --frames disagreeing with S*K, positional inputs with --inputs and
             --frames-per-input 0 refused (exit 2 from every rank, one line,
             nothing created)
  exact      S = 3 inputs (different seeds), K = 2, a 360-degree sweep: every
             frame f (PNG bytes, raw frames and transmittance bit for bit)
             equals `render IN_s --frames 6 --range A:B` of its own input at
             the same angle, in frames (1 and 3 ranks), rows (2), bricks (2 and
             3; against bricks at the same rank count), single precision, and
             frames (1 rank) in double precision with --frames given too
  datarange  one colour range for the whole series: with --data-range p1:p99
             (a ParaView map) and with --tf auto, a series of IN0 and 10*IN0
             draws IN0 differently from IN0 alone; the resolved range in the
             series' manifest, given as A:B to single-input renders, gives
             the series' frames of both inputs bit for bit
  errors     a missing input, another shape, an integer input after a float
             one, an input without the dataset (positional or from --inputs):
             exit 3 (every rank, 1 and 2 ranks), one 'cubecast: error:' line
             naming that file, no output folder; float32 with float64 accepted
  resume     a corrupt input in the middle (its gzip chunk garbled; the
             metadata intact): exit 3 naming it (1 rank frames, every rank of
             2 ranks bricks), the finished frames of input 0 on disk and in
             the manifest and nothing else listed; the input mended, --resume
             renders only the missing frames (earlier files keep their
             mtime) and the folder equals a clean render; --range A:B with
             --raw over the boundary between inputs, then --resume filling
             the rest

Each case works in its own folder under --workdir, removed when it passes and
kept for inspection when it fails.  Prints one line per check and exits 1 when
any check failed.  Needs numpy, h5py and PIL (Debian's /usr/bin/python3).
"""

import json
import os
import re
import shutil
import sys
import tempfile
import time

import h5py
import numpy as np
from PIL import Image

sys.dont_write_bytecode = True  # no __pycache__ next to harness.py
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402  (tests/harness.py)
from harness import (frame_files, frame_number, load_manifest, manifest_frames,  # noqa: E402
                     read_bytes, run)

EXIT_USAGE = 2  # docs/cli-spec.md: bad option
EXIT_INPUT = 3  # bad input file or dataset

CFG = None  # parsed arguments

SHAPE = (20, 24, 28)
SIZE = 24
SWEEP = ["--start-deg", "-30", "--sweep-deg", "360"]  # a moving camera
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden", "data")
PARAVIEW = os.path.join(DATA, "paraview_rgb.json")


# ---- running cubecast -----------------------------------------------------

def shell_line(cmd, cwd=None):
    line = " ".join(f"'{a}'" if re.search(r"[^\w./:=-]", a) else a for a in cmd)
    return f"(cd {cwd} && {line})" if cwd else line


def command(np_ranks, args):
    """cubecast ARGS without mpiexec (np_ranks None) or under mpiexec -np P."""
    if np_ranks is None:
        return [CFG.cubecast] + harness.with_device(args)
    return harness.mpi_command(CFG, np_ranks, args)


def render(c, label, np_ranks, args, cwd=None, timeout=120):
    """A render required to succeed; returns (result, command)."""
    cmd = command(np_ranks, ["render"] + [str(a) for a in args])
    started = time.monotonic()
    res = run(cmd, timeout=timeout, cwd=cwd)
    print(f"      {label}: {time.monotonic() - started:.2f} s", flush=True)
    c.require(res.rc == 0, f"{label}: exit 0", res.describe_output() + "\n      reproduce: " + shell_line(cmd, cwd))
    return res, cmd


def ranks_run(np_ranks, argv, work, cwd=None):
    """harness.ranks_run with this suite's cubecast and mpiexec."""
    return harness.ranks_run(CFG, np_ranks, argv, work, cwd=cwd)


def error_lines(err):
    """cubecast's own message lines (not Open MPI's notes about exit statuses)."""
    lines = [l for l in err.splitlines() if "cubecast" in l or "error" in l.lower()]
    return [l for l in lines if "non-zero" not in l and "mpiexec" not in l.lower() and "mpirun" not in l.lower()]


def generate(c, path, seed, shape=SHAPE, replace=False):
    harness.generate(c, CFG, path, "--shape", *shape, "--seed", seed,
                     *(["--force"] if replace else []), timeout=120)


def read_density(path):
    with h5py.File(path, "r") as h5:
        return h5["density"][()]


def write_h5(path, data, name="density", **kwargs):
    with h5py.File(path, "w") as h5:
        h5.create_dataset(name, data=data, **kwargs)


# ---- output folders ----------------------------------------------------------

def read_raw(path):
    with h5py.File(path, "r") as h5:
        return {name: h5[name][()] for name in ("frames", "transmittance", "angles", "frame_index")}


def png_texts(path):
    with Image.open(path) as image:
        image.load()
        return dict(getattr(image, "text", {}) or {})


def pixels(path):
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB")).astype(np.int16)


def numbers(folder):
    return [frame_number(p) for p in frame_files(folder)]


def frame_path(folder, f):
    return os.path.join(folder, f"frame_{f:05d}.png")


def same_pngs(got, want, frames):
    """The frames (numbers) whose PNG bytes differ between two folders (or are missing)."""
    differing = []
    for f in frames:
        a, b = frame_path(got, f), frame_path(want, f)
        if not (os.path.exists(a) and os.path.exists(b)) or read_bytes(a) != read_bytes(b):
            differing.append(f)
    return differing


def check_manifest_series(c, label, folder, inputs, k, frames_listed):
    """The manifest of a series run: "series" (one object per input with its
    "file"), every listed frame's "input" its own input's path, the sweep
    parameters frames = S*K, frames_per_input = K and the number of inputs."""
    try:
        manifest = load_manifest(folder)
    except (OSError, ValueError) as e:
        c.check(False, f"{label}: manifest.json readable", repr(e))
        return
    series = manifest.get("series")
    files = [entry.get("file") if isinstance(entry, dict) else None for entry in series] \
        if isinstance(series, list) else None
    c.check(files == list(inputs), f"{label}: manifest \"series\" lists the {len(inputs)} inputs' files in order",
            f"got {str(series)[:600]}")
    entries = manifest_frames(manifest)
    c.check(sorted(entries) == list(frames_listed), f"{label}: manifest lists frames {list(frames_listed)}",
            f"got {sorted(entries)}")
    wrong = {f: e.get("input") for f, e in entries.items() if e.get("input") != inputs[f // k]}
    c.check(not wrong, f"{label}: every manifest frame record's \"input\" is its input's path (f // {k})",
            f"wrong: {wrong}")
    params = manifest.get("parameters", {})
    c.check(params.get("frames") == len(inputs) * k and params.get("frames_per_input") == k,
            f"{label}: manifest parameters frames = {len(inputs) * k}, frames_per_input = {k}",
            f"parameters: {params}")
    counts = {key: value for key, value in params.items()
              if "input" in key and key != "frames_per_input" and value == len(inputs)
              and not isinstance(value, bool)}
    c.check(bool(counts), f"{label}: manifest parameters record the number of inputs ({len(inputs)}) "
            f"under a key naming inputs", f"parameters: {params}")


def check_png_inputs(c, label, folder, inputs, k, frames):
    wrong = {}
    for f in frames:
        path = frame_path(folder, f)
        got = png_texts(path).get("input") if os.path.exists(path) else "<no file>"
        if got != inputs[f // k]:
            wrong[f] = got
    c.check(not wrong, f"{label}: every frame's PNG text \"input\" is its own input's path",
            f"wrong: {wrong}")


def names(line, culprit):
    """line names culprit: a number as a whole word, anything else as a substring."""
    if culprit.isdigit():
        return re.search(r"(?<![\w.])" + culprit + r"(?![\w.])", line) is not None
    return culprit in line


def check_refused(c, work, label, argv, code, culprits, np_ranks_list=(None, 2), cwd=None):
    """cubecast ARGV (its -o inside a folder of its own under work) refused:
    exactly one 'cubecast: error: ' line naming every one of culprits, exit
    code from every rank, no output folder (nor its parent) created."""
    for np_ranks in np_ranks_list:
        where = tempfile.mkdtemp(prefix="refused_", dir=work)
        target = os.path.join(where, "parent", "out")
        full = ["render"] + argv + ["-o", target]
        tag = f"{label} ({'no mpiexec' if np_ranks is None else f'-np {np_ranks}'})"
        if np_ranks is None:
            cmd = command(None, full)
            res = run(cmd, timeout=60, cwd=cwd or where)
            codes = [res.rc]
        else:
            res, codes, cmd = ranks_run(np_ranks, full, work, cwd=cwd or where)
        repro = "\n      reproduce: " + shell_line(cmd, cwd or where)
        c.check(not res.timed_out, f"{tag}: finishes", res.describe_output() + repro)
        ours = error_lines(res.err)
        c.check(len(ours) == 1, f"{tag}: exactly one message line on stderr (got {len(ours)})",
                res.describe_output() + repro)
        first = ours[0] if ours else ""
        c.check(first.startswith("cubecast: error: ") and all(names(first, s) for s in culprits),
                f"{tag}: 'cubecast: error: ...' naming {culprits}", repr(first) + repro)
        c.check(codes == [code] * len(codes), f"{tag}: every rank exits {code} ({codes})",
                res.describe_output() + repro)
        c.check(os.listdir(where) == [], f"{tag}: nothing created (no output folder)",
                f"{harness.listing(where)}{repro}")


# ---- cli ----------------------------------------------------------------------

def case_cli(c, work):
    names = ["in0.h5", "in1.h5", "in2.h5"]
    for seed, name in enumerate(names, 1):
        generate(c, os.path.join(work, name), seed)
    base = ["--size", SIZE, "--quiet"] + SWEEP

    # --inputs LIST: comments, blank lines; paths relative to the current
    # folder (work), not to the list's own folder.
    lists = os.path.join(work, "lists")
    os.makedirs(lists)
    listed = os.path.join(lists, "series.txt")
    with open(listed, "w") as f:
        f.write("# a snapshot series\n\n" + names[0] + "\n#" + names[1] + " is next\n\n"
                + names[1] + "\n" + names[2] + "\n\n")

    # Usage errors: exit 2, one line, nothing created.
    paths = [os.path.join(work, n) for n in names]
    small = ["--size", "8"]
    check_refused(c, work, "--frames 5 with 3 inputs x --frames-per-input 2",
                  paths + ["--frames-per-input", "2", "--frames", "5"] + small, EXIT_USAGE, ["5", "6"])
    check_refused(c, work, "--frames 4 with 3 inputs (K by default 1)",
                  paths + ["--frames", "4"] + small, EXIT_USAGE, ["4", "3"], np_ranks_list=(None,))
    check_refused(c, work, "positional inputs with --inputs",
                  paths[:1] + ["--inputs", listed] + small, EXIT_USAGE, ["--inputs"], cwd=work)
    check_refused(c, work, "--frames-per-input 0", paths + ["--frames-per-input", "0"] + small, EXIT_USAGE,
                  ["--frames-per-input"], np_ranks_list=(None,))

    # Positional inputs, relative to the current folder, K by default 1: F = S.
    _, cmd_pos = render(c, "3 positional inputs, no --frames-per-input", None,
                          names + ["-o", "pos"] + base, cwd=work)
    pos = os.path.join(work, "pos")
    c.check(numbers(pos) == [0, 1, 2], "3 inputs, K by default 1: frames 0..2 written", str(numbers(pos)))
    check_manifest_series(c, "positional", pos, names, 1, range(3))
    check_png_inputs(c, "positional", pos, names, 1, range(3))
    # The inputs differ, so their frames must (or the equality below proves little).
    if numbers(pos) == [0, 1, 2]:
        c.check(np.abs(pixels(frame_path(pos, 0)) - pixels(frame_path(pos, 1))).max() > 0,
                "positional: frames of different inputs differ in their pixels")

    render(c, "--inputs LIST", None, ["--inputs", "lists/series.txt", "-o", "lst"] + base, cwd=work)
    lst = os.path.join(work, "lst")
    c.check(numbers(lst) == [0, 1, 2], "--inputs LIST: frames 0..2 written", str(numbers(lst)))
    differing = same_pngs(lst, pos, range(3))
    c.check(differing == [], "--inputs LIST: PNG bytes equal those of the same paths given as arguments",
            f"differing frames: {differing}\n      reproduce: {shell_line(cmd_pos, work)}")
    check_manifest_series(c, "--inputs LIST", lst, names, 1, range(3))

    # K = 2 with --frames S*K given too: accepted, F = 6.
    render(c, "2 inputs, --frames-per-input 2 --frames 4", None,
           names[:2] + ["-o", "k2", "--frames-per-input", "2", "--frames", "4"] + base, cwd=work)
    k2 = os.path.join(work, "k2")
    c.check(numbers(k2) == [0, 1, 2, 3], "2 inputs, K = 2, --frames 4: frames 0..3 written", str(numbers(k2)))
    check_manifest_series(c, "K = 2", k2, names[:2], 2, range(4))
    check_png_inputs(c, "K = 2", k2, names[:2], 2, range(4))

    # One input: --frames-per-input K alone means F = K.
    render(c, "1 input, --frames-per-input 3", None, [names[0], "-o", "one", "--frames-per-input", "3"] + base,
           cwd=work)
    one = os.path.join(work, "one")
    c.check(numbers(one) == [0, 1, 2], "1 input, --frames-per-input 3: frames 0..2 written", str(numbers(one)))
    frames = load_manifest(one).get("parameters", {}).get("frames")
    c.check(frames == 3, f"1 input, --frames-per-input 3: manifest parameters frames = 3 (got {frames})")


# ---- exact --------------------------------------------------------------------

EXACT_RUNS = [  # decomposition, ranks, precision
    ("frames", 1, "single"),
    ("frames", 3, "single"),
    ("rows", 2, "single"),
    ("bricks", 2, "single"),
    ("bricks", 3, "single"),
    ("rows", 4, "single"),
    ("frames", 1, "double"),
]


def case_exact(c, work):
    """Frame f of a series is its input's own render at frame f's angle, bit
    for bit.  Each input's reference is one run with --range covering its K
    frames (frames are independent: that is --range f:f+1 for each)."""
    s_count, k = 3, 2
    frames = s_count * k
    inputs = [os.path.join(work, f"in{s}.h5") for s in range(s_count)]
    for s, path in enumerate(inputs):
        generate(c, path, 11 + 7 * s)
    for decomp, np_ranks, precision in EXACT_RUNS:
        tag = f"{decomp}_np{np_ranks}_{precision}"
        common = ["--size", SIZE, "--precision", precision, "--decomp", decomp, "--quiet"] + SWEEP
        out, raw = os.path.join(work, tag), os.path.join(work, tag + ".h5")
        args = inputs + ["-o", out, "--raw", raw, "--frames-per-input", k] + common
        if precision == "double":
            args += ["--frames", frames]  # equal to S*K: accepted
        _, cmd = render(c, f"{tag}: series of {s_count} inputs, K = {k}", np_ranks, args)
        repro = "\n      reproduce: " + shell_line(cmd)
        c.check(numbers(out) == list(range(frames)), f"{tag}: frames 0..{frames - 1} written",
                f"{numbers(out)}{repro}")
        series = read_raw(raw)
        c.check(list(series["frame_index"]) == list(range(frames)),
                f"{tag}: raw frame_index 0..{frames - 1}", f"{series['frame_index']}{repro}")
        angles = series["angles"]
        c.check(len(set(angles.tolist())) == frames, f"{tag}: the camera moves: {frames} different angles",
                f"{angles}")
        check_manifest_series(c, tag, out, inputs, k, range(frames))
        check_png_inputs(c, tag, out, inputs, k, range(frames))
        refs = {}
        for s, path in enumerate(inputs):
            a, b = s * k, (s + 1) * k
            ref, ref_raw = os.path.join(work, f"{tag}_ref{s}"), os.path.join(work, f"{tag}_ref{s}.h5")
            _, ref_cmd = render(c, f"{tag}: input {s} alone, --range {a}:{b}", np_ranks,
                                [path, "-o", ref, "--raw", ref_raw, "--frames", frames, "--range", f"{a}:{b}"]
                                + common)
            refs[s] = read_raw(ref_raw)
            both = f"{repro}\n                 {shell_line(ref_cmd)}"
            differing = same_pngs(out, ref, range(a, b))
            c.check(differing == [], f"{tag}: frames {a}..{b - 1}: PNG bytes equal input {s}'s own render",
                    f"differing frames: {differing}{both}")
            for key in ("frames", "transmittance"):
                got, want = series[key][a:b], refs[s][key]
                same = got.dtype == want.dtype and got.shape == want.shape and got.tobytes() == want.tobytes()
                detail = ""
                if not same and got.shape == want.shape:
                    detail = f"max |diff| {float(np.abs(got.astype(np.float64) - want).max()):.3g}; "
                c.check(same, f"{tag}: frames {a}..{b - 1}: raw {key} bitwise input {s}'s own",
                        f"{detail}{got.dtype}{got.shape} vs {want.dtype}{want.shape}{both}")
            c.check(np.array_equal(series["angles"][a:b], refs[s]["angles"]),
                    f"{tag}: frames {a}..{b - 1}: raw angles those of input {s}'s own render",
                    f"{series['angles'][a:b]} vs {refs[s]['angles']}")
            shutil.rmtree(ref, ignore_errors=True)
        if (decomp, np_ranks, precision) == EXACT_RUNS[0]:
            # The comparison can tell inputs apart: input 0 at input 1's angles
            # is not what the series drew there.
            other, other_raw = os.path.join(work, "in0_at_2_4"), os.path.join(work, "in0_at_2_4.h5")
            render(c, "input 0 at frames 2..3", np_ranks,
                   [inputs[0], "-o", other, "--raw", other_raw, "--frames", frames, "--range", f"{k}:{2 * k}"]
                   + common)
            diff = float(np.abs(read_raw(other_raw)["frames"].astype(np.float64) - series["frames"][k:2 * k]).max())
            c.check(diff > 1e-3, f"{tag}: input 0 at frames {k}..{2 * k - 1} differs from the series' input 1 "
                    f"there (max |diff| {diff:.3g})")
        shutil.rmtree(out, ignore_errors=True)


# ---- datarange ------------------------------------------------------------------

def transfer_record(folder):
    return load_manifest(folder).get("parameters", {}).get("transfer_function", {}) or {}


def case_datarange(c, work):
    in0, in1 = os.path.join(work, "in0.h5"), os.path.join(work, "in1.h5")
    generate(c, in0, 5)
    values = read_density(in0)
    write_h5(in1, (values * np.float32(10)).astype(values.dtype))
    common = ["--size", SIZE, "--quiet"] + SWEEP
    for look, options in (("paraview p1:p99", ["--tf", PARAVIEW, "--data-range", "p1:p99"]),
                          ("auto", ["--tf", "auto"])):
        tag = look.split()[0]
        ser = os.path.join(work, f"{tag}_series")
        _, ser_cmd = render(c, f"{look}: series IN0, 10*IN0", None, [in0, in1, "-o", ser] + common + options)
        alone = os.path.join(work, f"{tag}_alone")
        _, alone_cmd = render(c, f"{look}: IN0 alone, frame 0 of 2", None,
                              [in0, "-o", alone, "--frames", "2", "--range", "0:1"] + common + options)
        repro = f"\n      reproduce: {shell_line(ser_cmd)}\n                 {shell_line(alone_cmd)}"
        c.require(numbers(ser) == [0, 1] and numbers(alone) == [0], f"{look}: frames written",
                  f"{numbers(ser)} {numbers(alone)}")
        diff = int(np.abs(pixels(frame_path(ser, 0)) - pixels(frame_path(alone, 0))).max())
        c.check(diff > 0, f"{look}: the series draws IN0 with the range of both inputs, not IN0's own "
                f"(frame 0 pixels differ from IN0 alone by up to {diff} levels)", repro)
        ser_range = transfer_record(ser).get("data_range")
        alone_range = transfer_record(alone).get("data_range")
        print(f"      {look}: data range of the series {ser_range}, of IN0 alone {alone_range}", flush=True)
        ok = (isinstance(ser_range, list) and isinstance(alone_range, list) and len(ser_range) == 2
              and len(alone_range) == 2)
        # Over IN0 and 10*IN0 together: the top above IN0's own (10*IN0 is
        # in it), the bottom still near IN0's (half the values are IN0's),
        # well below 10*IN0's own (10 times IN0's).
        c.check(ok and ser_range[1] > alone_range[1] and 0 < ser_range[0] < 10 ** 0.5 * alone_range[0],
                f"{look}: the series' resolved range is that of both inputs together (top above IN0's "
                f"own, bottom below sqrt(10) times IN0's)", f"series {ser_range}, IN0 alone {alone_range}{repro}")
        if tag != "paraview" or not ok:
            continue  # auto's bands depend on the histogram too: no A:B gives them
        # The resolved range, given as numbers, draws each input as the series did.
        lo, hi = (repr(float(v)) for v in ser_range)
        for s, path in enumerate((in0, in1)):
            fixed = os.path.join(work, f"{tag}_fixed{s}")
            _, fixed_cmd = render(c, f"{look}: input {s} alone with --data-range {lo}:{hi}", None,
                                  [path, "-o", fixed, "--frames", "2", "--range", f"{s}:{s + 1}", "--tf", PARAVIEW,
                                   "--data-range", f"{lo}:{hi}"] + common)
            differing = same_pngs(fixed, ser, [s])
            c.check(differing == [], f"{look}: series frame {s} equals input {s} alone with --data-range "
                    f"{lo}:{hi} (PNG bytes)",
                    f"reproduce: {shell_line(ser_cmd)}\n                 {shell_line(fixed_cmd)}")


# ---- errors ---------------------------------------------------------------------

def case_errors(c, work):
    in0, in1 = os.path.join(work, "in0.h5"), os.path.join(work, "in1.h5")
    generate(c, in0, 1)
    generate(c, in1, 2)
    other_shape = os.path.join(work, "other_shape.h5")
    generate(c, other_shape, 3, shape=(SHAPE[0], SHAPE[1], SHAPE[2] + 2))
    integer = os.path.join(work, "integer.h5")
    write_h5(integer, (read_density(in1) * 100).astype(np.int32))
    no_dataset = os.path.join(work, "no_dataset.h5")
    write_h5(no_dataset, read_density(in1), name="other")
    double = os.path.join(work, "double.h5")
    write_h5(double, read_density(in1).astype(np.float64))
    missing = os.path.join(work, "missing.h5")
    small = ["--size", "8", "--frames-per-input", "2"]
    # The bad input last or in the middle: every input is checked before anything is written.
    check_refused(c, work, "another shape (last input)", [in0, in1, other_shape] + small, EXIT_INPUT,
                  [other_shape])
    check_refused(c, work, "a missing file (middle input)", [in0, missing, in1] + small, EXIT_INPUT, [missing])
    check_refused(c, work, "an integer input after a float one", [in0, in1, integer] + small, EXIT_INPUT,
                  [integer], np_ranks_list=(None,))
    check_refused(c, work, "an input without the dataset", [in0, no_dataset, in1] + small, EXIT_INPUT,
                  [no_dataset], np_ranks_list=(None,))
    # From a list, relative to the current folder.
    listed = os.path.join(work, "list.txt")
    with open(listed, "w") as f:
        f.write("in0.h5\nmissing.h5\nin1.h5\n")
    check_refused(c, work, "--inputs LIST naming a missing file", ["--inputs", listed] + small, EXIT_INPUT,
                  ["missing.h5"], np_ranks_list=(None,), cwd=work)
    # Same class, another width: float32 then float64 is a series.
    out = os.path.join(work, "f32_f64")
    render(c, "float32 then float64 input", None, [in0, double, "-o", out] + small + ["--quiet"])
    c.check(numbers(out) == [0, 1, 2, 3], "float32 then float64: frames 0..3 written", str(numbers(out)))


# ---- resume ---------------------------------------------------------------------

def write_corrupt(c, path, values):
    """values as a chunked gzip dataset whose first chunk's compressed bytes
    are garbled: shape and type read fine, the values do not."""
    write_h5(path, values, chunks=(10, 12, 14), compression="gzip")
    with h5py.File(path, "r") as h5:
        info = h5["density"].id.get_chunk_info(0)
    offset, size = info.byte_offset, info.size
    with open(path, "r+b") as f:
        f.seek(offset + size // 4)
        f.write(bytes((37 * i + 11) % 256 for i in range(max(16, size // 2))))
    failed = None
    try:
        with h5py.File(path, "r") as h5:
            ok_meta = h5["density"].shape == values.shape and h5["density"].dtype == values.dtype
            h5["density"][()]
    except Exception as e:  # noqa: BLE001  (any HDF5 read error)
        failed = repr(e)
    c.require(ok_meta and failed is not None,
              "the corrupt input's metadata reads and its values do not (h5py)", f"read error: {failed}")
    print(f"      h5py reading the corrupt input: {failed[:200]}", flush=True)


def folder_consistent(c, label, folder, allowed):
    """The manifest lists exactly the frame files on disk, all among allowed;
    no temporary files left.  Returns the frame numbers on disk."""
    on_disk = numbers(folder)
    listed = sorted(manifest_frames(load_manifest(folder))) if os.path.exists(
        os.path.join(folder, "manifest.json")) else []
    c.check(listed == on_disk, f"{label}: the manifest lists exactly the frames on disk",
            f"listed {listed}, on disk {on_disk}")
    c.check(set(on_disk) <= set(allowed), f"{label}: only frames of input 0 ({sorted(allowed)}) written",
            f"on disk {on_disk}")
    temps = [n for n in os.listdir(folder) if "cubecast-tmp" in n]
    c.check(temps == [], f"{label}: no temporary files left", str(temps))
    return on_disk


def mtimes(folder, frames):
    return {f: os.stat(frame_path(folder, f)).st_mtime_ns for f in frames}


def case_resume(c, work):
    k, frames = 2, 6
    inputs = [os.path.join(work, f"in{s}.h5") for s in range(3)]
    generate(c, inputs[0], 21)
    generate(c, inputs[2], 23)
    good = os.path.join(work, "good1.h5")
    generate(c, good, 22)
    values = read_density(good)
    write_corrupt(c, inputs[1], values)
    common = inputs + ["--frames-per-input", k, "--size", SIZE, "--quiet"] + SWEEP

    # 1 rank: input 0's two frames are drawn before input 1 is read.
    out = os.path.join(work, "out")
    cmd = command(None, ["render"] + [str(a) for a in common] + ["-o", out])
    res = run(cmd, timeout=120)
    repro = "\n      reproduce: " + shell_line(cmd)
    ours = error_lines(res.err)
    c.check(res.rc == EXIT_INPUT, f"corrupt input 1 of 3: exit {EXIT_INPUT} (got {res.rc})",
            res.describe_output() + repro)
    c.check(len(ours) == 1 and ours[0].startswith("cubecast: error: ") and inputs[1] in ours[0],
            "corrupt input 1 of 3: one 'cubecast: error:' line naming it", res.describe_output() + repro)
    c.require(os.path.isdir(out), "corrupt input 1 of 3: the output folder holds what was finished",
              f"{harness.listing(work)}{repro}")
    done = folder_consistent(c, "corrupt input 1 of 3", out, range(k))
    c.check(done == list(range(k)), f"corrupt input 1 of 3 (1 rank): input 0's frames 0..{k - 1} finished "
            f"and kept", f"on disk {done}{repro}")
    check_png_inputs(c, "corrupt input 1 of 3", out, inputs, k, done)

    # 2 ranks, bricks: the garbled chunk is in one rank's brick only; no rank hangs.
    out2 = os.path.join(work, "out_bricks")
    res2, codes, cmd2 = ranks_run(2, ["render"] + [str(a) for a in common] + ["-o", out2, "--decomp", "bricks"],
                                  work)
    repro2 = "\n      reproduce: " + shell_line(cmd2)
    c.check(not res2.timed_out and codes == [EXIT_INPUT] * 2,
            f"corrupt input 1 of 3, 2 ranks bricks: every rank exits {EXIT_INPUT} ({codes})",
            res2.describe_output() + repro2)
    ours2 = error_lines(res2.err)
    c.check(len(ours2) == 1 and ours2[0].startswith("cubecast: error: ") and inputs[1] in ours2[0],
            "corrupt input 1 of 3, 2 ranks bricks: one 'cubecast: error:' line naming it",
            res2.describe_output() + repro2)
    if os.path.isdir(out2):
        folder_consistent(c, "corrupt input 1 of 3, 2 ranks bricks", out2, range(k))

    # Mended, --resume renders only what is missing.
    before = mtimes(out, done)
    time.sleep(0.05)  # a rewritten file would get a later mtime
    write_h5(inputs[1], values)
    render(c, "input 1 mended: --resume", None, common + ["-o", out, "--resume"])
    c.check(numbers(out) == list(range(frames)), f"--resume: frames 0..{frames - 1} on disk", str(numbers(out)))
    after = mtimes(out, done)
    c.check(after == before, f"--resume: the frames finished before ({done}) were not written again "
            "(same mtime_ns)", f"before {before}, after {after}")
    check_manifest_series(c, "--resume", out, inputs, k, range(frames))
    check_png_inputs(c, "--resume", out, inputs, k, range(frames))
    clean = os.path.join(work, "clean")
    clean_raw = os.path.join(work, "clean.h5")
    _, clean_cmd = render(c, "clean render of the series", None, common + ["-o", clean, "--raw", clean_raw])
    differing = same_pngs(out, clean, range(frames))
    c.check(differing == [], "--resume: the folder's frames equal a clean render's (PNG bytes)",
            f"differing frames: {differing}\n      reproduce: {shell_line(clean_cmd)}")

    # --range across the boundary between inputs 0 and 1 and 1 and 2, with --raw.
    part, part_raw = os.path.join(work, "part"), os.path.join(work, "part.h5")
    render(c, "--range 1:5 --raw", None, common + ["-o", part, "--range", "1:5", "--raw", part_raw])
    c.check(numbers(part) == [1, 2, 3, 4], "--range 1:5: frames 1..4 written", str(numbers(part)))
    check_manifest_series(c, "--range 1:5", part, inputs, k, range(1, 5))
    check_png_inputs(c, "--range 1:5", part, inputs, k, range(1, 5))
    differing = same_pngs(part, clean, range(1, 5))
    c.check(differing == [], "--range 1:5: PNG bytes those of the clean render", f"differing: {differing}")
    raw, whole = read_raw(part_raw), read_raw(clean_raw)
    c.check(list(raw["frame_index"]) == [1, 2, 3, 4], f"--range 1:5: raw frame_index 1..4 ({raw['frame_index']})")
    for key in ("frames", "transmittance", "angles"):
        c.check(raw[key].shape == whole[key][1:5].shape and raw[key].tobytes() == whole[key][1:5].tobytes(),
                f"--range 1:5: raw {key} bitwise the clean render's frames 1..4")
    kept = mtimes(part, range(1, 5))
    time.sleep(0.05)
    render(c, "--resume after --range 1:5", None, common + ["-o", part, "--resume"])
    c.check(numbers(part) == list(range(frames)), f"--resume after --range: frames 0..{frames - 1} on disk",
            str(numbers(part)))
    c.check(mtimes(part, range(1, 5)) == kept, "--resume after --range: frames 1..4 not written again")
    differing = same_pngs(part, clean, range(frames))
    c.check(differing == [], "--resume after --range: every frame equals the clean render's (PNG bytes)",
            f"differing: {differing}")
    check_manifest_series(c, "--resume after --range", part, inputs, k, range(frames))
    check_png_inputs(c, "--resume after --range", part, inputs, k, range(frames))

    # The folder knows each input's values (its checksum): a resume that
    # would draw frames of input 2 from other values under the same name
    # is refused, naming it, and the frames already there are kept.
    with open(os.path.join(part, "manifest.json")) as f:
        listed = json.load(f)
    c.check(all(isinstance(entry.get("checksum"), str) for entry in listed.get("series", [])),
            "--resume after --range: every input's checksum recorded", str(listed.get("series")))
    os.remove(frame_path(part, frames - 1))
    generate(c, inputs[2], 99, replace=True)
    kept = mtimes(part, range(frames - 1))
    cmd = command(None, ["render"] + [str(a) for a in common] + ["-o", part, "--resume"])
    res = run(cmd, timeout=120)
    ours = error_lines(res.err)
    c.check(res.rc == 2 and len(ours) == 1 and inputs[2] in ours[0] and "other values" in ours[0],
            "--resume with input 2's values changed: exit 2, one line naming it",
            res.describe_output() + "\n      reproduce: " + shell_line(cmd))
    c.check(mtimes(part, range(frames - 1)) == kept and frames - 1 not in numbers(part),
            "--resume with input 2's values changed: nothing drawn, the other frames kept")


def case_memory(c, work):
    """Peak memory of a series: the rendered input and the next one read
    in the background, never more (issue 13: at most 2 x an input besides
    what one input takes).  Each rank's peak RSS (--profile) of a series of
    5 inputs of 128^3 float32 (8 MiB each) against the same sweep of one
    input: at most 1.5 inputs more, while holding every input would take 4
    more.  Frames mode (node-shared volumes) on 2 ranks and bricks mode."""
    shape = (128, 128, 128)
    inputs = [os.path.join(work, f"m{s}.h5") for s in range(5)]
    for s, path in enumerate(inputs):
        generate(c, path, 40 + s, shape)
    input_bytes = 128 ** 3 * 4
    for decomp in ("frames", "bricks"):
        peaks = {}
        for name, files in (("one", [inputs[0]] * 1), ("series", inputs)):
            out = os.path.join(work, f"mem_{decomp}_{name}")
            frames = ["--frames", "10"] if name == "one" else ["--frames-per-input", "2"]
            render(c, f"memory {decomp} {name}", 2, files + frames +
                   ["-o", out, "--size", "48", "--quiet", "--profile", "--decomp", decomp])
            with open(os.path.join(out, "manifest.json")) as f:
                ranks = json.load(f)["profile"]["per_rank"]
            peaks[name] = max(rank["peak_rss_bytes"] for rank in ranks)
        extra = (peaks["series"] - peaks["one"]) / input_bytes
        # frames mode: one node-shared copy per node, the window counted in
        # the RSS of the ranks that touch it
        c.check(extra <= 1.5, f"memory, {decomp}: a series of 5 inputs peaks at most 1.5 inputs "
                f"above one input ({extra:.2f} inputs more; {peaks['series'] / 2**20:.0f} MiB "
                f"against {peaks['one'] / 2**20:.0f} MiB)")


CASES = {"cli": case_cli, "exact": case_exact, "datarange": case_datarange, "errors": case_errors,
         "resume": case_resume, "memory": case_memory}


def main():
    global CFG
    CFG = harness.parse_args(__doc__, CASES)
    return harness.run_case(CFG, CASES, "series")


if __name__ == "__main__":
    sys.exit(main())
