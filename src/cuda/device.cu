/* device.cu - CUDA device discovery (cuda.h). */
#include "cubecast/cuda.h"

#include <cuda_runtime.h>
#include <string.h>

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
