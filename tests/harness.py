"""What the Python test programs share (tests/mpi/mpi_test.py,
tests/decomp/decomp_test.py, tests/cli/cli_test.py): checks that print one
line each, running cubecast (under mpiexec, as root) in a session of its own
that a timeout kills whole, processes seen from outside through /proc, output
folders, and the command line and summary of a program that runs one case.

A test program imports it from the folder above its own:

    sys.dont_write_bytecode = True  # no __pycache__ in the source tree
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import harness
"""

import argparse
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

MIB = 1024 * 1024
MPI_FLAGS = ["--allow-run-as-root", "--oversubscribe"]


def open_mpi_env(omp_num_threads):
    """The environment for cubecast: Open MPI refuses root without the two
    OMPI_ALLOW_* variables (singleton runs read them too)."""
    env = dict(os.environ)
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMP_NUM_THREADS=omp_num_threads)
    return env


# One OpenMP thread per rank: up to 6 ranks share this machine's cores, and the
# numbers must not depend on it.
ENV = open_mpi_env("1")


# ---- checks -------------------------------------------------------------------

class Checks:
    def __init__(self, name):
        self.name = name
        self.failures = []
        self.passes = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passes += 1
            print(f"ok    {what}", flush=True)
        else:
            self.failures.append(what)
            print(f"FAIL  {what}" + (f"\n      {detail}" if detail else ""), flush=True)
        return ok

    def require(self, ok, what, detail=""):
        """A check the rest of the case cannot do without."""
        if not self.check(ok, what, detail):
            raise Abort(what)

    def finish(self, seconds=None):
        """Prints the summary; returns the exit status (1 when a check failed)."""
        took = "" if seconds is None else f" in {seconds:.1f} s"
        print(f"\n{self.name}: {self.passes} passed, {len(self.failures)} failed{took}")
        for failure in self.failures:
            print(f"  failed: {failure}")
        return 1 if self.failures else 0


class Abort(Exception):
    pass


# ---- running cubecast -----------------------------------------------------------

class Result:
    def __init__(self, rc, out, err, seconds, timed_out=False):
        self.rc, self.out, self.err, self.seconds, self.timed_out = rc, out, err, seconds, timed_out

    def describe(self):
        """Exit status, time and the end of stderr."""
        tail = self.err[-2000:] if self.err else ""
        return f"rc={self.rc} timed_out={self.timed_out} seconds={self.seconds:.1f}\n      stderr: {tail!r}"

    def describe_output(self):
        """Exit status and all of stdout and stderr."""
        return (f"exit {self.rc}{' (TIMED OUT)' if self.timed_out else ''}\n"
                f"      stdout: {self.out!r}\n      stderr: {self.err!r}")


def start(cmd, env=None, cwd=None, errors=None):
    """Starts cmd in a session of its own, stdout and stderr piped (text)."""
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors=errors,
                            env=ENV if env is None else env, start_new_session=True, cwd=cwd)


def run(cmd, timeout, env=None, cwd=None, errors=None, kill_descendants=True):
    """Runs cmd in its own session; on a timeout the whole session is killed
    (with kill_descendants=False, only its process group)."""
    started = time.monotonic()
    proc = start(cmd, env=env, cwd=cwd, errors=errors)
    try:
        out, err = proc.communicate(timeout=timeout)
        return Result(proc.returncode, out, err, time.monotonic() - started)
    except subprocess.TimeoutExpired:
        kill_session(proc, kill_descendants)
        out, err = proc.communicate()
        return Result(None, out, err, time.monotonic() - started, timed_out=True)


def sample_run(cmd, limit, interval, sample):
    """Runs cmd like run() and, while it runs (for limit seconds at most),
    calls sample(proc, started) every interval seconds, started being the
    time.monotonic() of its start; then kills the session if it still runs."""
    started = time.monotonic()
    proc = start(cmd)
    killed = False
    try:
        while proc.poll() is None and time.monotonic() - started < limit:
            sample(proc, started)
            time.sleep(interval)
    finally:
        if proc.poll() is None:
            kill_session(proc)
            killed = True
    out, err = proc.communicate()
    return Result(proc.returncode, out, err, time.monotonic() - started, timed_out=killed)


def kill_session(proc, descendants_too=True):
    """SIGKILL to proc's process group and (Open MPI gives ranks process
    groups of their own) to every process descended from it."""
    pids = descendants(proc.pid) if descendants_too else []
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def with_device(args):
    """A render's arguments with --device DEVICE added when the environment
    says CUBECAST_TEST_DEVICE=DEVICE: scripts/gpu-check runs the golden and
    decomposition tests on a GPU that way, and tests/cuda on the CUDA
    stand-in."""
    args = list(args)
    device = os.environ.get("CUBECAST_TEST_DEVICE")
    if device and args[:1] == ["render"] and "--device" not in args:
        args += ["--device", device]
    return args


def mpi_command(cfg, np_ranks, args, wrapper=None):
    """mpiexec -np P cubecast ARGS; wrapper (a list) goes between them."""
    return [cfg.mpiexec] + MPI_FLAGS + ["-np", str(np_ranks)] + (wrapper or []) + [cfg.cubecast] + with_device(args)


def ranks_run(cfg, np_ranks, argv, work, timeout=120, env=None, cwd=None):
    """cubecast ARGV under mpiexec, every rank running to its own end (Open
    MPI told not to abort the job); returns the result, each rank's exit
    status (None for a rank that recorded none) and the command."""
    status_dir = tempfile.mkdtemp(prefix="status_", dir=work)
    wrapper = ["sh", "-c", '"$0" "$@"; rc=$?; echo $rc > "' + status_dir +
               '/rank_$OMPI_COMM_WORLD_RANK"; exit $rc']
    cmd = ([cfg.mpiexec] + MPI_FLAGS + ["--mca", "orte_abort_on_non_zero_status", "0",
                                        "-np", str(np_ranks)]
           + wrapper + [cfg.cubecast] + with_device(argv))
    res = run(cmd, timeout, env=env, cwd=cwd)
    codes = {}
    for name in os.listdir(status_dir):
        with open(os.path.join(status_dir, name)) as f:
            text = f.read().strip()
        codes[int(name.split("_")[1])] = int(text) if text else None
    shutil.rmtree(status_dir, ignore_errors=True)
    return res, [codes.get(r) for r in range(np_ranks)], cmd


def generate(c, cfg, path, *args, timeout):
    """cubecast generate PATH ARGS, required to succeed."""
    res = run([cfg.cubecast, "generate", path] + [str(a) for a in args], timeout=timeout)
    c.require(res.rc == 0 and os.path.exists(path),
              f"cubecast generate {os.path.basename(path)} {' '.join(str(a) for a in args)}", res.describe())


def mpiexec_crashed(res):
    """Open MPI 4.1's mpiexec sometimes segfaults in its own PMIx_Finalize
    when several ranks exit non-zero at once ("abort is already in
    progress"): a crash of the launcher, recognised by its backtrace."""
    return ("abort is already in progress" in res.err and "Segmentation fault" in res.err
            and re.search(r"/(mpiexec|mpirun|orterun)[\w.]*\(", res.err) is not None
            and "cubecast(" not in res.err)


# ---- processes, from outside ------------------------------------------------

def stat_fields(pid):
    """The fields of /proc/PID/stat after the command name (state first,
    then the parent's pid), or None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    # comm may contain spaces or parentheses: the fields after the last ')'.
    return text[text.rindex(")") + 2:].split()


def parent_of(pid):
    fields = stat_fields(pid)
    return None if fields is None else int(fields[1])


def alive(pid):
    """pid exists and is not a zombie."""
    fields = stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def world_rank(pid):
    """OMPI_COMM_WORLD_RANK of a cubecast process (from its environment),
    or None when pid is not one."""
    try:
        with open(f"/proc/{pid}/comm") as f:
            if f.read().strip() != "cubecast":
                return None
        with open(f"/proc/{pid}/environ", "rb") as f:
            for item in f.read().split(b"\0"):
                if item.startswith(b"OMPI_COMM_WORLD_RANK="):
                    return int(item.split(b"=", 1)[1])
    except (OSError, ValueError):
        pass
    return None


def descendants(root):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            ppid = parent_of(int(entry))
            if ppid is not None:
                children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


# ---- output folders ----------------------------------------------------------

def listing(path):
    """Everything under path (relative names), or None when it does not exist."""
    if not os.path.lexists(path):
        return None
    if not os.path.isdir(path):
        return ["<not a folder>"]
    found = []
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            found.append(os.path.relpath(os.path.join(root, name), path))
    return sorted(found)


def frame_files(folder):
    return sorted(glob.glob(os.path.join(folder, "frame_*.png")))


def frame_number(path):
    return int(re.match(r"frame_(\d+)\.png$", os.path.basename(path)).group(1))


def load_manifest(folder):
    with open(os.path.join(folder, "manifest.json")) as f:
        return json.load(f)


def manifest_frames(manifest):
    """{frame number: entry} from the manifest's "frames" (an object or a list)."""
    frames = manifest.get("frames")
    entries = frames.values() if isinstance(frames, dict) else frames
    return {int(entry["frame"]): entry for entry in entries}


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


# ---- a program that runs one case ------------------------------------------------

def parse_args(doc, cases, *required):
    """--cubecast BIN --mpiexec MPIEXEC --workdir DIR, the options named in
    required (each takes a value), and CASE, one of cases."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cubecast", required=True)
    parser.add_argument("--mpiexec", default=shutil.which("mpiexec") or "mpiexec")
    parser.add_argument("--workdir", required=True)
    for option in required:
        parser.add_argument(option, required=True)
    parser.add_argument("case", choices=sorted(cases))
    cfg = parser.parse_args()
    cfg.cubecast = os.path.abspath(cfg.cubecast)
    return cfg


def run_case(cfg, cases, suite):
    """Runs cases[cfg.case](checks, folder) in a fresh folder WORKDIR/CASE,
    removed when every check passed and kept otherwise; prints the summary
    (named SUITE_CASE) and returns the exit status."""
    work = os.path.join(os.path.abspath(cfg.workdir), cfg.case)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    c = Checks(f"{suite}_{cfg.case}")
    started = time.monotonic()
    try:
        cases[cfg.case](c, work)
    except Abort:
        pass
    status = c.finish(time.monotonic() - started)
    if status:
        print(f"  work folder kept: {work}")
        return status
    shutil.rmtree(work, ignore_errors=True)
    return 0
