#!/usr/bin/python3
"""Tests of the rows and bricks decompositions (issue 4, design.md section 2).

    decomp_test.py --cubecast BIN --mpiexec MPIEXEC --workdir DIR CASE

CASE is one of:
  equivalence  rows and bricks (--composite root and swap) against frames mode
               -np 1, for P = 1, 2, 3, 4, 6, a non-cubic cube, N larger and
               smaller than the cube, angles in all four quadrants, single and
               double precision; projection; which rank wrote each frame
  memory       4 ranks on a 256^3 float32 cube: per-rank peak RSS measured from
               outside (/usr/bin/time) and bytes read (--profile JSON), for
               rows and bricks (asserted) and frames (printed for the record)
  auto         --decomp auto names its choice and reason; same frames as frames
  errors       --decomp bogus / --composite bogus: one message, exit 2, nothing
               written
  transfer     with --tf (a band file, a ParaView export with --data-range)
               and --opacity-unit: frames, rows (bitwise, PNG bytes too) and
               bricks root/swap (1e-5 single) for P = 1..4 give frames mode
               -np 1's raw frames and transmittance
  camera_orbits, camera_elevations, camera_fit_spacing
               the user's camera (design.md section 5): orbits about y and
               z, elevation +30 and -20 with zoom (on a cube long in x, so
               bricks split the orbit axis), --fit with --spacing 1:1.5:3:
               frames (P = 2..4) and rows (P = 1..4, elevation 0 only) give
               frames mode -np 1's raw frames, transmittance and PNG bytes
               bit for bit, bricks (root P = 1..4, swap P = 4) within 1e-5
               single; --decomp rows --elevation 10 refused (exit 2, one
               message, nothing written); --decomp auto with an elevation
               never takes rows and gives frames mode's frames

Each case works in its own folder under --workdir, removed when it passes and
kept for inspection when it fails.  Prints one line per check and exits 1 when
any check failed.  Needs numpy, h5py and PIL (Debian's /usr/bin/python3).
"""

import os
import re
import shutil
import sys
import time

import h5py
import numpy as np
from PIL import Image

sys.dont_write_bytecode = True  # no __pycache__ next to harness.py
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402  (tests/harness.py)
from harness import (MIB, MPI_FLAGS, alive, descendants, frame_files, frame_number, load_manifest,  # noqa: E402
                     manifest_frames, mpiexec_crashed, read_bytes, run)

EXIT_USAGE = 2  # docs/cli-spec.md: bad option

CFG = None  # parsed arguments


# ---- running cubecast -----------------------------------------------------

def mpi_command(np_ranks, args, wrapper=None):
    """mpiexec -np P cubecast ARGS; wrapper (a list) goes between them."""
    return harness.mpi_command(CFG, np_ranks, args, wrapper)


def shell_line(cmd):
    return " ".join(f"'{a}'" if re.search(r"[^\w./:=-]", a) else a for a in cmd)


def generate(c, path, *args):
    harness.generate(c, CFG, path, *args, timeout=120)


# ---- processes, from outside ------------------------------------------------

def io_counters(pid):
    """rchar (bytes through read(2) and friends, page cache included) of a live process."""
    if not alive(pid):
        return None
    try:
        with open(f"/proc/{pid}/io") as f:
            values = dict(line.split(": ") for line in f.read().splitlines() if ": " in line)
        return int(values["rchar"])
    except (OSError, KeyError, ValueError):
        return None


# ---- output folders ----------------------------------------------------------

def read_raw(path):
    with h5py.File(path, "r") as h5:
        return {name: h5[name][()] for name in ("frames", "angles", "frame_index", "projection")}


def listing(path):
    return sorted(os.listdir(path)) if os.path.isdir(path) else None


# ---- equivalence ----------------------------------------------------------------

# The brick grid cubecast chooses (src/plan.c choose_brick_grid), mirrored
# here only to print which grids a case exercised.
def brick_grid(shape, ranks):
    best, grid = None, None
    for px in range(1, ranks + 1):
        if ranks % px:
            continue
        for py in range(1, ranks // px + 1):
            if (ranks // px) % py:
                continue
            pz = ranks // px // py
            bx, by, bz = shape[0] / px, shape[1] / py, shape[2] / pz
            surface = (bx * by + by * bz + bx * bz) * (1.0 + 1e-9 * px)
            if best is None or surface < best:
                best, grid = surface, (px, py, pz)
    return grid


TOLERANCE = {"double": 1e-12, "single": 1e-5}
PROJECTION_TOLERANCE = 1e-12
SWEEP = ["--start-deg", "-30", "--sweep-deg", "360", "--frames", "6"]  # -30, 30, ..., 270 degrees


def render_case(c, work, cube, label, np_ranks, size, precision, decomp, composite, sweep):
    out, raw = os.path.join(work, label), os.path.join(work, label + ".h5")
    args = ["render", cube, "-o", out, "--size", str(size), "--precision", precision,
            "--raw", raw, "--quiet", "--decomp", decomp] + sweep
    if composite:
        args += ["--composite", composite]
    cmd = mpi_command(np_ranks, args)
    res = run(cmd, timeout=60)
    c.require(res.rc == 0, f"{label}: exit 0", res.describe() + "\n      " + shell_line(cmd))
    return out, read_raw(raw), cmd


def equivalence_set(c, work, cube, shape, size, precision, rank_counts, modes, sweep, frames):
    """Renders frames -np 1 and every (P, mode); compares each to it."""
    tag = f"{'x'.join(map(str, shape))}_N{size}_{precision}"
    base_out, base, base_cmd = render_case(c, work, cube, f"{tag}_frames_np1", 1, size, precision,
                                           "frames", None, sweep)
    levels = np.floor(255.0 * base["frames"].astype(np.float64) + 0.5)
    c.require(base["frames"].shape == (frames, size, size, 3) and len(np.unique(levels)) > 10,
              f"{tag}: frames mode gives {frames} frames of {size}x{size}, not blank",
              f"{base['frames'].shape}, {len(np.unique(levels))} levels")
    distinct = len({base["frames"][f].tobytes() for f in range(frames)})
    c.check(distinct == frames, f"{tag}: the {frames} view angles give {frames} different frames ({distinct})")
    worst = {}
    for np_ranks in rank_counts:
        for decomp, composite in modes:
            mode = decomp + (f"-{composite}" if composite else "")
            label = f"{tag}_{mode}_np{np_ranks}"
            grid = f" grid {brick_grid(shape, np_ranks)}" if decomp == "bricks" else ""
            started = time.monotonic()
            out, data, cmd = render_case(c, work, cube, label, np_ranks, size, precision, decomp, composite,
                                         sweep)
            print(f"      {label}{grid}: {time.monotonic() - started:.2f} s", flush=True)
            repro = f"\n      reproduce: {shell_line(base_cmd)}\n                 {shell_line(cmd)}"
            c.check(data["frames"].dtype == base["frames"].dtype and data["frames"].shape == base["frames"].shape,
                    f"{label}: raw frames have frames mode's type and shape",
                    f"{data['frames'].dtype}{data['frames'].shape} vs {base['frames'].dtype}{base['frames'].shape}")
            for name in ("angles", "frame_index"):
                c.check(np.array_equal(data[name], base[name]), f"{label}: raw '{name}' as in frames mode",
                        f"{data[name]} vs {base[name]}")
            diff = np.abs(data["frames"].astype(np.float64) - base["frames"].astype(np.float64))
            max_diff = float(diff.max()) if diff.size else float("nan")
            worst[(decomp, composite)] = max(worst.get((decomp, composite), 0.0), max_diff)
            where = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.size else None
            if decomp == "rows":
                c.check(data["frames"].tobytes() == base["frames"].tobytes(),
                        f"{label}: raw frames bitwise identical to frames mode",
                        f"max |diff| {max_diff:.3g} at (frame, j, k, channel) {where}{repro}")
                differing = [os.path.basename(p) for p in frame_files(base_out)
                             if not os.path.exists(os.path.join(out, os.path.basename(p)))
                             or read_bytes(os.path.join(out, os.path.basename(p))) != read_bytes(p)]
                c.check(differing == [], f"{label}: frame PNG bytes identical to frames mode",
                        f"differing: {differing}{repro}")
            else:
                c.check(max_diff <= TOLERANCE[precision],
                        f"{label}: raw frames within {TOLERANCE[precision]:g} of frames mode "
                        f"(max |diff| {max_diff:.3g})",
                        f"max |diff| {max_diff:.3g} at (frame, j, k, channel) {where}, angle "
                        f"{base['angles'][where[0]] if where else '?'} deg{repro}")
            # The PNGs are the run's own raw frames, quantised.
            files = frame_files(out)
            c.check([frame_number(p) for p in files] == list(range(frames)),
                    f"{label}: frame_00000..{frames - 1:05d}.png written", str(files))
            if len(files) == frames:
                pngs = np.stack([np.asarray(Image.open(p).convert("RGB")) for p in files])
                want = np.floor(255.0 * data["frames"].astype(np.float64) + 0.5).astype(np.uint8)
                c.check(np.array_equal(pngs, want), f"{label}: PNG pixels are the quantised raw frames")
            # Projection: a reduction of per-rank sums, to rounding.
            pdiff = np.abs(data["projection"] - base["projection"])
            finite = np.isfinite(base["projection"])
            c.check(data["projection"].shape == base["projection"].shape
                    and np.array_equal(finite, np.isfinite(data["projection"]))
                    and float(pdiff[finite].max()) <= PROJECTION_TOLERANCE,
                    f"{label}: raw projection within {PROJECTION_TOLERANCE:g} of frames mode "
                    f"(max |diff| {float(pdiff[finite].max()):.3g})", repro)
            # Frame f is written by rank f % P.
            entries = manifest_frames(load_manifest(out))
            writers = {f: entries[f].get("rank") for f in sorted(entries)}
            expected = {f: f % np_ranks for f in range(frames)}
            c.check(writers == expected, f"{label}: manifest says frame f was written by rank f % {np_ranks}",
                    f"got {writers}")
            shutil.rmtree(out, ignore_errors=True)
    for (decomp, composite), value in sorted(worst.items(), key=str):
        print(f"      {tag}: worst |diff| of {decomp}{'-' + composite if composite else ''} over P: {value:.3g}",
              flush=True)


def case_equivalence(c, work):
    frames = 6
    modes = [("rows", None), ("bricks", "root"), ("bricks", "swap")]
    ranks = [1, 2, 3, 4, 6]
    # A non-cubic cube; bricks split it across y and z.
    shape = (40, 56, 48)
    cube = os.path.join(work, "c.h5")
    generate(c, cube, "--shape", *shape)
    for precision in ("double", "single"):
        for size in (72, 24):  # camera grid larger and smaller than every axis
            equivalence_set(c, work, cube, shape, size, precision, ranks, modes, SWEEP, frames)
    # A cube long in x, so that bricks also split x (4 ranks: 4x1x1, 6: 3x1x2).
    shape = (64, 20, 24)
    cube = os.path.join(work, "long.h5")
    generate(c, cube, "--shape", *shape)
    equivalence_set(c, work, cube, shape, 40, "double", [4, 6], modes, SWEEP, frames)


# ---- memory ---------------------------------------------------------------------

def measured_run(c, work, cube, mode, np_ranks, args):
    """One render; per-rank peak RSS from /usr/bin/time, rchar sampled from /proc."""
    out = os.path.join(work, f"out_{mode}")
    stamp = os.path.join(work, f"rss_{mode}")
    # /usr/bin/time -f %M: the rank's maximum resident set size (KiB) from wait4(2).
    wrapper = ["sh", "-c", 'exec /usr/bin/time -f "%M" -o "$0.$OMPI_COMM_WORLD_RANK" "$@"', stamp]
    cmd = mpi_command(np_ranks, ["render", cube, "-o", out, "--decomp", mode] + args, wrapper)
    rchar, ranks = {}, {}

    def sample(proc, started):
        for pid in descendants(proc.pid):
            if pid not in ranks:
                rank = harness.world_rank(pid)
                if rank is None:
                    continue
                ranks[pid] = rank
            value = io_counters(pid)
            if value is not None:
                rchar[ranks[pid]] = max(rchar.get(ranks[pid], 0), value)

    res = harness.sample_run(cmd, 90, 0.005, sample)
    seconds = res.seconds
    c.require(res.rc == 0, f"{mode}: {np_ranks}-rank render exits 0",
              f"rc={res.rc} seconds={seconds:.1f} stderr={res.err[-2000:]!r}\n      {shell_line(cmd)}")
    rss = {}
    for rank in range(np_ranks):
        try:
            with open(f"{stamp}.{rank}") as f:
                rss[rank] = int(f.read().split()[-1]) * 1024
        except (OSError, ValueError, IndexError):
            pass
    c.require(sorted(rss) == list(range(np_ranks)), f"{mode}: /usr/bin/time measured every rank",
              f"got ranks {sorted(rss)}")
    profile = load_manifest(out).get("profile")
    c.require(isinstance(profile, dict) and len(profile.get("per_rank", [])) == np_ranks,
              f"{mode}: manifest.json has a profile with {np_ranks} per_rank entries", str(profile)[:500])
    per_rank = {int(entry["rank"]): entry for entry in profile["per_rank"]}
    print(f"      {mode}: {seconds:.2f} s", flush=True)
    return {"rss": rss, "rchar": rchar, "profile": per_rank, "cmd": cmd, "frames": manifest_frames(load_manifest(out))}


def case_memory(c, work):
    np_ranks, size, frames = 4, 256, 4
    cube = os.path.join(work, "cube256.h5")
    generate(c, cube, "--size", size)
    with h5py.File(cube, "r") as h5:
        dset = h5["density"]
        c.require(dset.shape == (size,) * 3 and dset.dtype == np.float32, "the cube is 256^3 float32",
                  f"{dset.shape} {dset.dtype}")
        volume = dset.size * dset.dtype.itemsize
    quarter = volume / np_ranks
    rss_limit = quarter + 64 * MIB
    read_limit = quarter * 1.03
    print(f"      volume {volume / MIB:.0f} MiB; limits per rank: peak RSS <= volume/4 + 64 MiB = "
          f"{rss_limit / MIB:.2f} MiB, bytes read <= volume/4 + 3% = {read_limit / MIB:.2f} MiB", flush=True)
    args = ["--size", "180", "--frames", str(frames), "--profile", "--quiet"]
    results = {}
    for mode in ("frames", "rows", "bricks"):
        results[mode] = measured_run(c, work, cube, mode, np_ranks, args)
    for mode in ("rows", "bricks"):
        r = results[mode]
        repro = "\n      reproduce: " + shell_line(r["cmd"])
        c.check(sorted(r["frames"]) == list(range(frames)), f"{mode}: manifest lists all {frames} frames")
        for rank in range(np_ranks):
            rss = r["rss"][rank]
            c.check(rss <= rss_limit, f"{mode}: rank {rank} peak RSS {rss / MIB:.1f} MiB <= volume/4 + 64 MiB "
                    f"= {rss_limit / MIB:.1f} MiB", repro)
            read = r["profile"][rank]["bytes_read"]
            c.check(read <= read_limit, f"{mode}: rank {rank} read {read / MIB:.2f} MiB <= volume/4 + 3% "
                    f"= {read_limit / MIB:.2f} MiB (profile bytes_read)", repro)
        total = sum(r["profile"][rank]["bytes_read"] for rank in range(np_ranks))
        # The projection needs every voxel once: the ranks' reads cover the cube.
        c.check(total >= volume, f"{mode}: the ranks read {total / MIB:.1f} MiB together, at least the "
                f"{volume / MIB:.0f} MiB cube (bytes_read is really counted)")
    # For the record (docs/performance.md): all three modes.
    print("\n      4 ranks, 256^3 float32 cube (64 MiB), --size 180 --frames 4, this machine (2 cores, "
          "oversubscribed)", flush=True)
    print("      | mode | rank | peak RSS, /usr/bin/time (MiB) | peak RSS, --profile (MiB) | "
          "bytes_read, --profile (MiB) | rchar, /proc (MiB) |")
    print("      |---|---|---|---|---|---|")
    for mode in ("frames", "rows", "bricks"):
        r = results[mode]
        for rank in range(np_ranks):
            p = r["profile"][rank]
            rchar = r["rchar"].get(rank)
            print(f"      | {mode} | {rank} | {r['rss'][rank] / MIB:.1f} | {p['peak_rss_bytes'] / MIB:.1f} | "
                  f"{p['bytes_read'] / MIB:.2f} | {'?' if rchar is None else f'{rchar / MIB:.2f}'} |")
    print("      (rchar: bytes the process pulled through read(2), sampled from /proc/PID/io while it "
          "ran; with collective MPI-IO one aggregator rank per node does the file reads)\n", flush=True)


# ---- auto -----------------------------------------------------------------------

def case_auto(c, work):
    cube = os.path.join(work, "c.h5")
    generate(c, cube, "--shape", 40, 56, 48)
    np_ranks = 2
    outputs = {}
    for mode in ("auto", "frames"):
        out, raw = os.path.join(work, mode), os.path.join(work, mode + ".h5")
        cmd = mpi_command(np_ranks, ["render", cube, "-o", out, "--size", "48", "--raw", raw,
                                     "--decomp", mode] + SWEEP)
        res = run(cmd, timeout=60)
        c.require(res.rc == 0, f"--decomp {mode}: exit 0", res.describe())
        outputs[mode] = (out, read_raw(raw), res)
    res = outputs["auto"][2]
    lines = [line for line in res.err.splitlines() if line.startswith("decomposition:")]
    c.check(len(lines) == 1, f"--decomp auto: exactly one 'decomposition:' line on stderr (got {len(lines)})",
            repr(res.err[-2000:]))
    line = lines[0] if lines else ""
    c.check(line.startswith("decomposition: frames"), "--decomp auto on a small cube chooses frames", repr(line))
    reason = line[len("decomposition: frames"):].strip(" :")
    c.check(len(reason) >= 10 and "MiB" in reason, "--decomp auto gives a reason (sizes in MiB)", repr(line))
    c.check(not any(l.startswith("decomposition:") for l in outputs["frames"][2].err.splitlines()),
            "--decomp frames prints no 'decomposition:' line")
    quiet = run(mpi_command(np_ranks, ["render", cube, "-o", os.path.join(work, "quiet"), "--size", "16",
                                       "--frames", "2", "--decomp", "auto", "--quiet"]), timeout=60)
    c.check(quiet.rc == 0, "--decomp auto --quiet: exit 0", quiet.describe())
    (auto_out, auto, _), (frames_out, frames, _) = outputs["auto"], outputs["frames"]
    for name in ("frames", "angles", "frame_index", "projection"):
        c.check(auto[name].dtype == frames[name].dtype and auto[name].tobytes() == frames[name].tobytes(),
                f"--decomp auto: raw '{name}' bitwise identical to --decomp frames")
    differing = [os.path.basename(p) for p in frame_files(frames_out)
                 if read_bytes(p) != read_bytes(os.path.join(auto_out, os.path.basename(p)))]
    c.check(len(frame_files(auto_out)) == 6 and differing == [],
            "--decomp auto: frame PNG bytes identical to --decomp frames", str(differing))


# ---- errors ---------------------------------------------------------------------

def case_errors(c, work):
    cube = os.path.join(work, "c.h5")
    generate(c, cube, "--shape", 12, 10, 8)
    cases = [("--decomp bogus", ["--decomp", "bogus"], ["bogus"]),
             ("--composite bogus", ["--composite", "bogus"], ["bogus"]),
             ("--decomp without a value", ["--decomp"], ["--decomp"]),
             # issue 15: a compositing method where nothing is composited
             ("--composite in frames mode", ["--composite", "swap"], ["--composite", "frames"]),
             ("--composite in rows mode", ["--decomp", "rows", "--composite", "root"],
              ["--composite", "rows"])]
    for name, bad, culprits in cases:
        check_refused(c, work, cube, name, bad, culprits, all_culprits=name.startswith("--comp")
                      and "mode" in name)


def check_refused(c, work, cube, name, bad, culprits, all_culprits=False):
    """cubecast render CUBE ... BAD under -np 1 and 3 (every rank's exit
    status recorded, and a plain mpiexec) and without mpiexec: one line
    'cubecast: error: ...' naming one of culprits (every one with
    all_culprits), exit 2 from every rank, nothing written."""
    named = all if all_culprits else any
    for np_ranks in (1, 3):
        label = f"{name} (-np {np_ranks})"
        cwd = os.path.join(work, f"cwd_{len(os.listdir(work))}")
        status_dir = os.path.join(work, f"status_{len(os.listdir(work))}")
        os.makedirs(cwd)
        os.makedirs(status_dir)
        target = os.path.join(cwd, "out")
        argv = ["render", cube, "--size", "8", "--frames", "2", "-o", target] + bad
        # Every rank runs to its own end; a wrapper records each one's exit status.
        wrapper = ["sh", "-c", '"$0" "$@"; rc=$?; echo $rc > "' + status_dir +
                   '/rank_$OMPI_COMM_WORLD_RANK"; exit $rc']
        cmd = ([CFG.mpiexec] + MPI_FLAGS + ["--mca", "orte_abort_on_non_zero_status", "0",
                                             "-np", str(np_ranks)] + wrapper + [CFG.cubecast] + argv)
        res = run(cmd, timeout=60, cwd=cwd)
        c.check(not res.timed_out, f"{label}: finishes", res.describe())
        ours = [l for l in res.err.splitlines() if "cubecast" in l or "error" in l.lower()]
        ours = [l for l in ours if "non-zero" not in l]
        c.check(len(ours) == 1, f"{label}: exactly one message line on stderr (got {len(ours)})",
                res.describe())
        first = ours[0] if ours else ""
        c.check(first.startswith("cubecast: error: ") and named(s in first for s in culprits),
                f"{label}: 'cubecast: error: ...' naming {culprits}", repr(first))
        statuses = {}
        for entry in os.listdir(status_dir):
            with open(os.path.join(status_dir, entry)) as f:
                statuses[int(entry.split("_")[1])] = int(f.read().strip())
        codes = [statuses.get(r) for r in range(np_ranks)]
        c.check(codes == [EXIT_USAGE] * np_ranks, f"{label}: every rank exits {EXIT_USAGE} ({codes})",
                res.describe())
        c.check(listing(cwd) == [], f"{label}: nothing written (no output folder)", str(listing(cwd)))
        # What users run: a plain mpiexec, which stops the job when a rank fails.
        plain = run(mpi_command(np_ranks, argv),
                    timeout=60, cwd=cwd)
        for _ in range(2):
            if not mpiexec_crashed(plain):
                break
            print(f"NOTE  {label}: mpiexec itself crashed tearing the job down (Open MPI, not "
                  f"cubecast); retrying\n      {plain.describe()}", flush=True)
            plain = run(mpi_command(np_ranks, argv),
                        timeout=60, cwd=cwd)
        ours = [l for l in plain.err.splitlines() if "cubecast: error" in l]
        c.check(plain.rc == EXIT_USAGE and len(ours) == 1,
                f"{label}, plain mpiexec: exits {EXIT_USAGE} (got {plain.rc}), one message line "
                f"(got {len(ours)})", plain.describe())
        c.check(listing(cwd) == [], f"{label}, plain mpiexec: nothing written", str(listing(cwd)))
    # Without mpiexec too.
    cwd = os.path.join(work, f"cwd_{len(os.listdir(work))}")
    os.makedirs(cwd)
    target = os.path.join(cwd, "out")
    argv = ["render", cube, "--size", "8", "--frames", "2", "-o", target] + bad
    res = run([CFG.cubecast] + argv, timeout=60, cwd=cwd)
    lines = res.err.splitlines()
    c.check(res.rc == EXIT_USAGE and len(lines) == 1 and lines[0].startswith("cubecast: error: ")
            and named(s in lines[0] for s in culprits),
            f"{name} (no mpiexec): exit {EXIT_USAGE}, one 'cubecast: error: ' line", res.describe())
    c.check(listing(cwd) == [], f"{name} (no mpiexec): nothing written", str(listing(cwd)))


# ---- transfer functions ---------------------------------------------------------

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden", "data")

# (name, options, background colour or None): a band file with an opacity
# unit; ParaView exports mapped onto a data range (UseLogScale without
# opacity points, over a background, with another opacity unit; linear with
# opacity points) (design.md section 5).
TRANSFER_CONFIGS = [
    ("bands5_ou2", ["--tf", os.path.join(DATA, "bands5.json"), "--opacity-unit", "2"], None),
    ("paraview_log_range_ou0.5_bg", ["--tf", os.path.join(DATA, "paraview_log.json"),
                                     "--data-range", "0.1:20000", "--opacity-unit", "0.5",
                                     "--background", "#3366cc"], (0x33, 0x66, 0xcc)),
    ("paraview_rgb_range", ["--tf", os.path.join(DATA, "paraview_rgb.json"), "--data-range", "0:20"],
     None),
]


def read_transmittance(path):
    with h5py.File(path, "r") as h5:
        return h5["transmittance"][()]


def compare_run(c, label, mode, decomp, precision, out, data, trans, base_out, base, base_t, frames,
                repro, worst, background=None):
    """One run's raw frames, transmittance and PNGs against frames mode -np 1's
    (base_out, base, base_t): bitwise in frames and rows modes, within
    TOLERANCE in bricks mode, whose PNGs must be its own raw frames
    quantised (or, over a background, within one level of frames mode's).
    worst[(mode, key)] keeps the largest difference seen."""
    for key in ("angles", "frame_index"):
        c.check(np.array_equal(data[key], base[key]), f"{label}: raw '{key}' as in frames mode")
    for key, got, want in (("frames", data["frames"], base["frames"]), ("transmittance", trans, base_t)):
        ok = got.dtype == want.dtype and got.shape == want.shape
        diff = np.abs(got.astype(np.float64) - want.astype(np.float64)) if ok else None
        max_diff = float(diff.max()) if ok else float("nan")
        where = np.unravel_index(int(np.argmax(diff)), diff.shape) if ok else None
        worst[(mode, key)] = max(worst.get((mode, key), 0.0), max_diff)
        if decomp in ("frames", "rows"):
            c.check(ok and got.tobytes() == want.tobytes(),
                    f"{label}: raw {key} bitwise identical to frames mode -np 1",
                    f"{got.dtype}{got.shape}; max |diff| {max_diff:.3g} at {where}{repro}")
        else:
            c.check(ok and max_diff <= TOLERANCE[precision],
                    f"{label}: raw {key} within {TOLERANCE[precision]:g} of frames mode -np 1 "
                    f"(max |diff| {max_diff:.3g})",
                    f"{got.dtype}{got.shape}; at (frame, j, k[, channel]) {where}, angle "
                    f"{base['angles'][where[0]] if where else '?'} deg{repro}")
    files = frame_files(out)
    c.check([frame_number(p) for p in files] == list(range(frames)),
            f"{label}: frame_00000..{frames - 1:05d}.png written", str(files))
    if decomp in ("frames", "rows"):
        differing = [os.path.basename(p) for p in frame_files(base_out)
                     if not os.path.exists(os.path.join(out, os.path.basename(p)))
                     or read_bytes(os.path.join(out, os.path.basename(p))) != read_bytes(p)]
        c.check(differing == [], f"{label}: frame PNG bytes identical to frames mode -np 1",
                f"differing: {differing}{repro}")
    elif len(files) == frames:
        pngs = np.stack([np.asarray(Image.open(p).convert("RGB")) for p in files])
        if background is None:
            want = np.floor(255.0 * data["frames"].astype(np.float64) + 0.5).astype(np.uint8)
            c.check(np.array_equal(pngs, want), f"{label}: PNG pixels are the quantised raw frames")
        else:
            # clip(C + T bg), C and T to rounding: one level at most from
            # frames mode's PNGs
            want = np.stack([np.asarray(Image.open(p).convert("RGB")) for p in frame_files(base_out)])
            off = int(np.abs(pngs.astype(int) - want.astype(int)).max())
            c.check(off <= 1, f"{label}: PNG pixels over the background within one level of "
                    f"frames mode -np 1's ({off})", repro)


def case_transfer(c, work):
    """With --tf and --opacity-unit, every decomposition and rank count gives
    frames mode -np 1's frames and transmittance: bitwise (and the PNG bytes)
    in frames and rows modes for P = 1..4, within 1e-5 (single) in bricks
    mode, root and swap; over a background the PNGs too (they show
    clip(C + T bg), so T must be right in every mode)."""
    shape, size, precision, frames = (36, 44, 40), 40, "single", 4
    sweep = ["--start-deg", "-30", "--sweep-deg", "360", "--frames", str(frames)]  # -30, 60, 150, 240
    cube = os.path.join(work, "c.h5")
    generate(c, cube, "--shape", *shape)
    _, default, _ = render_case(c, work, cube, "default_frames_np1", 1, size, precision, "frames", None,
                                sweep)
    modes = [("frames", None), ("rows", None), ("bricks", "root"), ("bricks", "swap")]
    for name, options, background in TRANSFER_CONFIGS:
        base_out, base, base_cmd = render_case(c, work, cube, f"{name}_frames_np1", 1, size, precision,
                                               "frames", None, sweep + options)
        base_t = read_transmittance(os.path.join(work, f"{name}_frames_np1.h5"))
        levels = np.floor(255.0 * base["frames"].astype(np.float64) + 0.5)
        c.require(base["frames"].shape == (frames, size, size, 3) and len(np.unique(levels)) > 10 and
                  float((base_t < 0.99).mean()) > 0.3,
                  f"{name}: frames mode gives {frames} frames of {size}x{size}, not blank",
                  f"{base['frames'].shape}, {len(np.unique(levels))} levels, "
                  f"{float((base_t < 0.99).mean()):.2f} of pixels with T < 0.99")
        moved = float(np.abs(base["frames"].astype(np.float64) - default["frames"].astype(np.float64)).max())
        c.check(moved > 0.05, f"{name}: the transfer function changes the picture (max |diff| from the "
                f"default {moved:.3g})")
        worst = {}
        for np_ranks in range(1, 5):
            for decomp, composite in modes:
                if decomp == "frames" and np_ranks == 1:
                    continue
                mode = decomp + (f"-{composite}" if composite else "")
                label = f"{name}_{mode}_np{np_ranks}"
                started = time.monotonic()
                out, data, cmd = render_case(c, work, cube, label, np_ranks, size, precision, decomp,
                                             composite, sweep + options)
                trans = read_transmittance(os.path.join(work, label + ".h5"))
                print(f"      {label}: {time.monotonic() - started:.2f} s", flush=True)
                repro = f"\n      reproduce: {shell_line(base_cmd)}\n                 {shell_line(cmd)}"
                compare_run(c, label, mode, decomp, precision, out, data, trans, base_out, base, base_t,
                            frames, repro, worst, background)
                shutil.rmtree(out, ignore_errors=True)
        for (mode, key), value in sorted(worst.items()):
            print(f"      {name}: worst |diff| of {mode} {key} over P = 1..4: {value:.3g}", flush=True)


# ---- the camera (design.md section 5) ---------------------------------------------

CAMERA_SWEEP = ["--start-deg", "-30", "--sweep-deg", "360", "--frames", "4"]  # -30, 60, 150, 240
CAMERA_SIZE = 32


def camera_set(c, work, cube, name, options, rows_ok, default=None):
    """One camera (options) on cube: frames mode -np 2..4 and rows mode -np
    1..4 (rows_ok: elevation 0 only) give frames mode -np 1's raw frames,
    transmittance and PNG bytes bit for bit; bricks mode (--composite root,
    -np 1..4; swap, -np 4) within 1e-5 (single), its PNGs its own raw
    frames quantised.  default: frames mode -np 1's raw frames of the
    default camera, which this camera must change."""
    size, precision, frames = CAMERA_SIZE, "single", 4
    base_out, base, base_cmd = render_case(c, work, cube, f"{name}_frames_np1", 1, size, precision,
                                           "frames", None, CAMERA_SWEEP + options)
    base_t = read_transmittance(os.path.join(work, f"{name}_frames_np1.h5"))
    levels = np.floor(255.0 * base["frames"].astype(np.float64) + 0.5)
    c.require(base["frames"].shape == (frames, size, size, 3) and len(np.unique(levels)) > 10 and
              float((base_t < 0.99).mean()) > 0.2,
              f"{name}: frames mode gives {frames} frames of {size}x{size}, not blank",
              f"{base['frames'].shape}, {len(np.unique(levels))} levels, "
              f"{float((base_t < 0.99).mean()):.2f} of pixels with T < 0.99")
    distinct = len({base["frames"][f].tobytes() for f in range(frames)})
    c.check(distinct == frames, f"{name}: the {frames} view angles give {frames} different frames ({distinct})")
    if default is not None:
        moved = float(np.abs(base["frames"].astype(np.float64) - default.astype(np.float64)).max())
        c.check(moved > 0.05, f"{name}: the camera changes the picture (max |diff| from the default "
                f"camera {moved:.3g})")
    runs = [("frames", None, p) for p in (2, 3, 4)]
    if rows_ok:
        runs += [("rows", None, p) for p in (1, 2, 3, 4)]
    # swap at P = 4: both of binary swap's rounds (P = 2 is its first alone)
    runs += [("bricks", "root", p) for p in (1, 2, 3, 4)] + [("bricks", "swap", 4)]
    worst = {}
    started_all = time.monotonic()
    for decomp, composite, np_ranks in runs:
        mode = decomp + (f"-{composite}" if composite else "")
        label = f"{name}_{mode}_np{np_ranks}"
        out, data, cmd = render_case(c, work, cube, label, np_ranks, size, precision, decomp,
                                     composite, CAMERA_SWEEP + options)
        trans = read_transmittance(os.path.join(work, label + ".h5"))
        repro = f"\n      reproduce: {shell_line(base_cmd)}\n                 {shell_line(cmd)}"
        compare_run(c, label, mode, decomp, precision, out, data, trans, base_out, base, base_t,
                    frames, repro, worst)
        shutil.rmtree(out, ignore_errors=True)
    print(f"      {name}: {len(runs)} runs in {time.monotonic() - started_all:.1f} s", flush=True)
    for (mode, key), value in sorted(worst.items()):
        print(f"      {name}: worst |diff| of {mode} {key}: {value:.3g}", flush=True)


def camera_default(c, work, cube, tag):
    """Frames mode -np 1's raw frames with the default camera."""
    _, data, _ = render_case(c, work, cube, f"{tag}_default_frames_np1", 1, CAMERA_SIZE, "single",
                             "frames", None, CAMERA_SWEEP)
    return data["frames"]


def case_camera_orbits(c, work):
    """Orbits about y and z on a non-cubic cube (every decomposition's
    stored axis order differs from the file's)."""
    cube = os.path.join(work, "c.h5")
    generate(c, cube, "--shape", 36, 44, 40)
    default = camera_default(c, work, cube, "c")
    camera_set(c, work, cube, "orbit_y", ["--axis", "y"], True, default)
    camera_set(c, work, cube, "orbit_z", ["--axis", "z"], True, default)


def case_camera_elevations(c, work):
    """Elevation +30 (orbit x) and -20 with zoom 1.4 (orbit y) on a cube long
    in x, so that bricks split the orbit axis too and a tilted ray crosses
    them: frames mode bitwise over P, bricks within 1e-5."""
    cube = os.path.join(work, "long.h5")
    generate(c, cube, "--shape", 56, 24, 28)
    default = camera_default(c, work, cube, "long")
    camera_set(c, work, cube, "elev_p30", ["--elevation", "30"], False, default)
    camera_set(c, work, cube, "elev_m20_zoom1.4_y", ["--axis", "y", "--elevation", "-20", "--zoom", "1.4"],
               False, default)


def case_camera_fit_spacing(c, work):
    """--fit with anisotropic --spacing (orbit z): every mode over P.
    --decomp rows with an elevation is refused (exit 2 from every rank,
    one message naming rows and the elevation, nothing written);
    --decomp auto with an elevation never takes rows: it names frames or
    bricks and gives frames mode's frames (bitwise, or within 1e-5 for
    bricks)."""
    cube = os.path.join(work, "c.h5")
    generate(c, cube, "--shape", 36, 44, 40)
    camera_set(c, work, cube, "fit_spacing_z", ["--axis", "z", "--fit", "--spacing", "1:1.5:3"], True,
               camera_default(c, work, cube, "c"))
    small = os.path.join(work, "small.h5")
    generate(c, small, "--shape", 12, 10, 8)
    check_refused(c, work, small, "--decomp rows --elevation 10", ["--decomp", "rows", "--elevation", "10"],
                  ["rows", "elevation"], all_culprits=True)
    # auto with an elevation
    np_ranks, options = 2, ["--elevation", "10", "--axis", "y"]
    outputs = {}
    for mode in ("auto", "frames"):
        out, raw = os.path.join(work, "auto_" + mode), os.path.join(work, f"auto_{mode}.h5")
        cmd = mpi_command(np_ranks, ["render", cube, "-o", out, "--size", "24", "--raw", raw,
                                     "--decomp", mode] + CAMERA_SWEEP + options)
        res = run(cmd, timeout=60)
        c.require(res.rc == 0, f"--decomp {mode} {' '.join(options)}: exit 0", res.describe())
        outputs[mode] = (read_raw(raw), res)
    lines = [line for line in outputs["auto"][1].err.splitlines() if line.startswith("decomposition:")]
    c.check(len(lines) == 1, f"--decomp auto {' '.join(options)}: exactly one 'decomposition:' line "
            f"(got {len(lines)})", repr(outputs["auto"][1].err[-2000:]))
    line = lines[0] if lines else ""
    chosen = line[len("decomposition:"):].strip().split(":")[0].strip()
    c.check(chosen in ("frames", "bricks"),
            f"--decomp auto {' '.join(options)}: chooses frames or bricks, never rows (chose {chosen!r})",
            repr(line))
    print(f"      --decomp auto {' '.join(options)} on 36x44x40, -np {np_ranks}: {line}", flush=True)
    auto, frames = outputs["auto"][0], outputs["frames"][0]
    diff = float(np.abs(auto["frames"].astype(np.float64) - frames["frames"].astype(np.float64)).max())
    if chosen == "bricks":
        c.check(diff <= TOLERANCE["single"], f"--decomp auto (bricks): raw frames within 1e-5 of --decomp "
                f"frames ({diff:.3g})")
    else:
        c.check(auto["frames"].tobytes() == frames["frames"].tobytes(),
                f"--decomp auto ({chosen}): raw frames bitwise those of --decomp frames ({diff:.3g})")


CASES = {"equivalence": case_equivalence, "memory": case_memory, "auto": case_auto, "errors": case_errors,
         "transfer": case_transfer, "camera_orbits": case_camera_orbits,
         "camera_elevations": case_camera_elevations, "camera_fit_spacing": case_camera_fit_spacing}


def main():
    global CFG
    CFG = harness.parse_args(__doc__, CASES)
    return harness.run_case(CFG, CASES, "decomp")


if __name__ == "__main__":
    sys.exit(main())
