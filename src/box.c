/* box.c - boxes of voxel indices (box.h). */
#include "cubecast/box.h"

cc_box cc_box_whole(long nx, long ny, long nz)
{
    cc_box box = {{0, 0, 0}, {nx, ny, nz}};
    return box;
}

size_t cc_box_voxels(const cc_box *box)
{
    if (cc_box_is_empty(box))
        return 0;
    return (size_t)box->count[0] * (size_t)box->count[1] * (size_t)box->count[2];
}

int cc_box_is_empty(const cc_box *box)
{
    return box->count[0] <= 0 || box->count[1] <= 0 || box->count[2] <= 0;
}

cc_box cc_box_intersect(const cc_box *a, const cc_box *b)
{
    cc_box out;
    for (int axis = 0; axis < 3; axis++) {
        long lo = a->lo[axis] > b->lo[axis] ? a->lo[axis] : b->lo[axis];
        long a_end = a->lo[axis] + a->count[axis];
        long b_end = b->lo[axis] + b->count[axis];
        long end = a_end < b_end ? a_end : b_end;
        out.lo[axis] = lo;
        out.count[axis] = end > lo ? end - lo : 0;
    }
    return out;
}
