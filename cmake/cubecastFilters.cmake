# cubecast::filters: the compression libraries src/filters.c decodes HDF5
# filters with (LZF, LZ4, BZip2, Blosc), as one imported target, like
# cubecast::hdf5.  Included by the top-level CMakeLists.txt, which sets
# CC_FILTER_LIBRARIES to the names of those wanted (each optional there:
# the ones found define CC_HAVE_<NAME> and are listed in CC_FILTERS_FOUND),
# and by the installed cubecastConfig.cmake, which wants those the library
# was built with and fails where one is missing (CC_FILTERS_MISSING).
#
# The Debian packages: liblzf-dev, liblz4-dev, libbz2-dev, libblosc-dev.
set(CC_FILTERS_FOUND "")
set(CC_FILTERS_MISSING "")
if(NOT TARGET cubecast::filters)
  add_library(cubecast::filters INTERFACE IMPORTED)
endif()
foreach(name IN LISTS CC_FILTER_LIBRARIES)
  if(name STREQUAL "lzf")
    set(header lzf.h)
  elseif(name STREQUAL "lz4")
    set(header lz4.h)
  elseif(name STREQUAL "bz2")
    set(header bzlib.h)
  elseif(name STREQUAL "blosc")
    set(header blosc.h)
  else()
    message(FATAL_ERROR "cubecastFilters.cmake: no such filter library '${name}'")
  endif()
  # Debian puts lzf.h in include/liblzf/.
  find_path(CC_FILTER_${name}_INCLUDE_DIR ${header} PATH_SUFFIXES liblzf)
  find_library(CC_FILTER_${name}_LIBRARY ${name})
  mark_as_advanced(CC_FILTER_${name}_INCLUDE_DIR CC_FILTER_${name}_LIBRARY)
  if(CC_FILTER_${name}_INCLUDE_DIR AND CC_FILTER_${name}_LIBRARY)
    list(APPEND CC_FILTERS_FOUND ${name})
    set_property(TARGET cubecast::filters APPEND PROPERTY
      INTERFACE_INCLUDE_DIRECTORIES "${CC_FILTER_${name}_INCLUDE_DIR}")
    set_property(TARGET cubecast::filters APPEND PROPERTY
      INTERFACE_LINK_LIBRARIES "${CC_FILTER_${name}_LIBRARY}")
  else()
    list(APPEND CC_FILTERS_MISSING ${name})
  endif()
endforeach()
