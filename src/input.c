/* input.c - reading the datacube through parallel HDF5 (input.h). */
#include "cubecast/input.h"

#include <errno.h>
#include <hdf5.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cubecast/collective.h"
#include "cubecast/filters.h"
#include "cubecast/hdf5_reason.h"
#include "hdf5_text.h"

/* The kernel addresses one (y, z) plane with 32-bit offsets. */
#define CC_MAX_PLANE_VOXELS 2147483647L

/* A volume stored in another axis order than the file's is read through a
 * buffer of at most this many bytes: small beside a cube of gigabytes, large
 * enough that each H5Dread moves whole runs of the file. */
#define CC_PIECE_BYTES ((size_t)64 << 20)

struct cc_input {
    hid_t file;
    hid_t dataset;
    size_t file_type_size;
    char type_name[64];
    long shape[3];  /* the volume's: the dataset's, less a 4D one's index axis */
    long chunk[3];  /* the chunk shape, 0 when not chunked */
    int rank;       /* the dataset's: 3, or 4 read one volume at a time */
    int index_axis; /* a 4D dataset's axis held at index */
    long index;
    size_t piece_bytes; /* the bound of a permuted read's buffer */
    unsigned long long bytes_read;
    int independent; /* filters collective reads mishandle (filters.h) */
    MPI_Comm comm;
    char path[4096];
    char name[1024];
    char failure[256]; /* why the last read failed (hdf5_reason.h) */
};

static void close_handles(cc_input *input)
{
    if (input->dataset >= 0)
        H5Dclose(input->dataset);
    if (input->file >= 0)
        H5Fclose(input->file);
    input->dataset = input->file = -1;
}

static const char *file_kind(mode_t mode)
{
    return S_ISDIR(mode)    ? "a folder"
           : S_ISFIFO(mode) ? "a FIFO (named pipe)"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISSOCK(mode) ? "a socket"
                            : "not a regular file";
}

/* Checks that need no collective call: the file exists, is a regular file
 * (opening a FIFO would block for ever) and is HDF5. */
cc_status cc_input_check_file(const char *path, cc_error *err)
{
    struct stat info;
    if (stat(path, &info) != 0 || access(path, R_OK) != 0)
        return cc_fail(err, CC_ERR_INPUT, "cannot open input '%s': %s", path, strerror(errno));
    if (!S_ISREG(info.st_mode))
        return cc_fail(err, CC_ERR_INPUT, "input '%s' is %s; an HDF5 file is needed", path,
                       file_kind(info.st_mode));
    if (H5Fis_hdf5(path) <= 0)
        return cc_fail(err, CC_ERR_INPUT, "'%s' is not an HDF5 file", path);
    return CC_OK;
}

static cc_status open_file(cc_input *input, cc_error *err)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (input->comm == MPI_COMM_NULL) { /* cc_input_open_local: POSIX I/O */
        errno = 0;
        input->file = H5Fopen(input->path, H5F_ACC_RDONLY, fapl);
        if (input->file < 0)
            cc_hdf5_reason(input->path, errno, input->failure, sizeof input->failure);
        H5Pclose(fapl);
        if (input->file < 0)
            return cc_fail(err, CC_ERR_INPUT, "cannot open HDF5 file '%s': %s", input->path,
                           input->failure);
        return CC_OK;
    }
    /* Collective reads stage data through an aggregator buffer; Open MPI's
     * default made rank 0 of a 4-rank bricks run peak at 118 MiB for a
     * 64 MiB cube.  4 MiB keeps it at 55 MiB; 16 MiB read a 4 GiB cube
     * about 20% faster but broke the per-rank memory bound of bricks mode. */
    MPI_Info hints;
    MPI_Info_create(&hints);
    MPI_Info_set(hints, "cb_buffer_size", "4194304");
    H5Pset_fapl_mpio(fapl, input->comm, hints);
    MPI_Info_free(&hints);
    /* Metadata is read by all ranks; let HDF5 read it once and broadcast. */
    H5Pset_all_coll_metadata_ops(fapl, 1);
    errno = 0;
    input->file = H5Fopen(input->path, H5F_ACC_RDONLY, fapl);
    if (input->file < 0)
        cc_hdf5_reason(input->path, errno, input->failure, sizeof input->failure);
    H5Pclose(fapl);
    if (input->file < 0)
        return cc_fail(err, CC_ERR_INPUT, "cannot open HDF5 file '%s': %s", input->path,
                       input->failure);
    return CC_OK;
}

/* The file axis of the volume's axis d: a 4D dataset's axes less the
 * index axis, in order. */
static int file_axis(const cc_input *input, int d)
{
    return input->rank == 4 && d >= input->index_axis ? d + 1 : d;
}

static const char *index_axis_name(int axis)
{
    return axis == 0 ? "first" : "last";
}

/* --index against the dataset's rank and extent: a 3D dataset reads whole,
 * a 4D one a volume at a time (the user's index), anything else not. */
static cc_status check_index(const cc_input *input, int rank, const hsize_t *dims,
                             const char *shape_text, cc_error *err)
{
    const char *name = input->name, *path = input->path;
    int given = input->index >= 0;
    if (rank == 4 && !given)
        return cc_fail(err, CC_ERR_INPUT,
                       "dataset '%s' in '%s' is 4D (shape %s): render one volume of it with "
                       "--index T (see: cubecast info %s)",
                       name, path, shape_text, path);
    if (rank == 3 && given)
        return cc_fail(err, CC_ERR_USAGE,
                       "--index picks one volume of a 4D dataset, but '%s' in '%s' is 3D "
                       "(shape %s): leave --index out",
                       name, path, shape_text);
    if (rank != 3 && rank != 4)
        return cc_fail(
            err, CC_ERR_INPUT,
            "dataset '%s' in '%s' has %d dimension%s (shape %s); a 3D datacube is needed", name,
            path, rank, rank == 1 ? "" : "s", shape_text);
    if (given && (hsize_t)input->index >= dims[input->index_axis])
        return cc_fail(
            err, CC_ERR_USAGE,
            "--index %ld is out of range: '%s' in '%s' (shape %s) has %llu volumes "
            "along its %s axis (--index 0..%llu)",
            input->index, name, path, shape_text, (unsigned long long)dims[input->index_axis],
            index_axis_name(input->index_axis), (unsigned long long)dims[input->index_axis] - 1);
    return CC_OK;
}

/* The volume's shape from the dataset's dims (rank 3, or 4 less the index
 * axis), each axis at least 2 points. */
static cc_status volume_shape(cc_input *input, int rank, const hsize_t *dims,
                              const char *shape_text, cc_error *err)
{
    cc_status status = check_index(input, rank, dims, shape_text, err);
    if (status != CC_OK)
        return status;
    input->rank = rank;
    for (int d = 0; d < 3; d++) {
        hsize_t extent = dims[file_axis(input, d)];
        if (extent < 2)
            return cc_fail(err, CC_ERR_INPUT,
                           "dataset '%s' in '%s' has shape %s; every axis %sneeds at least 2 "
                           "points",
                           input->name, input->path, shape_text, rank == 4 ? "of a volume " : "");
        input->shape[d] = (long)extent;
    }
    return CC_OK;
}

/* The volume's chunk shape, when the dataset is chunked. */
static void read_chunk(cc_input *input)
{
    hid_t dcpl = H5Dget_create_plist(input->dataset);
    if (dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED) {
        hsize_t chunk[4];
        if (H5Pget_chunk(dcpl, input->rank, chunk) == input->rank)
            for (int d = 0; d < 3; d++)
                input->chunk[d] = (long)chunk[file_axis(input, d)];
    }
    if (dcpl >= 0)
        H5Pclose(dcpl);
}

/* A box of the volume (3 axes) as the dataset's rank sees it: a 4D
 * dataset's index axis inserted, at `at` with extent 1.  Returns the rank. */
static int dataset_rank_box(const cc_input *input, const hsize_t in[3], hsize_t at, hsize_t out[4])
{
    for (int d = 0; d < 3; d++)
        out[file_axis(input, d)] = in[d];
    if (input->rank == 4)
        out[input->index_axis] = at;
    return input->rank == 4 ? 4 : 3;
}

/* Selects the volume's box (offset, count) in the dataset's file space:
 * for a 4D dataset, within the plane of its index. */
static void select_box(const cc_input *input, hid_t space, const hsize_t offset[3],
                       const hsize_t count[3], hsize_t index)
{
    hsize_t at[4], extent[4];
    dataset_rank_box(input, offset, index, at);
    dataset_rank_box(input, count, 1, extent);
    H5Sselect_hyperslab(space, H5S_SELECT_SET, at, NULL, extent, NULL);
}

/* A memory space of dims (the volume's axes) of the dataset's rank: HDF5
 * copies a selection fast only between spaces of one rank and shape (a 3D
 * buffer against a 4D file selection went element by element, 40 times
 * slower). */
static hid_t memory_space(const cc_input *input, const hsize_t dims[3])
{
    hsize_t dataset_dims[4];
    return H5Screate_simple(dataset_rank_box(input, dims, 1, dataset_dims), dataset_dims, NULL);
}

static cc_status open_dataset(cc_input *input, cc_error *err)
{
    const char *name = input->name;
    if (H5Lexists(input->file, name, H5P_DEFAULT) <= 0)
        return cc_fail(err, CC_ERR_INPUT, "no dataset '%s' in '%s' (see: cubecast info %s)", name,
                       input->path, input->path);
    input->dataset = H5Dopen2(input->file, name, H5P_DEFAULT);
    if (input->dataset < 0)
        return cc_fail(err, CC_ERR_INPUT, "'%s' in '%s' is not a dataset", name, input->path);
    hid_t type = H5Dget_type(input->dataset);
    H5T_class_t type_class = H5Tget_class(type);
    input->file_type_size = H5Tget_size(type);
    cc_hdf5_type_name(type, input->type_name, sizeof input->type_name);
    H5Tclose(type);
    if (type_class != H5T_INTEGER && type_class != H5T_FLOAT)
        return cc_fail(err, CC_ERR_INPUT,
                       "dataset '%s' in '%s' does not hold numbers (integer or floating point)",
                       name, input->path);
    hid_t space = H5Dget_space(input->dataset);
    int rank = H5Sget_simple_extent_ndims(space);
    hsize_t dims[H5S_MAX_RANK] = {0};
    H5Sget_simple_extent_dims(space, dims, NULL);
    char shape_text[256];
    cc_hdf5_shape_text(space, shape_text, sizeof shape_text);
    H5Sclose(space);
    cc_status status = volume_shape(input, rank, dims, shape_text, err);
    if (status != CC_OK)
        return status;
    read_chunk(input);
    hid_t dcpl = H5Dget_create_plist(input->dataset);
    char what[sizeof input->path + sizeof input->name + 32];
    snprintf(what, sizeof what, "dataset '%s' in '%s'", name, input->path);
    cc_status filters = dcpl >= 0 ? cc_filters_check(dcpl, what, err) : CC_OK;
    input->independent = dcpl >= 0 && !cc_filters_collective_safe(dcpl);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (filters != CC_OK)
        return filters;
    if ((double)input->shape[1] * (double)input->shape[2] > (double)CC_MAX_PLANE_VOXELS)
        return cc_fail(
            err, CC_ERR_INPUT,
            "dataset '%s' in '%s' has shape %s; a y-z plane may hold at most 2^31 voxels", name,
            input->path, shape_text);
    return CC_OK;
}

/* Open MPI 4.1.0 to 4.1.4 (Debian 12 ships 4.1.4): OMPIO's data sieving
 * for reads hands some ranks of a collective read zeros for part of their
 * selection when the ranks' selections differ (open-mpi/ompi#10546; here
 * 3 ranks reading a whole 5 x 7 x 9 dataset and two sub-boxes of it,
 * tests/unit/test_input.c).  Fixed in 4.1.5; turning the sieving off is the
 * maintainers' workaround and is harmless elsewhere: other MPI libraries
 * ignore the variable, and collective reads aggregate in two phases
 * anyway.  A user's own setting stands. */
void cc_input_prepare_mpi(void)
{
    setenv("OMPI_MCA_fbtl_posix_read_datasieving", "0", 0);
}

/* A cc_input for path and the chosen volume on comm (MPI_COMM_NULL: this
 * process alone), its file checked but not opened; *out is NULL only when
 * out of memory, and is freed with cc_input_close whatever the status. */
static cc_status input_new(const char *path, const cc_input_choice *choice, MPI_Comm comm,
                           cc_input **out, cc_error *err)
{
    cc_input *input = calloc(1, sizeof *input);
    *out = input;
    if (input == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    input->file = input->dataset = -1;
    input->comm = comm;
    input->piece_bytes = CC_PIECE_BYTES;
    input->index = choice->index;
    input->index_axis = choice->index_axis == 0 ? 0 : 3;
    cc_filters_register();
    if (strlen(path) >= sizeof input->path || strlen(choice->dataset) >= sizeof input->name)
        return cc_fail(err, CC_ERR_USAGE, "input path or dataset name too long");
    strcpy(input->path, path);
    strcpy(input->name, choice->dataset);
    return cc_input_check_file(path, err);
}

cc_status cc_input_open_choice(const char *path, const cc_input_choice *choice, MPI_Comm comm,
                               cc_input **out, cc_error *err)
{
    /* Failures are reported through cc_error, once; HDF5's own error stack
     * would print a page per rank. */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    cc_input *input;
    cc_status status = cc_agree(comm, input_new(path, choice, comm, &input, err), err);
    if (status == CC_OK)
        status = cc_agree(comm, open_file(input, err), err);
    if (status == CC_OK)
        status = cc_agree(comm, open_dataset(input, err), err);
    if (status != CC_OK) {
        cc_input_close(input);
        return status;
    }
    *out = input;
    return CC_OK;
}

cc_status cc_input_open_local_choice(const char *path, const cc_input_choice *choice,
                                     cc_input **out, cc_error *err)
{
    cc_input *input;
    cc_status status = input_new(path, choice, MPI_COMM_NULL, &input, err);
    if (status == CC_OK)
        status = open_file(input, err);
    if (status == CC_OK)
        status = open_dataset(input, err);
    if (status != CC_OK) {
        cc_input_close(input);
        return status;
    }
    *out = input;
    return CC_OK;
}

cc_status cc_input_open(const char *path, const char *dataset, MPI_Comm comm, cc_input **out,
                        cc_error *err)
{
    cc_input_choice whole = {dataset, CC_INPUT_NO_INDEX, 0};
    return cc_input_open_choice(path, &whole, comm, out, err);
}

cc_status cc_input_open_local(const char *path, const char *dataset, cc_input **out, cc_error *err)
{
    cc_input_choice whole = {dataset, CC_INPUT_NO_INDEX, 0};
    return cc_input_open_local_choice(path, &whole, out, err);
}

void cc_input_close(cc_input *input)
{
    if (input == NULL)
        return;
    close_handles(input);
    free(input);
}

const long *cc_input_shape(const cc_input *input)
{
    return input->shape;
}

const char *cc_input_type_name(const cc_input *input)
{
    return input->type_name;
}

unsigned long long cc_input_bytes_read(const cc_input *input)
{
    return input->bytes_read;
}

static void describe_layout(hid_t dcpl, cc_dataset_info *info)
{
    H5D_layout_t layout = H5Pget_layout(dcpl);
    snprintf(info->layout, sizeof info->layout, "%s",
             layout == H5D_CHUNKED   ? "chunked"
             : layout == H5D_COMPACT ? "compact"
                                     : "contiguous");
    if (layout == H5D_CHUNKED) {
        hsize_t chunk[8];
        info->chunk_rank = H5Pget_chunk(dcpl, 8, chunk);
        for (int d = 0; d < info->chunk_rank; d++)
            info->chunk[d] = (long)chunk[d];
    }
    cc_filters_describe(dcpl, info->filters, sizeof info->filters);
}

cc_status cc_input_describe(const cc_input *input, cc_dataset_info *info, cc_error *err)
{
    memset(info, 0, sizeof *info);
    hid_t space = H5Dget_space(input->dataset);
    hsize_t dims[8];
    info->rank = H5Sget_simple_extent_dims(space, dims, NULL);
    H5Sclose(space);
    for (int d = 0; d < info->rank && d < 8; d++)
        info->shape[d] = (long)dims[d];
    hid_t type = H5Dget_type(input->dataset);
    cc_hdf5_type_name(type, info->type_name, sizeof info->type_name);
    H5Tclose(type);
    hid_t dcpl = H5Dget_create_plist(input->dataset);
    if (dcpl < 0)
        return cc_fail(err, CC_ERR_INPUT, "cannot read the layout of '%s'", input->name);
    describe_layout(dcpl, info);
    H5Pclose(dcpl);
    return CC_OK;
}

/* Attribute name of the dataset as three positive finite numbers: 0 when
 * it is absent, 1 when read into out, -1 (err filled) when it is there but
 * not such numbers. */
static int spacing_attribute(const cc_input *input, const char *name, double out[3], cc_error *err)
{
    htri_t exists = H5Aexists(input->dataset, name);
    if (exists == 0)
        return 0;
    hid_t attribute = exists > 0 ? H5Aopen(input->dataset, name, H5P_DEFAULT) : -1;
    if (attribute < 0) {
        cc_fail(err, CC_ERR_INPUT, "cannot read attribute '%s' of dataset '%s' in '%s'", name,
                input->name, input->path);
        return -1;
    }
    hid_t type = H5Aget_type(attribute), space = H5Aget_space(attribute);
    H5T_class_t type_class = H5Tget_class(type);
    hssize_t points = H5Sget_simple_extent_npoints(space);
    char type_text[64];
    cc_hdf5_type_name(type, type_text, sizeof type_text);
    int result = -1;
    if (type_class != H5T_INTEGER && type_class != H5T_FLOAT)
        cc_fail(err, CC_ERR_INPUT,
                "attribute '%s' of dataset '%s' in '%s' is not numeric (%s); the voxel spacing "
                "needs three positive numbers",
                name, input->name, input->path, type_text);
    else if (points != 3)
        cc_fail(err, CC_ERR_INPUT,
                "attribute '%s' of dataset '%s' in '%s' holds %lld value%s; the voxel spacing "
                "needs three positive numbers, one per axis",
                name, input->name, input->path, (long long)points, points == 1 ? "" : "s");
    else if (H5Aread(attribute, H5T_NATIVE_DOUBLE, out) < 0)
        cc_fail(err, CC_ERR_INPUT, "cannot read attribute '%s' of dataset '%s' in '%s'", name,
                input->name, input->path);
    else if (!(isfinite(out[0]) && isfinite(out[1]) && isfinite(out[2]) && out[0] > 0 &&
               out[1] > 0 && out[2] > 0))
        cc_fail(err, CC_ERR_INPUT,
                "attribute '%s' of dataset '%s' in '%s' is %g, %g, %g; the voxel spacing needs "
                "three positive finite numbers",
                name, input->name, input->path, out[0], out[1], out[2]);
    else
        result = 1;
    H5Sclose(space);
    H5Tclose(type);
    H5Aclose(attribute);
    return result;
}

cc_status cc_input_spacing(const cc_input *input, double spacing[3], int *found, char *source,
                           size_t source_size, cc_error *err)
{
    /* ImageJ's name first: a file that has both was most likely written
     * for ImageJ, and `spacing` is the generic fallback. */
    static const char *const names[] = {"element_size_um", "spacing"};
    cc_status status = CC_OK;
    *found = 0;
    for (size_t n = 0; n < sizeof names / sizeof *names && !*found && status == CC_OK; n++) {
        int read = spacing_attribute(input, names[n], spacing, err);
        if (read < 0)
            status = CC_ERR_INPUT;
        else if (read > 0) {
            *found = 1;
            if (source_size > 0)
                snprintf(source, source_size, "%s", names[n]);
        }
    }
    /* Every rank read the same attribute; agreeing costs one reduction and
     * keeps the promise of one answer should a read fail on one rank. */
    status = cc_agree(input->comm, status, err);
    if (status != CC_OK || !*found) {
        *found = 0;
        spacing[0] = spacing[1] = spacing[2] = 1.0;
        if (source_size > 0)
            source[0] = '\0';
    }
    return status;
}

static void to_hsize(const long in[3], hsize_t out[3])
{
    for (int d = 0; d < 3; d++)
        out[d] = (hsize_t)in[d];
}

/* Datasets whose filters HDF5 1.10's collective reads mishandle
 * (cc_filters_collective_safe: h5py's LZF chunks stored as they were fail
 * there) are read independently; every rank still makes the call. */
static H5FD_mpio_xfer_t transfer_mode(const cc_input *input, int collective)
{
    return collective && !input->independent ? H5FD_MPIO_COLLECTIVE : H5FD_MPIO_INDEPENDENT;
}

/* One H5Dread of box into the volume's storage. */
static herr_t read_box(cc_input *input, const cc_box *box, cc_volume *volume, int collective)
{
    const cc_box *held = cc_volume_box(volume);
    hsize_t held_count[3], offset[3], count[3];
    to_hsize(held->count, held_count);
    to_hsize(box->count, count);
    int empty = cc_box_is_empty(box);
    for (int d = 0; d < 3; d++)
        offset[d] = empty ? 0 : (hsize_t)(box->lo[d] - held->lo[d]);
    hid_t memory = memory_space(input, held_count);
    hid_t file_space = H5Dget_space(input->dataset);
    if (empty) {
        H5Sselect_none(memory);
        H5Sselect_none(file_space);
    } else {
        hsize_t file_offset[3];
        to_hsize(box->lo, file_offset);
        select_box(input, memory, offset, count, 0);
        select_box(input, file_space, file_offset, count, (hsize_t)input->index);
    }
    hid_t transfer = H5Pcreate(H5P_DATASET_XFER);
    if (input->comm != MPI_COMM_NULL)
        H5Pset_dxpl_mpio(transfer, transfer_mode(input, collective));
    hid_t memory_type =
        cc_volume_precision(volume) == CC_DOUBLE ? H5T_NATIVE_DOUBLE : H5T_NATIVE_FLOAT;
    errno = 0;
    herr_t result = H5Dread(input->dataset, memory_type, memory, file_space, transfer,
                            cc_volume_values(volume));
    if (result < 0)
        cc_hdf5_reason(input->path, errno, input->failure, sizeof input->failure);
    H5Pclose(transfer);
    H5Sclose(file_space);
    H5Sclose(memory);
    return result;
}

/* ---- a volume stored in another axis order than the file's ------------ */

static int is_identity(const int order[3])
{
    return order[0] == 0 && order[1] == 1 && order[2] == 2;
}

/* How a permuted read cuts its file box into pieces that fit the buffer.
 * Along file axis d the pieces end at origin[d] + k * step[d].  The slowest
 * axis is cut first, so a piece of a contiguous dataset is a few long runs
 * of the file.  On a chunked dataset the pieces follow the chunk grid
 * (origin 0, steps in whole chunks) whenever one chunk fits the buffer, so
 * each chunk lies in one piece and is decompressed once: where a slab of
 * whole chunks along x is too big, a piece is a chunk's x extent by some
 * chunk rows along y, and so on. */
typedef struct piece_plan {
    cc_box file; /* the whole file box */
    long origin[3], step[3];
    long first[3]; /* k of the first piece along each axis */
    long count[3]; /* pieces along each axis */
    long total;    /* pieces in all; 0 for an empty box */
    size_t voxels; /* the largest piece's, never above the budget */
} piece_plan;

/* fit units in one piece; whole chunks of chunk units when one fits. */
static long fit_step(long fit, long chunk)
{
    if (fit < 1)
        return 1;
    if (chunk > 0 && fit >= chunk)
        fit -= fit % chunk;
    return fit;
}

static void plan_pieces(const cc_input *input, const cc_box *file, size_t budget, piece_plan *plan)
{
    const long *c = file->count;
    memset(plan, 0, sizeof *plan);
    plan->file = *file;
    if (cc_box_is_empty(file))
        return; /* no pieces */
    long max = budget > (size_t)LONG_MAX ? LONG_MAX : (long)(budget > 0 ? budget : 1);
    /* The least a piece spans along each axis: a whole chunk (pieces on
     * the chunk grid) where one chunk fits, else a plane, a row, a voxel. */
    long unit[3] = {1, 1, 1};
    int aligned = input->chunk[0] > 0;
    for (int d = 0; d < 3 && aligned; d++)
        unit[d] = input->chunk[d] < c[d] ? input->chunk[d] : c[d];
    if (aligned && (double)unit[0] * (double)unit[1] * (double)unit[2] > (double)max) {
        aligned = 0;
        unit[0] = unit[1] = unit[2] = 1;
    }
    /* The one axis cut into several units per piece: the first along which
     * one unit, with units before it and all after it, fits the budget. */
    double fits = (double)max;
    int cut = (double)unit[0] * (double)c[1] * (double)c[2] <= fits      ? 0
              : (double)unit[0] * (double)unit[1] * (double)c[2] <= fits ? 1
                                                                         : 2;
    long inner = 1;
    for (int d = 0; d < 3; d++)
        inner *= d < cut ? unit[d] : d > cut ? c[d] : 1;
    plan->total = 1;
    plan->voxels = 1;
    for (int d = 0; d < 3; d++) {
        long chunk = aligned ? input->chunk[d] : 0;
        long step = d < cut    ? (aligned ? chunk : 1)
                    : d == cut ? fit_step(max / inner, chunk)
                               : c[d];
        plan->step[d] = step;
        plan->origin[d] = d <= cut && aligned ? 0 : file->lo[d];
        long last = file->lo[d] + c[d] - 1;
        plan->first[d] = (file->lo[d] - plan->origin[d]) / step;
        plan->count[d] = (last - plan->origin[d]) / step - plan->first[d] + 1;
        plan->total *= plan->count[d];
        plan->voxels *= (size_t)(step < c[d] ? step : c[d]);
    }
}

/* Piece p (0 <= p < total) of the plan, a box of the file. */
static cc_box plan_piece(const piece_plan *plan, long p)
{
    cc_box piece;
    long index[3] = {p / (plan->count[1] * plan->count[2]), p / plan->count[2] % plan->count[1],
                     p % plan->count[2]};
    for (int d = 0; d < 3; d++) {
        long k = plan->first[d] + index[d];
        long lo = plan->origin[d] + k * plan->step[d], hi = lo + plan->step[d];
        long box_hi = plan->file.lo[d] + plan->file.count[d];
        lo = lo > plan->file.lo[d] ? lo : plan->file.lo[d];
        hi = hi < box_hi ? hi : box_hi;
        piece.lo[d] = lo;
        piece.count[d] = hi - lo;
    }
    return piece;
}

/* One H5Dread of a file box into buffer, in the box's C order; an empty
 * box is this rank's empty share of a collective read. */
static herr_t read_piece(cc_input *input, const cc_box *piece, void *buffer, hid_t memory_type,
                         int collective)
{
    int empty = cc_box_is_empty(piece);
    hsize_t offset[3], count[3];
    for (int d = 0; d < 3; d++) {
        offset[d] = empty ? 0 : (hsize_t)piece->lo[d];
        count[d] = empty ? 1 : (hsize_t)piece->count[d];
    }
    hid_t memory = memory_space(input, count);
    hid_t file_space = H5Dget_space(input->dataset);
    if (empty) {
        H5Sselect_none(memory);
        H5Sselect_none(file_space);
    } else {
        select_box(input, file_space, offset, count, (hsize_t)input->index);
    }
    hid_t transfer = H5Pcreate(H5P_DATASET_XFER);
    if (input->comm != MPI_COMM_NULL)
        H5Pset_dxpl_mpio(transfer, transfer_mode(input, collective));
    double nothing; /* HDF5 wants a buffer even for an empty selection */
    errno = 0;
    herr_t result = H5Dread(input->dataset, memory_type, memory, file_space, transfer,
                            buffer != NULL ? buffer : &nothing);
    if (result < 0)
        cc_hdf5_reason(input->path, errno, input->failure, sizeof input->failure);
    H5Pclose(transfer);
    H5Sclose(file_space);
    H5Sclose(memory);
    return result;
}

/* The transpose turns tiles of CC_TILE x CC_TILE values: both sides of a tile
 * (8 KiB of floats, 16 KiB of doubles) stay in L1 while it is turned. */
#define CC_TILE 32

/* Tile [a0, a1) x [b0, b1) of plane i: in holds the piece in file C order
 * (file z contiguous), out the volume (file axis f contiguous). */
#define CC_TURN_TILE(type)                                                                         \
    for (long b = b0; b < b1; b++) {                                                               \
        const type *from = (const type *)in + i * in_stride[o] + b;                                \
        type *to = (type *)out + i * out_stride[o] + b * out_stride[2];                            \
        for (long a = a0; a < a1; a++)                                                             \
            to[a] = from[a * in_stride[f]];                                                        \
    }

/* Copies piece (a file box whose values buffer holds in file C order) to
 * its place in the volume's stored C order.  Threads take whole rows or
 * tiles, so none writes where another does. */
static void scatter_piece(const cc_box *piece, const void *buffer, cc_volume *volume)
{
    const int *order = cc_volume_axis_order(volume);
    const cc_box *held = cc_volume_box(volume);
    int is_double = cc_volume_precision(volume) == CC_DOUBLE;
    size_t size = is_double ? sizeof(double) : sizeof(float);
    const long held_stride[3] = {held->count[1] * held->count[2], held->count[2], 1};
    const long in_stride[3] = {piece->count[1] * piece->count[2], piece->count[2], 1};
    long out_stride[3], base = 0; /* by file axis */
    for (int a = 0; a < 3; a++) {
        out_stride[order[a]] = held_stride[a];
        base += (piece->lo[order[a]] - held->lo[a]) * held_stride[a];
    }
    const char *in = buffer;
    char *out = (char *)cc_volume_values(volume) + (size_t)base * size;
    const long *n = piece->count;
    int threads = cc_box_voxels(piece) >= 32768; /* else waking them costs more */
    if (order[2] == 2) {
        /* file z is contiguous on both sides: rows copy as they are */
#pragma omp parallel for collapse(2) schedule(static) if (threads)
        for (long i = 0; i < n[0]; i++)
            for (long j = 0; j < n[1]; j++)
                memcpy(out + (size_t)(i * out_stride[0] + j * out_stride[1]) * size,
                       in + (size_t)(i * in_stride[0] + j * in_stride[1]) * size,
                       (size_t)n[2] * size);
        return;
    }
    int f = order[2], o = 1 - f; /* the volume's contiguous file axis, the other one */
#pragma omp parallel for collapse(3) schedule(static) if (threads)
    for (long i = 0; i < n[o]; i++)
        for (long a0 = 0; a0 < n[f]; a0 += CC_TILE)
            for (long b0 = 0; b0 < n[2]; b0 += CC_TILE) {
                long a1 = a0 + CC_TILE < n[f] ? a0 + CC_TILE : n[f];
                long b1 = b0 + CC_TILE < n[2] ? b0 + CC_TILE : n[2];
                if (is_double) {
                    CC_TURN_TILE(double)
                } else {
                    CC_TURN_TILE(float)
                }
            }
}

/* Reads box (stored axes) of a volume stored in another axis order: piece
 * by piece of the file box through one bounded buffer, each piece turned
 * into place, so the peak is the volume plus the buffer.
 *
 * Collective reads: HDF5 needs every rank of the communicator in each
 * collective H5Dread, and the ranks' boxes, hence their piece counts,
 * differ.  The ranks agree on the largest count (one MPI_Allreduce) and a
 * rank out of pieces, or out of memory for its buffer, or whose read
 * failed, joins with an empty selection.  Reading independently would need
 * no agreement, but would give up the two-phase collective buffering that
 * turns many ranks' bricks into a few large requests on a parallel file
 * system.  Every rank must hold its volume in the same order (the camera
 * decides it for all), since the identity path makes one call. */
static cc_status read_permuted(cc_input *input, const cc_box *box, cc_volume *volume,
                               int collective, cc_error *err)
{
    const int *order = cc_volume_axis_order(volume);
    int is_double = cc_volume_precision(volume) == CC_DOUBLE;
    size_t size = is_double ? sizeof(double) : sizeof(float);
    cc_box file = *box;
    for (int a = 0; a < 3; a++) {
        file.lo[order[a]] = box->lo[a];
        file.count[order[a]] = box->count[a];
    }
    piece_plan plan;
    plan_pieces(input, &file, input->piece_bytes / size, &plan);
    void *buffer = plan.total > 0 ? cc_values_allocate(plan.voxels * size) : NULL;
    int no_memory = plan.total > 0 && buffer == NULL;
    long calls = no_memory ? 0 : plan.total;
    if (collective)
        MPI_Allreduce(MPI_IN_PLACE, &calls, 1, MPI_LONG, MPI_MAX, input->comm);
    hid_t memory_type = is_double ? H5T_NATIVE_DOUBLE : H5T_NATIVE_FLOAT;
    herr_t result = 0;
    for (long p = 0; p < calls && (collective || result >= 0); p++) {
        int mine = !no_memory && result >= 0 && p < plan.total;
        cc_box piece = {{0, 0, 0}, {0, 0, 0}};
        if (mine)
            piece = plan_piece(&plan, p);
        herr_t status = read_piece(input, &piece, buffer, memory_type, collective);
        if (status < 0)
            result = status;
        else if (mine)
            scatter_piece(&piece, buffer, volume);
    }
    free(buffer);
    if (no_memory)
        return cc_fail(err, CC_ERR_NOMEM, "cannot allocate %.1f MiB to read '%s' through",
                       (double)(plan.voxels * size) / 1048576.0, input->name);
    if (result < 0)
        return cc_fail(err, CC_ERR_INPUT, "cannot read dataset '%s' from '%s': %s", input->name,
                       input->path, input->failure);
    input->bytes_read += cc_box_voxels(box) * input->file_type_size;
    return CC_OK;
}

void cc_input_set_piece_bytes(cc_input *input, size_t bytes)
{
    input->piece_bytes = bytes > 0 ? bytes : CC_PIECE_BYTES;
}

cc_status cc_input_read(cc_input *input, const cc_box *box, cc_volume *volume, int collective,
                        cc_error *err)
{
    if (!is_identity(cc_volume_axis_order(volume)))
        return read_permuted(input, box, volume, collective, err);
    herr_t result = 0;
    if (collective || cc_box_is_empty(box)) {
        result = read_box(input, box, volume, collective);
    } else {
        /* Independent MPI-IO reads of 2 GiB or more fail in this HDF5 and
         * Open MPI; x slabs of at most 256 MiB go through, and cost nothing
         * extra for the contiguous slabs independent reads are used for. */
        size_t plane_bytes = (size_t)box->count[1] * (size_t)box->count[2] *
                             cc_precision_size(cc_volume_precision(volume));
        long planes = (long)((256u << 20) / (plane_bytes > 0 ? plane_bytes : 1));
        planes = planes < 1 ? 1 : planes;
        for (long x = 0; x < box->count[0] && result >= 0; x += planes) {
            cc_box slab = *box;
            slab.lo[0] = box->lo[0] + x;
            slab.count[0] = x + planes <= box->count[0] ? planes : box->count[0] - x;
            result = read_box(input, &slab, volume, 0);
        }
    }
    if (result < 0)
        return cc_fail(err, CC_ERR_INPUT, "cannot read dataset '%s' from '%s': %s", input->name,
                       input->path, input->failure);
    input->bytes_read += cc_box_voxels(box) * input->file_type_size;
    return CC_OK;
}
