#!/usr/bin/python3
"""Compressed inputs (issue 15 item 2): the HDF5 filters h5py and hdf5plugin
write are read, and a filter cubecast cannot decode is refused up front.

    filters_test.py --cubecast BIN --mpiexec MPIEXEC --workdir DIR --plugins DIR CASE

The same values are written once without a filter (the reference) and once
per filter: deflate, shuffle + deflate, LZF and shuffle + LZF (h5py), LZ4,
BZip2 and Blosc with each inner compressor (BloscLZ, LZ4, LZ4HC, Snappy,
Zlib, Zstd) and shuffle, bit-shuffle or none
(Debian's python3-hdf5plugin), in chunks that do not divide the shape.
Each file is called cube.h5 in a folder of its own and rendered from that
folder, so its frames' PNG bytes (whose text names the input) can equal the
reference's byte for byte.

CASE is one of:
  frames       one process (frames mode): every compressed file's frames and
               projection equal the reference's byte for byte, and its
               manifest's input checksum and frame CRCs equal the
               reference's; so are those of LZ4 chunks written by hand
               (1000-byte blocks stored as they are, the last shorter); the
               same with HDF5_PLUGIN_PATH naming an empty folder (the
               decoders need no plugin)
  bricks       mpiexec -np 3 --decomp bricks (each rank reads a sub-box of
               the chunks) and -np 2 frames mode: the same, LZF with chunks
               stored without the filter included
  series       a series of compressed copies (LZF, BZip2, Blosc/zstd, LZ4;
               inputs after the first are read ahead by the prefetch thread
               through HDF5's POSIX driver): each frame's pixels equal the
               reference's frame at the same angle
  unavailable  a dataset written with ZFP (hdf5plugin; no parallel HDF5
               plugin on Debian) and one with an unregistered filter id
               (40000, its chunks written raw): exit 3 from every rank (1 and
               2 ranks), exactly one 'cubecast: error:' line naming the
               filter and its id and HDF5_PLUGIN_PATH, no output folder;
               `info` names the filter and its id, "not available"
  info         `info` on each compressed file names its filters with their
               ids (deflate level 4 (filter 1), LZ4 (filter 32004), Blosc
               zstd (filter 32001), ...)
  corrupt      an LZ4, BZip2, Blosc and LZF file with one chunk's stored
               bytes garbled (metadata intact): exit 3 with one line
               naming the dataset, no crash, no frames; an LZF chunk that
               is a valid stream of fewer bytes than the chunk: exit 3
  plugin       a filter cubecast does not know (40001, from the test plugin
               built into --plugins): with HDF5_PLUGIN_PATH naming that
               folder, rendered byte for byte like the reference (1 process
               and -np 2 bricks) and `info` names it, available; without,
               refused like the unavailable ones

Each case works in its own folder under --workdir, removed when it passes.
Needs numpy, h5py, PIL and hdf5plugin (Debian's /usr/bin/python3 with
python3-hdf5plugin, which scripts/common.sh installs).
"""

import os
import re
import shutil
import sys
import tempfile

import h5py
import hdf5plugin
import numpy as np
from PIL import Image

sys.dont_write_bytecode = True  # no __pycache__ next to harness.py
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402  (tests/harness.py)
from harness import frame_files, load_manifest, manifest_frames, read_bytes, run  # noqa: E402

EXIT_INPUT = 3
CFG = None

SHAPE = (30, 26, 34)
CHUNKS = (8, 12, 10)  # no axis divides: partial chunks at every far edge
RENDER = ["--size", "32", "--frames", "3", "--start-deg", "20", "--quiet"]

BLOSC = hdf5plugin.Blosc
# name -> (dtype, create_dataset keywords)
VARIANTS = {
    "gzip": ("f4", dict(compression="gzip", compression_opts=4)),
    "shuffle_gzip": ("f4", dict(compression="gzip", shuffle=True)),
    "lzf": ("f4", dict(compression="lzf")),
    "shuffle_lzf": ("f4", dict(compression="lzf", shuffle=True)),
    "lz4": ("f4", dict(**hdf5plugin.LZ4())),
    "lz4_small_blocks": ("f4", dict(**hdf5plugin.LZ4(nbytes=1000))),
    "bzip2": ("f4", dict(**hdf5plugin.BZip2())),
    "blosc_blosclz": ("f4", dict(**BLOSC(cname="blosclz", shuffle=BLOSC.SHUFFLE))),
    "blosc_lz4": ("f4", dict(**BLOSC(cname="lz4", shuffle=BLOSC.SHUFFLE))),
    "blosc_lz4_noshuffle": ("f4", dict(**BLOSC(cname="lz4", shuffle=BLOSC.NOSHUFFLE))),
    "blosc_lz4_bitshuffle": ("f4", dict(**BLOSC(cname="lz4", shuffle=BLOSC.BITSHUFFLE))),
    "blosc_lz4hc": ("f4", dict(**BLOSC(cname="lz4hc", shuffle=BLOSC.SHUFFLE))),
    "blosc_snappy": ("f4", dict(**BLOSC(cname="snappy", shuffle=BLOSC.SHUFFLE))),
    "blosc_zlib": ("f4", dict(**BLOSC(cname="zlib", shuffle=BLOSC.SHUFFLE))),
    "blosc_zstd": ("f4", dict(**BLOSC(cname="zstd", shuffle=BLOSC.SHUFFLE))),
    "blosc_zstd_bitshuffle": ("f4", dict(**BLOSC(cname="zstd", shuffle=BLOSC.BITSHUFFLE))),
    # Shuffle by 2-byte items and by 8-byte ones.
    "blosc_zstd_int16": ("i2", dict(**BLOSC(cname="zstd", shuffle=BLOSC.SHUFFLE))),
    "bzip2_float64": ("f8", dict(**hdf5plugin.BZip2())),
}

# What `info` must say of each (a substring of its listing).
INFO_NAMES = {
    "gzip": ["deflate level 4 (filter 1)"],
    "shuffle_gzip": ["shuffle (filter 2)", "deflate level 4 (filter 1)"],
    "lzf": ["LZF (filter 32000)"],
    "lz4": ["LZ4 (filter 32004)"],
    "bzip2": ["BZip2 (filter 307)"],
    "blosc_zstd": ["Blosc zstd (filter 32001)"],
    "blosc_lz4hc": ["Blosc lz4hc (filter 32001)"],
    "blosc_snappy": ["Blosc snappy (filter 32001)"],
}


# ---- files ----------------------------------------------------------------

def values(dtype):
    """A smooth blob with noise, empty corners and negative values, so every
    chunk differs and the transfer function's bands all show."""
    x, y, z = np.meshgrid(*(np.linspace(-1.2, 1.2, n) for n in SHAPE), indexing="ij")
    r2 = x * x + 1.3 * y * y + 0.8 * z * z
    noise = np.random.default_rng(7).random(SHAPE)
    blob = np.exp(9.5 - 9.0 * r2) * (0.9 + 0.2 * noise) - 0.05
    if dtype == "i2":
        return np.clip(blob * 3, -100, 32000).astype(np.int16)
    return blob.astype(dtype)


def write_cube(folder, dtype, **kwargs):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "cube.h5")
    data = values(dtype)
    with h5py.File(path, "w") as h5:
        if kwargs:
            h5.create_dataset("density", data=data, chunks=CHUNKS, **kwargs)
        else:
            h5.create_dataset("density", data=data)
    with h5py.File(path, "r") as h5:  # what h5py wrote reads back
        assert np.array_equal(h5["density"][()], data), path
    return path


def write_all(c, work, names):
    """The reference for each dtype (work/plain_<dtype>) and the variants
    (work/<name>); returns {name: (folder, reference folder)}."""
    made = {}
    for name in names:
        dtype, kwargs = VARIANTS[name]
        reference = os.path.join(work, f"plain_{dtype}")
        if not os.path.exists(reference):
            write_cube(reference, dtype)
        folder = os.path.join(work, name)
        try:
            write_cube(folder, dtype, **kwargs)
        except Exception as e:  # noqa: BLE001  (h5py or the plugin)
            c.require(False, f"{name}: h5py/hdf5plugin writes it", repr(e))
        with h5py.File(os.path.join(folder, "cube.h5"), "r") as h5:
            ids = list(h5["density"]._filters)
        c.check(len(ids) > 0, f"{name}: written with filters {ids}")
        made[name] = (folder, reference)
    return made


# ---- running --------------------------------------------------------------

def command(np_ranks, args):
    if np_ranks is None:
        return [CFG.cubecast] + harness.with_device(args)
    return harness.mpi_command(CFG, np_ranks, args)


def render_in(c, label, folder, np_ranks, extra=(), env=None):
    """cubecast render cube.h5 -o OUT from folder; returns OUT."""
    out = os.path.join(folder, "out" + ("" if np_ranks is None else f"_{np_ranks}") + "".join(extra))
    out = re.sub(r"[^\w/.-]", "_", out)
    shutil.rmtree(out, ignore_errors=True)
    cmd = command(np_ranks, ["render", "cube.h5", "-o", os.path.basename(out)] + RENDER + list(extra))
    res = run(cmd, timeout=180, cwd=folder, env=env)
    c.check(res.rc == 0, f"{label}: exit 0", res.describe_output())
    return out


def frames_equal(c, label, out, reference):
    """Byte-for-byte frames and projection, and the manifest's checksums."""
    got, want = frame_files(out), frame_files(reference)
    c.check([os.path.basename(p) for p in got] == [os.path.basename(p) for p in want] and len(want) == 3,
            f"{label}: the same {len(want)} frame files", f"{got} vs {want}")
    same = all(read_bytes(g) == read_bytes(w) for g, w in zip(got, want))
    c.check(same, f"{label}: frames byte for byte the reference's")
    c.check(read_bytes(os.path.join(out, "projection.png")) == read_bytes(os.path.join(reference, "projection.png")),
            f"{label}: projection.png byte for byte the reference's")
    ours, theirs = load_manifest(out), load_manifest(reference)
    c.check(ours["input"]["checksum"] == theirs["input"]["checksum"],
            f"{label}: manifest input checksum {ours['input']['checksum']} is the reference's",
            theirs["input"]["checksum"])
    crc = {f: e["crc32"] for f, e in manifest_frames(ours).items()}
    c.check(crc == {f: e["crc32"] for f, e in manifest_frames(theirs).items()},
            f"{label}: manifest frame CRCs are the reference's", str(crc))


def pixels(path):
    return np.asarray(Image.open(path))


# ---- cases ----------------------------------------------------------------

def skipped_chunks(path):
    """How many chunks are stored without a filter (HDF5's per-chunk mask)."""
    with h5py.File(path, "r") as h5:
        ds = h5["density"]
        return sum(ds.id.get_chunk_info(i).filter_mask != 0 for i in range(ds.id.get_num_chunks()))


def case_frames(c, work):
    made = write_all(c, work, VARIANTS)
    # h5py's LZF stores a chunk it cannot shrink as it is: the plain LZF
    # file must have some (the noise sees to it), read past the filter.
    skipped = skipped_chunks(os.path.join(made["lzf"][0], "cube.h5"))
    c.check(skipped > 0, f"lzf: {skipped} chunks stored without the filter")
    references = {}
    for name, (folder, reference) in made.items():
        if reference not in references:
            references[reference] = render_in(c, f"reference {os.path.basename(reference)}", reference, None)
            c.require(len(frame_files(references[reference])) == 3, "the reference has 3 frames")
            # Not blank: the comparison below means something.
            c.require(pixels(frame_files(references[reference])[1]).max() > 40, "the reference frame shows the cube")
        out = render_in(c, name, folder, None)
        frames_equal(c, name, out, references[reference])
    # LZ4's format by hand: blocks of 1000 bytes stored as they are (a
    # block's stored size equal to its size), the last one shorter.
    folder = os.path.join(work, "lz4_by_hand")
    write_lz4_stored_blocks(folder, 1000)
    out = render_in(c, "lz4_by_hand", folder, None)
    frames_equal(c, "LZ4 chunks of stored 1000-byte blocks (written by hand)", out,
                 references[os.path.join(work, "plain_f4")])
    # A user's HDF5_PLUGIN_PATH replaces HDF5's plugin folder: the built-in
    # decoders do not depend on it.
    empty = tempfile.mkdtemp(prefix="plugins_", dir=work)
    env = dict(harness.ENV, HDF5_PLUGIN_PATH=empty)
    for name in ("lzf", "lz4", "bzip2", "blosc_zstd"):
        folder, reference = made[name]
        out = render_in(c, f"{name} with HDF5_PLUGIN_PATH={os.path.basename(empty)}", folder, None,
                        extra=("--no-projection",), env=env)
        got = [read_bytes(p) for p in frame_files(out)]
        c.check(got == [read_bytes(p) for p in frame_files(references[reference])],
                f"{name} with HDF5_PLUGIN_PATH set: frames byte for byte the reference's")


def case_bricks(c, work):
    names = ["gzip", "lzf", "shuffle_lzf", "lz4_small_blocks", "bzip2", "blosc_lz4", "blosc_zstd_bitshuffle",
             "blosc_zstd_int16", "blosc_zlib"]
    made = write_all(c, work, names)
    for np_ranks, decomp in ((3, "bricks"), (2, "frames")):
        extra = ("--decomp", decomp)
        references = {}
        for name, (folder, reference) in made.items():
            if reference not in references:
                references[reference] = render_in(c, f"reference -np {np_ranks} {decomp}", reference,
                                                  np_ranks, extra)
            out = render_in(c, f"{name} -np {np_ranks} {decomp}", folder, np_ranks, extra)
            frames_equal(c, f"{name} -np {np_ranks} {decomp}", out, references[reference])


def case_series(c, work):
    names = ["lzf", "bzip2", "blosc_zstd", "lz4"]
    made = write_all(c, work, names)
    reference_folder = made[names[0]][1]
    reference = render_in(c, "reference, 4 frames", reference_folder, None, ("--frames", "4"))
    inputs = [os.path.join(made[n][0], "cube.h5") for n in names]
    for np_ranks in (None, 2):
        out = os.path.join(work, f"series_{np_ranks}")
        cmd = command(np_ranks, ["render"] + inputs + ["-o", out] + RENDER + ["--frames", "4"])
        res = run(cmd, timeout=180)
        tag = f"series of {', '.join(names)} ({'1 process' if np_ranks is None else f'-np {np_ranks}'})"
        c.check(res.rc == 0, f"{tag}: exit 0", res.describe_output())
        got, want = frame_files(out), frame_files(reference)
        c.check(len(got) == 4 and len(want) == 4, f"{tag}: 4 frames", str(got))
        for g, w in zip(got, want):
            c.check(np.array_equal(pixels(g), pixels(w)),
                    f"{tag}: {os.path.basename(g)} pixels equal the reference's")


def chunk_blocks(data):
    """Every chunk of data (padded to the full chunk) by its offset."""
    for i in range(0, SHAPE[0], CHUNKS[0]):
        for j in range(0, SHAPE[1], CHUNKS[1]):
            for k in range(0, SHAPE[2], CHUNKS[2]):
                block = np.zeros(CHUNKS, data.dtype)
                part = data[i:i + CHUNKS[0], j:j + CHUNKS[1], k:k + CHUNKS[2]]
                block[:part.shape[0], :part.shape[1], :part.shape[2]] = part
                yield (i, j, k), block.tobytes()


def write_lz4_stored_blocks(folder, block):
    """An LZ4 (32004) dataset whose chunks are written in the filter's
    format by hand: the decoded size (8 bytes, big-endian), the block size
    (4 bytes), then each block's stored size (4 bytes) and its bytes, here
    all stored as they are."""
    os.makedirs(folder, exist_ok=True)
    with h5py.File(os.path.join(folder, "cube.h5"), "w") as h5:
        ds = h5.create_dataset("density", shape=SHAPE, dtype="f4", chunks=CHUNKS, **hdf5plugin.LZ4())
        for offset, raw in chunk_blocks(values("f4")):
            stored = len(raw).to_bytes(8, "big") + block.to_bytes(4, "big")
            for at in range(0, len(raw), block):
                part = raw[at:at + block]
                stored += len(part).to_bytes(4, "big") + part
            ds.id.write_direct_chunk(offset, stored)


def write_unknown_filter(path, filter_id):
    """A chunked dataset whose pipeline names filter_id, which no library
    has: h5py is told not to check, and the chunks are written raw."""
    data = values("f4")
    with h5py.File(path, "w") as h5:
        ds = h5.create_dataset("density", shape=SHAPE, dtype="f4", chunks=CHUNKS,
                               compression=filter_id, allow_unknown_filter=True)
        for offset, raw in chunk_blocks(data):
            ds.id.write_direct_chunk(offset, raw)


def ranks_run(np_ranks, argv, work, env):
    """harness.ranks_run with this suite's cubecast and mpiexec: the result
    and each rank's exit status."""
    res, codes, _ = harness.ranks_run(CFG, np_ranks, argv, work, env=env)
    return res, codes


def error_lines(err):
    """cubecast's own message lines (not Open MPI's notes about exit statuses)."""
    lines = [l for l in err.splitlines() if "cubecast" in l or "error" in l.lower()]
    return [l for l in lines if "non-zero" not in l and "mpiexec" not in l.lower() and "mpirun" not in l.lower()]


def check_refused(c, work, label, path, words, env):
    for np_ranks in (None, 2):
        where = tempfile.mkdtemp(prefix="refused_", dir=work)
        argv = ["render", path, "-o", os.path.join(where, "parent", "out")] + RENDER
        tag = f"{label} ({'1 process' if np_ranks is None else f'-np {np_ranks}'})"
        if np_ranks is None:
            res = run(command(None, argv), timeout=60, env=env)
            codes = [res.rc]
        else:
            res, codes = ranks_run(np_ranks, argv, work, env)
        ours = error_lines(res.err)
        c.check(len(ours) == 1, f"{tag}: exactly one message line (got {len(ours)})", res.describe_output())
        line = ours[0] if ours else ""
        c.check(line.startswith("cubecast: error: ") and all(w in line for w in words),
                f"{tag}: the line names {words}", repr(line))
        c.check(codes == [EXIT_INPUT] * len(codes), f"{tag}: every rank exits 3 ({codes})", res.describe_output())
        c.check(os.listdir(where) == [], f"{tag}: nothing created", str(harness.listing(where)))


def case_unavailable(c, work):
    # HDF5_PLUGIN_PATH unset: a user's own might hold a plugin for them.
    env = {k: v for k, v in harness.ENV.items() if k != "HDF5_PLUGIN_PATH"}
    zfp = os.path.join(work, "zfp.h5")
    with h5py.File(zfp, "w") as h5:
        h5.create_dataset("density", data=values("f4"), chunks=CHUNKS, **hdf5plugin.Zfp(reversible=True))
    unknown = os.path.join(work, "unknown.h5")
    write_unknown_filter(unknown, 40000)
    for label, path, words in (("ZFP", zfp, ["ZFP", "32013", "HDF5_PLUGIN_PATH", "zfp.h5", "density"]),
                               ("filter 40000", unknown, ["40000", "HDF5_PLUGIN_PATH", "unknown.h5"])):
        check_refused(c, work, label, path, words, env)
        res = run([CFG.cubecast, "info", path], timeout=60, env=env)
        text = res.out + res.err
        ident = words[1] if label == "ZFP" else words[0]
        c.check(re.search(rf"\(filter {ident}, not available\)", text) is not None,
                f"info {os.path.basename(path)}: lists the filter {ident} as not available", res.describe_output())
        c.check(res.rc in (0, EXIT_INPUT), f"info {os.path.basename(path)}: exit 0 or 3 ({res.rc})",
                res.describe_output())


def case_info(c, work):
    made = write_all(c, work, INFO_NAMES)
    for name, wanted in INFO_NAMES.items():
        res = run([CFG.cubecast, "info", os.path.join(made[name][0], "cube.h5")], timeout=60)
        c.check(res.rc == 0, f"info {name}: exit 0", res.describe_output())
        for text in wanted:
            c.check(text in res.out, f"info {name}: says '{text}'", res.out)
        c.check("not available" not in res.out, f"info {name}: nothing 'not available'", res.out)


def garble_chunk(path):
    """Overwrites the middle of the first chunk's stored bytes."""
    with h5py.File(path, "r") as h5:
        info = h5["density"].id.get_chunk_info(0)
    with open(path, "r+b") as f:
        f.seek(info.byte_offset + info.size // 3)
        f.write(bytes((53 * i + 7) % 256 for i in range(max(8, info.size // 3))))


def case_corrupt(c, work):
    case_short(c, work)
    names = ["lz4", "bzip2", "blosc_lz4", "lzf"]
    made = write_all(c, work, names)
    for name in names:
        path = os.path.join(made[name][0], "cube.h5")
        garble_chunk(path)
        out = os.path.join(made[name][0], "out")
        res = run(command(None, ["render", path, "-o", out] + RENDER), timeout=60)
        ours = error_lines(res.err)
        c.check(res.rc == EXIT_INPUT, f"{name} garbled: exit 3 (no crash)", res.describe_output())
        c.check(len(ours) == 1 and "density" in ours[0] and "cube.h5" in ours[0],
                f"{name} garbled: one line naming the dataset and file", res.describe_output())
        c.check(frame_files(out) == [], f"{name} garbled: no frames", str(harness.listing(out)))


def lzf_literals(data):
    """data as a valid LZF stream of literal runs (a control byte below 32
    is a run of that many plus one bytes)."""
    out = b""
    for at in range(0, len(data), 32):
        part = data[at:at + 32]
        out += bytes([len(part) - 1]) + part
    return out


def case_short(c, work):
    """An LZF chunk that is a valid stream of fewer bytes than the chunk:
    refused (HDF5 would read past the decoded bytes)."""
    folder = os.path.join(work, "lzf_short")
    write_cube(folder, "f4", compression="lzf")
    path = os.path.join(folder, "cube.h5")
    with h5py.File(path, "r+") as h5:
        ds = h5["density"]
        ds.id.write_direct_chunk((0, 0, 0), lzf_literals(bytes(range(200)) * 2))
    out = os.path.join(folder, "out")
    res = run(command(None, ["render", path, "-o", out] + RENDER), timeout=60)
    c.check(res.rc == EXIT_INPUT, "LZF chunk of 400 bytes for a 3840-byte chunk: exit 3", res.describe_output())
    c.check(frame_files(out) == [], "LZF chunk too short: no frames", str(harness.listing(out)))


def case_plugin(c, work):
    """A filter from a user's plugin (tests/filters/xor_plugin.c, 40001),
    found through HDF5_PLUGIN_PATH, which cubecast's own plugin folder does
    not displace."""
    plugins = os.path.abspath(CFG.plugins)
    c.require(any(n.endswith(".so") for n in os.listdir(plugins)), f"the test plugin is built in {plugins}")
    h5py.h5pl.append(plugins.encode())
    folder = os.path.join(work, "xor")
    write_cube(folder, "f4", compression=40001)
    reference = os.path.join(work, "plain_f4")
    write_cube(reference, "f4")
    want = render_in(c, "reference", reference, None)
    with_path = dict(harness.ENV, HDF5_PLUGIN_PATH=plugins)
    out = render_in(c, "filter 40001 with HDF5_PLUGIN_PATH naming its plugin", folder, None, env=with_path)
    frames_equal(c, "filter 40001 from the user's plugin", out, want)
    out = render_in(c, "-np 2 bricks", folder, 2, ("--decomp", "bricks"), env=with_path)
    c.check([read_bytes(p) for p in frame_files(out)] ==
            [read_bytes(p) for p in frame_files(render_in(c, "reference -np 2 bricks", reference, 2,
                                                          ("--decomp", "bricks")))],
            "filter 40001 from the user's plugin, -np 2 bricks: frames byte for byte the reference's")
    res = run([CFG.cubecast, "info", os.path.join(folder, "cube.h5")], timeout=60, env=with_path)
    c.check("filter 'cubecast test xor' (filter 40001)" in res.out, "info names the plugin's filter, available",
            res.describe_output())
    without = {k: v for k, v in harness.ENV.items() if k != "HDF5_PLUGIN_PATH"}
    check_refused(c, work, "filter 40001 without HDF5_PLUGIN_PATH", os.path.join(folder, "cube.h5"),
                  ["filter 'cubecast test xor' (HDF5 filter 40001)", "HDF5_PLUGIN_PATH"], without)


CASES = {
    "frames": case_frames,
    "bricks": case_bricks,
    "series": case_series,
    "unavailable": case_unavailable,
    "info": case_info,
    "corrupt": case_corrupt,
    "plugin": case_plugin,
}


def main():
    global CFG
    CFG = harness.parse_args(__doc__, CASES, "--plugins")
    return harness.run_case(CFG, CASES, "filters")


if __name__ == "__main__":
    sys.exit(main())
