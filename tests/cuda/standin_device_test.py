#!/usr/bin/python3
"""The whole program on the CUDA backend, without a GPU (issue 12).

    standin_device_test.py CUBECAST_STANDIN CUBECAST MPIEXEC WORKDIR

CUBECAST_STANDIN is cubecast linked with the CUDA backend compiled against
the CUDA stand-in of tests/cuda, which plays the devices and device memory
that CC_STANDIN_DEVICES and CC_STANDIN_MEMORY ask for; CUBECAST is the
ordinary build, for the CPU's frames.  Checks:
  - no device: --device cuda fails on every rank with the runtime's reason
    and writes nothing; --device auto renders on the CPU, bit for bit;
  - devices: --device cuda and auto render on them, a rank's device by its
    rank on the node, round-robin; the manifest and --profile name them;
    the profile times the upload; frames within 1e-4 of the CPU's;
  - device memory: a volume the device cannot hold is refused before
    anything is written, on every rank, with what it needs and what is
    free, and the advice of bricks; ranks sharing a device add up;
    --decomp auto takes rows or bricks instead and says why.
"""

import os
import shutil
import sys

import numpy as np

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
import harness  # noqa: E402
from harness import Checks  # noqa: E402
import device_test  # noqa: E402  (tests/cli: run, ranks_run, our_lines, raw_frames)

RENDER = ["--frames", "3", "--size", "24", "--quiet"]
MIB = 1048576


def env(**knobs):
    """The stand-in's knobs for one run (device_test's run uses ENV)."""
    e = dict(device_test.ENV)
    for name in ("CC_STANDIN_DEVICES", "CC_STANDIN_MEMORY"):
        e.pop(name, None)
    e.update({k: str(v) for k, v in knobs.items()})
    e["ASAN_OPTIONS"] = "detect_leaks=0"
    return e


def run(cmd, work, **knobs):
    device_test.ENV = env(**knobs)
    return device_test.run(cmd, work)


def ranks_run(mpiexec, exe, ranks, argv, work, **knobs):
    device_test.ENV = env(**knobs)
    return device_test.ranks_run(mpiexec, exe, ranks, argv, work)


def check_no_device(c, standin, mpiexec, cube, cpu_out, work):
    target = os.path.join(work, "none")
    res, codes = ranks_run(mpiexec, standin, 2, ["render", cube, "-o", target, "--raw",
                                                 target + ".h5", "--device", "cuda"] + RENDER,
                           work, CC_STANDIN_DEVICES=0)
    lines = device_test.our_lines(res.err)
    c.check(codes == [3, 3], f"no device, --device cuda: exit 3 on both ranks (got {codes})",
            res.describe_output())
    c.check(len(set(lines)) == 1 and "no usable CUDA device: no CUDA device (cudaErrorNoDevice)"
            in lines[0], "no device: one line with the runtime's reason", repr(lines))
    c.check(not os.path.lexists(target) and not os.path.lexists(target + ".h5"),
            "no device: nothing written")
    out = os.path.join(work, "none-auto")
    res = run([standin, "render", cube, "-o", out, "--raw", out + ".raw.h5", "--device", "auto"]
              + RENDER, work, CC_STANDIN_DEVICES=0)
    c.require(res.rc == 0, "no device, --device auto: renders", res.describe_output())
    c.check(harness.load_manifest(out).get("devices") == ["cpu"],
            "no device, --device auto: the CPU renders")
    c.check(device_test.same_frames(out, cpu_out),
            "no device, --device auto: the CPU's frames bit for bit")


def check_devices(c, standin, mpiexec, cube, cpu_out, work):
    cpu = device_test.raw_frames(cpu_out + ".raw.h5")
    for device, devices, ranks in (("cuda", 1, 1), ("auto", 2, 3), ("cuda", 2, 2)):
        out = os.path.join(work, f"gpu-{device}-{devices}-{ranks}")
        argv = ["render", cube, "-o", out, "--raw", out + ".raw.h5", "--device", device,
                "--profile"] + RENDER
        res, codes = ranks_run(mpiexec, standin, ranks, argv, work, CC_STANDIN_DEVICES=devices)
        label = f"--device {device}, {devices} device(s), {ranks} rank(s)"
        c.require(codes == [0] * ranks, f"{label}: renders", res.describe_output())
        want = [f"cuda:{r % devices} CUDA stand-in" for r in range(ranks)]
        manifest = harness.load_manifest(out)
        c.check(manifest.get("devices") == want, f"{label}: manifest devices {want}",
                str(manifest.get("devices")))
        per_rank = manifest.get("profile", {}).get("per_rank", [])
        c.check([r.get("device") for r in per_rank] == want, f"{label}: --profile per-rank devices",
                str(per_rank))
        uploads = [r.get("seconds", {}).get("upload", -1) for r in per_rank]
        c.check(len(uploads) == ranks and all(u > 0 for u in uploads),
                f"{label}: --profile times each rank's upload", str(per_rank))
        gpu = device_test.raw_frames(out + ".raw.h5")
        worst = float(np.abs(gpu["frames"].astype(np.float64) - cpu["frames"]).max())
        c.check(np.array_equal(gpu["angles"], cpu["angles"]) and worst <= 1e-4,
                f"{label}: frames within 1e-4 of the CPU's (max |diff| {worst:.3g})")


def check_memory(c, standin, mpiexec, exe, work):
    # A 64^3 float32 cube (1 MiB) and a 24 x 24 image: a rank holding all
    # of it needs a little more than 1 MiB besides the 64 MiB of headroom.
    cube = os.path.join(work, "c64.h5")
    res = run([exe, "generate", cube, "--shape", "64", "64", "64"], work)
    c.require(res.rc == 0, "generate a 64^3 cube", res.describe_output())
    tight, roomy = 64 * MIB + MIB // 2, 64 * MIB + 3 * MIB // 2
    target = os.path.join(work, "short")
    argv = ["render", cube, "-o", target, "--raw", target + ".h5", "--device", "cuda",
            "--decomp", "frames"] + RENDER
    res, codes = ranks_run(mpiexec, standin, 2, argv, work, CC_STANDIN_MEMORY=tight)
    lines = device_test.our_lines(res.err)
    c.check(codes == [3, 3], f"device too small, frames: exit 3 on both ranks (got {codes})",
            res.describe_output())
    c.check(len(set(lines)) == 1 and lines[0].startswith(
        "cubecast: error: not enough GPU memory for --decomp frames: cuda:0 CUDA stand-in needs")
        and "2 ranks" in lines[0] and "is free" in lines[0] and "--decomp bricks" in lines[0],
        "device too small: one line with the need, the two ranks sharing it, what is free, and "
        "bricks", repr(lines))
    c.check(not os.path.lexists(target) and not os.path.lexists(target + ".h5"),
            "device too small: nothing written")
    # One rank alone fits where two on the device did not.
    alone = os.path.join(work, "alone")
    res = run([standin, "render", cube, "-o", alone, "--device", "cuda"] + RENDER, work,
              CC_STANDIN_MEMORY=roomy)
    c.check(res.rc == 0, "one rank on the device: fits", res.describe_output())
    res, codes = ranks_run(mpiexec, standin, 2, ["render", cube, "-o", alone + "2", "--device",
                                                 "cuda"] + RENDER, work,
                           CC_STANDIN_MEMORY=roomy)
    c.check(codes == [3, 3], "two ranks sharing that device: refused", res.describe_output())
    # --decomp auto: frames does not fit the device, bricks does.
    auto = os.path.join(work, "auto")
    res, codes = ranks_run(mpiexec, standin, 2, ["render", cube, "-o", auto, "--device", "cuda",
                                                 "--decomp", "auto", "--elevation", "10"]
                           + RENDER[:-1], work, CC_STANDIN_MEMORY=roomy)
    c.check(codes == [0, 0], "--decomp auto on a small device: renders", res.describe_output())
    said = [l for l in res.err.splitlines() if l.startswith("decomposition:")]
    c.check(len(said) == 1 and said[0].startswith("decomposition: bricks: frames would need more "
                                                  "of cuda:0 CUDA stand-in than it has free"),
            "--decomp auto: takes bricks and says the device was short", repr(said))


def main():
    if len(sys.argv) != 5:
        print(__doc__)
        return 2
    standin, exe = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    mpiexec, work = sys.argv[3], os.path.abspath(sys.argv[4])
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    c = Checks("cuda_standin_device")
    cube = os.path.join(work, "c.h5")
    res = run([exe, "generate", cube, "--shape", "20", "24", "28"], work)
    if not c.check(res.rc == 0, "generate the cube", res.describe_output()):
        return c.finish()
    cpu_out = os.path.join(work, "cpu")
    res = run([exe, "render", cube, "-o", cpu_out, "--raw", cpu_out + ".raw.h5", "--device", "cpu"]
              + RENDER, work)
    if not c.check(res.rc == 0, "the CPU build renders", res.describe_output()):
        return c.finish()
    try:
        check_no_device(c, standin, mpiexec, cube, cpu_out, work)
        check_devices(c, standin, mpiexec, cube, cpu_out, work)
        check_memory(c, standin, mpiexec, exe, work)
    except harness.Abort:
        pass
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
