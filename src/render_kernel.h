/* render_kernel.h - the render kernel's copies, one per instruction set,
 * and which one runs (private to render.c, render_general.c and
 * render_kernel.c).
 *
 * A portable build (CUBECAST_NATIVE=OFF, the default) compiles render.c
 * and render_general.c once per instruction set of x86-64: "avx512"
 * (AVX-512 F, VL, BW, DQ), "avx2" (AVX2 and FMA) and "baseline" (SSE2);
 * a native build compiles them once for the build machine ("native"), and
 * a build for another architecture once for its default ("baseline").
 * CMake defines CC_KERNEL_SET as the set a copy is compiled for, and
 * CC_KERNEL_PRIMARY in the one copy that also holds the renderer object
 * (render.c); every other name a copy exports carries its set
 * (CC_KERNEL_NAME).  cc_renderer_create picks one copy for the process:
 * the best the CPU runs, or the one the environment variable CUBECAST_ISA
 * names (for tests and for debugging performance).
 *
 * The copies compute the same IEEE operations in the same order whatever
 * their vector width, with two exceptions, each a last-bit difference
 * within the contract (design.md section 1): where the set has FMA
 * (avx512, avx2, native on such a CPU) gcc contracts a * b + c into one
 * rounding, which baseline x86-64 lacks; and double precision's section 1
 * kernel calls glibc's vector exp and log (libmvec), whose 8-wide and
 * 4-wide versions differ within their 4 ulp.  So avx512 renders what
 * -march=native renders on an AVX-512 CPU, bit for bit (--raw included);
 * avx2 the same in single precision; and an 8-bit PNG sample of another
 * copy moves by one level only where a value lies within such a bit of a
 * rounding boundary (tests/cli/kernel_test.py checks both; docs/usage.md
 * has the figures). */
#ifndef CUBECAST_RENDER_KERNEL_H
#define CUBECAST_RENDER_KERNEL_H

#include "cubecast/render.h"

typedef cc_status (*cc_render_slab_fn)(cc_renderer *renderer, const cc_volume *volume,
                                       const cc_view *view, const cc_box *owned_cells,
                                       cc_image *image, cc_error *err);

/* One copy of the kernel. */
typedef struct cc_render_kernel {
    const char *name; /* its instruction set: "avx512", "avx2", "baseline", "native" */
    cc_render_slab_fn render_slab;
} cc_render_kernel;

/* The copy to run: the one named requested (CUBECAST_ISA's value) or, when
 * requested is NULL or empty, the best one this CPU runs.  Fails
 * (CC_ERR_USAGE) when requested names no copy of this build or a set the
 * CPU lacks. */
cc_status cc_render_kernel_choose(const char *requested, cc_render_kernel *out, cc_error *err);

#define CC_KERNEL_JOIN2(name, set) name##_##set
#define CC_KERNEL_JOIN(name, set) CC_KERNEL_JOIN2(name, set)
/* name as the copy for CC_KERNEL_SET exports it: cc_render_slab_avx2. */
#define CC_KERNEL_NAME(name) CC_KERNEL_JOIN(name, CC_KERNEL_SET)

/* Each copy's entry, cc_render_slab (render.h) for its set. */
cc_status cc_render_slab_avx512(cc_renderer *renderer, const cc_volume *volume, const cc_view *view,
                                const cc_box *owned_cells, cc_image *image, cc_error *err);
cc_status cc_render_slab_avx2(cc_renderer *renderer, const cc_volume *volume, const cc_view *view,
                              const cc_box *owned_cells, cc_image *image, cc_error *err);
cc_status cc_render_slab_baseline(cc_renderer *renderer, const cc_volume *volume,
                                  const cc_view *view, const cc_box *owned_cells, cc_image *image,
                                  cc_error *err);
cc_status cc_render_slab_native(cc_renderer *renderer, const cc_volume *volume, const cc_view *view,
                                const cc_box *owned_cells, cc_image *image, cc_error *err);

#endif
