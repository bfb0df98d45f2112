# cubecast::hdf5: the parallel HDF5 that find_package(HDF5) found, as one
# imported target.  Included by the top-level CMakeLists.txt and by the
# installed cubecastConfig.cmake, so the exported cubecast::cubecast names
# this target rather than the absolute library paths of the machine that
# built it.  FindHDF5's own hdf5::hdf5 is not used: it carries only
# libhdf5 itself, while HDF5_C_LIBRARIES also lists what a static libhdf5
# needs (libsz, libz, libdl, ...).
if(NOT TARGET cubecast::hdf5)
  add_library(cubecast::hdf5 INTERFACE IMPORTED)
  set_target_properties(cubecast::hdf5 PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${HDF5_INCLUDE_DIRS}"
    INTERFACE_LINK_LIBRARIES "${HDF5_C_LIBRARIES}")
  if(HDF5_DEFINITIONS)
    # target_compile_definitions strips the -D that FindHDF5 leaves on them.
    target_compile_definitions(cubecast::hdf5 INTERFACE ${HDF5_DEFINITIONS})
  endif()
endif()
