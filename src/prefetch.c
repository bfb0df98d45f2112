/* prefetch.c - reading a series' next input in the background (prefetch.h). */
#include "cubecast/prefetch.h"

#include <stdlib.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "cubecast/profile.h"
#include "cubecast/projection.h"
#include "cubecast/stop.h"

/* Slabs of about this many bytes per HDF5 call, so that the main thread
 * waits at most that long for the lock. */
enum { SLAB_BYTES = 16 << 20 };

struct cc_prefetch {
    cc_prefetch_job job;
    pthread_t thread;
    cc_status status;
    cc_error error;
    cc_prefetch_result result;
};

/* The job's read box, one x slab of the stored volume at a time. */
static cc_status read_slabs(cc_prefetch *p, cc_input *input)
{
    const cc_box *box = &p->job.read;
    if (cc_box_is_empty(box))
        return CC_OK;
    size_t plane_bytes = (size_t)box->count[1] * (size_t)box->count[2] *
                         cc_precision_size(cc_volume_precision(p->job.volume));
    long planes = (long)(SLAB_BYTES / (plane_bytes > 0 ? plane_bytes : 1));
    planes = planes < 1 ? 1 : planes;
    cc_status status = CC_OK;
    for (long x = 0; x < box->count[0] && status == CC_OK; x += planes) {
        cc_box slab = *box;
        slab.lo[0] = box->lo[0] + x;
        slab.count[0] = x + planes <= box->count[0] ? planes : box->count[0] - x;
        pthread_mutex_lock(p->job.lock);
        status = cc_input_read(input, &slab, p->job.volume, 0, &p->error);
        pthread_mutex_unlock(p->job.lock);
    }
    return status;
}

static void *prefetch_main(void *argument)
{
    cc_prefetch *p = argument;
    double started = cc_profile_now();
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
    cc_input *input = NULL;
    pthread_mutex_lock(p->job.lock);
    cc_status status = cc_input_open_local_choice(p->job.path, &p->job.choice, &input, &p->error);
    pthread_mutex_unlock(p->job.lock);
    if (status == CC_OK)
        status = read_slabs(p, input);
    if (status == CC_OK)
        p->result.checksum = cc_projection_scan(p->job.volume, &p->job.scan, NULL, NULL);
    if (status == CC_OK && p->job.extra != NULL)
        status =
            p->job.extra(p->job.extra_context, input, p->job.lock, &p->result.checksum, &p->error);
    pthread_mutex_lock(p->job.lock);
    p->result.bytes_read = input != NULL ? cc_input_bytes_read(input) : 0;
    cc_input_close(input);
    pthread_mutex_unlock(p->job.lock);
    p->result.seconds = cc_profile_now() - started;
    p->status = status;
    return NULL;
}

cc_status cc_prefetch_start(const cc_prefetch_job *job, cc_prefetch **out, cc_error *err)
{
    *out = NULL;
    cc_prefetch *p = calloc(1, sizeof *p);
    if (p == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    p->job = *job;
    cc_error_clear(&p->error);
    if (!cc_stop_thread_create(&p->thread, prefetch_main, p)) {
        free(p);
        return cc_fail(err, CC_ERR_RESOURCES, "cannot start a thread to read '%s'", job->path);
    }
    *out = p;
    return CC_OK;
}

cc_status cc_prefetch_finish(cc_prefetch *prefetch, cc_prefetch_result *result, cc_error *err)
{
    if (prefetch == NULL)
        return CC_OK;
    pthread_join(prefetch->thread, NULL);
    cc_status status = prefetch->status;
    *result = prefetch->result;
    if (status != CC_OK && err != NULL)
        *err = prefetch->error;
    free(prefetch);
    return status;
}
