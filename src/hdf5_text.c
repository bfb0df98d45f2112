/* hdf5_text.c - HDF5 types and shapes in words (hdf5_text.h). */
#include "hdf5_text.h"

#include <stdio.h>

static const char *class_name(H5T_class_t type_class)
{
    switch (type_class) {
    case H5T_COMPOUND:
        return "compound";
    case H5T_ENUM:
        return "enum";
    case H5T_ARRAY:
        return "array";
    case H5T_VLEN:
        return "variable-length";
    case H5T_OPAQUE:
        return "opaque";
    case H5T_REFERENCE:
        return "reference";
    case H5T_BITFIELD:
        return "bitfield";
    case H5T_TIME:
        return "time";
    default:
        return "other";
    }
}

void cc_hdf5_type_name(hid_t type, char *out, size_t out_size)
{
    size_t bits = H5Tget_size(type) * 8;
    H5T_class_t type_class = H5Tget_class(type);
    switch (type_class) {
    case H5T_INTEGER:
        snprintf(out, out_size, "%sint%zu", H5Tget_sign(type) == H5T_SGN_NONE ? "u" : "", bits);
        break;
    case H5T_FLOAT:
        snprintf(out, out_size, "float%zu", bits);
        break;
    case H5T_STRING:
        snprintf(out, out_size, "string");
        break;
    default:
        snprintf(out, out_size, "%s (%zu bytes)", class_name(type_class), bits / 8);
        break;
    }
}

void cc_hdf5_shape_text(hid_t space, char *out, size_t out_size)
{
    hsize_t dims[H5S_MAX_RANK];
    int rank = H5Sget_simple_extent_dims(space, dims, NULL);
    size_t used = 0;
    out[0] = '\0';
    for (int d = 0; d < rank && used < out_size; d++)
        used += (size_t)snprintf(out + used, out_size - used, "%s%llu", d ? " x " : "",
                                 (unsigned long long)dims[d]);
}
