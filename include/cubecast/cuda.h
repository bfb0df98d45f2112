/* cuda.h - the GPUs a rank can use.
 *
 * Finds the CUDA devices a rank sees and binds it to one; the kernel
 * itself is cuda_render.h, reached through backend.h.  A build with CUDA
 * (the default where nvcc is found) implements this in the .cu files of src/cuda; a
 * build without it links src/cuda/none.c, which finds no device and says
 * why, so the CPU kernel renders. */
#include <stddef.h>

#ifndef CUBECAST_CUDA_H
#define CUBECAST_CUDA_H

#ifdef __cplusplus
extern "C" {
#endif

/* Number of usable CUDA devices (0 without a driver or device).  name gets
 * the first device's name when there is one. */
int cc_cuda_device_count(char *name, int name_size);

/* As cc_cuda_device_count, but when there is no usable device, why gets
 * the runtime's reason ("no CUDA-capable device is detected", a driver
 * older than the runtime, ...) for the user's error line. */
int cc_cuda_device_probe(char *why, int why_size);

/* Makes device index (0 .. count-1, as CUDA_VISIBLE_DEVICES numbers them)
 * the calling thread's current device; name gets its name.  0 on success,
 * else -1 and why gets the runtime's reason. */
int cc_cuda_use_device(int index, char *name, int name_size, char *why, int why_size);

/* Free and total bytes of the calling thread's current device (after
 * cc_cuda_use_device).  0 on success, else -1 and both are 0. */
int cc_cuda_device_memory(size_t *free_bytes, size_t *total_bytes);

#ifdef __cplusplus
}
#endif

#endif
