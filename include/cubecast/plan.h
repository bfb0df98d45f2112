/* plan.h - the decomposition plan: who reads, renders and writes what.
 *
 * Made once, from the options, the cube's shape and the rank layout, before
 * any data moves; everything after it (read, render, composite, write) only
 * follows the plan.  See design.md section 2. */
#ifndef CUBECAST_PLAN_H
#define CUBECAST_PLAN_H

#include "cubecast/box.h"
#include "cubecast/error.h"
#include "cubecast/options.h"

typedef struct cc_plan {
    cc_decomp decomp;
    cc_box held;        /* voxels this rank keeps in memory */
    int held_shared;    /* held is one copy shared by the ranks of a node */
    cc_box read;        /* voxels this rank reads from the file (into held) */
    cc_box owned_cells; /* interpolation cells whose samples this rank renders */
    int row_begin;      /* image rows this rank renders */
    int row_end;
    long projection_x_lo; /* x planes this rank adds into the projection */
    long projection_x_count;
} cc_plan;

/* The rank layout the plan is made for. */
typedef struct cc_layout {
    int rank, ranks;           /* in the whole job */
    int node_rank, node_ranks; /* among the ranks sharing this node's memory */
} cc_layout;

cc_status cc_plan_make(const cc_render_options *options, const long shape[3],
                       const cc_layout *layout, cc_plan *out, cc_error *err);

/* Part `part` of `parts` near-equal parts of [0, n): *lo and *count. */
void cc_split(long n, int parts, int part, long *lo, long *count);

#endif
