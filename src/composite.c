/* composite.c - gathering and compositing frames across ranks (composite.h). */
#include "cubecast/composite.h"

#include <stdlib.h>
#include <string.h>

#include "cubecast/plan.h"
#include "cubecast/swap.h"

enum { TAG_FOLD = 201, TAG_SWAP = 202 };

cc_status cc_gather_rows(const cc_image *band, int writer, MPI_Comm comm, cc_image *frame,
                         cc_error *err)
{
    int rank, ranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &ranks);
    int *counts = NULL, *offsets = NULL, failed = 0;
    if (rank == writer) {
        counts = malloc(sizeof *counts * (size_t)ranks);
        offsets = malloc(sizeof *offsets * (size_t)ranks);
        failed = counts == NULL || offsets == NULL;
    }
    MPI_Bcast(&failed, 1, MPI_INT, writer, comm);
    if (failed) {
        free(counts);
        free(offsets);
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    }
    if (rank == writer) {
        for (int r = 0; r < ranks; r++) {
            long lo, count;
            cc_split(frame->width, ranks, r, &lo, &count);
            counts[r] = (int)(count * frame->width * 3);
            offsets[r] = (int)(lo * frame->width * 3);
        }
    }
    int send_count = band->rows * band->width * 3;
    int result =
        MPI_Gatherv(band->colour, send_count, MPI_DOUBLE, rank == writer ? frame->colour : NULL,
                    counts, offsets, MPI_DOUBLE, writer, comm);
    /* The transmittance too: a background and --raw need it. */
    for (int r = 0; rank == writer && r < ranks; r++) {
        counts[r] /= 3;
        offsets[r] /= 3;
    }
    if (result == MPI_SUCCESS)
        result = MPI_Gatherv(band->transmittance, send_count / 3, MPI_DOUBLE,
                             rank == writer ? frame->transmittance : NULL, counts, offsets,
                             MPI_DOUBLE, writer, comm);
    free(counts);
    free(offsets);
    return result == MPI_SUCCESS ? CC_OK : cc_fail(err, CC_ERR_MPI, "gathering rows failed");
}

/* Packed pixels: r, g, b, T per pixel, the unit partials travel in. */
static void pack(const cc_image *image, double *packed)
{
    size_t pixels = (size_t)image->width * (size_t)image->rows;
    for (size_t p = 0; p < pixels; p++) {
        memcpy(packed + 4 * p, image->colour + 3 * p, 3 * sizeof(double));
        packed[4 * p + 3] = image->transmittance[p];
    }
}

/* near[p] = near[p] over far[p] for count packed pixels. */
static void over(double *near, const double *far, size_t count)
{
    for (size_t p = 0; p < count; p++) {
        double t = near[4 * p + 3];
        near[4 * p + 0] += t * far[4 * p + 0];
        near[4 * p + 1] += t * far[4 * p + 1];
        near[4 * p + 2] += t * far[4 * p + 2];
        near[4 * p + 3] = t * far[4 * p + 3];
    }
}

/* far[p] = near[p] over far[p]: the result lands in the far buffer. */
static void under(const double *near, double *far, size_t count)
{
    for (size_t p = 0; p < count; p++) {
        double t = near[4 * p + 3];
        far[4 * p + 0] = near[4 * p + 0] + t * far[4 * p + 0];
        far[4 * p + 1] = near[4 * p + 1] + t * far[4 * p + 1];
        far[4 * p + 2] = near[4 * p + 2] + t * far[4 * p + 2];
        far[4 * p + 3] = t * far[4 * p + 3];
    }
}

static void unpack(const double *packed, size_t pixels, double *colour, double *transmittance)
{
    for (size_t p = 0; p < pixels; p++) {
        memcpy(colour + 3 * p, packed + 4 * p, 3 * sizeof(double));
        transmittance[p] = packed[4 * p + 3];
    }
}

static cc_status composite_at_root(const double *packed, size_t pixels, const int *order,
                                   int writer, MPI_Comm comm, cc_image *frame, cc_error *err)
{
    int rank, ranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &ranks);
    double *all = NULL;
    int failed = 0;
    if (rank == writer) {
        all = malloc(sizeof *all * 4 * pixels * (size_t)ranks);
        failed = all == NULL;
    }
    MPI_Bcast(&failed, 1, MPI_INT, writer, comm);
    if (failed)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory gathering %d partial images", ranks);
    if (MPI_Gather(packed, (int)(4 * pixels), MPI_DOUBLE, all, (int)(4 * pixels), MPI_DOUBLE,
                   writer, comm) != MPI_SUCCESS) {
        free(all);
        return cc_fail(err, CC_ERR_MPI, "gathering %d partial images failed", ranks);
    }
    if (rank == writer) {
        double *result = all + 4 * pixels * (size_t)order[0];
        for (int q = 1; q < ranks; q++)
            over(result, all + 4 * pixels * (size_t)order[q], pixels);
        unpack(result, pixels, frame->colour, frame->transmittance);
        free(all);
    }
    return CC_OK;
}

/* Binary swap over ranks in visibility order, following the schedule of
 * swap.h.  Sets this rank's final pixel range [*lo, *hi) inside packed
 * (empty for folded-away ranks); returns the first MPI error, if any. */
static int binary_swap(double *packed, double *incoming, size_t pixels, const int *order,
                       MPI_Comm comm, size_t *lo, size_t *hi)
{
    int rank, ranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &ranks);
    int position = 0;
    while (order[position] != rank)
        position++;
    *lo = 0;
    *hi = pixels;
    cc_swap_fold fold;
    cc_swap_fold_of(ranks, position, &fold);
    if (fold.role == CC_SWAP_SEND) {
        *lo = *hi = 0;
        return MPI_Send(packed, (int)(4 * pixels), MPI_DOUBLE, order[fold.peer], TAG_FOLD, comm);
    }
    int result = MPI_SUCCESS;
    if (fold.role == CC_SWAP_RECEIVE) {
        result = MPI_Recv(incoming, (int)(4 * pixels), MPI_DOUBLE, order[fold.peer], TAG_FOLD, comm,
                          MPI_STATUS_IGNORE);
        over(packed, incoming, pixels);
    }
    int rounds = cc_swap_rounds(ranks);
    for (int round = 0; round < rounds && result == MPI_SUCCESS; round++) {
        cc_swap_step step;
        cc_swap_round(ranks, position, round, *lo, *hi, &step);
        int partner = order[step.partner];
        size_t keep = step.keep_hi - step.keep_lo;
        result = MPI_Sendrecv(packed + 4 * step.send_lo, (int)(4 * (step.send_hi - step.send_lo)),
                              MPI_DOUBLE, partner, TAG_SWAP, incoming, (int)(4 * keep), MPI_DOUBLE,
                              partner, TAG_SWAP, comm, MPI_STATUS_IGNORE);
        if (step.nearer)
            over(packed + 4 * step.keep_lo, incoming, keep);
        else
            under(incoming, packed + 4 * step.keep_lo, keep);
        *lo = step.keep_lo;
        *hi = step.keep_hi;
    }
    return result;
}

/* Gathers every rank's finished range of colour and transmittance to the
 * writer. */
static cc_status gather_pieces(const double *packed, size_t lo, size_t hi, int writer,
                               MPI_Comm comm, cc_image *frame, cc_error *err)
{
    int rank, ranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &ranks);
    size_t count = hi - lo;
    double *colour = malloc(sizeof *colour * 4 * (count > 0 ? count : 1));
    double *transmittance = colour + 3 * count;
    long range[2] = {(long)lo, (long)hi};
    long *ranges = rank == writer ? malloc(sizeof *ranges * 2 * (size_t)ranks) : NULL;
    int *counts = rank == writer ? malloc(sizeof *counts * (size_t)ranks) : NULL;
    int *offsets = rank == writer ? malloc(sizeof *offsets * (size_t)ranks) : NULL;
    int failed = colour == NULL || (rank == writer && (!ranges || !counts || !offsets)), any;
    MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, comm);
    cc_status status = CC_OK;
    if (any) {
        status = cc_fail(err, CC_ERR_NOMEM, "out of memory gathering the composited image");
    } else {
        unpack(packed + 4 * lo, count, colour, transmittance);
        MPI_Gather(range, 2, MPI_LONG, ranges, 2, MPI_LONG, writer, comm);
        for (int r = 0; rank == writer && r < ranks; r++) {
            counts[r] = (int)(3 * (ranges[2 * r + 1] - ranges[2 * r]));
            offsets[r] = (int)(3 * ranges[2 * r]);
        }
        int result =
            MPI_Gatherv(colour, (int)(3 * count), MPI_DOUBLE, rank == writer ? frame->colour : NULL,
                        counts, offsets, MPI_DOUBLE, writer, comm);
        for (int r = 0; rank == writer && r < ranks; r++) {
            counts[r] /= 3;
            offsets[r] /= 3;
        }
        if (result == MPI_SUCCESS)
            result = MPI_Gatherv(transmittance, (int)count, MPI_DOUBLE,
                                 rank == writer ? frame->transmittance : NULL, counts, offsets,
                                 MPI_DOUBLE, writer, comm);
        if (result != MPI_SUCCESS)
            status = cc_fail(err, CC_ERR_MPI, "gathering the composited image failed");
    }
    free(colour);
    free(ranges);
    free(counts);
    free(offsets);
    return status;
}

cc_status cc_composite_partials(const cc_image *partial, const int *order, cc_composite method,
                                int writer, MPI_Comm comm, cc_image *frame, cc_error *err)
{
    size_t pixels = (size_t)partial->width * (size_t)partial->rows;
    size_t bytes = sizeof(double) * 4 * (pixels > 0 ? pixels : 1);
    double *packed = malloc(bytes);
    double *incoming = method == CC_COMPOSITE_SWAP ? malloc(bytes) : NULL;
    int failed = packed == NULL || (method == CC_COMPOSITE_SWAP && incoming == NULL), any;
    MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, comm);
    cc_status status = CC_OK;
    if (any) {
        status = cc_fail(err, CC_ERR_NOMEM, "out of memory for a %zu-pixel partial image", pixels);
    } else if (method == CC_COMPOSITE_ROOT) {
        pack(partial, packed);
        status = composite_at_root(packed, pixels, order, writer, comm, frame, err);
    } else {
        size_t lo, hi;
        pack(partial, packed);
        /* The gather is collective: a rank whose swap failed still takes
         * part, with nothing to give, and then reports the failure. */
        int swapped = binary_swap(packed, incoming, pixels, order, comm, &lo, &hi);
        if (swapped != MPI_SUCCESS)
            lo = hi = 0;
        status = gather_pieces(packed, lo, hi, writer, comm, frame, err);
        if (swapped != MPI_SUCCESS)
            status = cc_fail(err, CC_ERR_MPI, "exchanging partial images (binary swap) failed");
    }
    free(packed);
    free(incoming);
    return status;
}
