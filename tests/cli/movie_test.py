#!/usr/bin/python3
"""scripts/movie (issue 14 item 6): an H.264 movie from a frames folder, in
frame order, at the rate asked, padded to even sizes; a folder with frames
missing, an existing movie and bad options are refused and leave no movie.

    movie_test.py CUBECAST MOVIE_SCRIPT

Skips (77) where ffmpeg is not installed: scripts/test installs it.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from harness import Checks  # noqa: E402

FRAMES, SIZE = 12, 33  # an odd size: yuv420p needs padding to 34
TIMEOUT = 120


def probe(path):
    """The movie's first video stream as ffprobe reports it."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
                          "-show_entries",
                          "stream=codec_name,pix_fmt,width,height,r_frame_rate,nb_read_frames",
                          "-of", "json", path], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["streams"][0]


def decoded_frames(path, width, height):
    """Every frame of the movie as RGB, width x height."""
    raw = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3).astype(np.int32)


def main():
    exe, movie = sys.argv[1], sys.argv[2]
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        print("ffmpeg is not installed (Debian: apt-get install ffmpeg): skipping")
        return 77
    c = Checks("movie")
    env = harness.open_mpi_env("2")
    work = tempfile.mkdtemp(prefix="cc-movie-")
    try:
        run = lambda cmd: harness.run(cmd, TIMEOUT, env=env, cwd=work, errors="replace")
        cube = os.path.join(work, "cube.h5")
        c.require(run([exe, "generate", cube, "--size", "40"]).rc == 0, "generate a cube")
        sweep = os.path.join(work, "sweep")
        res = run([exe, "render", cube, "-o", sweep, "--frames", str(FRAMES), "--size",
                   str(SIZE), "--sweep-deg", "360", "--quiet"])
        c.require(res.rc == 0, "render the sweep", res.describe())

        res = run([movie, sweep, "--fps", "6"])
        out = sweep + ".mp4"
        c.require(res.rc == 0 and os.path.isfile(out), "the movie is made, as DIR.mp4 by default",
                  res.describe_output())
        c.check(out in res.out and f"{FRAMES} frames" in res.out, "it says where and how many",
                res.out)
        c.check(not [f for f in os.listdir(work) if ".partial" in f], "no temporary file is left")
        stream = probe(out)
        c.check(stream["codec_name"] == "h264" and stream["pix_fmt"] == "yuv420p",
                "H.264 in yuv420p", str(stream))
        c.check((stream["width"], stream["height"]) == (SIZE + 1, SIZE + 1),
                "an odd size is padded to even", str(stream))
        c.check(stream["r_frame_rate"] == "6/1", "at the rate asked", str(stream))
        c.check(int(stream["nb_read_frames"]) == FRAMES, "every frame once", str(stream))

        # Frame order: each decoded frame is closest to the frame of its own
        # number, and close in absolute terms (default quality).
        movie_frames = decoded_frames(out, SIZE + 1, SIZE + 1)[:, :SIZE, :SIZE]
        pngs = [np.asarray(Image.open(os.path.join(sweep, f"frame_{i:05d}.png")).convert("RGB"),
                           np.int32) for i in range(FRAMES)]
        errors = [[float(np.abs(m - p).mean()) for p in pngs] for m in movie_frames]
        order = [int(np.argmin(e)) for e in errors]
        c.check(order == list(range(FRAMES)), "the movie's frames are in frame order", str(order))
        worst = max(errors[i][i] for i in range(len(errors)))
        c.check(worst < 4.0, "each movie frame is its PNG within 4 levels on average",
                f"worst mean error {worst:.2f}")

        res = run([movie, sweep, out])
        c.check(res.rc != 0 and "exists" in res.err and "--force" in res.err,
                "an existing movie is not replaced without --force", res.describe_output())
        before = os.stat(out).st_mtime_ns
        res = run([movie, sweep, out, "--force", "--fps", "12"])
        c.check(res.rc == 0 and probe(out)["r_frame_rate"] == "12/1" and
                os.stat(out).st_mtime_ns != before, "--force replaces it", res.describe_output())

        part = os.path.join(work, "part")
        res = run([exe, "render", cube, "-o", part, "--frames", str(FRAMES), "--size", str(SIZE),
                   "--range", "0:5", "--quiet"])
        c.require(res.rc == 0, "render part of a sweep", res.describe())
        res = run([movie, part, os.path.join(work, "part.mp4")])
        c.check(res.rc != 0 and "frame 5 of 12" in res.err and res.err.count("\n") == 1,
                "a folder with frames missing is refused in one line naming the first gap",
                res.describe_output())
        c.check(not os.path.exists(os.path.join(work, "part.mp4")), "and no movie is made")

        for bad, what in ((["--fps", "0"], "--fps"), (["--fps", "x"], "--fps"),
                          (["--crf", "60"], "--crf"), (["--bogus"], "--bogus")):
            res = run([movie, sweep, os.path.join(work, "bad.mp4")] + bad)
            c.check(res.rc != 0 and what in res.err and
                    not os.path.exists(os.path.join(work, "bad.mp4")),
                    f"{' '.join(bad)} is refused naming {what}", res.describe_output())
        res = run([movie, cube])
        c.check(res.rc != 0 and "no such folder" in res.err, "a file is not a frames folder",
                res.describe_output())
    except harness.Abort:
        pass
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
