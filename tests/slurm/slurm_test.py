#!/usr/bin/python3
"""The job scripts on a real Slurm (issue 14 item 3).

    slurm_test.py --cubecast BIN --mpiexec MPIEXEC --jobs SRC/jobs --workdir DIR

As root, starts a private one-node cluster from Debian's packages (munged,
slurmctld and slurmd in the foreground, no systemd; its key, socket, ports,
configuration and state in a temporary folder) and, on it:

  frames     jobs/render-frames.sbatch with its default geometry (1 node,
             4 ranks x 2 threads): every frame, one MPI world (frames drawn
             by several ranks), pixels and CRC-32s those of a plain local
             render of the same sweep
  bricks     jobs/render-bricks.sbatch, default geometry (4 bricks): the
             frames of mpiexec -np 4 --decomp bricks here, bit for bit
  array      jobs/render-array.sbatch, 4 tasks into one folder: each task
             logs its share, the manifest lists every frame once, pixels
             equal the local render's
  requeue    render-frames.sbatch with 1 rank, SIGUSR1 to the batch script
             mid-run (what --signal=B:USR1@120 sends): cubecast exits 75,
             the script requeues the job, the job resumes; every frame is
             drawn exactly once (the first run's files keep their inode and
             mtime, one progress line per frame in the log), the manifest
             lists all, pixels equal the local render's
  array_requeue  render-array.sbatch, 2 tasks of that sweep, SIGUSR1 to
             task 0 mid-run: task 0 requeues itself and resumes its share,
             task 1 runs once; the folder holds the whole sweep, each frame
             drawn once, pixels equal the local render's
  no_progress  a run interrupted before its first frame (a stand-in for
             cubecast that signals the script and exits 75): not requeued,
             and the log says why
  early      the warning while the script runs `cubecast info`, before
             srun (the trap is set first): render never started, not
             requeued, the log says why
  srun       srun -n 2 --mpi=pmix cubecast render: one MPI world of two
             ranks, the local render's frames

The cluster is stopped and its folder removed at the end, also when the test
fails or is killed (a watchdog process outside the test's process tree tears
it down when the test's end of a pipe closes). Job logs and the daemons'
logs of a failed run are kept in WORKDIR/logs.

Exit status: 0 passed, 1 a check failed, 77 skipped (not root, or no Slurm
and no dpkg to install it with).
"""

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from harness import Abort, Checks  # noqa: E402

SKIP = 77
DEADLINE = 165  # seconds for everything; ctest's TIMEOUT is 180
MARK = "CUBECAST_SLURM_TEST"  # in the environment of every process of the cluster
PROGRAMS = ("munged", "slurmctld", "slurmd", "sbatch", "srun", "scontrol", "squeue", "scancel", "sinfo")
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
            "BOOT_FAIL", "DEADLINE", "PREEMPTED"}

CUBE_SIZE = 48
SWEEP = dict(frames=24, size=64)           # frames, array and srun -n 2
BRICKS = dict(frames=8, size=64)
REQUEUE = dict(frames=200, size=128)       # long enough to interrupt mid-run

started = time.monotonic()


def left():
    return DEADLINE - (time.monotonic() - started)


# ---- tearing down: every process marked with this cluster's folder ---------------

def marked_pids(root):
    """The processes whose environment has MARK=root: the daemons, the
    slurmstepd they start (reparented to init) and every job's processes."""
    needle = f"{MARK}={root}".encode()
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if needle in f.read().split(b"\0"):
                    pids.append(int(entry))
        except OSError:
            pass
    return pids


def teardown(root):
    """Kills every process of the cluster and removes its folder."""
    for _ in range(50):
        pids = marked_pids(root)
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.1)
    shutil.rmtree(root, ignore_errors=True)


def watchdog(root):
    """Runs detached (forked away from the test's process tree, which ctest
    kills whole on a timeout); tears the cluster down once stdin, the test's
    end of a pipe, closes: when the test ends, however it ends."""
    if os.fork() != 0:
        os._exit(0)
    os.setsid()
    while sys.stdin.buffer.read(4096):
        pass
    teardown(root)
    os._exit(0)


# ---- the cluster ------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, root, cubecast_env):
        self.root = root
        self.node = socket.gethostname().split(".")[0]
        self.conf = os.path.join(root, "slurm.conf")
        self.logs = os.path.join(root, "log")
        self.env = dict(cubecast_env, SLURM_CONF=self.conf, **{MARK: root})
        self.daemons = []

    def configure(self):
        munge = os.path.join(self.root, "munge")
        for d in (munge, self.logs, os.path.join(self.root, "ctld"), os.path.join(self.root, "spool"),
                  os.path.join(self.root, "tmp")):
            os.makedirs(d, mode=0o711)
        self.munge_key = os.path.join(munge, "munge.key")
        with open(self.munge_key, "wb") as f:
            f.write(os.urandom(1024))
        os.chmod(self.munge_key, 0o400)
        self.munge_socket = os.path.join(munge, "munge.socket")
        r = self.root
        # CPUs: more than the machine has (SlurmdParameters=config_overrides),
        # so that every job here runs at once; task/none, since binding to
        # those CPUs would fail. cred_expire: a requeued job is held
        # cred_expire + 1 s (default 120). sched_interval: the main scheduler
        # loop every second instead of every minute. TmpFS and mpi.conf's
        # PMIxCliTmpDirBase: the PMIx plugin's folders (named by user, job
        # and step: the same in every such cluster) in this one's folder,
        # not in /tmp, where another cluster's leftovers make its steps fail.
        # FirstJobId: job numbers of their own, since Open MPI names its
        # shared memory after them (PMIx namespace slurm.pmix.JOB.STEP), so
        # that two such clusters at once do not share names.
        text = f"""\
ClusterName=cubecasttest
FirstJobId={random.randrange(1000, 60000000)}
SlurmctldHost={self.node}(127.0.0.1)
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={self.munge_socket},cred_expire=5
StateSaveLocation={r}/ctld
SlurmdSpoolDir={r}/spool
SlurmctldPidFile={r}/slurmctld.pid
SlurmdPidFile={r}/slurmd.pid
SlurmctldLogFile={self.logs}/slurmctld.log
SlurmdLogFile={self.logs}/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
TmpFS={r}/tmp
ProctrackType=proctrack/pgid
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
SchedulerType=sched/builtin
SchedulerParameters=sched_interval=1
MpiDefault=none
ReturnToService=2
KillWait=5
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName={self.node} NodeAddr=127.0.0.1 State=UNKNOWN RealMemory=4000 \\
 CPUs=32 Sockets=1 CoresPerSocket=32 ThreadsPerCore=1
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
"""
        with open(self.conf, "w") as f:
            f.write(text)
        with open(os.path.join(self.root, "mpi.conf"), "w") as f:
            f.write(f"PMIxCliTmpDirBase={r}/tmp\n")

    def daemon(self, name, cmd):
        log = open(os.path.join(self.logs, f"{name}.out"), "w")
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                env=self.env, start_new_session=True)
        log.close()
        self.daemons.append((name, proc))

    def start(self, c):
        try:
            socket.gethostbyname(self.node)
            resolves = True
        except OSError:
            resolves = False
        c.require(resolves, f"the host name {self.node} resolves (srun and slurmd find each other by it)",
                  "add it to /etc/hosts")
        munge = os.path.dirname(self.munge_key)
        self.daemon("munged", ["munged", "--foreground", "--force", f"--key-file={self.munge_key}",
                               f"--socket={self.munge_socket}", f"--pid-file={munge}/munged.pid",
                               f"--log-file={self.logs}/munged.log", f"--seed-file={munge}/munged.seed"])
        c.require(wait_for(lambda: os.path.exists(self.munge_socket), 10), "munged: listening on its own socket")
        self.daemon("slurmctld", ["slurmctld", "-D", "-i", "-f", self.conf])
        self.daemon("slurmd", ["slurmd", "-D", "-N", self.node, "-f", self.conf])
        idle = wait_for(lambda: self.run(["sinfo", "-h", "-o", "%T"]).out.strip() == "idle", 30)
        c.require(idle, f"slurmctld and slurmd: node {self.node} idle", self.log_tails())

    def alive(self):
        return [name for name, proc in self.daemons if proc.poll() is None]

    def run(self, cmd, timeout=30, env=None):
        return harness.run(cmd, timeout, env=env or self.env, cwd=self.root)

    def log_tails(self):
        text = ""
        for name in sorted(os.listdir(self.logs)):
            with open(os.path.join(self.logs, name), errors="replace") as f:
                text += f"\n      --- {name}:\n" + "".join(f.readlines()[-15:])
        return text

    def sbatch(self, c, label, script, options, settings):
        export = "ALL," + ",".join(f"{k}={v}" for k, v in settings.items())
        res = self.run(["sbatch", "--parsable", f"--export={export}"] + options + [script])
        c.require(res.rc == 0 and res.out.strip().isdigit(), f"{label}: sbatch accepts the job", res.describe_output())
        return res.out.strip()

    def jobs(self, job_id):
        """[{field: value}] of `scontrol show job -o ID` (one per array task)."""
        res = self.run(["scontrol", "show", "job", "-o", job_id])
        records = []
        for line in res.out.splitlines():
            records.append(dict(re.findall(r"(\w+)=(\S*)", line)))
        return records

    def wait_done(self, job_id, tasks=1):
        """The job's records once all of its tasks reached a final state."""
        def done():
            records = self.jobs(job_id)
            return (len(records) == tasks and all(r.get("JobState") in TERMINAL for r in records)
                    and records)
        return wait_for(done, max(left(), 1), 0.25) or self.jobs(job_id)


def wait_for(predicate, timeout, interval=0.1):
    """predicate()'s first true value within timeout seconds, else None."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            return None
        time.sleep(interval)


# ---- frames ---------------------------------------------------------------------

def frames_in(folder):
    """{frame number: manifest record} of folder's manifest ({} without one)."""
    try:
        return harness.manifest_frames(harness.load_manifest(folder))
    except (OSError, ValueError):
        return {}


def pixels(path):
    from PIL import Image
    with Image.open(path) as im:
        return im.mode, im.size, im.tobytes()


def check_like_reference(c, label, out, ref, frames):
    """out's manifest lists frames 0..frames-1 once, each file has the
    reference's CRC-32 and pixels."""
    got, want = frames_in(out), frames_in(ref)
    c.check(sorted(got) == list(range(frames)), f"{label}: the manifest lists frames 0..{frames - 1}, each once",
            f"{sorted(got)}")
    on_disk = sorted(harness.frame_number(p) for p in harness.frame_files(out))
    c.check(on_disk == list(range(frames)), f"{label}: {frames} frame files, no more", f"{on_disk}")
    crc = [f for f in range(frames) if f not in got or f not in want or got[f]["crc32"] != want[f]["crc32"]]
    c.check(crc == [], f"{label}: every frame's CRC-32 is the local render's", f"differ: {crc}")
    name = "frame_{:05d}.png".format
    differ = [f for f in range(frames)
              if not os.path.exists(os.path.join(out, name(f)))
              or pixels(os.path.join(out, name(f))) != pixels(os.path.join(ref, name(f)))]
    c.check(differ == [], f"{label}: every frame's pixels are the local render's", f"differ: {differ}")
    return got


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def render_args(cube, out, sweep, *extra):
    """The job scripts' sweep (their START_DEG and SWEEP_DEG, given
    explicitly: cubecast's own default sweep is another)."""
    return ["render", cube, "-o", out, "--frames", str(sweep["frames"]), "--size", str(sweep["size"]),
            "--start-deg", "0", "--sweep-deg", "360", "--quiet"] + list(extra)


# ---- the cases ------------------------------------------------------------------------

def settings(cfg, cube, out, sweep, **more):
    return dict(CUBECAST=cfg.cubecast, INPUT=cube, DATASET="density", OUTDIR=out,
                FRAMES=sweep["frames"], SIZE=sweep["size"], START_DEG=0, SWEEP_DEG=360, **more)


def check_job(c, label, records, state="COMPLETED", exit_code="0:0", restarts="0"):
    got = [(r.get("JobState"), r.get("ExitCode"), r.get("Restarts")) for r in records]
    c.check(bool(records) and all(g == (state, exit_code, restarts) for g in got),
            f"{label}: {state}, exit {exit_code}, {restarts} requeues", f"{got}")


def case_requeue(c, cl, cfg, work, cube, refs):
    """Interrupt mid-run with SIGUSR1 to the batch script; requeue; resume."""
    out, log = os.path.join(work, "requeue"), os.path.join(work, "requeue.log")
    n = REQUEUE["frames"]
    job = cl.sbatch(c, "requeue", os.path.join(cfg.jobs, "render-frames.sbatch"),
                    ["-n", "1", "-c", "1", f"--output={log}"], settings(cfg, cube, out, REQUEUE))
    some = wait_for(lambda: len(harness.frame_files(out)) >= 3, min(60, left()), 0.05)
    c.require(some, "requeue: the first run draws frames", read(log)[-3000:])
    sent = cl.run(["scancel", "--batch", "--signal=USR1", job])
    c.require(sent.rc == 0, "requeue: scancel --batch --signal=USR1 reaches the batch script", sent.describe())

    # Between the runs (held cred_expire + 1 s): the first run's frames.
    held = wait_for(lambda: any(r.get("Restarts") == "1" and r.get("JobState") == "PENDING"
                                for r in cl.jobs(job)), min(60, left()), 0.1)
    first = {p: os.stat(p) for p in harness.frame_files(out)}
    records = cl.wait_done(job)
    text = read(log)
    check_job(c, "requeue", records, restarts="1")
    c.check(held is not None, "requeue: the job went back to the queue (PENDING, 1 restart) after the signal")
    m = re.search(r"interrupted: (\d+) frames finished in this run, (\d+) of (\d+) done", text)
    k = int(m.group(2)) if m else -1
    c.check(m is not None and 0 < k < n, f"requeue: the first run finished some of the {n} frames, not all",
            text[-3000:])
    c.check(f"requeueing job {job}" in text, "requeue: the script says it requeues the job")
    c.check(f"resuming: {k} of {n} frames already done" in text,
            f"requeue: the second run resumes after the first run's {k} frames")
    c.check(len(first) == k, f"requeue: {k} frame files between the runs ({len(first)})")
    touched = [p for p, st in first.items()
               if not os.path.exists(p) or (os.stat(p).st_ino, os.stat(p).st_mtime_ns) != (st.st_ino, st.st_mtime_ns)]
    c.check(touched == [], "requeue: the second run leaves the first run's frames alone (inode, mtime)",
            f"{touched[:5]}")
    drawn = re.findall(rf"^frame (\d+)/{n} by rank", text, re.M)
    c.check(len(drawn) == n, f"requeue: one progress line per frame in the log, {n} in all ({len(drawn)})")
    c.check(f"all {n} frames done" in text, "requeue: the log ends with all frames done")
    check_like_reference(c, "requeue", out, refs["requeue"], n)


def start_array_requeue(c, cl, cfg, work, cube):
    """render-array.sbatch, 2 tasks of the requeue sweep; SIGUSR1 to task
    0's batch script once it drew frames of its share."""
    out = os.path.join(work, "array-requeue")
    log = os.path.join(work, "array-requeue-%a.log")
    job = cl.sbatch(c, "array_requeue", os.path.join(cfg.jobs, "render-array.sbatch"),
                    ["--array=0-1", "-n", "1", "-c", "1", f"--output={log}"], settings(cfg, cube, out, REQUEUE))
    half = REQUEUE["frames"] // 2
    some = wait_for(lambda: sum(harness.frame_number(p) < half for p in harness.frame_files(out)) >= 3,
                    min(60, left()), 0.05)
    c.require(some, "array_requeue: task 0 draws frames", read(log.replace("%a", "0"))[-3000:])
    sent = cl.run(["scancel", "--batch", "--signal=USR1", f"{job}_0"])
    c.require(sent.rc == 0, "array_requeue: scancel --batch --signal=USR1 reaches task 0's script", sent.describe())
    return job, out, log


def check_array_requeue(c, cl, job, out, log, refs):
    """Task 0 requeued once and resumed its share, task 1 ran once; the
    folder holds the whole sweep, every frame drawn once."""
    n, half = REQUEUE["frames"], REQUEUE["frames"] // 2
    records = sorted(cl.wait_done(job, tasks=2), key=lambda r: r.get("ArrayTaskId", ""))
    check_job(c, "array_requeue task 0", records[:1], restarts="1")
    check_job(c, "array_requeue task 1", records[1:], restarts="0")
    text = read(log.replace("%a", "0"))
    c.check(f"requeueing task {job}_0" in text and "resuming:" in text,
            "array_requeue: task 0 says it requeues, and its second run resumes", text[-3000:])
    drawn = len(re.findall(r"^frame \d+/\d+ by rank", text, re.M))
    c.check(drawn == half, f"array_requeue: task 0 drew each of its {half} frames once ({drawn} progress lines)")
    check_like_reference(c, "array_requeue", out, refs["requeue"], n)


def stand_in_interrupted(work, cubecast):
    """A cubecast whose render is interrupted before its first frame: it
    sends the script the time-limit warning and exits 75 on the SIGUSR1
    passed on to it."""
    path = os.path.join(work, "interrupted-cubecast")
    with open(path, "w") as f:
        f.write(f"""#!/bin/sh
if [ "$1" = render ]; then
  trap 'exit 75' USR1
  scancel --batch --signal=USR1 "$SLURM_JOB_ID"
  sleep 30 &
  wait $!
  exit 1
fi
exec {cubecast} "$@"
""")
    os.chmod(path, 0o755)
    return path


def stand_in_early(work, cubecast):
    """A cubecast whose `info` (the script's first use of it, before srun)
    brings the time-limit warning: SIGUSR1 to the script, which is waiting
    for it, so the trap must be set before."""
    path = os.path.join(work, "early-cubecast")
    with open(path, "w") as f:
        f.write(f"""#!/bin/sh
if [ "$1" = info ]; then
  scancel --batch --signal=USR1 "$SLURM_JOB_ID"
  sleep 2
fi
exec {cubecast} "$@"
""")
    os.chmod(path, 0o755)
    return path


def case_early(c, cl, job, log, out):
    records = cl.wait_done(job)
    text = read(log)
    check_job(c, "early", records, state="FAILED", exit_code="75:0", restarts="0")
    c.check("stopped before cubecast started" in text and "requeueing" not in text,
            "early: SIGUSR1 while `cubecast info` runs: render not started, not requeued, the log says why",
            text[-2000:])
    c.check(not os.path.exists(out), "early: no output folder")


def case_no_progress(c, cl, cfg, work, cube, job, log):
    records = cl.wait_done(job)
    text = read(log)
    check_job(c, "no_progress", records, state="FAILED", exit_code="75:0", restarts="0")
    c.check("not requeued: this run finished no frame" in text and "requeueing" not in text,
            "no_progress: not requeued after a run that finished no frame, and the log says why", text[-2000:])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cubecast", required=True)
    parser.add_argument("--mpiexec", required=True)
    parser.add_argument("--jobs", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--watchdog")
    cfg = parser.parse_args()
    if cfg.watchdog:
        watchdog(cfg.watchdog)
    cfg.cubecast = os.path.abspath(cfg.cubecast)
    cfg.jobs = os.path.abspath(cfg.jobs)

    if os.geteuid() != 0:
        print("SKIP: starting slurmctld, slurmd and munged needs root")
        return SKIP
    os.environ["PATH"] += ":/usr/sbin:/sbin"
    missing = [p for p in PROGRAMS if shutil.which(p) is None]
    if missing:
        if shutil.which("dpkg-query") is None:
            print(f"SKIP: no {' '.join(missing)} and no Debian packages to install them from")
            return SKIP
        print(f"FAIL: no {' '.join(missing)}: apt-get install munge slurmctld slurmd slurm-client "
              "(scripts/common.sh installs them)")
        return 1

    logs_kept = os.path.join(os.path.abspath(cfg.workdir), "logs")
    shutil.rmtree(logs_kept, ignore_errors=True)
    os.makedirs(cfg.workdir, exist_ok=True)
    # Short paths: the munge socket's must fit a sockaddr_un.
    root = tempfile.mkdtemp(prefix="cubecast-slurm-")
    os.chmod(root, 0o711)
    guard = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--cubecast", cfg.cubecast,
                              "--mpiexec", cfg.mpiexec, "--jobs", cfg.jobs, "--workdir", cfg.workdir,
                              "--watchdog", root],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    guard.wait()  # the watchdog forked away; its pipe stays open until we exit
    c = Checks("slurm")
    cl = Cluster(root, harness.open_mpi_env("1"))
    work = os.path.join(root, "work")
    os.makedirs(work)
    try:
        run_all(c, cl, cfg, work)
    except Abort:
        pass
    finally:
        if c.failures:
            try:
                shutil.copytree(root, logs_kept, ignore=shutil.ignore_patterns(
                    "*.png", "*.h5", "*.key", "*.socket*", "*.seed", "ctld", "spool"))
                print(f"logs kept in {logs_kept}")
            except OSError as e:
                print(f"could not keep the logs: {e}")
        alive_before = cl.alive()
        teardown(root)
        gone = wait_for(lambda: not marked_pids(root), 10)
        ran = ", ".join(alive_before) or "no daemon"
        c.check(gone is not None and not os.path.exists(root),
                f"the cluster is stopped ({ran} were running) and its folder removed")
        guard.stdin.close()
    return c.finish(time.monotonic() - started)


def run_all(c, cl, cfg, work):
    cube = os.path.join(work, "cube.h5")
    res = harness.run([cfg.cubecast, "generate", cube, "--size", str(CUBE_SIZE)], 60, env=cl.env)
    c.require(res.rc == 0, f"cubecast generate cube.h5 --size {CUBE_SIZE}", res.describe())

    # Local renders to compare with, while the cluster starts.
    refs = {name: os.path.join(work, f"ref-{name}") for name in ("sweep", "bricks", "requeue")}
    local = [harness.start([cfg.cubecast] + render_args(cube, refs["sweep"], SWEEP), env=cl.env),
             harness.start([cfg.mpiexec] + harness.MPI_FLAGS + ["-np", "4", cfg.cubecast]
                           + render_args(cube, refs["bricks"], BRICKS, "--decomp", "bricks", "--composite", "swap"),
                           env=cl.env),
             harness.start([cfg.cubecast] + render_args(cube, refs["requeue"], REQUEUE), env=cl.env)]

    cl.configure()
    cl.start(c)
    jobs = cfg.jobs
    out = {name: os.path.join(work, name) for name in ("frames", "bricks", "array", "srun", "no_progress", "early")}
    log = {name: os.path.join(work, f"{name}.log") for name in out}
    frames_job = cl.sbatch(c, "frames", os.path.join(jobs, "render-frames.sbatch"), [f"--output={log['frames']}"],
                           settings(cfg, cube, out["frames"], SWEEP))
    bricks_job = cl.sbatch(c, "bricks", os.path.join(jobs, "render-bricks.sbatch"), [f"--output={log['bricks']}"],
                           settings(cfg, cube, out["bricks"], BRICKS))
    array_log = os.path.join(work, "array-%a.log")
    array_job = cl.sbatch(c, "array", os.path.join(jobs, "render-array.sbatch"), [f"--output={array_log}"],
                          settings(cfg, cube, out["array"], SWEEP))
    stand_in = stand_in_interrupted(work, cfg.cubecast)
    no_progress_job = cl.sbatch(c, "no_progress", os.path.join(jobs, "render-frames.sbatch"),
                                ["-n", "1", "-c", "1", f"--output={log['no_progress']}"],
                                settings(cfg, cube, out["no_progress"], SWEEP) | dict(CUBECAST=stand_in))
    early_job = cl.sbatch(c, "early", os.path.join(jobs, "render-frames.sbatch"),
                          ["-n", "1", "-c", "1", f"--output={log['early']}"],
                          settings(cfg, cube, out["early"], SWEEP) | dict(CUBECAST=stand_in_early(work, cfg.cubecast)))
    srun = harness.start(["srun", "-n", "2", "--mpi=pmix", cfg.cubecast]
                         + render_args(cube, out["srun"], SWEEP), env=cl.env)

    for proc, name in zip(local, ("sweep", "bricks", "requeue")):
        try:
            _, err = proc.communicate(timeout=max(left(), 1))
        except subprocess.TimeoutExpired:
            harness.kill_session(proc)
            _, err = proc.communicate()
        c.require(proc.returncode == 0, f"local render of the {name} sweep", err[-2000:])

    array_requeue = start_array_requeue(c, cl, cfg, work, cube)
    case_requeue(c, cl, cfg, work, cube, refs)
    check_array_requeue(c, cl, *array_requeue, refs)

    check_job(c, "frames", cl.wait_done(frames_job))
    got = check_like_reference(c, "frames", out["frames"], refs["sweep"], SWEEP["frames"])
    ranks = sorted({int(r["rank"]) for r in got.values()})
    c.check(len(ranks) > 1 and max(ranks) < 4, f"frames: frames drawn by ranks {ranks} of one 4-rank world")
    c.check("4 ranks on 1 nodes x 2 threads" in read(log["frames"]),
            "frames: the default geometry, 4 ranks x 2 threads on 1 node", read(log["frames"])[:600])

    check_job(c, "bricks", cl.wait_done(bricks_job))
    check_like_reference(c, "bricks", out["bricks"], refs["bricks"], BRICKS["frames"])

    records = cl.wait_done(array_job, tasks=4)
    check_job(c, "array", records)
    n = SWEEP["frames"]
    shares = []
    for task in range(4):
        m = re.search(r"task (\d) of 4, frames (\d+) to (\d+) of", read(array_log.replace("%a", str(task))))
        shares.append(m and (int(m.group(1)), int(m.group(2)), int(m.group(3))))
    want = [(t + 1, t * n // 4, (t + 1) * n // 4 - 1) for t in range(4)]
    c.check(shares == want, f"array: each task logs its share of the {n} frames", f"{shares} != {want}")
    check_like_reference(c, "array", out["array"], refs["sweep"], n)

    case_no_progress(c, cl, cfg, work, cube, no_progress_job, log["no_progress"])
    case_early(c, cl, early_job, log["early"], out["early"])

    try:
        sout, serr = srun.communicate(timeout=max(left(), 1))
    except subprocess.TimeoutExpired:
        harness.kill_session(srun)
        sout, serr = srun.communicate()
    c.check(srun.returncode == 0, "srun -n 2 --mpi=pmix cubecast render: exit 0", serr[-2000:])
    got = check_like_reference(c, "srun", out["srun"], refs["sweep"], n)
    ranks = sorted({int(r["rank"]) for r in got.values()})
    c.check(ranks == [0, 1], f"srun: frames drawn by ranks 0 and 1 of one world ({ranks})")
    c.check(sorted(cl.alive()) == ["munged", "slurmctld", "slurmd"], "the daemons ran to the end",
            cl.log_tails())


if __name__ == "__main__":
    sys.exit(main())
