#!/usr/bin/env python3
"""Checks packaging/spack/package.py without Spack: it compiles, and its
variants, CMake arguments and dependencies match CMakeLists.txt (its options,
its cmake_minimum_required and the packages it finds), so a new option or
dependency fails here until the recipe follows.

usage: spack_recipe.py PACKAGE.py CMakeLists.txt
"""
import ast
import re
import sys

# CMake options that are for developing cubecast, not for a Spack build.
DEVELOPER_OPTIONS = {"CUBECAST_TESTS", "CUBECAST_SANITIZE", "CUBECAST_FUZZ"}
# What each find_package / pkg_check_modules of CMakeLists.txt is in Spack;
# None: comes with the compiler or the C library.
SPACK_NAME = {
    "MPI": "mpi",
    "HDF5": "hdf5+mpi",
    "PNG": "libpng",
    "ZLIB": "zlib-api",
    "PkgConfig": "pkgconfig",
    "jansson": "jansson",
    "CUDAToolkit": "cuda",
    "OpenMP": None,
    "Threads": None,
}

failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


def call_name(node):
    return node.func.id if isinstance(node.func, ast.Name) else (
        node.func.attr if isinstance(node.func, ast.Attribute) else None)


def literal(node):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def main(recipe, cmakelists):
    source = open(recipe).read()
    try:
        # What py_compile does, without writing a .pyc anywhere.
        compile(source, recipe, "exec")
        check(True, "package.py compiles")
    except SyntaxError as e:
        check(False, f"package.py compiles: {e}")
        return 1
    tree = ast.parse(source)
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Cubecast"]
    check(len(classes) == 1 and any(getattr(b, "id", None) == "CMakePackage" for b in classes[0].bases),
          "class Cubecast(CMakePackage)")
    if not classes:
        return 1
    variants, depends, defines = {}, [], {}
    for node in ast.walk(classes[0]):
        if not isinstance(node, ast.Call):
            continue
        name = call_name(node)
        kwargs = {k.arg: literal(k.value) for k in node.keywords}
        if name == "variant":
            variants[literal(node.args[0])] = kwargs
        elif name == "depends_on":
            depends.append((literal(node.args[0]), kwargs.get("type"), kwargs.get("when")))
        elif name in ("define_from_variant", "define"):
            defines[literal(node.args[0])] = (name, literal(node.args[1]) if len(node.args) > 1 else None)

    # Comments out: they mention find_package(cubecast) and the like.
    cmake = re.sub(r"#[^\n]*", "", open(cmakelists).read())
    options = set(re.findall(r"^option\((CUBECAST_\w+)", cmake, re.M))
    options |= set(re.findall(r"^set\((CUBECAST_\w+)\s+\S+\s+CACHE\s+STRING", cmake, re.M))
    for option in sorted(options - DEVELOPER_OPTIONS):
        check(option in defines, f"cmake_args sets {option} (an option of CMakeLists.txt)")
    for var in sorted(defines):
        check(var in options, f"cmake_args' {var} is an option of CMakeLists.txt")
    for var, variant in (("CUBECAST_CUDA", "cuda"), ("CUBECAST_NATIVE", "native")):
        check(defines.get(var) == ("define_from_variant", variant), f"{var} follows the variant {variant}")
        check(variant in variants and variants[variant].get("default") is False,
              f"variant {variant}, default off")
    for _, (kind, variant) in defines.items():
        if kind == "define_from_variant":
            check(variant in variants, f"variant {variant} exists")

    def has(spec, type_=None, when=None):
        return any(s == spec and (type_ is None or t == type_ or (isinstance(t, tuple) and t == (type_,)))
                   and w == when for s, t, w in depends)

    minimum = re.search(r"cmake_minimum_required\(VERSION\s+([\d.]+)", cmake).group(1)
    check(has(f"cmake@{minimum}:", "build"), f"depends_on cmake@{minimum}: (cmake_minimum_required), type build")
    check(has("pkgconfig", "build"), "depends_on pkgconfig, type build")
    check(has("cuda@11.8:", when="+cuda") or has("cuda", when="+cuda"), "depends_on cuda when +cuda")
    found = set(re.findall(r"find_package\((\w+)", cmake))
    found |= set(re.findall(r"pkg_check_modules\(\w+[^)]*?\s(\w+)\)", cmake))
    for package in sorted(found):
        if package not in SPACK_NAME:
            check(False, f"CMakeLists.txt finds {package}: add it to the recipe and to SPACK_NAME here")
        elif SPACK_NAME[package] and package != "CUDAToolkit":
            spec = SPACK_NAME[package]
            check(any(s == spec for s, _, _ in depends), f"CMakeLists.txt finds {package}: depends_on {spec}")
    print(f"{'FAILED' if failures else 'passed'}: {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]) or 0)
