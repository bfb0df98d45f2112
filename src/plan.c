/* plan.c - decomposition plans (plan.h). */
#include "cubecast/plan.h"

#include "cubecast/render.h"

void cc_split(long n, int parts, int part, long *lo, long *count)
{
    long base = n / parts, extra = n % parts;
    *lo = part * base + (part < extra ? part : extra);
    *count = base + (part < extra ? 1 : 0);
}

/* frames: every rank renders whole frames from the whole cube, which the
 * ranks of a node hold once, each reading an x slab of it. */
static void plan_frames(const cc_render_options *options, const long shape[3],
                        const cc_layout *layout, cc_plan *plan)
{
    plan->held = cc_box_whole(shape[0], shape[1], shape[2]);
    plan->held_shared = 1;
    plan->read = plan->held;
    cc_split(shape[0], layout->node_ranks, layout->node_rank, &plan->read.lo[0],
             &plan->read.count[0]);
    plan->owned_cells = cc_cells_whole(shape);
    plan->row_begin = 0;
    plan->row_end = options->size;
}

cc_status cc_plan_make(const cc_render_options *options, const long shape[3],
                       const cc_layout *layout, cc_plan *out, cc_error *err)
{
    cc_plan plan = {0};
    plan.decomp = options->decomp == CC_DECOMP_AUTO ? CC_DECOMP_FRAMES : options->decomp;
    switch (plan.decomp) {
    case CC_DECOMP_FRAMES:
        plan_frames(options, shape, layout, &plan);
        break;
    default:
        return cc_fail(err, CC_ERR_USAGE, "--decomp rows and bricks are not available yet");
    }
    /* Each x plane is added into the projection by exactly one rank. */
    cc_split(shape[0], layout->ranks, layout->rank, &plan.projection_x_lo,
             &plan.projection_x_count);
    *out = plan;
    return CC_OK;
}
