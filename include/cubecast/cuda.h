/* cuda.h - the CUDA backend (built with -DCUBECAST_CUDA=ON).
 *
 * For now it finds the GPUs a rank can use; the render kernel on the GPU is
 * future work.  Without a device (or without a CUDA build) the CPU kernel
 * renders. */
#ifndef CUBECAST_CUDA_H
#define CUBECAST_CUDA_H

#ifdef __cplusplus
extern "C" {
#endif

/* Number of usable CUDA devices (0 without a driver or device).  name gets
 * the first device's name when there is one. */
int cc_cuda_device_count(char *name, int name_size);

#ifdef __cplusplus
}
#endif

#endif
