#!/usr/bin/python3
"""Independent float64 NumPy/SciPy implementation of cubecast's rendering
contract (docs: design.md sections 1 and 5, docs/cli-spec.md).

This is the yardstick the golden tests measure the C program against, and the
baseline the benchmark times.  It is written from the contract, plainly, in
the spirit of the original Python script: SciPy's interpn (trilinear, on the
grid linspace(-n/2, n/2, n) per axis) samples the rotated camera grid, a
sum-of-Gaussians transfer function on ln(value) gives colour and opacity, and
the slices are composited back to front.  The only departure from the
original is that the camera grid is processed a few depth slices at a time so
memory stays bounded (with the default camera every sample gets exactly the
same float64 value as in the original, so the result is identical).

Section 5 (camera, transfer functions and outputs), as implemented here:

  Scalar scale (band functions).  log: s = ln(value), a value <= 0, NaN or
  +-inf is empty; linear: s = value, NaN or +-inf is empty.  An empty sample
  has colour 0 and opacity 0 (so does a sample outside the grid).

  Band functions.  rgba = sum over bands, in file order, of
  (r, g, b, a)_b * exp(-(s - centre_b)**2 / width_b), accumulated left to
  right starting with the first band's term; then a = min(a, 1).  Colour is
  not limited.  With the three default bands and log scale every value is
  bitwise that of transfer() / transfer_values().

  ParaView functions (a preset as ParaView exports it: a JSON array whose
  first object has RGBPoints [x, r, g, b, ...] and optionally Points
  [x, alpha, midpoint, sharpness, ...], UseLogScale, ColorSpace, NanColor,
  Name).  The variable is u = value, or u = log10(value) with UseLogScale.
  With UseLogScale the file's x are in data units, exactly as ParaView
  writes them (they must then be > 0), and interpolation runs in log10
  space: each node sits at log10(x) (vtkColorTransferFunction and
  vtkPiecewiseFunction interpolate (log10(v) - log10(x1)) / (log10(x2) -
  log10(x1)); ParaView's vtkSMTransferFunctionProxy normalises log-scale
  points by taking log10 of x).  Empty: NaN; with UseLogScale also value <= 0
  (including -inf).  +-inf otherwise clamps like any value beyond the ends.
  Nodes must be given in non-decreasing x.  For u, the segment is the one
  with x_i <= u < x_{i+1} (upper bound, as vtkPiecewiseFunction::GetTable
  finds it); u below the first node takes the first node's values, u at or
  beyond the last node the last node's (clamping).  Colour: RGB only,
  rgb = (1 - t) * rgb1 + t * rgb2 with t = (u - x1) / (x2 - x1) (VTK's
  RGB interpolation with the default midpoint 0.5 and sharpness 0, for which
  VTK's midpoint step is the identity).  Other colour spaces raise an error.
  Opacity: Points interpolated exactly as VTK's vtkPiecewiseFunction::GetTable
  (see _vtk_piecewise below: midpoint, then sharpness; piecewise linear for
  sharpness < 0.01 -- with midpoint 0.5 that is (1 - t) * y1 + t * y2 --,
  a step for sharpness > 0.99, a Hermite curve in between, clamped to
  [min(y1, y2), max(y1, y2)]).  Without Points opacity is that of the two
  nodes (x_first, 0) and (x_last, 1) of RGBPoints (a linear ramp, clamped).
  A data range A:B maps every node (RGB and opacity) by the affine map that
  takes the RGB span [x_first, x_last] onto [A, B], computed as ParaView
  rescales presets: n = (x - x_first) / (x_last - x_first), x' = n * (B - A)
  + A; under UseLogScale all of it in log10 space (x -> log10 x, A -> log10
  A, B -> log10 B; A, B > 0).

  Camera.  Orbit axis A in {x, y, z} (x the first HDF5 axis), base triple
  (u0, d0, w0) = (ex, ey, ez) / (ey, ez, ex) / (ez, ex, ey) (row, depth,
  column).  Elevation phi (|phi| < 90 degrees): u1 = cos(phi) u0 - sin(phi)
  d0, d1 = sin(phi) u0 + cos(phi) d0, w1 = w0; the frame's angle theta
  rotates them about u0 (Rodrigues, right-handed): u = R u1, d = R d1,
  w = R w1.  R is applied to the coefficients on (u0, d0, w0): the u0
  coefficient stays as it is and (b, c) on (d0, w0) become (b cos - c sin,
  b sin + c cos) -- the same vectors as Rodrigues' formula, except that a
  component that is exactly 0, 1, cos(phi) or sin(phi) stays exactly that
  in float64 (so rows on the grid's last plane stay inside).  Sample
  (i, j, k) sits at p = s * ((c(j) u + c(i) d) + c(k) w), summed in that
  order per component; s = 1 / zoom, or with fit s = D / (N * zoom),
  D = sqrt(sum_a (h_a n_a)^2).  Voxel spacing (hx, hy, hz) in file axis
  order, normalised so the smallest is 1 (h / min h); axis a's voxels sit
  at h_a * linspace(-n_a/2, n_a/2, n_a), interpolated by interpn (linear,
  outside the box empty).  --spacing auto reads the dataset's attribute
  element_size_um, else spacing (three numbers, file axis order), else
  1:1:1.  Compositing as section 1.  With every option at its default the
  positions are section 1's bit for bit (tests/golden's selftest and this
  file's selftest check it).

  Opacity per length.  With an opacity unit L: delta = s * N / (N - 1)
  (s the camera's scale, 1 by default), a' = 1 - (1 - a) ** (delta / L);
  without, a as is.

  Compositing as section 1: rgb = a * colour + (1 - a) * rgb from black over
  i = 0 .. N-1, and T = prod(1 - a) (render_frame_ct gives C unclipped, T).

  Outputs, in this order.  Cc = clip(C, 0, 1) first, always.
    over a background colour bg: clip(Cc + T * bg, 0, 1)  (black: Cc, i.e.
      exactly section 1's frame);
    transparent: alpha = 1 - T, rgb = clip(Cc / alpha, 0, 1) where alpha > 0,
      else 0 (straight colour; rgb * alpha over black gives Cc back);
    8-bit level floor(255 * clip(x) + 0.5), 16-bit level
      floor(65535 * clip(x) + 0.5), on the colour and on alpha alike.
  --raw "frames" is Cc = clip(C, 0, 1) for every background (the picture
  over black, as cubecast writes it: C is kept free of the background for
  analysis), "transmittance" is T; an opaque PNG shows clip(frames + T * bg).

Usage:
    reference.py render INPUT.h5 [--dataset density] [--frames 10] [--size 180]
                 [--start-deg 0] [--sweep-deg 90] [--range A:B]
                 [--tf FILE] [--scale log|linear] [--data-range A:B]
                 [--opacity-unit L] [--background black|white|transparent|#RRGGBB]
                 [--bit-depth 8|16]
                 [--axis x|y|z] [--elevation DEG] [--zoom Z] [--fit]
                 [--spacing HX:HY:HZ|auto]
                 [--raw OUT.h5] [--png-dir DIR] [--quiet]
    reference.py selftest
  (A negative data range needs the = form: --data-range=-1:1.)

Importable:
    transfer(s) -> (r, g, b, a)              the default bands on s = ln(value)
    transfer_values(v) -> (r, g, b, a)       the default function on values
    load_transfer_function(path, scale=None, data_range=None) -> tf
        path None: the default bands (scale may still switch them to linear);
        tf.rgba(values) -> (r, g, b, a) float64 arrays, empties 0
    Camera(axis=0|'x', elevation_deg=0, zoom=1, fit=False, spacing=(1, 1, 1))
        .directions(theta) -> (u, d, w) in file coordinates; .scale(shape, N)
        -> s; .points(shape) -> the grid's world coordinates per axis
    render_frame(V, N, theta_rad, tf=None, opacity_unit=None, camera=None)
        -> (N, N, 3) float64, clipped to [0, 1]
    render_frame_ct(V, N, theta_rad, tf=None, opacity_unit=None, camera=None)
        -> (C unclipped (N, N, 3), T (N, N))
    render_partial(V, N, theta, i0, i1, tf=None, opacity_unit=None, camera=None)
        -> (C, T)
    sample_positions(N, theta, i0, i1, camera, s) -> (i1-i0, N, N, 3) world
    over_background(C, T, bg) -> (N, N, 3);  to_transparent(C, T) -> (rgb, alpha)
    parse_background(text) -> (r, g, b) or None for transparent
    projection(V) -> (Ny, Nz) float64, ln(mean over x of V)
    projection_at_size(V, M, camera=None, frame_size=None) -> (M, M): --projection-size M
    frame_angle_deg(start, sweep, F, f), to_levels(img), to_levels16(img),
    projection_rgb8(P), write_png16(path, levels16)
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


# ------------------------------------------------- section 5: transfer functions

class TransferFunctionError(ValueError):
    """A transfer function file or option the reference cannot use."""


def _number(x, what):
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TransferFunctionError("%s: want a number, got %r" % (what, x))
    x = float(x)
    if not np.isfinite(x):
        raise TransferFunctionError("%s: want a finite number, got %r" % (what, x))
    return x


def _numbers(seq, what):
    if not isinstance(seq, list):
        raise TransferFunctionError("%s: want a list of numbers, got %s"
                                    % (what, type(seq).__name__))
    return [_number(x, "%s[%d]" % (what, i)) for i, x in enumerate(seq)]


class BandTransferFunction:
    """Sum of Gaussian bands on s = ln(value) (scale 'log') or s = value
    (scale 'linear'); see the module docstring."""

    kind = "bands"

    def __init__(self, bands, scale="log"):
        if scale not in ("log", "linear"):
            raise TransferFunctionError("scale must be 'log' or 'linear', got %r" % (scale,))
        if not bands:
            raise TransferFunctionError("a band transfer function needs at least one band")
        self.bands = tuple(tuple(float(x) for x in b) for b in bands)
        for b in self.bands:
            if len(b) != 6:
                raise TransferFunctionError("a band is (centre, width, r, g, b, a)")
            if not b[1] > 0.0:
                raise TransferFunctionError("band width must be > 0, got %r" % b[1])
        self.scale = scale

    def rgba_s(self, s):
        """(r, g, b, a) on the scaled variable s (no empties)."""
        s = np.asarray(s, dtype=np.float64)
        acc = None
        for centre, width, wr, wg, wb, wa in self.bands:
            e = np.exp(-(s - centre) ** 2 / width)
            terms = (wr * e, wg * e, wb * e, wa * e)
            acc = list(terms) if acc is None else [x + t for x, t in zip(acc, terms)]
        r, g, b, a = acc
        return r, g, b, np.minimum(a, 1.0)

    def rgba(self, v):
        """(r, g, b, a) of raw interpolated values; empties get 0."""
        v = np.asarray(v, dtype=np.float64)
        if self.scale == "log":
            valid = np.isfinite(v) & (v > 0.0)
            s = np.log(np.where(valid, v, 1.0))
        else:
            valid = np.isfinite(v)
            s = np.where(valid, v, 0.0)
        r, g, b, a = self.rgba_s(s)
        zero = 0.0
        return (np.where(valid, r, zero), np.where(valid, g, zero), np.where(valid, b, zero),
                np.where(valid, a, zero))


def default_transfer_function(scale="log"):
    return BandTransferFunction(GAUSSIANS, scale)


def _libm_pow(x, y):
    import math
    return np.frompyfunc(math.pow, 2, 1)(x, y).astype(np.float64)


def _vtk_piecewise(X, Y, M, S, u):
    """Value at u of the piecewise function with nodes (X, Y, midpoint M,
    sharpness S), X non-decreasing, exactly as VTK's
    vtkPiecewiseFunction::GetTable evaluates one point (Clamping on, the
    default), written from VTK's source,
    Common/DataModel/vtkPiecewiseFunction.cxx (github.com/Kitware/VTK, read
    at d5345fac00 (2026) and 1c5f6488d8 (pre-9.3)):

      the segment: lower = the last node with X <= u, upper = the next one
        (std::upper_bound); u beyond the last node -> last Y, u before the
        first -> first Y;
      t = (u - x1) / (x2 - x1);  m = min(max(midpoint1, 1e-5), 1 - 1e-5)
        (midpoint and sharpness of the segment's lower node);
      t = 0.5 * t / m if t < m else 0.5 + 0.5 * (t - m) / (1 - m);
      sharpness > 0.99: y1 if t < 0.5 else y2 (piecewise constant);
      sharpness < 0.01: (1 - t) * y1 + t * y2 (piecewise linear);
      otherwise: t = 0.5 * (2 t)^(1 + 10 sharpness) if t < 0.5,
                 t = 1 - 0.5 * (2 (1 - t))^(1 + 10 sharpness) if t > 0.5;
        h1 = 2t^3 - 3t^2 + 1, h2 = -2t^3 + 3t^2, h3 = t^3 - 2t^2 + t,
        h4 = t^3 - t^2, slope = (1 - sharpness) * (y2 - y1),
        y = h1 y1 + h2 y2 + h3 slope + h4 slope, clamped to [min(y1, y2),
        max(y1, y2)].

    Note: since VTK 9.3 (commit c33e9df96b, 2023) the sharpness > 0.99 branch
    sets the step value but no longer skips the Hermite code, which then
    overwrites it (for sharpness 1 a steep smoothstep, not a step).  This
    reference follows the documented behaviour (the class documentation:
    "a sharpness of 1 yields a piecewise constant function"), which VTK
    before 9.3 implements; avoid sharpness > 0.99 where ParaView >= 5.12
    must agree.  For sharpness <= 0.99 both versions are identical."""
    u = np.asarray(u, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    n = X.size
    idx = np.searchsorted(X, u, side="right")  # upper bound
    out = np.empty(u.shape, dtype=np.float64)
    out[idx >= n] = Y[-1]
    out[idx == 0] = Y[0]
    inside = (idx > 0) & (idx < n)
    if not inside.any():
        return out
    hi = idx[inside]
    lo = hi - 1
    Y = np.asarray(Y, dtype=np.float64)
    x1, x2, y1, y2 = X[lo], X[hi], Y[lo], Y[hi]
    mid = np.minimum(np.maximum(np.asarray(M, dtype=np.float64)[lo], 1e-5), 1.0 - 1e-5)
    sharp = np.asarray(S, dtype=np.float64)[lo]
    t = (u[inside] - x1) / (x2 - x1)
    t = np.where(t < mid, 0.5 * t / mid, 0.5 + 0.5 * (t - mid) / (1.0 - mid))
    y = np.empty(t.shape, dtype=np.float64)
    step = sharp > 0.99
    lin = sharp < 0.01
    herm = ~step & ~lin
    y[step] = np.where(t[step] < 0.5, y1[step], y2[step])
    y[lin] = (1 - t[lin]) * y1[lin] + t[lin] * y2[lin]
    if herm.any():
        th, sh, a1, a2 = t[herm], sharp[herm], y1[herm], y2[herm]
        # math.pow is the C library's pow, as in VTK (NumPy's power may be a
        # SIMD implementation that differs in the last bit).
        low = 0.5 * _libm_pow(th * 2, 1.0 + 10 * sh)
        high = 1.0 - 0.5 * _libm_pow((1.0 - th) * 2, 1 + 10 * sh)
        th = np.where(th < 0.5, low, np.where(th > 0.5, high, th))
        ss = th * th
        sss = ss * th
        h1 = 2 * sss - 3 * ss + 1
        h2 = -2 * sss + 3 * ss
        h3 = sss - 2 * ss + th
        h4 = sss - ss
        slope = (1.0 - sh) * (a2 - a1)
        v = h1 * a1 + h2 * a2 + h3 * slope + h4 * slope
        v = np.maximum(v, np.minimum(a1, a2))
        v = np.minimum(v, np.maximum(a1, a2))
        y[herm] = v
    out[inside] = y
    return out


def _vtk_rgb_linear(X, RGB, u):
    """RGB colour at u, vtkColorTransferFunction in ColorSpace RGB with the
    nodes' default midpoint 0.5 and sharpness 0 (ParaView's RGBPoints carry
    neither): (1 - t) * rgb1 + t * rgb2, t = (u - x1) / (x2 - x1), clamped
    outside the nodes.  Segment choice as _vtk_piecewise."""
    u = np.asarray(u, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    RGB = np.asarray(RGB, dtype=np.float64)
    n = X.size
    idx = np.searchsorted(X, u, side="right")
    out = np.empty(u.shape + (3,), dtype=np.float64)
    out[idx >= n] = RGB[-1]
    out[idx == 0] = RGB[0]
    inside = (idx > 0) & (idx < n)
    if inside.any():
        hi = idx[inside]
        lo = hi - 1
        t = ((u[inside] - X[lo]) / (X[hi] - X[lo]))[:, None]
        out[inside] = (1 - t) * RGB[lo] + t * RGB[hi]
    return out[..., 0], out[..., 1], out[..., 2]


class ParaViewTransferFunction:
    """Piecewise-linear colour and opacity read from a ParaView preset export;
    see the module docstring.  Node positions (xs, pxs) are kept in the
    interpolation variable u (log10 of data units under UseLogScale), after
    the data-range map."""

    kind = "paraview"

    def __init__(self, preset, data_range=None):
        if not isinstance(preset, dict):
            raise TransferFunctionError("ParaView preset: want a JSON object")
        if "IndexedColors" in preset and "RGBPoints" not in preset:
            raise TransferFunctionError("ParaView preset: categorical (IndexedColors) colour "
                                        "maps are not supported")
        if "RGBPoints" not in preset:
            raise TransferFunctionError("ParaView preset: no RGBPoints")
        self.name = preset.get("Name", "")
        space = preset.get("ColorSpace", "RGB")
        if space != "RGB":
            raise TransferFunctionError(
                "ParaView preset ColorSpace %r: only \"RGB\" is implemented in the reference "
                "(scripts/reference.py); VTK's other colour spaces (Diverging, Lab, CIELAB, HSV, "
                "Lab/CIEDE2000, Step) are not" % (space,))
        uselog = preset.get("UseLogScale", False)
        if not isinstance(uselog, (bool, int)):
            raise TransferFunctionError("ParaView preset: UseLogScale must be true or false")
        self.log = bool(uselog)
        pts = _numbers(preset["RGBPoints"], "RGBPoints")
        if len(pts) < 4 or len(pts) % 4:
            raise TransferFunctionError("RGBPoints: want x, r, g, b for each of one or more "
                                        "points, got %d numbers" % len(pts))
        P = np.array(pts, dtype=np.float64).reshape(-1, 4)
        opa = None
        if "Points" in preset:
            q = _numbers(preset["Points"], "Points")
            if len(q) < 4 or len(q) % 4:
                raise TransferFunctionError("Points: want x, alpha, midpoint, sharpness for each "
                                            "of one or more points, got %d numbers" % len(q))
            opa = np.array(q, dtype=np.float64).reshape(-1, 4)
            if np.any(opa[:, 1] < 0) or np.any(opa[:, 1] > 1):
                raise TransferFunctionError("Points: opacity outside [0, 1]")
            if np.any(opa[:, 2] < 0) or np.any(opa[:, 2] > 1):
                raise TransferFunctionError("Points: midpoint outside [0, 1]")
            if np.any(opa[:, 3] < 0) or np.any(opa[:, 3] > 1):
                raise TransferFunctionError("Points: sharpness outside [0, 1]")
        for arr, what in ((P, "RGBPoints"), (opa, "Points")):
            if arr is None:
                continue
            if np.any(np.diff(arr[:, 0]) < 0):
                raise TransferFunctionError("%s: x must be non-decreasing" % what)
            if self.log and np.any(arr[:, 0] <= 0):
                raise TransferFunctionError("%s: with UseLogScale the points' x are data values "
                                            "and must be > 0" % what)
        xs = P[:, 0].copy()
        pxs = opa[:, 0].copy() if opa is not None else None
        if self.log:
            xs = np.log10(xs)
            if pxs is not None:
                pxs = np.log10(pxs)
        x0, x1 = xs[0], xs[-1]
        if data_range is not None:
            A, B = (float(data_range[0]), float(data_range[1]))
            if not (np.isfinite(A) and np.isfinite(B) and A < B):
                raise TransferFunctionError("data range %r: want finite A < B" % (data_range,))
            if self.log:
                if A <= 0:
                    raise TransferFunctionError("data range %r: UseLogScale needs A > 0"
                                                % (data_range,))
                A, B = np.log10(A), np.log10(B)
            if not x1 > x0:
                raise TransferFunctionError("a data range needs RGBPoints spanning a non-empty "
                                            "interval")
            span = x1 - x0
            xs = (xs - x0) / span * (B - A) + A
            if pxs is not None:
                pxs = (pxs - x0) / span * (B - A) + A
        self.xs = xs
        self.rgb = P[:, 1:4].copy()
        if opa is None:
            if not xs[-1] > xs[0]:
                raise TransferFunctionError("without Points the opacity ramps from the first to "
                                            "the last RGB point, which need different x")
            self.pxs = np.array([xs[0], xs[-1]])
            self.alpha = np.array([0.0, 1.0])
            self.mid = np.array([0.5, 0.5])
            self.sharp = np.array([0.0, 0.0])
        else:
            self.pxs = pxs
            self.alpha = opa[:, 1].copy()
            self.mid = opa[:, 2].copy()
            self.sharp = opa[:, 3].copy()
        self.scale = "log10" if self.log else "linear"

    def rgba_u(self, u):
        """(r, g, b, a) on the interpolation variable u (no empties; +-inf clamp)."""
        u = np.asarray(u, dtype=np.float64)
        r, g, b = _vtk_rgb_linear(self.xs, self.rgb, u)
        a = _vtk_piecewise(self.pxs, self.alpha, self.mid, self.sharp, u)
        return r, g, b, a

    def rgba(self, v):
        v = np.asarray(v, dtype=np.float64)
        if self.log:
            valid = ~np.isnan(v) & (v > 0.0)
            u = np.log10(np.where(valid, v, 1.0))
        else:
            valid = ~np.isnan(v)
            u = np.where(valid, v, 0.0)
        r, g, b, a = self.rgba_u(u)
        zero = 0.0
        return (np.where(valid, r, zero), np.where(valid, g, zero), np.where(valid, b, zero),
                np.where(valid, a, zero))


def parse_band_json(obj, scale=None):
    if obj.get("cubecast_transfer_function") != 1:
        raise TransferFunctionError("band transfer function: want "
                                    "\"cubecast_transfer_function\": 1")
    file_scale = obj.get("scale", "log")
    if file_scale not in ("log", "linear"):
        raise TransferFunctionError("band transfer function: scale must be \"log\" or \"linear\"")
    bands = obj.get("bands")
    if not isinstance(bands, list) or not bands:
        raise TransferFunctionError("band transfer function: want a non-empty list \"bands\"")
    out = []
    for i, b in enumerate(bands):
        if not isinstance(b, dict) or not {"centre", "width", "rgba"} <= set(b):
            raise TransferFunctionError("bands[%d]: want {\"centre\", \"width\", \"rgba\"}" % i)
        c = _number(b["centre"], "bands[%d].centre" % i)
        w = _number(b["width"], "bands[%d].width" % i)
        rgba = _numbers(b["rgba"], "bands[%d].rgba" % i)
        if len(rgba) != 4:
            raise TransferFunctionError("bands[%d].rgba: want 4 numbers" % i)
        if not w > 0:
            raise TransferFunctionError("bands[%d].width must be > 0" % i)
        if min(rgba) < 0:
            raise TransferFunctionError("bands[%d].rgba: weights must be >= 0" % i)
        out.append((c, w) + tuple(rgba))
    return BandTransferFunction(out, scale if scale is not None else file_scale)


def load_transfer_function(path, scale=None, data_range=None):
    """The transfer function of a file (None: the default bands).  scale
    ('log' | 'linear') overrides a band function's scale; data_range (A, B)
    maps a ParaView function's RGB span onto [A, B].  Either on the other
    kind raises TransferFunctionError."""
    import json
    if path is None:
        if data_range is not None:
            raise TransferFunctionError("a data range applies to ParaView transfer functions only")
        return default_transfer_function(scale if scale is not None else "log")
    with open(path, "r") as f:
        try:
            obj = json.load(f)
        except ValueError as e:
            raise TransferFunctionError("%s: not JSON: %s" % (path, e))
    if isinstance(obj, dict) and "cubecast_transfer_function" in obj:
        if data_range is not None:
            raise TransferFunctionError("a data range applies to ParaView transfer functions only")
        return parse_band_json(obj, scale)
    if isinstance(obj, list):
        if not obj:
            raise TransferFunctionError("%s: empty preset list" % path)
        obj = obj[0]
    if isinstance(obj, dict) and ("RGBPoints" in obj or "IndexedColors" in obj):
        if scale is not None:
            raise TransferFunctionError("--scale applies to band transfer functions; a ParaView "
                                        "preset's scale is its UseLogScale")
        return ParaViewTransferFunction(obj, data_range)
    raise TransferFunctionError("%s: neither a cubecast band transfer function nor a ParaView "
                                "preset" % path)


def correct_opacity(a, N, opacity_unit, scale=1.0):
    """a' = 1 - (1 - a) ** (delta / L), delta = s * N / (N - 1), s the
    camera's scale (world units per camera grid unit: 1 / zoom, or
    D / (N * zoom) with fit; 1 by default)."""
    if opacity_unit is None:
        return a
    delta = scale * N / (N - 1)
    return 1.0 - (1.0 - a) ** (delta / opacity_unit)


def grid_points(shape):
    """World coordinates of the voxels along each axis: linspace(-n/2, n/2, n)
    (spacing 1; Camera.points multiplies axis a by h_a)."""
    return tuple(np.linspace(-n / 2, n / 2, n) for n in shape)


def camera_coords(N):
    return np.linspace(-N / 2, N / 2, N)


# ------------------------------------------------------ section 5: the camera

AXES = {"x": 0, "y": 1, "z": 2}


def normalise_spacing(spacing):
    """(hx, hy, hz) of positive finite numbers -> divided by the smallest, so
    the smallest is exactly 1 (1, 1, 1 stays 1.0, 1.0, 1.0)."""
    h = tuple(float(x) for x in spacing)
    if len(h) != 3 or not all(np.isfinite(x) and x > 0 for x in h):
        raise ValueError("spacing: want three positive finite numbers, got %r" % (spacing,))
    m = min(h)
    return tuple(x / m for x in h)


def rotation_coefficients(elevation_rad, theta):
    """The camera's row, depth and column directions (u, d, w) as
    coefficients on the base triple (u0, d0, w0) of the orbit axis
    (design.md section 5):

      tilt:   u1 = cos(phi) u0 - sin(phi) d0,  d1 = sin(phi) u0 + cos(phi) d0,
              w1 = w0;
      orbit:  R about u0 by theta (Rodrigues).  Since d0 x w0 = u0 (a
              right-handed triple), u0 x d0 = w0 and u0 x w0 = -d0, so for
              v = a u0 + b d0 + c w0,
              R v = a u0 + (b cos - c sin) d0 + (b sin + c cos) w0:
              the u0 coefficient is left alone (it is exactly cos(phi) or
              sin(phi) or 0, never a rounding of them), and only the two
              coefficients perpendicular to u0 turn.

    Returns three tuples of three floats (u, d, w), each (on u0, on d0, on
    w0).  At phi = 0: u = (1, -0 cos, -0 sin), i.e. exactly u0."""
    cp, sp = np.cos(elevation_rad), np.sin(elevation_rad)
    ct, st = np.cos(theta), np.sin(theta)

    def orbit(a, b, c):
        return (a, b * ct - c * st, b * st + c * ct)

    # (the zero terms add exact zeros: u = (cp, -sp ct, -sp st), d = (sp,
    # cp ct, cp st), w = (0, -st, ct) to the last bit)
    return orbit(cp, -sp, 0.0), orbit(sp, cp, 0.0), orbit(0.0, 0.0, 1.0)


class Camera:
    """The user's camera of design.md section 5: orbit axis (0 x, 1 y, 2 z),
    elevation (degrees, |phi| < 90), zoom (> 0), fit, voxel spacing
    (hx, hy, hz) in file axis order (normalised: the smallest is 1).  The
    default Camera() is section 1's camera, bit for bit."""

    def __init__(self, axis=0, elevation_deg=0.0, zoom=1.0, fit=False, spacing=(1.0, 1.0, 1.0)):
        if isinstance(axis, str):
            if axis not in AXES:
                raise ValueError("axis: want x, y or z, got %r" % (axis,))
            axis = AXES[axis]
        if axis not in (0, 1, 2):
            raise ValueError("axis: want 0, 1 or 2, got %r" % (axis,))
        elevation_deg = float(elevation_deg)
        if not (np.isfinite(elevation_deg) and abs(elevation_deg) < 90.0):
            raise ValueError("elevation: want |phi| < 90 degrees, got %r" % (elevation_deg,))
        zoom = float(zoom)
        if not (np.isfinite(zoom) and zoom > 0.0):
            raise ValueError("zoom: want a finite number > 0, got %r" % (zoom,))
        self.axis = axis
        self.elevation_deg = elevation_deg
        self.zoom = zoom
        self.fit = bool(fit)
        self.spacing = normalise_spacing(spacing)

    def is_default(self):
        return (self.axis == 0 and self.elevation_deg == 0.0 and self.zoom == 1.0
                and not self.fit and self.spacing == (1.0, 1.0, 1.0))

    def diagonal(self, shape):
        """D = sqrt(sum_a (h_a n_a)^2), the diagonal of the grid's box."""
        return float(np.sqrt(sum((h * n) ** 2 for h, n in zip(self.spacing, shape))))

    def scale(self, shape, N):
        """s: 1 / zoom, or with fit D / (N * zoom)."""
        if self.fit:
            return self.diagonal(shape) / (N * self.zoom)
        return 1.0 / self.zoom

    def points(self, shape):
        """The voxels' world coordinates per axis: h_a * linspace(-n_a/2,
        n_a/2, n_a)."""
        return tuple(h * g for h, g in zip(self.spacing, grid_points(shape)))

    def directions(self, theta):
        """(u, d, w) in file coordinates (x, y, z): the coefficients of
        rotation_coefficients placed on the base triple (u0, d0, w0) =
        (e_A, e_A+1, e_A+2) (indices mod 3): (ex, ey, ez) for x, (ey, ez, ex)
        for y, (ez, ex, ey) for z."""
        out = []
        for coef in rotation_coefficients(np.radians(self.elevation_deg), theta):
            v = [0.0, 0.0, 0.0]
            for b in range(3):
                v[(self.axis + b) % 3] = coef[b]
            out.append(tuple(v))
        return tuple(out)

    def describe(self):
        return ("axis %s, elevation %r deg, zoom %r%s, spacing %s"
                % ("xyz"[self.axis], self.elevation_deg, self.zoom, ", fit" if self.fit else "",
                   ":".join(repr(h) for h in self.spacing)))


DEFAULT_CAMERA = Camera()


def sample_positions(N, theta, i0, i1, camera=None, scale=1.0):
    """World positions of camera samples (i, j, k), i in [i0, i1): an
    (i1-i0, N, N, 3) array, component a = s * ((c(j) u_a + c(i) d_a) +
    c(k) w_a).  For the default camera this is bitwise section 1's
    (c(j), c(i) cos - c(k) sin, c(i) sin + c(k) cos)."""
    cam = DEFAULT_CAMERA if camera is None else camera
    u, d, w = cam.directions(theta)
    c = camera_coords(N)
    ci = c[i0:i1][:, None, None]  # depth
    cj = c[None, :, None]         # row
    ck = c[None, None, :]         # column
    ni = i1 - i0
    q = np.empty((ni, N, N, 3), dtype=np.float64)
    for a in range(3):
        q[..., a] = scale * ((cj * u[a] + ci * d[a]) + ck * w[a])
    return q


def sample_slab(V, points, N, theta, i0, i1, camera=None, scale=1.0):
    """Interpolated values of camera samples (i, j, k), i in [i0, i1): an
    (i1-i0, N, N) array, NaN outside the grid.  points: the grid's world
    coordinates per axis (Camera.points)."""
    q = sample_positions(N, theta, i0, i1, camera, scale)
    vals = interpn(points, V, q.reshape(-1, 3), method="linear", bounds_error=False,
                   fill_value=np.nan)
    return vals.reshape(i1 - i0, N, N)


def render_partial(V, N, theta, i0=0, i1=None, chunk_samples=CHUNK_SAMPLES, *, tf=None,
                   opacity_unit=None, camera=None):
    """Composites depth range [i0, i1) from black: returns (C, T) with C the
    (N, N, 3) unclipped colour and T the (N, N) transmittance prod(1 - a).
    tf: a transfer function object (load_transfer_function), None for the
    default; opacity_unit: L for the opacity-per-length correction; camera:
    a Camera (None: section 1's)."""
    if opacity_unit is not None and not (np.isfinite(opacity_unit) and opacity_unit > 0):
        raise ValueError("opacity unit must be a finite number > 0, got %r" % (opacity_unit,))
    cam = DEFAULT_CAMERA if camera is None else camera
    if i1 is None:
        i1 = N
    V = np.asarray(V)
    if V.dtype != np.float64:
        V = V.astype(np.float64)
    points = cam.points(V.shape)
    s = cam.scale(V.shape, N)
    rgb = np.zeros((3, N, N), dtype=np.float64)
    T = np.ones((N, N), dtype=np.float64)
    step = max(1, chunk_samples // (N * N))
    for lo in range(i0, i1, step):
        hi = min(i1, lo + step)
        slab = sample_slab(V, points, N, theta, lo, hi, cam, s)
        for dataslice in slab:
            r, g, b, a = transfer_values(dataslice) if tf is None else tf.rgba(dataslice)
            a = correct_opacity(a, N, opacity_unit, s)
            rgb[0] = a * r + (1 - a) * rgb[0]
            rgb[1] = a * g + (1 - a) * rgb[1]
            rgb[2] = a * b + (1 - a) * rgb[2]
            T = T * (1 - a)
    return np.stack((rgb[0], rgb[1], rgb[2]), axis=-1), T


def render_frame(V, N, theta_rad, chunk_samples=CHUNK_SAMPLES, *, tf=None, opacity_unit=None,
                 camera=None):
    """One frame: (N, N, 3) float64 in [0, 1]; [j, k] is row j, column k."""
    C, _ = render_partial(V, N, theta_rad, 0, N, chunk_samples, tf=tf,
                          opacity_unit=opacity_unit, camera=camera)
    return np.clip(C, 0.0, 1.0)


def render_frame_ct(V, N, theta_rad, chunk_samples=CHUNK_SAMPLES, *, tf=None, opacity_unit=None,
                    camera=None):
    """One frame as a partial image of all depths: (C unclipped (N, N, 3),
    T (N, N))."""
    return render_partial(V, N, theta_rad, 0, N, chunk_samples, tf=tf, opacity_unit=opacity_unit,
                          camera=camera)


def over_background(C, T, bg):
    """The picture over an opaque background colour bg = (r, g, b) in [0, 1]:
    clip(clip(C) + T * bg).  bg black gives clip(C) bitwise."""
    Cc = np.clip(np.asarray(C, dtype=np.float64), 0.0, 1.0)
    bg = np.asarray(bg, dtype=np.float64).reshape(3)
    return np.clip(Cc + np.asarray(T, dtype=np.float64)[..., None] * bg, 0.0, 1.0)


def to_transparent(C, T):
    """Straight (unassociated) colour and alpha: alpha = 1 - T (in [0, 1]),
    rgb = clip(clip(C) / alpha) where alpha > 0, else 0."""
    Cc = np.clip(np.asarray(C, dtype=np.float64), 0.0, 1.0)
    alpha = np.clip(1.0 - np.asarray(T, dtype=np.float64), 0.0, 1.0)
    pos = alpha > 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        rgb = np.where(pos[..., None], Cc / np.where(pos, alpha, 1.0)[..., None], 0.0)
    return np.clip(rgb, 0.0, 1.0), alpha


def parse_background(text):
    """'black' | 'white' | '#RRGGBB' -> (r, g, b) floats (level / 255);
    'transparent' -> None."""
    t = text.strip().lower()
    if t == "black":
        return (0.0, 0.0, 0.0)
    if t == "white":
        return (1.0, 1.0, 1.0)
    if t == "transparent":
        return None
    if len(t) == 7 and t[0] == "#" and all(c in "0123456789abcdef" for c in t[1:]):
        return tuple(int(t[i:i + 2], 16) / 255.0 for i in (1, 3, 5))
    raise ValueError("background must be black, white, transparent or #RRGGBB, got %r" % text)


def projection(V):
    """ln(mean over x of V) as float64, shape (Ny, Nz)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(np.mean(np.asarray(V).astype(np.float64), axis=0))


def projection_at_size(V, M, camera=None, frame_size=None):
    """The projection at M x M pixels (--projection-size M) over the frames'
    field of view, sampled as the frames sample the volume: the mean over
    x (float64), interpolated by interpn (linear) at pixel (j, k) = world
    (y, z) = s_M * (c_M(j), c_M(k)), NaN outside the grid; then ln.  s_M =
    s * (N / M), with s the camera's scale for frames of N = frame_size
    (default M) pixels, so the picture spans what a frame spans, N * s
    world units.  Rows y, columns z, as the Ny x Nz projection."""
    cam = DEFAULT_CAMERA if camera is None else camera
    N = M if frame_size is None else frame_size
    V = np.asarray(V)
    mean = np.mean(V.astype(np.float64), axis=0)
    points = cam.points(V.shape)
    c = (cam.scale(V.shape, N) * (N / M)) * camera_coords(M)
    q = np.stack(np.meshgrid(c, c, indexing="ij"), axis=-1).reshape(-1, 2)
    m = interpn((points[1], points[2]), mean, q, method="linear", bounds_error=False,
                fill_value=np.nan).reshape(M, M)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(m)


def frame_angle_deg(start_deg, sweep_deg, frames, f):
    return start_deg + sweep_deg * f / frames


def to_levels(img):
    """8-bit levels of a [0, 1] image: floor(255 * x + 0.5)."""
    return np.floor(255.0 * np.clip(img, 0.0, 1.0) + 0.5).astype(np.uint8)


def to_levels16(img):
    """16-bit levels of a [0, 1] image: floor(65535 * x + 0.5)."""
    return np.floor(65535.0 * np.clip(img, 0.0, 1.0) + 0.5).astype(np.uint16)


def png16_bytes(levels):
    """A 16-bit PNG (RGB for (H, W, 3), RGBA for (H, W, 4) uint16 levels),
    written by hand after the PNG specification (ISO/IEC 15948): signature,
    IHDR (bit depth 16, colour type 2 or 6, no interlace), one IDAT holding
    the zlib stream of rows each led by filter byte 0 with big-endian
    samples, IEND; each chunk length, type, data, CRC-32 of type + data."""
    import struct
    import zlib
    lv = np.asarray(levels)
    if lv.dtype != np.uint16 or lv.ndim != 3 or lv.shape[2] not in (3, 4):
        raise ValueError("png16: want (H, W, 3|4) uint16 levels")
    h, w, ch = lv.shape
    rows = lv.astype(">u2").reshape(h, w * ch).view(np.uint8).reshape(h, w * ch * 2)
    raw = np.concatenate([np.zeros((h, 1), np.uint8), rows], axis=1).tobytes()

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))

    ihdr = struct.pack(">IIBBBBB", w, h, 16, 2 if ch == 3 else 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 6))
            + chunk(b"IEND", b""))


def read_png16(path_or_bytes):
    """Decodes what png16_bytes writes (filter 0 only): (H, W, C) uint16."""
    import struct
    import zlib
    data = path_or_bytes
    if not isinstance(data, (bytes, bytearray)):
        with open(path_or_bytes, "rb") as f:
            data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert crc == zlib.crc32(kind + body) & 0xffffffff, "bad CRC"
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype = hdr[0], hdr[1], hdr[2], hdr[3]
    assert depth == 16 and ctype in (2, 6)
    ch = 3 if ctype == 2 else 4
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + w * ch * 2)
    assert not raw[:, 0].any(), "filtered rows not supported"
    return raw[:, 1:].copy().view(">u2").astype(np.uint16).reshape(h, w, ch)


def write_png16(path, levels):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(png16_bytes(levels))
    os.replace(tmp, path)


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


def write_png(path, rgb8, mode="RGB"):
    """8-bit PNG through PIL: mode "RGB" (H, W, 3) or "RGBA" (H, W, 4) uint8."""
    from PIL import Image
    tmp = path + ".tmp"
    Image.fromarray(rgb8, mode=mode).save(tmp, format="PNG")
    os.replace(tmp, path)


def parse_data_range(text):
    """'A:B' (numbers) -> (A, B)."""
    try:
        a, b = text.split(":")
        a, b = float(a), float(b)
    except ValueError:
        raise SystemExit("reference.py: error: --data-range wants A:B (numbers), got '%s'" % text)
    if not (np.isfinite(a) and np.isfinite(b) and a < b):
        raise SystemExit("reference.py: error: --data-range %s: want finite A < B" % text)
    return a, b


def frame_outputs(C, T, bg, bit_depth):
    """(--raw "frames" = clip(C, 0, 1) whatever the background, PNG levels,
    PNG mode) of one frame."""
    if bg is None:
        rgb, alpha = to_transparent(C, T)
        img = np.concatenate((rgb, alpha[..., None]), axis=-1)
        mode = "RGBA"
    else:
        img = over_background(C, T, bg)
        mode = "RGB"
    levels = to_levels(img) if bit_depth == 8 else to_levels16(img)
    return np.clip(C, 0.0, 1.0), levels, mode


def parse_spacing(text):
    """'HX:HY:HZ' (positive numbers, file axis order) -> normalised (hx, hy, hz)."""
    try:
        h = tuple(float(x) for x in text.split(":"))
        return normalise_spacing(h)
    except ValueError:
        raise SystemExit("reference.py: error: --spacing wants HX:HY:HZ (positive numbers) or "
                         "auto, got '%s'" % text)


def read_spacing(path, dataset):
    """--spacing auto: the dataset's attribute element_size_um (ImageJ) or
    else spacing, three positive numbers in file axis order, normalised;
    (1, 1, 1) when it has neither.  Returns (spacing, attribute name or None)."""
    import h5py
    with h5py.File(path, "r") as f:
        attrs = f[dataset].attrs
        for name in ("element_size_um", "spacing"):
            if name in attrs:
                value = np.asarray(attrs[name], dtype=np.float64).reshape(-1)
                try:
                    return normalise_spacing(value), name
                except ValueError:
                    raise SystemExit("reference.py: error: attribute %s of %s: want three "
                                     "positive numbers, got %r" % (name, dataset, value.tolist()))
    return (1.0, 1.0, 1.0), None


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
    try:
        bg = parse_background(args.background)
    except ValueError as e:
        raise SystemExit("reference.py: error: %s" % e)
    if args.opacity_unit is not None and not (np.isfinite(args.opacity_unit)
                                              and args.opacity_unit > 0):
        raise SystemExit("reference.py: error: --opacity-unit must be > 0")
    drange = parse_data_range(args.data_range) if args.data_range else None
    tf = None
    if args.tf is not None or args.scale is not None or drange is not None:
        try:
            tf = load_transfer_function(args.tf, scale=args.scale, data_range=drange)
        except (TransferFunctionError, OSError) as e:
            raise SystemExit("reference.py: error: %s" % e)
    t0 = time.perf_counter()
    V = read_volume(args.input, args.dataset)
    t_read = time.perf_counter() - t0
    if args.spacing == "auto":
        spacing, _ = read_spacing(args.input, args.dataset)
    else:
        spacing = parse_spacing(args.spacing)
    try:
        camera = Camera(args.axis, args.elevation, args.zoom, args.fit, spacing)
    except ValueError as e:
        raise SystemExit("reference.py: error: %s" % e)

    if args.png_dir:
        os.makedirs(args.png_dir, exist_ok=True)
    K = b - a
    out_frames = np.empty((K, N, N, 3), dtype=np.float64) if args.raw else None
    out_T = np.empty((K, N, N), dtype=np.float64) if args.raw else None
    angles = np.empty(K, dtype=np.float64)
    t1 = time.perf_counter()
    for slot, f in enumerate(range(a, b)):
        deg = frame_angle_deg(args.start_deg, args.sweep_deg, frames, f)
        angles[slot] = deg
        if not args.quiet:
            print("Rendering frame %d of %d (%.6g deg)" % (f + 1, frames, deg), file=sys.stderr,
                  flush=True)
        C, T = render_frame_ct(V, N, np.radians(deg), tf=tf, opacity_unit=args.opacity_unit,
                               camera=camera)
        shown, levels, mode = frame_outputs(C, T, bg, args.bit_depth)
        if out_frames is not None:
            out_frames[slot] = shown
            out_T[slot] = T
        if args.png_dir:
            path = os.path.join(args.png_dir, "frame_%05d.png" % f)
            if args.bit_depth == 8:
                write_png(path, levels, mode)
            else:
                write_png16(path, levels)
    t_render = time.perf_counter() - t1

    P = projection(V)
    if args.png_dir:
        shown = P if args.projection_size is None else projection_at_size(
            V, args.projection_size, camera, N)
        write_png(os.path.join(args.png_dir, "projection.png"), projection_rgb8(shown))

    if args.raw:
        import h5py
        tmp = args.raw + ".tmp"
        with h5py.File(tmp, "w") as h:
            h.create_dataset("frames", data=out_frames)
            h.create_dataset("transmittance", data=out_T)
            h.create_dataset("angles", data=angles)
            h.create_dataset("frame_index", data=np.arange(a, b, dtype=np.int32))
            h.create_dataset("projection", data=P)
            h.attrs["size"] = np.int32(N)
            h.attrs["frames"] = np.int32(frames)
            h.attrs["start_deg"] = np.float64(args.start_deg)
            h.attrs["sweep_deg"] = np.float64(args.sweep_deg)
            h.attrs["precision"] = "double"
            if not camera.is_default():
                h.attrs["axis"] = "xyz"[camera.axis]
                h.attrs["elevation_deg"] = np.float64(camera.elevation_deg)
                h.attrs["zoom"] = np.float64(camera.zoom)
                h.attrs["fit"] = np.int32(camera.fit)
                h.attrs["spacing"] = np.array(camera.spacing, dtype=np.float64)
                h.attrs["scale"] = np.float64(camera.scale(V.shape, N))
        os.replace(tmp, args.raw)
    if not args.quiet:
        print("read %.3f s, render %d frames %.3f s (%.3f s/frame)"
              % (t_read, K, t_render, t_render / K), file=sys.stderr)
    return 0


def selftest():
    """Quick checks of the section-5 pieces against values derived by hand
    (a few seconds; tiny volumes).  Returns 0, or raises AssertionError."""
    import json
    import shutil
    import tempfile
    here = os.path.dirname(os.path.abspath(__file__))
    data = os.path.join(os.path.dirname(here), "tests", "golden", "data")
    tmp = tempfile.mkdtemp(prefix="reference_selftest_")
    n_ok = [0]

    def ok(cond, msg):
        assert cond, "selftest: " + msg
        n_ok[0] += 1

    def close(x, want, tol=1e-15):
        return np.allclose(np.asarray(x, float), np.asarray(want, float), rtol=0.0, atol=tol)

    def preset(obj, name="pv.json"):
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            json.dump([obj] if isinstance(obj, dict) and "RGBPoints" in obj else obj, f)
        return path

    try:
        rng = np.random.default_rng(1)
        s = np.concatenate([np.linspace(-8.0, 14.0, 2001), rng.normal(3.0, 4.0, 500)])
        v = np.concatenate([np.exp(s), [0.0, -1.0, np.nan, np.inf, -np.inf, 1e-320, 1e308]])

        # 1. default bands, as an object and as a file: bitwise transfer()
        d = default_transfer_function()
        ok(all(np.array_equal(x, y) for x, y in zip(d.rgba_s(s), transfer(s))),
           "default bands on s differ from transfer()")
        ok(all(np.array_equal(x, y) for x, y in zip(d.rgba(v), transfer_values(v))),
           "default bands on values differ from transfer_values()")
        bands = {"cubecast_transfer_function": 1, "scale": "log",
                 "bands": [{"centre": c, "width": w, "rgba": [r, g, b, a]}
                           for c, w, r, g, b, a in GAUSSIANS]}
        bpath = preset(bands, "default_bands.json")
        fb = load_transfer_function(bpath)
        ok(all(np.array_equal(x, y) for x, y in zip(fb.rgba(v), transfer_values(v))),
           "a file of the default bands differs from transfer_values()")
        ok(load_transfer_function(None, scale="log").kind == "bands", "default kind")

        # 2. linear scale: negatives valid, NaN/inf empty; spot value by hand
        lin = load_transfer_function(bpath, scale="linear")
        r, g, b, a = lin.rgba(np.array([-3.0, 3.0, np.nan, np.inf, -np.inf]))
        e = lambda dd, w: np.exp(-dd * dd / w)
        ok(close(a[:2], [0.6 * e(12, 1) + 0.1 * e(6, .1) + 0.01,
                         0.6 * e(6, 1) + 0.1 + 0.01 * e(6, .5)]), "linear scale spot values")
        ok(not np.any(np.array([r, g, b, a])[:, 2:]), "linear scale: NaN/inf not empty")
        # a = min(a, 1), colour unlimited
        big = BandTransferFunction([(0.0, 1.0, 2.0, 0.0, 0.0, 3.0)], "linear")
        r, g, b, a = big.rgba(np.array([0.0, 1.0]))
        ok(a[0] == 1.0 and a[1] == 1.0 and r[0] == 2.0 and close(r[1], 2.0 * np.exp(-1.0)),
           "a = min(a, 1), colour not limited")

        # 3. ParaView: two points, linear interpolation, ramp opacity, clamping
        two = {"ColorSpace": "RGB", "Name": "two", "NanColor": [1, 1, 0],
               "RGBPoints": [0, 0, 0, 0, 10, 1, 0.5, 0.2]}
        t2 = load_transfer_function(preset(two))
        u = np.array([2.5, 5.0, 7.5, 0.0, 10.0, -5.0, 50.0, -np.inf, np.inf, np.nan])
        r, g, b, a = t2.rgba(u)
        ok(close(r, [.25, .5, .75, 0, 1, 0, 1, 0, 1, 0]), "two-point red")
        ok(close(g, [.125, .25, .375, 0, .5, 0, .5, 0, .5, 0]), "two-point green")
        ok(close(b, [.05, .1, .15, 0, .2, 0, .2, 0, .2, 0]), "two-point blue")
        ok(close(a, [.25, .5, .75, 0, 1, 0, 1, 0, 1, 0]), "two-point opacity ramp / clamping")
        # with Points: linear (midpoint 0.5, sharpness 0) and clamping of both
        two_p = dict(two, Points=[2, 0.1, 0.5, 0, 6, 0.5, 0.5, 0])
        t2p = load_transfer_function(preset(two_p))
        ok(close(t2p.rgba(np.array([0.0, 3.0, 4.0, 5.0, 6.0, 9.0]))[3],
                 [0.1, 0.2, 0.3, 0.4, 0.5, 0.5]), "two Points linear + clamping")

        # 4. UseLogScale: x in data units, interpolation in log10
        lg = dict(two, UseLogScale=True, RGBPoints=[1, 0, 0, 0, 100, 1, 0.5, 0.2])
        tl = load_transfer_function(preset(lg))
        r, g, b, a = tl.rgba(np.array([10.0, np.sqrt(10.0), 1e-3, 1e9, np.inf, 0.0, -1.0,
                                       -np.inf, np.nan]))
        ok(close(r, [.5, .25, 0, 1, 1, 0, 0, 0, 0], 2e-16), "UseLogScale colour")
        ok(close(a, [.5, .25, 0, 1, 1, 0, 0, 0, 0], 2e-16), "UseLogScale opacity / empties")

        # 5. data range: the RGB span onto [A, B], the opacity points alike
        tr = load_transfer_function(preset(two_p), data_range=(100.0, 200.0))
        r, g, b, a = tr.rgba(np.array([150.0, 120.0, 130.0, 160.0, 99.0, 201.0]))
        ok(close(r, [.5, .2, .3, .6, 0, 1]), "data range colour")
        ok(close(a, [.4, .1, .2, .5, .1, .5], 1e-15), "data range opacity points")
        trl = load_transfer_function(preset(lg), data_range=(10.0, 1000.0))
        ok(close(trl.rgba(np.array([100.0, 10.0 ** 1.5, 5.0, 5e3]))[0], [.5, .25, 0, 1], 1e-15),
           "data range under UseLogScale")

        # 6. midpoint / sharpness, values worked out by hand from VTK's formula
        q = 8383.0 / 2097152.0  # t -> 1/128 (sharpness 0.5), Hermite with slope 0.5
        pw = _vtk_piecewise
        ok(close(pw([0, 1], [0, 1], [.5, .5], [.5, 0], np.array([.25, .5, .75, 0, 1])),
                 [q, .5, 1 - q, 0, 1]), "sharpness 0.5 (midpoint 0.5)")
        ok(close(pw([0, 1], [0, 1], [.25, .5], [.5, 0], np.array([.125])), [q]),
           "midpoint 0.25 + sharpness 0.5")
        ok(close(pw([0, 2], [.2, 1], [.25, .5], [0, 0], np.array([.25, .5, 1.0, 2.0, 3.0])),
                 [.4, .6, .2 / 3 + 2 / 3, 1, 1]), "midpoint 0.25, sharpness 0")
        ok(close(pw([0, 1], [.1, .9], [.4, .5], [1, 0], np.array([.39, .4, .41, -1])),
                 [.1, .9, .9, .1]), "sharpness 1 (step at the midpoint)")
        ok(close(pw([0, 1], [.1, .9], [0, .5], [0, 0], np.array([0.5])),
                 [.1 + .8 * (0.5 + 0.5 * (0.5 - 1e-5) / (1 - 1e-5))], 1e-15),
           "midpoint 0 clamped to 1e-5")
        ok(close(pw([0, 1, 1, 2], [0, .2, .8, 1], [.5] * 4, [0] * 4,
                    np.array([.5, 1.0, 1.5])), [.1, .8, .9]), "duplicate x: upper bound")

        # 7. opacity per length
        aa = np.linspace(0.0, 1.0, 101)
        for N in (2, 7, 180):
            delta = N / (N - 1)
            ok(close(correct_opacity(aa, N, delta), aa, 2.3e-16), "L = delta leaves a unchanged")
            ok(close(correct_opacity(aa, N, 2 * delta), 1 - np.sqrt(1 - aa), 1e-15),
               "L = 2 delta: 1 - sqrt(1 - a)")
        ok(correct_opacity(aa, 5, None) is aa, "no opacity unit: a as is")

        # 8. rendering: default paths bitwise; partial images combine with a tf
        gx, gy, gz = np.meshgrid(*[np.linspace(-1.0, 1.0, 11)] * 3, indexing="ij")
        ln = -3.0 + 12.0 * np.exp(-(gx ** 2 + (gy - 0.2) ** 2 + gz ** 2) / 0.3)
        V = np.exp(ln + 0.2 * rng.standard_normal(ln.shape))
        N, th = 12, np.radians(31.0)
        F0 = render_frame(V, N, th)
        C, T = render_frame_ct(V, N, th)
        ok(np.array_equal(over_background(C, T, (0, 0, 0)), F0), "black background != frame")
        ok(np.array_equal(render_frame(V, N, th, tf=fb), F0), "band-file frame != default frame")
        ok(np.array_equal(render_frame(V, N, th, tf=d, opacity_unit=None), F0),
           "default-object frame != default frame")
        tfp = load_transfer_function(os.path.join(data, "paraview_sharp.json"),
                                     data_range=(0.0, 40.0))
        Cf, Tf = render_partial(V, N, th, 0, 5, tf=tfp, opacity_unit=0.7)
        Cn, Tn = render_partial(V, N, th, 5, N, tf=tfp, opacity_unit=0.7)
        Ca, Ta = render_frame_ct(V, N, th, tf=tfp, opacity_unit=0.7)
        ok(close(Cn + Tn[..., None] * Cf, Ca, 1e-14) and close(Tn * Tf, Ta, 1e-14),
           "partial images with a tf do not combine")
        ok(Ta.min() < 0.9 and Ca.max() > 0.05, "paraview_sharp picture nearly empty")

        # 9. outputs
        Cw = over_background(C, T, (1.0, 1.0, 1.0))
        ok(close(Cw, np.clip(np.clip(C, 0, 1) + T[..., None], 0, 1), 0.0), "white background")
        rgb, alpha = to_transparent(C, T)
        ok(close(alpha, 1 - T, 0.0), "alpha = 1 - T")
        sel = np.all(np.clip(C, 0, 1) <= alpha[..., None], axis=-1)
        ok(close((rgb * alpha[..., None])[sel], np.clip(C, 0, 1)[sel], 1e-15),
           "straight colour times alpha != C")
        r0, a0 = to_transparent(np.zeros((1, 1, 3)), np.ones((1, 1)))
        ok(a0[0, 0] == 0 and not r0.any(), "alpha 0 -> colour 0")
        ok(np.array_equal(to_levels16(np.array([0.0, 1.0, 0.5, 1.5, -1, 1 / 65535 * 0.5])),
                          [0, 65535, 32768, 65535, 0, 1]), "16-bit levels")
        ok(np.array_equal(to_levels(np.array([0.5, 1 / 510])), [128, 1]), "8-bit levels")
        for ch in (3, 4):
            lv = rng.integers(0, 65536, size=(5, 7, ch)).astype(np.uint16)
            path = os.path.join(tmp, "p%d.png" % ch)
            write_png16(path, lv)
            ok(np.array_equal(read_png16(path), lv), "16-bit PNG round trip")
            from PIL import Image
            with Image.open(path) as im:
                im.load()
                ok(im.size == (7, 5) and im.mode in ("RGB", "RGBA"), "PIL reads the 16-bit PNG")

        # 10. the example files
        kinds = {"bands5.json": ("bands", "log"), "bands_linear.json": ("bands", "linear"),
                 "paraview_rgb.json": ("paraview", "linear"),
                 "paraview_log.json": ("paraview", "log10"),
                 "paraview_sharp.json": ("paraview", "linear")}
        for name, (kind, scale) in kinds.items():
            t = load_transfer_function(os.path.join(data, name))
            ok((t.kind, t.scale) == (kind, scale), "%s is %s/%s" % (name, t.kind, t.scale))
        b5 = load_transfer_function(os.path.join(data, "bands5.json"))
        ok(len(b5.bands) == 5 and min(x[0] for x in b5.bands) == -4.0
           and max(x[0] for x in b5.bands) == 10.0, "bands5 spread over ln -4..10")
        pr = load_transfer_function(os.path.join(data, "paraview_rgb.json"))
        ok(close(pr.rgba(np.array([4.0, 8.0, 12.0, 30.0]))[3], [.02, .02 + .33 / 2, .35, .9],
                 1e-15), "paraview_rgb opacity")
        pl = load_transfer_function(os.path.join(data, "paraview_log.json"))
        ok(close(pl.rgba(np.array([1.0, 100.0]))[3],
                 [2 / (np.log10(20000) + 2), 4 / (np.log10(20000) + 2)], 1e-15),
           "paraview_log opacity ramp")
        try:
            load_transfer_function(preset(dict(two, ColorSpace="Diverging")))
            ok(False, "Diverging accepted")
        except TransferFunctionError as e:
            ok("only \"RGB\" is implemented" in str(e), "Diverging error message")

        # 11. the command line: default bitwise as before; options end to end
        import h5py
        inp = os.path.join(tmp, "v.h5")
        with h5py.File(inp, "w") as h:
            h.create_dataset("density", data=V)
        raw0, raw1 = os.path.join(tmp, "r0.h5"), os.path.join(tmp, "r1.h5")
        png0, png1 = os.path.join(tmp, "png0"), os.path.join(tmp, "png1")
        main(["render", inp, "--frames", "2", "--size", str(N), "--start-deg", "31",
              "--raw", raw0, "--png-dir", png0, "--quiet"])
        with h5py.File(raw0, "r") as h:
            ok(np.array_equal(h["frames"][0], F0), "CLI default frame")
            ok(np.array_equal(h["transmittance"][0], T), "CLI transmittance")
        from PIL import Image
        with Image.open(os.path.join(png0, "frame_00000.png")) as im:
            ok(im.mode == "RGB" and np.array_equal(np.asarray(im), to_levels(F0)), "CLI PNG")
        main(["render", inp, "--frames", "2", "--size", str(N), "--start-deg", "31",
              "--tf", os.path.join(data, "paraview_sharp.json"), "--data-range", "0:40",
              "--opacity-unit", "0.7", "--background", "#ff8000", "--bit-depth", "16",
              "--raw", raw1, "--png-dir", png1, "--quiet"])
        bg = (1.0, 128 / 255, 0.0)
        with h5py.File(raw1, "r") as h:
            ok(np.array_equal(h["frames"][0], np.clip(Ca, 0.0, 1.0)),
               "CLI raw frame is clip(C), not the picture over bg")
            ok(np.array_equal(h["transmittance"][0], Ta), "CLI transmittance with tf")
        ok(np.array_equal(read_png16(os.path.join(png1, "frame_00000.png")),
                          to_levels16(over_background(Ca, Ta, bg))), "CLI 16-bit PNG")
        png2 = os.path.join(tmp, "png2")
        main(["render", inp, "--frames", "2", "--size", str(N), "--start-deg", "31",
              "--tf", os.path.join(data, "paraview_sharp.json"), "--data-range", "0:40",
              "--opacity-unit", "0.7", "--background", "transparent", "--png-dir", png2,
              "--quiet"])
        rgb, alpha = to_transparent(Ca, Ta)
        with Image.open(os.path.join(png2, "frame_00000.png")) as im:
            ok(im.mode == "RGBA" and np.array_equal(
                np.asarray(im), to_levels(np.concatenate((rgb, alpha[..., None]), -1))),
               "CLI transparent PNG")
        # 12. the camera (design.md section 5).  Directions: the design's
        # Rodrigues formula, evaluated plainly with vectors, against the
        # per-coefficient form; the u0 components exact; a right-handed
        # orthonormal frame.
        def rodrigues(axis, phi_deg, theta):
            E = np.eye(3)
            u0, d0, w0 = E[axis], E[(axis + 1) % 3], E[(axis + 2) % 3]
            ph = np.radians(phi_deg)
            u1 = np.cos(ph) * u0 - np.sin(ph) * d0
            d1 = np.sin(ph) * u0 + np.cos(ph) * d0
            w1 = w0

            def rot(v):
                return (v * np.cos(theta) + np.cross(u0, v) * np.sin(theta)
                        + u0 * np.dot(u0, v) * (1.0 - np.cos(theta)))
            return rot(u1), rot(d1), rot(w1)

        worst_dir = 0.0
        for axis in (0, 1, 2):
            for phi in (0.0, 30.0, -20.0, 89.0):
                for deg in (0.0, 17.5, 90.0, 180.0, 217.5, -30.0):
                    th = np.radians(deg)
                    cam = Camera(axis, phi)
                    got = np.array(cam.directions(th))
                    want = np.array(rodrigues(axis, phi, th))
                    worst_dir = max(worst_dir, float(np.abs(got - want).max()))
                    u, dd, w = got
                    ph = np.radians(phi)
                    ok(u[axis] == np.cos(ph) and dd[axis] == np.sin(ph) and w[axis] == 0.0,
                       "u0 components not exactly cos(phi), sin(phi), 0 (axis %d, phi %g, "
                       "theta %g)" % (axis, phi, deg))
                    ok(close(got @ got.T, np.eye(3), 1e-15) and close(np.cross(u, dd), w, 1e-15),
                       "(u, d, w) not a right-handed orthonormal frame")
                    if phi == 0.0:
                        ok(np.array_equal(u, np.eye(3)[axis]), "phi 0: u is not exactly u0")
        ok(worst_dir <= 4e-16, "directions differ from Rodrigues' formula by %.3g" % worst_dir)
        for axis, base in ((0, (0, 1, 2)), (1, (1, 2, 0)), (2, (2, 0, 1))):
            ok(np.array_equal(np.array(Camera(axis).directions(0.0)), np.eye(3)[list(base)]),
               "theta 0, phi 0: (u, d, w) is not the base triple of axis %d" % axis)
        # section 1's positions, bit for bit, from the default camera
        c12 = camera_coords(13)
        th = np.radians(31.0)
        q = sample_positions(13, th, 2, 9)
        ci, cj, ck = c12[2:9, None, None], c12[None, :, None], c12[None, None, :]
        full = lambda x: np.broadcast_to(x, q.shape[:3])
        ok(np.array_equal(q[..., 0], full(cj)) and
           np.array_equal(q[..., 1], full(ci * np.cos(th) - ck * np.sin(th))) and
           np.array_equal(q[..., 2], full(ci * np.sin(th) + ck * np.cos(th))),
           "default camera positions are not section 1's bit for bit")

        # Sampling geometry: a field linear in world coordinates (with
        # spacing) is interpolated exactly, so each sample equals g . p, p
        # from Rodrigues' directions; samples outside the box are empty.
        shp = (9, 12, 15)
        for cam, N, deg in ((Camera("y", 30.0, 1.7, False, (2.0, 3.0, 6.0)), 14, 37.0),
                            (Camera("z", -20.0, 0.6, False, (1.0, 1.5, 3.0)), 11, 200.0),
                            (Camera("x", 10.0, 1.0, True, (1.5, 1.0, 1.25)), 12, -75.0)):
            gvec = np.array([0.3, -1.1, 0.7])
            pts = cam.points(shp)
            ok(all(close(pts[a], cam.spacing[a] * np.linspace(-shp[a] / 2, shp[a] / 2, shp[a]),
                         0.0) for a in range(3)), "grid points are not h_a linspace")
            lin = (gvec[0] * pts[0][:, None, None] + gvec[1] * pts[1][None, :, None]
                   + gvec[2] * pts[2][None, None, :])
            th = np.radians(deg)
            s = cam.scale(shp, N)
            D = np.sqrt(sum((h * n) ** 2 for h, n in zip(cam.spacing, shp)))
            ok(close(s, D / (N * cam.zoom) if cam.fit else 1.0 / cam.zoom, 1e-15), "scale s")
            vals = sample_slab(lin, pts, N, th, 0, N, cam, s)
            u, dd, w = rodrigues(cam.axis, cam.elevation_deg, th)
            cN = camera_coords(N)
            P = s * (cN[None, :, None, None] * u + cN[:, None, None, None] * dd
                     + cN[None, None, :, None] * w)
            half = np.array([h * n / 2 for h, n in zip(cam.spacing, shp)])
            inside = np.all(np.abs(P) < half - 1e-9, axis=-1)
            outside = np.any(np.abs(P) > half + 1e-9, axis=-1)
            ok(inside.sum() > 50 and outside.sum() > 50, "linear field: too few samples in "
               "or out (%d, %d)" % (inside.sum(), outside.sum()))
            ok(close(vals[inside], (P @ gvec)[inside], 1e-12),
               "linear field sampled at the wrong places (%s)" % cam.describe())
            ok(np.all(np.isnan(vals[outside])), "samples outside the box not empty")

        # Orbit axes are cyclic relabellings: axis y on V is axis x on V
        # transposed to (y, z, x) with the spacing permuted; axis z on
        # (z, x, y).
        ax = [np.linspace(-1.0, 1.0, n) for n in shp]
        gx, gy, gz = np.meshgrid(*ax, indexing="ij")
        W = np.exp(-3.0 + 12.0 * np.exp(-((gx - 0.2) ** 2 + (gy + 0.3) ** 2 + gz ** 2) / 0.25)
                   + 5.0 * np.exp(-((gx + 0.4) ** 2 + (gy - 0.3) ** 2 + (gz - 0.4) ** 2) / 0.05)
                   + 0.3 * rng.standard_normal(shp))
        hh = (1.0, 1.5, 3.0)
        worst_ax = 0.0
        th = np.radians(37.0)
        for axis, perm in ((1, (1, 2, 0)), (2, (2, 0, 1))):
            for phi, zoom, fit in ((0.0, 1.0, False), (25.0, 1.3, False), (-20.0, 0.8, True)):
                a = render_frame_ct(W, 14, th, camera=Camera(axis, phi, zoom, fit, hh))
                b = render_frame_ct(W.transpose(perm), 14, th,
                                    camera=Camera(0, phi, zoom, fit, tuple(hh[p] for p in perm)))
                x = render_frame_ct(W, 14, th, camera=Camera(0, phi, zoom, fit, hh))
                e = max(float(np.abs(a[0] - b[0]).max()), float(np.abs(a[1] - b[1]).max()))
                worst_ax = max(worst_ax, e)
                ok(e <= 1e-12, "axis %s on V != axis x on V transposed %s (%.3g)"
                   % ("xyz"[axis], perm, e))
                ok(float(np.abs(a[0] - x[0]).max()) > 1e-3, "axis %s looks like axis x: test "
                   "volume not discriminating" % "xyz"[axis])

        # Zoom scales all three camera directions: zoom 2 at N = 12 is the
        # centre (rows, columns and depths 5..16) of zoom
        # Z' = 2 M (N - 1) / (N (M - 1)) at M = 22, whose camera grid holds it.
        Nz, Mz = 12, 22
        cam2 = Camera("z", -20.0, 2.0, False, hh)
        camM = Camera("z", -20.0, 2.0 * Mz * (Nz - 1) / (Nz * (Mz - 1)), False, hh)
        th = np.radians(53.0)
        a = render_frame_ct(W, Nz, th, camera=cam2)
        b = render_partial(W, Mz, th, 5, 17, camera=camM)
        e = max(float(np.abs(a[0] - b[0][5:17, 5:17]).max()),
                float(np.abs(a[1] - b[1][5:17, 5:17]).max()))
        ok(e <= 1e-12, "zoom 2 at N 12 is not the centre of zoom Z' at M 22 (%.3g)" % e)
        ok(a[1].min() < 0.5 and float(np.abs(a[0] - render_frame_ct(
            W, Nz, th, camera=Camera("z", -20.0, 1.0, False, hh))[0]).max()) > 1e-3,
           "zoom 2 picture empty or like zoom 1")

        # Fit: on a cube it is zoom N / D; the frame's border sees nothing
        # at any angle (the box's diagonal fits), the middle does.
        cube = W[:9, :9, :9]
        Dc = np.sqrt(3.0 * 81.0)
        for zoom in (1.0, 1.25):
            for deg in (0.0, 37.0):
                a = render_frame_ct(cube, 14, np.radians(deg), camera=Camera("x", 15.0, zoom, True))
                b = render_frame_ct(cube, 14, np.radians(deg),
                                    camera=Camera("x", 15.0, 14 * zoom / Dc))
                e = max(float(np.abs(a[0] - b[0]).max()), float(np.abs(a[1] - b[1]).max()))
                ok(e <= 1e-12, "fit on a 9^3 cube is not zoom N / D (%.3g)" % e)
        dense = np.full(shp, np.exp(9.0))
        for axis, phi, deg in ((0, 0.0, 0.0), (1, 30.0, 45.0), (2, -20.0, 123.0),
                               (0, 60.0, 290.0)):
            _, T = render_frame_ct(dense, 16, np.radians(deg),
                                   camera=Camera(axis, phi, 1.0, True, hh))
            border = np.concatenate((T[0], T[-1], T[:, 0], T[:, -1]))
            ok(np.all(border == 1.0) and T.min() < 0.1,
               "fit: border not empty or middle empty (axis %d, phi %g, %g deg)"
               % (axis, phi, deg))

        # Elevation: on a volume symmetric along the orbit axis, +phi is -phi
        # upside down (rows reversed), at any theta; the two differ.
        Wy = W + W[:, ::-1, :]
        for deg in (0.0, 64.0):
            th = np.radians(deg)
            up = render_frame_ct(Wy, 14, th, camera=Camera("y", 30.0, 1.0, False, hh))
            dn = render_frame_ct(Wy, 14, th, camera=Camera("y", -30.0, 1.0, False, hh))
            e = max(float(np.abs(up[0][::-1] - dn[0]).max()),
                    float(np.abs(up[1][::-1] - dn[1]).max()))
            ok(e <= 1e-12, "elevation +30 upside down != elevation -30 (%.3g)" % e)
            ok(float(np.abs(up[0] - dn[0]).max()) > 1e-3,
               "elevation +30 == -30: test volume not discriminating")
        # ... and tilts the view towards the orbit axis: a blob around P0
        # (a bump of opacity under a linear band) shows centred at
        # (P0 . u, P0 . w), rows along u and columns along w of Rodrigues'
        # directions (the opacity-weighted centre of the picture, within
        # 0.3 grid units; a pixel is 1.2).
        hb = (1.0, 1.5, 1.25)
        gs = [h * np.linspace(-n / 2, n / 2, n) for h, n in zip(hb, (13, 13, 13))]
        Gx, Gy, Gz = np.meshgrid(*gs, indexing="ij")
        P0 = np.array([3.1, -4.3, 5.2])
        blob = np.exp(-((Gx - P0[0]) ** 2 + (Gy - P0[1]) ** 2 + (Gz - P0[2]) ** 2) / 8.0)
        bump = BandTransferFunction([(1.0, 0.1, 1.0, 1.0, 1.0, 0.8)], "linear")
        for axis, phi, deg in ((2, 30.0, 50.0), (1, -20.0, 200.0), (0, 45.0, 0.0)):
            cam = Camera(axis, phi, 0.9, False, hb)
            th = np.radians(deg)
            _, T = render_frame_ct(blob, 17, th, tf=bump, camera=cam)
            u, dd, w = rodrigues(axis, phi, th)
            s = cam.scale(blob.shape, 17)
            cN = s * camera_coords(17)
            A = 1.0 - T
            got = ((A.sum(axis=1) @ cN) / A.sum(), (A.sum(axis=0) @ cN) / A.sum())
            want = (P0 @ u, P0 @ w)
            ok(A.max() > 0.5 and max(abs(got[0] - want[0]), abs(got[1] - want[1])) < 0.3,
               "blob at %s shows centred at (row, column) %s, want %s (axis %d, phi %g, theta "
               "%g)" % (P0.tolist(), got, want, axis, phi, deg))

        # Opacity per length with zoom and fit: delta = s N / (N - 1), so
        # L = delta leaves the picture as it is and L = N / (N - 1) does not.
        for cam in (Camera("y", 10.0, 1.7), Camera("x", 0.0, 0.6, True, hh)):
            s = cam.scale(shp, 12)
            th = np.radians(20.0)
            a = render_frame_ct(W, 12, th, camera=cam)
            b = render_frame_ct(W, 12, th, opacity_unit=s * 12 / 11, camera=cam)
            c1 = render_frame_ct(W, 12, th, opacity_unit=12 / 11, camera=cam)
            ok(max(float(np.abs(a[0] - b[0]).max()), float(np.abs(a[1] - b[1]).max())) <= 1e-14,
               "opacity unit L = s N / (N - 1) changes the picture (%s)" % cam.describe())
            ok(float(np.abs(a[1] - c1[1]).max()) > 1e-3, "opacity unit ignores the zoom")

        # Spacing is normalised (the smallest is 1): 2:3:6 is 1:1.5:3.
        c236 = Camera("z", 12.0, 1.1, False, (2.0, 3.0, 6.0))
        ok(c236.spacing == (1.0, 1.5, 3.0), "spacing 2:3:6 normalises to %r" % (c236.spacing,))
        ok(all(np.array_equal(x, y) for x, y in zip(
            render_frame_ct(W, 10, 0.4, camera=c236),
            render_frame_ct(W, 10, 0.4, camera=Camera("z", 12.0, 1.1, False, hh)))),
           "spacing 2:3:6 renders differently from 1:1.5:3")
        for bad in (dict(axis="w"), dict(elevation_deg=90.0), dict(elevation_deg=-95.0),
                    dict(zoom=0.0), dict(zoom=np.inf), dict(spacing=(1.0, 0.0, 1.0)),
                    dict(spacing=(1.0, 2.0))):
            try:
                Camera(**bad)
                ok(False, "Camera(%r) accepted" % (bad,))
            except ValueError:
                ok(True, "")

        # The command line: camera options end to end; --spacing auto reads
        # element_size_um.
        camin = os.path.join(tmp, "cam.h5")
        with h5py.File(camin, "w") as h:
            h.create_dataset("density", data=W).attrs["element_size_um"] = [2.0, 3.0, 6.0]
        copts = ["--frames", "2", "--size", "12", "--start-deg", "10", "--sweep-deg", "90",
                 "--axis", "y", "--elevation", "30", "--zoom", "1.7", "--opacity-unit", "2",
                 "--quiet"]
        raws = {}
        for name, extra in (("given", ["--spacing", "1:1.5:3"]), ("auto", ["--spacing", "auto"]),
                            ("fit", ["--spacing", "1:1.5:3", "--fit"])):
            raws[name] = os.path.join(tmp, "cam_%s.h5" % name)
            main(["render", camin, "--raw", raws[name]] + copts + extra)
        for name in ("given", "auto", "fit"):
            cam = Camera("y", 30.0, 1.7, name == "fit", hh)
            with h5py.File(raws[name], "r") as h:
                for s_, f in enumerate((0, 1)):
                    C, T = render_frame_ct(W, 12, np.radians(10.0 + 45.0 * f),
                                           opacity_unit=2.0, camera=cam)
                    ok(np.array_equal(h["frames"][s_], np.clip(C, 0.0, 1.0)) and
                       np.array_equal(h["transmittance"][s_], T), "CLI camera (%s) frame %d"
                       % (name, f))
                ok(h.attrs["axis"] == "y" and tuple(h.attrs["spacing"]) == hh, "CLI camera attrs")
        ok(read_spacing(inp, "density") == ((1.0, 1.0, 1.0), None), "no spacing attribute: 1:1:1")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("reference.py selftest: %d checks passed" % n_ok[0])
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
    r.add_argument("--projection-size", type=int, default=None, metavar="N",
                   help="projection.png N x N, sampled as the frames (default: Ny x Nz)")
    r.add_argument("--png-dir", default=None)
    r.add_argument("--quiet", action="store_true")
    r.add_argument("--tf", default=None, metavar="FILE",
                   help="transfer function: cubecast band JSON or a ParaView preset export")
    r.add_argument("--scale", choices=("log", "linear"), default=None,
                   help="scalar scale of a band transfer function (overrides the file's)")
    r.add_argument("--data-range", default=None, metavar="A:B",
                   help="map a ParaView function's RGB point span onto [A, B]")
    r.add_argument("--opacity-unit", type=float, default=None, metavar="L",
                   help="opacity per length L (grid units)")
    r.add_argument("--background", default="black",
                   help="black | white | transparent | #RRGGBB (default black)")
    r.add_argument("--bit-depth", type=int, choices=(8, 16), default=8)
    r.add_argument("--axis", choices=("x", "y", "z"), default="x",
                   help="orbit axis (x: the first HDF5 axis; default x)")
    r.add_argument("--elevation", type=float, default=0.0, metavar="DEG",
                   help="tilt towards the orbit axis, |DEG| < 90 (default 0)")
    r.add_argument("--zoom", type=float, default=1.0, metavar="Z", help="zoom > 0 (default 1)")
    r.add_argument("--fit", action="store_true",
                   help="scale so the whole grid box stays in the frame: s = D / (N zoom)")
    r.add_argument("--spacing", default="1:1:1", metavar="HX:HY:HZ|auto",
                   help="voxel spacing in file axis order, or auto (element_size_um or "
                        "spacing attribute of the dataset)")
    sub.add_parser("selftest", help="check the reference's own section-5 pieces (quick)")
    args = p.parse_args(argv)
    if args.command == "render":
        return cmd_render(args)
    if args.command == "selftest":
        return selftest()
    return 2


if __name__ == "__main__":
    sys.exit(main())
