#!/usr/bin/python3
"""Fault tests for cubecast (issue 9): what a run leaves and what it says when
a rank dies, the disk fills up, the output folder is read-only, or the
memory it may use is too small for the cube.

    fault_test.py --cubecast BIN --mpiexec MPIEXEC --workdir DIR CASE

CASE is one of:
  kill_frames        SIGKILL of rank 0, then of rank 2, in a 4-rank sweep
  kill_rows            (--decomp frames / rows / bricks --composite root /
  kill_bricks_root      bricks --composite swap), each once some frames
  kill_bricks_swap      exist: mpiexec ends non-zero without hanging, then
                        the same command with --resume finishes the sweep
                        with frames identical to an uninterrupted run, each
                        listed once in manifest.json, no temporary files
  disk_full          a sweep into a tmpfs too small for it (one process):
                     exit 4, one 'No space left' line, only whole frames and a
                     manifest listing exactly them; after the tmpfs grows,
                     --resume finishes and equals an uninterrupted run
  disk_full_mpi      the same with 3 ranks (frames written by ranks other than 0)
  disk_full_raw      --raw into a tmpfs too small for it (1 and 2 ranks): exit 4,
                     one line with the reason, no crash, no raw file left
  readonly           an existing read-only output folder, and a folder to be
                     created under a read-only parent (1 process and 2 ranks;
                     as root with read-only tmpfs mounts, and with mode 0555
                     as user nobody): exit 4, one line naming the folder,
                     nothing created
  memory_cgroup      one process in a memory cgroup (96 MiB) on a cube that
                     needs 128 MiB: exit 3, one line giving the figures, no
                     folder, not killed by the OOM killer; a cube that fits
                     renders in the same cgroup
  memory_cgroup_mpi  the same refusal with mpiexec -np 2 --decomp frames (every
                     rank exits non-zero, one line, no MPI abort trace)
  memory_auto        --decomp auto with 2 ranks in a cgroup: chooses rows or
                     bricks when the cube takes more than half the limit and
                     renders; refuses (exit 3) when nothing fits
  slurm_mem          SLURM_MEM_PER_NODE=64 (MiB) without a cgroup: the same
                     refusal as memory_cgroup; a small cube still renders

Cases that need mount or a writable memory cgroup exit 77 (skipped) where
they are not permitted.  Each case works in its own folder under --workdir,
removed when it passes and kept for inspection when it fails.  Prints one
line per check and exits 1 when any check failed.  Needs numpy and PIL
(Debian's /usr/bin/python3).
"""

import collections
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zlib

import numpy as np
from PIL import Image

sys.dont_write_bytecode = True  # no __pycache__ next to harness.py
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402  (tests/harness.py)
from harness import (MIB, alive, descendants, frame_files, frame_number,  # noqa: E402
                     kill_session, read_bytes)

EXIT_INPUT = 3   # bad input (and, issue 9, a cube that does not fit in memory)
EXIT_OUTPUT = 4  # the output cannot be written
EXIT_SKIP = 77   # ctest SKIP_RETURN_CODE

ERROR_PREFIX = "cubecast: error: "
MPI_ABORT_MARKS = ("MPI_ERRORS_ARE_FATAL", "MPI_ABORT", "MPI_Abort")

CFG = None  # parsed arguments


class Skip(Exception):
    """The case cannot run here (no mount, no writable memory cgroup)."""


# ---- running cubecast -----------------------------------------------------

def cubecast(args):
    return [CFG.cubecast] + [str(a) for a in args]


def mpi_command(np_ranks, args, wrapper=None, mca=()):
    cmd = harness.mpi_command(CFG, np_ranks, [str(a) for a in args], wrapper)
    return cmd[:1] + list(mca) + cmd[1:]


# How much slower the build under test renders than a plain one: scripts/test
# sets it for the AddressSanitizer build (about 25 x).  The kill cases then
# draw smaller frames (the kill must still land mid-sweep) and every run
# gets proportionally more time.
SLOWDOWN = max(1.0, float(os.environ.get("CUBECAST_TEST_SLOWDOWN", "1")))


def run(cmd, timeout=60, env=None, cwd=None):
    return harness.run(cmd, timeout * SLOWDOWN, env=env, cwd=cwd)


def run_mpi(cmd, timeout=60, env=None, cwd=None):
    """Runs an mpiexec command; reruns it (twice at most) when mpiexec itself
    crashed while tearing down a failed job (harness.mpiexec_crashed)."""
    res = run(cmd, timeout, env=env, cwd=cwd)
    for _ in range(2):
        if not harness.mpiexec_crashed(res):
            break
        print("NOTE  mpiexec itself crashed while tearing the job down (Open MPI bug, "
              "not cubecast); running it again", flush=True)
        res = run(cmd, timeout, env=env, cwd=cwd)
    return res


def generate(c, path, *args):
    harness.generate(c, CFG, path, *args, timeout=120)


def status_wrapper(folder):
    """sh -c between mpiexec and cubecast that records each rank's exit status
    in FOLDER/rank_<rank> (with orte_abort_on_non_zero_status 0, every rank
    runs to its own end)."""
    script = '"$0" "$@"; rc=$?; echo $rc > "' + folder + '/rank_$OMPI_COMM_WORLD_RANK"; exit $rc'
    return ["sh", "-c", script]


NO_ABORT_ON_NON_ZERO = ("--mca", "orte_abort_on_non_zero_status", "0")


def read_statuses(folder, np_ranks):
    statuses = []
    for rank in range(np_ranks):
        try:
            with open(os.path.join(folder, f"rank_{rank}")) as f:
                statuses.append(int(f.read().strip()))
        except (OSError, ValueError):
            statuses.append(None)
    return statuses


def error_lines(text):
    return [line for line in text.splitlines() if line.startswith(ERROR_PREFIX)]


def check_one_error_line(c, label, res, mpi=False):
    """Exactly one 'cubecast: error: ' line; for one process, nothing else on
    stderr either (the runs here pass --quiet).  Returns the line or ''."""
    lines = error_lines(res.err)
    c.check(len(lines) == 1, f"{label}: exactly one line starting '{ERROR_PREFIX}' on stderr "
            f"(got {len(lines)})", res.describe_output())
    if not mpi:
        others = [line for line in res.err.splitlines() if line.strip() and not line.startswith(ERROR_PREFIX)]
        c.check(others == [], f"{label}: nothing else on stderr", res.describe_output())
    else:
        marks = [m for m in MPI_ABORT_MARKS if m in res.err or m in res.out]
        c.check(marks == [], f"{label}: no MPI abort trace ({', '.join(MPI_ABORT_MARKS)})",
                res.describe_output())
    return lines[0] if lines else ""


# ---- processes, from outside ------------------------------------------------

def ranks_of(mpiexec_pid):
    """{rank: pid} of the cubecast processes under mpiexec."""
    found = {}
    for pid in descendants(mpiexec_pid):
        rank = harness.world_rank(pid)
        if rank is not None:
            found[rank] = pid
    return found


def wait_gone(pids, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.05)
    return [pid for pid in pids if alive(pid)]


# ---- output folders ----------------------------------------------------------

# cubecast's temporary names: "<name>.tmp.<pid>" now; "<name>.cubecast-tmp-<...>"
# or similar after the planned rename.  Either is recognised.  Anything else
# that is not an output (a lock, a write probe) shows up in strays().
TEMPORARY = re.compile(r"\.tmp\.|\.tmp$|cubecast-tmp")
OUTPUT_NAME = re.compile(r"frame_\d{5}\.png|manifest\.json|projection\.png")
OUTPUT_IN_NAME = re.compile(OUTPUT_NAME.pattern)


def temporaries(folder):
    return sorted(name for name in os.listdir(folder) if TEMPORARY.search(name))


def strays(folder):
    """Names in folder that are not a frame, the manifest or the projection."""
    return sorted(name for name in os.listdir(folder) if not OUTPUT_NAME.fullmatch(name))


def listing(folder):
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return None


def read_manifest(folder):
    """(entries, problems): entries {frame: entry} from manifest.json read
    raw, so that a frame listed twice shows (a repeated key, or two entries
    with one frame number); problems lists what is wrong, [] when nothing."""
    problems = []

    def no_repeats(pairs):
        keys = [key for key, _ in pairs]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            problems.append(f"repeated keys {repeated}")
        return dict(pairs)

    try:
        with open(os.path.join(folder, "manifest.json")) as f:
            manifest = json.load(f, object_pairs_hook=no_repeats)
    except (OSError, ValueError) as e:
        return None, [f"unreadable manifest.json: {e}"]
    frames = manifest.get("frames")
    if isinstance(frames, dict):
        items = list(frames.items())
    elif isinstance(frames, list):
        items = [(None, entry) for entry in frames]
    else:
        return None, problems + [f"'frames' is {type(frames).__name__}"]
    counts = collections.Counter()
    entries = {}
    for key, entry in items:
        try:
            frame = int(entry["frame"])
        except (KeyError, TypeError, ValueError):
            problems.append(f"entry without a frame number: {entry!r}"[:200])
            continue
        counts[frame] += 1
        entries[frame] = entry
        name = f"frame_{frame:05d}.png"
        if entry.get("file") != name or (key is not None and key != name):
            problems.append(f"frame {frame} listed as key {key!r}, file {entry.get('file')!r}")
    twice = sorted(frame for frame, n in counts.items() if n > 1)
    if twice:
        problems.append(f"frames listed more than once: {twice}")
    return entries, problems


def file_matches(folder, entry):
    try:
        data = read_bytes(os.path.join(folder, entry["file"]))
    except (OSError, KeyError):
        return False
    return len(data) == entry.get("bytes") and zlib.crc32(data) == entry.get("crc32")


def pixels(path):
    """Decoded RGB pixels, or None when the file is not a whole PNG."""
    try:
        with Image.open(path) as image:
            image.load()
            return np.asarray(image.convert("RGB"))
    except (OSError, ValueError, SyntaxError):
        return None


def identity(path):
    info = os.stat(path)
    return info.st_ino, info.st_mtime_ns


def compare_with_reference(c, label, out, ref, frames, projection=True):
    """Every frame of the sweep exists in out, decodes to the reference's
    pixels and has its bytes; the projection too."""
    names = [f"frame_{f:05d}.png" for f in range(frames)]
    missing = [n for n in names if not os.path.exists(os.path.join(out, n))]
    c.check(missing == [], f"{label}: all {frames} frames exist", f"missing {missing}")
    differ_pixels, differ_bytes = [], []
    for name in names:
        if name in missing:
            continue
        a, b = pixels(os.path.join(out, name)), pixels(os.path.join(ref, name))
        if a is None or b is None or a.shape != b.shape or not np.array_equal(a, b):
            differ_pixels.append(name)
        if read_bytes(os.path.join(out, name)) != read_bytes(os.path.join(ref, name)):
            differ_bytes.append(name)
    c.check(differ_pixels == [], f"{label}: every frame's pixels equal the uninterrupted run's",
            f"differ: {differ_pixels}")
    c.check(differ_bytes == [], f"{label}: every frame's PNG bytes equal the uninterrupted run's",
            f"differ: {differ_bytes}")
    if projection:
        p = os.path.join(out, "projection.png")
        same = os.path.exists(p) and read_bytes(p) == read_bytes(os.path.join(ref, "projection.png"))
        c.check(same, f"{label}: projection.png equals the uninterrupted run's")


def check_final_folder(c, label, out, ref, frames):
    """After a successful (resumed) run: the frames, the manifest (each frame
    once, sizes and CRC-32s right) and no temporary files."""
    compare_with_reference(c, label, out, ref, frames)
    entries, problems = read_manifest(out)
    c.check(entries is not None and problems == [], f"{label}: manifest.json is valid, no frame listed twice",
            "; ".join(problems))
    if entries is not None:
        c.check(sorted(entries) == list(range(frames)), f"{label}: the manifest lists every frame "
                f"0..{frames - 1} once", f"listed {sorted(entries)}")
        bad = sorted(f for f, e in entries.items() if not file_matches(out, e))
        c.check(bad == [], f"{label}: the manifest's sizes and CRC-32s match the files", f"bad: {bad}")
    c.check(temporaries(out) == [], f"{label}: no temporary files are left", str(temporaries(out)))
    c.check(strays(out) == [], f"{label}: nothing but frames, manifest.json and projection.png",
            str(strays(out)))


def plant_temporary(out, seen, unlisted):
    """Makes sure a dead run's temporary file is there for --resume to clear:
    when the kill left none, one named like a temporary cubecast was seen
    writing (so in its current naming), for a frame the manifest does not
    list, holding a few bytes."""
    if temporaries(out) or not unlisted:
        return
    for name in sorted(seen):
        if OUTPUT_IN_NAME.search(name):
            planted = OUTPUT_IN_NAME.sub(f"frame_{unlisted[-1]:05d}.png", name, count=1)
            with open(os.path.join(out, planted), "wb") as f:
                f.write(b"half")
            print(f"      planted {planted!r} (a temporary seen during the run was {name!r})", flush=True)
            return
    print("      (no temporary file was seen during the run; none planted)", flush=True)


def check_kept(c, label, out, kept):
    """The frames a previous run listed intact (kept: {frame: (inode,
    mtime_ns)}) were not rendered again by --resume."""
    rewritten = [f for f, ident in sorted(kept.items())
                 if not os.path.exists(os.path.join(out, f"frame_{f:05d}.png"))
                 or identity(os.path.join(out, f"frame_{f:05d}.png")) != ident]
    c.check(rewritten == [], f"{label}: the {len(kept)} frames listed before were not rendered again "
            "(inode and mtime unchanged)", f"rewritten: {rewritten}")


# ---- SIGKILL of one rank, then --resume ----------------------------------------

KILL_RANKS = 4
KILL_SHAPE = ("--shape", 96, 80, 72)   # 2.2 MB: 80 frames of 192^2 take 1-2 s on 4 ranks, 2 cores
KILL_SIZE = 192 if SLOWDOWN < 4 else 64
KILL_VICTIMS = (0, 2)


def kill_case(c, work, mode, frames=80):
    """frames: enough that the sweep is still going when the kill lands and,
    in frames mode (where the other ranks go on rendering until mpiexec has
    torn the job down, about 2 s later), still unfinished when the job ends."""
    cube = os.path.join(work, "cube.h5")
    generate(c, cube, *KILL_SHAPE)

    def args(out, *extra):
        return (["render", cube, "-o", out, "--frames", frames, "--size", KILL_SIZE] + mode + ["--quiet"]
                + list(extra))

    ref = os.path.join(work, "uninterrupted")
    res = run_mpi(mpi_command(KILL_RANKS, args(ref)), timeout=60)
    print(f"      uninterrupted run ({' '.join(mode)}): {res.seconds:.1f} s", flush=True)
    c.require(res.rc == 0, "the uninterrupted run exits 0", res.describe())
    c.require([frame_number(p) for p in frame_files(ref)] == list(range(frames)),
              f"the uninterrupted run wrote frames 0..{frames - 1}")

    for victim in KILL_VICTIMS:
        label = f"SIGKILL of rank {victim}"
        out = os.path.join(work, f"killed_rank{victim}")
        proc = harness.start(mpi_command(KILL_RANKS, args(out)))
        started = time.monotonic()
        ranks = {}
        seen_temporaries = set()  # cubecast's own temporary names, caught while it writes
        try:
            while time.monotonic() - started < 30 * SLOWDOWN and proc.poll() is None and len(ranks) < KILL_RANKS:
                ranks = ranks_of(proc.pid)
                time.sleep(0.01)

            def on_disk():
                return len(frame_files(out)) if os.path.isdir(out) else 0

            def listed():
                try:
                    return len(read_manifest(out)[0] or {})
                except Exception:  # a manifest being replaced
                    return 0

            while (time.monotonic() - started < 30 * SLOWDOWN and proc.poll() is None
                   and (on_disk() < 6 or listed() < 2)):
                if os.path.isdir(out):
                    seen_temporaries.update(temporaries(out))
                time.sleep(0.005)
            running = proc.poll() is None
            if running and victim in ranks:
                os.kill(ranks[victim], signal.SIGKILL)
            killed_at = time.monotonic()
            at_kill = on_disk()
        except BaseException:
            kill_session(proc)
            proc.communicate()
            raise
        if not (running and sorted(ranks) == list(range(KILL_RANKS))):
            kill_session(proc)
            _, err = proc.communicate()
            c.require(False, f"{label}: the 4 ranks were found and the sweep was still running with "
                      f"frames written", f"ranks {ranks}, rc={proc.returncode}, {on_disk()} frames, "
                      f"stderr {err[-1500:]!r}")
        try:
            _, err = proc.communicate(timeout=30 * SLOWDOWN)
            hung = False
        except subprocess.TimeoutExpired:
            hung = True
            kill_session(proc)
            _, err = proc.communicate()
        waited = time.monotonic() - killed_at
        print(f"      {label} ({at_kill} frames on disk then): mpiexec exit {proc.returncode} "
              f"after {waited:.2f} s", flush=True)
        c.check(not hung, f"{label}: mpiexec ends within 30 s of the kill", f"stderr {err[-2000:]!r}")
        c.check(proc.returncode not in (None, 0), f"{label}: mpiexec exits non-zero (rc={proc.returncode})")
        left = wait_gone(list(ranks.values()), 10)
        c.check(left == [], f"{label}: no rank is left running", str(left))
        kill_session(proc)  # whatever is left of the job

        entries, problems = read_manifest(out)
        on_disk_now = [frame_number(p) for p in frame_files(out)]
        print(f"      {label}: {len(on_disk_now)} frames on disk, {len(entries or {})} in the manifest, "
              f"temporaries {temporaries(out)}", flush=True)
        c.check(entries is not None and problems == [], f"{label}: the manifest left behind is valid",
                "; ".join(problems))
        entries = entries or {}
        c.require(len(entries) < frames,
                  f"{label}: the kill landed mid-sweep ({len(entries)} of {frames} frames listed)")
        bad = sorted(f for f, e in entries.items() if not file_matches(out, e))
        c.check(bad == [], f"{label}: every frame the manifest lists is on disk with its size and CRC-32",
                f"bad: {bad}")
        kept = {f: identity(os.path.join(out, e["file"])) for f, e in entries.items() if f not in bad}
        plant_temporary(out, seen_temporaries, [f for f in range(frames) if f not in entries])
        time.sleep(0.02)  # a rewrite would show in mtime_ns even on coarse clocks

        res = run_mpi(mpi_command(KILL_RANKS, args(out, "--resume")), timeout=60)
        print(f"      {label}: --resume {res.seconds:.1f} s", flush=True)
        c.require(res.rc == 0, f"{label}: the same command with --resume exits 0", res.describe())
        check_final_folder(c, f"{label}, resumed", out, ref, frames)
        check_kept(c, f"{label}, resumed", out, kept)


def case_kill_frames(c, work):
    kill_case(c, work, ["--decomp", "frames"], frames=240)


def case_kill_rows(c, work):
    kill_case(c, work, ["--decomp", "rows"])


def case_kill_bricks_root(c, work):
    kill_case(c, work, ["--decomp", "bricks", "--composite", "root"])


def case_kill_bricks_swap(c, work):
    kill_case(c, work, ["--decomp", "bricks", "--composite", "swap"])


# ---- mounts ----------------------------------------------------------------------

def mount_tmpfs(folder, options):
    """mount -t tmpfs -o OPTIONS tmpfs FOLDER, or Skip."""
    os.makedirs(folder, exist_ok=True)
    if os.geteuid() != 0:
        raise Skip("mounting a tmpfs needs root")
    res = run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", folder], timeout=30)
    if res.rc != 0:
        raise Skip(f"mount -t tmpfs -o {options} failed: {res.err.strip()}")


def unmount(folder):
    if os.path.ismount(folder):
        if run(["umount", folder], timeout=30).rc != 0:
            run(["umount", "-l", folder], timeout=30)


# ---- full disk ---------------------------------------------------------------------

DISK_CUBE = ("--shape", 48, 40, 36)
DISK_SWEEP = ["--frames", "60", "--size", "160"]  # about 4.4 kB a frame, 8 kB of tmpfs pages
DISK_SMALL = "256k"
DISK_LARGE = "4m"


def disk_full_case(c, work, np_ranks):
    disk = os.path.join(work, "disk")
    mount_tmpfs(disk, f"size={DISK_SMALL}")  # first: a skip costs nothing
    try:
        disk_full_runs(c, work, np_ranks, disk)
    finally:
        unmount(disk)


def disk_full_runs(c, work, np_ranks, disk):
    cube = os.path.join(work, "cube.h5")
    generate(c, cube, *DISK_CUBE)
    frames = int(DISK_SWEEP[1])

    def command(out, *extra):
        args = ["render", cube, "-o", out] + DISK_SWEEP + ["--quiet"] + list(extra)
        return cubecast(args) if np_ranks == 1 else mpi_command(np_ranks, args)

    go = run_mpi if np_ranks > 1 else run
    ref = os.path.join(work, "uninterrupted")
    res = go(command(ref))
    c.require(res.rc == 0, "the uninterrupted run (on a roomy disk) exits 0", res.describe())
    c.require(len(frame_files(ref)) == frames, f"the uninterrupted run wrote {frames} frames")
    used = sum(os.path.getsize(p) for p in frame_files(ref))
    print(f"      the sweep takes {used / 1024:.0f} kB in {frames} frames; the tmpfs has {DISK_SMALL}",
          flush=True)

    out = os.path.join(disk, "out")
    label = f"disk full ({np_ranks} rank{'s' if np_ranks > 1 else ''})"
    res = go(command(out))
    print(f"      {label}: exit {res.rc} after {res.seconds:.1f} s", flush=True)
    c.check(not res.timed_out, f"{label}: cubecast ends", res.describe_output())
    c.check(res.rc == EXIT_OUTPUT, f"{label}: exit status {EXIT_OUTPUT} (got {res.rc})",
            res.describe_output())
    line = check_one_error_line(c, label, res, mpi=np_ranks > 1)
    print(f"      {label}: {line!r}", flush=True)
    c.check("no space left on device" in line.lower(), f"{label}: the line names the problem "
            "(No space left on device)", repr(line))
    c.require(os.path.isdir(out), f"{label}: the output folder exists")
    names = listing(out)
    on_disk = [frame_number(p) for p in frame_files(out)]
    print(f"      {label}: {len(on_disk)} frames on disk; {len(names)} names in the folder", flush=True)
    c.require(0 < len(on_disk) < frames, f"{label}: the disk filled up mid-sweep "
              f"({len(on_disk)} of {frames} frames written)")
    c.check(temporaries(out) == [], f"{label}: no temporary files are left", str(temporaries(out)))
    c.check(strays(out) == [], f"{label}: nothing but frames, manifest.json and projection.png",
            str(strays(out)))
    broken = [f for f in on_disk if pixels(os.path.join(out, f"frame_{f:05d}.png")) is None]
    c.check(broken == [], f"{label}: every frame on disk is a whole PNG (no half-written frame)",
            f"broken: {broken}")
    wrong = [f for f in on_disk if f not in broken and not np.array_equal(
        pixels(os.path.join(out, f"frame_{f:05d}.png")), pixels(os.path.join(ref, f"frame_{f:05d}.png")))]
    c.check(wrong == [], f"{label}: every frame on disk has the uninterrupted run's pixels",
            f"differ: {wrong}")
    entries, problems = read_manifest(out)
    c.check(entries is not None and problems == [], f"{label}: manifest.json is there and valid",
            "; ".join(problems))
    entries = entries or {}
    c.check(sorted(entries) == on_disk, f"{label}: the manifest lists exactly the frames on disk",
            f"listed but not on disk {sorted(set(entries) - set(on_disk))}, on disk but not listed "
            f"{sorted(set(on_disk) - set(entries))}")
    bad = sorted(f for f, e in entries.items() if not file_matches(out, e))
    c.check(bad == [], f"{label}: every listed frame has its recorded size and CRC-32", f"bad: {bad}")
    kept = {f: identity(os.path.join(out, e["file"])) for f, e in entries.items() if f not in bad}
    time.sleep(0.02)  # a rewrite would show in mtime_ns even on coarse clocks

    # Room again: the same tmpfs, bigger.
    grow = run(["mount", "-o", f"remount,size={DISK_LARGE}", disk], timeout=30)
    c.require(grow.rc == 0, f"remount the tmpfs with size={DISK_LARGE}", grow.describe())
    res = go(command(out, "--resume"))
    print(f"      {label}: --resume after making room: exit {res.rc}, {res.seconds:.1f} s", flush=True)
    c.require(res.rc == 0, f"{label}: --resume after making room exits 0", res.describe())
    check_final_folder(c, f"{label}, resumed", out, ref, frames)
    check_kept(c, f"{label}, resumed", out, kept)


def case_disk_full(c, work):
    disk_full_case(c, work, 1)


def case_disk_full_mpi(c, work):
    disk_full_case(c, work, 3)


def case_disk_full_raw(c, work):
    """--raw into a tmpfs too small for it, 1 process and 2 ranks: exit 4
    from every rank, one line naming the raw file and 'No space left on
    device' (HDF5's reason), no crash trace (a failed close once crashed
    HDF5 at MPI_Finalize), and neither the raw file nor a temporary left."""
    disk = os.path.join(work, "disk")
    mount_tmpfs(disk, "size=200k")
    try:
        cube = os.path.join(work, "cube.h5")
        generate(c, cube, "--shape", 40, 40, 40)
        raw = os.path.join(disk, "raw.h5")
        for ranks in (1, 2):
            label = f"--raw on a full disk ({ranks} rank{'s' if ranks > 1 else ''})"
            args = ["render", cube, "-o", os.path.join(work, f"frames{ranks}"), "--frames", "4",
                    "--size", "64", "--raw", raw, "--quiet"]
            statuses = None
            if ranks == 1:
                res = run(cubecast(args), cwd=work)
            else:
                folder = os.path.join(work, f"status-{ranks}")
                os.makedirs(folder)
                res = run_mpi(mpi_command(ranks, args, wrapper=status_wrapper(folder),
                                          mca=NO_ABORT_ON_NON_ZERO), cwd=work)
                statuses = read_statuses(folder, ranks)
            c.check(not res.timed_out, f"{label}: cubecast ends", res.describe_output())
            if statuses is None:
                c.check(res.rc == EXIT_OUTPUT, f"{label}: exit {EXIT_OUTPUT} (got {res.rc})",
                        res.describe_output())
            else:
                c.check(all(st == EXIT_OUTPUT for st in statuses),
                        f"{label}: every rank exits {EXIT_OUTPUT} ({statuses})",
                        res.describe_output())
            c.check("Signal" not in res.err and "Segmentation" not in res.err,
                    f"{label}: no crash trace", res.describe_output())
            line = check_one_error_line(c, label, res, mpi=ranks > 1)
            c.check(raw in line and "no space left on device" in line.lower(),
                    f"{label}: the line names the raw file and the reason", repr(line))
            c.check(listing(disk) == [], f"{label}: no raw file and no temporary left",
                    str(listing(disk)))
    finally:
        unmount(disk)


# ---- read-only output ----------------------------------------------------------------

def readonly_checks(c, label, res, target, named, created, mpi_statuses=None):
    """exit 4, one line naming one of named, nothing created (created() -> list)."""
    c.check(not res.timed_out, f"{label}: cubecast ends", res.describe_output())
    if mpi_statuses is None:
        c.check(res.rc == EXIT_OUTPUT, f"{label}: exit status {EXIT_OUTPUT} (got {res.rc})", res.describe_output())
    else:
        c.check(all(s == EXIT_OUTPUT for s in mpi_statuses), f"{label}: every rank exits {EXIT_OUTPUT} "
                f"({mpi_statuses})", res.describe_output())
    line = check_one_error_line(c, label, res, mpi=mpi_statuses is not None)
    print(f"      {label}: {line!r}", flush=True)
    c.check(any(n in line for n in named), f"{label}: the line names the folder", f"{line!r}, expected one of {named}")
    made = created()
    c.check(made == [], f"{label}: nothing created", str(made))


def readonly_runs(c, work, ro_existing, ro_parent, how, cube, env=None, as_user=None):
    """Renders into ro_existing (an existing read-only folder) and into
    ro_parent/new (a folder to create under a read-only parent), one process,
    then 2 ranks (only without as_user)."""
    args = ["--frames", "3", "--size", "32", "--quiet"]
    prefix = as_user or []
    before_parent = listing(os.path.dirname(ro_existing))
    before_cwd = listing(work)
    for ranks in ((1, 2) if not as_user else (1,)):
        for kind, target in (("existing read-only folder", ro_existing),
                             ("new folder under a read-only parent", os.path.join(ro_parent, "new"))):
            label = f"{kind}, {how}, {ranks} rank{'s' if ranks > 1 else ''}"
            render = ["render", cube, "-o", target] + args
            statuses = None
            if ranks == 1:
                res = run(prefix + cubecast(render), env=env, cwd=work)
            else:
                folder = os.path.join(work, f"status-{len(os.listdir(work))}")
                os.makedirs(folder)
                res = run_mpi(mpi_command(ranks, render, wrapper=status_wrapper(folder), mca=NO_ABORT_ON_NON_ZERO),
                              env=env, cwd=work)
                statuses = read_statuses(folder, ranks)
                shutil.rmtree(folder)
            named = [target, target.rstrip("/") + "/"]
            if kind.startswith("new"):
                named.append(ro_parent)

            def created():
                made = []
                if kind.startswith("existing"):
                    made += [os.path.join(target, n) for n in listing(target) or []]
                else:
                    made += [os.path.join(ro_parent, n) for n in listing(ro_parent) or []]
                made += [n for n in listing(os.path.dirname(ro_existing)) if n not in before_parent]
                made += [n for n in listing(work) if n not in before_cwd]
                return made

            readonly_checks(c, label, res, target, named, created, statuses)


def case_readonly(c, work):
    cube = os.path.join(work, "cube.h5")
    generate(c, cube, "--shape", 24, 20, 16)
    os.chmod(work, 0o755)
    ran = False
    if os.geteuid() == 0:
        # Root ignores permission bits: read-only tmpfs mounts instead.
        existing, parent = os.path.join(work, "ro-existing"), os.path.join(work, "ro-parent")
        try:
            mount_tmpfs(existing, "ro,size=64k")
            mount_tmpfs(parent, "ro,size=64k")
            readonly_runs(c, work, existing, parent, "read-only tmpfs", cube)
            ran = True
        except Skip as e:
            print(f"NOTE  read-only mounts not possible here: {e}", flush=True)
        finally:
            unmount(existing)
            unmount(parent)
        # Mode 0555 as an unprivileged user, where setpriv can switch to nobody.
        setpriv = shutil.which("setpriv")
        if setpriv:
            existing, parent = os.path.join(work, "mode-existing"), os.path.join(work, "mode-parent")
            for folder in (existing, parent):
                os.makedirs(folder)
                os.chmod(folder, 0o555)
            os.chmod(cube, 0o644)
            nobody = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
            try:
                probe = run(nobody + ["true"], timeout=30)
                if probe.rc == 0:
                    env = harness.open_mpi_env("1")
                    env["HOME"] = env["TMPDIR"] = "/tmp"
                    # The working folder (root's, 0755) is not writable for
                    # nobody either: nothing can land there by mistake.
                    readonly_runs(c, work, existing, parent, "mode 0555 as user nobody", cube, env=env,
                                  as_user=nobody)
                    ran = True
                else:
                    print(f"NOTE  setpriv to nobody failed: {probe.describe()}", flush=True)
            finally:
                for folder in (existing, parent):
                    os.chmod(folder, 0o755)
    else:
        existing, parent = os.path.join(work, "mode-existing"), os.path.join(work, "mode-parent")
        for folder in (existing, parent):
            os.makedirs(folder)
            os.chmod(folder, 0o555)
        try:
            readonly_runs(c, work, existing, parent, "mode 0555", cube)
            ran = True
        finally:
            for folder in (existing, parent):
                os.chmod(folder, 0o755)
    if not ran:
        raise Skip("no way to make a read-only folder here")


# ---- memory limits ---------------------------------------------------------------------

class MemoryCgroup:
    """A memory cgroup of its own (v1 /sys/fs/cgroup/memory, else v2) with a
    limit, made under the test's own cgroup where that is writable (so the
    caller's limits still apply), else at the hierarchy's root.  wrap(cmd)
    runs cmd inside it.  Raises Skip when neither hierarchy can be used."""

    def __init__(self, limit_bytes):
        self.path = None
        self.version = None
        name = f"cubecast-faults-{os.getpid()}"
        errors = []
        for version, root in ((1, "/sys/fs/cgroup/memory"), (2, "/sys/fs/cgroup")):
            if version == 2 and not self._v2_with_memory(root):
                errors.append(f"{root} is not a cgroup v2 hierarchy with the memory controller")
                continue
            if version == 1 and not os.path.isfile(os.path.join(root, "memory.limit_in_bytes")):
                errors.append(f"{root} is not a cgroup v1 memory hierarchy")
                continue
            for parent in self._parents(version, root):
                path = os.path.join(parent, name)
                try:
                    if version == 2:
                        self._enable_v2_memory(parent)
                    os.mkdir(path)
                except OSError as e:
                    errors.append(f"mkdir {path}: {e}")
                    continue
                self.path, self.version, self.parent = path, version, parent
                try:
                    self.set_limit(limit_bytes)
                    return
                except OSError as e:
                    errors.append(f"limit on {path}: {e}")
                    self.remove()
        raise Skip("no writable memory cgroup: " + "; ".join(errors))

    @staticmethod
    def _v2_with_memory(root):
        try:
            with open(os.path.join(root, "cgroup.controllers")) as f:
                return "memory" in f.read().split()
        except OSError:
            return False

    @staticmethod
    def _enable_v2_memory(parent):
        with open(os.path.join(parent, "cgroup.subtree_control")) as f:
            if "memory" in f.read().split():
                return
        with open(os.path.join(parent, "cgroup.subtree_control"), "w") as f:
            f.write("+memory")

    @staticmethod
    def _parents(version, root):
        own = None
        try:
            with open("/proc/self/cgroup") as f:
                for line in f:
                    _, controllers, path = line.rstrip("\n").split(":", 2)
                    if (version == 1 and "memory" in controllers.split(",")) or (version == 2 and controllers == ""):
                        own = path
        except OSError:
            pass
        parents = []
        if own and own != "/":
            parents.append(os.path.join(root, own.lstrip("/")))
        parents.append(root)
        return [p for p in parents if os.path.isdir(p)]

    def _write(self, name, value):
        with open(os.path.join(self.path, name), "w") as f:
            f.write(str(value))

    def set_limit(self, limit_bytes):
        """The memory limit, swap included (no swapping round the limit)."""
        if self.version == 1:
            memsw = os.path.join(self.path, "memory.memsw.limit_in_bytes")
            with open(os.path.join(self.path, "memory.limit_in_bytes")) as f:
                current = int(f.read())
            # memsw must stay >= the memory limit: raise it first, lower it last.
            if os.path.exists(memsw) and limit_bytes > current:
                self._write("memory.memsw.limit_in_bytes", limit_bytes)
            self._write("memory.limit_in_bytes", limit_bytes)
            if os.path.exists(memsw) and limit_bytes <= current:
                self._write("memory.memsw.limit_in_bytes", limit_bytes)
        else:
            self._write("memory.max", limit_bytes)
            if os.path.exists(os.path.join(self.path, "memory.swap.max")):
                self._write("memory.swap.max", 0)
        self.limit = limit_bytes

    def oom_kills(self):
        """The cgroup's OOM-kill count (None when the kernel does not say)."""
        name = "memory.oom_control" if self.version == 1 else "memory.events"
        try:
            with open(os.path.join(self.path, name)) as f:
                for line in f:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        return int(value)
        except (OSError, ValueError):
            pass
        return None

    def wrap(self, cmd):
        return ["sh", "-c", f'echo $$ > "{self.path}/cgroup.procs" && exec "$@"', "sh"] + cmd

    def remove(self):
        """Moves whatever is still inside back to the parent, then removes it."""
        if self.path is None or not os.path.isdir(self.path):
            return
        for _ in range(50):
            try:
                with open(os.path.join(self.path, "cgroup.procs")) as f:
                    pids = [int(p) for p in f.read().split()]
            except OSError:
                pids = []
            for pid in pids:
                try:
                    with open(os.path.join(self.parent, "cgroup.procs"), "w") as f:
                        f.write(str(pid))
                except OSError:
                    pass
            try:
                os.rmdir(self.path)
                return
            except OSError:
                time.sleep(0.1)
        print(f"NOTE  could not remove the cgroup {self.path}", flush=True)


MEMORY_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*[MG]iB")


def check_refusal(c, label, res, out, mpi_statuses=None, oom_before=None, cgroup=None):
    """Exit 3 (every rank non-zero under MPI), one line about memory with
    figures, no output folder, not killed by the OOM killer."""
    c.check(not res.timed_out, f"{label}: cubecast ends", res.describe_output())
    killed = res.rc in (-9, 137) or (mpi_statuses is not None and any(s in (-9, 137) for s in mpi_statuses)) \
        or "signal 9" in res.err
    c.check(not killed, f"{label}: not killed by SIGKILL (the OOM killer)", res.describe_output())
    if cgroup is not None and oom_before is not None:
        after = cgroup.oom_kills()
        c.check(after == oom_before, f"{label}: the cgroup's oom_kill count is unchanged ({oom_before} -> {after})")
    if mpi_statuses is None:
        c.check(res.rc == EXIT_INPUT, f"{label}: exit status {EXIT_INPUT} (got {res.rc})", res.describe_output())
    else:
        c.check(all(s not in (None, 0) for s in mpi_statuses), f"{label}: every rank exits non-zero "
                f"({mpi_statuses})", res.describe_output())
        c.check(all(s == EXIT_INPUT for s in mpi_statuses), f"{label}: every rank exits {EXIT_INPUT} "
                f"({mpi_statuses})", res.describe_output())
    line = check_one_error_line(c, label, res, mpi=mpi_statuses is not None)
    c.check("memory" in line.lower(), f"{label}: the line is about memory", repr(line))
    c.check(len(MEMORY_FIGURE.findall(line)) >= 2, f"{label}: the line gives the figures (needed and "
            "available, in MiB or GiB)", repr(line))
    c.check(not os.path.lexists(out), f"{label}: no output folder created", f"{out}: {listing(out)}")


BIG_CUBE = ("--shape", 256, 256, 256)  # float32, 64 MiB; 128 MiB in --precision double
CGROUP_LIMIT = 96 * MIB


def case_memory_cgroup(c, work):
    big = os.path.join(work, "big.h5")
    small = os.path.join(work, "small.h5")
    generate(c, big, *BIG_CUBE)
    generate(c, small, "--shape", 96, 80, 72)
    render = ["--frames", "2", "--size", "64", "--quiet"]
    cg = MemoryCgroup(CGROUP_LIMIT)
    try:
        print(f"      cgroup v{cg.version} {cg.path}, limit {cg.limit // MIB} MiB", flush=True)
        before = cg.oom_kills()
        out = os.path.join(work, "big-double")
        res = run(cg.wrap(cubecast(["render", big, "-o", out, "--precision", "double"] + render)), cwd=work)
        print(f"      256^3 double in {cg.limit // MIB} MiB: exit {res.rc} after {res.seconds:.1f} s; "
              f"stderr {res.err.strip()[-300:]!r}", flush=True)
        check_refusal(c, f"256^3 --precision double (128 MiB) in a {cg.limit // MIB} MiB cgroup", res, out,
                      oom_before=before, cgroup=cg)

        out = os.path.join(work, "small-in-cgroup")
        before = cg.oom_kills()
        res = run(cg.wrap(cubecast(["render", small, "-o", out] + render)), cwd=work)
        c.check(res.rc == 0, f"a 96x80x72 cube renders in the same {cg.limit // MIB} MiB cgroup (exit 0)",
                res.describe_output())
        c.check(len(frame_files(out)) == 2, "... and writes its 2 frames")
        c.check(cg.oom_kills() == before, "... with no OOM kill in the cgroup")
    finally:
        cg.remove()
    # Without the limit the same big render works: the refusal was the limit's.
    out = os.path.join(work, "big-double-unlimited")
    res = run(cubecast(["render", big, "-o", out, "--precision", "double"] + render), cwd=work)
    c.check(res.rc == 0 and len(frame_files(out)) == 2, "without the cgroup the 256^3 double render exits 0",
            res.describe_output())


def case_memory_cgroup_mpi(c, work):
    big = os.path.join(work, "big.h5")
    generate(c, big, *BIG_CUBE)
    render = ["--frames", "2", "--size", "64", "--quiet", "--precision", "double", "--decomp", "frames"]
    cg = MemoryCgroup(CGROUP_LIMIT)
    try:
        print(f"      cgroup v{cg.version} {cg.path}, limit {cg.limit // MIB} MiB", flush=True)
        label = f"mpiexec -np 2 --decomp frames, 256^3 double in a {cg.limit // MIB} MiB cgroup"
        # Each rank's own exit status, every rank running to its own end.
        out = os.path.join(work, "statuses-out")
        statuses_dir = os.path.join(work, "statuses")
        os.makedirs(statuses_dir)
        before = cg.oom_kills()
        res = run_mpi(cg.wrap(mpi_command(2, ["render", big, "-o", out] + render,
                                          wrapper=status_wrapper(statuses_dir), mca=NO_ABORT_ON_NON_ZERO)),
                      cwd=work)
        statuses = read_statuses(statuses_dir, 2)
        print(f"      {label}: mpiexec exit {res.rc}, rank statuses {statuses}, {res.seconds:.1f} s", flush=True)
        check_refusal(c, label, res, out, mpi_statuses=statuses, oom_before=before, cgroup=cg)
        # What users run: a plain mpiexec, which must end non-zero.
        out = os.path.join(work, "plain-out")
        before = cg.oom_kills()
        res = run_mpi(cg.wrap(mpi_command(2, ["render", big, "-o", out] + render)), cwd=work)
        print(f"      {label}, plain mpiexec: exit {res.rc}, {res.seconds:.1f} s", flush=True)
        c.check(res.rc not in (None, 0), f"{label}, plain mpiexec: exits non-zero (rc={res.rc})",
                res.describe_output())
        c.check(res.rc == EXIT_INPUT, f"{label}, plain mpiexec: exit status {EXIT_INPUT} (got {res.rc})",
                res.describe_output())
        check_one_error_line(c, f"{label}, plain mpiexec", res, mpi=True)
        c.check(not os.path.lexists(out), f"{label}, plain mpiexec: no output folder created")
        c.check(cg.oom_kills() == before, f"{label}, plain mpiexec: no OOM kill in the cgroup")
    finally:
        cg.remove()


AUTO_LINE = re.compile(r"^decomposition: (\w+)", re.M)


def case_memory_auto(c, work):
    # 256 x 256 x 336 float32 = 84 MiB: more than half of a 160 MiB limit, so
    # --decomp auto must not choose frames (docs/usage.md: frames when the
    # cube takes at most half of the node's memory); split in 2 slabs it
    # fits with room to spare.
    cube = os.path.join(work, "cube84.h5")
    generate(c, cube, "--shape", 256, 256, 336)
    big = os.path.join(work, "big.h5")
    generate(c, big, *BIG_CUBE)
    render = ["--frames", "2", "--size", "64", "--decomp", "auto"]
    ref = os.path.join(work, "reference")
    res = run_mpi(mpi_command(2, ["render", cube, "-o", ref, "--frames", "2", "--size", "64", "--decomp", "rows",
                                  "--quiet"]))
    c.require(res.rc == 0, "reference: -np 2 --decomp rows without a limit exits 0", res.describe())
    cg = MemoryCgroup(160 * MIB)
    try:
        print(f"      cgroup v{cg.version} {cg.path}, limit {cg.limit // MIB} MiB", flush=True)
        label = f"-np 2 --decomp auto, 84 MiB cube in a {cg.limit // MIB} MiB cgroup"
        out = os.path.join(work, "auto")
        before = cg.oom_kills()
        res = run_mpi(cg.wrap(mpi_command(2, ["render", cube, "-o", out] + render)), cwd=work)
        choice = AUTO_LINE.search(res.err)
        print(f"      {label}: exit {res.rc}, {res.seconds:.1f} s, "
              f"choice {choice.group(0) if choice else None!r}", flush=True)
        c.check(choice is not None and choice.group(1) in ("rows", "bricks"),
                f"{label}: chooses rows or bricks", res.describe_output())
        c.check(res.rc == 0, f"{label}: exits 0", res.describe_output())
        c.check(cg.oom_kills() == before, f"{label}: no OOM kill in the cgroup")
        if res.rc == 0:
            compare_with_reference(c, label, out, ref, 2)

        cg.set_limit(CGROUP_LIMIT)
        label = f"-np 2 --decomp auto, 256^3 double (128 MiB) in a {cg.limit // MIB} MiB cgroup"
        out = os.path.join(work, "auto-big")
        statuses_dir = os.path.join(work, "statuses")
        os.makedirs(statuses_dir)
        before = cg.oom_kills()
        res = run_mpi(cg.wrap(mpi_command(2, ["render", big, "-o", out, "--precision", "double", "--quiet"] + render,
                                          wrapper=status_wrapper(statuses_dir), mca=NO_ABORT_ON_NON_ZERO)),
                      cwd=work)
        statuses = read_statuses(statuses_dir, 2)
        print(f"      {label}: mpiexec exit {res.rc}, rank statuses {statuses}, {res.seconds:.1f} s", flush=True)
        check_refusal(c, label + " (nothing fits)", res, out, mpi_statuses=statuses, oom_before=before, cgroup=cg)
    finally:
        cg.remove()


def case_slurm_mem(c, work):
    big = os.path.join(work, "big.h5")
    small = os.path.join(work, "small.h5")
    generate(c, big, *BIG_CUBE)
    generate(c, small, "--shape", 48, 40, 36)
    render = ["--frames", "2", "--size", "64", "--quiet"]
    env = dict(harness.ENV)
    env["SLURM_MEM_PER_NODE"] = "64"
    out = os.path.join(work, "big-double")
    res = run(cubecast(["render", big, "-o", out, "--precision", "double"] + render), env=env, cwd=work)
    print(f"      SLURM_MEM_PER_NODE=64: exit {res.rc}; stderr {res.err.strip()[-300:]!r}", flush=True)
    check_refusal(c, "256^3 --precision double (128 MiB) with SLURM_MEM_PER_NODE=64", res, out)

    out = os.path.join(work, "big-double-mpi")
    statuses_dir = os.path.join(work, "statuses")
    os.makedirs(statuses_dir)
    mpi_env = dict(env)
    res = run_mpi(mpi_command(2, ["render", big, "-o", out, "--precision", "double", "--decomp", "frames"] + render,
                              wrapper=status_wrapper(statuses_dir), mca=NO_ABORT_ON_NON_ZERO + ("-x", "SLURM_MEM_PER_NODE")),
                  env=mpi_env, cwd=work)
    statuses = read_statuses(statuses_dir, 2)
    check_refusal(c, "the same with mpiexec -np 2 --decomp frames", res, out, mpi_statuses=statuses)

    out = os.path.join(work, "small")
    res = run(cubecast(["render", small, "-o", out] + render), env=env, cwd=work)
    c.check(res.rc == 0 and len(frame_files(out)) == 2,
            "a 48x40x36 cube renders with SLURM_MEM_PER_NODE=64 (exit 0, 2 frames)", res.describe_output())
    out = os.path.join(work, "big-double-unlimited")
    res = run(cubecast(["render", big, "-o", out, "--precision", "double"] + render), cwd=work)
    c.check(res.rc == 0 and len(frame_files(out)) == 2,
            "without SLURM_MEM_PER_NODE the 256^3 double render exits 0", res.describe_output())


CASES = {
    "kill_frames": case_kill_frames,
    "kill_rows": case_kill_rows,
    "kill_bricks_root": case_kill_bricks_root,
    "kill_bricks_swap": case_kill_bricks_swap,
    "disk_full": case_disk_full,
    "disk_full_mpi": case_disk_full_mpi,
    "disk_full_raw": case_disk_full_raw,
    "readonly": case_readonly,
    "memory_cgroup": case_memory_cgroup,
    "memory_cgroup_mpi": case_memory_cgroup_mpi,
    "memory_auto": case_memory_auto,
    "slurm_mem": case_slurm_mem,
}


def main():
    global CFG
    CFG = harness.parse_args(__doc__, CASES)
    skipped = []

    def skippable(case):
        def run_it(c, work):
            try:
                case(c, work)
            except Skip as e:
                skipped.append(str(e))
                print(f"SKIP  {e}", flush=True)
        return run_it

    status = harness.run_case(CFG, {name: skippable(case) for name, case in CASES.items()}, "faults")
    if status == 0 and skipped:
        return EXIT_SKIP
    return status


if __name__ == "__main__":
    sys.exit(main())
