#!/usr/bin/python3
"""On a terminal, progress is one line updated in place (carriage return and
erase-to-end), not a line per frame; in a pipe it is a line per frame.

usage: tty_progress.py CUBECAST WORKDIR"""
import os
import pty
import re
import shutil
import subprocess
import sys


def main():
    cubecast, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    cube = os.path.join(work, "cube.h5")
    subprocess.run([cubecast, "generate", cube, "--size", "24"], check=True)
    frames = 6
    args = [cubecast, "render", cube, "--size", "24", "--frames", str(frames),
            "--no-projection"]

    master, slave = pty.openpty()
    proc = subprocess.Popen(args + ["-o", os.path.join(work, "tty")], stderr=slave,
                            stdout=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # the terminal closes when cubecast exits
            break
        if not data:
            break
        chunks.append(data)
    rc = proc.wait()
    os.close(master)
    tty = b"".join(chunks).decode(errors="replace")

    piped = subprocess.run(args + ["-o", os.path.join(work, "pipe")], stderr=subprocess.PIPE,
                           stdout=subprocess.DEVNULL, text=True)
    failures = []

    def check(ok, what):
        print(("ok    " if ok else "FAIL  ") + what)
        if not ok:
            failures.append(what)

    check(rc == 0 and piped.returncode == 0, "both runs exit 0 (tty %d, pipe %d)"
          % (rc, piped.returncode))
    updates = re.findall(r"\rframe (\d+)/%d by rank \d+, [\d.]+ frames/s, ETA \S+\x1b\[K" % frames,
                         tty)
    check([int(u) for u in updates] == list(range(1, frames + 1)),
          "terminal: %d in-place updates counting 1..%d (saw %r)" % (frames, frames, updates))
    check(tty.replace("\r\n", "\n").count("\n") == 1,
          "terminal: a single line, ended once (%d newlines)"
          % tty.replace("\r\n", "\n").count("\n"))
    lines = [l for l in piped.stderr.splitlines() if l.startswith("frame ")]
    check(len(lines) == frames and "\r" not in piped.stderr and "\x1b" not in piped.stderr,
          "pipe: one plain line per frame (%d lines)" % len(lines))
    shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (4 - len(failures), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
