/* volume.c - a box of the grid with its values (volume.h). */
#include "cubecast/volume.h"

#include <stdlib.h>
#include <string.h>

struct cc_volume {
    long global_shape[3];
    cc_box box;
    cc_precision precision;
    void *values;
    int owns_values;
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
    *out = volume;
    return CC_OK;
}

cc_status cc_volume_create(const long global_shape[3], const cc_box *box, cc_precision precision,
                           cc_volume **out, cc_error *err)
{
    cc_status status = volume_init(global_shape, box, precision, out, err);
    if (status != CC_OK)
        return status;
    size_t bytes = cc_box_voxels(box) * cc_precision_size(precision);
    /* malloc, not calloc: every voxel is overwritten by the read, and
     * untouched pages are never faulted in. */
    (*out)->values = malloc(bytes > 0 ? bytes : 1);
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
    return volume->values;
}

const void *cc_volume_values_const(const cc_volume *volume)
{
    return volume->values;
}
