/* consumer.c - a program built against an installed cubecast, the way a
 * user's would be (tests/install/install_tree.sh builds it with
 * find_package(cubecast) and with pkg-config).  It calls a few library
 * functions and checks their results, so it fails when the installed
 * headers, libraries or link flags do not fit together. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "cubecast/colormap.h"
#include "cubecast/driver.h"
#include "cubecast/error.h"
#include "cubecast/filters.h"
#include "cubecast/grid.h"
#include "cubecast/options.h"
#include "cubecast/pngout.h"
#include "cubecast/version.h"

static int failures;

static void check(int ok, const char *what)
{
    printf("%s  %s\n", ok ? "ok  " : "FAIL", what);
    failures += !ok;
}

int main(void)
{
    cc_render_options options = cc_render_options_default();
    check(options.frames == 10 && options.size == 180,
          "cc_render_options_default: 10 frames of 180 x 180");
    cc_render_options_release(&options);

    check(cc_grid_coord(4, 0) == -cc_grid_coord(4, 3) && cc_grid_coord(4, 0) < 0.0,
          "cc_grid_coord: an axis centred on 0");

    /* zlib's CRC-32 (libz, through libcubecast's link interface). */
    check(cc_crc32("123456789", 9) == 0xCBF43926u, "cc_crc32 of \"123456789\" is cbf43926");

    const cc_colormap *map = NULL;
    cc_error err;
    cc_error_clear(&err);
    check(cc_colormap_find("magma", &map, &err) == CC_OK &&
              strcmp(cc_colormap_name(map), "magma") == 0,
          "cc_colormap_find(\"magma\")");

    /* libhdf5 and the filter decoders' compression libraries. */
    cc_filters_register();
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    char filters[128] = "";
    if (dcpl >= 0 && H5Pset_deflate(dcpl, 4) >= 0)
        cc_filters_describe(dcpl, filters, sizeof filters);
    H5Pclose(dcpl);
    check(strcmp(filters, "deflate level 4 (filter 1)") == 0,
          "cc_filters_describe: deflate level 4 (filter 1)");

    /* libmpi is linked and usable before MPI_Init. */
    int initialised = -1;
    MPI_Initialized(&initialised);
    check(initialised == 0, "MPI_Initialized before MPI_Init: 0");

    printf("cubecast %s: %d failed\n", CC_VERSION_STRING, failures);
    return failures == 0 ? 0 : 1;
}
