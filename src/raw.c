/* raw.c - the unquantised results file (raw.h). */
#include "cubecast/raw.h"

#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cubecast/atomic_file.h"
#include "cubecast/collective.h"
#include "cubecast/hdf5_reason.h"

struct cc_raw {
    MPI_Comm comm;
    hid_t file, frames, transmittance, angles, frame_index, projection;
    int first_frame, size;
    cc_precision precision;
    void *buffer; /* one frame's colour (or transmittance) in the compute precision */
    char path[4096];
    char temporary[4200];
};

static hid_t create_dataset(hid_t file, const char *name, hid_t type, int rank, const hsize_t *dims)
{
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t dataset = H5Dcreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Sclose(space);
    return dataset;
}

static void write_attribute(hid_t file, const char *name, hid_t type, const void *value)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attribute = H5Acreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attribute, type, value);
    H5Aclose(attribute);
    H5Sclose(space);
}

/* A variable-length UTF-8 string, which h5py reads as str (a fixed-length
 * one reads back as bytes). */
static void write_text_attribute(hid_t file, const char *name, const char *value)
{
    hid_t text = H5Tcopy(H5T_C_S1);
    H5Tset_size(text, H5T_VARIABLE);
    H5Tset_cset(text, H5T_CSET_UTF8);
    write_attribute(file, name, text, &value);
    H5Tclose(text);
}

/* Closes everything; returns -1 when closing the file failed, which for a
 * file that was written means its last data never reached the disk. */
static int close_all(cc_raw *raw)
{
    hid_t *handles[] = {&raw->frames, &raw->transmittance, &raw->angles, &raw->frame_index,
                        &raw->projection};
    for (size_t h = 0; h < sizeof handles / sizeof handles[0]; h++) {
        if (*handles[h] >= 0)
            H5Dclose(*handles[h]);
        *handles[h] = -1;
    }
    errno = 0;
    herr_t closed = raw->file >= 0 ? H5Fclose(raw->file) : 0;
    raw->file = -1;
    return closed < 0 ? -1 : 0;
}

static cc_status create_file(cc_raw *raw, const cc_render_options *options, long ny, long nz,
                             cc_error *err)
{
    char why[256];
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_mpio(fapl, raw->comm, MPI_INFO_NULL);
    errno = 0;
    raw->file = H5Fcreate(raw->temporary, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (raw->file < 0)
        return cc_fail(err, CC_ERR_OUTPUT, "cannot create raw output '%s': %s", raw->path,
                       cc_hdf5_reason(raw->temporary, errno, why, sizeof why));
    hsize_t slots = (hsize_t)(options->range_end - options->range_begin);
    hsize_t n = (hsize_t)options->size;
    hsize_t frame_dims[4] = {slots, n, n, 3};
    hsize_t transmittance_dims[3] = {slots, n, n};
    hsize_t projection_dims[2] = {(hsize_t)ny, (hsize_t)nz};
    hid_t value_type = raw->precision == CC_DOUBLE ? H5T_IEEE_F64LE : H5T_IEEE_F32LE;
    errno = 0;
    raw->frames = create_dataset(raw->file, "frames", value_type, 4, frame_dims);
    raw->transmittance =
        create_dataset(raw->file, "transmittance", value_type, 3, transmittance_dims);
    raw->angles = create_dataset(raw->file, "angles", H5T_IEEE_F64LE, 1, &slots);
    raw->frame_index = create_dataset(raw->file, "frame_index", H5T_STD_I32LE, 1, &slots);
    raw->projection = create_dataset(raw->file, "projection", H5T_IEEE_F64LE, 2, projection_dims);
    if (raw->frames < 0 || raw->transmittance < 0 || raw->angles < 0 || raw->frame_index < 0 ||
        raw->projection < 0)
        return cc_fail(err, CC_ERR_OUTPUT, "cannot create datasets in raw output '%s': %s",
                       raw->path, cc_hdf5_reason(raw->temporary, errno, why, sizeof why));
    write_attribute(raw->file, "size", H5T_NATIVE_INT, &options->size);
    write_attribute(raw->file, "frames", H5T_NATIVE_INT, &options->frames);
    write_attribute(raw->file, "start_deg", H5T_NATIVE_DOUBLE, &options->start_deg);
    write_attribute(raw->file, "sweep_deg", H5T_NATIVE_DOUBLE, &options->sweep_deg);
    write_text_attribute(raw->file, "precision", cc_precision_name(raw->precision));
    /* How the PNGs show the frames (design.md section 5). */
    cc_output_format format = {
        options->bit_depth,
        options->transparent,
        {options->background[0], options->background[1], options->background[2]}};
    char background[32];
    cc_output_background_name(&format, background, sizeof background);
    write_attribute(raw->file, "bit_depth", H5T_NATIVE_INT, &options->bit_depth);
    write_text_attribute(raw->file, "background", background);
    /* The text attributes live in a global heap; written out now, while
     * there is room, a disk that fills up later leaves nothing of it for
     * the close to allocate (a failed close leaves HDF5 unable to shut
     * down cleanly). */
    errno = 0;
    if (H5Fflush(raw->file, H5F_SCOPE_LOCAL) < 0)
        return cc_fail(err, CC_ERR_OUTPUT, "cannot write raw output '%s': %s", raw->path,
                       cc_hdf5_reason(raw->temporary, errno, why, sizeof why));
    return CC_OK;
}

cc_status cc_raw_create(const char *path, MPI_Comm comm, const cc_render_options *options, long ny,
                        long nz, cc_raw **out, cc_error *err)
{
    cc_raw *raw = calloc(1, sizeof *raw);
    if (raw == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    raw->comm = comm;
    raw->file = raw->frames = raw->transmittance = raw->angles = raw->frame_index =
        raw->projection = -1;
    raw->first_frame = options->range_begin;
    raw->size = options->size;
    raw->precision = options->precision;
    snprintf(raw->path, sizeof raw->path, "%s", path);
    /* One temporary name for all ranks: rank 0's. */
    int rank;
    MPI_Comm_rank(comm, &rank);
    if (rank == 0)
        cc_temporary_name(path, raw->temporary, sizeof raw->temporary);
    MPI_Bcast(raw->temporary, (int)sizeof raw->temporary, MPI_CHAR, 0, comm);
    size_t frame_values = (size_t)options->size * (size_t)options->size * 3;
    raw->buffer = malloc(frame_values * cc_precision_size(raw->precision));
    cc_status status = raw->buffer == NULL ? cc_fail(err, CC_ERR_NOMEM, "out of memory")
                                           : create_file(raw, options, ny, nz, err);
    status = cc_agree(comm, status, err);
    if (status != CC_OK) {
        close_all(raw);
        if (rank == 0)
            remove(raw->temporary);
        free(raw->buffer);
        free(raw);
        return status;
    }
    *out = raw;
    return CC_OK;
}

/* Every HDF5 call clears the error stack, so a failure's reason is kept
 * (in why) at once, before the clean-up calls that follow it. */
static herr_t write_element(hid_t dataset, hsize_t index, hid_t memory_type, const void *value,
                            const char *file, char *why, size_t why_size)
{
    hid_t space = H5Dget_space(dataset);
    hsize_t one = 1;
    H5Sselect_hyperslab(space, H5S_SELECT_SET, &index, NULL, &one, NULL);
    hid_t memory = H5Screate_simple(1, &one, NULL);
    errno = 0;
    herr_t result = H5Dwrite(dataset, memory_type, memory, space, H5P_DEFAULT, value);
    if (result < 0)
        cc_hdf5_reason(file, errno, why, why_size);
    H5Sclose(memory);
    H5Sclose(space);
    return result;
}

cc_status cc_raw_write_frame(cc_raw *raw, int frame, double angle_deg, const cc_image *image,
                             cc_error *err)
{
    hsize_t slot = (hsize_t)(frame - raw->first_frame), n = (hsize_t)raw->size;
    size_t values = (size_t)n * (size_t)n * 3;
    hid_t memory_type = raw->precision == CC_DOUBLE ? H5T_NATIVE_DOUBLE : H5T_NATIVE_FLOAT;
    if (raw->precision == CC_DOUBLE)
        memcpy(raw->buffer, image->colour, values * sizeof(double));
    else
        for (size_t v = 0; v < values; v++)
            ((float *)raw->buffer)[v] = (float)image->colour[v];
    hid_t space = H5Dget_space(raw->frames);
    hsize_t offset[4] = {slot, 0, 0, 0}, count[4] = {1, n, n, 3};
    H5Sselect_hyperslab(space, H5S_SELECT_SET, offset, NULL, count, NULL);
    hid_t memory = H5Screate_simple(4, count, NULL);
    char why[256] = "";
    errno = 0;
    herr_t result = H5Dwrite(raw->frames, memory_type, memory, space, H5P_DEFAULT, raw->buffer);
    if (result < 0)
        cc_hdf5_reason(raw->temporary, errno, why, sizeof why);
    H5Sclose(memory);
    H5Sclose(space);
    /* The transmittance, through the same buffer (a third of its size). */
    size_t pixels = (size_t)n * (size_t)n;
    if (raw->precision == CC_DOUBLE)
        memcpy(raw->buffer, image->transmittance, pixels * sizeof(double));
    else
        for (size_t p = 0; p < pixels; p++)
            ((float *)raw->buffer)[p] = (float)image->transmittance[p];
    space = H5Dget_space(raw->transmittance);
    H5Sselect_hyperslab(space, H5S_SELECT_SET, offset, NULL, count, NULL);
    memory = H5Screate_simple(3, count, NULL);
    errno = 0;
    if (result >= 0 && (result = H5Dwrite(raw->transmittance, memory_type, memory, space,
                                          H5P_DEFAULT, raw->buffer)) < 0)
        cc_hdf5_reason(raw->temporary, errno, why, sizeof why);
    H5Sclose(memory);
    H5Sclose(space);
    int32_t number = frame;
    if (result >= 0)
        result = write_element(raw->angles, slot, H5T_NATIVE_DOUBLE, &angle_deg, raw->temporary,
                               why, sizeof why);
    if (result >= 0)
        result = write_element(raw->frame_index, slot, H5T_NATIVE_INT32, &number, raw->temporary,
                               why, sizeof why);
    if (result < 0)
        return cc_fail(err, CC_ERR_OUTPUT, "cannot write frame %d to '%s': %s", frame, raw->path,
                       why);
    return CC_OK;
}

cc_status cc_raw_write_projection(cc_raw *raw, const double *projection, cc_error *err)
{
    errno = 0;
    if (H5Dwrite(raw->projection, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, projection) <
        0) {
        char why[256];
        return cc_fail(err, CC_ERR_OUTPUT, "cannot write the projection to '%s': %s", raw->path,
                       cc_hdf5_reason(raw->temporary, errno, why, sizeof why));
    }
    return CC_OK;
}

cc_status cc_raw_close(cc_raw *raw, int commit, cc_error *err)
{
    int rank;
    MPI_Comm_rank(raw->comm, &rank);
    cc_status status = CC_OK;
    char why[256];
    if (close_all(raw) != 0 && commit)
        status = cc_fail(err, CC_ERR_OUTPUT, "cannot finish writing raw output '%s': %s", raw->path,
                         cc_hdf5_reason(raw->temporary, errno, why, sizeof why));
    /* Every rank's part must be on disk before the file takes its name. */
    status = cc_agree(raw->comm, status, err);
    if (rank == 0) {
        if (commit && status == CC_OK && rename(raw->temporary, raw->path) != 0)
            status = cc_fail(err, CC_ERR_OUTPUT, "cannot rename '%s' to '%s': %s", raw->temporary,
                             raw->path, strerror(errno));
        if (!commit || status != CC_OK)
            remove(raw->temporary);
    }
    status = cc_agree(raw->comm, status, err);
    free(raw->buffer);
    free(raw);
    return status;
}
