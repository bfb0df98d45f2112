#!/usr/bin/python3
"""The docs match the program (issue 15 item 4).

Reads README.md and docs/usage.md at test time and checks them against the
cubecast under test:

- every code block is classified; every command line in one (cubecast,
  build/cubecast, mpirun/mpiexec, scripts/movie, python3 -c, ffmpeg) is run
  in a folder of its own, on small generated cubes standing in for the
  names the docs use (mycube.h5, cube.h5, snap_*.h5, ...), with --size
  scaled as the cube is (32 voxels for the docs' 256) and --frames, -np
  and --range shrunk; a command that cannot run here must be in ALLOWED,
  with the reason, so a new command in the docs fails this test until it
  runs or is listed;
- what the text claims next to a command: output file names, "N frames,
  W x H, A..B degrees" comments, that a high-resolution example's frame is
  well framed (more than a quarter of its pixels lit);
- options: every option a synopsis or option table names exists in that
  command's --help, and every option of every --help is in docs/usage.md
  (and the render options in the README's option list);
- the PNG text keys, the manifest keys and the raw file's names the docs
  list, exactly as the files have them;
- the exit-code tables: a representative error for every row (each error
  the row names that CASES knows), its code, one error line, and nothing
  created for a bad input; under mpiexec, what Open MPI adds to it;
- progress on a terminal, alone and under mpiexec.

usage: docs_test.py --cubecast BIN --mpiexec MPIEXEC --source REPO --workdir DIR
"""
import argparse
import fcntl
import glob
import json
import os
import pty
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from harness import Checks  # noqa: E402

DOCS = ["README.md", "docs/usage.md"]
CUBE = 32  # the side of the generated cubes, standing for the docs' 256
DOC_CUBE = 256
MAX_FRAMES = 3
MAX_RANKS = 2
LIT_FRACTION = 0.25  # a well-framed frame has more than this lit

# Commands the docs show that this test does not run, with the reason.  A
# regular expression matches the whole command (after env assignments).
# cubecast's options in them are still checked against --help.
ALLOWED = [
    (r"scripts/demo\b.*", "installs packages, builds build/ and renders a 256^3 cube (minutes)"),
    (r"scripts/test\b.*", "runs the whole test suite, this test included"),
    (r"scripts/bench\b.*", "benchmarks: minutes of rendering, a 4 GiB cube with --all"),
    (r"(sudo )?apt-get (install|remove) .*", "installs or removes system packages"),
    (r"cmake (-S|--build|--install) .*", "configures, builds or installs the project "
     "(tests/build and tests/install check those)"),
    (r"cd build && cpack -G DEB", "builds a Debian package (tests/install)"),
    (r"spack .*", "needs Spack (install_spack_recipe checks the recipe)"),
    (r"cp packaging/spack/package\.py .*", "a step of the Spack recipe's setup"),
    (r"PKG_CONFIG_PATH=\S+ cc .*", "compiles the user's own myprog.c against an installed "
     "library (install_tree builds tests/install/consumer that way)"),
    (r"srun .*", "needs Slurm; the cubecast part's options are checked"),
    (r"sbatch .*", "needs Slurm; the job script must exist"),
]

# Render examples with a high --size that are deliberately not well framed.
FRAMING_EXEMPT = [
    (r".* -o before/ .*", "shows the default camera's small patch, before --fit"),
]

FLAGS = {"--no-projection", "--resume", "--overwrite", "--fit", "--profile", "--quiet",
         "-h", "--help", "--version", "--force"}
CUBECAST = {"cubecast", "build/cubecast"}
MPI = {"mpirun", "mpiexec"}
RUNNABLE = CUBECAST | MPI | {"scripts/movie", "python3", "ffmpeg"}
OUTPUT_NAME = re.compile(r"frame_\d{5}\.png|projection\.png|manifest\.json|[\w-]+\.mp4")
FOLDER_NAME = re.compile(r"frame_\d{5}\.png|projection\.png|manifest\.json")
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-z])(?![\w-])")


# ---- reading the docs -----------------------------------------------------------

class Block:
    """A code block: its first line's number, kind ('indented' or 'fenced'),
    its lines (dedented) and the paragraph before it."""

    def __init__(self, doc, line, kind, lines, before):
        self.doc, self.line, self.kind, self.lines, self.before = doc, line, kind, lines, before

    def where(self, line=None):
        return f"{self.doc}:{line or self.line}"

    def logical_lines(self):
        """(line number, text, comment) for each line, continuations joined."""
        out, pending, start = [], "", None
        for i, raw in enumerate(self.lines):
            if start is None:
                start = self.line + i
            if raw.rstrip().endswith("\\"):
                pending += raw.rstrip()[:-1] + " "
                continue
            text, comment = split_comment(pending + raw)
            out.append((start, " ".join(text.split()), comment))
            pending, start = "", None
        return [entry for entry in out if entry[1] or entry[2]]


def split_comment(line):
    """A shell line's text and its '#' comment (outside quotes)."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].strip(), line[i + 1:].strip()
    return line.strip(), ""


def code_blocks(doc, text):
    lines = text.split("\n")
    blocks, i = [], 0
    paragraph = []
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("```"):
            start, body = i + 1, []
            i += 1
            while i < len(lines) and not lines[i].lstrip().startswith("```"):
                body.append(lines[i])
                i += 1
            blocks.append(Block(doc, start + 1, "fenced", dedent(body), " ".join(paragraph)))
            paragraph = []
            i += 1
            continue
        indent = len(line) - len(line.lstrip(" "))
        if line.strip() and indent >= 4 and (i == 0 or not lines[i - 1].strip()):
            start, body = i, []
            while i < len(lines) and (not lines[i].strip()
                                      or len(lines[i]) - len(lines[i].lstrip(" ")) >= 4):
                body.append(lines[i])
                i += 1
            while body and not body[-1].strip():
                body.pop()
            blocks.append(Block(doc, start + 1, "indented", dedent(body), " ".join(paragraph)))
            paragraph = []
            continue
        if line.strip():
            paragraph.append(line.strip())
        elif paragraph and i + 1 < len(lines) and lines[i + 1].strip() \
                and len(lines[i + 1]) - len(lines[i + 1].lstrip(" ")) < 4:
            paragraph = []
        i += 1
    return blocks


def dedent(lines):
    indents = [len(l) - len(l.lstrip(" ")) for l in lines if l.strip()]
    cut = min(indents) if indents else 0
    return [l[cut:] for l in lines]


def block_kind(block):
    """python, json, cmake, output, synopsis, jobscript, console (commands
    after a "$ " prompt, and what they print) or shell."""
    lines = [text for _, text, _ in block.logical_lines() if text]
    raw = [l.strip() for l in block.lines if l.strip()]
    if any(l.startswith("#SBATCH") for l in raw):
        return "jobscript"
    if raw and raw[0].startswith("$ "):
        return "console"
    first = lines[0] if lines else ""
    if re.match(r"(import|from)\s+\w", first):
        return "python"
    if first.startswith(("{", "[")):
        return "json"
    if re.match(r"(find_package|target_link_libraries)\(", first):
        return "cmake"
    if re.match(r"cubecast: error: |frame \d+/\d+ |-{20,}$", first):
        return "output"
    if re.match(r"(build/)?cubecast (render|generate|info) (INPUT|OUT)\.h5", first):
        return "synopsis"
    return "shell"


def words(text):
    """A command's env assignments, program and arguments."""
    tokens = shlex.split(text)
    env = {}
    while tokens and re.match(r"[A-Z_][A-Z0-9_]*=", tokens[0]):
        name, _, value = tokens.pop(0).partition("=")
        env[name] = value
    return env, tokens


def section(text, heading):
    """The text of the section whose heading contains heading."""
    match = re.search(r"^(#+) [^\n]*" + re.escape(heading) + r"[^\n]*\n", text, re.M)
    if not match:
        return ""
    level = len(match.group(1))
    rest = text[match.end():]
    end = re.search(r"^#{1,%d} " % level, rest, re.M)
    return rest[:end.start()] if end else rest


# ---- the program's help ---------------------------------------------------------

def help_options(cfg, sub):
    res = subprocess.run([cfg.cubecast, sub, "--help"], capture_output=True, text=True,
                         env=cfg.env)
    text = res.stdout + res.stderr
    options = set()
    for line in text.splitlines():
        options.update(OPTION.findall(line))
    return options, text


def cubecast_part(tokens):
    """(subcommand, its arguments) of the cubecast in a command, or None."""
    for i, token in enumerate(tokens):
        if token in CUBECAST or token.endswith("/cubecast"):
            rest = tokens[i + 1:]
            if rest and rest[0] in ("render", "generate", "info"):
                return rest[0], rest[1:]
            return None, rest
    return None


# ---- fixtures -------------------------------------------------------------------

PARAVIEW_PRESET = [{"Name": "test", "ColorSpace": "RGB",
                    "RGBPoints": [0, 0, 0, 1, 0.5, 0, 1, 0, 1, 1, 1, 0],
                    "Points": [0, 0, 0.5, 0, 1, 0.8, 0.5, 0]}]


class Fixtures:
    def __init__(self, cfg, docs_text):
        self.cfg, self.dir = cfg, os.path.join(cfg.workdir, "fixtures")
        os.makedirs(self.dir, exist_ok=True)
        self.band_file = None
        for text in docs_text.values():
            m = re.search(r"^\s*(\{\"cubecast_transfer_function\".*?\]\})\s*$", text, re.M | re.S)
            if m:
                self.band_file = m.group(1)

    def cube(self, name, dataset=None, seed=1):
        key = f"{name}.{(dataset or 'density').strip('/').replace('/', '_')}.{seed}"
        path = os.path.join(self.dir, key)
        if not os.path.exists(path):
            args = [self.cfg.cubecast, "generate", path, "--size", str(CUBE), "--seed", str(seed)]
            if dataset:
                args += ["--dataset", dataset]
            subprocess.run(args, check=True, capture_output=True, env=self.cfg.env)
        return path

    def series4d(self, name, dataset, steps):
        """NAME with a 4D dataset: the cube repeated `steps` times along a
        last axis (time), for --index."""
        import h5py
        path = os.path.join(self.dir, f"{name}.4d{steps}")
        if not os.path.exists(path):
            with h5py.File(self.cube(name, dataset), "r") as f:
                volume = f[dataset or "density"][...]
            with h5py.File(path, "w") as f:
                f.create_dataset(dataset or "density",
                                 data=np.stack([volume] * steps, axis=-1))
        return path

    def place(self, work, name, dataset=None, index=None):
        """Makes the input NAME (or a glob) in work; returns the names made.
        With index (a command's --index), NAME holds a 4D dataset."""
        if index is not None and "*" not in name and name.endswith(".h5"):
            target = os.path.join(work, name)
            os.symlink(self.series4d(name, dataset, max(4, index + 1)), target)
            return [name]
        if "*" in name:
            made = []
            for k in range(3):
                one = name.replace("*", f"{k:04d}", 1)
                os.symlink(self.cube(one, dataset, seed=k + 1), os.path.join(work, one))
                made.append(one)
            return made
        target = os.path.join(work, name)
        if os.path.exists(target):
            return [name]
        if name.endswith(".h5"):
            os.symlink(self.cube(name, dataset), target)
        elif name.endswith(".txt"):
            snaps = self.place(work, "snap_*.h5", dataset)
            with open(target, "w") as f:
                f.write("# the snapshots\n" + "\n".join(snaps) + "\n")
        elif name.endswith(".json"):
            with open(target, "w") as f:
                if name == "bands.json" and self.band_file:
                    f.write(self.band_file)
                else:
                    json.dump(PARAVIEW_PRESET, f)
        elif name.endswith((".nii", ".nii.gz")):
            import nibabel
            data = np.random.default_rng(1).random((12, 10, 8)).astype("float32") + 0.1
            nibabel.save(nibabel.Nifti1Image(data, np.diag([2, 2, 2.2, 1])), target)
        else:
            return []
        return [name]


# ---- running the commands -------------------------------------------------------

class Runner:
    def __init__(self, cfg, c, fixtures, help_opts):
        self.cfg, self.c, self.fixtures, self.help = cfg, c, fixtures, help_opts
        self.produced = {}  # output folder name -> the folder a command wrote
        self.count = 0

    def workdir(self, block, line):
        self.count += 1
        path = os.path.join(self.cfg.workdir, "run", f"{self.count:03d}-"
                            f"{block.doc.replace('/', '_')}-{line}")
        os.makedirs(path)
        return path

    def bring(self, work, text, own=()):
        """Copies into work the output folders of earlier commands that text names."""
        for name in set(re.findall(r"([\w.-]+)/", text)):
            if name in self.produced and name not in own and not os.path.exists(
                    os.path.join(work, name)):
                shutil.copytree(self.produced[name], os.path.join(work, name), symlinks=True)

    def static_check(self, block, line, tokens):
        part = cubecast_part(tokens)
        if not part or not part[0]:
            return
        sub, args = part
        unknown = [a.split("=")[0] for a in args
                   if a.startswith("-") and not re.match(r"-\d", a)
                   and a.split("=")[0] not in self.help[sub]]
        self.c.check(not unknown, f"{block.where(line)}: cubecast {sub}'s options exist "
                     "in its --help", f"unknown: {unknown}")

    def shell_line(self, block, line, text, comment):
        try:
            env, tokens = words(text)
        except ValueError as e:
            self.c.check(False, f"{block.where(line)}: a shell line", f"{text!r}: {e}")
            return
        program = tokens[0] if tokens else ""
        if program not in RUNNABLE or (program == "python3" and tokens[1:2] != ["-c"]):
            reason = next((r for pattern, r in ALLOWED if re.fullmatch(pattern, text)), None)
            self.c.check(reason is not None, f"{block.where(line)}: not run: {text[:60]}"
                         + (f" ({reason})" if reason else ""),
                         "a command this test cannot run: make it runnable here, or add it to "
                         "ALLOWED in tests/docs/docs_test.py with the reason")
            self.static_check(block, line, tokens)
            if program == "sbatch":
                script = tokens[-1]
                self.c.check(os.path.isfile(os.path.join(self.cfg.source, script)),
                             f"{block.where(line)}: the job script {script} exists")
            return
        self.run_command(block, line, env, tokens, text, comment)

    def run_command(self, block, line, env, tokens, text, comment):
        c, cfg = self.c, self.cfg
        work = self.workdir(block, line)
        argv, scaled = self.rewrite(work, env, tokens)
        part = cubecast_part(tokens)
        sub, args = part if part else (None, [])
        outdir = None
        if sub == "render":
            outdir = option_value(args, "-o", "--output") or "out"
        self.bring(work, " ".join(tokens[1:]), own=(outdir.rstrip("/"),) if outdir else ())
        run_env = dict(cfg.env)
        for name in env:
            run_env[name] = "1" if name == "OMP_NUM_THREADS" else env[name]
        res = run(argv, work, run_env, timeout=120)
        if res.returncode != 0 and tokens[0] in MPI and re.search(
                r"/(mpiexec|mpirun|orterun)[\w.]*\(", res.stderr):
            shutil.rmtree(work)  # Open MPI 4.1's mpiexec crashing in its own finalize
            os.makedirs(work)
            self.bring(work, " ".join(tokens[1:]), own=(outdir.rstrip("/"),) if outdir else ())
            argv, scaled = self.rewrite(work, env, tokens)
            res = run(argv, work, run_env, timeout=120)
        shown = text if len(text) < 90 else text[:87] + "..."
        if comment.startswith("... ") and res.returncode == 0:
            # "# ... text 12:34": the output's text, up to the first number
            shown_words = []
            for word in comment[4:].split():
                if re.match(r"-?\d", word):
                    break
                shown_words.append(word)
            quoted = " ".join(shown_words)
            c.check(quoted in " ".join(res.stdout.split()), f"{block.where(line)}: prints "
                    f"'{quoted}', as its comment shows", res.stdout[-800:])
        if not c.check(res.returncode == 0 and "cubecast: error" not in res.stderr,
                       f"{block.where(line)}: runs: {shown}",
                       f"ran {' '.join(argv)}\n      in {work}: exit {res.returncode}\n"
                       f"      {res.stderr[-1500:]}"):
            return
        if outdir:
            folder = os.path.join(work, outdir)
            self.produced[outdir.rstrip("/")] = folder
            self.check_render(block, line, text, comment, folder, args, scaled)
        # The outputs the comment names, the movie the command names, and the
        # frames' folder files the paragraph before a short block names.
        names = set(OUTPUT_NAME.findall(comment))
        names |= {os.path.basename(t) for t in tokens if t.endswith(".mp4")}
        if block.before and len(block.lines) <= 3:
            names |= set(FOLDER_NAME.findall(block.before))
        for name in sorted(names):
            found = [p for p in glob.glob(os.path.join(work, "**", name), recursive=True)
                     if os.path.getsize(p) > 0]
            c.check(bool(found), f"{block.where(line)}: writes {name}, as the text says")

    def rewrite(self, work, env, tokens):
        """The command's argv for this test, and whether the sweep was shrunk."""
        argv, scaled, i = [], False, 0
        part = cubecast_part(tokens)
        sub = part[0] if part else None
        series = False
        dataset = None
        index = None
        if part:
            dataset = option_value(part[1], "--dataset")
            given = option_value(part[1], "--index")
            index = int(given) if given and given.isdigit() else None
        while i < len(tokens):
            t = tokens[i]
            if t in CUBECAST:
                argv.append(self.cfg.cubecast)
            elif i == 0 and t in MPI:
                argv += [self.cfg.mpiexec, "--allow-run-as-root", "--oversubscribe"]
            elif t == "-np" and tokens[0] in MPI:
                argv += ["-np", str(min(int(tokens[i + 1]), MAX_RANKS))]
                i += 1
            elif i == 0 and t == "scripts/movie":
                argv.append(os.path.join(self.cfg.source, "scripts", "movie"))
            elif i == 0 and t == "python3":
                argv.append(self.cfg.python)
            elif sub and t in ("--size", "--projection-size") and i + 1 < len(tokens):
                n = int(tokens[i + 1])
                small = max(8, round(n * CUBE / DOC_CUBE)) if sub == "render" else min(n, CUBE)
                scaled |= small != n
                argv += [t, str(small)]
                i += 1
            elif sub == "render" and t == "--frames-per-input":
                k = int(tokens[i + 1])
                scaled |= k > 2
                argv += [t, str(min(k, 2))]
                series = True
                i += 1
            elif sub and t == "--inputs":
                self.fixtures.place(work, tokens[i + 1], dataset)
                argv += [t, tokens[i + 1]]
                series = True
                i += 1
            elif sub == "render" and t == "--tf" and tokens[i + 1] != "auto":
                self.fixtures.place(work, tokens[i + 1])
                argv += [t, tokens[i + 1]]
                i += 1
            elif sub in ("render", "info") and t.endswith(".h5") and tokens[i - 1] != "--raw":
                made = self.fixtures.place(work, t, dataset, index)
                series |= len(made) > 1
                argv += made
            else:
                argv.append(t)
            i += 1
        if sub == "render" and not series:
            argv, shrunk = shrink_frames(argv)
            scaled |= shrunk
        for name in re.findall(r"[\w.-]+\.nii(?:\.gz)?", " ".join(tokens)):
            self.fixtures.place(work, name)
        return argv, scaled

    def check_render(self, block, line, text, comment, folder, args, scaled):
        c = self.c
        where = block.where(line)
        manifest_path = os.path.join(folder, "manifest.json")
        if not c.check(os.path.isfile(manifest_path), f"{where}: manifest.json written"):
            return
        with open(manifest_path) as f:
            manifest = json.load(f)
        frames = sorted(glob.glob(os.path.join(folder, "frame_*.png")))
        c.check(len(frames) == len(manifest["frames"]) > 0,
                f"{where}: the manifest's {len(manifest['frames'])} frames are on disk")
        if "--no-projection" not in args:
            c.check(os.path.isfile(os.path.join(folder, "projection.png")),
                    f"{where}: projection.png written")
        claims = re.search(r"(\d+) frames?, (\d+) x (\d+), (-?\d+)\.\.(-?\d+) degrees", comment)
        if claims and not scaled and frames:
            n, w, h, a, b = (int(x) for x in claims.groups())
            size = Image.open(frames[0]).size
            angles = [fr["angle_deg"] for fr in manifest["frames"].values()]
            c.check(len(frames) == n and size == (w, h)
                    and round(min(angles)) == a and round(max(angles)) == b,
                    f"{where}: '{comment}' is what it writes",
                    f"{len(frames)} frames, {size}, angles {min(angles)}..{max(angles)}")
        size = option_value(args, "--size")
        if size and int(size) > 180 and frames:
            exempt = next((r for p, r in FRAMING_EXEMPT if re.fullmatch(p, " " + text + " ")), None)
            if exempt:
                print(f"note  {where}: framing not checked: {exempt}")
            else:
                pixels = np.asarray(Image.open(frames[0]).convert("RGB"))
                lit = float((pixels.max(axis=2) > 0).mean())
                c.check(lit > LIT_FRACTION,
                        f"{where}: --size {size} is well framed on the generated cube "
                        f"({lit:.0%} of frame 0 lit, > {LIT_FRACTION:.0%})",
                        "the camera spans --size world units: use --fit (or --zoom) so that "
                        "a high-resolution frame shows the volume, not a black border")

    def python_block(self, block):
        code = "\n".join(block.lines)
        work = self.workdir(block, block.line)
        self.bring(work, code)
        for name in re.findall(r"\"([\w.-]+\.(?:nii\.gz|nii))\"", code):
            self.fixtures.place(work, name)
        res = run([self.cfg.python, "-c", code], work, self.cfg.env, timeout=60)
        self.c.check(res.returncode == 0, f"{block.where()}: the Python example runs",
                     res.stderr[-1500:])

    def json_block(self, block):
        text = "\n".join(block.lines)
        try:
            value = json.loads(text)
        except ValueError as e:
            self.c.check(False, f"{block.where()}: the JSON example parses", str(e))
            return
        self.c.check(True, f"{block.where()}: the JSON example parses")
        if isinstance(value, dict) and "cubecast_transfer_function" in value \
                and "bit for bit as the default" in block.before:
            work = self.workdir(block, block.line)
            cube = self.fixtures.cube("cube.h5")
            with open(os.path.join(work, "bands.json"), "w") as f:
                f.write(text)
            common = [self.cfg.cubecast, "render", cube, "--size", "24", "--frames", "2",
                      "--quiet", "--no-projection"]
            a = run(common + ["-o", "default"], work, self.cfg.env, 60)
            b = run(common + ["-o", "bands", "--tf", "bands.json"], work, self.cfg.env, 60)
            same = a.returncode == 0 and b.returncode == 0 and all(
                np.array_equal(np.asarray(Image.open(os.path.join(work, "default", n))),
                               np.asarray(Image.open(os.path.join(work, "bands", n))))
                for n in ("frame_00000.png", "frame_00001.png"))
            self.c.check(same, f"{block.where()}: the band file renders bit for bit as the "
                         "default", a.stderr + b.stderr)


def option_value(args, *names):
    for i, a in enumerate(args):
        if a in names and i + 1 < len(args):
            return args[i + 1]
    return None


def shrink_frames(argv):
    """--frames F to at most MAX_FRAMES, --range scaled with it."""
    argv = list(argv)
    if "--frames" not in argv:
        return argv, False
    i = argv.index("--frames")
    frames = int(argv[i + 1])
    small = min(frames, MAX_FRAMES)
    if small == frames:
        return argv, False
    argv[i + 1] = str(small)
    if "--range" in argv:
        j = argv.index("--range")
        a, b = (int(x) for x in argv[j + 1].split(":"))
        a2 = a * small // frames
        argv[j + 1] = f"{a2}:{max(a2 + 1, b * small // frames)}"
    return argv, True


def run(argv, cwd, env, timeout):
    try:
        return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=timeout, start_new_session=True)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(argv, None, e.stdout or "", f"timed out: {e.stderr}")


# ---- the checks -----------------------------------------------------------------

def check_commands(cfg, c, texts, help_opts):
    fixtures = Fixtures(cfg, texts)
    for doc in DOCS:
        runner = Runner(cfg, c, fixtures, help_opts)
        for block in code_blocks(doc, texts[doc]):
            kind = block_kind(block)
            if kind == "python":
                runner.python_block(block)
            elif kind == "json":
                runner.json_block(block)
            elif kind in ("cmake", "output"):
                print(f"note  {block.where()}: {kind} example, not a command")
            elif kind == "synopsis":
                check_synopsis(c, block, help_opts)
            elif kind == "jobscript":
                for line, text, _ in block.logical_lines():
                    try:
                        tokens = words(text)[1] if text else []
                    except ValueError:  # a quote that a later line closes
                        continue
                    runner.static_check(block, line, tokens)
                print(f"note  {block.where()}: a Slurm job script fragment, not run (needs Slurm)")
            elif kind == "console":
                for line, text, comment in block.logical_lines():
                    if text.startswith("$ "):  # the rest is what it prints
                        runner.shell_line(block, line, text[2:], comment)
            else:
                for line, text, comment in block.logical_lines():
                    if text:
                        runner.shell_line(block, line, text, comment)
        # Complete commands shown inline, in the text: python3 -c "..."
        for m in re.finditer(r"`(python3 -c [^`]*)`", texts[doc]):
            line = texts[doc][:m.start()].count("\n") + 1
            inline = Block(doc, line, "inline", [m.group(1)], "")
            runner.shell_line(inline, line, m.group(1), "")


def check_synopsis(c, block, help_opts):
    """Each synopsis line's options (and the option lines under a render
    synopsis) exist in that command's --help; the README's render list has
    them all."""
    listed, sub = {}, None
    for raw in block.lines:
        line = raw.strip()
        m = re.match(r"(?:build/)?cubecast (render|generate|info)\b", line)
        if m:
            sub = m.group(1)
        if sub:
            listed.setdefault(sub, set()).update(OPTION.findall(line))
    for sub, options in listed.items():
        if not options:
            continue  # "cubecast render INPUT.h5 [options]" alone
        c.check(options <= help_opts[sub], f"{block.where()}: the options listed for "
                f"cubecast {sub} exist in its --help", f"unknown: {sorted(options - help_opts[sub])}")
        c.check(help_opts[sub] <= options, f"{block.where()}: the list for cubecast {sub} has "
                "every option of its --help", f"missing: {sorted(help_opts[sub] - options)}")


def check_usage_lists_help(c, texts, help_opts):
    usage = texts["docs/usage.md"]
    table = section(usage, "cubecast render")
    rows = set()
    for line in table.splitlines():
        if line.startswith("| `-"):
            rows.update(OPTION.findall(line.split("|")[1]))
    c.check(rows <= help_opts["render"], "usage.md's render option table: every option exists "
            "in render --help", f"unknown: {sorted(rows - help_opts['render'])}")
    c.check(help_opts["render"] <= rows, "usage.md's render option table has every option of "
            "render --help", f"missing: {sorted(help_opts['render'] - rows)}")
    for sub in ("generate", "info"):
        mentioned = set(OPTION.findall(section(usage, "cubecast info and cubecast generate")))
        c.check(help_opts[sub] <= mentioned, f"usage.md describes every option of {sub} --help",
                f"missing: {sorted(help_opts[sub] - mentioned)}")


def frame_text(path):
    return dict(Image.open(path).text)


def check_outputs(cfg, c, texts):
    """The PNG text keys, manifest keys and raw file names the docs name."""
    usage = texts["docs/usage.md"]
    work = os.path.join(cfg.workdir, "outputs")
    os.makedirs(work)
    cube = os.path.join(work, "cube.h5")
    subprocess.run([cfg.cubecast, "generate", cube, "--size", "24"], check=True,
                   capture_output=True, env=cfg.env)

    def render(out, *extra):
        res = run([cfg.cubecast, "render", cube, "-o", out, "--size", "24", "--frames", "2",
                   "--quiet"] + list(extra), work, cfg.env, 60)
        c.check(res.returncode == 0, f"render {' '.join(extra)}", res.stderr)
        return os.path.join(work, out)

    plain = render("plain", "--raw", "plain.h5", "--profile")
    white = render("white", "--background", "white")
    auto = render("auto", "--tf", "auto")

    m = re.search(r"PNG\s+text\s+chunks\s+(.*?)\s+say\s+where", usage, re.S)
    if c.check(m is not None, "usage.md lists the frames' PNG text keys"):
        keys = set(re.findall(r"`([^`]+)`", m.group(1)))
        have = set(frame_text(os.path.join(plain, "frame_00000.png")))
        c.check(keys == have, f"a default frame's PNG text keys are exactly {sorted(keys)}",
                f"the file has {sorted(have)}")
    m = re.search(r"say\s+where\s+the\s+picture\s+came\s+from,\s+and\s+`(\w+)`", usage)
    if c.check(m is not None, "usage.md names the background's text key"):
        c.check(m.group(1) in frame_text(os.path.join(white, "frame_00000.png"))
                and m.group(1) not in frame_text(os.path.join(plain, "frame_00000.png")),
                f"`{m.group(1)}` is in a white frame's text and not in a black one's")
    m = re.search(r"a\s+`(\w+)`\s+text\s+chunk\s+in\s+each\s+frame", usage)
    if c.check(m is not None, "usage.md names the transfer function's text key"):
        c.check(m.group(1) in frame_text(os.path.join(auto, "frame_00000.png")),
                f"`{m.group(1)}` is in a --tf auto frame's text")
    m = re.search(r"The\s+PNG\s+text\s+`(\w+)`", usage)
    if c.check(m is not None, "usage.md names the projection's text key"):
        text = frame_text(os.path.join(plain, "projection.png"))
        c.check(m.group(1) in text and "viridis, limits [-5, 5]" in text.get(m.group(1), ""),
                f"projection.png's `{m.group(1)}` names the map and the limits", str(text))

    with open(os.path.join(plain, "manifest.json")) as f:
        manifest = json.load(f)
    m = re.search(r"\(([^()]*)\s+in\s+`parameters`\)", usage)
    if c.check(m is not None, "usage.md lists the camera's manifest keys"):
        keys = set(re.findall(r"`(\w+)`", m.group(1)))
        c.check(keys <= set(manifest["parameters"]), f"the manifest's parameters hold {sorted(keys)}",
                f"it has {sorted(manifest['parameters'])}")
    for path in sorted(set(re.findall(r"`((?:per_rank\[\]\.)\w+|parameters\.\w+)`", usage))):
        node, ok = manifest, True
        for part in (["profile"] if path.startswith("per_rank") else []) + path.split("."):
            if part.endswith("[]"):
                node = node.get(part[:-2], [None])[0] if isinstance(node, dict) else None
            else:
                node = node.get(part) if isinstance(node, dict) else None
            ok = ok and node is not None
        if path == "parameters.transfer_function":
            with open(os.path.join(auto, "manifest.json")) as f:
                ok = "transfer_function" in json.load(f)["parameters"]
        c.check(ok, f"the manifest has `{path}` (with --profile, --tf auto)")
    # Every "key" the docs quote in backticks is a key of some manifest this
    # test's renders wrote (series, --profile, --tf auto, several ranks).
    found = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                found.add(key)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    for path in glob.glob(os.path.join(cfg.workdir, "**", "manifest.json"), recursive=True):
        with open(path) as f:
            walk(json.load(f))
    for doc, text in texts.items():
        for key in sorted(set(re.findall(r'manifest.{0,25}?`"(\w+)"`', text, re.S))):
            c.check(key in found, f'{doc}: the manifest key `"{key}"` is in the manifests written')
    for key in ("render_samples_per_second",):
        if key in usage:
            c.check(key in manifest.get("profile", {}), f"the manifest's profile has `{key}`")

    import h5py
    m = re.search(r"Root\s+attributes\s+(.*?)\s+record\s+the\s+parameters", usage, re.S)
    with h5py.File(os.path.join(work, "plain.h5"), "r") as f:
        if c.check(m is not None, "usage.md lists the raw file's attributes"):
            names = set(re.findall(r"`(\w+)`", re.sub(r"\(.*?\)", "", m.group(1), flags=re.S)))
            c.check(names <= set(f.attrs), f"the raw file has the attributes {sorted(names)}",
                    f"it has {sorted(f.attrs)}")
        raw = re.search(r"\*\*`--raw FILE\.h5`\*\*(.*?)Root\s+attributes", usage, re.S)
        datasets = set(re.findall(r"^\| `(\w+)` \|", raw.group(1) if raw else "", re.M))
        c.check(datasets and datasets <= set(f.keys()), f"the raw file has the datasets "
                f"{sorted(datasets)}", f"it has {sorted(f.keys())}")


# Representative errors: (what the row's text says, regex, the case).  A case
# is (name, args for cubecast or a callable(work) -> argv, extra env).
def cases(cfg):
    def fifo(work):
        os.mkfifo(os.path.join(work, "fifo.h5"))
        return ["render", "fifo.h5", "-o", "out"]

    def text_file(work):
        with open(os.path.join(work, "notes.h5"), "w") as f:
            f.write("not HDF5\n")
        return ["render", "notes.h5", "-o", "out"]

    def with_h5(make):
        def build(work):
            import h5py
            with h5py.File(os.path.join(work, "odd.h5"), "w") as f:
                make(f)
            return ["render", "odd.h5", "-o", "out"]
        return build

    def unreadable(work):
        import h5py
        with h5py.File(os.path.join(work, "bad.h5"), "w") as f:
            f.create_dataset("density", data=np.ones((16, 16, 16), "float32"), chunks=(8, 8, 8),
                             compression="gzip")
        with h5py.File(os.path.join(work, "bad.h5"), "r") as f:
            offset = f["density"].id.get_chunk_info(0).byte_offset
        with open(os.path.join(work, "bad.h5"), "r+b") as f:
            f.seek(offset)
            f.write(b"\xff" * 16)
        return ["render", "bad.h5", "-o", "out"]

    def another_sweep(work):
        subprocess.run([cfg.cubecast, "render", "cube.h5", "-o", "out", "--size", "8",
                        "--frames", "1", "--quiet"], cwd=work, env=cfg.env, check=True)
        return ["render", "cube.h5", "-o", "out", "--size", "12", "--frames", "1"]

    def another_writer(work):
        another_sweep(work)
        fd = os.open(os.path.join(work, "out", ".cubecast.lock"), os.O_RDWR | os.O_CREAT)
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB, 1, 0)  # the byte every writer holds
        cfg.held.append(fd)
        return ["render", "cube.h5", "-o", "out", "--size", "12", "--frames", "1", "--overwrite"]

    def existing(work):
        return ["generate", "cube.h5", "--size", "8"]

    def unwritable(work):
        with open(os.path.join(work, "file"), "w") as f:
            f.write("a file, not a folder\n")
        return ["render", "cube.h5", "-o", "file/out"]

    return [
        (r"success", "success", ["render", "cube.h5", "-o", "out", "--size", "8", "--frames", "1"], {}),
        (r"any other failure", "an allocation that fails (ulimit -v)",
         ["render", "cube.h5", "-o", "out", "--size", "6000", "--frames", "1", "--device", "cpu"],
         {"ULIMIT_V": "400000"}),
        (r"--size 0", "--size 0", ["render", "cube.h5", "-o", "out", "--size", "0"], {}),
        (r"--range 5:2", "--range 5:2", ["render", "cube.h5", "-o", "out", "--range", "5:2"], {}),
        (r"unknown option|bad option", "an unknown option",
         ["render", "cube.h5", "-o", "out", "--no-such-option"], {}),
        (r"another sweep", "the folder holds another sweep", another_sweep, {}),
        (r"another run is writing", "another run is writing the folder", another_writer, {}),
        (r"without `--force`", "generate over an existing file", existing, {}),
        (r"missing( file|,)", "a missing file", ["render", "nope.h5", "-o", "out"], {}),
        (r"not a regular file|FIFO", "a FIFO", fifo, {}),
        (r"a device", "a device", ["render", "/dev/null", "-o", "out"], {}),
        (r"not HDF5", "not HDF5", text_file, {}),
        (r"missing dataset|bad input file or dataset", "a missing dataset",
         ["render", "cube.h5", "-o", "out", "--dataset", "/nope"], {}),
        (r"not 3D", "a 2D dataset",
         with_h5(lambda f: f.create_dataset("density", data=np.ones((4, 4), "float32"))), {}),
        (r"not numeric", "a string dataset",
         with_h5(lambda f: f.create_dataset("density", data=np.array([[[b"a", b"b"]] * 2] * 2)))
         , {}),
        (r"unreadable data", "a corrupt chunk", unreadable, {}),
        (r"does not fit", "a plan over the memory (SLURM_MEM_PER_NODE=1)",
         ["render", "cube.h5", "-o", "out"], {"SLURM_MEM_PER_NODE": "1"}),
        (r"cannot be written", "an output folder under a file", unwritable, {}),
        (r"would be the input", "--raw is the input",
         ["render", "cube.h5", "-o", "out", "--raw", "cube.h5"], {}),
        (r"SIGTERM", "SIGTERM during a render", "SIGTERM", {}),
    ]


def exit_tables(text):
    rows = []
    for line in text.splitlines():
        m = re.match(r"\|\s*(\d+)\s*\|(.*)\|\s*$", line)
        if m:
            rows.append((int(m.group(1)), m.group(2).strip()))
    return rows


def run_case(cfg, work, args, env_extra):
    env = dict(cfg.env)
    env.update({k: v for k, v in env_extra.items() if k != "ULIMIT_V"})
    argv = args(work) if callable(args) else list(args)
    if argv == "SIGTERM" or args == "SIGTERM":
        proc = subprocess.Popen([cfg.cubecast, "render", "cube.h5", "-o", "out", "--size", "64",
                                 "--frames", "400"], cwd=work, env=env, stderr=subprocess.PIPE,
                                text=True, start_new_session=True)
        watchdog = threading.Timer(60, proc.kill)  # a hang fails the case, not the suite
        watchdog.start()
        line = proc.stderr.readline()  # the first frame done
        proc.send_signal(signal.SIGTERM)
        err = line + proc.stderr.read()
        proc.wait()
        watchdog.cancel()
        return proc.returncode, err
    prefix = []
    if "ULIMIT_V" in env_extra:
        prefix = ["bash", "-c", f'ulimit -v {env_extra["ULIMIT_V"]} && exec "$@"', "bash"]
    res = run(prefix + [cfg.cubecast] + argv, work, env, 60)
    return res.returncode, res.stderr


def check_exit_codes(cfg, c, texts):
    known = cases(cfg)
    cube = os.path.join(cfg.workdir, "codes-cube.h5")
    subprocess.run([cfg.cubecast, "generate", cube, "--size", "16"], check=True,
                   capture_output=True, env=cfg.env)
    n = 0
    for doc in DOCS:
        table = section(texts[doc], "Exit codes")
        rows = exit_tables(table)
        c.check(len(rows) >= 5, f"{doc}: an exit-code table")
        for code, meaning in rows:
            matching = [k for k in known if re.search(k[0], meaning)]
            c.check(bool(matching), f"{doc}: exit {code} ({meaning[:50]}...): a representative "
                    "case", "add one to cases() in tests/docs/docs_test.py")
            for _, name, args, env_extra in matching:
                n += 1
                work = os.path.join(cfg.workdir, "codes", f"{n:02d}")
                os.makedirs(work)
                os.symlink(cube, os.path.join(work, "cube.h5"))
                rc, err = run_case(cfg, work, args, env_extra)
                errors = [l for l in err.splitlines() if l.startswith("cubecast: error: ")]
                others = [l for l in err.splitlines()
                          if not l.startswith(("cubecast: error: ", "frame "))]
                one_line = (len(errors) == 1 and not others) if code not in (0, 75) else True
                c.check(rc == code and one_line, f"{doc}: exit {code}: {name}",
                        f"exit {rc}, stderr {err[-600:]!r}")
                if code == 3:
                    c.check(not os.path.exists(os.path.join(work, "out")),
                            f"{doc}: exit 3 ({name}) creates no output folder")
    for fd in cfg.held:
        os.close(fd)
    for doc in DOCS:
        promise = "starting with `cubecast: error: `"
        c.check(promise in texts[doc], f"{doc} says how an error line starts")


def check_mpirun(cfg, c, texts):
    """What a failing render under mpiexec prints, and progress on a terminal
    alone and under mpiexec, against what usage.md says of them."""
    usage = texts["docs/usage.md"]
    work = os.path.join(cfg.workdir, "mpirun")
    os.makedirs(work)
    base = [cfg.mpiexec, "--allow-run-as-root", "--oversubscribe"]
    for attempt in range(3):
        res = run(base + ["-np", "2", cfg.cubecast, "render", "nope.h5", "-o", "out"], work,
                  cfg.env, 60)
        if not re.search(r"/(mpiexec|mpirun|orterun)[\w.]*\(", res.stderr):
            break
    errors = [l for l in res.stderr.splitlines() if l.startswith("cubecast: error: ")]
    c.check(res.returncode == 3 and len(errors) == 1,
            "under mpiexec -np 2: exit 3, one cubecast error line", res.stderr)
    if "exited with non-zero status" in res.stderr:
        for doc, text in texts.items():
            c.check("exited with non-zero status" in " ".join(text.split()),
                    f"{doc} quotes the notice mpirun adds after a rank's non-zero exit",
                    res.stderr)
    quiet = run(base + ["-q", "-np", "2", cfg.cubecast, "render", "nope.h5", "-o", "out"],
                work, cfg.env, 60)
    if "mpirun -q" in usage or "`-q`" in usage:
        c.check(quiet.returncode == 3 and quiet.stderr.strip().count("\n") == 0
                and quiet.stderr.startswith("cubecast: error: "),
                "mpiexec -q: the one error line alone, exit 3", quiet.stderr)

    cube = os.path.join(work, "cube.h5")
    subprocess.run([cfg.cubecast, "generate", cube, "--size", "16"], check=True,
                   capture_output=True, env=cfg.env)
    render = [cfg.cubecast, "render", cube, "--size", "16", "--frames", "4", "--no-projection"]
    alone = on_terminal(render + ["-o", os.path.join(work, "alone")], cfg.env)
    under = on_terminal(base + ["-np", "2"] + render + ["-o", os.path.join(work, "under")],
                        cfg.env)
    c.check("\rframe 4/4" in alone and alone.count("\n") == 1,
            "alone on a terminal: one line updated in place", repr(alone))
    lines = [l for l in under.replace("\r\n", "\n").split("\n") if l.startswith("frame ")]
    c.check(len(lines) == 4, "under mpiexec on a terminal: a line per frame (the ranks' "
            "stderr is a pipe to mpiexec)", repr(under))
    progress = section(usage, "Progress and profiling")
    c.check("mpirun" in progress and "terminal" in progress,
            "usage.md's progress section says what a terminal shows, alone and under mpirun")


def on_terminal(argv, env):
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                            start_new_session=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    return b"".join(chunks).decode(errors="replace")


def check_prose(cfg, c, texts):
    """Sentences issue 15 found untrue."""
    design = open(os.path.join(cfg.source, "docs", "design.md")).read()
    for name in ("seeds/", "reference-images/"):
        if name in design:
            here = os.path.exists(os.path.join(cfg.source, "docs", name))
            c.check(here or "beside this file" not in design,
                    f"design.md: {name} is not said to be beside it unless it is")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cubecast", required=True)
    parser.add_argument("--mpiexec", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--python", default=sys.executable)
    cfg = parser.parse_args()
    cfg.cubecast = os.path.abspath(cfg.cubecast)
    cfg.env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMP_NUM_THREADS="2")
    cfg.env.pop("SLURM_MEM_PER_NODE", None)
    cfg.held = []  # lock file descriptors a case holds until its table is done
    shutil.rmtree(cfg.workdir, ignore_errors=True)
    os.makedirs(cfg.workdir)
    started = time.monotonic()
    texts = {doc: open(os.path.join(cfg.source, doc)).read() for doc in DOCS}
    help_opts = {}
    for sub in ("render", "generate", "info"):
        help_opts[sub], _ = help_options(cfg, sub)
    c = Checks("docs")
    check_commands(cfg, c, texts, help_opts)
    check_usage_lists_help(c, texts, help_opts)
    check_outputs(cfg, c, texts)
    check_exit_codes(cfg, c, texts)
    check_mpirun(cfg, c, texts)
    check_prose(cfg, c, texts)
    return c.finish(time.monotonic() - started)


if __name__ == "__main__":
    sys.exit(main())
