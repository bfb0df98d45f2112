/* test_filters.c - the filter decoders' registration (filters.h): decode
 * only, encoding refused by HDF5 before a decoder is asked to; the
 * parallel HDF5's plugin folder searched once, after a user's
 * HDF5_PLUGIN_PATH; an unavailable filter named with its id by the check
 * and the description.  Reading compressed files is tests/filters. */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cubecast/filters.h"

#define USER_PLUGINS "/nonexistent/cubecast-test-plugins"

/* The four decoders, by their registered ids. */
static const H5Z_filter_t decoders[] = {32000, 32001, 32004, 307};

static void test_plugin_path(void)
{
    unsigned count = 0;
    CHECK(H5PLsize(&count) >= 0);
    char first[4096] = "";
    CHECK(count >= 1 && H5PLget(0, first, sizeof first) > 0);
    CHECK(strcmp(first, USER_PLUGINS) == 0); /* the user's folder first */
    int seen = 0;
    for (unsigned i = 0; i < count; i++) {
        char folder[4096] = "";
        H5PLget(i, folder, sizeof folder);
        seen += strcmp(folder, CC_TEST_PLUGIN_DIR) == 0;
    }
    /* Registered twice, listed once (none where the HDF5 has no folder). */
    CHECK_INT(seen, CC_TEST_PLUGIN_DIR[0] != '\0' ? 1 : 0);
}

static void test_decode_only(void)
{
    for (size_t d = 0; d < sizeof decoders / sizeof *decoders; d++) {
        unsigned config = 0;
        CHECK(H5Zfilter_avail(decoders[d]) > 0);
        CHECK(H5Zget_filter_info(decoders[d], &config) >= 0);
        CHECK(config & H5Z_FILTER_CONFIG_DECODE_ENABLED);
        CHECK(!(config & H5Z_FILTER_CONFIG_ENCODE_ENABLED));
    }
}

/* A dataset created with a decoder as a required filter is refused; the
 * file stays usable. */
static void test_encode_refused(const char *path)
{
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(file >= 0);
    hsize_t dims[3] = {8, 8, 8}, chunk[3] = {4, 4, 4};
    hid_t space = H5Screate_simple(3, dims, NULL);
    for (size_t d = 0; d < sizeof decoders / sizeof *decoders; d++) {
        hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
        H5Pset_chunk(dcpl, 3, chunk);
        CHECK(H5Pset_filter(dcpl, decoders[d], H5Z_FLAG_MANDATORY, 0, NULL) >= 0);
        char name[32];
        snprintf(name, sizeof name, "d%d", (int)decoders[d]);
        hid_t dataset =
            H5Dcreate2(file, name, H5T_NATIVE_FLOAT, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        CHECK(dataset < 0);
        if (dataset >= 0)
            H5Dclose(dataset);
        H5Pclose(dcpl);
    }
    H5Sclose(space);
    CHECK(H5Fclose(file) >= 0);
    unlink(path);
}

static void test_check_and_describe(void)
{
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hsize_t chunk[3] = {4, 4, 4};
    H5Pset_chunk(dcpl, 3, chunk);
    H5Pset_shuffle(dcpl);
    CHECK(H5Pset_filter(dcpl, 32004, H5Z_FLAG_OPTIONAL, 0, NULL) >= 0);
    cc_error err;
    cc_error_clear(&err);
    CHECK(cc_filters_check(dcpl, "dataset 'd' in 'f.h5'", &err) == CC_OK);
    CHECK(!cc_filters_collective_safe(dcpl)); /* LZ4 */
    char text[256];
    cc_filters_describe(dcpl, text, sizeof text);
    CHECK(strcmp(text, "shuffle (filter 2), LZ4 (filter 32004)") == 0);

    /* An id nothing provides (unregistered: HDF5 takes it as optional). */
    CHECK(H5Pset_filter(dcpl, 40000, H5Z_FLAG_OPTIONAL, 0, NULL) >= 0);
    CHECK(cc_filters_check(dcpl, "dataset 'd' in 'f.h5'", &err) == CC_ERR_INPUT);
    CHECK(strstr(err.message, "dataset 'd' in 'f.h5'") != NULL);
    CHECK(strstr(err.message, "(HDF5 filter 40000)") != NULL);
    CHECK(strstr(err.message, "HDF5_PLUGIN_PATH") != NULL);
    CHECK(strchr(err.message, '\n') == NULL);
    cc_filters_describe(dcpl, text, sizeof text);
    CHECK(strstr(text, ", LZ4 (filter 32004), ") != NULL);
    CHECK(strstr(text, "(filter 40000, not available)") != NULL);
    H5Pclose(dcpl);

    /* HDF5's own filters only: collective reads are safe; not with a
     * decoder of cubecast's, even a mandatory one. */
    dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 3, chunk);
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, 6);
    H5Pset_fletcher32(dcpl);
    CHECK(cc_filters_collective_safe(dcpl));
    CHECK(H5Pset_filter(dcpl, 32001, H5Z_FLAG_MANDATORY, 0, NULL) >= 0);
    CHECK(!cc_filters_collective_safe(dcpl));
    cc_filters_describe(dcpl, text, sizeof text);
    CHECK(strcmp(text, "shuffle (filter 2), deflate level 6 (filter 1), Fletcher32 (filter 3), "
                       "Blosc (filter 32001)") == 0);
    H5Pclose(dcpl);
}

int main(void)
{
    /* Before HDF5 reads it (at its first use). */
    setenv("HDF5_PLUGIN_PATH", USER_PLUGINS, 1);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    cc_filters_register();
    cc_filters_register();
    test_plugin_path();
    test_decode_only();
    char path[64];
    snprintf(path, sizeof path, "/tmp/cubecast_test_filters_%d.h5", (int)getpid());
    test_encode_refused(path);
    test_check_and_describe();
    return check_result("filters");
}
