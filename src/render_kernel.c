/* render_kernel.c - which copy of the render kernel runs (render_kernel.h). */
#include "render_kernel.h"

#include <stdlib.h>
#include <string.h>

/* A copy of the kernel, and whether this CPU runs it. */
typedef struct kernel_copy {
    cc_render_kernel kernel;
    int (*cpu_runs)(void); /* NULL: every CPU this build targets */
    const char *needs;     /* what the CPU lacks when it does not */
} kernel_copy;

#if defined(CC_KERNEL_HAVE_AVX512) || defined(CC_KERNEL_HAVE_AVX2)
/* The features each copy was compiled for (CMakeLists.txt); gcc's
 * cpu_supports also checks that the OS saves the vector registers. */
static int cpu_runs_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

static int cpu_runs_avx512(void)
{
    return cpu_runs_avx2() && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq");
}
#endif

/* Best first. */
static const kernel_copy copies[] = {
#ifdef CC_KERNEL_HAVE_NATIVE
    {{"native", cc_render_slab_native}, NULL, NULL},
#endif
#ifdef CC_KERNEL_HAVE_AVX512
    {{"avx512", cc_render_slab_avx512}, cpu_runs_avx512, "AVX-512 (F, VL, BW and DQ)"},
#endif
#ifdef CC_KERNEL_HAVE_AVX2
    {{"avx2", cc_render_slab_avx2}, cpu_runs_avx2, "AVX2 and FMA"},
#endif
#ifdef CC_KERNEL_HAVE_BASELINE
    {{"baseline", cc_render_slab_baseline}, NULL, NULL},
#endif
};

enum { COPY_COUNT = sizeof copies / sizeof copies[0] };

static int runs_here(const kernel_copy *copy)
{
    return copy->cpu_runs == NULL || copy->cpu_runs();
}

const char *cc_render_kernels_built(void)
{
    return CC_KERNEL_SETS; /* CMakeLists.txt */
}

cc_status cc_render_kernel_choose(const char *requested, cc_render_kernel *out, cc_error *err)
{
    int by_name = requested != NULL && requested[0] != '\0';
    for (int c = 0; c < COPY_COUNT; c++) {
        const kernel_copy *copy = &copies[c];
        if (by_name && strcmp(requested, copy->kernel.name) != 0)
            continue;
        if (!runs_here(copy) && !by_name)
            continue;
        if (!runs_here(copy))
            return cc_fail(err, CC_ERR_USAGE, "CUBECAST_ISA=%s: this CPU lacks %s; unset it",
                           requested, copy->needs);
        *out = copy->kernel;
        return CC_OK;
    }
    if (by_name)
        return cc_fail(err, CC_ERR_USAGE,
                       "CUBECAST_ISA=%s: this build's render kernels are %s; unset it or name one",
                       requested, cc_render_kernels_built());
    return cc_fail(err, CC_ERR_INTERNAL, "no render kernel runs on this CPU");
}

cc_status cc_render_kernel_pick(const char **name, cc_error *err)
{
    cc_render_kernel kernel = {NULL, NULL};
    cc_status status = cc_render_kernel_choose(getenv("CUBECAST_ISA"), &kernel, err);
    if (status == CC_OK)
        *name = kernel.name;
    return status;
}
