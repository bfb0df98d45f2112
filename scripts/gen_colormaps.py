#!/usr/bin/python3
"""Writes src/colormaps.inc: the colour maps of --colormap as 256-entry RGB
tables of doubles in [0, 1], entry i being the map at t = i/255.

    /usr/bin/python3 scripts/gen_colormaps.py [OUT]     (default src/colormaps.inc)
    /usr/bin/python3 scripts/gen_colormaps.py --check   (compares with src/colormaps.inc)

Where each table comes from:

  viridis, magma, inferno, plasma, cividis
      matplotlib's own listed colours (matplotlib.colormaps[name].colors,
      256 of them, from matplotlib/_cm_listed.py), written with repr() so the
      C compiler reads back the very same doubles.  matplotlib's imshow with
      such a map and the C code (src/colormap.c) then pick the same entry and
      quantise it the same way, so projection.png equals matplotlib's picture.
      Viridis, magma, inferno and plasma are by Stefan van der Walt and
      Nathaniel J. Smith, cividis by Jamie R. Nunez, Christopher R. Anderton
      and Ryan S. Renslow; all are CC0.

  grey
      linear: entry i is exactly i/255 in each channel (0 black, 1 white).
      matplotlib's "gray" is the same ramp up to the last bit, but its
      entries computed as 0.999..*level quantise one level low in places.

  Cool to Warm
      ParaView's default diverging map, from ParaView's preset
      (Remoting/Views/ColorMaps.json, "Name": "Cool to Warm"):
          "ColorSpace": "Diverging",
          "RGBPoints": [0,   0.23137254902, 0.298039215686, 0.752941176471,
                        0.5, 0.865, 0.865, 0.865,
                        1,   0.705882352941, 0.0156862745098, 0.149019607843]
      evaluated as VTK's vtkColorTransferFunction evaluates it
      (Rendering/Core/vtkColorTransferFunction.cxx: GetTable, the
      "sharpness < 0.01" branch, vtkColorTransferFunctionInterpolateDiverging
      and its Msh helpers; Common/Core/vtkMath.cxx: RGBToLab, LabToRGB with
      D65 white (0.9505, 1.000, 1.089) and the sRGB curve).  The diverging
      interpolation is Kenneth Moreland's: "Diverging Color Maps for
      Scientific Visualization", Advances in Visual Computing (ISVC 2009),
      LNCS 5876, pp. 92-103, doi:10.1007/978-3-642-10520-3_9: colours are
      interpolated linearly in Msh, the polar form of CIELAB (M = |Lab|,
      s = acos(L/M), h = atan2(b, a)); a saturated end meeting an
      unsaturated one takes the hue spin of the paper's section 4 (VTK's
      AdjustHue), and two distinct saturated ends get a white midpoint with
      M = max(M1, M2, 88).  The preset's grey middle point (0.865 = the
      paper's white, M ~ 88) makes each half a saturated-to-unsaturated
      segment.  The paper's own endpoints (0.230, 0.299, 0.754) and
      (0.706, 0.016, 0.150) are 59/255, 76/255, 192/255 and 180/255, 4/255,
      38/255 rounded; ParaView stores the n/255 values, used here.

Every table is sampled at t = i/255, as matplotlib samples its colour maps
(and as VTK's GetTable(0, 1, 256) does), and a value t is drawn with entry
min(floor(256 t), 255), as matplotlib's Colormap.__call__ picks it.
"""
import math
import os
import sys

import numpy as np
import matplotlib

LISTED = ("viridis", "magma", "inferno", "plasma", "cividis")
N = 256

# ParaView's "Cool to Warm" preset (Remoting/Views/ColorMaps.json).
COOL_TO_WARM_RGBPOINTS = [
    0.0, 0.23137254902, 0.298039215686, 0.752941176471,
    0.5, 0.865, 0.865, 0.865,
    1.0, 0.705882352941, 0.0156862745098, 0.149019607843,
]


# ---- vtkMath (Common/Core/vtkMath.cxx), operation for operation ----------

def rgb_to_xyz(rgb):
    lin = []
    for c in rgb:
        if c > 0.04045:
            c = math.pow((c + 0.055) / 1.055, 2.4)
        else:
            c = c / 12.92
        lin.append(c)
    r, g, b = lin
    x = r * 0.4124 + g * 0.3576 + b * 0.1805
    y = r * 0.2126 + g * 0.7152 + b * 0.0722
    z = r * 0.0193 + g * 0.1192 + b * 0.9505
    return x, y, z


def xyz_to_lab(xyz):
    ref = (0.9505, 1.000, 1.089)  # observer 2 degrees, illuminant D65
    var = []
    for v, w in zip(xyz, ref):
        v = v / w
        if v > 0.008856:
            v = math.pow(v, 1.0 / 3.0)
        else:
            v = (7.787 * v) + (16.0 / 116.0)
        var.append(v)
    vx, vy, vz = var
    return (116 * vy) - 16, 500 * (vx - vy), 200 * (vy - vz)


def lab_to_xyz(lab):
    L, a, b = lab
    var_y = (L + 16) / 116
    var_x = a / 500 + var_y
    var_z = var_y - b / 200
    out = []
    for v in (var_x, var_y, var_z):
        if math.pow(v, 3) > 0.008856:
            v = math.pow(v, 3)
        else:
            v = (v - 16.0 / 116.0) / 7.787
        out.append(v)
    return 0.9505 * out[0], 1.000 * out[1], 1.089 * out[2]


def xyz_to_rgb(xyz):
    x, y, z = xyz
    rgb = [x * 3.2406 + y * -1.5372 + z * -0.4986,
           x * -0.9689 + y * 1.8758 + z * 0.0415,
           x * 0.0557 + y * -0.2040 + z * 1.0570]
    for i, c in enumerate(rgb):
        if c > 0.0031308:
            rgb[i] = 1.055 * (math.pow(c, (1 / 2.4))) - 0.055
        else:
            rgb[i] = 12.92 * c
    top = max(rgb)  # vtkMath clips by scaling the brightest channel to 1
    if top > 1.0:
        rgb = [c / top for c in rgb]
    return [max(c, 0.0) for c in rgb]


# ---- vtkColorTransferFunction's Msh helpers -------------------------------

def lab_to_msh(lab):
    L, a, b = lab
    M = math.sqrt(L * L + a * a + b * b)
    s = math.acos(L / M) if M > 0.001 else 0.0
    h = math.atan2(b, a) if s > 0.001 else 0.0
    return [M, s, h]


def msh_to_lab(msh):
    M, s, h = msh
    return M * math.cos(s), M * math.sin(s) * math.cos(h), M * math.sin(s) * math.sin(h)


def angle_diff(a1, a2):
    adiff = a1 - a2
    if adiff < 0.0:
        adiff = -adiff
    while adiff >= 2.0 * math.pi:
        adiff -= 2.0 * math.pi
    if adiff > math.pi:
        adiff = (2.0 * math.pi) - adiff
    return adiff


def adjust_hue(msh, unsat_m):
    """The hue to give an unsaturated colour interpolated from saturated msh
    (Moreland 2009, section 4; VTK's AdjustHue)."""
    if msh[0] >= unsat_m - 0.1:
        return msh[2]  # the best one can do is to hold the hue
    spin = msh[1] * math.sqrt(unsat_m * unsat_m - msh[0] * msh[0]) / (msh[0] * math.sin(msh[1]))
    # Spin the hue away from 0, except for purple hues.
    return msh[2] + spin if msh[2] > -0.3 * math.pi else msh[2] - spin


HUE_SPANS = []  # |h1 - h2| of every interpolation done (see cool_to_warm)


def interpolate_diverging(s, rgb1, rgb2):
    msh1 = lab_to_msh(xyz_to_lab(rgb_to_xyz(rgb1)))
    msh2 = lab_to_msh(xyz_to_lab(rgb_to_xyz(rgb2)))
    # Distinct saturated ends: white in between.
    if msh1[1] > 0.05 and msh2[1] > 0.05 and angle_diff(msh1[2], msh2[2]) > 0.33 * math.pi:
        m_mid = max(msh1[0], msh2[0])
        m_mid = max(88.0, m_mid)
        if s < 0.5:
            msh2 = [m_mid, 0.0, 0.0]
            s = 2.0 * s
        else:
            msh1 = [m_mid, 0.0, 0.0]
            s = 2.0 * s - 1.0
    # An unsaturated end has no meaningful hue: give it one.
    if msh1[1] < 0.05 and msh2[1] > 0.05:
        msh1[2] = adjust_hue(msh2, msh1[0])
    elif msh2[1] < 0.05 and msh1[1] > 0.05:
        msh2[2] = adjust_hue(msh1, msh2[0])
    HUE_SPANS.append(abs(msh1[2] - msh2[2]))
    msh = [(1 - s) * msh1[k] + s * msh2[k] for k in range(3)]
    return xyz_to_rgb(lab_to_xyz(msh_to_lab(msh)))


def ctf_color(points, x):
    """vtkColorTransferFunction::GetColor(x) = GetTable(x, x, 1): linear
    scale, clamping on, every node's midpoint 0.5 and sharpness 0 (a preset
    without them), diverging colour space."""
    nodes = [(points[i], points[i + 1:i + 4]) for i in range(0, len(points), 4)]
    idx = 0
    x1 = x2 = 0.0
    rgb1 = rgb2 = None
    midpoint = 0.5
    while idx < len(nodes) and x > nodes[idx][0]:
        idx += 1
        if idx < len(nodes):
            x1, rgb1 = nodes[idx - 1]
            x2, rgb2 = nodes[idx]
            midpoint = 0.5
    if x > nodes[-1][0]:
        return list(nodes[-1][1])
    if x < nodes[0][0]:
        return list(nodes[0][1])
    if idx == 0:  # x is the first node's (GetTable: idx == 0 and x == xStart)
        return list(nodes[0][1])
    s = (x - x1) / (x2 - x1)
    if s < midpoint:
        s = 0.5 * s / midpoint
    else:
        s = 0.5 + 0.5 * (s - midpoint) / (1.0 - midpoint)
    return interpolate_diverging(s, rgb1, rgb2)


def cool_to_warm():
    del HUE_SPANS[:]
    table = [ctf_color(COOL_TO_WARM_RGBPOINTS, i / (N - 1)) for i in range(N)]
    # Newer VTK treats hue as circular when interpolating (a fix for spans
    # over pi); no span here comes near, so every VTK version agrees.
    assert max(HUE_SPANS) < math.pi, max(HUE_SPANS)
    # The preset is the paper's two-colour map with its white made explicit:
    # the same algorithm on the two ends alone agrees to 4e-4.
    two = [0.0] + COOL_TO_WARM_RGBPOINTS[1:4] + [1.0] + COOL_TO_WARM_RGBPOINTS[9:12]
    paper = [ctf_color(two, i / (N - 1)) for i in range(N)]
    assert np.abs(np.asarray(paper) - np.asarray(table)).max() < 5e-4
    return table


# ---- the tables -----------------------------------------------------------

def tables():
    """[(name, 256 x 3 list of floats)] in the order --help lists them."""
    out = []
    for name in LISTED:
        cmap = matplotlib.colormaps[name]
        colours = np.asarray(cmap.colors, dtype=np.float64)
        assert colours.shape == (N, 3) and cmap.N == N, name
        # What matplotlib draws with is this same list.
        assert np.array_equal(cmap(np.arange(N))[:, :3], colours), name
        out.append((name, colours.tolist()))
    out.append(("grey", [[i / (N - 1)] * 3 for i in range(N)]))
    out.append(("Cool to Warm", cool_to_warm()))
    for name, table in out:
        assert len(table) == N and all(0.0 <= c <= 1.0 for row in table for c in row), name
    return out


def c_identifier(name):
    return "cc_colormap_" + "".join(ch if ch.isalnum() else "_" for ch in name.lower())


def render(maps):
    lines = [
        "/* colormaps.inc - generated by scripts/gen_colormaps.py; do not edit.",
        " * Regenerate with: /usr/bin/python3 scripts/gen_colormaps.py src/colormaps.inc",
        " * (matplotlib %s).  Each table: 256 RGB entries in [0, 1], entry i the map"
        % matplotlib.__version__,
        " * at t = i/255; where each map comes from is in the script. */",
    ]
    for name, table in maps:
        lines.append("")
        lines.append("/* %s */" % name)
        lines.append("static const double %s[256][3] = {" % c_identifier(name))
        for r, g, b in table:
            lines.append("    {%r, %r, %r}," % (float(r), float(g), float(b)))
        lines.append("};")
    return "\n".join(lines) + "\n"


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "src", "colormaps.inc")
    text = render(tables())
    if argv[1:2] == ["--check"]:
        with open(default) as f:
            same = f.read() == text
        print("src/colormaps.inc is %s" % ("up to date" if same else "OUT OF DATE"))
        return 0 if same else 1
    out = argv[1] if len(argv) > 1 else default
    with open(out, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
