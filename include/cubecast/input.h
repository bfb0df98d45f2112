/* input.h - the datacube file: opening it, describing it, reading boxes.
 *
 * The file is opened through parallel HDF5 (MPI-IO driver) on the given
 * communicator; every rank of it must make the same calls.  Any integer or
 * floating dataset type is converted on read to the compute precision;
 * contiguous, chunked and compressed layouts all read the same way (the
 * filters filters.h decodes). */
#ifndef CUBECAST_INPUT_H
#define CUBECAST_INPUT_H

#include <stddef.h>

#include <mpi.h>

#include "cubecast/box.h"
#include "cubecast/error.h"
#include "cubecast/volume.h"

typedef struct cc_input cc_input;

/* What a user needs to know about a dataset. */
typedef struct cc_dataset_info {
    int rank; /* number of dimensions */
    long shape[8];
    char type_name[64]; /* e.g. "float32", "int16", "uint8" */
    char layout[32];    /* "contiguous", "chunked", "compact" */
    int chunk_rank;
    long chunk[8];
    char filters[256]; /* e.g. "deflate level 4 (filter 1)" or "" (filters.h) */
} cc_dataset_info;

/* Call before MPI_Init: steers the MPI library away from known defects
 * that return wrong data from reads (see input.c), by setting environment
 * variables the user has not set. */
void cc_input_prepare_mpi(void);

/* Which volume of a file to read: a 3D dataset whole, or one volume of a 4D
 * dataset, the index held fixed along its first or last axis. */
typedef struct cc_input_choice {
    const char *dataset; /* "density", "/fields/rho" */
    long index;          /* CC_INPUT_NO_INDEX: the dataset is 3D */
    int index_axis;      /* the 4D dataset's axis: 0 (first) or 3 (last) */
} cc_input_choice;

#define CC_INPUT_NO_INDEX (-1L)

/* Checks that need no collective call: path exists, is a regular file
 * (opening a FIFO would block for ever) and is HDF5. */
cc_status cc_input_check_file(const char *path, cc_error *err);

/* Opens path and its dataset (a path like "density" or "/fields/rho") on comm
 * (collective).  Fails with a user-facing message if the file is missing or
 * not a regular file, not HDF5, the dataset is missing, not 3D, not numeric,
 * absurdly large, or compressed with a filter that cannot be decoded here. */
cc_status cc_input_open(const char *path, const char *dataset, MPI_Comm comm, cc_input **out,
                        cc_error *err);
/* cc_input_open for this process alone, without MPI (HDF5's POSIX
 * driver): for a thread other than MPI's, reading independently.  HDF5 is
 * not thread-safe, so no two threads may call into it at once. */
cc_status cc_input_open_local(const char *path, const char *dataset, cc_input **out, cc_error *err);

/* cc_input_open and cc_input_open_local for one volume of a 4D dataset as
 * well: every read then takes only that volume's part of the file, and
 * cc_input_shape is the volume's.  --index on a 3D dataset, or past the
 * axis's end, is CC_ERR_USAGE; a 4D dataset without one CC_ERR_INPUT. */
cc_status cc_input_open_choice(const char *path, const cc_input_choice *choice, MPI_Comm comm,
                               cc_input **out, cc_error *err);
cc_status cc_input_open_local_choice(const char *path, const cc_input_choice *choice,
                                     cc_input **out, cc_error *err);

void cc_input_close(cc_input *input);

/* Shape (nx, ny, nz) of the dataset (of the volume read, for a 4D one). */
const long *cc_input_shape(const cc_input *input);

/* The dataset's type as info prints it ("float32", "int16", ...). */
const char *cc_input_type_name(const cc_input *input);

cc_status cc_input_describe(const cc_input *input, cc_dataset_info *info, cc_error *err);

/* The dataset's voxel spacing from its attributes, in file axis order (the
 * first HDF5 axis first): ImageJ's `element_size_um` or a 3-element
 * `spacing` (docs/usage.md lists what is read, in which order).  *found is
 * 0 (and spacing 1, 1, 1) when none is present; source names the attribute
 * read ("element_size_um").  An attribute that is present but not three
 * positive finite numbers fails with a message naming it.  Collective
 * over the input's communicator (HDF5 reads its metadata collectively);
 * every rank gets the same answer. */
cc_status cc_input_spacing(const cc_input *input, double spacing[3], int *found, char *source,
                           size_t source_size, cc_error *err);

/* Reads box into volume (whose box must contain it), converting to the
 * volume's precision.  box and the volume's box are in the volume's stored
 * axes (cc_volume_axis_order): a volume stored in another order than the
 * file's is transposed while it is read, through a bounded buffer, never a
 * second copy of the box.  Collective over the input's communicator when
 * collective is nonzero (every rank calls; an empty box reads nothing). */
cc_status cc_input_read(cc_input *input, const cc_box *box, cc_volume *volume, int collective,
                        cc_error *err);

/* Bounds the buffer a permuted read (above) goes through: 64 MiB unless
 * set; 0 restores that.  For tests and measurements. */
void cc_input_set_piece_bytes(cc_input *input, size_t bytes);

/* Bytes this rank has read from the file so far. */
unsigned long long cc_input_bytes_read(const cc_input *input);

#endif
