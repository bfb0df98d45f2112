/* filters.h - the HDF5 compression filters cubecast reads with.
 *
 * HDF5 itself decodes deflate (gzip), shuffle, Fletcher32, N-bit,
 * scale-offset and, where built with libaec, SZIP.  The filters Python's
 * h5py and hdf5plugin add (LZF, LZ4, BZip2, Blosc) are registered here, in
 * process, on Debian's compression libraries, as decoders only: cubecast
 * never writes compressed data.  Debian's filter plugins are not used for
 * them: its parallel LZF plugin does not load (it lacks liblzf), and its
 * LZ4, BZip2 and Blosc plugins are built for the serial HDF5 only.  Other
 * filters come from HDF5's plugin folders: HDF5_PLUGIN_PATH, and the
 * parallel HDF5's own plugin folder, added to the search even where
 * HDF5_PLUGIN_PATH replaces it.  MPI-free; not thread-safe (nor is HDF5). */
#ifndef CUBECAST_FILTERS_H
#define CUBECAST_FILTERS_H

#include <stddef.h>

#include <hdf5.h>

#include "cubecast/error.h"

/* Registers the decoders and adds the plugin folder; cheap and harmless to
 * repeat, so each way into a file calls it before HDF5 reads a chunk. */
void cc_filters_register(void);

/* Checks that every filter of a dataset's creation property list dcpl can
 * be decoded here; otherwise fails (CC_ERR_INPUT) with one line naming the
 * first missing filter (name and id) and how to get it.  what names the
 * dataset for that line ("dataset 'rho' in 'a.h5'"). */
cc_status cc_filters_check(hid_t dcpl, const char *what, cc_error *err);

/* Whether HDF5 1.10's collective reads can be trusted with dcpl's chunks:
 * only where every filter is HDF5's own.  That path decodes every chunk
 * with the whole pipeline, though an optional filter that could not shrink
 * a chunk (h5py's LZF) left it as it was (HDF5 records that per chunk), and
 * trusts a decoder's output to fill the chunk, which a corrupt chunk need
 * not; independent reads check both. */
int cc_filters_collective_safe(hid_t dcpl);

/* The filters of dcpl as a user reads them, in the order they were applied
 * when writing: "shuffle (filter 2), deflate level 4 (filter 1)", with
 * ", not available" inside the parentheses of one that cannot be decoded;
 * "" when there are none.  Truncated to out_size. */
void cc_filters_describe(hid_t dcpl, char *out, size_t out_size);

#endif
