"""Any file (issue 15 item 1): which dataset cubecast renders when --dataset
is not given, what `cubecast info` says of every dataset, and one volume of
a 4D dataset rendered with --index T.

    dataset_test.py --cubecast BIN --mpiexec MPIEXEC --workdir DIR CASE

cases:
  choose    one 3D numeric dataset among others (/anatomical): info and
            render take it and say so, its frames equal those of the same
            values as `density`; the manifest records /anatomical and a
            --resume with --dataset anatomical or /anatomical agrees; several
            candidates: render exits 3 listing them and --dataset NAME,
            creating nothing, info exits 0 listing them; density beside
            others: density, silently, its manifest as before (no index)
  listing   info describes every dataset: a string, a compound, a 2D and a
            5D dataset each with the reason it cannot be rendered; a file
            with none that renders: info exits 0, render exits 3 (one line)
  volumes   a 4D dataset: info exits 0 and says how to render it (both
            axes' ranges); --index T (last axis, the default) and
            --index-axis first --index T draw exactly the frames of a 3D file
            holding that volume, with 1 rank and 2 (frames, bricks, and
            rows with --axis z, whose reads are transposed), chunked and
            compressed too; info --index T describes that volume
  refusals  --index past the axis's end, --index on a 3D dataset,
            --index-axis alone, a 4D dataset without --index: one line,
            exit 2 (3 for the last), nothing created; the manifest records
            the index and --resume refuses another index or axis, naming
            the option
  series    two 4D inputs with --index: the choice is made on the first,
            and the frames (the second input prefetched while the first
            renders) equal those of the two 3D volumes, with 2 ranks
"""

import json
import os
import sys

import h5py
import numpy as np
from PIL import Image

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402  (tests/harness.py)

ENV = harness.open_mpi_env(os.environ.get("OMP_NUM_THREADS", "1"))
EXIT_USAGE, EXIT_INPUT = 2, 3
SMALL = ["--frames", "3", "--size", "24", "--quiet"]


def values(shape, seed):
    """Positive values spread over the default transfer function's bands."""
    rng = np.random.default_rng(seed)
    return np.exp(rng.uniform(-4.0, 10.0, shape)).astype(np.float32)


def write(path, datasets):
    """datasets: name -> array (or (array, create_dataset keywords))."""
    with h5py.File(path, "w") as f:
        for name, data in datasets.items():
            data, keywords = data if isinstance(data, tuple) else (data, {})
            f.create_dataset(name, data=data, **keywords)


def run(cfg, args, np_ranks=None, timeout=120):
    if np_ranks is None:
        cmd = [cfg.cubecast] + harness.with_device(args)
    else:
        cmd = harness.mpi_command(cfg, np_ranks, args)
    return harness.run(cmd, timeout, env=ENV, errors="replace")


def pictures(folder):
    """Every PNG of a folder as its pixels (the text chunks name the input
    and dataset, so the bytes of equal pictures may differ)."""
    out = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".png"):
            with Image.open(os.path.join(folder, name)) as image:
                out[name] = np.asarray(image).copy()
    return out


def same_pictures(c, what, got_folder, want_folder):
    got, want = pictures(got_folder), pictures(want_folder)
    ok = sorted(got) == sorted(want) and len(got) > 0
    ok = ok and all(np.array_equal(got[n], want[n]) for n in want)
    differing = [n for n in want if n in got and not np.array_equal(got[n], want[n])]
    c.check(ok, f"{what}: every picture equal, pixel for pixel ({len(want)} files)",
            f"files {sorted(got)} vs {sorted(want)}; differing {differing}")


def manifest(folder):
    with open(os.path.join(folder, "manifest.json")) as f:
        return json.load(f)


def stderr_lines(res):
    return [line for line in res.err.splitlines() if line.strip()]


def refused(c, what, res, code, words, folder):
    """Exit code, one line of cubecast's (mpiexec adds its own notice below
    it), the words it must name, and no output folder."""
    lines = [line for line in stderr_lines(res) if line.startswith("cubecast")]
    c.check(res.rc == code, f"{what}: exit {code}", res.describe_output())
    c.check(len(lines) == 1 and lines[0].startswith("cubecast: error: ")
            and stderr_lines(res)[0] == lines[0],
            f"{what}: one error line, first", res.err)
    for word in words:
        c.check(word in res.err, f"{what}: the message names {word!r}", res.err)
    c.check(not os.path.exists(folder), f"{what}: {os.path.basename(folder)} not created")


# ---- choose -----------------------------------------------------------------

def choose_case(c, work, cfg):
    volume = values((14, 12, 10), 1)
    scan = os.path.join(work, "scan.h5")
    write(scan, {"anatomical": volume.astype(np.int16), "affine": np.eye(4),
                 "meta/notes": np.bytes_("converted with nibabel")})
    plain = os.path.join(work, "plain.h5")
    write(plain, {"density": volume.astype(np.int16)})
    before = harness.read_bytes(scan)

    res = run(cfg, ["info", scan])
    c.check(res.rc == 0, "info on a file without density: exit 0", res.describe_output())
    c.check("using dataset /anatomical (the file's only 3D numeric dataset)" in res.out,
            "info says it describes /anatomical and why", res.out)
    c.check("\nshape: 14 x 12 x 10\n" in res.out and "\ntype: int16\n" in res.out,
            "info describes /anatomical's shape and type", res.out)
    c.check("cubecast render " + scan + " --dataset /anatomical --tf auto" in res.out,
            "info's suggested render line names the dataset", res.out)

    out = os.path.join(work, "anatomical")
    res = run(cfg, ["render", scan, "-o", out, "--frames", "3", "--size", "24"])
    c.check(res.rc == 0, "render without --dataset takes /anatomical", res.describe_output())
    c.check("using dataset /anatomical (the file's only 3D numeric dataset)" in stderr_lines(res),
            "render says which dataset it uses, on its own line", res.err)
    want = os.path.join(work, "plain")
    res = run(cfg, ["render", plain, "-o", want] + SMALL)
    c.require(res.rc == 0, "render the same values as density", res.describe_output())
    same_pictures(c, "/anatomical chosen vs the same values as density", out, want)
    c.check(manifest(out)["parameters"]["dataset"] == "/anatomical",
            "the manifest records the dataset used, /anatomical",
            json.dumps(manifest(out)["parameters"]))
    for name in ("anatomical", "/anatomical"):
        res = run(cfg, ["render", scan, "-o", out, "--resume", "--dataset", name] + SMALL)
        c.check(res.rc == 0, f"--resume --dataset {name} agrees with the chosen /anatomical",
                res.describe_output())
    res = run(cfg, ["render", scan, "-o", out, "--resume"] + SMALL)
    c.check(res.rc == 0, "--resume without --dataset agrees too", res.describe_output())
    c.check(harness.read_bytes(scan) == before, "the input is unchanged")

    several = os.path.join(work, "several.h5")
    write(several, {"a": volume, "fields/b": volume, "fields/c": values((4, 3, 2, 2), 2)})
    folder = os.path.join(work, "several-out")
    res = run(cfg, ["render", several, "-o", folder] + SMALL)
    refused(c, "several 3D datasets, no --dataset", res, EXIT_INPUT,
            ["/a", "/fields/b", "--dataset NAME"], folder)
    c.check("/fields/c" not in res.err, "the 4D dataset is not a candidate", res.err)
    res = run(cfg, ["render", several, "-o", folder] + SMALL, np_ranks=2)
    refused(c, "several 3D datasets, 2 ranks", res, EXIT_INPUT, ["/a", "/fields/b"], folder)
    res = run(cfg, ["info", several])
    c.check(res.rc == 0, "info on several candidates: exit 0", res.describe_output())
    c.check("/a, /fields/b" in res.out and "--dataset NAME" in res.out,
            "info lists the candidates and the option", res.out)
    c.check("\nshape:" not in res.out, "info describes none of them in detail", res.out)
    floats = make_density(c, cfg, work, volume)
    res = run(cfg, ["render", several, "-o", folder, "--dataset", "fields/b"] + SMALL)
    c.check(res.rc == 0, "--dataset fields/b chooses among them", res.describe_output())
    same_pictures(c, "--dataset fields/b", folder, floats)

    dense = os.path.join(work, "dense.h5")
    write(dense, {"a": values((14, 12, 10), 3), "density": volume, "z": values((9, 8, 7), 4)})
    folder = os.path.join(work, "dense-out")
    res = run(cfg, ["render", dense, "-o", folder, "--frames", "3", "--size", "24"])
    c.check(res.rc == 0, "density beside others: render exits 0", res.describe_output())
    c.check(not any(line.startswith("using dataset") for line in stderr_lines(res)),
            "density is taken without a word, as always", res.err)
    same_pictures(c, "density beside others", folder, floats)
    parameters = manifest(folder)["parameters"]
    c.check(parameters.get("dataset") == "density" and "index" not in parameters
            and "index_axis" not in parameters,
            "the manifest says density and has no index, as before", json.dumps(parameters))
    res = run(cfg, ["info", dense])
    c.check(res.rc == 0 and "\ndataset density\nshape: 14 x 12 x 10\n" in res.out
            and "using dataset" not in res.out, "info describes density", res.out)


def make_density(c, cfg, work, volume):
    """The folder of the frames of volume stored as density (float32)."""
    path, folder = os.path.join(work, "float-density.h5"), os.path.join(work, "float-density")
    write(path, {"density": volume})
    res = run(cfg, ["render", path, "-o", folder] + SMALL)
    c.require(res.rc == 0, "render the values as a float32 density", res.describe_output())
    return folder


# ---- listing ----------------------------------------------------------------

def listing_case(c, work, cfg):
    odd = os.path.join(work, "odd.h5")
    compound = np.zeros(4, dtype=[("x", "<i4"), ("y", "<f8")])
    write(odd, {"title": np.bytes_("a scan"), "labels": np.array([b"a", b"bb"]),
                "points": compound, "image": values((8, 6), 5), "many": values((2, 2, 3, 2, 2), 6),
                "flat": values((1, 6, 5), 7)})
    res = run(cfg, ["info", odd])
    c.check(res.rc == 0, "info on a file with nothing to render: exit 0", res.describe_output())
    lines = {line.split()[0]: line for line in res.out.splitlines() if line.startswith("  /")}
    expected = {
        "/title": "cannot be rendered: holds text, not numbers",
        "/labels": "cannot be rendered: holds text, not numbers",
        "/points": "cannot be rendered: holds compound values",
        "/image": "cannot be rendered: 2D; a volume needs 3 axes",
        "/many": "cannot be rendered: 5D; a volume needs 3 axes",
        "/flat": "cannot be rendered: every axis of a volume needs at least 2 points",
    }
    for name, reason in expected.items():
        c.check(reason in lines.get(name, ""), f"info: {name} with its reason ({reason})",
                lines.get(name, res.out))
    c.check("dataset string" in lines.get("/labels", "") and "8 x 6" in lines.get("/image", "")
            and "2 x 2 x 3 x 2 x 2" in lines.get("/many", ""),
            "info gives each dataset's type and shape", res.out)
    c.check("has no dataset cubecast can render" in res.out, "info says nothing renders", res.out)
    folder = os.path.join(work, "odd-out")
    res = run(cfg, ["render", odd, "-o", folder] + SMALL)
    refused(c, "render a file with nothing to render", res, EXIT_INPUT,
            ["no dataset cubecast can render"], folder)
    res = run(cfg, ["render", odd, "-o", folder, "--dataset", "points"] + SMALL)
    refused(c, "--dataset points (compound)", res, EXIT_INPUT, ["points", "numbers"], folder)


# ---- volumes ------------------------------------------------------------------

def volumes_case(c, work, cfg):
    series = values((4, 14, 12, 5), 8)  # (t, x, y, z) and (x, y, z, t) alike
    bold = os.path.join(work, "bold.h5")
    write(bold, {"bold": series, "affine": np.eye(4)})
    chunked = os.path.join(work, "chunked.h5")
    write(chunked, {"bold": (series, {"chunks": (2, 5, 4, 3), "compression": "gzip"})})
    res = run(cfg, ["info", bold])
    c.check(res.rc == 0, "info on a 4D dataset: exit 0", res.describe_output())
    line = next((l for l in res.out.splitlines() if l.startswith("  /bold ")), "")
    c.check("4 x 14 x 12 x 5" in line and "--index T" in line and "last axis (0..4)" in line
            and "--index-axis first (0..3)" in line,
            "info says how to render the 4D dataset, with both axes' ranges", line or res.out)

    # (label, options, the volume, 3D file name)
    picks = [("last axis", ["--index", "3"], series[..., 3], "last3"),
             ("first axis", ["--index-axis", "first", "--index", "2"], series[2], "first2")]
    for label, pick, volume, name in picks:
        flat = os.path.join(work, name + ".h5")
        write(flat, {"density": np.ascontiguousarray(volume)})
        res = run(cfg, ["info", bold] + pick)
        ln = np.log(volume.astype(np.float64))
        c.check(res.rc == 0 and "\nshape: %d x %d x %d\n" % volume.shape in res.out
                and "min %.4g " % ln.min() in res.out and "max %.4g\n" % ln.max() in res.out,
                f"info {' '.join(pick)} describes that volume", res.out)
        modes = [("frames, 1 rank", [], None), ("frames, 2 ranks", ["--decomp", "frames"], 2),
                 ("bricks, 2 ranks", ["--decomp", "bricks"], 2),
                 ("rows, 2 ranks, --axis z", ["--decomp", "rows", "--axis", "z"], 2)]
        for m, (mode, extra, ranks) in enumerate(modes):
            want = os.path.join(work, f"{name}-{m}-want")
            res = run(cfg, ["render", flat, "-o", want] + SMALL + extra, np_ranks=ranks)
            if not c.check(res.rc == 0, f"render the 3D file ({mode})", res.describe_output()):
                continue
            for source, path in (("contiguous", bold), ("chunked gzip", chunked)):
                got = os.path.join(work, f"{name}-{m}-{source[:5]}")
                args = ["render", path, "-o", got] + SMALL + extra + pick
                if source == "chunked gzip":
                    args += ["--dataset", "/bold"]
                res = run(cfg, args, np_ranks=ranks)
                if c.check(res.rc == 0, f"{label}, {source}, {mode}: exit 0",
                           res.describe_output()):
                    same_pictures(c, f"{label} ({' '.join(pick)}), {source}, {mode}", got, want)
    parameters = manifest(os.path.join(work, "first2-0-conti"))["parameters"]
    c.check(parameters.get("index") == 2 and parameters.get("index_axis") == "first"
            and parameters.get("dataset") == "/bold",
            "the manifest records /bold, index 2 and its axis", json.dumps(parameters))


# ---- refusals -----------------------------------------------------------------

def refusals_case(c, work, cfg):
    bold = os.path.join(work, "bold.h5")
    write(bold, {"bold": values((3, 10, 9, 4), 9)})
    flat = os.path.join(work, "flat.h5")
    write(flat, {"density": values((10, 9, 4), 10)})
    folder = os.path.join(work, "out")
    cases = [
        ("--index 4 (last axis has 4)", [bold, "--index", "4"], EXIT_USAGE,
         ["--index 4", "0..3", "last"]),
        ("--index-axis first --index 3", [bold, "--index-axis", "first", "--index", "3"],
         EXIT_USAGE, ["--index 3", "0..2", "first"]),
        ("--index on a 3D dataset", [flat, "--index", "0"], EXIT_USAGE, ["--index", "3D"]),
        ("--index on a named 3D dataset", [flat, "--dataset", "density", "--index", "0"],
         EXIT_USAGE, ["--index", "3D"]),
        ("--index-axis without --index", [bold, "--index-axis", "first"], EXIT_USAGE,
         ["--index-axis", "--index T"]),
        ("--index-axis middle", [bold, "--index-axis", "middle", "--index", "0"], EXIT_USAGE,
         ["--index-axis", "middle"]),
        ("--index -1", [bold, "--index", "-1"], EXIT_USAGE, ["--index"]),
        ("a 4D dataset without --index", [bold, "--dataset", "bold"], EXIT_INPUT,
         ["4D", "--index T"]),
        ("the only dataset 4D, no --index", [bold], EXIT_INPUT, ["/bold", "--index T"]),
    ]
    for label, args, code, words in cases:
        for ranks in (None, 2):
            res = run(cfg, ["render"] + args + ["-o", folder] + SMALL, np_ranks=ranks)
            refused(c, f"{label}, {ranks or 1} rank(s)", res, code, words, folder)
    res = run(cfg, ["info", bold, "--index", "9"])
    c.check(res.rc == EXIT_USAGE and "--index 9" in res.err, "info --index 9: exit 2",
            res.describe_output())

    res = run(cfg, ["render", bold, "-o", folder, "--index", "1"] + SMALL)
    c.require(res.rc == 0, "render --index 1", res.describe_output())
    parameters = manifest(folder)["parameters"]
    c.check(parameters.get("index") == 1 and parameters.get("index_axis") == "last",
            "the manifest records index 1 along the last axis", json.dumps(parameters))
    pngs = pictures(folder)
    resumes = [(["--index", "2"], "--index"),
               (["--index-axis", "first", "--index", "1"], "--index-axis")]
    for pick, option in resumes:
        res = run(cfg, ["render", bold, "-o", folder, "--resume"] + pick + SMALL)
        c.check(res.rc == EXIT_USAGE and option + " is" in res.err,
                f"--resume {' '.join(pick)} refused, naming {option}", res.describe_output())
    res = run(cfg, ["render", bold, "-o", folder, "--resume", "--dataset", "/bold", "--index", "1"]
              + SMALL)
    c.check(res.rc == 0, "--resume --dataset /bold --index 1 agrees", res.describe_output())
    got = pictures(folder)
    c.check(sorted(got) == sorted(pngs) and all(np.array_equal(got[n], pngs[n]) for n in pngs),
            "the folder's pictures are unchanged by the refused and agreeing resumes")


# ---- series -------------------------------------------------------------------

def series_case(c, work, cfg):
    inputs, flats = [], []
    for s in range(3):
        data = values((5, 11, 9, 3), 20 + s)
        path = os.path.join(work, f"snap{s}.h5")
        write(path, {"scan": data, "notes": np.bytes_("snapshot %d" % s)})
        inputs.append(path)
        flat = os.path.join(work, f"flat{s}.h5")
        write(flat, {"density": np.ascontiguousarray(data[..., 1])})
        flats.append(flat)
    extra = ["--frames-per-input", "2", "--size", "24", "--quiet"]
    for mode, decomp in (("frames", []), ("bricks", ["--decomp", "bricks"])):
        want = os.path.join(work, f"want-{mode}")
        res = run(cfg, ["render"] + flats + ["-o", want] + extra + decomp, np_ranks=2)
        c.require(res.rc == 0, f"render the series of 3D volumes ({mode})", res.describe_output())
        got = os.path.join(work, f"got-{mode}")
        res = run(cfg, ["render"] + inputs + ["-o", got, "--index", "1"] + extra + decomp,
                  np_ranks=2)
        if c.check(res.rc == 0, f"series of 4D inputs, --index 1 ({mode}): exit 0",
                   res.describe_output()):
            same_pictures(c, f"series of 4D inputs, --index 1 ({mode}, 2 ranks)", got, want)
            c.check(manifest(got)["parameters"]["dataset"] == "/scan",
                    "the series' manifest records /scan", json.dumps(manifest(got)["parameters"]))
    odd = os.path.join(work, "other-name.h5")
    write(odd, {"volume": values((5, 11, 9, 3), 30)})
    folder = os.path.join(work, "refused")
    res = run(cfg, ["render", inputs[0], odd, "-o", folder, "--index", "1", "--quiet"])
    refused(c, "a series input without the first's dataset", res, EXIT_INPUT,
            ["/scan", "other-name.h5"], folder)


def main():
    cases = {"choose": choose_case, "listing": listing_case, "volumes": volumes_case,
             "refusals": refusals_case, "series": series_case}
    cfg = harness.parse_args(__doc__, cases)
    bound = {cfg.case: lambda c, work: cases[cfg.case](c, work, cfg)}
    return harness.run_case(cfg, bound, "dataset")


if __name__ == "__main__":
    sys.exit(main())
