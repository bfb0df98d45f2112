# What `cmake --install` and `cpack` put where (included by CMakeLists.txt):
#   bin/cubecast                          the program
#   share/man/man1/cubecast.1             its man page, made from its --help
#   share/doc/cubecast/                   README.md and docs/ (the README's links stay valid)
#   share/cubecast/jobs/*.sbatch          the Slurm scripts
#   lib/libcubecast.a, lib/libcubecast_cuda.a, include/cubecast/*.h
#   lib/cmake/cubecast/                   find_package(cubecast) -> cubecast::cubecast
#   lib/pkgconfig/cubecast.pc             pkg-config --static cubecast
# (lib is lib64 or lib/<triplet> where GNUInstallDirs says so.)
include(CMakePackageConfigHelpers)

install(TARGETS cubecast RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The man page: the program's own --help texts (src/cli/parse.c) turned into
# roff at build time, so the page cannot drift from what --help says.
set(CC_MANPAGE ${PROJECT_BINARY_DIR}/cubecast.1)
add_custom_command(OUTPUT ${CC_MANPAGE}
  COMMAND sh ${PROJECT_SOURCE_DIR}/cmake/manpage.sh $<TARGET_FILE:cubecast> ${PROJECT_VERSION}
             ${PROJECT_SOURCE_DIR}/cmake/help2roff.awk ${CC_MANPAGE}
  DEPENDS cubecast ${PROJECT_SOURCE_DIR}/cmake/manpage.sh ${PROJECT_SOURCE_DIR}/cmake/help2roff.awk
  COMMENT "Generating the man page cubecast.1 from cubecast --help"
  VERBATIM)
add_custom_target(cubecast_manpage ALL DEPENDS ${CC_MANPAGE})
install(FILES ${CC_MANPAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs
        FILES_MATCHING PATTERN "*.md" PATTERN "*.png")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/jobs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/cubecast/jobs
        FILES_MATCHING PATTERN "*.sbatch"
        PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# The library.  It is static, so its consumers also link what it links:
# libcubecast_cuda.a (the CUDA backend or its CPU-only stand-in) and the
# dependencies that cubecastConfig.cmake finds again.
install(TARGETS cubecast_lib cubecast_cuda EXPORT cubecastTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/cubecast DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")

set(CC_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/cubecast)
install(EXPORT cubecastTargets NAMESPACE cubecast:: FILE cubecastTargets.cmake
        DESTINATION ${CC_CMAKEDIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/cubecastConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cubecastConfig.cmake INSTALL_DESTINATION ${CC_CMAKEDIR})
# 0.x: a minor version may change the library's interface.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cubecastConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cubecastConfig.cmake ${PROJECT_BINARY_DIR}/cubecastConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/cubecastHDF5.cmake
              ${PROJECT_SOURCE_DIR}/cmake/cubecastFilters.cmake
        DESTINATION ${CC_CMAKEDIR})

# cubecast.pc.  libpng, zlib and jansson ship .pc files everywhere; MPI and
# HDF5 often do not (cluster modules), so they go in as what CMake found.
# The prefix is relative to the .pc file, so `cmake --install --prefix`
# and the .deb's /usr both work with a file written at configure time.
function(cc_pc_link_flags out)
  set(flags "")
  foreach(item IN LISTS ARGN)
    if(item MATCHES "^-" OR IS_ABSOLUTE "${item}")
      list(APPEND flags "${item}")
    elseif(NOT item STREQUAL "")
      list(APPEND flags "-l${item}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES flags)
  list(JOIN flags " " flags)
  set(${out} "${flags}" PARENT_SCOPE)
endfunction()
set(cc_pc_libs ${HDF5_C_LIBRARIES} ${MPI_C_LINK_FLAGS} ${MPI_C_LIBRARIES})
if(CUBECAST_OPENMP)
  list(APPEND cc_pc_libs ${OpenMP_C_FLAGS})
endif()
if(CC_WITH_CUDA)
  # The static CUDA runtime and what it needs (CMake's CUDA::cudart_static).
  list(APPEND cc_pc_libs "-L${CUDAToolkit_LIBRARY_DIR}" cudart_static rt dl stdc++)
endif()
if(THREADS_HAVE_PTHREAD_ARG OR CMAKE_USE_PTHREADS_INIT)
  list(APPEND cc_pc_libs -pthread)
endif()
# The filter decoders' compression libraries (src/filters.c), by name.
list(APPEND cc_pc_libs ${CC_FILTERS_FOUND} ${CMAKE_THREAD_LIBS_INIT} mvec m)
cc_pc_link_flags(CC_PC_LIBS_PRIVATE ${cc_pc_libs})
set(cc_pc_cflags "")
foreach(dir IN LISTS MPI_C_INCLUDE_DIRS HDF5_INCLUDE_DIRS)
  list(APPEND cc_pc_cflags "-I${dir}")
endforeach()
foreach(def IN LISTS HDF5_DEFINITIONS)
  string(REGEX REPLACE "^-D" "" def "${def}")
  list(APPEND cc_pc_cflags "-D${def}")
endforeach()
list(APPEND cc_pc_cflags -D_POSIX_C_SOURCE=200809L)
list(REMOVE_DUPLICATES cc_pc_cflags)
list(JOIN cc_pc_cflags " " CC_PC_CFLAGS)
foreach(dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    set(CC_PC_${dir} "${CMAKE_INSTALL_${dir}}")
  else()
    set(CC_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
# ${pcfiledir}/CC_PC_UP is the prefix (".." twice for lib/pkgconfig).
file(RELATIVE_PATH CC_PC_UP "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
string(REGEX REPLACE "/$" "" CC_PC_UP "${CC_PC_UP}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/cubecast.pc.in ${PROJECT_BINARY_DIR}/cubecast.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/cubecast.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# cpack -G DEB: one package with the program, its page, docs, jobs and the
# library, installed under /usr.  dpkg-shlibdeps derives Depends from the
# shared libraries the program links (libhdf5-openmpi-103-1, libopenmpi3, ...);
# building against the library needs the -dev packages it suggests.
set(CPACK_PACKAGE_NAME cubecast)
set(CPACK_PACKAGE_VENDOR "cubecast")
set(CPACK_PACKAGE_CONTACT "cubecast maintainers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "volume renderer for HDF5 datacubes (MPI, parallel HDF5, PNG frames)")
set(CPACK_PACKAGE_DESCRIPTION
    "cubecast turns a 3D scalar datacube stored in HDF5 into a sweep of volume-rendered PNG frames, on one process or many (MPI, OpenMP).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libhdf5-openmpi-dev, libopenmpi-dev, libpng-dev, libjansson-dev, pkg-config")
set(CPACK_GENERATOR DEB)
include(CPack)
