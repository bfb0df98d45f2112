/* hostdev.h - what lets one function body serve the CPU and the GPU.
 *
 * The per-sample mathematics (transfer.h, src/render_sample.h) is written
 * once, in C that gcc and nvcc both compile, so the CPU and CUDA backends
 * cannot drift apart.  Under nvcc these functions are __host__ __device__;
 * for gcc (and for g++ compiling a .cu against the stand-in runtime of
 * tests/cuda) the markers are empty. */
#ifndef CUBECAST_HOSTDEV_H
#define CUBECAST_HOSTDEV_H

#if defined(__CUDACC__)
#define CC_HOST_DEVICE __host__ __device__
/* Inlined in every caller: a kernel's per-sample call must not become a
 * call with a stack frame (local memory on the GPU). */
#define CC_FORCE_INLINE __forceinline__
/* nvcc rejects gcc's unroll pragma (warning 1675, an error under -Werror)
 * and its host compiler nvcc's; the host side of a .cu needs neither. */
#if defined(__CUDA_ARCH__)
#define CC_UNROLL _Pragma("unroll")
#else
#define CC_UNROLL
#endif
#else
#define CC_HOST_DEVICE
/* The CPU kernels' loops over rays vectorise only with the per-sample
 * functions inlined. */
#define CC_FORCE_INLINE inline __attribute__((always_inline))
#define CC_UNROLL _Pragma("GCC unroll 16")
#endif

#endif
