/* progress.c - progress lines (progress.h). */
#include "cubecast/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cubecast/profile.h"

struct cc_progress {
    int to_render, total, done, quiet, terminal;
    double start;
};

cc_status cc_progress_create(int to_render, int total, int quiet, cc_progress **out, cc_error *err)
{
    cc_progress *progress = calloc(1, sizeof *progress);
    if (progress == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    progress->to_render = to_render;
    progress->total = total;
    progress->quiet = quiet;
    progress->terminal = isatty(STDERR_FILENO);
    progress->start = cc_profile_now();
    if (!quiet && to_render < total)
        fprintf(stderr, "resuming: %d of %d frames already done\n", total - to_render, total);
    *out = progress;
    return CC_OK;
}

void cc_progress_destroy(cc_progress *progress)
{
    if (progress == NULL)
        return;
    if (!progress->quiet && progress->terminal && progress->done > 0)
        fputc('\n', stderr);
    free(progress);
}

static void format_duration(double seconds, char *out, size_t out_size)
{
    long s = (long)(seconds + 0.5);
    if (s >= 3600)
        snprintf(out, out_size, "%ldh%02ldm", s / 3600, (s / 60) % 60);
    else if (s >= 60)
        snprintf(out, out_size, "%ldm%02lds", s / 60, s % 60);
    else
        snprintf(out, out_size, "%lds", s);
}

void cc_progress_frame_done(cc_progress *progress, int rank, int input, int inputs)
{
    progress->done++;
    if (progress->quiet)
        return;
    double elapsed = cc_profile_now() - progress->start;
    double rate = elapsed > 0 ? progress->done / elapsed : 0.0;
    char eta[32];
    format_duration(rate > 0 ? (progress->to_render - progress->done) / rate : 0.0, eta,
                    sizeof eta);
    int finished = progress->total - progress->to_render + progress->done;
    char snapshot[48] = "";
    if (inputs > 1)
        snprintf(snapshot, sizeof snapshot, " (snapshot %d/%d)", input + 1, inputs);
    fprintf(stderr, "%sframe %d/%d%s by rank %d, %.1f frames/s, ETA %s%s",
            progress->terminal ? "\r" : "", finished, progress->total, snapshot, rank, rate, eta,
            progress->terminal ? "\033[K" : "\n");
    fflush(stderr);
}
