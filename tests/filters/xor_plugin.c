/* xor_plugin.c - an HDF5 filter plugin for the tests (filter 40001): each
 * byte XOR 0x5A, both ways, in place.  It calls nothing of HDF5, so the
 * serial HDF5 of h5py (writing) and cubecast's parallel one (reading) both
 * load it from a folder named by HDF5_PLUGIN_PATH: what a user's own
 * plugin for a filter cubecast does not decode itself looks like. */
#include <H5PLextern.h>
#include <stddef.h>

static size_t xor_filter(unsigned flags, size_t cd_nelmts, const unsigned cd_values[],
                         size_t nbytes, size_t *buf_size, void **buf)
{
    (void)flags;
    (void)cd_nelmts;
    (void)cd_values;
    (void)buf_size;
    unsigned char *bytes = *buf;
    for (size_t b = 0; b < nbytes; b++)
        bytes[b] ^= 0x5A;
    return nbytes;
}

static const H5Z_class2_t xor_class = {H5Z_CLASS_T_VERS,    40001, 1,    1,
                                       "cubecast test xor", NULL,  NULL, xor_filter};

H5PL_type_t H5PLget_plugin_type(void)
{
    return H5PL_TYPE_FILTER;
}

const void *H5PLget_plugin_info(void)
{
    return &xor_class;
}
