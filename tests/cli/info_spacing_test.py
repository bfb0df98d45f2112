"""`cubecast info FILE` shows the voxel spacing --spacing auto would read
(issue 11): ImageJ's element_size_um before a 3-element spacing attribute,
1 x 1 x 1 when neither is there, and a present but unusable attribute named
on its line while the rest of the report still comes.  The file is only
read.

    info_spacing_test.py --cubecast BIN --workdir DIR CASE    (CASE: info)
"""

import os
import sys

import h5py
import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402  (tests/harness.py)

ENV = harness.open_mpi_env(os.environ.get("OMP_NUM_THREADS", "2"))


def write_cube(path, attributes):
    rng = np.random.default_rng(7)
    with h5py.File(path, "w") as f:
        d = f.create_dataset("density", data=np.exp(rng.uniform(-2, 6, (6, 5, 4))).astype("f4"))
        for name, value in attributes.items():
            d.attrs[name] = value


def spacing_lines(text):
    return [line for line in text.splitlines() if line.startswith("spacing:")]


def info_case(c, work, exe):
    cases = [
        ("element_size_um", {"element_size_um": np.array([1, 1, 2.5], "f4")},
         "spacing: 1 x 1 x 2.5 (attribute element_size_um)"),
        ("spacing", {"spacing": np.array([2, 3, 4], "i4")},
         "spacing: 2 x 3 x 4 (attribute spacing)"),
        ("both", {"element_size_um": np.array([0.5, 0.5, 1.0]), "spacing": np.array([4., 5., 6.])},
         "spacing: 0.5 x 0.5 x 1 (attribute element_size_um)"),
        ("none", {"units": "um"},
         "spacing: 1 x 1 x 1 (no spacing attribute; --spacing auto uses this)"),
        ("two values", {"spacing": np.array([1.0, 2.0])}, None),
        ("negative", {"element_size_um": np.array([1.0, -1.0, 1.0])}, None),
        ("string", {"spacing": "1 1 2"}, None),
    ]
    for k, (name, attributes, want) in enumerate(cases):
        path = os.path.join(work, f"cube{k}.h5")
        write_cube(path, attributes)
        before = harness.read_bytes(path)
        res = harness.run([exe, "info", path], 60, env=ENV, cwd=work, errors="replace")
        if not c.check(res.rc == 0, f"{name}: info exits 0", res.describe_output()):
            continue
        lines = spacing_lines(res.out)
        c.check(len(lines) == 1, f"{name}: one spacing line", res.out)
        c.check("shape: 6 x 5 x 4" in res.out and "ln(value)" in res.out,
                f"{name}: the rest of the report is there", res.out)
        if want is not None:
            c.check(lines == [want], f"{name}: prints {want!r}", repr(lines))
        else:
            attribute = "element_size_um" if "element_size_um" in attributes else "spacing"
            ok = (len(lines) == 1 and lines[0].startswith("spacing: unusable:")
                  and f"'{attribute}'" in lines[0] and "'density'" in lines[0])
            c.check(ok, f"{name}: says the attribute '{attribute}' of 'density' is unusable",
                    repr(lines))
        c.check(harness.read_bytes(path) == before, f"{name}: the file is unchanged")


def main():
    cases = {"info": info_case}
    cfg = harness.parse_args(__doc__, cases)
    bound = {cfg.case: lambda c, work: cases[cfg.case](c, work, cfg.cubecast)}
    return harness.run_case(cfg, bound, "cli_info_spacing")


if __name__ == "__main__":
    sys.exit(main())
