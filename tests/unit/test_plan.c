/* test_plan.c - decomposition plans (plan.h) for P = 1 to 64 ranks on
 * cubic and non-cubic shapes, one node and two:
 *   all modes: what a rank reads lies in what it holds, a private copy is
 *     read whole, a node's shared copy is read once by its ranks, and every
 *     voxel is added to the projection exactly once;
 *   frames: every rank renders every row from the whole cube;
 *   rows: the row bands partition [0, N) and each rank holds the x planes
 *     its rows touch;
 *   bricks: the owned cells partition the cube's cells, each rank holds its
 *     cells plus one plane, and along every ray the bricks it crosses come
 *     in the visibility order cc_plan_visibility gives. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cubecast/camera.h"
#include "cubecast/grid.h"
#include "cubecast/plan.h"
#include "cubecast/view.h"

enum { MAX_RANKS = 64 };

typedef struct world {
    long shape[3];
    int ranks;
    int nodes; /* 1: all ranks on one node; 2: the first half on node 0 */
    cc_render_options options;
    cc_layout layouts[MAX_RANKS];
    cc_plan plans[MAX_RANKS];
} world;

static long box_end(const cc_box *box, int axis)
{
    return box->lo[axis] + box->count[axis];
}

/* 1 when inner lies in outer (an empty inner lies anywhere). */
static int box_inside(const cc_box *inner, const cc_box *outer)
{
    if (cc_box_is_empty(inner))
        return 1;
    for (int axis = 0; axis < 3; axis++)
        if (inner->lo[axis] < outer->lo[axis] || box_end(inner, axis) > box_end(outer, axis))
            return 0;
    return 1;
}

static int box_same(const cc_box *a, const cc_box *b)
{
    for (int axis = 0; axis < 3; axis++)
        if (a->lo[axis] != b->lo[axis] || a->count[axis] != b->count[axis])
            return 0;
    return 1;
}

static int box_valid(const cc_box *box)
{
    for (int axis = 0; axis < 3; axis++)
        if (box->lo[axis] < 0 || box->count[axis] < 0)
            return 0;
    return 1;
}

/* Adds 1 to every counter of box in a grid of extent[3] (a box reaching
 * outside the grid fails the check and counts nothing). */
static void count_box(uint8_t *counts, const long extent[3], const cc_box *box)
{
    cc_box grid = cc_box_whole(extent[0], extent[1], extent[2]);
    CHECK(box_valid(box) && box_inside(box, &grid));
    if (!box_valid(box) || !box_inside(box, &grid))
        return;
    for (long x = box->lo[0]; x < box_end(box, 0); x++)
        for (long y = box->lo[1]; y < box_end(box, 1); y++)
            for (long z = box->lo[2]; z < box_end(box, 2); z++)
                counts[(x * extent[1] + y) * extent[2] + z]++;
}

/* 1 when every counter of the grid is exactly 1. */
static int all_once(const uint8_t *counts, const long extent[3])
{
    size_t n = (size_t)extent[0] * (size_t)extent[1] * (size_t)extent[2];
    for (size_t i = 0; i < n; i++)
        if (counts[i] != 1)
            return 0;
    return 1;
}

static void layout_of(int ranks, int nodes, int rank, cc_layout *layout)
{
    int first_node = nodes == 1 ? ranks : (ranks + 1) / 2;
    layout->rank = rank;
    layout->ranks = ranks;
    if (rank < first_node) {
        layout->node_rank = rank;
        layout->node_ranks = first_node;
    } else {
        layout->node_rank = rank - first_node;
        layout->node_ranks = ranks - first_node;
    }
}

static int make_world(world *w, const long shape[3], int ranks, int nodes, cc_decomp decomp,
                      int size)
{
    memcpy(w->shape, shape, sizeof w->shape);
    w->ranks = ranks;
    w->nodes = nodes;
    w->options = cc_render_options_default();
    w->options.decomp = decomp;
    w->options.size = size;
    for (int r = 0; r < ranks; r++) {
        cc_error err;
        cc_error_clear(&err);
        layout_of(ranks, nodes, r, &w->layouts[r]);
        if (cc_plan_make(&w->options, shape, &w->layouts[r], &w->plans[r], &err) != CC_OK) {
            fprintf(stderr, "cc_plan_make failed: %s\n", err.message);
            CHECK(!"cc_plan_make failed");
            return 0;
        }
        CHECK_INT(w->plans[r].decomp, decomp);
    }
    return 1;
}

/* Holding and reading, in every mode: held lies in the grid, read in held;
 * a private copy is read whole by its rank, a shared one is read once,
 * in pieces, by the ranks of its node. */
static void check_held_and_read(const world *w, uint8_t *counts)
{
    cc_box whole = cc_box_whole(w->shape[0], w->shape[1], w->shape[2]);
    for (int r = 0; r < w->ranks; r++) {
        const cc_plan *plan = &w->plans[r];
        CHECK(box_valid(&plan->held) && box_valid(&plan->read));
        CHECK(box_inside(&plan->held, &whole));
        CHECK(box_inside(&plan->read, &plan->held));
        CHECK(box_inside(&plan->projection, &plan->held));
        if (!plan->held_shared)
            CHECK(box_same(&plan->read, &plan->held));
    }
    /* Each node's shared copy: its ranks' reads partition it. */
    for (int r = 0; r < w->ranks; r++) {
        if (!w->plans[r].held_shared || w->layouts[r].node_rank != 0)
            continue;
        memset(counts, 0, (size_t)cc_box_voxels(&whole));
        for (int q = r; q < r + w->layouts[r].node_ranks; q++) {
            CHECK(w->plans[q].held_shared);
            CHECK(box_same(&w->plans[q].held, &w->plans[r].held));
            count_box(counts, w->shape, &w->plans[q].read);
        }
        /* Only held voxels were counted; every held voxel once. */
        const cc_box *held = &w->plans[r].held;
        size_t once = 0, total = 0;
        for (long x = held->lo[0]; x < box_end(held, 0); x++)
            for (long y = held->lo[1]; y < box_end(held, 1); y++)
                for (long z = held->lo[2]; z < box_end(held, 2); z++)
                    once += counts[(x * w->shape[1] + y) * w->shape[2] + z] == 1;
        for (size_t i = 0; i < cc_box_voxels(&whole); i++)
            total += counts[i];
        CHECK_INT(once, cc_box_voxels(held));
        CHECK_INT(total, cc_box_voxels(held));
    }
}

/* The projection boxes, and in rows mode the streamed planes, add every
 * voxel exactly once. */
static void check_projection(const world *w, uint8_t *counts)
{
    cc_box whole = cc_box_whole(w->shape[0], w->shape[1], w->shape[2]);
    memset(counts, 0, cc_box_voxels(&whole));
    for (int r = 0; r < w->ranks; r++) {
        CHECK(box_valid(&w->plans[r].projection));
        count_box(counts, w->shape, &w->plans[r].projection);
    }
    if (w->plans[0].decomp == CC_DECOMP_ROWS) {
        long runs[MAX_RANKS + 1][2];
        int run_count = cc_plan_rows_uncovered(&w->options, w->shape, w->ranks, runs);
        for (int r = 0; r < w->ranks; r++) {
            const cc_plan *plan = &w->plans[r];
            CHECK(plan->stream_begin >= 0 && plan->stream_count >= 0);
            /* The streamed planes are numbered along x over the runs. */
            for (long s = plan->stream_begin; s < plan->stream_begin + plan->stream_count; s++) {
                long plane = -1, before = 0;
                for (int u = 0; u < run_count; u++) {
                    if (s < before + runs[u][1]) {
                        plane = runs[u][0] + (s - before);
                        break;
                    }
                    before += runs[u][1];
                }
                CHECK(plane >= 0 && plane < w->shape[0]);
                if (plane < 0 || plane >= w->shape[0])
                    continue;
                cc_box slab = whole;
                slab.lo[0] = plane;
                slab.count[0] = 1;
                count_box(counts, w->shape, &slab);
            }
        }
    } else {
        for (int r = 0; r < w->ranks; r++)
            CHECK_INT(w->plans[r].stream_count, 0);
    }
    CHECK(all_once(counts, w->shape));
}

static void check_frames(const world *w)
{
    cc_box whole = cc_box_whole(w->shape[0], w->shape[1], w->shape[2]);
    cc_box cells = cc_box_whole(w->shape[0] - 1, w->shape[1] - 1, w->shape[2] - 1);
    for (int r = 0; r < w->ranks; r++) {
        const cc_plan *plan = &w->plans[r];
        CHECK(box_same(&plan->held, &whole));
        CHECK(box_same(&plan->owned_cells, &cells));
        CHECK_INT(plan->held_shared, w->layouts[r].node_ranks > 1);
        CHECK_INT(plan->row_begin, 0);
        CHECK_INT(plan->row_end, w->options.size);
    }
}

/* The x planes around image row j, as the renderer locates them. */
static int row_planes(const world *w, int row, long *lo, long *hi)
{
    int cell;
    double weight;
    if (!cc_grid_locate((int)w->shape[0], cc_grid_coord(w->options.size, row), &cell, &weight))
        return 0;
    *lo = cell;
    *hi = cell + 2;
    return 1;
}

static void check_rows(const world *w)
{
    static const double angles[] = {0.0, 37.0, 90.0, 213.5};
    int next_row = 0;
    for (int r = 0; r < w->ranks; r++) {
        const cc_plan *plan = &w->plans[r];
        /* Bands in rank order, back to back. */
        CHECK_INT(plan->row_begin, next_row);
        CHECK(plan->row_end >= plan->row_begin);
        next_row = plan->row_end;
        /* An x slab of whole y-z planes. */
        for (int axis = 1; axis < 3; axis++) {
            CHECK_INT(plan->held.lo[axis], 0);
            CHECK_INT(plan->held.count[axis], w->shape[axis]);
        }
        long held_lo = plan->held.lo[0], held_hi = box_end(&plan->held, 0);
        for (int j = plan->row_begin; j < plan->row_end; j++) {
            long lo, hi;
            if (row_planes(w, j, &lo, &hi))
                CHECK(held_lo <= lo && hi <= held_hi);
        }
        for (size_t a = 0; a < sizeof angles / sizeof angles[0]; a++) {
            cc_view view = cc_view_of_frame(w->options.size, angles[a], 0.0, 1, 0);
            long lo, count;
            cc_view_rows_x_range(&view, w->shape[0], plan->row_begin, plan->row_end, &lo, &count);
            if (count > 0)
                CHECK(held_lo <= lo && lo + count <= held_hi);
        }
    }
    CHECK_INT(next_row, w->options.size);

    /* The uncovered runs are exactly the planes no rank holds. */
    long runs[MAX_RANKS + 1][2];
    int run_count = cc_plan_rows_uncovered(&w->options, w->shape, w->ranks, runs);
    CHECK(run_count >= 0 && run_count <= w->ranks + 1);
    long last_end = -1;
    for (long x = 0; x < w->shape[0]; x++) {
        int held = 0, listed = 0;
        for (int r = 0; r < w->ranks; r++)
            held |= w->plans[r].held.lo[0] <= x && x < box_end(&w->plans[r].held, 0);
        for (int u = 0; u < run_count; u++)
            listed |= runs[u][0] <= x && x < runs[u][0] + runs[u][1];
        CHECK_INT(listed, !held);
    }
    for (int u = 0; u < run_count; u++) {
        CHECK(runs[u][1] > 0 && runs[u][0] > last_end);
        last_end = runs[u][0] + runs[u][1];
    }
    /* The ranks share the streamed planes out back to back. */
    long uncovered = 0, next = 0;
    for (int u = 0; u < run_count; u++)
        uncovered += runs[u][1];
    for (int r = 0; r < w->ranks; r++) {
        CHECK_INT(w->plans[r].stream_begin, next);
        next = w->plans[r].stream_begin + w->plans[r].stream_count;
    }
    CHECK_INT(next, uncovered);
}

/* Bricks: a grid of P bricks, one per rank; the owned cells partition the
 * cells; held is owned plus the one plane after it.  Fills owner[cell]. */
static void check_bricks(const world *w, uint8_t *counts, int *owner)
{
    const cc_plan *first = &w->plans[0];
    CHECK_INT((long)first->bricks[0] * first->bricks[1] * first->bricks[2], w->ranks);
    long cells[3] = {w->shape[0] - 1, w->shape[1] - 1, w->shape[2] - 1};
    cc_box all_cells = cc_box_whole(cells[0], cells[1], cells[2]);
    memset(counts, 0, cc_box_voxels(&all_cells));
    memset(owner, 0xff, sizeof *owner * cc_box_voxels(&all_cells)); /* -1: no owner */
    int seen[MAX_RANKS] = {0};
    for (int r = 0; r < w->ranks; r++) {
        const cc_plan *plan = &w->plans[r];
        for (int axis = 0; axis < 3; axis++)
            CHECK_INT(plan->bricks[axis], first->bricks[axis]);
        int brick[3];
        cc_plan_brick_of(plan, r, brick);
        int index = (brick[0] * plan->bricks[1] + brick[1]) * plan->bricks[2] + brick[2];
        CHECK(index >= 0 && index < w->ranks);
        if (index >= 0 && index < w->ranks)
            seen[index]++;
        CHECK(box_valid(&plan->owned_cells));
        CHECK(box_inside(&plan->owned_cells, &all_cells));
        count_box(counts, cells, &plan->owned_cells);
        if (!box_valid(&plan->owned_cells) || !box_inside(&plan->owned_cells, &all_cells))
            continue;
        for (long x = plan->owned_cells.lo[0]; x < box_end(&plan->owned_cells, 0); x++)
            for (long y = plan->owned_cells.lo[1]; y < box_end(&plan->owned_cells, 1); y++)
                for (long z = plan->owned_cells.lo[2]; z < box_end(&plan->owned_cells, 2); z++)
                    owner[(x * cells[1] + y) * cells[2] + z] = r;
        /* A cell (c) needs planes c and c + 1 along each axis. */
        for (int axis = 0; axis < 3; axis++) {
            CHECK(plan->held.lo[axis] <= plan->owned_cells.lo[axis]);
            CHECK(box_end(&plan->held, axis) >= box_end(&plan->owned_cells, axis) + 1);
        }
        CHECK_INT(plan->held_shared, 0);
        CHECK_INT(plan->row_begin, 0);
        CHECK_INT(plan->row_end, w->options.size);
    }
    for (int i = 0; i < w->ranks; i++)
        CHECK_INT(seen[i], 1);
    CHECK(all_once(counts, cells));
}

/* Along a ray of direction (cos, sin) in the y-z plane, depth grows with t
 * and larger t is nearer (view.h): the ray's point at t is
 * (t cos - s sin, t sin + s cos) for its column s.  Walking each sampled
 * ray from near to far, the owners of the cells it meets must come in
 * increasing position in order. */
static void check_rays(const world *w, const int *owner, double cos_theta, double sin_theta,
                       const int *position)
{
    long cells[3] = {w->shape[0] - 1, w->shape[1] - 1, w->shape[2] - 1};
    double reach = 0.5 * sqrt((double)(w->shape[1] * w->shape[1] + w->shape[2] * w->shape[2]));
    reach += 1.0;
    long steps = (long)(4.0 * reach) + 1; /* half a voxel apart */
    enum { RAYS = 33 };
    long layers[3] = {0, cells[0] / 2, cells[0] - 1}; /* the ray's x */
    for (int k = 0; k < RAYS; k++) {
        double s = -reach + 2.0 * reach * k / (RAYS - 1);
        int last[3] = {-1, -1, -1};
        for (long i = steps - 1; i >= 0; i--) {
            double t = -reach + 2.0 * reach * (double)i / (double)(steps - 1);
            double y = t * cos_theta - s * sin_theta, z = t * sin_theta + s * cos_theta;
            int cy, cz;
            double weight;
            if (!cc_grid_locate((int)w->shape[1], y, &cy, &weight) ||
                !cc_grid_locate((int)w->shape[2], z, &cz, &weight))
                continue;
            for (int l = 0; l < 3; l++) {
                int r = owner[(layers[l] * cells[1] + cy) * cells[2] + cz];
                if (r < 0 || r == last[l])
                    continue;
                if (last[l] >= 0 && !(position[r] > position[last[l]])) {
                    CHECK(position[r] > position[last[l]]);
                    if (check_failures < 25)
                        fprintf(stderr,
                                "  shape %ldx%ldx%ld, P=%d, direction (%g, %g): rank %d "
                                "(position %d) met after rank %d (position %d)\n",
                                w->shape[0], w->shape[1], w->shape[2], w->ranks, cos_theta,
                                sin_theta, r, position[r], last[l], position[last[l]]);
                }
                last[l] = r;
            }
        }
    }
}

/* The same walk for a tilted camera (camera.h), in 3D: the point of ray
 * (a, b) at depth t is a u + b w + t d, larger t nearer. */
static void check_rays_3d(const world *w, const int *owner, const cc_view *view,
                          const int *position)
{
    long cells[3] = {w->shape[0] - 1, w->shape[1] - 1, w->shape[2] - 1};
    double reach = 0.5 * sqrt((double)(w->shape[0] * w->shape[0] + w->shape[1] * w->shape[1] +
                                       w->shape[2] * w->shape[2])) +
                   1.0;
    long steps = (long)(4.0 * reach) + 1;
    enum { RAYS = 9 };
    for (int ja = 0; ja < RAYS; ja++) {
        for (int kb = 0; kb < RAYS; kb++) {
            double a = -reach + 2.0 * reach * ja / (RAYS - 1);
            double b = -reach + 2.0 * reach * kb / (RAYS - 1);
            int last = -1;
            for (long i = steps - 1; i >= 0; i--) {
                double t = -reach + 2.0 * reach * (double)i / (double)(steps - 1);
                int cell[3], inside = 1;
                for (int axis = 0; axis < 3 && inside; axis++) {
                    double weight, p = a * view->u[axis] + b * view->w[axis] + t * view->d[axis];
                    inside = cc_grid_locate((int)w->shape[axis], p, &cell[axis], &weight);
                }
                if (!inside)
                    continue;
                int r = owner[(cell[0] * cells[1] + cell[1]) * cells[2] + cell[2]];
                if (r < 0 || r == last)
                    continue;
                if (last >= 0 && !(position[r] > position[last])) {
                    CHECK(position[r] > position[last]);
                    if (check_failures < 25)
                        fprintf(stderr,
                                "  shape %ldx%ldx%ld, P=%d, depth (%g, %g, %g): rank %d "
                                "(position %d) met after rank %d (position %d)\n",
                                w->shape[0], w->shape[1], w->shape[2], w->ranks, view->d[0],
                                view->d[1], view->d[2], r, position[r], last, position[last]);
                }
                last = r;
            }
        }
    }
}

/* Tilted cameras over a whole turn: cc_plan_visibility with the view's
 * depth direction orders every 3D ray's bricks. */
static void check_visibility_tilted(const world *w, const int *owner)
{
    static const double elevations[] = {30.0, -55.0, 80.0};
    for (size_t e = 0; e < sizeof elevations / sizeof elevations[0]; e++) {
        cc_render_options options = w->options;
        options.elevation_deg = elevations[e];
        options.start_deg = 10.0;
        options.sweep_deg = 360.0;
        options.frames = 8;
        cc_camera camera;
        cc_error err;
        CHECK(cc_camera_make(&options, w->shape, &camera, &err) == CC_OK);
        if (check_failures > 0)
            return;
        for (int f = 0; f < options.frames; f++) {
            cc_view view = cc_camera_view(&camera, f);
            int order[MAX_RANKS], position[MAX_RANKS];
            cc_plan_visibility(&w->plans[0], w->ranks, view.d, order);
            for (int q = 0; q < w->ranks; q++)
                position[order[q]] = q;
            check_rays_3d(w, owner, &view, position);
        }
    }
}

static void check_visibility(const world *w, const int *owner)
{
    double directions[64][2];
    int count = 0;
    /* Exact axis directions, where a sign is 0 ... */
    static const double axes[][2] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
    for (int a = 0; a < 4; a++) {
        directions[count][0] = axes[a][0];
        directions[count][1] = axes[a][1];
        count++;
    }
    /* ... and the driver's views of two sweeps round the circle (whose
     * 90-degree multiples are off the axes by rounding). */
    for (int sweep = 0; sweep < 2; sweep++) {
        for (int f = 0; f < 24; f++) {
            cc_view view = cc_view_of_frame(w->options.size, sweep ? 7.3 : 0.0, 360.0, 24, f);
            directions[count][0] = view.cos_theta;
            directions[count][1] = view.sin_theta;
            count++;
        }
    }
    for (int d = 0; d < count; d++) {
        int order[MAX_RANKS], position[MAX_RANKS];
        for (int r = 0; r < w->ranks; r++)
            position[r] = -1;
        double depth[3] = {0.0, directions[d][0], directions[d][1]};
        cc_plan_visibility(&w->plans[0], w->ranks, depth, order);
        int permutation = 1;
        for (int q = 0; q < w->ranks; q++) {
            if (order[q] < 0 || order[q] >= w->ranks || position[order[q]] >= 0)
                permutation = 0;
            else
                position[order[q]] = q;
        }
        CHECK(permutation);
        if (!permutation)
            continue;
        /* Any rank's plan gives the same order. */
        int other[MAX_RANKS];
        cc_plan_visibility(&w->plans[w->ranks - 1], w->ranks, depth, other);
        CHECK(memcmp(order, other, sizeof(int) * (size_t)w->ranks) == 0);
        check_rays(w, owner, directions[d][0], directions[d][1], position);
    }
}

int main(void)
{
    static const long shapes[][3] = {
        {12, 10, 8}, {33, 41, 25}, {64, 64, 64}, {5, 300, 7}, {2, 3, 2}};
    static const int row_sizes[] = {180, 16, 5, 2};
    enum { SHAPES = sizeof shapes / sizeof shapes[0] };
    world *w = malloc(sizeof *w);
    uint8_t *counts = malloc(64 * 64 * 64);
    int *owner = malloc(sizeof *owner * 64 * 64 * 64);
    REQUIRE(w != NULL && counts != NULL && owner != NULL);
    for (int s = 0; s < SHAPES; s++) {
        for (int ranks = 1; ranks <= MAX_RANKS; ranks++) {
            for (int nodes = 1; nodes <= (ranks > 1 ? 2 : 1); nodes++) {
                if (make_world(w, shapes[s], ranks, nodes, CC_DECOMP_FRAMES, 180)) {
                    check_held_and_read(w, counts);
                    check_projection(w, counts);
                    check_frames(w);
                }
                for (size_t n = 0; n < sizeof row_sizes / sizeof row_sizes[0]; n++) {
                    if (make_world(w, shapes[s], ranks, nodes, CC_DECOMP_ROWS, row_sizes[n])) {
                        check_held_and_read(w, counts);
                        check_projection(w, counts);
                        check_rows(w);
                    }
                }
                if (make_world(w, shapes[s], ranks, nodes, CC_DECOMP_BRICKS, 180)) {
                    check_held_and_read(w, counts);
                    check_projection(w, counts);
                    check_bricks(w, counts, owner);
                    /* Bricks ignore the node layout: rays once per P. */
                    if (nodes == 1) {
                        check_visibility(w, owner);
                        check_visibility_tilted(w, owner);
                    }
                }
            }
        }
    }
    /* Memory: the node-shared volume is counted once per node, on its first
     * rank; rows and bricks split it; the 4-rank total exceeds the cube only
     * by halo planes and buffers. */
    cc_render_options options = cc_render_options_default();
    long shape[3] = {64, 64, 64};
    double cube = 64.0 * 64.0 * 64.0 * 4.0;
    cc_decomp modes[3] = {CC_DECOMP_FRAMES, CC_DECOMP_ROWS, CC_DECOMP_BRICKS};
    for (int m = 0; m < 3; m++) {
        options.decomp = modes[m];
        options.range_end = options.frames;
        double volume = 0.0;
        for (int rank = 0; rank < 4; rank++) {
            cc_layout layout = {rank, 4, rank, 4};
            cc_plan plan;
            cc_error err;
            cc_error_clear(&err);
            CHECK_INT(cc_plan_make(&options, shape, &layout, &plan, &err), CC_OK);
            cc_plan_memory need;
            cc_plan_memory_need(&plan, &options, shape, &layout, 2, &need);
            CHECK(need.total >= need.volume + need.fixed);
            if (modes[m] == CC_DECOMP_FRAMES)
                CHECK_SAME(need.volume, rank == 0 ? cube : 0.0);
            volume += need.volume;
        }
        CHECK(volume >= cube);
        CHECK(volume <= cube * (modes[m] == CC_DECOMP_FRAMES ? 1.0 : 1.2));
    }
    options.decomp = CC_DECOMP_AUTO;
    {
        cc_layout layout = {0, 1, 0, 1};
        cc_plan plan;
        cc_error err;
        cc_error_clear(&err);
        CHECK(cc_plan_make(&options, shape, &layout, &plan, &err) != CC_OK);
    }
    free(w);
    free(counts);
    free(owner);
    return check_result("test_plan");
}
