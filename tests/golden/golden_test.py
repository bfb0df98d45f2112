#!/usr/bin/python3
"""Golden tests: cubecast against scripts/reference.py (float64 NumPy/SciPy).

    golden_test.py --cubecast BIN --mpiexec MPIEXEC --reference reference.py \
                   [--workdir DIR] [--keep] CASE [CASE ...]

Cases: selftest, nonfinite, wide_plane, generated_noncubic, generated_float64,
h5py_inputs, range, mpi_np2, mpi_np3, png_formats, colormaps, transfer, camera,
camera_spacing, all.
Each case works in its own temporary folder (removed on success, kept on
failure or with --keep) and prints its max errors.

What is checked against the contract (design.md section 1, docs/cli-spec.md):
  * --raw layout: frames (K, N, N, 3) float32/float64, angles (exactly
    start + sweep*f/F), frame_index (global numbers), projection, root attrs;
  * frames vs the reference: max abs error <= 1e-4 (single), 1e-9 (double);
  * projection vs ln(mean over x): <= 1e-6 (single), 1e-9 (double), with
    -inf / NaN in the same places;
  * frame PNGs: every byte == floor(255*ref + 0.5), +-1 allowed only where
    255*ref lies within 255*tol of a .5 boundary;
  * projection.png == matplotlib viridis (clim -5..5) of the reference
    (a neighbouring colour allowed only where ref +- tol crosses a bin edge);
  * under mpirun -np 2 / -np 3 the raw results are bitwise those of -np 1;
  * png_formats (design.md section 5): --bit-depth 8|16 and --background
    black|white|#3366cc|transparent: every PNG sample is the level of the
    raw C and T's formula within one quantisation step (and only at a
    rounding boundary), raw "transmittance" matches the reference's T,
    the default stays byte for byte the original's PNG;
  * sensitivity: on the same data, a 1-degree angle error, a transposed or
    flipped image, or a camera/voxel grid of spacing 1 instead of n/(n-1)
    moves the reference by far more than the tolerance, so such bugs fail.
  * colormaps: projection.png under --colormap (all seven maps, aliases)
    and --projection-range A:B|auto is matplotlib's imshow of the raw
    projection, exactly (scripts/gen_colormaps.py's table for grey and Cool
    to Warm), and of the reference's up to a bin edge; "what" states the map
    and the limits; the frames do not change.
  * transfer (design.md section 5): --tf with band files (bands5, bands12;
    bands_linear on a signed cube with a NaN), --scale, ParaView exports
    (paraview_rgb, paraview_log, with and without Points), --data-range and
    --opacity-unit 2 and 0.5: raw frames (clip C) and transmittance within
    1e-4 / 1e-9 of the reference's render_frame_ct, PNGs as above; each
    picture is mostly non-empty and plausible bugs (red/blue swapped,
    opacity scaled, colours reversed, no opacity unit) move it by > 1e-3;
    data/bands_default.json (section 1's bands) gives the default run's raw
    arrays and PNG files bit for bit; over a background the reference CLI's
    raw file (frames = clip(C), transmittance = T) and PNGs match
    cubecast's; paraview_sharp.json (midpoints and sharpness: VTK's opacity
    curve) agrees like the others.  Every part runs even when one fails; a
    failure of a part listed in REPORTED_C_BUGS says which bug it is.
  * camera, camera_spacing (design.md section 5's camera): --axis y and z,
    --elevation +30 / -20, --zoom 0.6 / 1.7, --fit (on a generated 20x28x36
    cube, with zoom, elevation, another axis), --spacing given (1:1.5:3,
    2:3:6) and auto (element_size_um written by h5py), --opacity-unit with
    zoom and fit: raw frames and transmittance within 1e-4 / 1e-9 of the
    reference's Camera, PNGs and projection as above; rows on the grid's
    first and last planes (N = the orbit axis's length) are seen; each
    picture discriminating (the other rotation sense, axis, elevation sign,
    inverse zoom, no fit, no or reversed spacing, opacity without the scale
    s move it by > 1e-3); the defaults spelled out, --spacing auto against
    the same spacing given, and auto without an attribute give bit-identical
    results; the reference CLI agrees with cubecast.  selftest also runs
    reference.py's own selftest.
"""

import argparse
import glob
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

import numpy as np

import h5py
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402  (tests/harness.py: with_device)

FRAME_TOL = {"single": 1e-4, "double": 1e-9}
PROJ_TOL = {"single": 1e-6, "double": 1e-9}
# A bug must move some pixel by at least this much (10 x the single budget).
SENSITIVITY_MIN = 1e-3

R = None  # the reference module, imported from --reference
CFG = None


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def log(msg):
    print(msg, flush=True)


# ----------------------------------------------------------------- helpers

def import_reference(path):
    global R
    import importlib.util
    spec = importlib.util.spec_from_file_location("cubecast_reference", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    R = mod


def mpi_flags():
    try:
        out = subprocess.run([CFG.mpiexec, "--version"], capture_output=True, text=True,
                             timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        out = ""
    if "Open MPI" in out or "OpenRTE" in out:
        return ["--allow-run-as-root", "--oversubscribe"]
    return []


def run(cmd, timeout=240):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        raise Failure("command failed (rc %d, %.1f s): %s\n--- stdout:\n%s\n--- stderr:\n%s"
                      % (p.returncode, dt, " ".join(cmd), p.stdout[-4000:], p.stderr[-4000:]))
    return p


def cubecast(args, np_ranks=None, timeout=240):
    cmd = [CFG.cubecast] + harness.with_device(args)
    if np_ranks is not None:
        cmd = [CFG.mpiexec] + mpi_flags() + ["-np", str(np_ranks)] + cmd
    return run(cmd, timeout)


def generate(path, *extra):
    cubecast(["generate", path] + list(extra))
    check(os.path.isfile(path), "cubecast generate did not write %s" % path)


def read_volume(path, dataset):
    with h5py.File(path, "r") as f:
        return np.asarray(f[dataset][...], dtype=np.float64)


def make_field(shape, seed):
    """ln(density) with all three transfer bands and no symmetry: background
    around -3, a few blobs peaking near 3, an off-centre core near 9.5."""
    rng = np.random.default_rng(seed)
    axes = [np.linspace(-1.0, 1.0, n) for n in shape]
    x, y, z = np.meshgrid(*axes, indexing="ij")
    ln = -3.0 + 0.3 * rng.standard_normal(shape)
    ln += 12.5 * np.exp(-((x - 0.2) ** 2 + (y + 0.1) ** 2 + (z - 0.15) ** 2) / 0.05)
    for _ in range(5):
        cx, cy, cz = rng.uniform(-0.7, 0.7, 3)
        ln += 6.0 * np.exp(-((x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2) / 0.02)
    return ln


def fmt_worst(err, a, b):
    idx = np.unravel_index(np.nanargmax(err), err.shape)
    return "at %s: cubecast %r, reference %r" % (tuple(int(i) for i in idx), float(a[idx]),
                                                 float(b[idx]))


def expected_angles(F, start, sweep, a, b):
    return [R.frame_angle_deg(start, sweep, F, f) for f in range(a, b)]


def reference_frames(V, N, angles):
    return [R.render_frame(V, N, np.radians(deg)) for deg in angles]


def attr_value(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.ndarray) and v.shape == ():
        v = v[()]
    if isinstance(v, (np.bytes_,)):
        return v.decode()
    if isinstance(v, np.ndarray) and v.size == 1:
        return v.reshape(()).item()
    return v


# ------------------------------------------------------ sensitivity checks

def sensitivity(V, N, deg, ref):
    """Shows that plausible bugs move this frame by more than SENSITIVITY_MIN."""
    th = np.radians(deg)
    diffs = {}
    diffs["angle+1deg"] = np.abs(R.render_frame(V, N, np.radians(deg + 1.0)) - ref).max()
    diffs["transposed"] = np.abs(ref.transpose(1, 0, 2) - ref).max()
    diffs["rows flipped"] = np.abs(ref[::-1] - ref).max()
    diffs["cols flipped"] = np.abs(ref[:, ::-1] - ref).max()
    diffs["rgb->bgr"] = np.abs(ref[..., ::-1] - ref).max()
    orig_cam, orig_grid = R.camera_coords, R.grid_points
    try:
        R.camera_coords = lambda n: -n / 2 + np.arange(n, dtype=np.float64)
        diffs["camera spacing 1"] = np.abs(R.render_frame(V, N, th) - ref).max()
        R.camera_coords = orig_cam
        R.grid_points = lambda shape: tuple(-n / 2 + np.arange(n, dtype=np.float64)
                                            for n in shape)
        diffs["voxel spacing 1"] = np.abs(R.render_frame(V, N, th) - ref).max()
    finally:
        R.camera_coords, R.grid_points = orig_cam, orig_grid
    weak = {k: v for k, v in diffs.items() if not v > SENSITIVITY_MIN}
    check(not weak, "test data not discriminating enough (bug would pass): %s" % weak)
    return min(diffs.values())


# ------------------------------------------------------------ the checker

def check_projection_pixels(label, ppx, P, ptol, what):
    """projection.png's pixels ppx are the viridis colours of the
    reference's ln(mean) P, a neighbouring colour allowed only where
    P +- ptol crosses a bin edge."""
    want = R.projection_rgb8(P)
    ok = np.all(ppx == want, axis=-1)
    with np.errstate(invalid="ignore"):
        ok |= np.all(ppx == R.projection_rgb8(P - ptol), axis=-1)
        ok |= np.all(ppx == R.projection_rgb8(P + ptol), axis=-1)
    if not ok.all():
        j, k = np.argwhere(~ok)[0]
        raise Failure("%s: projection.png: %d of %d pixels differ from %s; first at row %d "
                      "col %d: png %s, want %s (ln mean %r)"
                      % (label, int((~ok).sum()), ok.size, what, j, k, ppx[j, k].tolist(),
                         want[j, k].tolist(), P[j, k]))


def check_render(label, outdir, raw_path, V, N, F, start, sweep, precision, rng=None,
                 refs=None, do_sensitivity=True, check_pngs=True):
    """Checks one cubecast render (raw file + PNGs in outdir) against the
    reference.  refs: reference frames for the rendered range (computed when
    None); returns them for reuse."""
    a, b = rng if rng else (0, F)
    K = b - a
    tol, ptol = FRAME_TOL[precision], PROJ_TOL[precision]
    angles = expected_angles(F, start, sweep, a, b)
    if refs is None:
        refs = reference_frames(V, N, angles)
    P = R.projection(V)
    ny, nz = V.shape[1], V.shape[2]

    with h5py.File(raw_path, "r") as h:
        for name in ("frames", "angles", "frame_index", "projection"):
            check(name in h, "%s: raw file lacks dataset '%s'" % (label, name))
        fr = h["frames"]
        want_dtype = np.float32 if precision == "single" else np.float64
        check(fr.dtype == want_dtype, "%s: frames dtype %s, want %s"
              % (label, fr.dtype, np.dtype(want_dtype)))
        check(fr.shape == (K, N, N, 3), "%s: frames shape %s, want %s"
              % (label, fr.shape, (K, N, N, 3)))
        frames = fr[...].astype(np.float64)
        ang = h["angles"]
        check(ang.dtype == np.float64, "%s: angles dtype %s" % (label, ang.dtype))
        ang = ang[...]
        check(ang.shape == (K,), "%s: angles shape %s" % (label, ang.shape))
        for s in range(K):
            check(ang[s] == angles[s], "%s: angles[%d] = %r, want exactly %r"
                  % (label, s, float(ang[s]), angles[s]))
        fi = h["frame_index"]
        check(fi.dtype == np.int32, "%s: frame_index dtype %s" % (label, fi.dtype))
        check(np.array_equal(fi[...], np.arange(a, b)), "%s: frame_index %s, want %s"
              % (label, fi[...].tolist(), list(range(a, b))))
        pr = h["projection"]
        check(pr.dtype == np.float64, "%s: projection dtype %s" % (label, pr.dtype))
        check(pr.shape == (ny, nz), "%s: projection shape %s, want %s"
              % (label, pr.shape, (ny, nz)))
        proj = pr[...]
        attrs = {k: attr_value(v) for k, v in h.attrs.items()}
        # Text attributes read back as text, not bytes (issue 15).
        for key in [k for k in ("precision", "background") if k in h.attrs]:
            check(isinstance(h.attrs.get(key), str), "%s: raw attribute %s reads back as %r, "
                  "not a str" % (label, key, type(h.attrs.get(key))))
    for key, want in (("size", N), ("frames", F), ("start_deg", start), ("sweep_deg", sweep),
                      ("precision", precision)):
        check(key in attrs, "%s: raw root lacks attribute '%s'" % (label, key))
        check(attrs[key] == want, "%s: attribute %s = %r, want %r"
              % (label, key, attrs[key], want))

    # frames
    check(np.all(np.isfinite(frames)), "%s: non-finite values in raw frames" % label)
    check(frames.min() >= 0.0 and frames.max() <= 1.0,
          "%s: raw frames not clipped to [0,1] (min %r, max %r)"
          % (label, frames.min(), frames.max()))
    worst = 0.0
    for s in range(K):
        ref = refs[s]
        check(ref.max() - ref.min() > 0.1, "%s: reference frame %d is nearly blank; bad test data"
              % (label, a + s))
        err = np.abs(frames[s] - ref)
        e = float(err.max())
        if e > tol:
            bad = int((err > tol).sum())
            raise Failure("%s: frame %d (%.6g deg): max abs error %.3e > %.0e; %d of %d values "
                          "over; worst %s" % (label, a + s, angles[s], e, tol, bad, err.size,
                                              fmt_worst(err, frames[s], ref)))
        worst = max(worst, e)

    # projection
    fin_ref, fin_got = np.isfinite(P), np.isfinite(proj)
    if not np.array_equal(fin_ref, fin_got):
        idx = np.argwhere(fin_ref != fin_got)[:5]
        raise Failure("%s: projection finite/non-finite pattern differs at %s (cubecast %s, "
                      "reference %s)" % (label, idx.tolist(), [proj[tuple(i)] for i in idx],
                                         [P[tuple(i)] for i in idx]))
    nf = ~fin_ref
    check(np.array_equal(np.isnan(P[nf]), np.isnan(proj[nf])) and
          np.array_equal(P[nf][~np.isnan(P[nf])], proj[nf][~np.isnan(proj[nf])]),
          "%s: projection non-finite values differ (NaN vs -inf)" % label)
    perr = np.abs(proj[fin_ref] - P[fin_ref])
    pworst = float(perr.max()) if perr.size else 0.0
    if pworst > ptol:
        e2 = np.where(fin_ref, np.abs(proj - P), 0.0)
        raise Failure("%s: projection max abs error %.3e > %.0e; worst %s"
                      % (label, pworst, ptol, fmt_worst(e2, proj, P)))

    # PNGs
    png_note = "PNGs not checked"
    if check_pngs:
        names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(outdir, "frame_*.png")))
        want_names = ["frame_%05d.png" % f for f in range(a, b)]
        check(names == want_names, "%s: frame files %s, want %s" % (label, names, want_names))
        nboundary = 0
        for s in range(K):
            f = a + s
            path = os.path.join(outdir, want_names[s])
            with Image.open(path) as im:
                check(im.format == "PNG", "%s: %s is not a PNG" % (label, path))
                check(im.mode == "RGB", "%s: %s mode %s, want RGB (8-bit)" % (label, path, im.mode))
                check(im.size == (N, N), "%s: %s size %s, want %s" % (label, path, im.size, (N, N)))
                text = dict(getattr(im, "text", {}) or {})
                px = np.asarray(im.convert("RGB"), dtype=np.int32)
            if "frame" in text:
                try:
                    tf = int(text["frame"].strip())
                except ValueError:
                    tf = None
                check(tf == f, "%s: %s tEXt frame=%r, want %d" % (label, path, text["frame"], f))
            if "angle" in text:
                try:
                    ta = float(text["angle"].strip())
                except ValueError:
                    ta = float("nan")
                check(abs(ta - angles[s]) <= 1e-4,
                      "%s: %s tEXt angle=%r, want %r" % (label, path, text["angle"], angles[s]))
            x = 255.0 * np.clip(refs[s], 0.0, 1.0)
            lev = np.floor(x + 0.5).astype(np.int32)
            frac = (x + 0.5) - np.floor(x + 0.5)
            near = np.minimum(frac, 1.0 - frac) <= 255.0 * tol
            diff = np.abs(px - lev)
            bad = (diff > 1) | ((diff == 1) & ~near)
            if bad.any():
                idx = np.argwhere(bad)
                j, k, ch = idx[0]
                raise Failure("%s: %s: %d of %d bytes differ from floor(255*ref+0.5); first at "
                              "row %d col %d channel %d: png %d, want %d (255*ref = %.9f)"
                              % (label, path, len(idx), px.size, j, k, ch, px[j, k, ch],
                                 lev[j, k, ch], x[j, k, ch]))
            nboundary += int((diff == 1).sum())
        # projection.png
        ppath = os.path.join(outdir, "projection.png")
        check(os.path.isfile(ppath), "%s: no projection.png" % label)
        with Image.open(ppath) as im:
            check(im.mode == "RGB", "%s: projection.png mode %s" % (label, im.mode))
            check(im.size == (nz, ny), "%s: projection.png size %s, want (Nz, Ny) = %s"
                  % (label, im.size, (nz, ny)))
            ppx = np.asarray(im, dtype=np.uint8)
        check_projection_pixels(label, ppx, P, ptol, "matplotlib viridis")
        png_note = "PNG bytes ok (%d boundary +-1)" % nboundary

    sens = ""
    if do_sensitivity:
        sens = ", smallest bug effect %.2e" % sensitivity(V, N, angles[0], refs[0])
    log("  ok %-40s frames max err %.3e (tol %.0e), projection max err %.3e (tol %.0e), "
        "angles exact, %s%s" % (label, worst, tol, pworst, ptol, png_note, sens))
    return refs


def render_and_check(tmp, label, inp, V, N, F, start, sweep, precision, dataset=None, rng=None,
                     refs=None, np_ranks=None, extra=(), **kw):
    outdir = os.path.join(tmp, label)
    raw = os.path.join(tmp, label + ".h5")
    args = ["render", inp, "-o", outdir, "--size", str(N), "--frames", str(F),
            "--start-deg", repr(start), "--sweep-deg", repr(sweep), "--precision", precision,
            "--raw", raw, "--quiet"] + list(extra)
    if dataset:
        args += ["--dataset", dataset]
    if rng:
        args += ["--range", "%d:%d" % rng]
    cubecast(args, np_ranks)
    refs = check_render(label, outdir, raw, V, N, F, start, sweep, precision, rng=rng, refs=refs,
                        **kw)
    return refs, outdir, raw


# ------------------------------------------------------------------ cases

def case_selftest(tmp):
    """The reference itself: bitwise equal to the original script's algorithm
    (whole meshgrid + one interpn call), independent of chunking; its CLI
    writes the documented raw layout and the PNGs."""
    from scipy.interpolate import interpn
    ln = make_field((21, 27, 24), 11)
    V = np.exp(ln)
    V[0, 0, 0] = 0.0
    V[3, 4, 5] = -1.0

    def original(V, N, angle):
        Nx, Ny, Nz = V.shape
        points = (np.linspace(-Nx / 2, Nx / 2, Nx), np.linspace(-Ny / 2, Ny / 2, Ny),
                  np.linspace(-Nz / 2, Nz / 2, Nz))
        c = np.linspace(-N / 2, N / 2, N)
        qx, qy, qz = np.meshgrid(c, c, c)
        qyR = qy * np.cos(angle) - qz * np.sin(angle)
        qzR = qy * np.sin(angle) + qz * np.cos(angle)
        qi = np.array([qx.ravel(), qyR.ravel(), qzR.ravel()]).T
        grid = interpn(points, V, qi, method="linear", bounds_error=False,
                       fill_value=np.nan).reshape((N, N, N))
        image = np.zeros((N, N, 3))
        for dataslice in grid:
            with np.errstate(invalid="ignore", divide="ignore"):
                r, g, b, a = R.transfer(np.log(dataslice))
            empty = ~np.isfinite(a)
            r, g, b, a = (np.where(empty, 0.0, t) for t in (r, g, b, a))
            image[:, :, 0] = a * r + (1 - a) * image[:, :, 0]
            image[:, :, 1] = a * g + (1 - a) * image[:, :, 1]
            image[:, :, 2] = a * b + (1 - a) * image[:, :, 2]
        return np.clip(image, 0.0, 1.0)

    worst = 0.0
    for N in (16, 33):
        for deg in (0.0, 17.5, 90.0, 217.5):
            want = original(V, N, np.radians(deg))
            for chunk in (N * N, 5 * N * N, 10 ** 7):
                got = R.render_frame(V, N, np.radians(deg), chunk_samples=chunk)
                e = float(np.abs(got - want).max())
                check(e == 0.0, "reference differs from the original algorithm by %.3e "
                      "(N %d, %g deg, chunk %d)" % (e, N, deg, chunk))
            worst = max(worst, e)
    log("  ok reference == original algorithm bitwise (max diff %.1e) for N 16, 33 at 4 angles,"
        " 3 chunk sizes" % worst)

    # transfer function spot values (written out by hand from the contract)
    r, g, b, a = R.transfer(np.array([9.0, 3.0, -3.0]))
    e = lambda d, w: np.exp(-d * d / w)
    want = np.array([[1.0 + 0.1 * e(6, .1) + 0.1 * e(12, .5), 1.0 * e(6, 1) + 0.1 + 0.1 * e(6, .5),
                      1.0 * e(12, 1) + 0.1 * e(6, .1) + 0.1],
                     [1.0 + 1.0 * e(6, .1) + 0.1 * e(12, .5), 1.0 * e(6, 1) + 1.0 + 0.1 * e(6, .5),
                      1.0 * e(12, 1) + 1.0 * e(6, .1) + 0.1],
                     [0.1 + 0.1 * e(6, .1) + 1.0 * e(12, .5), 0.1 * e(6, 1) + 0.1 + 1.0 * e(6, .5),
                      0.1 * e(12, 1) + 0.1 * e(6, .1) + 1.0],
                     [0.6 + 0.1 * e(6, .1) + 0.01 * e(12, .5),
                      0.6 * e(6, 1) + 0.1 + 0.01 * e(6, .5),
                      0.6 * e(12, 1) + 0.1 * e(6, .1) + 0.01]])
    check(np.allclose(np.array([r, g, b, a]), want, rtol=1e-15, atol=1e-15),
          "transfer function spot values wrong")
    # empty samples
    rr, gg, bb, aa = R.transfer_values(np.array([0.0, -1.0, np.nan, np.inf, -np.inf]))
    check(not np.any(np.array([rr, gg, bb, aa])), "empty samples not empty")
    # partial images combine exactly: C = C_near + T_near * C_far
    N, th = 24, np.radians(33.0)
    Cf, Tf = R.render_partial(V, N, th, 0, 10)
    Cn, Tn = R.render_partial(V, N, th, 10, N)
    Ca, Ta = R.render_partial(V, N, th, 0, N)
    e = max(float(np.abs(Cn + Tn[..., None] * Cf - Ca).max()), float(np.abs(Tn * Tf - Ta).max()))
    check(e < 1e-13, "partial images do not combine: %.3e" % e)
    log("  ok transfer spot values, empty samples, partial-image combination (%.1e)" % e)

    # the CLI: raw layout, range, PNGs
    inp = os.path.join(tmp, "cube.h5")
    with h5py.File(inp, "w") as f:
        f.create_dataset("fields/rho", data=V.astype(np.float32))
    V32 = V.astype(np.float32).astype(np.float64)
    raw = os.path.join(tmp, "ref.h5")
    pngs = os.path.join(tmp, "png")
    run([sys.executable, CFG.reference, "render", inp, "--dataset", "/fields/rho", "--frames", "5",
         "--size", "20", "--start-deg", "17.5", "--sweep-deg", "200", "--range", "1:4",
         "--raw", raw, "--png-dir", pngs, "--quiet"])
    check_render("reference CLI", pngs, raw, V32, 20, 5, 17.5, 200.0, "double", rng=(1, 4),
                 do_sensitivity=False)
    with h5py.File(raw, "r") as h:
        for s, f in enumerate(range(1, 4)):
            want = R.render_frame(V32, 20, np.radians(17.5 + 200.0 * f / 5))
            check(np.array_equal(h["frames"][s], want), "reference CLI frame %d differs" % f)
            with Image.open(os.path.join(pngs, "frame_%05d.png" % f)) as im:
                check(np.array_equal(np.asarray(im), R.to_levels(want)),
                      "reference CLI png %d differs" % f)
    log("  ok reference CLI (--range, --raw, --png-dir, nested dataset)")

    # The reference's own checks of section 5 (transfer functions, outputs,
    # the camera: directions against Rodrigues' formula, a linear field
    # sampled exactly, orbit axes as relabellings, zoom as a crop, fit,
    # elevation's symmetry, a blob where the camera puts it).
    p = run([sys.executable, CFG.reference, "selftest"])
    log("  ok " + p.stdout.strip().splitlines()[-1])


def case_generated_noncubic(tmp):
    inp = os.path.join(tmp, "cube.h5")
    generate(inp, "--shape", "40", "56", "48", "--seed", "7")
    V = read_volume(inp, "density")
    check(V.shape == (40, 56, 48), "generated shape %s" % (V.shape,))
    refs = None
    for prec in ("single", "double"):
        refs, _, _ = render_and_check(tmp, "noncubic_N48_" + prec, inp, V, 48, 3, 0.0, 90.0,
                                      prec, refs=refs, do_sensitivity=refs is None)
    refs = None
    for prec in ("double", "single"):
        refs, _, _ = render_and_check(tmp, "noncubic_N24_start17.5_sweep200_" + prec, inp, V, 24,
                                      4, 17.5, 200.0, prec, refs=refs,
                                      do_sensitivity=refs is None)


def case_generated_float64(tmp):
    inp = os.path.join(tmp, "cube64.h5")
    generate(inp, "--size", "32", "--dtype", "float64", "--seed", "3")
    with h5py.File(inp, "r") as f:
        check(f["density"].dtype == np.float64, "generate --dtype float64 wrote %s"
              % f["density"].dtype)
    V = read_volume(inp, "density")
    refs = None
    # N larger than the cube: the outer samples fall outside the grid.
    for prec in ("double", "single"):
        refs, _, _ = render_and_check(tmp, "f64_32cube_N64_" + prec, inp, V, 64, 3, -40.0, 135.0,
                                      prec, refs=refs, do_sensitivity=refs is None)


def case_h5py_inputs(tmp):
    # int32, contiguous, with empty (0) and negative regions.
    ln = make_field((34, 30, 38), 5)
    vi = np.round(np.exp(ln) * 4.0).astype(np.int32)
    vi[:, :3, :4] = -7          # negative columns: projection NaN, samples empty
    vi[:, -2:, -3:] = 0         # zero columns: projection -inf
    vi[10:14, 5:9, 20:30] = -3  # a negative pocket inside
    p_int = os.path.join(tmp, "int32.h5")
    with h5py.File(p_int, "w") as f:
        f.create_dataset("density", data=vi)
    V = vi.astype(np.float64)
    check(np.isnan(R.projection(V)).any() and np.isneginf(R.projection(V)).any(),
          "int32 test cube should have NaN and -inf projection pixels")
    refs = None
    for prec in ("double", "single"):
        refs, _, _ = render_and_check(tmp, "int32_N40_" + prec, p_int, V, 40, 3, 0.0, 90.0, prec,
                                      refs=refs, do_sensitivity=refs is None)

    # uint16, chunked + gzip, nested /fields/rho.
    ln = make_field((30, 36, 28), 6)
    vu = np.clip(np.round(np.exp(ln) * 2.0), 0, 65535).astype(np.uint16)
    p_u16 = os.path.join(tmp, "uint16_nested.h5")
    with h5py.File(p_u16, "w") as f:
        g = f.create_group("fields")
        g.create_dataset("rho", data=vu, chunks=(8, 9, 7), compression="gzip",
                         compression_opts=4)
        f.create_dataset("density", data=np.ones((4, 4, 4), np.float32))  # decoy
    V = vu.astype(np.float64)
    refs = None
    for prec in ("double", "single"):
        refs, _, _ = render_and_check(tmp, "uint16_gzip_nested_N36_" + prec, p_u16, V, 36, 2,
                                      60.0, 90.0, prec, dataset="/fields/rho", refs=refs,
                                      do_sensitivity=refs is None)

    # float32, chunked + shuffle + gzip, nested, non-cubic.
    ln = make_field((26, 40, 32), 8)
    vf = np.exp(ln).astype(np.float32)
    p_f32 = os.path.join(tmp, "float32_chunked.h5")
    with h5py.File(p_f32, "w") as f:
        f.create_dataset("fields/rho", data=vf, chunks=(5, 16, 11), compression="gzip",
                         shuffle=True)
    V = vf.astype(np.float64)
    refs = None
    for prec in ("single", "double"):
        refs, _, _ = render_and_check(tmp, "float32_shuffle_gzip_N30_" + prec, p_f32, V, 30, 2,
                                      -75.0, 300.0, prec, dataset="fields/rho", refs=refs,
                                      do_sensitivity=refs is None)


def case_range(tmp):
    inp = os.path.join(tmp, "cube.h5")
    generate(inp, "--shape", "36", "44", "40", "--seed", "21")
    V = read_volume(inp, "density")
    refs = None
    for prec in ("single", "double"):
        refs, _, _ = render_and_check(tmp, "range_3to6_of_8_" + prec, inp, V, 32, 8, 10.0,
                                      360.0, prec, rng=(3, 6), refs=refs,
                                      do_sensitivity=refs is None)
    # The range's frames equal the same frames of a full sweep, bitwise.
    _, _, raw_full = render_and_check(tmp, "range_full_8_single", inp, V, 32, 8, 10.0, 360.0,
                                      "single", do_sensitivity=False, check_pngs=False,
                                      refs=None)
    with h5py.File(raw_full, "r") as hf, \
            h5py.File(os.path.join(tmp, "range_3to6_of_8_single.h5"), "r") as hr:
        check(np.array_equal(hf["frames"][3:6], hr["frames"][...]),
              "--range 3:6 frames differ from frames 3..5 of the full sweep")
    log("  ok --range 3:6 frames bitwise equal to frames 3..5 of the full sweep")


def raw_contents(path):
    out = {}
    with h5py.File(path, "r") as h:
        for name in ("frames", "angles", "frame_index", "projection"):
            out[name] = (h[name].dtype.str, h[name].shape, h[name][...].tobytes())
        out["attrs"] = sorted((k, repr(attr_value(v))) for k, v in h.attrs.items())
    return out


def png_pixels(outdir):
    res = {}
    for p in sorted(glob.glob(os.path.join(outdir, "*.png"))):
        with Image.open(p) as im:
            res[os.path.basename(p)] = np.asarray(im).tobytes()
    return res


def compare_bitwise(label, raw_a, dir_a, raw_b, dir_b):
    ca, cb = raw_contents(raw_a), raw_contents(raw_b)
    for key in ca:
        if ca[key] != cb[key]:
            if key in ("frames", "projection", "angles"):
                with h5py.File(raw_a, "r") as ha, h5py.File(raw_b, "r") as hb:
                    x, y = ha[key][...].astype(np.float64), hb[key][...].astype(np.float64)
                if x.shape == y.shape:
                    d = np.abs(x - y)
                    d[np.isnan(d)] = 0.0
                    n = int((ha[key][...] != hb[key][...]).sum())
                    raise Failure("%s: raw '%s' not bitwise identical to -np 1: %d values "
                                  "differ, max diff %.3e, worst %s"
                                  % (label, key, n, d.max(), fmt_worst(d, y, x)))
            raise Failure("%s: raw '%s' differs from -np 1: %r vs %r"
                          % (label, key, str(cb[key])[:200], str(ca[key])[:200]))
    pa, pb = png_pixels(dir_a), png_pixels(dir_b)
    check(sorted(pa) == sorted(pb), "%s: PNG files %s vs -np 1 %s" % (label, sorted(pb),
                                                                       sorted(pa)))
    for name in pa:
        check(pa[name] == pb[name], "%s: %s pixels differ from -np 1" % (label, name))


def case_mpi(tmp, nranks):
    inp = os.path.join(tmp, "cube.h5")
    generate(inp, "--shape", "40", "56", "48", "--seed", "7")
    V = read_volume(inp, "density")
    N, F, start, sweep = 40, 4, 17.5, 200.0
    variants = [("single", ()), ("double", ())]
    if nranks >= 3:
        variants += [("single", ("--decomp", "frames")), ("single", ("--decomp", "rows"))]
    refs = None
    base = {}
    for prec, extra in variants:
        if prec not in base:
            refs, d1, r1 = render_and_check(tmp, "np1_" + prec, inp, V, N, F, start, sweep, prec,
                                            refs=refs, np_ranks=1, do_sensitivity=refs is None)
            base[prec] = (d1, r1)
        tag = "np%d_%s%s" % (nranks, prec, "_" + extra[1] if extra else "")
        refs, dn, rn = render_and_check(tmp, tag, inp, V, N, F, start, sweep, prec, refs=refs,
                                        np_ranks=nranks, extra=extra, do_sensitivity=False)
        compare_bitwise(tag, base[prec][1], base[prec][0], rn, dn)
        log("  ok %s raw frames/angles/projection and PNG pixels bitwise equal to -np 1"
            % tag)


def case_wide_plane(tmp):
    # A y-z plane of 400 x 400 (625 KiB in float32) is more than the kernel
    # keeps unblocked, so views whose rays run across the plane's rows (here
    # 40 to 120 degrees) go through the blocked ray loop (src/render.c
    # ray_block); 0 degrees goes through the unblocked one.
    inp = os.path.join(tmp, "wide.h5")
    generate(inp, "--shape", "24", "400", "400", "--seed", "11")
    V = read_volume(inp, "density")
    # N = 24 = nx: every row sits on a grid plane, and a plane this large is
    # read in place rather than copied (render_row).
    for size in (160, 24):
        refs = None
        for prec in ("single", "double"):
            refs, _, _ = render_and_check(tmp, "wide_N%d_%s" % (size, prec), inp, V, size, 4, 0.0,
                                          160.0, prec, refs=refs, do_sensitivity=refs is None)


def case_nonfinite(tmp):
    # NaN and infinite voxels: SciPy spreads a NaN into every sample of the
    # cells around it (even at weight 0), and such samples are empty.  With
    # N equal to nx every row sits on a grid plane, the case where cubecast
    # copies a plane instead of lerping it (only when the next plane is all
    # finite); N = 40 lerps every row.
    ln = make_field((32, 32, 32), 13)
    v = np.exp(ln).astype(np.float32)
    v[7, 10:14, 12] = np.nan       # in planes the copy must not skip over
    v[8, 20, 5:9] = np.inf
    v[16, 3, 3] = -np.inf
    v[31, 15:17, 15:17] = np.nan   # on the last plane
    inp = os.path.join(tmp, "nonfinite.h5")
    with h5py.File(inp, "w") as f:
        f.create_dataset("density", data=v)
    V = v.astype(np.float64)
    for N in (32, 40):
        refs = None
        for prec in ("double", "single"):
            refs, _, _ = render_and_check(tmp, "nonfinite_N%d_%s" % (N, prec), inp, V, N, 3,
                                          0.0, 90.0, prec, refs=refs, do_sensitivity=False)


# ------------------------------------------------------ PNG formats (section 5)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def decode_png(path):
    """Decodes a non-interlaced PNG of colour type 2 (RGB) or 6 (RGBA), 8 or
    16 bits, after the PNG specification (ISO/IEC 15948) with zlib alone
    (PIL reads 16-bit colour as 8-bit): checks the signature and every chunk's
    CRC, undoes the five row filters, reads 16-bit samples big-endian.
    Returns (levels (H, W, C) int64, bit depth, colour type, tEXt dict,
    chunk types in order)."""
    with open(path, "rb") as f:
        data = f.read()
    check(data[:8] == PNG_SIGNATURE, "%s: no PNG signature" % path)
    pos, idat, texts, kinds, ihdr = 8, [], {}, [], None
    while pos < len(data):
        check(pos + 12 <= len(data), "%s: truncated chunk at byte %d" % (path, pos))
        length, = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        check(zlib.crc32(kind + body) & 0xffffffff == crc,
              "%s: bad CRC in chunk %r" % (path, kind))
        kinds.append(kind.decode("latin-1"))
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"tEXt":
            key, value = body.split(b"\0", 1)
            texts[key.decode("latin-1")] = value.decode("latin-1")
        pos += 12 + length
        if kind == b"IEND":
            break
    check(ihdr is not None and kinds[0] == "IHDR" and kinds[-1] == "IEND",
          "%s: chunks %s" % (path, kinds))
    w, h, depth, colour, compression, filtering, interlace = ihdr
    check(colour in (2, 6) and depth in (8, 16) and compression == 0 and filtering == 0 and
          interlace == 0, "%s: IHDR %s not handled" % (path, ihdr))
    channels = 3 if colour == 2 else 4
    bpp = channels * depth // 8
    stride = w * bpp
    raw = zlib.decompress(b"".join(idat))
    check(len(raw) == h * (stride + 1), "%s: %d bytes of image data, want %d"
          % (path, len(raw), h * (stride + 1)))
    out = np.zeros((h, stride), dtype=np.int64)
    prev = np.zeros(stride, dtype=np.int64)
    for y in range(h):
        ftype = raw[y * (stride + 1)]
        line = np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int64)
        if ftype == 0:
            cur = line
        elif ftype == 1:  # Sub: a running sum per byte position within a pixel
            cur = np.cumsum(line.reshape(w, bpp), axis=0).reshape(stride) % 256
        elif ftype == 2:  # Up
            cur = (line + prev) % 256
        elif ftype in (3, 4):  # Average, Paeth: byte by byte
            cur = np.zeros(stride, dtype=np.int64)
            for x in range(stride):
                a = int(cur[x - bpp]) if x >= bpp else 0
                b = int(prev[x])
                c = int(prev[x - bpp]) if x >= bpp else 0
                if ftype == 3:
                    pred = (a + b) // 2
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                cur[x] = (int(line[x]) + pred) % 256
        else:
            raise Failure("%s: row %d has filter type %d" % (path, y, ftype))
        out[y] = cur
        prev = cur
    if depth == 16:
        out = out.reshape(h, w * channels, 2)
        out = out[..., 0] * 256 + out[..., 1]
    return out.reshape(h, w, channels), depth, colour, texts, kinds


BACKGROUNDS = {"black": (0.0, 0.0, 0.0), "white": (1.0, 1.0, 1.0),
               "#3366cc": (0x33 / 255.0, 0x66 / 255.0, 0xcc / 255.0), "transparent": None}


def expected_values(C, T, background):
    """The section 5 values of a frame from its clipped colour C and its
    transmittance T, written out here from the contract: (values (N, N, 3
    or 4), unclipped colour for transparent or None)."""
    bg = BACKGROUNDS[background]
    if bg is None:
        alpha = np.clip(1.0 - T, 0.0, 1.0)
        pos = alpha > 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            straight = np.where(pos[..., None], C / np.where(pos, alpha, 1.0)[..., None], 0.0)
        return np.concatenate([np.clip(straight, 0.0, 1.0), alpha[..., None]], axis=-1), straight
    if background == "black":
        return C, None  # exactly section 1's picture
    return np.clip(C + T[..., None] * np.asarray(bg), 0.0, 1.0), None


def levels_of(values, depth):
    L = 255.0 if depth == 8 else 65535.0
    x = L * np.clip(values, 0.0, 1.0)
    return np.floor(x + 0.5).astype(np.int64), x


def check_levels(label, path, png, values, depth):
    """Every sample within one quantisation step of floor(L*v + 0.5), and off
    by one only where L*v lies within 1e-6 of a rounding boundary (where
    the C and NumPy arithmetic may round differently).  Returns the count
    of such +-1 samples."""
    want, x = levels_of(values, depth)
    diff = np.abs(png - want)
    frac = (x + 0.5) - np.floor(x + 0.5)
    near = np.minimum(frac, 1.0 - frac) <= 1e-6
    bad = (diff > 1) | ((diff == 1) & ~near)
    if bad.any():
        idx = np.argwhere(bad)
        j, k, ch = idx[0]
        raise Failure("%s: %s: %d of %d samples differ from the raw C and T's level; first at "
                      "row %d col %d channel %d: png %d, want %d (L*value = %.9f)"
                      % (label, path, len(idx), png.size, j, k, ch, png[j, k, ch],
                         want[j, k, ch], x[j, k, ch]))
    return int((diff == 1).sum())


def reference_ct(V, N, deg):
    """(C unclipped, T) of a frame from scripts/reference.py."""
    if hasattr(R, "render_frame_ct"):
        return R.render_frame_ct(V, N, np.radians(deg))
    return R.render_partial(V, N, np.radians(deg), 0, N)


def case_png_formats(tmp):
    inp = os.path.join(tmp, "cube.h5")
    generate(inp, "--shape", "30", "36", "34", "--seed", "5")
    V = read_volume(inp, "density")
    N, F, start, sweep = 32, 2, 10.0, 120.0
    angles = expected_angles(F, start, sweep, 0, F)
    ref_ct = [reference_ct(V, N, deg) for deg in angles]
    refs = [np.clip(C, 0.0, 1.0) for C, _ in ref_ct]
    for s, (C, T) in enumerate(ref_ct):
        check(T.min() < 0.5 and T.max() > 0.99 and (np.abs(C) > 0.0).any(),
              "frame %d: reference T in [%.3g, %.3g]: not a discriminating picture"
              % (s, T.min(), T.max()))
        for name, bg in BACKGROUNDS.items():
            if name in ("black", "transparent"):
                continue
            # a background must change the picture by far more than one level
            shown = np.clip(refs[s] + T[..., None] * np.asarray(bg), 0.0, 1.0)
            check(np.abs(shown - refs[s]).max() > 0.2, "background %s barely shows" % name)
    # The reference's own section 5 helpers, where it has them, agree with
    # the formulas written out here.
    if hasattr(R, "over_background") and hasattr(R, "to_transparent"):
        C, T = ref_ct[0]
        Cc = np.clip(C, 0.0, 1.0)
        for name, bg in BACKGROUNDS.items():
            mine, _ = expected_values(Cc, T, name)
            if bg is None:
                rgb, alpha = R.to_transparent(C, T)
                theirs = np.concatenate([rgb, alpha[..., None]], axis=-1)
            else:
                theirs = R.over_background(C, T, bg)
            check(np.array_equal(mine, theirs),
                  "the test's %s formula differs from scripts/reference.py's" % name)
        log("  ok the test's formulas == scripts/reference.py's over_background/to_transparent")

    for prec in ("single", "double"):
        tol = FRAME_TOL[prec]
        base = None  # the raw C and T of the default render
        for depth in (8, 16):
            for background in BACKGROUNDS:
                label = "png%d_%s_%s" % (depth, background.lstrip("#"), prec)
                default = depth == 8 and background == "black"
                extra = [] if default else ["--bit-depth", str(depth), "--background", background]
                _, outdir, raw = render_and_check(
                    tmp, label, inp, V, N, F, start, sweep, prec, refs=refs, extra=extra,
                    do_sensitivity=False, check_pngs=default)
                with h5py.File(raw, "r") as h:
                    check("transmittance" in h, "%s: raw file lacks 'transmittance'" % label)
                    tr = h["transmittance"]
                    want_dtype = np.float32 if prec == "single" else np.float64
                    check(tr.dtype == want_dtype and tr.shape == (F, N, N),
                          "%s: transmittance %s %s, want %s %s"
                          % (label, tr.dtype, tr.shape, np.dtype(want_dtype), (F, N, N)))
                    Ts = tr[...].astype(np.float64)
                    Cs = h["frames"][...].astype(np.float64)
                    attrs = {k: attr_value(v) for k, v in h.attrs.items()}
                check(attrs.get("bit_depth") == depth and attrs.get("background") == background,
                      "%s: raw attributes bit_depth %r, background %r" %
                      (label, attrs.get("bit_depth"), attrs.get("background")))
                # raw T against the reference's T (C is checked by check_render)
                terr = max(float(np.abs(Ts[s] - ref_ct[s][1]).max()) for s in range(F))
                check(terr <= tol, "%s: raw transmittance differs from the reference's T by "
                      "%.3e > %.0e" % (label, terr, tol))
                check(Ts.min() >= 0.0 and Ts.max() <= 1.0, "%s: T outside [0, 1]" % label)
                # C and T do not depend on how they are shown
                if base is None:
                    base = (Cs, Ts)
                check(np.array_equal(Cs, base[0]) and np.array_equal(Ts, base[1]),
                      "%s: raw frames/transmittance differ from the default render's" % label)
                nboundary, worst_ref = 0, 0.0
                for s in range(F):
                    path = os.path.join(outdir, "frame_%05d.png" % s)
                    png, got_depth, colour, texts, kinds = decode_png(path)
                    want_colour = 6 if background == "transparent" else 2
                    check(got_depth == depth and colour == want_colour,
                          "%s: %s is %d-bit colour type %d, want %d-bit type %d"
                          % (label, path, got_depth, colour, depth, want_colour))
                    check(png.shape[:2] == (N, N), "%s: %s shape %s" % (label, path, png.shape))
                    check(texts.get("frame") == str(s), "%s: tEXt frame %r" % (label,
                                                                              texts.get("frame")))
                    if background == "black":
                        check("background" not in texts, "%s: a background text chunk over "
                              "black (the default PNG must not change)" % label)
                    else:
                        check(texts.get("background") == background, "%s: tEXt background %r"
                              % (label, texts.get("background")))
                    values, straight = expected_values(Cs[s], Ts[s], background)
                    if default:
                        # the original's PNG: exactly the levels of C, no slack
                        want, _ = levels_of(values, 8)
                        check(np.array_equal(png, want), "%s: %s: default PNG is not exactly "
                              "floor(255*C + 0.5)" % (label, path))
                        check([k for k in kinds if k == "tEXt"] == ["tEXt"] * 5,
                              "%s: %s: text chunks %s" % (label, path, sorted(texts)))
                        with Image.open(path) as im:
                            check(np.array_equal(np.asarray(im.convert("RGB")), png),
                                  "%s: PIL and this test's decoder disagree on %s" % (label, path))
                    nboundary += check_levels(label, path, png, values, depth)
                    L = 255.0 if depth == 8 else 65535.0
                    if straight is not None:
                        # over black the transparent PNG gives C back: colour * alpha
                        # ~ C, to the quantisation of both (where C/alpha <= 1)
                        comp = png[..., :3] / L * (png[..., 3:] / L)
                        ok = straight <= 1.0
                        e = float(np.abs(comp - Cs[s])[ok].max())
                        check(e <= 1.0 / L + 1e-12, "%s: %s: colour*alpha differs from C by "
                              "%.3g > one level" % (label, path, e))
                        if depth == 8:
                            with Image.open(path) as im:
                                check(im.mode == "RGBA" and np.array_equal(np.asarray(im), png),
                                      "%s: PIL reads %s differently" % (label, path))
                        # alpha against the reference's T
                        ra = np.clip(1.0 - ref_ct[s][1], 0.0, 1.0)
                        worst_ref = max(worst_ref, float(np.abs(png[..., 3] - L * ra).max()))
                        check(worst_ref <= 0.5 + L * tol + 1e-6, "%s: %s: alpha %.3f levels off "
                              "the reference's 1 - T" % (label, path, worst_ref))
                    else:
                        # against the reference's (C, T) directly
                        bg = np.asarray(BACKGROUNDS[background])
                        rv = np.clip(refs[s] + ref_ct[s][1][..., None] * bg, 0.0, 1.0)
                        worst_ref = max(worst_ref, float(np.abs(png - L * rv).max()))
                        check(worst_ref <= 0.5 + L * tol * (1.0 + bg.max()) + 1e-6,
                              "%s: %s: %.3f levels off the reference's picture"
                              % (label, path, worst_ref))
                        if depth == 8 and background != "black":
                            with Image.open(path) as im:
                                check(im.mode == "RGB" and np.array_equal(np.asarray(im), png),
                                      "%s: PIL reads %s differently" % (label, path))
                log("  ok %-40s every sample = level of the raw C, T (%d +-1 at a boundary); "
                    "T vs reference %.2e; vs reference %.3f levels"
                    % (label, nboundary, terr, worst_ref))
    # the default, asked for explicitly, is the same file byte for byte
    out_a, out_b = os.path.join(tmp, "default_a"), os.path.join(tmp, "default_b")
    common = ["render", inp, "--size", str(N), "--frames", str(F), "--start-deg", repr(start),
              "--sweep-deg", repr(sweep), "--quiet", "--no-projection"]
    cubecast(common + ["-o", out_a])
    cubecast(common + ["-o", out_b, "--bit-depth", "8", "--background", "black"])
    for s in range(F):
        with open(os.path.join(out_a, "frame_%05d.png" % s), "rb") as fa, \
                open(os.path.join(out_b, "frame_%05d.png" % s), "rb") as fb:
            check(fa.read() == fb.read(), "--bit-depth 8 --background black: frame %d is not "
                  "the default's file byte for byte" % s)
    log("  ok --bit-depth 8 --background black writes the default's PNG files byte for byte")


# ---------------------------------------------- --colormap, --projection-range

def scripts_module(name):
    """A module of scripts/ (beside reference.py), e.g. gen_colormaps."""
    import importlib.util
    path = os.path.join(os.path.dirname(CFG.reference), name + ".py")
    spec = importlib.util.spec_from_file_location("cubecast_" + name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def colour_projection(P, cmap, lo, hi):
    """matplotlib's imshow(P, cmap=cmap, clim=(lo, hi)) as 8-bit RGB: the
    colours of Normalize(lo, hi)(P) with bytes=True; NaN (the bad colour,
    transparent black) is black."""
    from matplotlib import colors
    with np.errstate(invalid="ignore"):
        rgba = cmap(colors.Normalize(vmin=lo, vmax=hi)(P), bytes=True)
    return np.ascontiguousarray(rgba[..., :3])


def case_colormaps(tmp):
    """projection.png under --colormap and --projection-range: every pixel
    is matplotlib's colour (its own viridis, magma, ... or a ListedColormap
    of scripts/gen_colormaps.py's table for grey and Cool to Warm) of
    cubecast's raw projection, exactly, and of the reference's
    ln(mean over x) up to a neighbouring colour where ref +- tol crosses a
    bin edge; auto takes the finite minimum and maximum; the "what" text
    names the map and the limits; frames do not change."""
    import matplotlib
    from matplotlib.colors import ListedColormap
    gen = scripts_module("gen_colormaps")
    tables = dict(gen.tables())
    cmaps = {name: matplotlib.colormaps[name] for name in gen.LISTED}
    cmaps["grey"] = ListedColormap(tables["grey"])
    cmaps["Cool to Warm"] = ListedColormap(tables["Cool to Warm"])
    check(np.array_equal(np.asarray(tables["Cool to Warm"][0]), gen.COOL_TO_WARM_RGBPOINTS[1:4]),
          "Cool to Warm's first entry is not ParaView's first RGBPoint")

    # ln(value) a ramp across y and z from -7 to 9 (so the projection crosses
    # every limit below), with noise, and columns whose projection is -inf
    # (zeros), NaN (negative values, a NaN voxel) and +inf.
    nx, ny, nz = 12, 30, 36
    rng = np.random.default_rng(41)
    y = np.linspace(0.0, 1.0, ny)[None, :, None]
    z = np.linspace(0.0, 1.0, nz)[None, None, :]
    ln = -7.0 + 8.0 * y + 8.0 * z + 0.4 * rng.standard_normal((nx, ny, nz))
    v = np.exp(ln)
    v[:, 0, 0:3] = 0.0
    v[:, 1, 0:2] = -2.0
    v[3, 2, 5] = np.nan
    v[4, ny - 1, nz - 1] = np.inf
    inp = os.path.join(tmp, "ramp.h5")
    with h5py.File(inp, "w") as f:
        f.create_dataset("density", data=v)
    P = R.projection(v)
    check(np.isneginf(P).any() and np.isnan(P).any() and np.isposinf(P).any() and
          np.nanmin(P[np.isfinite(P)]) < -5.5 and np.nanmax(P[np.isfinite(P)]) > 7.5,
          "test cube: projection lacks -inf, NaN, +inf or does not span [-5.5, 7.5]")
    ptol = PROJ_TOL["single"]
    fin = P[np.isfinite(P)]

    runs = [  # extra options, map, limits (None: auto)
        ([], "viridis", (-5.0, 5.0)),
        (["--colormap", "magma"], "magma", (-5.0, 5.0)),
        (["--colormap", "Cool to Warm"], "Cool to Warm", (-5.0, 5.0)),
        (["--projection-range", "-3:7"], "viridis", (-3.0, 7.0)),
        (["--projection-range", "auto"], "viridis", None),
        (["--colormap", "cool-to-warm", "--projection-range", "auto"], "Cool to Warm", None),
        (["--colormap", "INFERNO", "--projection-range=-6.5:2.25"], "inferno", (-6.5, 2.25)),
        (["--colormap", "plasma", "--projection-range", "0:1e-3"], "plasma", (0.0, 1e-3)),
        (["--colormap", "cividis", "--projection-range", "auto"], "cividis", None),
        (["--colormap", "gray", "--projection-range", "-3:7"], "grey", (-3.0, 7.0)),
        (["--colormap", "coolwarm", "--projection-range", "-3:7"], "Cool to Warm", (-3.0, 7.0)),
    ]
    first_frame = None
    for k, (extra, name, limits) in enumerate(runs):
        label = "cmap%d_%s" % (k, name.replace(" ", "_"))
        outdir = os.path.join(tmp, label)
        raw = os.path.join(tmp, label + ".h5")
        cubecast(["render", inp, "-o", outdir, "--size", "8", "--frames", "1", "--raw", raw,
                  "--quiet"] + extra)
        with h5py.File(raw, "r") as h:
            proj = h["projection"][...]
        check(np.array_equal(np.isnan(proj), np.isnan(P)) and
              np.array_equal(np.isinf(proj), np.isinf(P)) and
              np.abs(proj[np.isfinite(P)] - P[np.isfinite(P)]).max() <= ptol,
              "%s: raw projection differs from the reference" % label)
        with Image.open(os.path.join(outdir, "projection.png")) as im:
            check(im.mode == "RGB" and im.size == (nz, ny),
                  "%s: projection.png mode %s size %s" % (label, im.mode, im.size))
            what = dict(getattr(im, "text", {}) or {}).get("what")
            ppx = np.asarray(im, dtype=np.uint8)
        # The limits: as given, or the finite span of cubecast's projection,
        # stated in "what" in digits that read back exactly.
        if limits is None:
            lo, hi = float(proj[np.isfinite(proj)].min()), float(proj[np.isfinite(proj)].max())
            check(abs(lo - fin.min()) <= ptol and abs(hi - fin.max()) <= ptol,
                  "%s: auto limits [%r, %r], reference's finite span [%r, %r]"
                  % (label, lo, hi, fin.min(), fin.max()))
        else:
            lo, hi = limits
        want_what = "ln(mean over x), %s, limits [%s, %s]%s" % (
            name, fmt_limit(lo), fmt_limit(hi),
            " (auto: finite min and max)" if limits is None else "")
        check(what == want_what, "%s: projection.png tEXt what=%r, want %r"
              % (label, what, want_what))
        # Exactly matplotlib's colours of cubecast's own projection.
        cmap = cmaps[name]
        want = colour_projection(proj, cmap, lo, hi)
        bad = np.any(ppx != want, axis=-1)
        if bad.any():
            j, i = np.argwhere(bad)[0]
            raise Failure("%s: projection.png: %d of %d pixels are not matplotlib's %s over "
                          "[%r, %r] of the raw projection; first at row %d col %d: png %s, "
                          "want %s (ln mean %r)" % (label, int(bad.sum()), bad.size, name, lo,
                                                    hi, j, i, ppx[j, i].tolist(),
                                                    want[j, i].tolist(), proj[j, i]))
        # And of the reference's, up to a bin edge within the tolerance.
        ok = np.all(ppx == colour_projection(P, cmap, lo, hi), axis=-1)
        with np.errstate(invalid="ignore"):
            ok |= np.all(ppx == colour_projection(P - ptol, cmap, lo, hi), axis=-1)
            ok |= np.all(ppx == colour_projection(P + ptol, cmap, lo, hi), axis=-1)
        check(ok.all(), "%s: %d pixels differ from matplotlib's %s of the reference projection"
              % (label, int((~ok).sum()), name))
        # The picture uses the map's range: many colours, both ends.
        used = {tuple(c) for c in ppx.reshape(-1, 3)}
        ends = colour_projection(np.array([lo - 1.0, hi + 1.0]), cmap, lo, hi)
        check(len(used) >= (60 if hi - lo >= 5.0 else 3) and tuple(ends[0]) in used and
              tuple(ends[1]) in used,
              "%s: only %d colours, or an end colour missing" % (label, len(used)))
        with Image.open(os.path.join(outdir, "frame_00000.png")) as im:
            frame = np.asarray(im).tobytes()
        check(first_frame is None or frame == first_frame,
              "%s: frame_00000.png changed with the projection's options" % label)
        first_frame = frame
        log("  ok %-32s %-55s %d colours" % (label, " ".join(extra) or "(defaults)", len(used)))

    # auto on a constant projection (lo == hi: matplotlib's Normalize gives
    # 0, the first colour) and on one with no finite value (the default
    # limits stay, and "what" says why).
    for label, value, lo, hi, note in (
            ("cmap_constant", 2.0, np.log(2.0), np.log(2.0), " (auto: finite min and max)"),
            ("cmap_all_zero", 0.0, -5.0, 5.0, " (auto: no finite value)")):
        path = os.path.join(tmp, label + ".h5")
        with h5py.File(path, "w") as f:
            f.create_dataset("density", data=np.full((6, 5, 7), value, dtype=np.float32))
        outdir = os.path.join(tmp, label)
        cubecast(["render", path, "-o", outdir, "--size", "8", "--frames", "1", "--quiet",
                  "--colormap", "magma", "--projection-range", "auto"])
        with Image.open(os.path.join(outdir, "projection.png")) as im:
            what = dict(getattr(im, "text", {}) or {}).get("what")
            ppx = np.asarray(im, dtype=np.uint8)
        want_what = "ln(mean over x), magma, limits [%s, %s]%s" % (fmt_limit(lo), fmt_limit(hi),
                                                                   note)
        check(what == want_what, "%s: what=%r, want %r" % (label, what, want_what))
        want = colour_projection(R.projection(np.full((6, 5, 7), value)), cmaps["magma"], lo, hi)
        check(np.array_equal(ppx, want) and np.all(ppx == cmaps["magma"](0, bytes=True)[:3]),
              "%s: projection.png is not magma's first colour everywhere" % label)
        log("  ok %-32s %s" % (label, what))


def fmt_limit(value):
    """A limit in the fewest significant digits that read back exactly."""
    for digits in range(1, 18):
        text = "%.*g" % (digits, value)
        if float(text) == value:
            return text
    return repr(value)


# ------------------------------------------- transfer functions (section 5)

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


# Disagreements between cubecast and the reference that were reported as
# cubecast bugs (label -> what).  They still fail; the message says which
# bug it is, so that nobody takes it for their own regression.
REPORTED_C_BUGS = {
    "pv_rgb_inf": "cubecast makes +-inf samples empty under a ParaView function; design.md "
                  "section 5 makes only NaN empty (and <= 0 under UseLogScale) and clamps "
                  "values beyond the end points, as the reference does",
    "pv_step": "cubecast merges RGB/opacity points with equal x into one node (the later "
               "point's value), losing the step; ParaView (AllowDuplicateScalars on) and the "
               "reference keep both nodes: a jump at x",
}


def signed_field(shape, seed):
    """A smooth field in (-1, 1), about half negative: waves, a positive
    and a negative blob, a slope along z, a little noise."""
    rng = np.random.default_rng(seed)
    axes = [np.linspace(-1.0, 1.0, n) for n in shape]
    x, y, z = np.meshgrid(*axes, indexing="ij")
    v = 0.8 * np.sin(2.2 * x + 0.4) * np.cos(1.7 * y - 0.3) + 0.3 * z
    v += 1.2 * np.exp(-((x + 0.3) ** 2 + (y - 0.25) ** 2 + (z + 0.1) ** 2) / 0.08)
    v -= 1.2 * np.exp(-((x - 0.35) ** 2 + (y + 0.2) ** 2 + (z - 0.3) ** 2) / 0.06)
    v += 0.03 * rng.standard_normal(shape)
    return np.tanh(1.4 * v)


def write_cube(path, data):
    with h5py.File(path, "w") as f:
        f.create_dataset("density", data=data)


def write_preset_variant(path, source, drop=(), **changes):
    """A copy of the ParaView export `source` (in DATA) with keys dropped or
    changed in its first preset."""
    import json
    with open(os.path.join(DATA, source)) as f:
        presets = json.load(f)
    for key in drop:
        presets[0].pop(key)
    presets[0].update(changes)
    with open(path, "w") as f:
        json.dump(presets, f, indent=1)
    return path


def mutated(tf, what):
    """The reference's tf with one plausible bug: 'rb' swaps red and blue,
    'alpha' scales opacity by 1.5 (bands) or 0.8 (ParaView), 'reverse'
    reverses a ParaView function's colours."""
    import copy
    if tf.kind == "bands":
        bands = [(c, w, b, g, r, a) if what == "rb" else (c, w, r, g, b, a * 1.5)
                 for c, w, r, g, b, a in tf.bands]
        return R.BandTransferFunction(bands, tf.scale)
    m = copy.copy(tf)
    if what == "rb":
        m.rgb = tf.rgb[:, ::-1].copy()
    elif what == "reverse":
        m.rgb = tf.rgb[::-1].copy()
    else:
        m.alpha = tf.alpha * 0.8
    return m


def raw_arrays(path, names=("frames", "transmittance", "angles", "frame_index", "projection")):
    with h5py.File(path, "r") as h:
        return {n: h[n][...] for n in names}


def case_transfer(tmp):
    """--tf (band files in log and linear scale, ParaView exports with and
    without UseLogScale and Points), --scale, --data-range and
    --opacity-unit: raw frames (clip(C)) and transmittance against the
    reference's render_frame_ct within 1e-4 single / 1e-9 double, PNGs as
    check_render checks them; a band file equal to the default is the
    default bit for bit; the reference CLI's raw file agrees with cubecast's
    over a background; paraview_sharp.json (VTK's opacity curve) like the others."""
    N, F, start, sweep = 40, 3, 10.0, 100.0
    shape = (40, 36, 32)
    pos = os.path.join(tmp, "positive.h5")
    write_cube(pos, np.exp(make_field(shape, 23)).astype(np.float32))
    signed = os.path.join(tmp, "signed.h5")
    vs = signed_field(shape, 29).astype(np.float32)
    vs[20, 18, 16] = np.nan  # NaN is empty for every kind of function
    write_cube(signed, vs)
    check(vs[np.isfinite(vs)].min() < -0.9 and vs[np.isfinite(vs)].max() > 0.9 and
          0.3 < float((vs < 0).mean()) < 0.7,
          "signed cube: values [%.3g, %.3g], %.0f%% negative"
          % (np.nanmin(vs), np.nanmax(vs), 100 * float((vs < 0).mean())))
    signed_inf = os.path.join(tmp, "signed_inf.h5")
    vi = vs.copy()
    vi[14, 10:12, 9] = np.inf
    vi[27, 24, 20:22] = -np.inf
    write_cube(signed_inf, vi)
    # paraview_rgb.json's own span, 0..20
    span20 = os.path.join(tmp, "span20.h5")
    write_cube(span20, (10.0 * (vs + 1.0)).astype(np.float32))
    cubes = {c: read_volume(c, "density") for c in (pos, signed, signed_inf, span20)}

    d = lambda name: os.path.join(DATA, name)
    pv_rgb_nopoints = write_preset_variant(os.path.join(tmp, "pv_rgb_nopoints.json"),
                                           "paraview_rgb.json", drop=("Points",))
    pv_log_points = write_preset_variant(
        os.path.join(tmp, "pv_log_points.json"), "paraview_log.json",
        Points=[0.01, 0, 0.5, 0, 1, 0.02, 0.5, 0, 100, 0.3, 0.5, 0, 20000, 0.8, 0.5, 0])
    pv_step = write_preset_variant(
        os.path.join(tmp, "pv_step.json"), "paraview_rgb.json",
        RGBPoints=[0, 0.1, 0.1, 0.6, 10, 0.2, 0.9, 0.2, 10, 1.0, 0.3, 0.0, 20, 1.0, 1.0, 0.8],
        Points=[0, 0, 0.5, 0, 10, 0.05, 0.5, 0, 10, 0.5, 0.5, 0, 20, 0.9, 0.5, 0])

    # label, cube, cubecast options, reference load_transfer_function
    # arguments (None: the default function), opacity unit, mutations
    configs = [
        ("bands5", pos, ["--tf", d("bands5.json")], (d("bands5.json"), {}), None,
         ("rb", "alpha")),
        ("bands5_ou2", pos, ["--tf", d("bands5.json"), "--opacity-unit", "2.0"],
         (d("bands5.json"), {}), 2.0, ("ou",)),
        ("bands12", pos, ["--tf", d("bands12.json")], (d("bands12.json"), {}), None,
         ("rb", "alpha")),
        ("bands12_ou0.5", pos, ["--tf", d("bands12.json"), "--opacity-unit", "0.5"],
         (d("bands12.json"), {}), 0.5, ("ou",)),
        ("default_ou0.5", pos, ["--opacity-unit", "0.5"], None, 0.5, ("ou",)),
        ("bands_linear", signed, ["--tf", d("bands_linear.json")],
         (d("bands_linear.json"), {}), None, ("rb", "alpha")),
        ("bands_linear_scale_linear", signed,
         ["--tf", d("bands_linear.json"), "--scale", "linear", "--opacity-unit", "2.0"],
         (d("bands_linear.json"), {"scale": "linear"}), 2.0, ("ou",)),
        ("bands5_scale_linear", signed, ["--tf", d("bands5.json"), "--scale", "linear"],
         (d("bands5.json"), {"scale": "linear"}), None, ("rb",)),
        ("bands_linear_inf", signed_inf, ["--tf", d("bands_linear.json")],
         (d("bands_linear.json"), {}), None, ("rb",)),
        ("pv_rgb", span20, ["--tf", d("paraview_rgb.json")], (d("paraview_rgb.json"), {}), None,
         ("rb", "alpha")),
        ("pv_rgb_range", signed, ["--tf", d("paraview_rgb.json"), "--data-range=-1:1"],
         (d("paraview_rgb.json"), {"data_range": (-1.0, 1.0)}), None, ("reverse", "alpha")),
        ("pv_rgb_nopoints_range_ou0.5", signed,
         ["--tf", pv_rgb_nopoints, "--data-range=-1:1", "--opacity-unit", "0.5"],
         (pv_rgb_nopoints, {"data_range": (-1.0, 1.0)}), 0.5, ("reverse", "ou")),
        ("pv_log", pos, ["--tf", d("paraview_log.json")], (d("paraview_log.json"), {}), None,
         ("reverse",)),
        ("pv_log_range", pos, ["--tf", d("paraview_log.json"), "--data-range", "0.05:5000"],
         (d("paraview_log.json"), {"data_range": (0.05, 5000.0)}), None, ("reverse", "alpha")),
        ("pv_log_points_ou2", pos, ["--tf", pv_log_points, "--opacity-unit", "2"],
         (pv_log_points, {}), 2.0, ("reverse", "alpha", "ou")),
        ("pv_rgb_inf", signed_inf, ["--tf", d("paraview_rgb.json"), "--data-range=-1:1"],
         (d("paraview_rgb.json"), {"data_range": (-1.0, 1.0)}), None, ()),
        ("pv_step", signed, ["--tf", pv_step, "--data-range=-1:1"],
         (pv_step, {"data_range": (-1.0, 1.0)}), None, ()),
    ]
    # ParaView opacity points with midpoints and sharpness: VTK's curve.
    configs.append(("pv_sharp_range_ou2", signed,
                    ["--tf", d("paraview_sharp.json"), "--data-range=-1:1", "--opacity-unit", "2"],
                    (d("paraview_sharp.json"), {"data_range": (-1.0, 1.0)}), 2.0,
                    ("reverse", "alpha")))

    angles = expected_angles(F, start, sweep, 0, F)
    failures = []

    def attempt(label, part, *args):
        """Runs one part; a Failure is kept (annotated when it is a reported
        bug) and the next part runs."""
        try:
            part(*args)
        except Failure as e:
            note = (" [reported cubecast bug: %s]" % REPORTED_C_BUGS[label]
                    if label in REPORTED_C_BUGS else "")
            log("  FAIL %s: %s%s" % (label, e, note))
            failures.append("%s: %s%s" % (label, str(e).splitlines()[0][:300], note))

    def compare(label, cube, options, tf_args, ou, mutations):
        V = cubes[cube]
        tf = R.load_transfer_function(tf_args[0], **tf_args[1]) if tf_args else None
        with np.errstate(invalid="ignore"):  # SciPy's 0 * inf next to an inf voxel
            ref_ct = [R.render_frame_ct(V, N, np.radians(deg), tf=tf, opacity_unit=ou)
                      for deg in angles]
        refs = [np.clip(C, 0.0, 1.0) for C, _ in ref_ct]
        # A discriminating picture: most rays see something, and the
        # mutations (a plausible bug each) move it by far more than the
        # tolerance.
        seen = min(float((1.0 - T > 0.01).mean()) for _, T in ref_ct)
        check(seen >= 0.3 and max(float(r.max()) for r in refs) > 0.2,
              "%s: reference picture nearly empty (%.0f%% of pixels with opacity > 0.01)"
              % (label, 100 * seen))
        effects = {}
        for m in mutations:
            with np.errstate(invalid="ignore"):
                alt = R.render_frame(V, N, np.radians(angles[0]),
                                     tf=tf if m == "ou" else mutated(tf, m),
                                     opacity_unit=None if m == "ou" else ou)
            effects[m] = float(np.abs(alt - refs[0]).max())
        weak = {k: v for k, v in effects.items() if not v > SENSITIVITY_MIN}
        check(not weak, "%s: test data not discriminating (a bug would pass): %s" % (label, weak))
        errs = {}
        for prec in ("single", "double"):
            tol = FRAME_TOL[prec]
            _, outdir, raw = render_and_check(
                tmp, "%s_%s" % (label, prec), cube, V, N, F, start, sweep, prec,
                refs=refs, extra=options, do_sensitivity=False)
            with h5py.File(raw, "r") as h:
                check("transmittance" in h, "%s: raw file lacks 'transmittance'" % label)
                Ts = h["transmittance"][...]
                Cs = h["frames"][...].astype(np.float64)
            check(Ts.dtype == (np.float32 if prec == "single" else np.float64) and
                  Ts.shape == (F, N, N), "%s %s: transmittance %s %s"
                  % (label, prec, Ts.dtype, Ts.shape))
            Ts = Ts.astype(np.float64)
            ferr = max(float(np.abs(Cs[s] - refs[s]).max()) for s in range(F))
            terr = 0.0
            for s in range(F):
                err = np.abs(Ts[s] - ref_ct[s][1])
                if float(err.max()) > tol:
                    raise Failure("%s %s: frame %d: transmittance max abs error %.3e > "
                                  "%.0e; %d of %d values over; worst %s"
                                  % (label, prec, s, float(err.max()), tol,
                                     int((err > tol).sum()), err.size,
                                     fmt_worst(err, Ts[s], ref_ct[s][1])))
                terr = max(terr, float(err.max()))
            errs[prec] = (ferr, terr)
        log("  ok %-30s frames max err single %.2e double %.2e, T max err single %.2e double "
            "%.2e; %.0f%% of pixels seen; mutations move it by %s"
            % (label, errs["single"][0], errs["double"][0], errs["single"][1],
               errs["double"][1], 100 * seen,
               ", ".join("%s %.2f" % kv for kv in effects.items()) or "(none)"))

    def default_bands():
        # A band file equal to section 1's bands is the default, bit for bit.
        gauss = R.load_transfer_function(d("bands_default.json"))
        check(gauss.bands == tuple(tuple(float(x) for x in g) for g in R.GAUSSIANS) and
              gauss.scale == "log", "bands_default.json is not design.md section 1's bands")
        for prec in ("single", "double"):
            runs = {}
            for name, extra in (("default", []),
                                ("bands_default", ["--tf", d("bands_default.json")]),
                                ("bands_default_log", ["--tf", d("bands_default.json"),
                                                       "--scale", "log"])):
                out = os.path.join(tmp, "%s_%s" % (name, prec))
                raw = out + ".h5"
                cubecast(["render", pos, "-o", out, "--size", str(N), "--frames", str(F),
                          "--start-deg", repr(start), "--sweep-deg", repr(sweep), "--precision",
                          prec, "--raw", raw, "--quiet"] + extra)
                pngs = {}
                for p in sorted(glob.glob(os.path.join(out, "*.png"))):
                    with open(p, "rb") as f:
                        pngs[os.path.basename(p)] = f.read()
                runs[name] = (raw_arrays(raw), pngs)
            base_arrays, base_pngs = runs["default"]
            check(len(base_pngs) == F + 1, "default %s: PNGs %s" % (prec, sorted(base_pngs)))
            for name in ("bands_default", "bands_default_log"):
                arrays, pngs = runs[name]
                for key, value in base_arrays.items():
                    check(arrays[key].dtype == value.dtype and
                          arrays[key].tobytes() == value.tobytes(),
                          "%s %s: raw '%s' not bitwise the default run's" % (name, prec, key))
                check(sorted(pngs) == sorted(base_pngs), "%s %s: PNG files %s"
                      % (name, prec, sorted(pngs)))
                for png in base_pngs:
                    check(pngs[png] == base_pngs[png], "%s %s: %s is not the default run's "
                          "file byte for byte" % (name, prec, png))
            log("  ok --tf bands_default.json (and --scale log), %s: raw arrays and %d PNG "
                "files bitwise the default run's" % (prec, len(base_pngs)))

    def reference_cli():
        # The reference CLI and cubecast write the same raw file over a
        # background: frames = clip(C), transmittance = T; PNG = clip(C + T bg).
        ref_raw, ref_png = os.path.join(tmp, "refcli.h5"), os.path.join(tmp, "refcli_png")
        opts = ["--size", str(N), "--frames", str(F), "--start-deg", repr(start), "--sweep-deg",
                repr(sweep), "--tf", d("bands5.json"), "--opacity-unit", "2", "--background",
                "#3366cc"]
        run([sys.executable, CFG.reference, "render", pos, "--raw", ref_raw, "--png-dir",
             ref_png, "--quiet"] + opts)
        for prec in ("single", "double"):
            tol = FRAME_TOL[prec]
            out = os.path.join(tmp, "cli_bg_" + prec)
            cubecast(["render", pos, "-o", out, "--raw", out + ".h5", "--precision", prec,
                      "--quiet"] + opts)
            mine, theirs = raw_arrays(out + ".h5"), raw_arrays(ref_raw)
            e = {k: float(np.abs(mine[k].astype(np.float64) - theirs[k]).max())
                 for k in ("frames", "transmittance")}
            check(max(e.values()) <= tol, "cubecast's raw file over #3366cc differs from the "
                  "reference CLI's: %s > %.0e" % (e, tol))
            worst = 0
            for s in range(F):
                name = "frame_%05d.png" % s
                with Image.open(os.path.join(out, name)) as a, \
                        Image.open(os.path.join(ref_png, name)) as b:
                    diff = np.abs(np.asarray(a, np.int32) - np.asarray(b, np.int32))
                worst = max(worst, int(diff.max()))
            check(worst <= 1, "cubecast's PNGs over #3366cc differ from the reference CLI's by "
                  "%d levels" % worst)
            log("  ok reference CLI and cubecast %s over #3366cc: raw frames (clip C) %.2e, "
                "T %.2e, PNG levels within %d" % (prec, e["frames"], e["transmittance"], worst))

    for config in configs:
        attempt(config[0], compare, *config)
    attempt("bands_default", default_bands)
    attempt("reference_cli", reference_cli)
    check(not failures, "%d of %d parts failed:\n    %s"
          % (len(failures), len(configs) + 2, "\n    ".join(failures)))


# --------------------------------------------------- the camera (section 5)

def camera_mutation(kw, ou, shape, N, what):
    """The reference's camera with one plausible bug: returns (Camera
    keyword arguments, opacity unit, angle sign).  'theta-' turns the other
    way, 'axis+1' orbits the next axis, 'elev-' tilts the other way,
    'zoom^-1' inverts the zoom, 'nofit' forgets --fit, 'spacing1' ignores
    the spacing, 'spacing-rev' reads it in reversed axis order, 'ou-no-s'
    corrects opacity for N / (N - 1) without the camera's scale s."""
    kw = dict(kw)
    sign = 1.0
    if what == "theta-":
        sign = -1.0
    elif what == "axis+1":
        kw["axis"] = (kw.get("axis", 0) + 1) % 3
    elif what == "elev-":
        kw["elevation_deg"] = -kw["elevation_deg"]
    elif what == "zoom^-1":
        kw["zoom"] = 1.0 / kw["zoom"]
    elif what == "nofit":
        kw["fit"] = False
    elif what == "spacing1":
        kw["spacing"] = (1.0, 1.0, 1.0)
    elif what == "spacing-rev":
        kw["spacing"] = tuple(kw["spacing"])[::-1]
    elif what == "ou-no-s":
        ou = ou * R.Camera(**kw).scale(shape, N)
    else:
        raise ValueError(what)
    return kw, ou, sign


def camera_compare(tmp, label, inp, V, options, kw, ou, mutations, N, F, start, sweep,
                   edge=False):
    """cubecast render with camera options, single and double: raw frames
    (clip C) and transmittance against the reference's render_frame_ct with
    Camera(**kw), PNGs and projection as check_render checks them; the
    picture is not empty and each mutation (a plausible bug) moves frame 0
    by more than SENSITIVITY_MIN.  edge: the first and last rows lie on the
    grid's first and last planes (N = the orbit axis's length, elevation
    0): they must see something (a row rounded off the last plane would be
    empty).  Returns a log line."""
    cam = R.Camera(**kw)
    angles = expected_angles(F, start, sweep, 0, F)
    ref_ct = [R.render_frame_ct(V, N, np.radians(deg), opacity_unit=ou, camera=cam)
              for deg in angles]
    refs = [np.clip(C, 0.0, 1.0) for C, _ in ref_ct]
    seen = min(float((1.0 - T > 0.01).mean()) for _, T in ref_ct)
    check(seen >= 0.2 and max(float(r.max()) for r in refs) > 0.2,
          "%s: reference picture nearly empty (%.0f%% of pixels with opacity > 0.01)"
          % (label, 100 * seen))
    effects = {}
    for m in mutations:
        mkw, mou, sign = camera_mutation(kw, ou, V.shape, N, m)
        alt = R.render_frame(V, N, sign * np.radians(angles[0]), opacity_unit=mou,
                             camera=R.Camera(**mkw))
        effects[m] = float(np.abs(alt - refs[0]).max())
    if edge:
        for name, row in (("first row empty", 0), ("last row empty", N - 1)):
            effects[name] = min(float(refs[s][row].max()) for s in range(F))
    effects["rows flipped"] = float(np.abs(refs[0][::-1] - refs[0]).max())
    effects["cols flipped"] = float(np.abs(refs[0][:, ::-1] - refs[0]).max())
    weak = {k: v for k, v in effects.items() if not v > SENSITIVITY_MIN}
    check(not weak, "%s: test data not discriminating (a bug would pass): %s" % (label, weak))
    errs = {}
    for prec in ("single", "double"):
        tol = FRAME_TOL[prec]
        _, _, raw = render_and_check(tmp, "%s_%s" % (label, prec), inp, V, N, F, start, sweep,
                                     prec, refs=refs, extra=options, do_sensitivity=False)
        with h5py.File(raw, "r") as h:
            check("transmittance" in h, "%s: raw file lacks 'transmittance'" % label)
            Ts = h["transmittance"][...].astype(np.float64)
            Cs = h["frames"][...].astype(np.float64)
        check(Ts.shape == (F, N, N), "%s %s: transmittance shape %s" % (label, prec, Ts.shape))
        ferr = max(float(np.abs(Cs[s] - refs[s]).max()) for s in range(F))
        terr = 0.0
        for s in range(F):
            err = np.abs(Ts[s] - ref_ct[s][1])
            if float(err.max()) > tol:
                raise Failure("%s %s: frame %d (%.6g deg): transmittance max abs error %.3e > "
                              "%.0e; %d of %d values over; worst %s"
                              % (label, prec, s, angles[s], float(err.max()), tol,
                                 int((err > tol).sum()), err.size,
                                 fmt_worst(err, Ts[s], ref_ct[s][1])))
            terr = max(terr, float(err.max()))
        errs[prec] = (ferr, terr)
    return ("ok %-26s %-44s frames err single %.1e double %.1e, T err single %.1e double "
            "%.1e; %.0f%% seen; bugs move it by %s"
            % (label, " ".join(options), errs["single"][0], errs["double"][0],
               errs["single"][1], errs["double"][1], 100 * seen,
               ", ".join("%s %.2f" % kv for kv in effects.items())))


def png_pixels_of(data):
    import io
    with Image.open(io.BytesIO(data)) as im:
        return (im.mode, im.size, np.asarray(im).tobytes())


def run_parts(parts):
    """Runs every part (label, function, args); a Failure is logged and the
    next part runs; at the end one Failure lists them all."""
    failures = []
    for label, part, args in parts:
        t0 = time.perf_counter()
        try:
            line = part(*args)
            log("  %s (%.1f s)" % (line, time.perf_counter() - t0))
        except Failure as e:
            log("  FAIL %s: %s" % (label, e))
            failures.append("%s: %s" % (label, str(e).splitlines()[0][:400]))
    check(not failures, "%d of %d parts failed:\n    %s"
          % (len(failures), len(parts), "\n    ".join(failures)))


def camera_cubes(tmp):
    """field.h5: a positive non-cubic float32 field with every band and no
    symmetry (24 x 30 x 28); gen.h5: cubecast generate --shape 20 28 36."""
    field = os.path.join(tmp, "field.h5")
    write_cube(field, np.exp(make_field((24, 30, 28), 31)).astype(np.float32))
    gen = os.path.join(tmp, "gen.h5")
    generate(gen, "--shape", "20", "28", "36", "--seed", "5")
    return {c: (c, read_volume(c, "density")) for c in (field, gen)}, field, gen


CAMERA_VIEW = dict(N=32, F=3, start=10.0, sweep=100.0)


def case_camera(tmp):
    """Orbits about y and z, elevations +30 and -20, zoom 0.6 and 1.7, --fit
    on a generated 20x28x36 cube (with zoom, elevation and another axis):
    raw frames and transmittance within 1e-4 single / 1e-9 double of the
    reference (design.md section 5's camera), PNGs and projection as
    check_render checks them, each picture discriminating (a flipped angle,
    axis, elevation or zoom moves it by > 1e-3)."""
    cubes, field, gen = camera_cubes(tmp)
    v = CAMERA_VIEW
    configs = [
        ("orbit_y", field, ["--axis", "y"], dict(axis=1), None, ("theta-", "axis+1")),
        ("orbit_z", field, ["--axis", "z"], dict(axis=2), None, ("theta-", "axis+1")),
        ("elev_p30", field, ["--elevation", "30"], dict(elevation_deg=30.0), None,
         ("theta-", "elev-")),
        ("elev_m20_y", field, ["--axis", "y", "--elevation", "-20"],
         dict(axis=1, elevation_deg=-20.0), None, ("theta-", "elev-", "axis+1")),
        ("elev_p30_z", gen, ["--axis", "z", "--elevation=30"], dict(axis=2, elevation_deg=30.0),
         None, ("theta-", "elev-", "axis+1")),
        ("zoom0.6", field, ["--zoom", "0.6"], dict(zoom=0.6), None, ("zoom^-1", "theta-")),
        ("zoom1.7_elev_m20", field, ["--elevation", "-20", "--zoom", "1.7"],
         dict(elevation_deg=-20.0, zoom=1.7), None, ("zoom^-1", "elev-")),
        ("fit", gen, ["--fit"], dict(fit=True), None, ("nofit", "theta-")),
        ("fit_z_zoom1.3_elev30", gen, ["--axis", "z", "--fit", "--zoom", "1.3", "--elevation",
                                       "30"],
         dict(axis=2, fit=True, zoom=1.3, elevation_deg=30.0), None, ("nofit", "elev-")),
    ]
    parts = [(c[0], camera_compare, (tmp, c[0]) + cubes[c[1]] + c[2:] +
              (v["N"], v["F"], v["start"], v["sweep"])) for c in configs]
    # Rows on the grid's planes: N = the orbit axis's length (field:
    # 24 x 30 x 28), so row j samples exactly plane j at every angle, the
    # last row the last plane, which is inside.
    parts += [
        ("orbit_y_N30_planes", camera_compare,
         (tmp, "orbit_y_N30_planes") + cubes[field] +
         (["--axis", "y"], dict(axis=1), None, ("theta-",), 30, 2, 20.0, 120.0, True)),
        ("orbit_z_N28_planes_spacing", camera_compare,
         (tmp, "orbit_z_N28_planes_spacing") + cubes[field] +
         (["--axis", "z", "--spacing", "1.5:1.25:1"], dict(axis=2, spacing=(1.5, 1.25, 1.0)),
          None, ("theta-", "spacing1"), 28, 2, 20.0, 120.0, True)),
    ]
    run_parts(parts)


def case_camera_spacing(tmp):
    """Voxel spacing (--spacing 1:1.5:3 and 2:3:6 given; --spacing auto from
    an element_size_um attribute written by h5py, smallest not first), with
    --fit, another axis and an elevation; --opacity-unit with zoom and fit
    (delta = s N / (N - 1)): raw frames and transmittance against the
    reference as in case_camera.  And: the camera's defaults spelled out
    give the default run's files bit for bit; --spacing auto equals the same
    spacing given, bit for bit, and is 1:1:1 on a file without the
    attribute; the reference CLI and cubecast agree with camera options."""
    cubes, field, gen = camera_cubes(tmp)
    v = CAMERA_VIEW
    N, F, start, sweep = v["N"], v["F"], v["start"], v["sweep"]
    # element_size_um (0.75, 0.5, 1.5) um: spacing 1.5:1:3 once normalised
    # (the smallest not first; binary fractions, so exactly 1.5:1:3)
    auto = os.path.join(tmp, "field_um.h5")
    Vf = cubes[field][1]
    with h5py.File(auto, "w") as f:
        f.create_dataset("density", data=Vf.astype(np.float32))
        f["density"].attrs["element_size_um"] = np.array([0.75, 0.5, 1.5])
    cubes[auto] = (auto, Vf)
    um = (0.75, 0.5, 1.5)
    configs = [
        ("spacing_1:1.5:3", field, ["--spacing", "1:1.5:3"], dict(spacing=(1.0, 1.5, 3.0)), None,
         ("spacing1", "spacing-rev")),
        ("spacing_2:3:6_y_fit_elev15", field,
         ["--axis", "y", "--spacing", "2:3:6", "--fit", "--elevation", "15"],
         dict(axis=1, spacing=(2.0, 3.0, 6.0), fit=True, elevation_deg=15.0), None,
         ("spacing1", "spacing-rev", "nofit")),
        ("spacing_auto_um", auto, ["--spacing", "auto"], dict(spacing=um), None,
         ("spacing1", "spacing-rev")),
        ("spacing_auto_um_z_zoom1.7", auto, ["--spacing", "auto", "--axis", "z", "--zoom", "1.7"],
         dict(spacing=um, axis=2, zoom=1.7), None, ("spacing1", "zoom^-1")),
        ("ou2_zoom1.7", field, ["--zoom", "1.7", "--opacity-unit", "2"], dict(zoom=1.7), 2.0,
         ("ou-no-s", "zoom^-1")),
        ("ou0.5_zoom0.6_elev30", gen, ["--zoom", "0.6", "--opacity-unit", "0.5", "--elevation",
                                       "30"],
         dict(zoom=0.6, elevation_deg=30.0), 0.5, ("ou-no-s", "elev-")),
        ("ou0.5_fit1.5_y_spacing", field, ["--fit", "--zoom", "1.5", "--opacity-unit", "0.5",
                                         "--axis", "y", "--spacing", "1:1.5:3"],
         dict(fit=True, zoom=1.5, axis=1, spacing=(1.0, 1.5, 3.0)), 0.5, ("ou-no-s", "nofit")),
    ]
    parts = [(c[0], camera_compare, (tmp, c[0]) + cubes[c[1]] + c[2:] + (N, F, start, sweep))
             for c in configs]

    def same_files(label, opts_a, opts_b, inp_a, inp_b):
        """Two runs give the same raw arrays and PNG files, bit for bit."""
        for prec in ("single", "double"):
            runs = []
            for tag, inp, opts in (("a", inp_a, opts_a), ("b", inp_b, opts_b)):
                out = os.path.join(tmp, "%s_%s_%s" % (label, prec, tag))
                cubecast(["render", inp, "-o", out, "--size", str(N), "--frames", str(F),
                          "--start-deg", repr(start), "--sweep-deg", repr(sweep), "--precision",
                          prec, "--raw", out + ".h5", "--quiet"] + opts)
                pngs = {}
                for p in sorted(glob.glob(os.path.join(out, "*.png"))):
                    with open(p, "rb") as f:
                        pngs[os.path.basename(p)] = f.read()
                runs.append((raw_arrays(out + ".h5"), pngs))
            (ra, pa), (rb, pb) = runs
            for key, value in ra.items():
                if not (rb[key].dtype == value.dtype and rb[key].tobytes() == value.tobytes()):
                    d = (np.abs(rb[key].astype(np.float64) - value.astype(np.float64))
                         if rb[key].shape == value.shape else None)
                    raise Failure("%s %s: raw '%s' differs (%s vs %s): %s"
                                  % (label, prec, key, " ".join(opts_b), " ".join(opts_a),
                                     "max diff %.3e" % np.nanmax(d) if d is not None
                                     else "shapes %s %s" % (rb[key].shape, value.shape)))
            check(sorted(pa) == sorted(pb) and len(pa) == F + 1,
                  "%s %s: PNG files %s vs %s" % (label, prec, sorted(pb), sorted(pa)))
            for png in pa:
                if inp_a == inp_b:
                    check(pa[png] == pb[png], "%s %s: %s differs byte for byte"
                          % (label, prec, png))
                else:  # the PNGs name their input file: compare the pixels
                    check(png_pixels_of(pa[png]) == png_pixels_of(pb[png]),
                          "%s %s: %s pixels differ" % (label, prec, png))
        return "ok %-26s %s == %s: raw arrays and PNG %s bit for bit" % (
            label, " ".join(opts_b) or "(defaults)", " ".join(opts_a) or "(defaults)",
            "files" if inp_a == inp_b else "pixels")

    parts += [
        ("explicit_defaults", same_files,
         ("explicit_defaults", [], ["--axis", "x", "--elevation", "0", "--zoom", "1",
                                    "--spacing", "1:1:1"], gen, gen)),
        ("auto_equals_given", same_files,
         ("auto_equals_given", ["--spacing", "1.5:1:3", "--elevation", "-20"],
          ["--spacing", "auto", "--elevation", "-20"], field, auto)),
        ("auto_without_attribute", same_files,
         ("auto_without_attribute", ["--axis", "z"], ["--axis", "z", "--spacing", "auto"], gen,
          gen)),
    ]

    def reference_cli():
        # The reference's command line and cubecast's read the camera
        # options alike (element_size_um included).
        opts = ["--size", str(N), "--frames", str(F), "--start-deg", repr(start), "--sweep-deg",
                repr(sweep), "--axis", "y", "--elevation", "-20", "--zoom", "1.7",
                "--spacing", "auto", "--opacity-unit", "2"]
        ref_raw = os.path.join(tmp, "refcli_camera.h5")
        run([sys.executable, CFG.reference, "render", auto, "--raw", ref_raw, "--quiet"] + opts)
        e = {}
        for prec in ("single", "double"):
            out = os.path.join(tmp, "cli_camera_" + prec)
            cubecast(["render", auto, "-o", out, "--raw", out + ".h5", "--precision", prec,
                      "--quiet"] + opts)
            mine, theirs = raw_arrays(out + ".h5"), raw_arrays(ref_raw)
            e[prec] = {k: float(np.abs(mine[k].astype(np.float64) - theirs[k]).max())
                       for k in ("frames", "transmittance")}
            check(max(e[prec].values()) <= FRAME_TOL[prec],
                  "cubecast's raw file with %s differs from the reference CLI's: %s > %.0e"
                  % (" ".join(opts), e[prec], FRAME_TOL[prec]))
        return ("ok reference CLI and cubecast agree with --axis y --elevation -20 --zoom 1.7 "
                "--spacing auto --opacity-unit 2: single %s, double %s" % (e["single"],
                                                                           e["double"]))

    parts.append(("reference_cli", reference_cli, ()))
    run_parts(parts)


def case_projection_size(tmp):
    """--projection-size N (issue 15): projection.png is N x N, the mean
    over x over the frames' field of view, sampled as the frames sample the
    volume (the reference's projection_at_size: interpn at s_N * c(j),
    s_N * c(k) on the grid's world coordinates, black outside), up to a neighbouring colour where
    ref +- tol crosses a bin edge; with the camera's zoom, fit and spacing;
    the frames and the raw projection (Ny x Nz) do not change; the picture
    discriminates (no spacing, transposed, the default's grid); the
    manifest records the size."""
    nx, ny, nz = 12, 30, 36
    FRAME = 40  # the frames' field of view (40 world units) overhangs the grid
    rng = np.random.default_rng(43)
    y = np.linspace(0.0, 1.0, ny)[None, :, None]
    z = np.linspace(0.0, 1.0, nz)[None, None, :]
    v = np.exp(-4.0 + 6.0 * y + 5.0 * z * z + 0.3 * rng.standard_normal((nx, ny, nz)))
    v[:, 0, 0:3] = 0.0        # a zero mean: -inf
    v[3, 2, 5] = np.nan       # a NaN mean spreads to its cells
    inp = os.path.join(tmp, "ramp.h5")
    write_cube(inp, v.astype(np.float32))
    V = read_volume(inp, "density")
    ptol = PROJ_TOL["single"]
    base = os.path.join(tmp, "base")
    cubecast(["render", inp, "-o", base, "--size", str(FRAME), "--frames", "2", "--quiet",
              "--raw", base + ".h5"])
    runs = [  # label, extra options, Camera keywords, N
        ("default_camera_45", [], {}, 45),
        ("fit_spacing_zoom_64", ["--fit", "--spacing", "1:2:1.5", "--zoom", "1.2"],
         dict(fit=True, spacing=(1.0, 2.0, 1.5), zoom=1.2), 64),
        ("axis_y_spacing_27", ["--axis", "y", "--spacing", "3:1:1.25"],
         dict(axis=1, spacing=(3.0, 1.0, 1.25)), 27),
    ]
    for label, extra, kw, N in runs:
        outdir = os.path.join(tmp, label)
        cam = R.Camera(**kw)
        cubecast(["render", inp, "-o", outdir, "--size", str(FRAME), "--frames", "2", "--quiet",
                  "--raw", outdir + ".h5", "--projection-size", str(N)] + extra)
        P = R.projection_at_size(V, N, cam, FRAME)
        with Image.open(os.path.join(outdir, "projection.png")) as im:
            check(im.mode == "RGB" and im.size == (N, N),
                  "%s: projection.png mode %s size %s, want %s" % (label, im.mode, im.size,
                                                                    (N, N)))
            ppx = np.asarray(im, dtype=np.uint8)
        check_projection_pixels(label, ppx, P, ptol, "the reference's projection_at_size")
        want = R.projection_rgb8(P)
        check(np.isnan(P).any() and np.isfinite(P).sum() > N * N // 4,
              "%s: the test picture lacks black (outside, NaN) or finite pixels" % label)
        # Discriminating: other samplings draw other pictures.
        others = {"the default camera's grid": R.projection_at_size(V, N, None, FRAME),
                  "transposed": P.T,
                  "ln interpolated, not the mean": None}
        with np.errstate(divide="ignore", invalid="ignore"):
            from scipy.interpolate import interpn
            cam_pts = cam.points(V.shape)
            c = cam.scale(V.shape, FRAME) * (FRAME / N) * R.camera_coords(N)
            q = np.stack(np.meshgrid(c, c, indexing="ij"), -1).reshape(-1, 2)
            others["ln interpolated, not the mean"] = interpn(
                (cam_pts[1], cam_pts[2]), R.projection(V), q, bounds_error=False,
                fill_value=np.nan).reshape(N, N)
        for what, Q in others.items():
            if kw == {} and what == "the default camera's grid":
                continue
            differ = np.any(R.projection_rgb8(Q) != want, axis=-1).mean()
            check(differ > 0.02, "%s: %s draws nearly the same picture (%.3f of pixels differ)"
                  % (label, what, differ))
        with h5py.File(outdir + ".h5", "r") as h, h5py.File(base + ".h5", "r") as b:
            check(h["projection"].shape == (ny, nz) and
                  np.array_equal(h["projection"][...], b["projection"][...], equal_nan=True),
                  "%s: the raw projection is not the Ny x Nz one" % label)
            if not extra:
                check(np.array_equal(h["frames"][...], b["frames"][...]),
                      "%s: the frames changed with --projection-size" % label)
        with open(os.path.join(outdir, "manifest.json")) as f:
            params = json.load(f)["parameters"]
        check(params.get("projection_size") == N,
              "%s: manifest projection_size %r" % (label, params.get("projection_size")))
        log("  ok %-24s %s N=%d" % (label, " ".join(extra) or "(default camera)", N))
    with open(os.path.join(base, "manifest.json")) as f:
        check("projection_size" not in json.load(f)["parameters"],
              "the default run's manifest has a projection_size")


CASES = {
    "selftest": case_selftest,
    "nonfinite": case_nonfinite,
    "wide_plane": case_wide_plane,
    "generated_noncubic": case_generated_noncubic,
    "generated_float64": case_generated_float64,
    "h5py_inputs": case_h5py_inputs,
    "range": case_range,
    "mpi_np2": lambda tmp: case_mpi(tmp, 2),
    "mpi_np3": lambda tmp: case_mpi(tmp, 3),
    "png_formats": case_png_formats,
    "colormaps": case_colormaps,
    "transfer": case_transfer,
    "camera": case_camera,
    "camera_spacing": case_camera_spacing,
    "projection_size": case_projection_size,
}


def main():
    global CFG
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cubecast", help="the cubecast binary")
    p.add_argument("--mpiexec", default="mpiexec")
    p.add_argument("--reference", required=True, help="scripts/reference.py")
    p.add_argument("--workdir", default=None, help="parent of the temporary folders")
    p.add_argument("--keep", action="store_true", help="keep temporary folders")
    p.add_argument("cases", nargs="+", choices=sorted(CASES) + ["all"])
    CFG = p.parse_args()
    CFG.reference = os.path.abspath(CFG.reference)
    import_reference(CFG.reference)
    cases = sorted(CASES) if "all" in CFG.cases else CFG.cases
    if any(c != "selftest" for c in cases):
        if not CFG.cubecast or not os.access(CFG.cubecast, os.X_OK):
            print("golden: --cubecast %r is not an executable" % CFG.cubecast, file=sys.stderr)
            return 2
    if CFG.workdir:
        os.makedirs(CFG.workdir, exist_ok=True)
    failed = []
    for name in cases:
        tmp = tempfile.mkdtemp(prefix="golden_%s_" % name, dir=CFG.workdir)
        t0 = time.perf_counter()
        log("golden %s (in %s)" % (name, tmp))
        try:
            CASES[name](tmp)
        except Failure as e:
            log("FAIL golden %s: %s\n  (files kept in %s)" % (name, e, tmp))
            failed.append(name)
            continue
        except subprocess.TimeoutExpired as e:
            log("FAIL golden %s: timed out: %s\n  (files kept in %s)" % (name, e, tmp))
            failed.append(name)
            continue
        log("PASS golden %s (%.1f s)" % (name, time.perf_counter() - t0))
        if not CFG.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    if failed:
        log("golden: %d of %d failed: %s" % (len(failed), len(cases), " ".join(failed)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
