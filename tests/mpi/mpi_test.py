#!/usr/bin/python3
"""MPI tests for cubecast's frames decomposition (issue 3, design.md section 2).

    mpi_test.py --cubecast BIN --mpiexec MPIEXEC --workdir DIR --datadir DIR CASE

CASE is one of:
  ranks_bitwise     frames, projection and --raw identical for -np 1, 2, 3, 4
  shared_volume_pss 4 ranks on a 512^3 float32 cube hold one copy (summed PSS)
  sigterm_resume    SIGTERM to mpiexec -> exit 75, clean folder; --resume completes
  sigusr1_resume    the same with SIGUSR1 (what Slurm's --signal usually sends)
  sigkill_resume    SIGKILL of the whole job; --resume copes with what it leaves
  dynamic_balance   a stalled rank takes fewer frames (frames handed out on demand)
  profile           --profile table on stderr and "profile" in manifest.json
  progress          one progress line per frame on stderr; none with --quiet

Each case works in its own folder under --workdir, removed when it passes and
kept for inspection when it fails.  Cubes come from `cubecast generate`; the
512^3 cube is generated once into --datadir and reused.  Prints one line per
check and exits 1 when any check failed.  Needs numpy, h5py and PIL (Debian's
/usr/bin/python3 has them).
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import zlib

import h5py
import numpy as np
from PIL import Image

sys.dont_write_bytecode = True  # no __pycache__ next to harness.py
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402  (tests/harness.py)
from harness import (MIB, alive, descendants, frame_files, frame_number, kill_session,  # noqa: E402
                     load_manifest, manifest_frames, read_bytes)

EXIT_INTERRUPTED = 75  # docs/cli-spec.md: interrupted by SIGTERM/SIGUSR1

PROGRESS_LINE = re.compile(r"frame (\d+)/(\d+) by rank (\d+), [\d.]+ frames/s, ETA")

CFG = None  # parsed arguments


# ---- running cubecast -----------------------------------------------------

def mpi_command(np_ranks, args):
    return harness.mpi_command(CFG, np_ranks, args)


def mpirun(np_ranks, args, timeout=120):
    return harness.run(mpi_command(np_ranks, args), timeout)


def generate(c, path, size):
    harness.generate(c, CFG, path, "--size", size, timeout=300)


# ---- processes, from outside ------------------------------------------------

def rank_pids(mpiexec_pid):
    pids = []
    for pid in descendants(mpiexec_pid):
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() == "cubecast":
                    pids.append(pid)
        except OSError:
            pass
    return sorted(pids)


def wait_gone(pids, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.05)
    return [pid for pid in pids if alive(pid)]


def rollup(pid):
    """Pss, Rss, Shared_* and Private_* of pid in bytes, from smaps_rollup."""
    values = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[2] == "kB":
                    values[parts[0].rstrip(":")] = int(parts[1]) * 1024
    except OSError:
        return None
    return values if "Pss" in values and "Rss" in values else None


# ---- output folders ----------------------------------------------------------

def temporaries(folder):
    return sorted(name for name in os.listdir(folder) if ".tmp" in name or "cubecast-tmp" in name)


def file_matches(folder, entry):
    path = os.path.join(folder, entry["file"])
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return False
    return len(data) == entry["bytes"] and zlib.crc32(data) == entry["crc32"]


def identity(path):
    info = os.stat(path)
    return info.st_ino, info.st_mtime_ns


# ---- cases ------------------------------------------------------------------

def case_ranks_bitwise(c, work):
    """Same frames, projection and --raw output whatever the rank count."""
    cube = os.path.join(work, "cube48.h5")
    generate(c, cube, 48)
    frames, size = 7, 40
    runs = [(np_ranks, "single") for np_ranks in (1, 2, 3, 4)] + [(1, "double"), (3, "double")]
    outputs = {}
    for np_ranks, precision in runs:
        label = f"np{np_ranks}_{precision}"
        out, raw = os.path.join(work, label), os.path.join(work, label + ".h5")
        res = mpirun(np_ranks, ["render", cube, "-o", out, "--frames", str(frames), "--size", str(size),
                                "--precision", precision, "--raw", raw, "--quiet"], timeout=60)
        print(f"      -np {np_ranks} {precision}: {res.seconds:.2f} s", flush=True)
        c.require(res.rc == 0, f"-np {np_ranks} --precision {precision}: exit 0", res.describe())
        files = frame_files(out)
        c.check([frame_number(p) for p in files] == list(range(frames)),
                f"{label}: frame_00000..{frames - 1:05d}.png written", str(files))
        c.check(temporaries(out) == [], f"{label}: no temporary files left", str(temporaries(out)))
        entries = manifest_frames(load_manifest(out))
        c.check(sorted(entries) == list(range(frames)), f"{label}: manifest lists all {frames} frames",
                str(sorted(entries)))
        ranks = {entry.get("rank") for entry in entries.values()}
        c.check(ranks <= set(range(np_ranks)), f"{label}: manifest ranks are in 0..{np_ranks - 1}", str(ranks))
        if np_ranks > 1:
            c.check(len(ranks) > 1, f"{label}: more than one rank rendered frames (manifest ranks {sorted(ranks)})",
                    str(ranks))
        with h5py.File(raw, "r") as h5:
            data = {name: h5[name][()] for name in ("frames", "angles", "frame_index", "projection")}
            data["attrs"] = {key: (value.decode() if isinstance(value, bytes) else np.asarray(value).tolist())
                             for key, value in h5.attrs.items()}
        outputs[(np_ranks, precision)] = (out, data)

        # The raw frames are what the PNGs quantise, and not a blank picture.
        expected_dtype = np.float64 if precision == "double" else np.float32
        c.check(data["frames"].dtype == expected_dtype and data["frames"].shape == (frames, size, size, 3),
                f"{label}: raw frames are ({frames}, {size}, {size}, 3) {precision}",
                f"{data['frames'].dtype} {data['frames'].shape}")
        c.check(data["frame_index"].tolist() == list(range(frames)), f"{label}: raw frame_index is 0..{frames - 1}",
                str(data["frame_index"]))
        levels = np.floor(255.0 * data["frames"].astype(np.float64) + 0.5).astype(np.uint8)
        pngs = np.stack([np.asarray(Image.open(p).convert("RGB")) for p in files]) if files else None
        c.check(pngs is not None and pngs.shape == levels.shape and np.array_equal(pngs, levels),
                f"{label}: PNG pixels are the quantised raw frames")
        c.check(pngs is not None and pngs.max() > 0 and len(np.unique(pngs)) > 10,
                f"{label}: frames are not blank")

    for precision in ("single", "double"):
        base_np = 1
        base_out, base = outputs[(base_np, precision)]
        for (np_ranks, prec), (out, data) in outputs.items():
            if prec != precision or np_ranks == base_np:
                continue
            what = f"-np {np_ranks} vs -np {base_np} ({precision})"
            same_png = all(read_bytes(os.path.join(out, os.path.basename(p))) == read_bytes(p)
                           for p in frame_files(base_out))
            c.check(same_png, f"{what}: frame PNG bytes identical")
            c.check(read_bytes(os.path.join(out, "projection.png")) == read_bytes(os.path.join(base_out, "projection.png")),
                    f"{what}: projection.png bytes identical")
            for name in ("frames", "angles", "frame_index", "projection"):
                a, b = data[name], base[name]
                same = a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
                detail = "" if same or a.shape != b.shape else f"max |diff| {np.nanmax(np.abs(a.astype(float) - b.astype(float)))}"
                c.check(same, f"{what}: raw '{name}' bitwise identical", detail)
            c.check(data["attrs"] == base["attrs"], f"{what}: raw attributes identical",
                    f"{data['attrs']} vs {base['attrs']}")
    single, double = outputs[(1, "single")][1]["frames"], outputs[(1, "double")][1]["frames"]
    c.check(single.dtype != double.dtype and np.abs(single.astype(np.float64) - double).max() < 1e-4,
            "single and double precision agree to 1e-4 (and differ in type)")


def cube512(c):
    """The shared 512^3 float32 cube in --datadir, generated once."""
    path = os.path.join(CFG.datadir, "cube512.h5")
    try:
        with h5py.File(path, "r") as h5:
            ok = h5["density"].shape == (512, 512, 512) and h5["density"].dtype == np.float32
    except (OSError, KeyError):
        ok = False
    if not ok:
        os.makedirs(CFG.datadir, exist_ok=True)
        partial = f"{path}.partial.{os.getpid()}"
        started = time.monotonic()
        generate(c, partial, 512)
        os.replace(partial, path)
        print(f"      generated {path} in {time.monotonic() - started:.1f} s", flush=True)
    return path


def case_shared_volume_pss(c, work):
    """4 ranks on one node hold one copy of a 512^3 float32 volume.

    Measured from outside: the ranks' summed proportional set size (a page
    mapped by k processes counts 1/k in each) stays near one volume, while
    their summed resident set size (a shared page counts fully in each)
    shows that several ranks do map most of the volume.  Four private copies
    would give a summed PSS of about 4 volumes."""
    volume = 512 ** 3 * 4
    pss_limit = 1.2 * volume + 4 * 32 * MIB
    cube = cube512(c)
    out = os.path.join(work, "out")
    cmd = mpi_command(4, ["render", cube, "-o", out, "--frames", "24", "--size", "256", "--quiet",
                          "--no-projection"])
    samples = []  # (seconds, [(pid, rollup)])

    def sample(proc, started):
        pids = rank_pids(proc.pid)
        rolls = [(pid, rollup(pid)) for pid in pids]
        rolls = [(pid, r) for pid, r in rolls if r is not None]
        if len(rolls) == 4:
            samples.append((time.monotonic() - started, rolls))

    res = harness.sample_run(cmd, 120, 0.05, sample)
    seconds = res.seconds
    c.require(res.rc == 0, "4-rank render of the 512^3 cube exits 0",
              f"rc={res.rc} seconds={seconds:.1f} stderr={res.err[-2000:]!r}")
    c.require(len(samples) >= 10, f"sampled all 4 ranks at least 10 times ({len(samples)} samples in {seconds:.1f} s)")

    def total(rolls, key):
        return sum(r.get(key, 0) for _, r in rolls)

    peak_pss = max(samples, key=lambda s: total(s[1], "Pss"))
    peak_rss = max(samples, key=lambda s: total(s[1], "Rss"))
    max_pss, max_rss = total(peak_pss[1], "Pss"), total(peak_rss[1], "Rss")
    print(f"      run {seconds:.1f} s, {len(samples)} samples of 4 ranks; volume {volume / MIB:.0f} MiB", flush=True)
    print(f"      max summed PSS {max_pss / MIB:.1f} MiB at {peak_pss[0]:.2f} s "
          f"(limit {pss_limit / MIB:.1f} MiB): per rank "
          + ", ".join(f"{r['Pss'] / MIB:.1f}" for _, r in peak_pss[1]), flush=True)
    print(f"      max summed RSS {max_rss / MIB:.1f} MiB at {peak_rss[0]:.2f} s: per rank "
          + ", ".join(f"{r['Rss'] / MIB:.1f}" for _, r in peak_rss[1]), flush=True)
    shared = total(peak_rss[1], "Shared_Clean") + total(peak_rss[1], "Shared_Dirty")
    print(f"      at the RSS peak: summed Shared_Clean + Shared_Dirty {shared / MIB:.1f} MiB", flush=True)
    c.check(max_pss <= pss_limit, f"max summed PSS {max_pss / MIB:.0f} MiB <= 1.2 x volume + 4 x 32 MiB "
            f"= {pss_limit / MIB:.0f} MiB")
    # The volume really was resident while sampling (otherwise a low PSS proves nothing).
    c.check(max_pss >= 0.9 * volume, f"max summed PSS {max_pss / MIB:.0f} MiB >= 0.9 x volume "
            f"(the volume was held while sampling)")
    # ... and mapped by several ranks at once: shared pages count fully in each RSS.
    c.check(max_rss > 1.5 * volume, f"max summed RSS {max_rss / MIB:.0f} MiB > 1.5 x volume "
            f"= {1.5 * volume / MIB:.0f} MiB (ranks map the same pages)")
    # Pages mapped by more than one process count as Shared_* in each of them.
    c.check(shared > 0.5 * volume, f"at the RSS peak the ranks' summed Shared_* {shared / MIB:.0f} MiB "
            f"> 0.5 x volume (the volume pages are mapped by several ranks)")
    entries = manifest_frames(load_manifest(out))
    c.check(sorted(entries) == list(range(24)), "manifest lists all 24 frames")


# ---- interruption and resume --------------------------------------------------

SWEEP = ["--frames", "60", "--size", "256"]  # a 256^3 cube: about 5 s on 4 ranks on 2 cores


def sweep_args(cube, out, extra=()):
    return ["render", cube, "-o", out] + SWEEP + list(extra)


def reference_sweep(c, work):
    cube = os.path.join(work, "cube256.h5")
    generate(c, cube, 256)
    ref = os.path.join(work, "uninterrupted")
    res = mpirun(4, sweep_args(cube, ref, ["--quiet"]), timeout=120)
    print(f"      uninterrupted 4-rank run: {res.seconds:.1f} s", flush=True)
    c.require(res.rc == 0, "uninterrupted 4-rank run exits 0", res.describe())
    frames = int(SWEEP[1])
    c.require([frame_number(p) for p in frame_files(ref)] == list(range(frames)),
              f"uninterrupted run wrote all {frames} frames")
    return cube, ref, frames


def listed_frames(folder):
    """Frames the manifest of a running job lists now (it is replaced atomically)."""
    try:
        return len(manifest_frames(load_manifest(folder)))
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def listed_not_on_disk(folder):
    """Frames the manifest of a running job lists now whose PNG is not there
    (the manifest is read first: a frame is reported only once it is on disk,
    and a running job removes none, issue 12's writer thread)."""
    try:
        listed = set(manifest_frames(load_manifest(folder)))
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return listed - {frame_number(p) for p in frame_files(folder)}


def start_and_wait_for_frames(c, cube, out, least, listed=0):
    """Starts a 4-rank sweep and returns once `least` frame files exist and
    the manifest lists at least `listed` frames.  While it waits, every
    frame the manifest lists must be on disk."""
    proc = harness.start(mpi_command(4, sweep_args(cube, out)))
    started = time.monotonic()
    early = set()

    def ready():
        return os.path.isdir(out) and len(frame_files(out)) >= least and listed_frames(out) >= listed

    while time.monotonic() - started < 60 and proc.poll() is None and not ready():
        early |= listed_not_on_disk(out)
        time.sleep(0.01)
    c.check(not early, "while the sweep ran, every frame its manifest listed was on disk",
            f"listed before their file existed: {sorted(early)}")
    if proc.poll() is not None or not ready():
        if proc.poll() is None:
            kill_session(proc)
        _, err = proc.communicate()
        c.require(False, f"a running sweep had written {least} frames ({listed} in its manifest)",
                  f"rc={proc.returncode}, {len(frame_files(out)) if os.path.isdir(out) else 0} frames, "
                  f"{listed_frames(out)} listed; stderr {err[-1500:]!r}")
    return proc


def resume_and_compare(c, cube, out, ref, frames, kept):
    """Reruns with --resume and checks the final folder; kept: {frame: (inode, mtime_ns)}."""
    res = mpirun(4, sweep_args(cube, out, ["--resume"]), timeout=120)
    print(f"      resumed run: {res.seconds:.1f} s", flush=True)
    c.require(res.rc == 0, "rerun with --resume exits 0", res.describe())
    c.check([frame_number(p) for p in frame_files(out)] == list(range(frames)),
            f"after --resume all {frames} frames exist", str([os.path.basename(p) for p in frame_files(out)]))
    c.check(temporaries(out) == [], "after --resume no temporary files are left", str(temporaries(out)))
    differing = [frame_number(p) for p in frame_files(ref)
                 if not os.path.exists(os.path.join(out, os.path.basename(p)))
                 or read_bytes(os.path.join(out, os.path.basename(p))) != read_bytes(p)]
    c.check(differing == [], "every frame equals the uninterrupted run's, byte for byte", f"differ: {differing}")
    rerendered = [frame for frame, ident in sorted(kept.items())
                  if identity(os.path.join(out, f"frame_{frame:05d}.png")) != ident]
    c.check(rerendered == [], f"the {len(kept)} frames finished before were not rendered again "
            "(inode and mtime unchanged)", f"rewritten: {rerendered}")
    entries = manifest_frames(load_manifest(out))
    c.check(sorted(entries) == list(range(frames)), f"the final manifest lists all {frames} frames",
            str(sorted(entries)))
    c.check(all(file_matches(out, entry) for entry in entries.values()),
            "the final manifest's sizes and CRC-32s match the files")
    return res, entries


def interrupt_and_resume(c, work, cube, ref, frames, signum, target):
    """Signals a running 4-rank sweep, checks what it leaves, resumes it.

    target "ranks": the signal goes to every rank, as Slurm delivers it to the
    tasks of a step.  target "mpiexec": it goes to mpiexec alone, which Open
    MPI forwards (SIGUSR1) or answers by terminating the job (SIGTERM: the
    ranks get SIGTERM about a second later, and SIGKILL a second after that
    if they have not exited, see odls_base_sigkill_timeout)."""
    name = signal.Signals(signum).name
    label = f"{name} to {target}"
    out = os.path.join(work, f"{name.lower()}_{target}")
    proc = start_and_wait_for_frames(c, cube, out, least=2 if target == "mpiexec" else 4)
    ranks = rank_pids(proc.pid)
    c.require(len(ranks) == 4, f"{label}: found the 4 ranks of the running job", str(ranks))
    sent = time.monotonic()
    for pid in ([proc.pid] if target == "mpiexec" else ranks):
        os.kill(pid, signum)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        kill_session(proc)
        _, err = proc.communicate()
        c.require(False, f"{label}: mpiexec exits within 60 s", f"stderr {err[-1500:]!r}")
    waited = time.monotonic() - sent
    print(f"      {label}: mpiexec exit {proc.returncode} after {waited:.2f} s", flush=True)
    # mpiexec may return while it still kills ranks that sit in MPI_Finalize.
    left = wait_gone(ranks, 5)
    c.check(left == [], f"{label}: no rank is left running 5 s after mpiexec exits", str(left))
    if target == "ranks" or signum != signal.SIGTERM:
        c.check(proc.returncode == EXIT_INTERRUPTED,
                f"{label}: exit status {EXIT_INTERRUPTED} (interrupted, rerun with --resume)",
                f"rc={proc.returncode} stderr={err[-1500:]!r}")
        c.check(waited < 10, f"{label}: the job stops within 10 s ({waited:.1f} s)")
    else:
        # Open MPI 4.1's mpirun treats SIGTERM as "abort the job": the ranks stop
        # cleanly, but mpirun tears down PMIx, so their MPI_Finalize blocks until
        # it SIGKILLs them, and mpirun itself exits 1.  Nothing cubecast can change;
        # the output folder must still be clean and resumable.
        c.check(proc.returncode not in (None, 0), f"{label}: mpiexec exits non-zero (Open MPI gives "
                f"{proc.returncode}; 75 needs the signal at the ranks, as Slurm sends it)")
        c.check(waited < 10, f"{label}: the job stops within 10 s ({waited:.1f} s)")
    errors = [line for line in err.splitlines() if line.startswith("cubecast: error: ")]
    c.check(len(errors) == 1 and "resume" in errors[0],
            f"{label}: exactly one 'cubecast: error:' line, which mentions --resume", f"stderr {err[-1500:]!r}")
    c.check(temporaries(out) == [], f"{label}: no temporary files are left", str(temporaries(out)))
    c.require(os.path.exists(os.path.join(out, "manifest.json")), f"{label}: manifest.json exists")
    entries = manifest_frames(load_manifest(out))
    on_disk = [frame_number(p) for p in frame_files(out)]
    print(f"      {label}: {len(entries)} frames in the manifest, {len(on_disk)} on disk", flush=True)
    c.check(sorted(entries) == on_disk, f"{label}: the manifest lists exactly the frames on disk",
            f"manifest {sorted(entries)} vs files {on_disk}")
    c.require(0 < len(entries) < frames,
              f"{label}: the run was interrupted part way ({len(entries)} of {frames} frames)")
    c.check(all(file_matches(out, entry) for entry in entries.values()),
            f"{label}: each listed frame has its recorded size and CRC-32")
    kept = {frame: identity(os.path.join(out, entry["file"])) for frame, entry in entries.items()
            if file_matches(out, entry)}
    time.sleep(0.05)  # so that a rewrite would show in mtime_ns even on coarse clocks
    _, final = resume_and_compare(c, cube, out, ref, frames, kept)
    keys = ("rank", "seconds", "crc32", "bytes")
    same_records = [frame for frame in entries
                    if {k: final[frame].get(k) for k in keys} == {k: entries[frame].get(k) for k in keys}]
    c.check(len(same_records) == len(entries), f"{label}: the resumed manifest keeps the earlier frames' records",
            f"{len(same_records)} of {len(entries)} unchanged")


def case_sigterm_resume(c, work):
    cube, ref, frames = reference_sweep(c, work)
    interrupt_and_resume(c, work, cube, ref, frames, signal.SIGTERM, "ranks")
    interrupt_and_resume(c, work, cube, ref, frames, signal.SIGTERM, "mpiexec")


def case_sigusr1_resume(c, work):
    cube, ref, frames = reference_sweep(c, work)
    interrupt_and_resume(c, work, cube, ref, frames, signal.SIGUSR1, "mpiexec")


def case_sigkill_resume(c, work):
    cube, ref, frames = reference_sweep(c, work)
    out = os.path.join(work, "killed")
    proc = start_and_wait_for_frames(c, cube, out, least=6, listed=4)
    pids = descendants(proc.pid)
    pgid = os.getpgid(proc.pid)
    outside = []
    for pid in pids:  # Open MPI puts each rank in a process group of its own
        try:
            if os.getpgid(pid) != pgid:
                outside.append(pid)
                os.killpg(os.getpgid(pid), signal.SIGKILL)
        except ProcessLookupError:
            pass
    os.killpg(pgid, signal.SIGKILL)
    proc.communicate()
    c.require(wait_gone(pids, 10) == [], "every process of the job is gone after SIGKILL")
    if outside:
        print(f"      {len(outside)} processes of the job had process groups of their own; killed those too",
              flush=True)
    c.require(os.path.exists(os.path.join(out, "manifest.json")), "after SIGKILL a manifest.json exists")
    entries = manifest_frames(load_manifest(out))
    on_disk = [frame_number(p) for p in frame_files(out)]
    debris = temporaries(out)
    print(f"      after SIGKILL: {len(entries)} frames in the manifest, {len(on_disk)} on disk, "
          f"temporaries {debris}", flush=True)
    c.check(0 < len(entries) < frames, f"the job was killed part way ({len(entries)} of {frames} frames listed)")
    c.check(set(entries) <= set(on_disk), "every frame the manifest lists exists on disk",
            f"{sorted(set(entries) - set(on_disk))}")
    kept = {frame: identity(os.path.join(out, entry["file"])) for frame, entry in entries.items()
            if file_matches(out, entry)}
    c.check(len(kept) == len(entries), "every listed frame has its recorded size and CRC-32")

    # What else a dead job can leave behind, made certain rather than left to timing:
    # temporaries of a frame and of the manifest, a frame the manifest does not list
    # that is cut short, and a listed frame whose bytes no longer match its CRC-32.
    planted = {}
    unlisted = [f for f in range(frames) if f not in entries]
    cut = unlisted[-1]
    with open(os.path.join(out, f"frame_{cut:05d}.png"), "wb") as f:
        f.write(read_bytes(os.path.join(ref, f"frame_{cut:05d}.png"))[:100])
    planted["cut-short unlisted frame"] = cut
    corrupt = sorted(kept)[0]
    path = os.path.join(out, f"frame_{corrupt:05d}.png")
    data = bytearray(read_bytes(path))
    data[len(data) // 2] ^= 0xFF
    with open(path, "wb") as f:
        f.write(bytes(data))
    del kept[corrupt]
    planted["listed frame with a bad CRC"] = corrupt
    c.require(len(kept) >= 2, f"{len(kept)} intact listed frames remain to check that resume keeps them")
    # cubecast's temporary names (atomic_file.h), of a process that is gone:
    # pid 2^22 + 1 is above Linux's default pid_max.
    host = socket.gethostname()
    for name in (f".frame_{unlisted[0]:05d}.png.cubecast-tmp-4194305@{host}",
                 f".manifest.json.cubecast-tmp-4194305@{host}"):
        with open(os.path.join(out, name), "wb") as f:
            f.write(b"half")
    print(f"      planted: {planted}", flush=True)

    resume_and_compare(c, cube, out, ref, frames, kept)


def world_rank(pid):
    """The MPI rank Open MPI gave process pid (from its environment)."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            for item in f.read().split(b"\0"):
                if item.startswith(b"OMPI_COMM_WORLD_RANK="):
                    return int(item.split(b"=", 1)[1])
    except OSError:
        pass
    return None


def case_dynamic_balance(c, work):
    """Rank 0 hands out frames on demand: a rank that stalls takes fewer.

    Rank 3 is stopped (SIGSTOP) once the sweep is under way and continued
    when the others have rendered most frames; with frames handed out on
    demand it renders far fewer than its static quarter."""
    cube, ref, frames = reference_sweep(c, work)
    out = os.path.join(work, "stalled")
    proc = start_and_wait_for_frames(c, cube, out, least=2)
    ranks = {world_rank(pid): pid for pid in rank_pids(proc.pid)}
    c.require(sorted(ranks) == [0, 1, 2, 3], "found ranks 0..3 of the running job", str(ranks))
    os.kill(ranks[3], signal.SIGSTOP)
    stopped = time.monotonic()
    try:
        while time.monotonic() - stopped < 30 and proc.poll() is None and len(frame_files(out)) < frames - 4:
            time.sleep(0.02)
    finally:
        os.kill(ranks[3], signal.SIGCONT)
    print(f"      rank 3 stopped for {time.monotonic() - stopped:.1f} s", flush=True)
    try:
        _, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        kill_session(proc)
        _, err = proc.communicate()
    c.require(proc.returncode == 0, "the sweep with a stalled rank exits 0", f"rc={proc.returncode} {err[-1500:]!r}")
    entries = manifest_frames(load_manifest(out))
    c.check(sorted(entries) == list(range(frames)), f"manifest lists all {frames} frames")
    per_rank = {rank: sum(1 for e in entries.values() if e.get("rank") == rank) for rank in range(4)}
    print(f"      frames per rank: {per_rank}", flush=True)
    c.check(per_rank[3] <= frames // 8, f"the stalled rank 3 rendered at most {frames // 8} of {frames} frames "
            f"(it rendered {per_rank[3]}; a static split gives it {frames // 4})")
    c.check(per_rank[0] > 0, "rank 0 renders frames too (it is not an idle master)")
    differing = [frame_number(p) for p in frame_files(ref)
                 if read_bytes(os.path.join(out, os.path.basename(p))) != read_bytes(p)]
    c.check(differing == [], "frames equal the undisturbed run's", f"differ: {differing}")


def case_profile(c, work):
    cube = os.path.join(work, "cube48.h5")
    generate(c, cube, 48)
    out, frames = os.path.join(work, "out"), 9
    res = mpirun(2, ["render", cube, "-o", out, "--frames", str(frames), "--size", "64", "--profile", "--quiet"],
                 timeout=60)
    c.require(res.rc == 0, "-np 2 --profile exits 0", res.describe())
    print("      stderr:\n" + "\n".join("        " + line for line in res.err.splitlines()), flush=True)
    number = r"(\d+(?:\.\d+)?)"
    for phase in ("read", "render", "png encode", "write", "wait"):
        m = re.search(rf"^\s*{re.escape(phase)}\s+{number}\s+{number}\s+{number}", res.err, re.M)
        ok = m is not None and float(m.group(1)) <= float(m.group(2)) <= float(m.group(3))
        c.check(ok, f"table row '{phase}' with min <= mean <= max")
    for rank in range(2):
        m = re.search(rf"^\s*(?:rank\s+)?{rank}\s+{number}\s+{number}", res.err, re.M)
        c.check(m is not None, f"table row for rank {rank}")
    profile = load_manifest(out).get("profile")
    c.require(isinstance(profile, dict), "manifest.json has a 'profile' object", str(profile)[:300])
    per_rank = profile.get("per_rank")
    c.require(isinstance(per_rank, list) and len(per_rank) == 2, "profile.per_rank has one entry per rank",
              str(per_rank)[:300])
    c.check(sorted(entry.get("rank") for entry in per_rank) == [0, 1], "per_rank entries name ranks 0 and 1")
    c.check(all(entry.get("peak_rss_bytes", 0) > 0 for entry in per_rank), "every rank's peak_rss_bytes > 0")
    c.check(all(entry.get("bytes_read", 0) > 0 for entry in per_rank), "every rank's bytes_read > 0")
    total_read = sum(entry.get("bytes_read", 0) for entry in per_rank)
    c.check(total_read == 48 ** 3 * 4, f"the ranks together read the float32 volume once ({total_read} bytes)")
    c.check(sum(entry.get("frames", 0) for entry in per_rank) == frames,
            f"per_rank frames sum to {frames}", str([entry.get("frames") for entry in per_rank]))
    phases = profile.get("phases", {})
    for phase in ("read", "render", "png encode", "write", "wait"):
        p = phases.get(phase, {})
        c.check(all(k in p for k in ("min", "mean", "max")) and p["min"] <= p["mean"] <= p["max"],
                f"profile.phases['{phase}'] has min <= mean <= max", str(p))
    c.check(phases.get("render", {}).get("max", 0) > 0, "render time is positive")


def case_progress(c, work):
    cube = os.path.join(work, "cube48.h5")
    generate(c, cube, 48)
    frames = 8
    args = ["render", cube, "--frames", str(frames), "--size", "48"]
    res = mpirun(2, args + ["-o", os.path.join(work, "loud")], timeout=60)
    c.require(res.rc == 0, "-np 2 render exits 0", res.describe())
    lines = [line for line in res.err.splitlines() if PROGRESS_LINE.search(line)]
    print("      progress lines:\n" + "\n".join("        " + line for line in lines), flush=True)
    c.check(len(lines) == frames, f"{frames} progress lines, one per frame", res.err[-1500:])
    found = [PROGRESS_LINE.search(line) for line in lines]
    c.check(sorted(int(m.group(1)) for m in found) == list(range(1, frames + 1))
            and all(int(m.group(2)) == frames for m in found), f"lines count frames 1..{frames} of {frames}")
    c.check(all(int(m.group(3)) in (0, 1) for m in found), "lines name rank 0 or 1")
    c.check(all(PROGRESS_LINE.match(line.lstrip("\r")) for line in lines), "each line is just the progress report")
    quiet = mpirun(2, args + ["-o", os.path.join(work, "quiet"), "--quiet"], timeout=60)
    c.require(quiet.rc == 0, "-np 2 render --quiet exits 0", quiet.describe())
    c.check(not re.search(r"frame \d+/\d+", quiet.err), "--quiet prints no progress", quiet.err[-1500:])
    c.check(len(frame_files(os.path.join(work, "quiet"))) == frames, "--quiet still writes every frame")


def case_sigterm_resume_rows_bricks(c, work):
    # rows and bricks render every frame on all ranks together; a stop
    # signal reaching the ranks must stop them at the same frame, and
    # --resume must finish the sweep as an uninterrupted run of that mode.
    global SWEEP
    plain = list(SWEEP)
    try:
        for mode in (["--decomp", "rows"], ["--decomp", "bricks", "--composite", "swap"]):
            SWEEP = plain + mode
            print(f"      mode: {' '.join(mode)}", flush=True)
            folder = os.path.join(work, mode[1])
            os.makedirs(folder, exist_ok=True)
            cube, ref, frames = reference_sweep(c, folder)
            interrupt_and_resume(c, folder, cube, ref, frames, signal.SIGTERM, "ranks")
    finally:
        SWEEP = plain


CASES = {
    "ranks_bitwise": case_ranks_bitwise,
    "sigterm_resume_rows_bricks": case_sigterm_resume_rows_bricks,
    "shared_volume_pss": case_shared_volume_pss,
    "sigterm_resume": case_sigterm_resume,
    "sigusr1_resume": case_sigusr1_resume,
    "sigkill_resume": case_sigkill_resume,
    "dynamic_balance": case_dynamic_balance,
    "profile": case_profile,
    "progress": case_progress,
}


def main():
    global CFG
    CFG = harness.parse_args(__doc__, CASES, "--datadir")
    return harness.run_case(CFG, CASES, "mpi")


if __name__ == "__main__":
    sys.exit(main())
