/* input.c - reading the datacube through parallel HDF5 (input.h). */
#include "cubecast/input.h"

#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cubecast/collective.h"

/* The kernel addresses one (y, z) plane with 32-bit offsets. */
#define CC_MAX_PLANE_VOXELS 2147483647L

struct cc_input {
    hid_t file;
    hid_t dataset;
    size_t file_type_size;
    char type_name[64];
    long shape[3];
    unsigned long long bytes_read;
    MPI_Comm comm;
    char path[4096];
    char name[1024];
};

static void type_name(hid_t type, char *out, size_t out_size);

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
static cc_status check_file(const char *path, cc_error *err)
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
    input->file = H5Fopen(input->path, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    if (input->file < 0)
        return cc_fail(err, CC_ERR_INPUT, "cannot open HDF5 file '%s'", input->path);
    return CC_OK;
}

static void describe_shape(hid_t space, char *out, size_t out_size)
{
    hsize_t dims[H5S_MAX_RANK];
    int rank = H5Sget_simple_extent_dims(space, dims, NULL);
    size_t used = 0;
    out[0] = '\0';
    for (int d = 0; d < rank && used < out_size; d++)
        used += (size_t)snprintf(out + used, out_size - used, "%s%llu", d ? " x " : "",
                                 (unsigned long long)dims[d]);
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
    type_name(type, input->type_name, sizeof input->type_name);
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
    describe_shape(space, shape_text, sizeof shape_text);
    H5Sclose(space);
    if (rank != 3)
        return cc_fail(
            err, CC_ERR_INPUT,
            "dataset '%s' in '%s' has %d dimension%s (shape %s); a 3D datacube is needed", name,
            input->path, rank, rank == 1 ? "" : "s", shape_text);
    for (int d = 0; d < 3; d++) {
        if (dims[d] < 2)
            return cc_fail(err, CC_ERR_INPUT,
                           "dataset '%s' in '%s' has shape %s; every axis needs at least 2 points",
                           name, input->path, shape_text);
        input->shape[d] = (long)dims[d];
    }
    if ((double)dims[1] * (double)dims[2] > (double)CC_MAX_PLANE_VOXELS)
        return cc_fail(
            err, CC_ERR_INPUT,
            "dataset '%s' in '%s' has shape %s; a y-z plane may hold at most 2^31 voxels", name,
            input->path, shape_text);
    return CC_OK;
}

cc_status cc_input_open(const char *path, const char *dataset, MPI_Comm comm, cc_input **out,
                        cc_error *err)
{
    /* Failures are reported through cc_error, once; HDF5's own error stack
     * would print a page per rank. */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    cc_input *input = calloc(1, sizeof *input);
    cc_status status = input == NULL ? cc_fail(err, CC_ERR_NOMEM, "out of memory") : CC_OK;
    if (status == CC_OK) {
        input->file = input->dataset = -1;
        input->comm = comm;
        if (strlen(path) >= sizeof input->path || strlen(dataset) >= sizeof input->name)
            status = cc_fail(err, CC_ERR_USAGE, "input path or dataset name too long");
        else {
            strcpy(input->path, path);
            strcpy(input->name, dataset);
            status = check_file(path, err);
        }
    }
    if ((status = cc_agree(comm, status, err)) != CC_OK)
        goto fail;
    status = cc_agree(comm, open_file(input, err), err);
    if (status != CC_OK)
        goto fail;
    status = cc_agree(comm, open_dataset(input, err), err);
    if (status != CC_OK)
        goto fail;
    *out = input;
    return CC_OK;
fail:
    if (input != NULL)
        close_handles(input);
    free(input);
    return status;
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

static void type_name(hid_t type, char *out, size_t out_size)
{
    size_t bits = H5Tget_size(type) * 8;
    switch (H5Tget_class(type)) {
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
        snprintf(out, out_size, "other (%zu bytes)", bits / 8);
        break;
    }
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
    int filters = H5Pget_nfilters(dcpl);
    size_t used = 0;
    for (int f = 0; f < filters && used < sizeof info->filters; f++) {
        unsigned flags, values[8];
        size_t value_count = 8;
        char name[64] = "";
        H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)f, &flags, &value_count, values,
                                         sizeof name, name, NULL);
        if (id == H5Z_FILTER_DEFLATE && value_count > 0)
            used += (size_t)snprintf(info->filters + used, sizeof info->filters - used,
                                     "%sdeflate(%u)", f ? ", " : "", values[0]);
        else
            used += (size_t)snprintf(info->filters + used, sizeof info->filters - used, "%s%s",
                                     f ? ", " : "", name[0] ? name : "filter");
    }
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
    type_name(type, info->type_name, sizeof info->type_name);
    H5Tclose(type);
    hid_t dcpl = H5Dget_create_plist(input->dataset);
    if (dcpl < 0)
        return cc_fail(err, CC_ERR_INPUT, "cannot read the layout of '%s'", input->name);
    describe_layout(dcpl, info);
    H5Pclose(dcpl);
    return CC_OK;
}

static void to_hsize(const long in[3], hsize_t out[3])
{
    for (int d = 0; d < 3; d++)
        out[d] = (hsize_t)in[d];
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
    hid_t memory = H5Screate_simple(3, held_count, NULL);
    hid_t file_space = H5Dget_space(input->dataset);
    if (empty) {
        H5Sselect_none(memory);
        H5Sselect_none(file_space);
    } else {
        hsize_t file_offset[3];
        to_hsize(box->lo, file_offset);
        H5Sselect_hyperslab(memory, H5S_SELECT_SET, offset, NULL, count, NULL);
        H5Sselect_hyperslab(file_space, H5S_SELECT_SET, file_offset, NULL, count, NULL);
    }
    hid_t transfer = H5Pcreate(H5P_DATASET_XFER);
    H5Pset_dxpl_mpio(transfer, collective ? H5FD_MPIO_COLLECTIVE : H5FD_MPIO_INDEPENDENT);
    hid_t memory_type =
        cc_volume_precision(volume) == CC_DOUBLE ? H5T_NATIVE_DOUBLE : H5T_NATIVE_FLOAT;
    herr_t result = H5Dread(input->dataset, memory_type, memory, file_space, transfer,
                            cc_volume_values(volume));
    H5Pclose(transfer);
    H5Sclose(file_space);
    H5Sclose(memory);
    return result;
}

cc_status cc_input_read(cc_input *input, const cc_box *box, cc_volume *volume, int collective,
                        cc_error *err)
{
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
        return cc_fail(err, CC_ERR_INPUT, "cannot read dataset '%s' from '%s'", input->name,
                       input->path);
    input->bytes_read += cc_box_voxels(box) * input->file_type_size;
    return CC_OK;
}

typedef struct list_context {
    void (*visit)(const char *name, const char *what, void *context);
    void *context;
} list_context;

static herr_t list_object(hid_t object, const char *name, const H5O_info_t *info, void *data)
{
    list_context *list = data;
    char what[256] = "group";
    if (info->type == H5O_TYPE_DATASET) {
        hid_t dataset = H5Dopen2(object, name, H5P_DEFAULT);
        hid_t type = H5Dget_type(dataset), space = H5Dget_space(dataset);
        char shape[128], type_text[64];
        describe_shape(space, shape, sizeof shape);
        type_name(type, type_text, sizeof type_text);
        snprintf(what, sizeof what, "dataset %s %s", type_text, shape[0] ? shape : "scalar");
        H5Sclose(space);
        H5Tclose(type);
        H5Dclose(dataset);
    } else if (info->type != H5O_TYPE_GROUP) {
        snprintf(what, sizeof what, "other");
    }
    if (strcmp(name, ".") != 0)
        list->visit(name, what, list->context);
    return 0;
}

cc_status cc_input_list(const char *path,
                        void (*visit)(const char *name, const char *what, void *context),
                        void *context, cc_error *err)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    cc_status status = check_file(path, err);
    if (status != CC_OK)
        return status;
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0)
        return cc_fail(err, CC_ERR_INPUT, "cannot open HDF5 file '%s'", path);
    list_context list = {visit, context};
    herr_t result = H5Ovisit(file, H5_INDEX_NAME, H5_ITER_NATIVE, list_object, &list);
    H5Fclose(file);
    if (result < 0)
        return cc_fail(err, CC_ERR_INPUT, "cannot list the objects of '%s'", path);
    return CC_OK;
}
