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
    cc_box projection; /* held voxels this rank adds into the projection */
    long stream_begin; /* rows mode: planes no rank holds, numbered along x */
    long stream_count; /* (cc_plan_rows_uncovered); this rank reads these
                          [begin, begin + count) once, for the projection.
                          With them, every voxel is added by one rank. */
    int bricks[3];     /* bricks mode: the grid of bricks along x, y, z */
    char reason[640];  /* why this decomposition (for --decomp auto) */
} cc_plan;

/* The rank layout the plan is made for. */
typedef struct cc_layout {
    int rank, ranks;           /* in the whole job */
    int node_rank, node_ranks; /* among the ranks sharing this node's memory */
} cc_layout;

/* The plan of options->decomp (frames, rows or bricks; the driver resolves
 * auto by the memory figures below). */
cc_status cc_plan_make(const cc_render_options *options, const long shape[3],
                       const cc_layout *layout, cc_plan *out, cc_error *err);

/* What one rank's plan needs in memory, in bytes, by use.  Buffers that
 * only the rank writing a frame holds for a moment (the gathered partial
 * images of --composite root) are counted on the first rank of each node,
 * where they are the node's peak; a node-shared volume likewise. */
typedef struct cc_plan_memory {
    double volume;     /* the held values */
    double frame;      /* images, the two pixel buffers, PNG and raw-frame buffers */
    double composite;  /* gathered partial images or binary-swap buffers */
    double renderer;   /* sample table, per-thread planes and rays */
    double projection; /* sums, and the slab streamed in rows mode */
    double fixed;      /* the program, MPI and HDF5 with its read buffers */
    double total;
} cc_plan_memory;

/* threads: the OpenMP threads of the rank. */
void cc_plan_memory_need(const cc_plan *plan, const cc_render_options *options, const long shape[3],
                         const cc_layout *layout, int threads, cc_plan_memory *out);

/* What one rank's plan needs on a CUDA device, in bytes: the held values,
 * the image of its rows (C and T) and the transfer functions. */
double cc_plan_device_bytes(const cc_plan *plan, const cc_render_options *options);

/* Bricks mode: the ranks in the visibility order of a view whose depth
 * grows along `depth` (cc_view.d, stored axes), nearest first: order[0]
 * is the nearest rank.  Along any ray the bricks it crosses appear in this
 * order, so compositing partial images in it is exact. */
void cc_plan_visibility(const cc_plan *plan, int ranks, const double depth[3], int *order);

/* Bricks mode: the brick (ix, iy, iz) of a rank. */
void cc_plan_brick_of(const cc_plan *plan, int rank, int brick[3]);

/* rows mode: the x planes no rank holds, as runs {first plane, count} in
 * increasing x; runs must have room for ranks + 1.  Returns the number of
 * runs. */
int cc_plan_rows_uncovered(const cc_render_options *options, const long shape[3], int ranks,
                           long (*runs)[2]);

/* Part `part` of `parts` near-equal parts of [0, n): *lo and *count. */
void cc_split(long n, int parts, int part, long *lo, long *count);

#endif
