/* device.cu - CUDA device discovery (cuda.h). */
#include <cuda_runtime.h>
#include <stdio.h>
#include <string.h>

#include "cubecast/cuda.h"

int cc_cuda_device_count(char *name, int name_size)
{
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess)
        return 0; /* no driver or no device: the CPU renders */
    cudaDeviceProp properties;
    if (count > 0 && name != NULL && name_size > 0 &&
        cudaGetDeviceProperties(&properties, 0) == cudaSuccess) {
        strncpy(name, properties.name, (size_t)name_size - 1);
        name[name_size - 1] = '\0';
    }
    return count;
}

/* An error as one phrase for the user: the two a GPU-less machine gives
 * in plain words, any other as the runtime says it. */
static void reason(cudaError_t error, char *why, int why_size)
{
    if (why == NULL || why_size <= 0)
        return;
    const char *text = cudaGetErrorString(error);
    if (error == cudaErrorInsufficientDriver)
        text = "no CUDA driver, or one older than this build's CUDA runtime";
    else if (error == cudaErrorNoDevice)
        text = "no CUDA device";
    snprintf(why, (size_t)why_size, "%s (%s)", text, cudaGetErrorName(error));
}

int cc_cuda_device_probe(char *why, int why_size)
{
    int count = 0;
    cudaError_t error = cudaGetDeviceCount(&count);
    if (error != cudaSuccess) {
        reason(error, why, why_size);
        return 0;
    }
    if (count == 0 && why != NULL && why_size > 0)
        snprintf(why, (size_t)why_size, "the CUDA runtime sees no device");
    return count;
}

int cc_cuda_use_device(int index, char *name, int name_size, char *why, int why_size)
{
    cudaDeviceProp properties;
    cudaError_t error = cudaSetDevice(index);
    if (error == cudaSuccess)
        error = cudaGetDeviceProperties(&properties, index);
    if (error != cudaSuccess) {
        reason(error, why, why_size);
        return -1;
    }
    if (name != NULL && name_size > 0) {
        strncpy(name, properties.name, (size_t)name_size - 1);
        name[name_size - 1] = '\0';
    }
    return 0;
}

int cc_cuda_device_memory(size_t *free_bytes, size_t *total_bytes)
{
    if (cudaMemGetInfo(free_bytes, total_bytes) == cudaSuccess)
        return 0;
    *free_bytes = *total_bytes = 0;
    return -1;
}
