/* test_input.c - a volume stored in another axis order than the file's
 * (issue 11): the transposed read, the projection and checksum that do not
 * depend on the order, and the voxel spacing read from the dataset's
 * attributes.  Runs as one process, or under mpiexec, where the ranks read
 * boxes of different sizes (one of them empty) in the same collective calls. */
#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cubecast/input.h"
#include "cubecast/projection.h"
#include "cubecast/volume.h"

enum { NX = 5, NY = 7, NZ = 9, VOXELS = NX * NY * NZ };

/* A dataset large enough that the transpose runs on several threads. */
enum { BX = 40, BY = 50, BZ = 60, BIG = BX * BY * BZ };

/* Every permutation: the camera uses the cyclic ones, the code takes any. */
static const int orders[6][3] = {{0, 1, 2}, {1, 2, 0}, {2, 0, 1}, {0, 2, 1}, {1, 0, 2}, {2, 1, 0}};

static int rank = 0, ranks = 1;
static char folder[256];

/* ---- files --------------------------------------------------------------- */

static uint64_t lcg = 12345;

/* Uniform in [0, 1). */
static double uniform(void)
{
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg >> 11) / 9007199254740992.0;
}

/* The three datasets' values as the file holds them: float32 of magnitudes
 * 1e-4 to 1e4 (so the order of a sum shows in its last bits), float64 with
 * negative values too, int16 that are distinct and partly negative. */
static double truth_f32[VOXELS], truth_f64[VOXELS], truth_i16[VOXELS];

static void make_truth(void)
{
    for (int v = 0; v < VOXELS; v++) {
        truth_f32[v] = (double)(float)exp(uniform() * 18.4 - 9.2);
        truth_f64[v] = (uniform() - 0.3) * exp(uniform() * 10.0);
        truth_i16[v] = (double)(v * 3 - 400);
    }
}

static void write_dataset(hid_t file, const char *name, hid_t file_type, const double *values,
                          const hsize_t *chunk)
{
    hsize_t dims[3] = {NX, NY, NZ};
    hid_t space = H5Screate_simple(3, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (chunk != NULL) {
        H5Pset_chunk(dcpl, 3, chunk);
        H5Pset_deflate(dcpl, 4);
    }
    hid_t dataset = H5Dcreate2(file, name, file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Dwrite(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
    H5Dclose(dataset);
    H5Pclose(dcpl);
    H5Sclose(space);
}

/* A numeric attribute of count values of file_type (NULL values: a string). */
static void put_attribute(hid_t file, const char *dataset_name, const char *name, hid_t file_type,
                          const double *values, hsize_t count)
{
    hid_t dataset = H5Dopen2(file, dataset_name, H5P_DEFAULT);
    if (values == NULL) {
        hid_t type = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR);
        H5Tset_size(type, 6);
        hid_t attribute = H5Acreate2(dataset, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
        H5Awrite(attribute, type, "1 1 2");
        H5Aclose(attribute);
        H5Sclose(space);
        H5Tclose(type);
    } else {
        hid_t space = H5Screate_simple(1, &count, NULL);
        hid_t attribute = H5Acreate2(dataset, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
        H5Awrite(attribute, H5T_NATIVE_DOUBLE, values);
        H5Aclose(attribute);
        H5Sclose(space);
    }
    H5Dclose(dataset);
}

static void write_files(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/cube.h5", folder);
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hsize_t chunk[3] = {2, 3, 4};
    write_dataset(file, "f32", H5T_IEEE_F32LE, truth_f32, NULL);
    write_dataset(file, "f64_gzip", H5T_IEEE_F64BE, truth_f64, chunk);
    write_dataset(file, "i16", H5T_STD_I16LE, truth_i16, NULL);
    {
        hsize_t dims[3] = {BX, BY, BZ};
        float *values = malloc(sizeof *values * BIG);
        for (int v = 0; v < BIG && values != NULL; v++)
            values[v] = (float)v + 0.5f;
        hid_t space = H5Screate_simple(3, dims, NULL);
        hid_t dataset =
            H5Dcreate2(file, "big", H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (values != NULL)
            H5Dwrite(dataset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
        H5Dclose(dataset);
        H5Sclose(space);
        free(values);
    }
    H5Fclose(file);

    snprintf(path, sizeof path, "%s/spacing.h5", folder);
    file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    static const char *const names[] = {
        "none", "element_size_um", "spacing",   "both", "two", "negative",
        "nan",  "string",          "bad_first", "zero"};
    for (size_t n = 0; n < sizeof names / sizeof *names; n++)
        write_dataset(file, names[n], H5T_IEEE_F32LE, truth_f32, NULL);
    const double es[3] = {1, 1, 2.5}, sp[3] = {2, 3, 4}, both_es[3] = {0.5, 2, 3};
    const double both_sp[3] = {4, 5, 6}, two[2] = {1, 2}, negative[3] = {1, -1, 1};
    const double nan3[3] = {1, NAN, 1}, zero[3] = {0, 1, 1}, ones[3] = {1, 1, 1};
    put_attribute(file, "element_size_um", "element_size_um", H5T_IEEE_F32LE, es, 3);
    put_attribute(file, "spacing", "spacing", H5T_STD_I32LE, sp, 3);
    put_attribute(file, "both", "element_size_um", H5T_IEEE_F64LE, both_es, 3);
    put_attribute(file, "both", "spacing", H5T_IEEE_F64LE, both_sp, 3);
    put_attribute(file, "two", "spacing", H5T_IEEE_F64LE, two, 2);
    put_attribute(file, "negative", "element_size_um", H5T_IEEE_F64LE, negative, 3);
    put_attribute(file, "nan", "spacing", H5T_IEEE_F64LE, nan3, 3);
    put_attribute(file, "string", "spacing", 0, NULL, 0);
    put_attribute(file, "bad_first", "element_size_um", H5T_IEEE_F64LE, zero, 3);
    put_attribute(file, "bad_first", "spacing", H5T_IEEE_F64LE, ones, 3);
    put_attribute(file, "zero", "spacing", H5T_STD_U8LE, zero, 3);
    H5Fclose(file);
}

/* ---- boxes in two coordinate systems ------------------------------------- */

static cc_box stored_box(const cc_box *file, const int order[3])
{
    cc_box box;
    for (int a = 0; a < 3; a++) {
        box.lo[a] = file->lo[order[a]];
        box.count[a] = file->count[order[a]];
    }
    return box;
}

/* box grown by one voxel on each side, inside [0, shape). */
static cc_box grown(const cc_box *box, const long shape[3])
{
    cc_box out = *box;
    for (int a = 0; a < 3; a++) {
        long lo = box->lo[a] > 0 ? box->lo[a] - 1 : 0;
        long hi = box->lo[a] + box->count[a] + 1;
        hi = hi < shape[a] ? hi : shape[a];
        out.lo[a] = lo;
        out.count[a] = box->count[a] > 0 ? hi - lo : 0;
    }
    return out;
}

/* The value the volume should hold for file voxel f. */
static double expected(const double *truth, const long f[3], cc_precision precision)
{
    double value = truth[(f[0] * NY + f[1]) * NZ + f[2]];
    return precision == CC_DOUBLE ? value : (double)(float)value;
}

static double held_value(const cc_volume *volume, long v)
{
    const void *values = cc_volume_values_const(volume);
    return cc_volume_precision(volume) == CC_DOUBLE ? ((const double *)values)[v]
                                                    : (double)((const float *)values)[v];
}

/* ---- (a) reading in every order ------------------------------------------ */

/* Reads file box `file` (stored through order) into a volume holding one
 * voxel more around it, and compares every voxel of the volume: the box's
 * with the file, the rest with the fill it was given. */
static void check_read(cc_input *input, const char *name, const double *truth, const int order[3],
                       const cc_box *file, cc_precision precision, size_t piece_bytes,
                       int collective)
{
    const long file_shape[3] = {NX, NY, NZ};
    long shape[3];
    for (int a = 0; a < 3; a++)
        shape[a] = file_shape[order[a]];
    cc_box box = stored_box(file, order), held = grown(&box, shape);
    cc_volume *volume = NULL;
    cc_error err;
    CHECK(cc_volume_create(shape, &held, precision, &volume, &err) == CC_OK);
    if (volume == NULL)
        return;
    cc_volume_set_axis_order(volume, order);
    size_t count = cc_box_voxels(&held);
    for (size_t v = 0; v < count; v++)
        if (precision == CC_DOUBLE)
            ((double *)cc_volume_values(volume))[v] = -1e300;
        else
            ((float *)cc_volume_values(volume))[v] = -1e30f;
    cc_input_set_piece_bytes(input, piece_bytes);
    unsigned long long before = cc_input_bytes_read(input);
    cc_status status = cc_input_read(input, &box, volume, collective, &err);
    CHECK_INT(status, CC_OK);
    CHECK_INT(cc_input_bytes_read(input) - before,
              cc_box_voxels(&box) * (strcmp(name, "f32") == 0 ? 4
                                     : name[0] == 'i'         ? 2
                                                              : 8));
    long wrong = 0;
    for (long i = 0; i < held.count[0]; i++)
        for (long j = 0; j < held.count[1]; j++)
            for (long k = 0; k < held.count[2]; k++) {
                long s[3] = {held.lo[0] + i, held.lo[1] + j, held.lo[2] + k}, f[3];
                int inside = 1;
                for (int a = 0; a < 3; a++) {
                    f[order[a]] = s[a];
                    inside &= s[a] >= box.lo[a] && s[a] < box.lo[a] + box.count[a];
                }
                double want = inside                   ? expected(truth, f, precision)
                              : precision == CC_DOUBLE ? -1e300
                                                       : (double)-1e30f;
                double got = held_value(volume, (i * held.count[1] + j) * held.count[2] + k);
                if (got != want && wrong++ == 0)
                    fprintf(stderr,
                            "rank %d: %s order %d%d%d %s piece %zu%s box %ld,%ld,%ld+%ld,%ld,%ld: "
                            "file voxel %ld,%ld,%ld is %.17g, expected %.17g\n",
                            rank, name, order[0], order[1], order[2],
                            precision == CC_DOUBLE ? "double" : "float", piece_bytes,
                            collective ? " collective" : "", file->lo[0], file->lo[1], file->lo[2],
                            file->count[0], file->count[1], file->count[2], f[0], f[1], f[2], got,
                            want);
            }
    CHECK_INT(wrong, 0);
    cc_volume_destroy(volume);
}

/* Each rank's slab of stored axis 0 (what frames and rows modes read),
 * with a halo plane on each side, as a file box. */
static cc_box rank_slab(const int order[3])
{
    const long file_shape[3] = {NX, NY, NZ};
    cc_box box = {{0, 0, 0}, {NX, NY, NZ}};
    long n = file_shape[order[0]], lo = rank * n / ranks - 1, hi = (rank + 1) * n / ranks + 1;
    lo = lo < 0 ? 0 : lo;
    hi = hi > n ? n : hi;
    box.lo[order[0]] = lo;
    box.count[order[0]] = hi - lo;
    return box;
}

static void test_reads(void)
{
    static const char *const names[3] = {"f32", "f64_gzip", "i16"};
    const double *truths[3] = {truth_f32, truth_f64, truth_i16};
    /* Default (one piece), planes (whole chunks of 2 planes on the chunked
     * dataset), rows, pieces of rows; the buffer holds that many bytes. */
    const size_t pieces[4] = {0, 1000, 100, 20};
    /* File boxes; the fourth differs by rank and is empty on rank 2, the
     * fifth is the rank's slab of the order's first axis. */
    cc_box boxes[5] = {{{0, 0, 0}, {NX, NY, NZ}},
                       {{1, 2, 3}, {3, 4, 5}},
                       {{4, 0, 8}, {1, NY, 1}},
                       {{rank % 2, rank % 3, rank % 4},
                        {NX - rank % 2 - rank % 3, NY - rank % 3, NZ - rank % 4 - rank}}};
    if (rank == 2)
        boxes[3].count[1] = 0;
    /* Under mpiexec the collective reads are the point, and the rank count
     * already multiplies the time. */
    int first_mode = ranks > 1;
    char path[512];
    snprintf(path, sizeof path, "%s/cube.h5", folder);
    for (int d = 0; d < 3; d++) {
        cc_input *input = NULL;
        cc_error err;
        CHECK(cc_input_open(path, names[d], MPI_COMM_WORLD, &input, &err) == CC_OK);
        if (input == NULL)
            continue;
        for (int o = 0; o < 6; o++) {
            boxes[4] = rank_slab(orders[o]);
            for (int p = 0; p < 2; p++)
                for (int s = 0; s < 4; s++)
                    for (int b = 0; b < 5; b++)
                        for (int collective = first_mode; collective < 2; collective++)
                            check_read(input, names[d], truths[d], orders[o], &boxes[b],
                                       p ? CC_DOUBLE : CC_SINGLE, pieces[s], collective);
        }
        cc_input_close(input);
    }
}

/* The big dataset in every order, in one piece and in pieces of 256 KiB,
 * the rank's slab (collectively) and the whole (independently). */
static void test_big_reads(void)
{
    const long file_shape[3] = {BX, BY, BZ};
    char path[512];
    snprintf(path, sizeof path, "%s/cube.h5", folder);
    cc_input *input = NULL;
    cc_error err;
    CHECK(cc_input_open(path, "big", MPI_COMM_WORLD, &input, &err) == CC_OK);
    if (input == NULL)
        return;
    for (int o = 0; o < 6; o++)
        for (int s = 0; s < 2; s++)
            for (int collective = 0; collective < 2; collective++) {
                const int *order = orders[o];
                long shape[3];
                for (int a = 0; a < 3; a++)
                    shape[a] = file_shape[order[a]];
                cc_box box = cc_box_whole(shape[0], shape[1], shape[2]);
                if (collective) {
                    box.lo[0] = rank * shape[0] / ranks;
                    box.count[0] = (rank + 1) * shape[0] / ranks - box.lo[0];
                }
                cc_volume *volume = NULL;
                CHECK(cc_volume_create(shape, &box, CC_SINGLE, &volume, &err) == CC_OK);
                if (volume == NULL)
                    continue;
                cc_volume_set_axis_order(volume, order);
                cc_input_set_piece_bytes(input, s ? 256 << 10 : 0);
                CHECK(cc_input_read(input, &box, volume, collective, &err) == CC_OK);
                const float *values = cc_volume_values_const(volume);
                long wrong = 0;
                for (long i = 0; i < box.count[0]; i++)
                    for (long j = 0; j < box.count[1]; j++)
                        for (long k = 0; k < box.count[2]; k++) {
                            long st[3] = {box.lo[0] + i, box.lo[1] + j, box.lo[2] + k}, f[3];
                            for (int a = 0; a < 3; a++)
                                f[order[a]] = st[a];
                            float want = (float)((f[0] * BY + f[1]) * BZ + f[2]) + 0.5f;
                            wrong += values[(i * box.count[1] + j) * box.count[2] + k] != want;
                        }
                CHECK_INT(wrong, 0);
                cc_volume_destroy(volume);
            }
    cc_input_close(input);
}

/* ---- (b) projection and checksum in every order -------------------------- */

/* What cc_projection_scan must give for file box `file`: each sum added
 * over increasing x, the checksum by file index. */
static uint32_t naive_scan(const double *truth, const cc_box *file, cc_precision precision,
                           double *sum)
{
    uint32_t checksum = 0;
    for (long x = file->lo[0]; x < file->lo[0] + file->count[0]; x++)
        for (long y = file->lo[1]; y < file->lo[1] + file->count[1]; y++)
            for (long z = file->lo[2]; z < file->lo[2] + file->count[2]; z++) {
                long f[3] = {x, y, z};
                double value = expected(truth, f, precision);
                uint32_t key = (uint32_t)((x * NY + y) * NZ + z) * CC_CHECKSUM_STEP;
                if (precision == CC_DOUBLE) {
                    uint64_t bits;
                    memcpy(&bits, &value, sizeof bits);
                    checksum += cc_checksum_mix64(bits, key);
                } else {
                    float single = (float)value;
                    uint32_t bits;
                    memcpy(&bits, &single, sizeof bits);
                    checksum += cc_checksum_mix(bits, key);
                }
                sum[y * NZ + z] += value;
            }
    return checksum;
}

/* Scans file box `scan` of a volume holding file box `hold`, stored in
 * order, in 2 x 2 x 2 pieces taken in increasing file x, and compares with
 * the naive sums and checksum, and with the identity order's histogram. */
static void check_scan(cc_input *input, const char *name, const double *truth, const int order[3],
                       const cc_box *hold, const cc_box *scan, cc_precision precision,
                       cc_histogram *reference)
{
    const long file_shape[3] = {NX, NY, NZ};
    long shape[3];
    for (int a = 0; a < 3; a++)
        shape[a] = file_shape[order[a]];
    cc_box held = stored_box(hold, order);
    cc_volume *volume = NULL;
    cc_error err;
    CHECK(cc_volume_create(shape, &held, precision, &volume, &err) == CC_OK);
    if (volume == NULL)
        return;
    cc_volume_set_axis_order(volume, order);
    CHECK(cc_input_read(input, &held, volume, 0, &err) == CC_OK);
    double want[NY * NZ] = {0}, got[NY * NZ] = {0};
    uint32_t want_checksum = naive_scan(truth, scan, precision, want), checksum = 0;
    cc_histogram *histogram = calloc(1, sizeof *histogram);
    /* Pieces cut at the middle of each file axis, file x halves first. */
    for (int piece = 0; piece < 8; piece++) {
        cc_box part = *scan;
        for (int f = 0; f < 3; f++) {
            long half = scan->count[f] / 2, upper = piece >> (2 - f) & 1;
            part.lo[f] = scan->lo[f] + (upper ? half : 0);
            part.count[f] = upper ? scan->count[f] - half : half;
        }
        cc_box stored = stored_box(&part, order);
        checksum += cc_projection_scan(volume, &stored, got, histogram);
    }
    CHECK_INT(checksum, want_checksum);
    long wrong = 0;
    for (int e = 0; e < NY * NZ; e++)
        if (!(got[e] == want[e]) && wrong++ == 0)
            fprintf(stderr, "%s order %d%d%d: sum %d is %.17g, expected %.17g\n", name, order[0],
                    order[1], order[2], e, got[e], want[e]);
    CHECK_INT(wrong, 0);
    /* Without sums and histogram: the checksum alone, in one piece. */
    cc_box stored = stored_box(scan, order);
    CHECK_INT(cc_projection_scan(volume, &stored, NULL, NULL), want_checksum);
    if (histogram != NULL && reference != NULL) {
        if (order[0] == 0 && order[1] == 1 && order[2] == 2)
            memcpy(reference, histogram, sizeof *reference);
        else
            CHECK(memcmp(reference, histogram, sizeof *reference) == 0);
        CHECK_INT(cc_histogram_total(histogram, 0), cc_box_voxels(scan));
    }
    free(histogram);
    cc_volume_destroy(volume);
}

static void test_scans(void)
{
    static const char *const names[2] = {"f32", "f64_gzip"};
    const double *truths[2] = {truth_f32, truth_f64};
    const cc_box whole = {{0, 0, 0}, {NX, NY, NZ}};
    const cc_box part = {{1, 1, 2}, {4, 5, 6}}, inside = {{1, 2, 3}, {3, 3, 4}};
    char path[512];
    snprintf(path, sizeof path, "%s/cube.h5", folder);
    cc_histogram *reference = calloc(1, sizeof *reference);
    for (int d = 0; d < 2; d++) {
        cc_input *input = NULL;
        cc_error err;
        CHECK(cc_input_open(path, names[d], MPI_COMM_SELF, &input, &err) == CC_OK);
        if (input == NULL)
            continue;
        for (int p = 0; p < 2; p++)
            for (int o = 0; o < 6; o++) {
                cc_precision precision = p ? CC_DOUBLE : CC_SINGLE;
                check_scan(input, names[d], truths[d], orders[o], &whole, &whole, precision,
                           reference);
                check_scan(input, names[d], truths[d], orders[o], &part, &inside, precision, NULL);
            }
        cc_input_close(input);
    }
    free(reference);
}

/* ---- (c) spacing from attributes ----------------------------------------- */

static void check_spacing(const char *path, const char *name, cc_status want_status, int want_found,
                          const double want[3], const char *want_source, const char *words)
{
    cc_input *input = NULL;
    cc_error err;
    CHECK(cc_input_open(path, name, MPI_COMM_WORLD, &input, &err) == CC_OK);
    if (input == NULL)
        return;
    double spacing[3] = {-1, -1, -1};
    int found = -1;
    char source[64] = "unset";
    cc_error_clear(&err);
    cc_status status = cc_input_spacing(input, spacing, &found, source, sizeof source, &err);
    CHECK_INT(status, want_status);
    CHECK_INT(found, want_found);
    for (int a = 0; a < 3; a++)
        CHECK_SAME(spacing[a], want[a]);
    if (status == CC_OK) {
        CHECK(strcmp(source, want_source) == 0);
    } else {
        /* One line that names the attribute and the dataset. */
        CHECK(strstr(err.message, words) != NULL);
        CHECK(strstr(err.message, name) != NULL);
        CHECK(strchr(err.message, '\n') == NULL);
        if (rank == 0)
            printf("  %s: %s\n", name, err.message);
    }
    cc_input_close(input);
}

static int read_bytes(const char *path, char **out, long *size)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return 0;
    fseek(file, 0, SEEK_END);
    *size = ftell(file);
    fseek(file, 0, SEEK_SET);
    *out = malloc((size_t)*size);
    int ok = *out != NULL && fread(*out, 1, (size_t)*size, file) == (size_t)*size;
    fclose(file);
    return ok;
}

static void test_spacing(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/spacing.h5", folder);
    char *before = NULL, *after = NULL;
    long before_size = 0, after_size = 0;
    CHECK(read_bytes(path, &before, &before_size));
    const double ones[3] = {1, 1, 1}, es[3] = {1, 1, 2.5}, sp[3] = {2, 3, 4};
    const double both[3] = {0.5, 2, 3};
    check_spacing(path, "none", CC_OK, 0, ones, "", NULL);
    check_spacing(path, "element_size_um", CC_OK, 1, es, "element_size_um", NULL);
    check_spacing(path, "spacing", CC_OK, 1, sp, "spacing", NULL);
    check_spacing(path, "both", CC_OK, 1, both, "element_size_um", NULL);
    check_spacing(path, "two", CC_ERR_INPUT, 0, ones, NULL, "'spacing'");
    check_spacing(path, "negative", CC_ERR_INPUT, 0, ones, NULL, "'element_size_um'");
    check_spacing(path, "nan", CC_ERR_INPUT, 0, ones, NULL, "'spacing'");
    check_spacing(path, "string", CC_ERR_INPUT, 0, ones, NULL, "'spacing'");
    check_spacing(path, "bad_first", CC_ERR_INPUT, 0, ones, NULL, "'element_size_um'");
    check_spacing(path, "zero", CC_ERR_INPUT, 0, ones, NULL, "'spacing'");
    /* Read only: the file is byte for byte what it was. */
    MPI_Barrier(MPI_COMM_WORLD);
    CHECK(read_bytes(path, &after, &after_size));
    CHECK(before_size == after_size && before != NULL && after != NULL &&
          memcmp(before, after, (size_t)before_size) == 0);
    free(before);
    free(after);
}

int main(int argc, char **argv)
{
    cc_input_prepare_mpi(); /* as cubecast does; without it Open MPI 4.1.4 fails here */
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    make_truth();
    if (rank == 0) {
        snprintf(folder, sizeof folder, "%s/cubecast-test-input-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (mkdtemp(folder) == NULL)
            folder[0] = '\0';
        else
            write_files();
    }
    MPI_Bcast(folder, sizeof folder, MPI_CHAR, 0, MPI_COMM_WORLD);
    if (folder[0] == '\0') {
        fprintf(stderr, "test_input: cannot make a temporary folder\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    test_reads();
    test_big_reads();
    if (ranks == 1)
        test_scans();
    test_spacing();
    MPI_Barrier(MPI_COMM_WORLD);
    int failures = check_failures, all = 0;
    MPI_Allreduce(&failures, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0) {
        char path[600];
        snprintf(path, sizeof path, "%s/cube.h5", folder);
        unlink(path);
        snprintf(path, sizeof path, "%s/spacing.h5", folder);
        unlink(path);
        rmdir(folder);
    }
    check_failures = all;
    int result = rank == 0 ? check_result("test_input") : all != 0;
    MPI_Finalize();
    return result;
}
