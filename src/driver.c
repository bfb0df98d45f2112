/* driver.c - the MPI program (driver.h).
 *
 * plan -> read -> render -> composite -> write, with errors agreed on
 * collectively at every step that may fail on some ranks only. */
#include "cubecast/driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "cubecast/atomic_file.h"
#include "cubecast/backend.h"
#include "cubecast/camera.h"
#include "cubecast/collective.h"
#include "cubecast/composite.h"
#include "cubecast/datasets.h"
#include "cubecast/input.h"
#include "cubecast/manifest.h"
#include "cubecast/memory.h"
#include "cubecast/outdir.h"
#include "cubecast/plan.h"
#include "cubecast/pngout.h"
#include "cubecast/profile.h"
#include "cubecast/progress.h"
#include "cubecast/projection.h"
#include "cubecast/queue.h"
#include "cubecast/raw.h"
#include "cubecast/stop.h"
#include "cubecast/sweep.h"
#include "cubecast/tf_file.h"
#include "cubecast/version.h"
#include "cubecast/prefetch.h"
#include "cubecast/writer.h"

enum { TAG_RECORD = 101 };

/* What a rank tells rank 0 about a frame, or (frame < 0) that it is done. */
typedef struct frame_message {
    cc_frame_record record;
    int status;
} frame_message;

typedef struct run {
    const cc_render_options *options;
    MPI_Comm comm, node_comm;
    cc_layout layout;
    cc_plan plan;
    cc_input *input;           /* the series' input `loaded` (one input: the input) */
    int opened, loaded;        /* which input is open, which the volume holds (-1 none) */
    double first_read_seconds; /* the first input's read, before the manifest exists */
    unsigned long long bytes_read_before; /* by the inputs closed since */
    cc_tf tf;                             /* the transfer function, the same on every rank */
    cc_tf_source tf_source;               /* what it was read from */
    cc_file_id input_id;                  /* as this rank sees it */
    long shape[3];                        /* the file's */
    cc_render_options resolved; /* the options with the dataset chosen, --spacing auto read */
    char dataset_name[1024];    /* the dataset chosen when --dataset was not given */
    char dataset_why[128];      /* why it was ("" for density), for rank 0 to say */
    cc_camera camera;           /* its shape is the stored volume's */
    uint32_t checksum;          /* of the input's values (volume.h) */
    uint32_t *series_checksums; /* a series: each input's, once known */
    char *series_scanned;       /* a series: 1 where it is known */
    cc_histogram *histogram;    /* where the values lie, when the look needs it */
    double *projection;         /* sums over x, until written (rank 0: the total) */
    MPI_Win volume_window;      /* the volume's, when node-shared */
    int has_window;
    /* A series: the volume the next input is read into while the current
     * one renders (prefetch.h), and HDF5's lock while that runs. */
    cc_volume *spare;
    MPI_Win spare_window;
    int has_spare_window;
    cc_prefetch *prefetch;
    int prefetching; /* the input it reads, -1 none */
    pthread_mutex_t hdf5_lock;
    cc_volume *volume;
    cc_backend_choice device; /* what renders on this rank (--device) */
    cc_backend *backend;
    cc_raw *raw;
    cc_outdir *outdir;
    cc_manifest *manifest;                              /* rank 0 */
    double manifest_written_at, manifest_write_seconds; /* rank 0 */
    int manifest_unsaved;    /* rank 0: frames added since the last write */
    int claimed;             /* rank 0: this run wrote the folder's first manifest */
    int frames_noted;        /* rank 0: frames this run added to the manifest */
    int *unsaved_frames;     /* rank 0: which they are */
    cc_progress *progress;   /* rank 0 */
    cc_frame_writer *writer; /* encodes and writes PNGs beside the render */
    int overlap_writes;      /* while the next frame renders (a GPU, a spare core) */
    frame_message writing;   /* what the writer has, until collected */
    double writing_started;  /* when that frame's render began */
    int *todo;               /* frames to render this run */
    int todo_count;
    cc_profile profile;
    double mark;
} run;

/* ---- setup ------------------------------------------------------------ */

static void layout_of(MPI_Comm comm, MPI_Comm node_comm, cc_layout *layout)
{
    MPI_Comm_rank(comm, &layout->rank);
    MPI_Comm_size(comm, &layout->ranks);
    MPI_Comm_rank(node_comm, &layout->node_rank);
    MPI_Comm_size(node_comm, &layout->node_ranks);
}

/* rank 0: the output folder and --raw can be written and are not the
 * input, and the folder holds nothing this run may not touch.  Creates
 * nothing: the folder is made only once the input has been read. */
static cc_status check_outputs(run *r, cc_error *err)
{
    const cc_render_options *options = r->options;
    cc_status status = cc_outdir_check(options->output, &r->input_id, err);
    if (status == CC_OK && options->raw != NULL)
        status =
            cc_output_file_check(options->raw, "raw output", options->output, &r->input_id, err);
    if (status != CC_OK)
        return status;
    cc_input_identity identity = {
        {r->shape[0], r->shape[1], r->shape[2]}, cc_input_type_name(r->input), 0, 0};
    cc_manifest *ours;
    status = cc_manifest_create(options, &identity, &ours, err);
    if (status == CC_OK)
        cc_manifest_set_look(ours, CC_TF_NEEDS_DATA(options) ? NULL : &r->tf, &r->tf_source,
                             options->tf, options->opacity_unit);
    if (status == CC_OK)
        status = cc_sweep_precheck(options, ours, err);
    cc_manifest_destroy(ours);
    return status;
}

static int omp_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

/* 1 when this rank has a core its render threads leave idle. */
static int spare_core(void)
{
#ifdef _OPENMP
    return omp_get_num_procs() > omp_get_max_threads();
#else
    return 1;
#endif
}

static const char *const decomp_names[] = {"frames", "rows", "bricks", "auto"};

/* What a node needs against what it may use, summed over its ranks. */
typedef struct node_memory {
    double need[7]; /* cc_plan_memory's fields, in order, total last */
    double limit;
    char source[160];
    int ranks;
} node_memory;

static void node_memory_of(const run *r, const cc_plan *plan, const cc_render_options *options,
                           node_memory *node)
{
    cc_plan_memory need;
    cc_plan_memory_need(plan, options, r->camera.shape, &r->layout, omp_threads(), &need);
    double mine[7] = {need.volume,     need.frame, need.composite, need.renderer,
                      need.projection, need.fixed, need.total};
    MPI_Allreduce(mine, node->need, 7, MPI_DOUBLE, MPI_SUM, r->node_comm);
    cc_memory_limit limit;
    cc_memory_limit_read("", cc_memory_physical(), &limit);
    /* The lowest limit any rank of the node sees, and what sets it. */
    struct {
        double value;
        int rank;
    } lowest = {limit.bytes, r->layout.node_rank}, found;
    MPI_Allreduce(&lowest, &found, 1, MPI_DOUBLE_INT, MPI_MINLOC, r->node_comm);
    memcpy(node->source, limit.source, sizeof node->source);
    MPI_Bcast(node->source, (int)sizeof node->source, MPI_CHAR, found.rank, r->node_comm);
    node->limit = found.value;
    node->ranks = r->layout.node_ranks;
}

/* Collective: 1 when every node fits; else 0 and *worst is the node that
 * is furthest over (the same on every rank). */
static int plan_fits(const run *r, const cc_plan *plan, const cc_render_options *options,
                     node_memory *worst)
{
    node_memory node;
    node_memory_of(r, plan, options, &node);
    struct {
        double ratio;
        int rank;
    } mine = {node.need[6] / node.limit, r->layout.rank}, found;
    MPI_Allreduce(&mine, &found, 1, MPI_DOUBLE_INT, MPI_MAXLOC, r->comm);
    *worst = node;
    MPI_Bcast(worst, (int)sizeof *worst, MPI_BYTE, found.rank, r->comm);
    return found.ratio <= 1.0;
}

/* What the ranks that render on one CUDA device need of it, against what
 * it had free when chosen. */
typedef struct device_memory {
    double need, free;
    int ranks; /* sharing the device */
    char name[CC_BACKEND_NAME_MAX];
} device_memory;

/* Room left on a device for what the plan does not count (kernel launch
 * buffers, the runtime's own use). */
#define DEVICE_HEADROOM_BYTES (64.0 * 1048576.0)

/* Collective: 1 when every CUDA device has room for the ranks rendering
 * on it; else 0 and *worst is the device furthest over (the same on every
 * rank).  Ranks sharing a device each upload their own part of the
 * volume, so their needs add up. */
static int device_fits(const run *r, const cc_plan *plan, const cc_render_options *options,
                       device_memory *worst)
{
    int cuda = r->device.kind == CC_DEVICE_CUDA;
    device_memory mine = {0.0, r->device.memory_free, 1, ""};
    snprintf(mine.name, sizeof mine.name, "%s", r->device.name);
    MPI_Comm sharing;
    MPI_Comm_split(r->node_comm, cuda ? r->device.device : MPI_UNDEFINED, r->layout.node_rank,
                   &sharing);
    double ratio = 0.0;
    if (cuda) {
        double need = cc_plan_device_bytes(plan, options);
        MPI_Allreduce(&need, &mine.need, 1, MPI_DOUBLE, MPI_SUM, sharing);
        MPI_Comm_size(sharing, &mine.ranks);
        MPI_Comm_free(&sharing);
        mine.need += DEVICE_HEADROOM_BYTES;
        ratio = mine.need / (mine.free > 1.0 ? mine.free : 1.0);
    }
    struct {
        double ratio;
        int rank;
    } in = {ratio, r->layout.rank}, found;
    MPI_Allreduce(&in, &found, 1, MPI_DOUBLE_INT, MPI_MAXLOC, r->comm);
    *worst = mine;
    MPI_Bcast(worst, (int)sizeof *worst, MPI_BYTE, found.rank, r->comm);
    return found.ratio <= 1.0;
}

/* The refusal when the volume fits the nodes but not a GPU. */
static cc_status device_short(const cc_render_options *options, const device_memory *device,
                              cc_error *err)
{
    char need[32], free_text[32];
    cc_memory_text(device->need, need, sizeof need);
    cc_memory_text(device->free, free_text, sizeof free_text);
    return cc_fail(err, CC_ERR_RESOURCES,
                   "not enough GPU memory for --decomp %s: %s needs %s (the volume part and image "
                   "of %d rank%s, and %.0f MiB for the CUDA runtime) but %s is free; use --decomp "
                   "bricks over more ranks (each then holds a "
                   "smaller part of the volume)%s, or --device cpu",
                   options->decomp == CC_DECOMP_AUTO ? "auto (bricks, the smallest plan)"
                                                     : decomp_names[options->decomp],
                   device->name, need, device->ranks, device->ranks == 1 ? "" : "s",
                   DEVICE_HEADROOM_BYTES / 1048576.0, free_text,
                   options->precision == CC_DOUBLE ? ", --precision single" : "");
}

static void describe_need(const node_memory *node, char *out, size_t out_size)
{
    static const char *const parts[6] = {"volume",   "images",     "compositing",
                                         "renderer", "projection", "program"};
    char total[32], limit[32];
    cc_memory_text(node->need[6], total, sizeof total);
    cc_memory_text(node->limit, limit, sizeof limit);
    size_t used = (size_t)snprintf(out, out_size, "%s per node (", total);
    for (int p = 0; p < 6 && used < out_size; p++) {
        char part[32];
        cc_memory_text(node->need[p], part, sizeof part);
        used +=
            (size_t)snprintf(out + used, out_size - used, "%s%s %s", p ? ", " : "", parts[p], part);
    }
    if (used < out_size)
        snprintf(out + used, out_size - used, ", %d rank%s) but the node may use %s (%s)",
                 node->ranks, node->ranks == 1 ? "" : "s", limit, node->source);
}

/* Makes the plan, choosing the decomposition for --decomp auto, and makes
 * sure every node has the memory it needs before anything is allocated. */
static cc_status plan_within_memory(run *r, cc_error *err)
{
    const cc_render_options *options = r->options;
    cc_decomp candidates[3] = {options->decomp, CC_DECOMP_ROWS, CC_DECOMP_BRICKS};
    int count = 1;
    if (options->decomp == CC_DECOMP_AUTO) {
        candidates[0] = CC_DECOMP_FRAMES;
        count = 3;
        /* Rows need image rows in planes of the volume (no elevation). */
        if (!cc_camera_rows_in_planes(&r->camera)) {
            candidates[1] = CC_DECOMP_BRICKS;
            count = 2;
        }
    }
    node_memory first, worst;
    device_memory first_device, device;
    int nodes_fit = 0, first_nodes_fit = 0;
    for (int c = 0; c < count; c++) {
        cc_render_options tried = *options;
        tried.decomp = candidates[c];
        cc_status status = cc_plan_make(&tried, r->camera.shape, &r->layout, &r->plan, err);
        if (status != CC_OK)
            return status;
        nodes_fit = plan_fits(r, &r->plan, &tried, &worst);
        int devices_fit = device_fits(r, &r->plan, &tried, &device);
        if (c == 0) {
            first = worst;
            first_device = device;
            first_nodes_fit = nodes_fit;
        }
        if (!nodes_fit || !devices_fit)
            continue;
        char need[400];
        describe_need(&worst, need, sizeof need);
        if (c == 0)
            snprintf(r->plan.reason, sizeof r->plan.reason, "%s: it needs %s",
                     decomp_names[candidates[c]], need);
        else if (first_nodes_fit)
            snprintf(r->plan.reason, sizeof r->plan.reason,
                     "%s: frames would need more of %s than it has free (%.0f MiB against %.0f)",
                     decomp_names[candidates[c]], first_device.name, first_device.need / 1048576.0,
                     first_device.free / 1048576.0);
        else
            snprintf(r->plan.reason, sizeof r->plan.reason,
                     "%s: frames would need more than the node may use (%.0f MiB against %.0f)",
                     decomp_names[candidates[c]], first.need[6] / 1048576.0,
                     first.limit / 1048576.0);
        return CC_OK;
    }
    if (nodes_fit)
        return device_short(options, &device, err);
    char need[400];
    describe_need(&worst, need, sizeof need);
    int first_of_node = r->layout.node_rank == 0, nodes;
    MPI_Allreduce(&first_of_node, &nodes, 1, MPI_INT, MPI_SUM, r->comm);
    const char *single = options->precision == CC_DOUBLE ? ", or --precision single" : "";
    /* Every node holds a whole copy in frames mode; rows and bricks split
     * the volume over the nodes, so on one node only more nodes help. */
    if (options->decomp == CC_DECOMP_FRAMES && nodes > 1)
        return cc_fail(err, CC_ERR_RESOURCES,
                       "not enough memory for --decomp frames: it needs %s; use --decomp rows or "
                       "bricks, which split the volume over the %d nodes%s",
                       need, nodes, single);
    if (options->decomp == CC_DECOMP_FRAMES)
        return cc_fail(err, CC_ERR_RESOURCES,
                       "not enough memory for --decomp frames: it needs %s; run on more nodes "
                       "with --decomp rows or bricks, which split the volume over them%s",
                       need, single);
    return cc_fail(err, CC_ERR_RESOURCES,
                   "not enough memory for --decomp %s: it needs %s; run on more nodes (each then "
                   "holds a smaller part of the volume)%s",
                   options->decomp == CC_DECOMP_AUTO ? "auto (bricks, the smallest plan)"
                                                     : decomp_names[options->decomp],
                   need, single);
}

/* Rank 0 reads the transfer function's file; every rank gets the same
 * plain-data value. */
static cc_status build_transfer(run *r, cc_error *err)
{
    cc_status status = CC_OK;
    if (r->layout.rank == 0)
        status = cc_tf_build(r->options, &r->tf, &r->tf_source, err);
    status = cc_agree(r->comm, status, err);
    if (status == CC_OK) {
        MPI_Bcast(&r->tf, (int)sizeof r->tf, MPI_BYTE, 0, r->comm);
        MPI_Bcast(&r->tf_source, (int)sizeof r->tf_source, MPI_BYTE, 0, r->comm);
    }
    return status;
}

/* The opacity unit's exponent delta / L, where delta = s N/(N-1) is the
 * distance between depth samples (design.md section 5).  Set here, where
 * the camera's s is known, over what the transfer function's code made of
 * N alone; s is 1 exactly unless zoomed or fitted, so the exponent is then
 * what it always was. */
static void correct_opacity(run *r)
{
    const cc_render_options *options = r->options;
    double delta = r->camera.scale * ((double)options->size / (double)(options->size - 1));
    r->tf.opacity_exponent = options->opacity_unit > 0.0 ? delta / options->opacity_unit : 0.0;
}

/* The camera, once the file's shape (and, for --spacing auto, its
 * attributes) are known; from here on r->options has the spacing used. */
static cc_status resolve_camera(run *r, cc_error *err)
{
    if (r->resolved.spacing_auto) {
        int found;
        char source[64];
        cc_status status =
            cc_input_spacing(r->input, r->resolved.spacing, &found, source, sizeof source, err);
        if (status != CC_OK)
            return status;
    }
    cc_status status = cc_camera_make(r->options, r->shape, &r->camera, err);
    if (status == CC_OK)
        correct_opacity(r);
    return status;
}

/* The volume the options name in a file. */
static cc_input_choice volume_of(const cc_render_options *options)
{
    return (cc_input_choice){options->dataset, options->index, options->index_axis};
}

/* Without --dataset: density, else the first input's only dataset that
 * renders (3D numeric; 4D with --index), chosen by rank 0 and told to
 * every rank.  From here on the options name it, so the series' checks,
 * the manifest and the PNGs all have the dataset actually read. */
static cc_status choose_dataset(run *r, cc_error *err)
{
    if (r->resolved.dataset_given)
        return CC_OK;
    cc_status status = CC_OK;
    if (r->layout.rank == 0) {
        cc_dataset_list *list = NULL;
        status = cc_dataset_list_read(r->resolved.input, &list, err);
        if (status == CC_OK)
            status = cc_dataset_choose(list, r->resolved.input, r->resolved.index >= 0,
                                       r->dataset_name, sizeof r->dataset_name, r->dataset_why,
                                       sizeof r->dataset_why, err);
        cc_dataset_list_destroy(list);
    }
    status = cc_agree(r->comm, status, err);
    if (status != CC_OK)
        return status;
    MPI_Bcast(r->dataset_name, (int)sizeof r->dataset_name, MPI_CHAR, 0, r->comm);
    r->resolved.dataset = r->dataset_name;
    r->resolved.dataset_given = 1;
    return CC_OK;
}

/* 'f' for a floating-point type name, 'i' for an integer one. */
static char type_class(const char *type_name)
{
    return type_name[0] == 'f' ? 'f' : 'i';
}

/* A series: every input exists and holds the dataset with the first's
 * shape and type class, checked from metadata only (rank 0 opens each on
 * its own), before anything is read or written. */
static cc_status check_series(run *r, cc_error *err)
{
    const cc_render_options *options = r->options;
    int count = cc_render_options_input_count(options);
    r->series_checksums = calloc((size_t)count, sizeof *r->series_checksums);
    r->series_scanned = calloc((size_t)count, 1);
    cc_status status = r->series_checksums == NULL || r->series_scanned == NULL
                           ? cc_fail(err, CC_ERR_NOMEM, "out of memory for %d inputs", count)
                           : CC_OK;
    const long *shape = cc_input_shape(r->input);
    const char *type = cc_input_type_name(r->input);
    for (int s = 1; s < count && status == CC_OK && r->layout.rank == 0; s++) {
        const char *path = cc_render_options_input_path(options, s);
        cc_input *other = NULL;
        cc_input_choice volume = volume_of(options);
        status = cc_input_open_local_choice(path, &volume, &other, err);
        const long *its = status == CC_OK ? cc_input_shape(other) : NULL;
        if (its != NULL && (its[0] != shape[0] || its[1] != shape[1] || its[2] != shape[2] ||
                            type_class(cc_input_type_name(other)) != type_class(type)))
            status = cc_fail(err, CC_ERR_INPUT,
                             "input '%s' of the series holds a %ld x %ld x %ld %s '%s', but the "
                             "first ('%s') a %ld x %ld x %ld %s one: every input needs the same "
                             "shape and kind of values",
                             path, its[0], its[1], its[2], cc_input_type_name(other),
                             options->dataset, options->input, shape[0], shape[1], shape[2], type);
        cc_input_close(other);
    }
    return cc_agree(r->comm, status, err);
}

static cc_status setup(run *r, cc_error *err)
{
    r->resolved = *r->options;
    r->options = &r->resolved;
    const cc_render_options *options = r->options;
    /* First, so that --device cuda without a device fails before the
     * input is read or any output made; every rank fails alike. */
    cc_status status = cc_agree(
        r->comm, cc_backend_choose(options->device, r->layout.node_rank, &r->device, err), err);
    if (status != CC_OK)
        return status;
    status = build_transfer(r, err);
    if (status != CC_OK)
        return status;
    status = choose_dataset(r, err);
    if (status != CC_OK)
        return status;
    cc_input_choice volume = volume_of(options);
    status = cc_input_open_choice(options->input, &volume, r->comm, &r->input, err);
    if (status != CC_OK)
        return status;
    r->opened = 0;
    memcpy(r->shape, cc_input_shape(r->input), sizeof r->shape);
    status = check_series(r, err);
    if (status != CC_OK)
        return status;
    status = cc_agree(r->comm, resolve_camera(r, err), err);
    if (status != CC_OK)
        return status;
    options = r->options;
    if (!cc_file_id_of(options->input, &r->input_id))
        status = cc_fail(err, CC_ERR_INPUT, "cannot open input '%s'", options->input);
    if (status == CC_OK && r->layout.rank == 0)
        status = check_outputs(r, err);
    status = cc_agree(r->comm, status, err);
    if (status == CC_OK)
        status = cc_agree(r->comm, plan_within_memory(r, err), err);
    /* Once the run is known to go ahead, so that a refusal stays one line. */
    if (status == CC_OK && r->dataset_why[0] != '\0' && r->layout.rank == 0 && !options->quiet)
        fprintf(stderr, "using dataset %s (%s)\n", r->dataset_name, r->dataset_why);
    if (status == CC_OK && options->decomp == CC_DECOMP_AUTO && r->layout.rank == 0 &&
        !options->quiet)
        fprintf(stderr, "decomposition: %s\n", r->plan.reason);
    return status;
}

/* Once the data are read: --tf auto and percentile ranges, on rank 0 from
 * the summed histogram, then the same function on every rank. */
static cc_status finish_transfer(run *r, cc_error *err)
{
    if (!CC_TF_NEEDS_DATA(r->options))
        return CC_OK;
    cc_status status = CC_OK;
    if (r->layout.rank == 0) {
        status = cc_tf_finish(r->options, r->histogram, cc_camera_chord(&r->camera), &r->tf,
                              &r->tf_source, err);
        if (status == CC_OK)
            correct_opacity(r);
        if (status == CC_OK && r->tf_source.automatic && !r->options->quiet) {
            char look[600];
            cc_tf_describe(&r->tf, &r->tf_source, NULL, r->options->opacity_unit, look,
                           sizeof look);
            fprintf(stderr, "transfer function: %s\n", look);
        }
    }
    status = cc_agree(r->comm, status, err);
    if (status == CC_OK) {
        MPI_Bcast(&r->tf, (int)sizeof r->tf, MPI_BYTE, 0, r->comm);
        MPI_Bcast(&r->tf_source, (int)sizeof r->tf_source, MPI_BYTE, 0, r->comm);
    }
    return status;
}

/* Rank 0: input s's checksum goes into the manifest, unless the folder's
 * frames were drawn from other values under that name (a resume). */
static cc_status record_series_checksum(run *r, int s, cc_error *err)
{
    uint32_t recorded;
    if (cc_manifest_series_checksum(r->manifest, s, &recorded) &&
        recorded != r->series_checksums[s])
        return cc_fail(err, CC_ERR_USAGE,
                       "input '%s' (input %d of the series) holds other values than when this "
                       "folder's frames were drawn from it (checksum %08x, not %08x); use another "
                       "folder, or --overwrite",
                       cc_render_options_input_path(r->options, s), s + 1, r->series_checksums[s],
                       recorded);
    cc_manifest_set_series_checksum(r->manifest, s, r->series_checksums[s]);
    return CC_OK;
}

static cc_status write_manifest_locked(run *r, cc_error *err);

/* rank 0, under the manifest lock: settles what the folder holds and
 * checks the inputs read so far against it.  A folder without a manifest
 * (or one this run replaces) is claimed at once: its manifest names the
 * sweep before any frame is written, so a concurrent run of another sweep
 * is refused, and one of the same sweep joins. */
static cc_status settle_locked(run *r, char *done, cc_error *err)
{
    const cc_render_options *options = r->options;
    char path[8400];
    cc_outdir_path(r->outdir, "manifest.json", path, sizeof path);
    cc_file_id existing;
    int claim = options->overwrite || !cc_file_id_of(path, &existing);
    cc_status status = cc_sweep_settle(options, r->outdir, r->manifest, done, err);
    /* The inputs read so far (a series' pass for the look), against what
     * the folder knows of them. */
    for (int s = 1; status == CC_OK && s < cc_render_options_input_count(options); s++)
        if (r->series_scanned[s])
            status = record_series_checksum(r, s, err);
    if (status == CC_OK && r->series_scanned[0]) {
        cc_manifest_set_series_checksum(r->manifest, 0, r->series_checksums[0]);
        cc_manifest_set_series_read(r->manifest, 0, r->first_read_seconds, 0);
    }
    if (status == CC_OK && claim) {
        status = write_manifest_locked(r, err);
        r->claimed = status == CC_OK;
    }
    return status;
}

/* rank 0, with the input read: creates the folder and joins its writers,
 * settles what it already holds, and lists the frames to render. */
static cc_status open_output_root(run *r, cc_error *err)
{
    const cc_render_options *options = r->options;
    int range = options->range_end - options->range_begin;
    cc_input_identity identity = {
        {r->shape[0], r->shape[1], r->shape[2]}, cc_input_type_name(r->input), r->checksum, 1};
    cc_status status = cc_manifest_create(options, &identity, &r->manifest, err);
    if (status == CC_OK)
        cc_manifest_set_look(r->manifest, &r->tf, &r->tf_source, options->tf,
                             options->opacity_unit);
    if (status == CC_OK)
        status = cc_outdir_open(options->output, &r->input_id, options->overwrite, &r->outdir, err);
    char *done = calloc((size_t)range, 1);
    r->todo = malloc(sizeof *r->todo * (size_t)range);
    r->unsaved_frames = malloc(sizeof *r->unsaved_frames * (size_t)range);
    if (status == CC_OK && (done == NULL || r->todo == NULL || r->unsaved_frames == NULL))
        status = cc_fail(err, CC_ERR_NOMEM, "out of memory");
    if (status == CC_OK && (status = cc_outdir_lock_manifest(r->outdir, err)) == CC_OK) {
        status = settle_locked(r, done, err);
        cc_outdir_unlock_manifest(r->outdir);
        cc_outdir_share(r->outdir); /* --overwrite: the old sweep is gone */
    }
    r->todo_count = 0;
    for (int slot = 0; status == CC_OK && slot < range; slot++)
        if (!done[slot])
            r->todo[r->todo_count++] = options->range_begin + slot;
    free(done);
    if (status == CC_OK)
        status = cc_progress_create(r->todo_count, range, options->quiet, &r->progress, err);
    return status;
}

static cc_status share_todo(run *r, cc_error *err)
{
    MPI_Bcast(&r->todo_count, 1, MPI_INT, 0, r->comm);
    if (r->layout.rank != 0) {
        r->todo = malloc(sizeof *r->todo * (size_t)(r->todo_count > 0 ? r->todo_count : 1));
        if (r->todo == NULL)
            return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    }
    MPI_Bcast(r->todo, r->todo_count, MPI_INT, 0, r->comm);
    return CC_OK;
}

static cc_status open_output(run *r, cc_error *err)
{
    cc_status status = CC_OK;
    if (r->layout.rank == 0)
        status = open_output_root(r, err);
    status = cc_agree(r->comm, status, err);
    if (status == CC_OK && r->layout.rank != 0)
        status = cc_outdir_attach(r->options->output, &r->input_id, &r->outdir, err);
    if (status == CC_OK)
        status = cc_agree(r->comm, share_todo(r, err), err);
    if (status == CC_OK && r->options->raw != NULL) {
        if (r->layout.rank == 0)
            cc_remove_dead_temporaries(r->options->raw);
        status = cc_raw_create(r->options->raw, r->comm, r->options, r->shape[1], r->shape[2],
                               &r->raw, err);
    }
    return status;
}

/* ---- read ------------------------------------------------------------- */

/* The held box, either private or one copy per node in a shared window. */
static cc_status allocate_volume(run *r, cc_volume **volume, MPI_Win *window, int *has_window,
                                 cc_error *err)
{
    cc_precision precision = r->options->precision;
    if (!r->plan.held_shared)
        return cc_volume_create(r->camera.shape, &r->plan.held, precision, volume, err);
    size_t bytes = cc_box_voxels(&r->plan.held) * cc_precision_size(precision);
    MPI_Aint local = r->layout.node_rank == 0 ? (MPI_Aint)bytes : 0;
    void *base = NULL;
    int result = MPI_Win_allocate_shared(local, 1, MPI_INFO_NULL, r->node_comm, &base, window);
    if (result != MPI_SUCCESS) {
        char reason[MPI_MAX_ERROR_STRING] = "";
        int length = 0;
        MPI_Error_string(result, reason, &length);
        return cc_fail(err, CC_ERR_NOMEM,
                       "cannot allocate %.1f MiB of node-shared memory for the volume (%s); "
                       "try --decomp rows or bricks",
                       (double)bytes / 1048576.0, reason);
    }
    *has_window = 1;
    MPI_Win_set_errhandler(*window, MPI_ERRORS_RETURN);
    MPI_Aint size;
    int unit;
    MPI_Win_shared_query(*window, 0, &size, &unit, &base);
    return cc_volume_wrap(r->camera.shape, &r->plan.held, precision, base, volume, err);
}

/* Reads this rank's part of the open input into the volume, allocated on
 * the first call and reused for every input of a series (their shapes
 * are the same). */
static cc_status read_volume(run *r, cc_error *err)
{
    if (r->volume == NULL) {
        cc_status status = cc_agree(
            r->comm, allocate_volume(r, &r->volume, &r->volume_window, &r->has_window, err), err);
        if (status != CC_OK)
            return status;
        cc_volume_set_axis_order(r->volume, r->camera.order);
        /* Fault the pages in with all threads first: the read itself
         * fills them from one thread, and first touches of a big fresh
         * window are a large part of its cost. */
        size_t value_size = cc_precision_size(r->options->precision);
        size_t plane_values = (size_t)r->plan.held.count[1] * (size_t)r->plan.held.count[2];
        char *first = (char *)cc_volume_values(r->volume) +
                      (size_t)(r->plan.read.lo[0] - r->plan.held.lo[0]) * plane_values * value_size;
        long planes = cc_box_is_empty(&r->plan.read) ? 0 : r->plan.read.count[0];
#pragma omp parallel for schedule(static)
        for (long x = 0; x < planes; x++)
            memset(first + (size_t)x * plane_values * value_size, 0, plane_values * value_size);
    } else if (r->has_window) {
        /* No rank of the node may still render the input before. */
        MPI_Barrier(r->node_comm);
    }
    cc_status status = cc_input_read(r->input, &r->plan.read, r->volume, 1, err);
    /* Every rank of the node must see the others' slabs before rendering. */
    if (r->has_window)
        MPI_Barrier(r->node_comm);
    r->profile.bytes_read = r->bytes_read_before + cc_input_bytes_read(r->input);
    return cc_agree(r->comm, status, err);
}

/* Makes input s of a series the open one (collective); the first is
 * opened by setup. */
static cc_status open_input(run *r, int s, cc_error *err)
{
    if (r->input != NULL && r->opened == s)
        return CC_OK;
    if (r->input != NULL)
        r->bytes_read_before += cc_input_bytes_read(r->input);
    cc_input_close(r->input);
    r->input = NULL;
    r->loaded = -1;
    cc_input_choice volume = volume_of(r->options);
    cc_status status = cc_input_open_choice(cc_render_options_input_path(r->options, s), &volume,
                                            r->comm, &r->input, err);
    r->opened = status == CC_OK ? s : -1;
    return status;
}

/* ---- projection and checksum ----------------------------------------- */

/* cc_input_read (independent) holding lock, when there is one. */
static cc_status locked_read(cc_input *input, pthread_mutex_t *lock, const cc_box *box,
                             cc_volume *volume, cc_error *err)
{
    if (lock != NULL)
        pthread_mutex_lock(lock);
    cc_status status = cc_input_read(input, box, volume, 0, err);
    if (lock != NULL)
        pthread_mutex_unlock(lock);
    return status;
}

/* rows mode: the planes no rank holds, this rank's share of them read a
 * slab at a time from input, for the projection (sum, when wanted) and
 * the checksum; lock, when given, is HDF5's (a prefetch's thread). */
static cc_status stream_uncovered(run *r, cc_input *input, pthread_mutex_t *lock, double *sum,
                                  cc_histogram *histogram, uint32_t *checksum, cc_error *err)
{
    if (r->plan.stream_count == 0)
        return CC_OK;
    long(*runs)[2] = malloc(sizeof *runs * (size_t)(r->layout.ranks + 1));
    if (runs == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    const long *shape = r->camera.shape; /* stored */
    int run_count = cc_plan_rows_uncovered(r->options, shape, r->layout.ranks, runs);
    /* Slabs of about 16 MiB keep the extra memory small (plan.c counts it). */
    long plane_bytes = shape[1] * shape[2] * (long)cc_precision_size(r->options->precision);
    long slab_planes = (16L << 20) / plane_bytes > 0 ? (16L << 20) / plane_bytes : 1;
    long skipped = 0, begin = r->plan.stream_begin, end = begin + r->plan.stream_count;
    cc_status status = CC_OK;
    for (int run_index = 0; run_index < run_count && status == CC_OK; run_index++) {
        /* This run holds planes [skipped, skipped + count) of the list. */
        long lo = runs[run_index][0], count = runs[run_index][1];
        long from = begin > skipped ? begin - skipped : 0;
        long to = end < skipped + count ? end - skipped : count;
        for (long x = lo + from; x < lo + to && status == CC_OK; x += slab_planes) {
            cc_box slab = cc_box_whole(shape[0], shape[1], shape[2]);
            slab.lo[0] = x;
            slab.count[0] = x + slab_planes <= lo + to ? slab_planes : lo + to - x;
            cc_volume *part = NULL;
            status = cc_volume_create(shape, &slab, r->options->precision, &part, err);
            if (status == CC_OK) {
                cc_volume_set_axis_order(part, r->camera.order);
                status = locked_read(input, lock, &slab, part, err);
            }
            if (status == CC_OK)
                *checksum += cc_projection_scan(part, &slab, sum, histogram);
            cc_volume_destroy(part);
        }
        skipped += count;
    }
    free(runs);
    return status;
}

/* Collective: each rank goes once over its share of the cube's voxels
 * (its projection box, plus the streamed planes in rows mode; together
 * every voxel once), adding into sum and histogram where they are given;
 * *checksum gets the checksum of the whole input. */
static cc_status scan_input(run *r, double *sum, cc_histogram *histogram, uint32_t *checksum,
                            cc_error *err)
{
    uint32_t mine = cc_projection_scan(r->volume, &r->plan.projection, sum, histogram);
    cc_status status =
        cc_agree(r->comm, stream_uncovered(r, r->input, NULL, sum, histogram, &mine, err), err);
    if (status == CC_OK)
        MPI_Allreduce(&mine, checksum, 1, MPI_UINT32_T, MPI_SUM, r->comm);
    return status;
}

/* The first input, once: the checksum that identifies it, and the sums of
 * the projection when one is wanted, and the values' histogram when the
 * look needs it (with what a series' other inputs added already).  The
 * sums meet at rank 0 (never the volume). */
static cc_status scan_volume(run *r, cc_error *err)
{
    const cc_render_options *options = r->options;
    size_t count = (size_t)r->shape[1] * (size_t)r->shape[2];
    cc_status status = CC_OK;
    if (options->projection || options->raw != NULL) {
        r->projection = calloc(count, sizeof *r->projection);
        if (r->projection == NULL)
            status = cc_fail(err, CC_ERR_NOMEM, "out of memory for the projection");
    }
    if (CC_TF_NEEDS_DATA(options) && r->histogram == NULL) {
        r->histogram = calloc(1, sizeof *r->histogram);
        if (r->histogram == NULL)
            status = cc_fail(err, CC_ERR_NOMEM, "out of memory for the values' histogram");
    }
    status = cc_agree(r->comm, status, err);
    if (status == CC_OK)
        status = scan_input(r, r->projection, r->histogram, &r->checksum, err);
    if (status != CC_OK)
        return status;
    r->series_checksums[0] = r->checksum;
    r->series_scanned[0] = 1;
    if (r->histogram != NULL) {
        /* zeros and the bins, as one array of counts */
        void *send = r->layout.rank == 0 ? MPI_IN_PLACE : (void *)r->histogram;
        if (MPI_Reduce(send, r->histogram, CC_HISTOGRAM_BINS + 1, MPI_UINT64_T, MPI_SUM, 0,
                       r->comm) != MPI_SUCCESS)
            status = cc_fail(err, CC_ERR_MPI, "summing the values' histogram failed");
        status = cc_agree(r->comm, status, err);
    }
    if (r->projection != NULL) {
        void *send = r->layout.rank == 0 ? MPI_IN_PLACE : r->projection;
        if (MPI_Reduce(send, r->projection, (int)count, MPI_DOUBLE, MPI_SUM, 0, r->comm) !=
            MPI_SUCCESS)
            status = cc_fail(err, CC_ERR_MPI, "summing the projection over the ranks failed");
    }
    return cc_agree(r->comm, status, err);
}

/* A series whose look comes from the data (--tf auto, percentile ranges)
 * takes it from every input's values, so that colours do not change from
 * one snapshot to the next: a pass before rendering reads the inputs after
 * the first once each, last first, into the histogram (and learns their
 * checksums); the first is read last, by the main path, and rendered
 * first without reading it again. */
static cc_status scan_series(run *r, cc_error *err)
{
    int count = cc_render_options_input_count(r->options);
    if (count < 2 || !CC_TF_NEEDS_DATA(r->options))
        return CC_OK;
    r->histogram = calloc(1, sizeof *r->histogram);
    cc_status status = cc_agree(r->comm,
                                r->histogram == NULL
                                    ? cc_fail(err, CC_ERR_NOMEM, "out of memory for the histogram")
                                    : CC_OK,
                                err);
    for (int s = count - 1; s >= 1 && status == CC_OK; s--) {
        status = cc_agree(r->comm, open_input(r, s, err), err);
        if (status == CC_OK)
            status = read_volume(r, err);
        if (status == CC_OK)
            status = scan_input(r, NULL, r->histogram, &r->series_checksums[s], err);
        r->series_scanned[s] = status == CC_OK;
    }
    if (status == CC_OK)
        status = cc_agree(r->comm, open_input(r, 0, err), err);
    return status;
}

/* Collective: the volume now holds input s, whose values have checksum:
 * recorded (rank 0: against what the folder knows of the input) and
 * given to the backend. */
static cc_status adopt_input(run *r, int s, uint32_t checksum, cc_error *err)
{
    r->series_checksums[s] = checksum;
    r->series_scanned[s] = 1;
    cc_status status = r->layout.rank == 0 ? record_series_checksum(r, s, err) : CC_OK;
    status = cc_agree(r->comm, status, err);
    if (status == CC_OK)
        status = cc_agree(r->comm, cc_backend_bind(r->backend, r->volume, err), err);
    cc_profile_lap(&r->profile, CC_PHASE_UPLOAD, &r->mark);
    return status;
}

/* Collective: the volume holds input s, checked and given to the backend. */
static cc_status load_input(run *r, int s, cc_error *err)
{
    if (r->loaded == s)
        return CC_OK;
    double started = cc_profile_now();
    cc_status status = cc_agree(r->comm, open_input(r, s, err), err);
    if (status == CC_OK)
        status = read_volume(r, err);
    if (status == CC_OK && r->layout.rank == 0)
        cc_manifest_set_series_read(r->manifest, s, cc_profile_now() - started, 0);
    cc_profile_lap(&r->profile, CC_PHASE_READ, &r->mark);
    uint32_t checksum = r->series_checksums[s];
    if (status == CC_OK && !r->series_scanned[s])
        status = scan_input(r, NULL, NULL, &checksum, err);
    cc_profile_lap(&r->profile, CC_PHASE_PROJECTION, &r->mark);
    if (status == CC_OK)
        status = adopt_input(r, s, checksum, err);
    r->loaded = status == CC_OK ? s : -1;
    return status;
}

/* The stored axis holding file axis `file_axis` (camera.h's order). */
static int stored_axis_of(const cc_camera *camera, int file_axis)
{
    int a = 0;
    while (a < 2 && camera->order[a] != file_axis)
        a++;
    return a;
}

/* --projection-size: the means sampled over the frames' field of view at
 * size x size pixels, then ln, in a new array (NULL when out of memory). */
static double *projection_at_size(const run *r, const double *sum, int size)
{
    double *out = malloc((size_t)size * (size_t)size * sizeof *out);
    if (out == NULL)
        return NULL;
    /* The frames' field of view, N s world units, over size pixels. */
    const cc_camera *camera = &r->camera;
    double scale = camera->scale * ((double)camera->size / (double)size);
    double scale_y = scale / camera->spacing[stored_axis_of(camera, 1)];
    double scale_z = scale / camera->spacing[stored_axis_of(camera, 2)];
    cc_projection_resample(sum, r->shape[0], r->shape[1], r->shape[2], scale_y, scale_z, size, out);
    cc_projection_finish(out, 1, (size_t)size * (size_t)size);
    return out;
}

/* projection.png of the ln(mean) values, width x height. */
static cc_status write_projection_png(run *r, const double *log_mean, int width, int height,
                                      cc_error *err)
{
    const cc_render_options *options = r->options;
    size_t count = (size_t)width * (size_t)height;
    /* --colormap (checked with the options) over --projection-range:
     * A:B, auto (the finite values' span) or the original's [-5, 5]. */
    const cc_colormap *map = cc_colormap_default();
    if (options->colormap != NULL && cc_colormap_find(options->colormap, &map, err) != CC_OK)
        return CC_ERR_USAGE;
    const cc_value_range *range = &options->projection_range;
    double lo = -5.0, hi = 5.0;
    int automatic = range->given && range->automatic;
    if (automatic && !cc_projection_finite_range(log_mean, count, &lo, &hi))
        automatic = -1; /* no finite value: the default limits */
    else if (range->given && !range->automatic) {
        lo = range->lo;
        hi = range->hi;
    }
    uint8_t *rgb = malloc(count * 3);
    if (rgb == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory for projection.png");
    cc_projection_to_rgb8(log_mean, count, map, lo, hi, rgb);
    char what[160];
    cc_projection_describe(map, lo, hi, automatic, what, sizeof what);
    cc_png_text texts[] = {{"input", options->input},
                           {"dataset", options->dataset},
                           {"what", what},
                           {"Software", "cubecast " CC_VERSION_STRING}};
    cc_png_buffer png = {NULL, 0, 0};
    cc_status status = cc_png_encode_rgb8(width, height, rgb, texts, 4, &png, err);
    if (status == CC_OK)
        status = cc_outdir_write(r->outdir, "projection.png", png.data, png.size, err);
    cc_png_buffer_free(&png);
    free(rgb);
    if (status == CC_OK)
        cc_manifest_set_projection(r->manifest, "projection.png");
    return status;
}

/* rank 0: projection.png and the raw file's projection (always Ny x Nz:
 * the raw file keeps the values themselves, not a resampling). */
static cc_status write_projection_root(run *r, cc_error *err)
{
    const cc_render_options *options = r->options;
    size_t count = (size_t)r->shape[1] * (size_t)r->shape[2];
    double *sum = r->projection;
    cc_status status = CC_OK;
    if (options->projection && options->projection_size > 0) {
        int size = options->projection_size;
        double *resampled = projection_at_size(r, sum, size);
        status = resampled == NULL ? cc_fail(err, CC_ERR_NOMEM,
                                             "out of memory for a %d x %d projection", size, size)
                                   : write_projection_png(r, resampled, size, size, err);
        free(resampled);
    }
    cc_projection_finish(sum, r->shape[0], count);
    if (status == CC_OK && options->projection && options->projection_size == 0)
        status = write_projection_png(r, sum, (int)r->shape[2], (int)r->shape[1], err);
    if (status == CC_OK && r->raw != NULL)
        status = cc_raw_write_projection(r->raw, sum, err);
    return status;
}

static cc_status write_projection(run *r, cc_error *err)
{
    cc_status status = CC_OK;
    if (r->projection != NULL && r->layout.rank == 0)
        status = write_projection_root(r, err);
    return cc_agree(r->comm, status, err);
}

/* ---- render and write ------------------------------------------------- */

/* How frames become PNG pixels: --bit-depth and --background. */
static cc_output_format frame_format(const cc_render_options *options)
{
    cc_output_format format = {
        options->bit_depth,
        options->transparent,
        {options->background[0], options->background[1], options->background[2]}};
    return format;
}

/* Bytes of one frame's pixels (each of the writer's two buffers). */
static size_t frame_pixel_bytes(const cc_render_options *options)
{
    cc_output_format format = frame_format(options);
    return (size_t)options->size * (size_t)options->size * (size_t)cc_output_pixel_bytes(&format);
}

/* Rewriting manifest.json costs time in proportion to the frames it lists:
 * after every frame, a 2000-frame sweep of small frames spent 89% of its
 * run there.  So rank 0 rewrites it only once the time since the last
 * rewrite is this many times what that rewrite took (at most ~5% of the
 * run), which for ordinary frames is still after every frame; finish()
 * writes it last.  A killed job loses at most that window's records, and
 * --resume renders those frames again. */
enum { MANIFEST_REWRITE_SPACING = 20 };

/* Under the manifest lock: the folder's records merged into ours (other
 * runs of the sweep may be writing it too, sweep.h), then ours written
 * over it atomically. */
static cc_status write_manifest_locked(run *r, cc_error *err)
{
    double started = cc_profile_now();
    char *text;
    size_t length;
    cc_status status = cc_sweep_merge(r->options, r->outdir, r->manifest, err);
    if (status == CC_OK)
        status = cc_manifest_dump(r->manifest, &text, &length, err);
    if (status == CC_OK) {
        status = cc_outdir_write(r->outdir, "manifest.json", text, length, err);
        free(text);
    }
    r->manifest_unsaved = status == CC_OK ? 0 : r->manifest_unsaved;
    r->manifest_written_at = cc_profile_now();
    r->manifest_write_seconds = r->manifest_written_at - started;
    return status;
}

static cc_status write_manifest(run *r, cc_error *err)
{
    cc_status status = cc_outdir_lock_manifest(r->outdir, err);
    if (status == CC_OK) {
        status = write_manifest_locked(r, err);
        cc_outdir_unlock_manifest(r->outdir);
    }
    return status;
}

/* Rank 0: a finished frame goes into the manifest and the progress line. */
static cc_status note_frame(run *r, const frame_message *message, cc_error *err)
{
    if (message->status != CC_OK)
        return CC_OK; /* the failing rank reports it when errors are agreed */
    cc_status status = cc_manifest_add_frame(r->manifest, &message->record, err);
    r->frames_noted += status == CC_OK;
    if (status == CC_OK && r->manifest_unsaved < r->todo_count)
        r->unsaved_frames[r->manifest_unsaved++] = message->record.frame;
    double since = cc_profile_now() - r->manifest_written_at;
    if (status == CC_OK && since >= MANIFEST_REWRITE_SPACING * r->manifest_write_seconds)
        status = write_manifest(r, err);
    cc_progress_frame_done(r->progress, message->record.rank, message->record.input,
                           cc_render_options_input_count(r->options));
    return status;
}

/* A finished (or failed) frame goes to rank 0, which notes it at once. */
static cc_status report_frame(run *r, const frame_message *message, cc_error *err)
{
    if (r->layout.rank == 0)
        return note_frame(r, message, err);
    MPI_Send(message, (int)sizeof *message, MPI_BYTE, 0, TAG_RECORD, r->comm);
    return CC_OK;
}

/* Rank 0: takes in what other ranks have reported; blocks when wait is set. */
static cc_status drain_messages(run *r, int wait, int *ranks_done, cc_error *err)
{
    cc_status status = CC_OK;
    for (;;) {
        int ready = 0;
        MPI_Status probe;
        if (wait)
            MPI_Probe(MPI_ANY_SOURCE, TAG_RECORD, r->comm, &probe), ready = 1;
        else
            MPI_Iprobe(MPI_ANY_SOURCE, TAG_RECORD, r->comm, &ready, &probe);
        if (!ready)
            return status;
        frame_message message;
        MPI_Recv(&message, (int)sizeof message, MPI_BYTE, probe.MPI_SOURCE, TAG_RECORD, r->comm,
                 MPI_STATUS_IGNORE);
        /* A frame another rank finished is on disk: it is noted even after
         * an error here, so the manifest lists it; the first error stays. */
        cc_error later;
        if (message.record.frame < 0)
            (*ranks_done)++;
        else if (status == CC_OK)
            status = note_frame(r, &message, err);
        else
            note_frame(r, &message, &later);
        if (wait)
            return status;
    }
}

/* Every rank says it is done; rank 0 takes in the records still under way,
 * so the manifest is complete before anyone moves on. */
static cc_status collect_done(run *r, cc_status status, int *ranks_done, cc_error *err)
{
    if (r->layout.rank == 0) {
        while (*ranks_done < r->layout.ranks - 1) {
            cc_status drained = drain_messages(r, 1, ranks_done, err);
            status = status == CC_OK ? drained : status;
        }
    } else {
        frame_message done = {{.frame = -1}, CC_OK};
        MPI_Send(&done, (int)sizeof done, MPI_BYTE, 0, TAG_RECORD, r->comm);
    }
    cc_profile_lap(&r->profile, CC_PHASE_WAIT, &r->mark);
    return cc_agree(r->comm, status, err);
}

/* Clips the frame's colour (the contract's last step), turns (C, T) into
 * the PNG's pixels (image.h) in the writer's free buffer, and writes the
 * raw frame here: HDF5, like MPI, stays on the main thread. */
static cc_status prepare_frame(run *r, int frame, const cc_view *view, cc_image *image,
                               cc_error *err)
{
    cc_output_format format = frame_format(r->options);
    cc_image_clip(image);
    cc_image_to_pixels(image, &format, cc_frame_writer_pixels(r->writer));
    cc_profile_lap(&r->profile, CC_PHASE_ENCODE, &r->mark);
    cc_status status = CC_OK;
    if (r->raw != NULL) {
        pthread_mutex_lock(&r->hdf5_lock); /* a prefetch may be reading */
        status = cc_raw_write_frame(r->raw, frame, view->angle_deg, image, err);
        pthread_mutex_unlock(&r->hdf5_lock);
    }
    cc_profile_lap(&r->profile, CC_PHASE_WRITE, &r->mark);
    return status;
}

/* Hands the prepared pixels to the writer thread with the PNG's text
 * chunks (which it copies). */
static cc_status submit_frame(run *r, int frame, const cc_view *view, double started, cc_error *err)
{
    const cc_render_options *options = r->options;
    cc_output_format format = frame_format(options);
    char frame_text[32], angle_text[64], name[64], background[32];
    snprintf(frame_text, sizeof frame_text, "%d", frame);
    snprintf(angle_text, sizeof angle_text, "%.17g", view->angle_deg);
    cc_output_background_name(&format, background, sizeof background);
    cc_frame_file_name(frame, name, sizeof name);
    char look[600];
    cc_tf_describe(&r->tf, &r->tf_source, options->tf, options->opacity_unit, look, sizeof look);
    int input = cc_render_options_input_of(options, frame);
    cc_png_text texts[7] = {{"frame", frame_text},
                            {"angle", angle_text},
                            {"input", cc_render_options_input_path(options, input)},
                            {"dataset", options->dataset},
                            {"Software", "cubecast " CC_VERSION_STRING}};
    /* The background and the transfer function are named only when they
     * are not the original's, so the default PNG keeps its bytes. */
    int text_count = 5;
    if (strcmp(background, "black") != 0)
        texts[text_count++] = (cc_png_text){"background", background};
    if (r->tf.kind != CC_TF_ORIGINAL || r->tf.opacity_exponent != 0.0)
        texts[text_count++] = (cc_png_text){"transfer_function", look};
    cc_frame_job job = {frame,
                        name,
                        r->outdir,
                        view->size,
                        view->size,
                        format.bit_depth,
                        cc_output_channels(&format),
                        texts,
                        text_count};
    cc_status status = cc_frame_writer_submit(r->writer, &job, err);
    if (status == CC_OK) {
        r->writing =
            (frame_message){{.frame = frame, .angle_deg = view->angle_deg, .input = input}, CC_OK};
        r->writing.record.rank = r->layout.rank;
        r->writing_started = started;
    }
    return status;
}

/* Waits for the frame the writer has, if any, and reports it to rank 0
 * only now that its PNG is on disk.  The writer's failure becomes this
 * rank's, with its message.  The writer's own seconds go to the encode
 * and write phases, the time blocked here to wait. */
static cc_status collect_frame(run *r, cc_error *err)
{
    cc_frame_result result;
    if (r->writer == NULL || !cc_frame_writer_collect(r->writer, &result))
        return CC_OK;
    cc_profile_lap(&r->profile, CC_PHASE_WAIT, &r->mark);
    r->profile.seconds[CC_PHASE_ENCODE] += result.encode_seconds;
    r->profile.seconds[CC_PHASE_WRITE] += result.write_seconds;
    if (result.status != CC_OK) {
        if (err != NULL)
            *err = result.error;
        return result.status;
    }
    frame_message message = r->writing;
    message.record.bytes = result.bytes;
    message.record.crc32 = result.crc32;
    message.record.seconds = result.finished - r->writing_started; /* render to disk */
    r->profile.frames++;
    return report_frame(r, &message, err);
}

/* Frame f, rendered into image and started at `started`: prepared, and
 * handed to the writer once the frame before it (which the writer encoded
 * while f rendered) is collected and reported. */
static cc_status write_frame(run *r, int frame, const cc_view *view, cc_image *image,
                             double started, cc_error *err)
{
    cc_error later;
    cc_status status = prepare_frame(r, frame, view, image, err);
    cc_status collected = collect_frame(r, status == CC_OK ? err : &later);
    status = status == CC_OK ? collected : status;
    if (status == CC_OK)
        status = submit_frame(r, frame, view, started, err);
    /* Without a core to spare (the CPU backend on all cores) the writer's
     * thread would take one from the render, and OpenMP's loop would wait
     * for the thread it displaced: W1 rendered 1.2 times slower so on 2
     * cores.  The frame is then written before the next one renders. */
    if (status == CC_OK && !r->overlap_writes)
        status = collect_frame(r, err);
    return status;
}

/* After the loop (done, stopped or failed): the frame in flight is
 * finished and, when it was written, reported; the first error stays. */
static cc_status collect_last(run *r, cc_status status, cc_error *err)
{
    cc_error later;
    cc_status collected = collect_frame(r, status == CC_OK ? err : &later);
    return status == CC_OK ? collected : status;
}

/* The chosen backend, with the transfer function and the volume bound
 * once for the whole sweep. */
static cc_status start_backend(run *r, cc_error *err)
{
    cc_status status = cc_backend_create(&r->device, &r->backend, err);
    if (status == CC_OK)
        status = cc_backend_set_transfer(r->backend, &r->tf, err);
    cc_profile_lap(&r->profile, CC_PHASE_SETUP, &r->mark);
    if (status == CC_OK)
        status = cc_backend_bind(r->backend, r->volume, err);
    cc_profile_lap(&r->profile, CC_PHASE_UPLOAD, &r->mark);
    return status;
}

/* Collective, once every rank has its backend: the manifest lists what
 * rendered on every rank (rank 0 gathers the names), and the profile
 * reports it per rank. */
static void record_devices(run *r)
{
    const char *name = cc_backend_name(r->backend);
    snprintf(r->profile.device, sizeof r->profile.device, "%s", name);
    snprintf(r->profile.kernel, sizeof r->profile.kernel, "%s", cc_backend_kernel(r->backend));
    char mine[CC_BACKEND_NAME_MAX] = "";
    snprintf(mine, sizeof mine, "%s", name);
    char *names = r->layout.rank == 0 ? malloc((size_t)r->layout.ranks * sizeof mine) : NULL;
    /* Out of memory here loses only the record, not the frames. */
    int gather = r->layout.rank != 0 || names != NULL;
    MPI_Bcast(&gather, 1, MPI_INT, 0, r->comm);
    if (gather)
        MPI_Gather(mine, (int)sizeof mine, MPI_CHAR, names, (int)sizeof mine, MPI_CHAR, 0, r->comm);
    if (gather && r->layout.rank == 0)
        cc_manifest_set_devices(r->manifest, names, sizeof mine, r->layout.ranks);
    free(names);
}

/* Renders this rank's slab of frame into image and times it. */
static cc_status render_slab_of(run *r, int frame, cc_image *image, cc_view *view, cc_error *err)
{
    const cc_render_options *options = r->options;
    *view = cc_camera_view(&r->camera, frame);
    cc_status status =
        cc_backend_render_slab(r->backend, r->volume, view, &r->plan.owned_cells, image, err);
    cc_profile_lap(&r->profile, CC_PHASE_RENDER, &r->mark);
    r->profile.samples += (double)options->size * options->size * image->rows;
    return status;
}

/* Renders frame and hands it to the writer; the frame before it is
 * reported on the way (write_frame). */
static cc_status render_one(run *r, int frame, cc_image *image, cc_error *err)
{
    double started = cc_profile_now();
    cc_view view;
    cc_status status = render_slab_of(r, frame, image, &view, err);
    if (status == CC_OK)
        status = write_frame(r, frame, &view, image, started, err);
    return status;
}

/* The writer and the images both loops use; cc_agree'd by the caller. */
static cc_status start_writer(run *r, cc_error *err)
{
    r->overlap_writes = r->device.kind == CC_DEVICE_CUDA || spare_core();
    return cc_frame_writer_create(frame_pixel_bytes(r->options), &r->writer, err);
}

/* Every frame handed to the writer has been collected by now. */
static void stop_writer(run *r)
{
    cc_frame_writer_destroy(r->writer);
    r->writer = NULL;
}

/* frames mode: each rank renders whole frames, taken from the queue. */
static cc_status render_on_demand(run *r, int begin, int end, cc_error *err)
{
    int n = r->options->size;
    cc_image *image = NULL;
    cc_queue *queue = NULL;
    cc_status status = start_writer(r, err);
    if (status == CC_OK)
        status = cc_image_create(n, 0, n, &image, err);
    status = cc_agree(r->comm, status, err);
    if (status == CC_OK)
        status = cc_agree(r->comm, cc_queue_create(r->comm, end - begin, &queue, err), err);
    if (status != CC_OK) {
        stop_writer(r);
        cc_image_destroy(image);
        return status;
    }
    int ranks_done = 0, task;
    cc_profile_lap(&r->profile, CC_PHASE_SETUP, &r->mark);
    while (status == CC_OK && !cc_stop_requested() && (task = cc_queue_next(queue)) >= 0) {
        cc_profile_lap(&r->profile, CC_PHASE_WAIT, &r->mark);
        status = render_one(r, r->todo[begin + task], image, err);
        if (r->layout.rank == 0) {
            cc_status drained = drain_messages(r, 0, &ranks_done, err);
            status = status == CC_OK ? drained : status;
        }
    }
    /* Stopped, failed or done, the frame in flight is finished first. */
    status = collect_last(r, status, err);
    if (cc_stop_requested() || status != CC_OK)
        cc_queue_cancel(queue);
    status = collect_done(r, status, &ranks_done, err);
    cc_queue_destroy(queue);
    stop_writer(r);
    cc_image_destroy(image);
    return status;
}

/* rows and bricks modes: every rank takes part in every frame; frame f is
 * assembled and written by rank f mod P, which spreads the PNG encoding.
 * Only that rank's writer is involved, and collecting from it (local, and
 * a point-to-point report) changes no rank's order of collective calls. */
static cc_status render_one_together(run *r, int frame, cc_image *part, cc_image *whole, int *order,
                                     cc_error *err)
{
    double started = cc_profile_now();
    int owner = frame % r->layout.ranks;
    cc_view view;
    cc_status status = cc_agree(r->comm, render_slab_of(r, frame, part, &view, err), err);
    if (status != CC_OK)
        return status;
    if (r->plan.decomp == CC_DECOMP_ROWS) {
        status = cc_gather_rows(part, owner, r->comm, whole, err);
    } else {
        cc_plan_visibility(&r->plan, r->layout.ranks, view.d, order);
        status =
            cc_composite_partials(part, order, r->options->composite, owner, r->comm, whole, err);
    }
    cc_profile_lap(&r->profile, CC_PHASE_COMPOSITE, &r->mark);
    status = cc_agree(r->comm, status, err);
    if (status != CC_OK || r->layout.rank != owner)
        return status;
    return write_frame(r, frame, &view, whole, started, err);
}

static cc_status render_together(run *r, int begin, int end, cc_error *err)
{
    int n = r->options->size;
    cc_image *part = NULL, *whole = NULL;
    int *order = malloc(sizeof *order * (size_t)r->layout.ranks);
    cc_status status = order == NULL ? cc_fail(err, CC_ERR_NOMEM, "out of memory") : CC_OK;
    if (status == CC_OK)
        status = start_writer(r, err);
    if (status == CC_OK)
        status =
            cc_image_create(n, r->plan.row_begin, r->plan.row_end - r->plan.row_begin, &part, err);
    if (status == CC_OK)
        status = cc_image_create(n, 0, n, &whole, err);
    status = cc_agree(r->comm, status, err);
    int ranks_done = 0;
    cc_profile_lap(&r->profile, CC_PHASE_SETUP, &r->mark);
    for (int task = begin; status == CC_OK && task < end; task++) {
        /* A stop signal may reach some ranks only; all stop together. */
        int stop = cc_stop_requested(), any_stop;
        MPI_Allreduce(&stop, &any_stop, 1, MPI_INT, MPI_MAX, r->comm);
        cc_profile_lap(&r->profile, CC_PHASE_WAIT, &r->mark);
        if (any_stop)
            break;
        status = render_one_together(r, r->todo[task], part, whole, order, err);
        if (r->layout.rank == 0) {
            cc_status drained = drain_messages(r, 0, &ranks_done, err);
            status = status == CC_OK ? drained : status;
        }
        status = cc_agree(r->comm, status, err);
    }
    /* Each rank's frame in flight, before the agreement in collect_done. */
    status = collect_last(r, status, err);
    status = collect_done(r, status, &ranks_done, err);
    stop_writer(r);
    free(order);
    cc_image_destroy(part);
    cc_image_destroy(whole);
    return status;
}

/* In the prefetch's thread: rows mode's planes no rank holds, for the
 * next input's checksum. */
static cc_status stream_for_prefetch(void *context, cc_input *input, pthread_mutex_t *lock,
                                     uint32_t *checksum, cc_error *err)
{
    return stream_uncovered(context, input, lock, NULL, NULL, checksum, err);
}

/* Collective: starts reading input s into the spare volume (allocated on
 * first use) while the current input renders. */
static cc_status start_prefetch(run *r, int s, cc_error *err)
{
    cc_status status = CC_OK;
    if (r->spare == NULL) {
        status = cc_agree(
            r->comm, allocate_volume(r, &r->spare, &r->spare_window, &r->has_spare_window, err),
            err);
        if (status != CC_OK)
            return status;
        cc_volume_set_axis_order(r->spare, r->camera.order);
    }
    cc_prefetch_job job = {cc_render_options_input_path(r->options, s),
                           volume_of(r->options),
                           r->plan.read,
                           r->spare,
                           r->plan.projection,
                           r->plan.stream_count > 0 ? stream_for_prefetch : NULL,
                           r,
                           &r->hdf5_lock};
    status = cc_agree(r->comm, cc_prefetch_start(&job, &r->prefetch, err), err);
    if (status != CC_OK && r->prefetch != NULL) { /* started here, not everywhere */
        cc_prefetch_result unused;
        cc_prefetch_finish(r->prefetch, &unused, NULL);
        r->prefetch = NULL;
    }
    r->prefetching = status == CC_OK ? s : -1;
    return status;
}

/* Collective: waits for the prefetch (its error is every rank's); 0 on
 * every rank when none runs.  Its checksum part is summed into *checksum. */
static cc_status finish_prefetch(run *r, uint32_t *checksum, cc_error *err)
{
    cc_prefetch_result done = {0, 0, 0.0};
    int input = r->prefetching;
    cc_status status = cc_prefetch_finish(r->prefetch, &done, err);
    r->prefetch = NULL;
    r->prefetching = -1;
    r->bytes_read_before += done.bytes_read;
    r->profile.bytes_read = r->bytes_read_before;
    if (status == CC_OK && r->layout.rank == 0)
        cc_manifest_set_series_read(r->manifest, input, done.seconds, 1);
    status = cc_agree(r->comm, status, err);
    if (status == CC_OK)
        MPI_Allreduce(&done.checksum, checksum, 1, MPI_UINT32_T, MPI_SUM, r->comm);
    return status;
}

/* Collective: input s, read in the background, becomes the one rendered
 * (the agreement in finish_prefetch has every rank's part of a shared
 * window in place). */
static cc_status take_prefetched(run *r, int s, cc_error *err)
{
    uint32_t checksum = 0;
    cc_status status = finish_prefetch(r, &checksum, err);
    cc_profile_lap(&r->profile, CC_PHASE_READ, &r->mark);
    if (status != CC_OK)
        return status;
    cc_volume *volume = r->volume;
    MPI_Win window = r->volume_window;
    int has_window = r->has_window;
    r->volume = r->spare, r->volume_window = r->spare_window, r->has_window = r->has_spare_window;
    r->spare = volume, r->spare_window = window, r->has_spare_window = has_window;
    r->loaded = s;
    return adopt_input(r, s, checksum, err);
}

/* The input of the todo list's frames [begin, end) and where its run ends. */
static int input_run(const run *r, int begin, int *end)
{
    int input = cc_render_options_input_of(r->options, r->todo[begin]);
    *end = begin;
    while (*end < r->todo_count && cc_render_options_input_of(r->options, r->todo[*end]) == input)
        (*end)++;
    return input;
}

/* Every frame to render, input by input (one, unless a series): the
 * frames of an input are a run of the sorted todo list, rendered once the
 * volume holds it, while the next input of the list is read into the
 * spare volume in the background. */
static cc_status render_frames(run *r, cc_error *err)
{
    cc_status status = cc_agree(r->comm, start_backend(r, err), err);
    if (status == CC_OK)
        record_devices(r);
    int begin = 0, stop = 0;
    while (status == CC_OK && !stop && begin < r->todo_count) {
        int end, input = input_run(r, begin, &end);
        if (r->prefetching == input)
            status = take_prefetched(r, input, err);
        else
            status = load_input(r, input, err);
        if (status == CC_OK && end < r->todo_count)
            status = start_prefetch(r, cc_render_options_input_of(r->options, r->todo[end]), err);
        if (status == CC_OK && r->plan.decomp == CC_DECOMP_FRAMES)
            status = render_on_demand(r, begin, end, err);
        else if (status == CC_OK)
            status = render_together(r, begin, end, err);
        /* A stop signal ends the series too, on every rank alike. */
        int mine = cc_stop_requested();
        MPI_Allreduce(&mine, &stop, 1, MPI_INT, MPI_MAX, r->comm);
        begin = end;
    }
    /* Stopped or failed: a read in the background is waited for. */
    uint32_t unused;
    cc_error later;
    if (r->prefetching >= 0)
        finish_prefetch(r, &unused, &later);
    return status;
}

/* ---- finish ----------------------------------------------------------- */

/* rank 0, when the manifest cannot be written (a full disk): the frames
 * finished since its last write are removed, so the folder holds exactly
 * the frames it lists; --resume renders them again. */
static void drop_unsaved_frames(run *r)
{
    for (int i = 0; i < r->manifest_unsaved; i++) {
        char name[64];
        cc_frame_file_name(r->unsaved_frames[i], name, sizeof name);
        cc_outdir_remove(r->outdir, name, NULL);
    }
    r->manifest_unsaved = 0;
}

static int compare_seconds(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Rank 0, --profile of a series: how long reading took per input (rank
 * 0's part; the manifest's "series" has each). */
static void print_series_reads(const run *r)
{
    int count = cc_render_options_input_count(r->options), known = 0, background = 0;
    double *seconds = malloc(sizeof *seconds * (size_t)count);
    for (int s = 0; seconds != NULL && s < count; s++) {
        double value;
        int in_background;
        if (cc_manifest_series_read(r->manifest, s, &value, &in_background)) {
            seconds[known++] = value;
            background += in_background;
        }
    }
    if (known > 0) {
        qsort(seconds, (size_t)known, sizeof *seconds, compare_seconds);
        fprintf(stderr,
                "  reading per input (rank 0's part, %d of %d inputs read): min %.3f s, median "
                "%.3f s, max %.3f s; %d read while another input rendered\n",
                known, count, seconds[0], seconds[known / 2], seconds[known - 1], background);
    }
    free(seconds);
}

static cc_status finish(run *r, cc_status status, cc_error *err)
{
    int interrupted = cc_stop_requested(), any_interrupted = 0;
    MPI_Allreduce(&interrupted, &any_interrupted, 1, MPI_INT, MPI_MAX, r->comm);
    if (r->raw != NULL) {
        cc_error raw_err;
        cc_status closed = cc_raw_close(r->raw, status == CC_OK && !any_interrupted, &raw_err);
        r->raw = NULL;
        if (status == CC_OK && closed != CC_OK) {
            *err = raw_err;
            status = closed;
        }
    }
    cc_profile_lap(&r->profile, CC_PHASE_WRITE, &r->mark);
    r->profile.bytes_read =
        r->bytes_read_before + (r->input != NULL ? cc_input_bytes_read(r->input) : 0);
    if (status == CC_OK && r->options->profile) {
        char *table = NULL, *json = NULL;
        status = cc_profile_report(&r->profile, r->comm, &table, &json, err);
        if (r->layout.rank == 0 && status == CC_OK) {
            fputs(table, stderr);
            print_series_reads(r);
            status = cc_manifest_set_profile(r->manifest, json, err);
        }
        free(table);
        free(json);
    }
    /* After an error too if frames finished since the last write, so they
     * need not be redone; but an error before any frame (a --resume that
     * does not match, say) leaves the earlier manifest as it was. */
    if (r->layout.rank == 0 && r->outdir != NULL && r->manifest != NULL &&
        (status == CC_OK || r->manifest_unsaved)) {
        cc_error manifest_err;
        cc_status written = write_manifest(r, status == CC_OK ? err : &manifest_err);
        status = status == CC_OK ? written : status;
        if (written != CC_OK)
            drop_unsaved_frames(r);
    }
    if (r->layout.rank == 0 && status != CC_OK && r->claimed && r->frames_noted == 0)
        cc_sweep_unclaim(r->options, r->outdir);
    status = cc_agree(r->comm, status, err);
    if (status == CC_OK && any_interrupted)
        status = cc_fail(err, CC_ERR_INTERRUPTED,
                         "interrupted by a stop signal; finished frames are kept, rerun with "
                         "--resume to render the rest");
    return status;
}

static void release(run *r)
{
    if (r->layout.rank == 0)
        cc_progress_destroy(r->progress);
    cc_manifest_destroy(r->manifest);
    cc_backend_destroy(r->backend);
    cc_volume_destroy(r->volume);
    if (r->has_window)
        MPI_Win_free(&r->volume_window);
    cc_volume_destroy(r->spare);
    if (r->has_spare_window)
        MPI_Win_free(&r->spare_window);
    pthread_mutex_destroy(&r->hdf5_lock);
    cc_input_close(r->input);
    free(r->todo);
    free(r->unsaved_frames);
    free(r->projection);
    free(r->histogram);
    free(r->series_checksums);
    free(r->series_scanned);
    /* Last, once every rank is done writing: with nothing written, the
     * folders this run made go again. */
    MPI_Barrier(r->comm);
    cc_outdir_close(r->outdir);
    MPI_Comm_free(&r->node_comm);
    MPI_Comm_free(&r->comm);
}

cc_status cc_driver_render(const cc_render_options *options, MPI_Comm comm, cc_error *err)
{
    run r;
    memset(&r, 0, sizeof r);
    r.options = options;
    /* A communicator of our own whose failures come back as error codes,
     * so that an allocation MPI refuses (a shared window larger than the
     * node allows) is a cubecast error line, not an abort trace. */
    MPI_Comm_dup(comm, &r.comm);
    MPI_Comm_set_errhandler(r.comm, MPI_ERRORS_RETURN);
    cc_profile_init(&r.profile);
    r.mark = r.profile.start;
    MPI_Comm_split_type(r.comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &r.node_comm);
    layout_of(r.comm, r.node_comm, &r.layout);
    cc_stop_install();

    cc_status status = cc_render_options_check(options, err);
    if (status == CC_OK && options->resume && options->raw != NULL)
        status = cc_fail(err, CC_ERR_USAGE,
                         "--raw cannot be combined with --resume (the raw file would miss the "
                         "frames rendered before)");
    status = cc_agree(r.comm, status, err);
    r.opened = r.loaded = r.prefetching = -1;
    pthread_mutex_init(&r.hdf5_lock, NULL);
    if (status == CC_OK)
        status = setup(&r, err);
    cc_profile_lap(&r.profile, CC_PHASE_SETUP, &r.mark);
    if (status == CC_OK)
        status = scan_series(&r, err);
    double read_started = cc_profile_now();
    if (status == CC_OK)
        status = read_volume(&r, err);
    r.loaded = status == CC_OK ? 0 : -1;
    r.first_read_seconds = cc_profile_now() - read_started;
    cc_profile_lap(&r.profile, CC_PHASE_READ, &r.mark);
    if (status == CC_OK)
        status = scan_volume(&r, err);
    cc_profile_lap(&r.profile, CC_PHASE_PROJECTION, &r.mark);
    if (status == CC_OK)
        status = finish_transfer(&r, err);
    if (status == CC_OK)
        status = open_output(&r, err);
    cc_profile_lap(&r.profile, CC_PHASE_SETUP, &r.mark);
    if (status == CC_OK)
        status = write_projection(&r, err);
    cc_profile_lap(&r.profile, CC_PHASE_PROJECTION, &r.mark);
    if (status == CC_OK)
        status = render_frames(&r, err);
    if (r.shape[0] != 0) /* setup opened the input on every rank */
        status = finish(&r, status, err);
    release(&r);
    return status;
}
