/* plan.c - decomposition plans (plan.h). */
#include "cubecast/plan.h"

#include <stdio.h>
#include <string.h>

#include "cubecast/camera.h"
#include "cubecast/histogram.h"
#include "cubecast/image.h"

#include "cubecast/render.h"
#include "cubecast/view.h"

void cc_split(long n, int parts, int part, long *lo, long *count)
{
    long base = n / parts, extra = n % parts;
    *lo = part * base + (part < extra ? part : extra);
    *count = base + (part < extra ? 1 : 0);
}

static long max_long(long a, long b)
{
    return a > b ? a : b;
}

/* frames: every rank renders whole frames from the whole cube, which the
 * ranks of a node hold once, each reading an x slab of it. */
static void plan_frames(const cc_render_options *options, const long shape[3],
                        const cc_layout *layout, cc_plan *plan)
{
    plan->held = cc_box_whole(shape[0], shape[1], shape[2]);
    /* Alone on its node a rank keeps the cube private: anonymous memory
     * can use transparent huge pages, which Open MPI's /dev/shm window
     * cannot where tmpfs huge pages are off (Debian's default). */
    plan->held_shared = layout->node_ranks > 1;
    plan->read = plan->held;
    cc_split(shape[0], layout->node_ranks, layout->node_rank, &plan->read.lo[0],
             &plan->read.count[0]);
    plan->owned_cells = cc_cells_whole(shape);
    plan->row_begin = 0;
    plan->row_end = options->size;
}

/* The x planes [*lo, *lo + *count) that rank's band of image rows touches
 * (a row only touches the two planes around it, whatever the angle). */
static void rows_planes(const cc_render_options *options, const long shape[3], int ranks, int rank,
                        long *lo, long *count)
{
    long row_lo, row_count;
    cc_split(options->size, ranks, rank, &row_lo, &row_count);
    /* Only the scale and spacing matter: rows keep their plane at any angle. */
    cc_view any_angle = cc_view_of_frame(options->size, 0.0, 0.0, 1, 0);
    int order[3];
    long file_shape[3];
    cc_camera_axis_order(options->axis, order);
    for (int a = 0; a < 3; a++)
        file_shape[order[a]] = shape[a];
    cc_camera camera;
    if (cc_camera_make(options, file_shape, &camera, NULL) == CC_OK) {
        any_angle.scale = camera.scale;
        for (int a = 0; a < 3; a++)
            any_angle.spacing[a] = camera.spacing[a];
    }
    cc_view_rows_x_range(&any_angle, shape[0], (int)row_lo, (int)(row_lo + row_count), lo, count);
}

/* Sweeps the bands (ordered along x) for the planes none holds; stores the
 * runs when runs is not NULL, counts them in *run_count and returns the
 * number of planes. */
static long uncovered_planes(const cc_render_options *options, const long shape[3], int ranks,
                             long (*runs)[2], int *run_count)
{
    long covered_to = 0, total = 0;
    *run_count = 0;
    for (int r = 0; r <= ranks; r++) {
        long lo = shape[0], count = 0;
        if (r < ranks)
            rows_planes(options, shape, ranks, r, &lo, &count);
        if (r < ranks && count == 0)
            continue;
        if (lo > covered_to) {
            if (runs != NULL) {
                runs[*run_count][0] = covered_to;
                runs[*run_count][1] = lo - covered_to;
            }
            (*run_count)++;
            total += lo - covered_to;
        }
        covered_to = max_long(covered_to, lo + count);
    }
    return total;
}

int cc_plan_rows_uncovered(const cc_render_options *options, const long shape[3], int ranks,
                           long (*runs)[2])
{
    int run_count;
    uncovered_planes(options, shape, ranks, runs, &run_count);
    return run_count;
}

/* rows: rank r renders an equal band of image rows and holds the x slab
 * those rows touch.  Each plane it holds is summed into the projection by
 * the lowest rank holding it; planes no band touches (the camera grid is
 * smaller than the cube, or skips planes) are split evenly over the ranks
 * and streamed through once for the projection, so every rank reads about
 * 1/P of the cube while rendering an equal share of rows. */
static void plan_rows(const cc_render_options *options, const long shape[3],
                      const cc_layout *layout, cc_plan *plan)
{
    long row_lo, row_count;
    cc_split(options->size, layout->ranks, layout->rank, &row_lo, &row_count);
    plan->row_begin = (int)row_lo;
    plan->row_end = (int)(row_lo + row_count);
    long x_lo, x_count, held_below = 0;
    rows_planes(options, shape, layout->ranks, layout->rank, &x_lo, &x_count);
    for (int r = 0; r < layout->rank; r++) {
        long lo, count;
        rows_planes(options, shape, layout->ranks, r, &lo, &count);
        if (count > 0)
            held_below = max_long(held_below, lo + count);
    }
    plan->held = cc_box_whole(shape[0], shape[1], shape[2]);
    plan->held.lo[0] = x_lo;
    plan->held.count[0] = x_count;
    plan->read = plan->held;
    plan->owned_cells = cc_cells_whole(shape);
    plan->projection = plan->held;
    plan->projection.lo[0] = max_long(x_lo, held_below);
    plan->projection.count[0] = max_long(0, x_lo + x_count - plan->projection.lo[0]);
    int run_count;
    long uncovered = uncovered_planes(options, shape, layout->ranks, NULL, &run_count);
    cc_split(uncovered, layout->ranks, layout->rank, &plan->stream_begin, &plan->stream_count);
}

/* The brick grid for P ranks: the factorisation px * py * pz = P whose
 * bricks have the least surface (halo and compositing work), preferring
 * splits across y and z on ties, as design.md describes. */
static void choose_brick_grid(const long shape[3], int ranks, int grid[3])
{
    double best = -1.0;
    for (int px = 1; px <= ranks; px++) {
        if (ranks % px != 0)
            continue;
        for (int py = 1; py <= ranks / px; py++) {
            if ((ranks / px) % py != 0)
                continue;
            int pz = ranks / px / py;
            double bx = (double)shape[0] / px, by = (double)shape[1] / py,
                   bz = (double)shape[2] / pz;
            double surface = bx * by + by * bz + bx * bz;
            /* On ties keep x whole (x splits need no compositing, but
             * design.md asks for sort-last across y and z), then prefer
             * y splits: a y-z brick of a y split reads contiguous runs of
             * whole z rows from the file. */
            surface *= 1.0 + 1e-9 * px + 1e-12 * pz;
            if (best < 0.0 || surface < best) {
                best = surface;
                grid[0] = px;
                grid[1] = py;
                grid[2] = pz;
            }
        }
    }
}

void cc_plan_brick_of(const cc_plan *plan, int rank, int brick[3])
{
    brick[2] = rank % plan->bricks[2];
    brick[1] = (rank / plan->bricks[2]) % plan->bricks[1];
    brick[0] = rank / (plan->bricks[2] * plan->bricks[1]);
}

/* bricks: rank r owns a box of interpolation cells and holds it plus the
 * one plane its last cells need. */
static void plan_bricks(const cc_render_options *options, const long shape[3],
                        const cc_layout *layout, cc_plan *plan)
{
    choose_brick_grid(shape, layout->ranks, plan->bricks);
    int brick[3];
    cc_plan_brick_of(plan, layout->rank, brick);
    for (int axis = 0; axis < 3; axis++) {
        cc_split(shape[axis] - 1, plan->bricks[axis], brick[axis], &plan->owned_cells.lo[axis],
                 &plan->owned_cells.count[axis]);
        plan->held.lo[axis] = plan->owned_cells.lo[axis];
        plan->held.count[axis] = plan->owned_cells.count[axis] + 1;
    }
    plan->read = plan->held;
    plan->row_begin = 0;
    plan->row_end = options->size;
    /* Each voxel is summed once: by the brick owning it as a cell's lower
     * corner, and the cube's last plane along an axis by the last brick. */
    for (int axis = 0; axis < 3; axis++) {
        plan->projection.lo[axis] = plan->owned_cells.lo[axis];
        plan->projection.count[axis] =
            plan->owned_cells.count[axis] + (brick[axis] == plan->bricks[axis] - 1);
    }
}

cc_status cc_plan_make(const cc_render_options *options, const long shape[3],
                       const cc_layout *layout, cc_plan *out, cc_error *err)
{
    cc_plan plan = {0};
    plan.bricks[0] = plan.bricks[1] = plan.bricks[2] = 1;
    /* Unless the mode says otherwise, each rank adds an x slab of planes. */
    plan.projection = cc_box_whole(shape[0], shape[1], shape[2]);
    cc_split(shape[0], layout->ranks, layout->rank, &plan.projection.lo[0],
             &plan.projection.count[0]);
    plan.decomp = options->decomp;
    switch (plan.decomp) {
    case CC_DECOMP_FRAMES:
        plan_frames(options, shape, layout, &plan);
        break;
    case CC_DECOMP_ROWS:
        plan_rows(options, shape, layout, &plan);
        break;
    case CC_DECOMP_BRICKS:
        plan_bricks(options, shape, layout, &plan);
        break;
    default:
        return cc_fail(err, CC_ERR_INTERNAL, "unknown decomposition %d", (int)plan.decomp);
    }
    *out = plan;
    return CC_OK;
}

/* Nearness of a brick along the signs of the view direction. */
static long nearness(const cc_plan *plan, int rank, const int sign[3])
{
    int brick[3];
    cc_plan_brick_of(plan, rank, brick);
    return (long)brick[0] * sign[0] + (long)brick[1] * sign[1] + (long)brick[2] * sign[2];
}

void cc_plan_visibility(const cc_plan *plan, int ranks, const double depth[3], int *order)
{
    /* Depth i grows along `depth`, and larger i is nearer: a brick further
     * along it is nearer.  Along a ray the brick indices change
     * monotonically per axis (in the direction's sign, or not at all where
     * it is 0), so a brick a ray reaches later has a larger key; bricks
     * with equal keys never share a ray. */
    int sign[3];
    for (int a = 0; a < 3; a++)
        sign[a] = depth[a] > 0.0 ? 1 : (depth[a] < 0.0 ? -1 : 0);
    /* Insertion sort: stable, allocation-free, and P is at most thousands. */
    for (int r = 0; r < ranks; r++) {
        long key = nearness(plan, r, sign);
        int at = r;
        while (at > 0 && nearness(plan, order[at - 1], sign) < key) {
            order[at] = order[at - 1];
            at--;
        }
        order[at] = r;
    }
}

/* Measured (peak RSS): a 1-rank run on a 4^3 cube takes 22 MiB (the
 * program, Open MPI and HDF5), a 4-rank one 26 MiB a rank; on a 256^3
 * cube a single rank peaks 28 MiB above its volume.  MPI-IO's collective
 * buffer adds 4 MiB (input.c).  40 MiB leaves a margin. */
#define FIXED_BYTES (40.0 * 1048576.0)
/* The buffer a volume read in another axis order goes through (input.c). */
#define READ_BUFFER_BYTES (64.0 * 1048576.0)
/* The slab rows mode streams the unheld planes through (driver.c). */
#define STREAM_SLAB_BYTES (16.0 * 1048576.0)

void cc_plan_memory_need(const cc_plan *plan, const cc_render_options *options, const long shape[3],
                         const cc_layout *layout, int threads, cc_plan_memory *out)
{
    double value = (double)cc_precision_size(options->precision);
    double n = options->size, pixels = n * n, pixel = 4.0 * sizeof(double); /* C and T */
    double plane = (double)shape[1] * (double)shape[2];
    int node_first = layout->node_rank == 0;
    *out = (cc_plan_memory){0};
    out->volume = (double)cc_box_voxels(&plan->held) * value;
    /* A series reads the next input into a second volume meanwhile. */
    if (cc_render_options_input_count(options) > 1)
        out->volume *= 2.0;
    if (plan->held_shared && !node_first)
        out->volume = 0.0;
    /* An orbit about y or z reads the volume transposed, through a buffer
     * of up to 64 MiB per rank (input.c). */
    if (options->axis != 0) {
        double box = (double)cc_box_voxels(&plan->read) * value;
        out->volume += box < READ_BUFFER_BYTES ? box : READ_BUFFER_BYTES;
    }
    /* The image rendered into, the whole frame (rows, bricks), RGB, and a
     * PNG buffer that can exceed the RGB when nothing compresses. */
    double rows = plan->row_end - plan->row_begin;
    /* PNG pixels: RGB or RGBA, 1 or 2 bytes a sample, in the writer
     * thread's two buffers (one encoded while the next frame's is filled,
     * writer.h), and the encoded file, which can be a little larger when
     * nothing compresses. */
    double sample_bytes = (options->transparent ? 4.0 : 3.0) * (options->bit_depth == 16 ? 2 : 1);
    out->frame = rows * n * pixel + pixels * sample_bytes * (2.0 + 1.1);
    if (plan->decomp != CC_DECOMP_FRAMES)
        out->frame += pixels * pixel;
    if (options->raw != NULL)
        out->frame += pixels * 3.0 * value;
    if (plan->decomp == CC_DECOMP_BRICKS && options->composite == CC_COMPOSITE_SWAP)
        out->composite = pixels * (2.0 * pixel + 3.0 * sizeof(double));
    else if (plan->decomp == CC_DECOMP_BRICKS)
        out->composite = pixels * pixel * (1.0 + (node_first ? layout->ranks : 0));
    /* Sample table: an offset and the weights in both precisions. */
    out->renderer = pixels * (sizeof(int32_t) + 2.0 * sizeof(float) + 2.0 * sizeof(double)) +
                    threads * (plane * value + 6.0 * n * value);
    if (options->projection || options->raw != NULL)
        out->projection = plane * sizeof(double) * (1.0 + (layout->rank == 0)) +
                          (layout->rank == 0 ? plane * 3.0 : 0.0);
    if (options->projection_size > 0 && layout->rank == 0) /* the resampled picture */
        out->projection +=
            (double)options->projection_size * options->projection_size * (sizeof(double) + 3.0);
    if (plan->decomp == CC_DECOMP_ROWS)
        out->projection += STREAM_SLAB_BYTES;
    /* --tf auto and percentiles: a value histogram per thread and the sum. */
    int histogram =
        options->data_range.percentile || (options->tf != NULL && strcmp(options->tf, "auto") == 0);
    if (histogram)
        out->projection += (threads + 1.0) * sizeof(cc_histogram);
    out->fixed = FIXED_BYTES;
    out->total =
        out->volume + out->frame + out->composite + out->renderer + out->projection + out->fixed;
}

double cc_plan_device_bytes(const cc_plan *plan, const cc_render_options *options)
{
    double value = (double)cc_precision_size(options->precision);
    double rows = plan->row_end - plan->row_begin, pixel = 4.0 * sizeof(double);
    return (double)cc_box_voxels(&plan->held) * value + rows * options->size * pixel +
           sizeof(cc_tf) + sizeof(cc_tf_single);
}
