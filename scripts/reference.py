#!/usr/bin/python3
"""Independent float64 NumPy/SciPy implementation of cubecast's rendering
contract (docs: design.md section 1, docs/cli-spec.md).

This is the yardstick the golden tests measure the C program against, and the
baseline the benchmark times.  It is written from the contract, plainly, in
the spirit of the original Python script: SciPy's interpn (trilinear, on the
grid linspace(-n/2, n/2, n) per axis) samples the rotated camera grid, a
sum-of-Gaussians transfer function on ln(value) gives colour and opacity, and
the slices are composited back to front.  The only departure from the
original is that the camera grid is processed a few depth slices at a time so
memory stays bounded (every sample is computed by exactly the same float64
operations as in the original, so the result is identical).

Usage:
    reference.py render INPUT.h5 [--dataset density] [--frames 10] [--size 180]
                 [--start-deg 0] [--sweep-deg 90] [--range A:B]
                 [--raw OUT.h5] [--png-dir DIR] [--quiet]

Importable:
    transfer(s) -> (r, g, b, a)
    render_frame(V, N, theta_rad) -> (N, N, 3) float64, clipped to [0, 1]
    projection(V) -> (Ny, Nz) float64, ln(mean over x of V)
    frame_angle_deg(start, sweep, F, f), to_levels(img), projection_rgb8(P)
"""

import argparse
import os
import sys
import time

import numpy as np
from scipy.interpolate import interpn

# Samples per interpn call: bounds the working set (about 1 GB of temporaries
# per 10 M samples in SciPy's linear evaluation), far below the whole camera
# grid (N^3 = 5.8 M for N = 180).
CHUNK_SAMPLES = 1 << 20

# (centre, width, weight_r, weight_g, weight_b, weight_a)
GAUSSIANS = (
    (9.0, 1.0, 1.0, 1.0, 0.1, 0.6),
    (3.0, 0.1, 0.1, 1.0, 0.1, 0.1),
    (-3.0, 0.5, 0.1, 0.1, 1.0, 0.01),
)


def transfer(s):
    """Transfer function on s = ln(value): returns (r, g, b, a) arrays."""
    s = np.asarray(s, dtype=np.float64)
    e1 = np.exp(-(s - 9.0) ** 2 / 1.0)
    e2 = np.exp(-(s - 3.0) ** 2 / 0.1)
    e3 = np.exp(-(s + 3.0) ** 2 / 0.5)
    r = 1.0 * e1 + 0.1 * e2 + 0.1 * e3
    g = 1.0 * e1 + 1.0 * e2 + 0.1 * e3
    b = 0.1 * e1 + 0.1 * e2 + 1.0 * e3
    a = 0.6 * e1 + 0.1 * e2 + 0.01 * e3
    return r, g, b, a


def transfer_values(v):
    """Transfer function on interpolated values v; empty samples (v <= 0, NaN,
    infinite, or outside the grid, which interpn reports as NaN) get opacity 0
    and colour 0, so compositing them changes nothing."""
    v = np.asarray(v, dtype=np.float64)
    valid = np.isfinite(v) & (v > 0.0)
    s = np.log(np.where(valid, v, 1.0))
    r, g, b, a = transfer(s)
    zero = 0.0
    return (np.where(valid, r, zero), np.where(valid, g, zero), np.where(valid, b, zero),
            np.where(valid, a, zero))


def grid_points(shape):
    """World coordinates of the voxels along each axis: linspace(-n/2, n/2, n)."""
    return tuple(np.linspace(-n / 2, n / 2, n) for n in shape)


def camera_coords(N):
    return np.linspace(-N / 2, N / 2, N)


def sample_slab(V, points, N, theta, i0, i1):
    """Interpolated values of camera samples (i, j, k), i in [i0, i1): an
    (i1-i0, N, N) array, NaN outside the grid."""
    c = camera_coords(N)
    cos_t = np.cos(theta)
    sin_t = np.sin(theta)
    ci = c[i0:i1][:, None, None]  # qy[i, j, k] = c[i]
    cj = c[None, :, None]         # qx[i, j, k] = c[j]
    ck = c[None, None, :]         # qz[i, j, k] = c[k]
    ni = i1 - i0
    q = np.empty((ni, N, N, 3), dtype=np.float64)
    q[..., 0] = cj
    q[..., 1] = ci * cos_t - ck * sin_t
    q[..., 2] = ci * sin_t + ck * cos_t
    vals = interpn(points, V, q.reshape(-1, 3), method="linear", bounds_error=False,
                   fill_value=np.nan)
    return vals.reshape(ni, N, N)


def render_partial(V, N, theta, i0=0, i1=None, chunk_samples=CHUNK_SAMPLES):
    """Composites depth range [i0, i1) from black: returns (C, T) with C the
    (N, N, 3) unclipped colour and T the (N, N) transmittance prod(1 - a)."""
    if i1 is None:
        i1 = N
    V = np.asarray(V)
    if V.dtype != np.float64:
        V = V.astype(np.float64)
    points = grid_points(V.shape)
    rgb = np.zeros((3, N, N), dtype=np.float64)
    T = np.ones((N, N), dtype=np.float64)
    step = max(1, chunk_samples // (N * N))
    for lo in range(i0, i1, step):
        hi = min(i1, lo + step)
        slab = sample_slab(V, points, N, theta, lo, hi)
        for dataslice in slab:
            r, g, b, a = transfer_values(dataslice)
            rgb[0] = a * r + (1 - a) * rgb[0]
            rgb[1] = a * g + (1 - a) * rgb[1]
            rgb[2] = a * b + (1 - a) * rgb[2]
            T = T * (1 - a)
    return np.stack((rgb[0], rgb[1], rgb[2]), axis=-1), T


def render_frame(V, N, theta_rad, chunk_samples=CHUNK_SAMPLES):
    """One frame: (N, N, 3) float64 in [0, 1]; [j, k] is row j, column k."""
    C, _ = render_partial(V, N, theta_rad, 0, N, chunk_samples)
    return np.clip(C, 0.0, 1.0)


def projection(V):
    """ln(mean over x of V) as float64, shape (Ny, Nz)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(np.mean(np.asarray(V).astype(np.float64), axis=0))


def frame_angle_deg(start_deg, sweep_deg, frames, f):
    return start_deg + sweep_deg * f / frames


def to_levels(img):
    """8-bit levels of a [0, 1] image: floor(255 * x + 0.5)."""
    return np.floor(255.0 * np.clip(img, 0.0, 1.0) + 0.5).astype(np.uint8)


def projection_rgb8(P):
    """Viridis colours of a ln-mean image with colour limits [-5, 5], as
    matplotlib's imshow(..., cmap='viridis', clim=(-5, 5)); NaN is black."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import cm, colors
    with np.errstate(invalid="ignore"):
        rgba = cm.viridis(colors.Normalize(vmin=-5.0, vmax=5.0)(P), bytes=True)
    return np.ascontiguousarray(rgba[..., :3])


def read_volume(path, dataset):
    import h5py
    with h5py.File(path, "r") as f:
        if dataset not in f:
            raise SystemExit("reference.py: error: no dataset '%s' in %s" % (dataset, path))
        dset = f[dataset]
        if dset.ndim != 3:
            raise SystemExit("reference.py: error: dataset '%s' is %d-D, not 3-D"
                             % (dataset, dset.ndim))
        V = np.asarray(dset[...], dtype=np.float64)
    return V


def write_png(path, rgb8):
    from PIL import Image
    tmp = path + ".tmp"
    Image.fromarray(rgb8, mode="RGB").save(tmp, format="PNG")
    os.replace(tmp, path)


def parse_range(text, frames):
    try:
        a, b = text.split(":")
        a, b = int(a), int(b)
    except ValueError:
        raise SystemExit("reference.py: error: --range wants A:B, got '%s'" % text)
    if not (0 <= a < b <= frames):
        raise SystemExit("reference.py: error: --range %s outside 0:%d" % (text, frames))
    return a, b


def cmd_render(args):
    frames = args.frames
    N = args.size
    if frames < 1 or N < 2:
        raise SystemExit("reference.py: error: need --frames >= 1 and --size >= 2")
    a, b = parse_range(args.range, frames) if args.range else (0, frames)
    t0 = time.perf_counter()
    V = read_volume(args.input, args.dataset)
    t_read = time.perf_counter() - t0

    if args.png_dir:
        os.makedirs(args.png_dir, exist_ok=True)
    K = b - a
    out_frames = np.empty((K, N, N, 3), dtype=np.float64) if args.raw else None
    angles = np.empty(K, dtype=np.float64)
    t1 = time.perf_counter()
    for slot, f in enumerate(range(a, b)):
        deg = frame_angle_deg(args.start_deg, args.sweep_deg, frames, f)
        angles[slot] = deg
        if not args.quiet:
            print("Rendering frame %d of %d (%.6g deg)" % (f + 1, frames, deg), file=sys.stderr,
                  flush=True)
        img = render_frame(V, N, np.radians(deg))
        if out_frames is not None:
            out_frames[slot] = img
        if args.png_dir:
            write_png(os.path.join(args.png_dir, "frame_%05d.png" % f), to_levels(img))
    t_render = time.perf_counter() - t1

    P = projection(V)
    if args.png_dir:
        write_png(os.path.join(args.png_dir, "projection.png"), projection_rgb8(P))

    if args.raw:
        import h5py
        tmp = args.raw + ".tmp"
        with h5py.File(tmp, "w") as h:
            h.create_dataset("frames", data=out_frames)
            h.create_dataset("angles", data=angles)
            h.create_dataset("frame_index", data=np.arange(a, b, dtype=np.int32))
            h.create_dataset("projection", data=P)
            h.attrs["size"] = np.int32(N)
            h.attrs["frames"] = np.int32(frames)
            h.attrs["start_deg"] = np.float64(args.start_deg)
            h.attrs["sweep_deg"] = np.float64(args.sweep_deg)
            h.attrs["precision"] = "double"
        os.replace(tmp, args.raw)
    if not args.quiet:
        print("read %.3f s, render %d frames %.3f s (%.3f s/frame)"
              % (t_read, K, t_render, t_render / K), file=sys.stderr)
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(prog="reference.py", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("render", help="render frames like cubecast render, in float64")
    r.add_argument("input")
    r.add_argument("--dataset", default="density")
    r.add_argument("--frames", type=int, default=10)
    r.add_argument("--size", type=int, default=180)
    r.add_argument("--start-deg", type=float, default=0.0)
    r.add_argument("--sweep-deg", type=float, default=90.0)
    r.add_argument("--range", default=None)
    r.add_argument("--raw", default=None)
    r.add_argument("--png-dir", default=None)
    r.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    if args.command == "render":
        return cmd_render(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
