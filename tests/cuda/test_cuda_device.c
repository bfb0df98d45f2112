/* test_cuda_device.c - the CUDA backend finds the GPU, or the test skips.
 * Exit 77 (ctest SKIP_RETURN_CODE) when there is no device. */
#include <stdio.h>
#include <string.h>

#include "cubecast/cuda.h"

int main(void)
{
    char name[256] = "";
    int count = cc_cuda_device_count(name, (int)sizeof name);
    if (count == 0) {
        printf("no CUDA device: skipping\n");
        return 77;
    }
    if (count < 0 || strlen(name) == 0) {
        printf("FAIL: %d devices but no name\n", count);
        return 1;
    }
    printf("%d CUDA device(s), first: %s\n", count, name);
    return 0;
}
