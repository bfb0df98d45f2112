/* hdf5_text.h - HDF5 types and shapes as cubecast's messages name them
 * (src only: it needs HDF5's handles, which the installed headers avoid). */
#ifndef CUBECAST_HDF5_TEXT_H
#define CUBECAST_HDF5_TEXT_H

#include <hdf5.h>
#include <stddef.h>

/* "float32", "int16", "uint8", "string", "compound (12 bytes)", ... */
void cc_hdf5_type_name(hid_t type, char *out, size_t out_size);

/* "40 x 56 x 48"; "" for a scalar. */
void cc_hdf5_shape_text(hid_t space, char *out, size_t out_size);

#endif
