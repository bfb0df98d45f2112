# Spack recipe for cubecast.  To use it from a checkout:
#   spack repo create ~/cubecast-repo && mkdir -p ~/cubecast-repo/packages/cubecast
#   cp packaging/spack/package.py ~/cubecast-repo/packages/cubecast/ && spack repo add ~/cubecast-repo
#   spack install cubecast +cuda      # or: spack develop --path . cubecast@main
# tests/install/spack_recipe.py checks its variants and dependencies against
# CMakeLists.txt (Spack itself is not needed for that check).

from spack.package import *


class Cubecast(CMakePackage):
    """Volume renderer for 3D scalar datacubes stored in HDF5: MPI ranks and
    OpenMP threads (optionally CUDA GPUs) render a camera sweep into PNG
    frames."""

    # The repository cubecast is published from; set it where you host it.
    homepage = "https://example.org/cubecast"
    git = "https://example.org/cubecast.git"

    version("main", branch="main")

    # Not CudaPackage: the build compiles for its own fixed architectures
    # (sm_80, sm_90 and compute_90 PTX, src/cuda/CMakeLists.txt), so a
    # cuda_arch variant would be ignored.
    variant("cuda", default=False, description="Build the CUDA render backend (--device cuda)")
    variant(
        "native",
        default=False,
        description="Compile for the build machine's CPU (-march=native); off, the build "
        "runs on any x86-64 CPU and its render kernel picks AVX-512, AVX2 or baseline at run time",
    )
    variant("openmp", default=True, description="OpenMP threads inside each MPI rank")

    depends_on("c", type="build")
    depends_on("cxx", type="build", when="+cuda")
    depends_on("cmake@3.24:", type="build")
    depends_on("pkgconfig", type="build")

    depends_on("mpi")
    # Parallel HDF5: the renderer reads with collective MPI-IO.
    depends_on("hdf5+mpi")
    depends_on("libpng")
    depends_on("zlib-api")
    depends_on("jansson")
    # Decoders for the HDF5 filters LZ4, BZip2 and Blosc (src/filters.c);
    # LZF is decoded where a liblzf is found too.
    depends_on("lz4")
    depends_on("bzip2")
    depends_on("c-blosc")
    # sm_90 needs CUDA 11.8 or later.
    depends_on("cuda@11.8:", when="+cuda")

    def cmake_args(self):
        return [
            self.define_from_variant("CUBECAST_CUDA", "cuda"),
            self.define_from_variant("CUBECAST_NATIVE", "native"),
            self.define_from_variant("CUBECAST_OPENMP", "openmp"),
            # The test suite needs Python with NumPy, SciPy and h5py.
            self.define("CUBECAST_TESTS", False),
        ]
