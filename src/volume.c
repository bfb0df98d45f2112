/* volume.c - a box of the grid with its values (volume.h). */
/* madvise and MADV_HUGEPAGE are not POSIX. */
#define _DEFAULT_SOURCE
#include "cubecast/volume.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct cc_volume {
    long global_shape[3];
    cc_box box;
    cc_precision precision;
    int order[3]; /* file axis of each stored axis */
    void *values;
    int owns_values;
    /* Per x plane: 0 not scanned yet, 1 all finite, 2 not.  A cache, so
     * it may change behind a const pointer. */
    unsigned char *plane_finite;
};

static cc_status volume_init(const long global_shape[3], const cc_box *box, cc_precision precision,
                             cc_volume **out, cc_error *err)
{
    cc_volume *volume = calloc(1, sizeof *volume);
    if (volume == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    memcpy(volume->global_shape, global_shape, sizeof volume->global_shape);
    volume->box = *box;
    volume->precision = precision;
    for (int a = 0; a < 3; a++)
        volume->order[a] = a;
    *out = volume;
    return CC_OK;
}

/* Not calloc: every voxel is overwritten by the read, and untouched pages
 * are never faulted in. */
void *cc_values_allocate(size_t bytes)
{
    const size_t huge_page = (size_t)2 << 20;
    if (bytes < 4 * huge_page)
        return malloc(bytes > 0 ? bytes : 1);
    void *values = NULL;
    if (posix_memalign(&values, huge_page, bytes) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(values, bytes, MADV_HUGEPAGE); /* only advice: failure is harmless */
#endif
    return values;
}

cc_status cc_volume_create(const long global_shape[3], const cc_box *box, cc_precision precision,
                           cc_volume **out, cc_error *err)
{
    cc_status status = volume_init(global_shape, box, precision, out, err);
    if (status != CC_OK)
        return status;
    size_t bytes = cc_box_voxels(box) * cc_precision_size(precision);
    (*out)->values = cc_values_allocate(bytes);
    if ((*out)->values == NULL) {
        free(*out);
        *out = NULL;
        return cc_fail(err, CC_ERR_NOMEM, "cannot allocate %.1f MiB for the volume",
                       (double)bytes / 1048576.0);
    }
    (*out)->owns_values = 1;
    return CC_OK;
}

cc_status cc_volume_wrap(const long global_shape[3], const cc_box *box, cc_precision precision,
                         void *values, cc_volume **out, cc_error *err)
{
    cc_status status = volume_init(global_shape, box, precision, out, err);
    if (status == CC_OK)
        (*out)->values = values;
    return status;
}

void cc_volume_destroy(cc_volume *volume)
{
    if (volume == NULL)
        return;
    if (volume->owns_values)
        free(volume->values);
    free(volume->plane_finite);
    free(volume);
}

const long *cc_volume_global_shape(const cc_volume *volume)
{
    return volume->global_shape;
}

const cc_box *cc_volume_box(const cc_volume *volume)
{
    return &volume->box;
}

cc_precision cc_volume_precision(const cc_volume *volume)
{
    return volume->precision;
}

void *cc_volume_values(cc_volume *volume)
{
    free(volume->plane_finite);
    volume->plane_finite = NULL;
    return volume->values;
}

const void *cc_volume_values_const(const cc_volume *volume)
{
    return volume->values;
}

static int all_finite(const cc_volume *volume, size_t first, size_t count)
{
    int finite = 1;
    if (volume->precision == CC_DOUBLE) {
        const double *values = (const double *)volume->values + first;
#pragma omp parallel for reduction(& : finite) schedule(static)
        for (size_t v = 0; v < count; v++)
            finite &= isfinite(values[v]) != 0;
    } else {
        const float *values = (const float *)volume->values + first;
#pragma omp parallel for reduction(& : finite) schedule(static)
        for (size_t v = 0; v < count; v++)
            finite &= isfinite(values[v]) != 0;
    }
    return finite;
}

int cc_volume_plane_finite(const cc_volume *volume, long x)
{
    long local = x - volume->box.lo[0];
    if (local < 0 || local >= volume->box.count[0])
        return 0;
    cc_volume *cache = (cc_volume *)volume;
    if (cache->plane_finite == NULL) {
        cache->plane_finite = calloc((size_t)volume->box.count[0], 1);
        if (cache->plane_finite == NULL)
            return 0;
    }
    if (cache->plane_finite[local] == 0) {
        size_t plane = (size_t)volume->box.count[1] * (size_t)volume->box.count[2];
        cache->plane_finite[local] = all_finite(volume, (size_t)local * plane, plane) ? 1 : 2;
    }
    return cache->plane_finite[local] == 1;
}

void cc_volume_set_axis_order(cc_volume *volume, const int order[3])
{
    memcpy(volume->order, order, sizeof volume->order);
}

const int *cc_volume_axis_order(const cc_volume *volume)
{
    return volume->order;
}
