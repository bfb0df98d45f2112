/* test_standin.cc - the CUDA stand-in (cuda_standin.h) catches what it
 * claims to catch: a read outside device memory, a write past an
 * allocation, a cudaMemcpy whose direction does not match its pointers,
 * an asynchronous copy from pageable memory; it plays the devices and
 * memory its environment asks for; and its serial launch runs every thread of a grid exactly once.
 *
 *   test_standin              the checks above, counting violations
 *   test_standin oob          a kernel reads one element past its array
 *   test_standin direction    a host-to-device copy is said device-to-host
 *   test_standin inbounds     the oob kernel without the extra element
 * The middle two must end with the stand-in's report of what they did
 * (tests/cuda/CMakeLists.txt matches it); the last must pass. */
#include <cuda_runtime.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* out[0] = sum of values[0 .. n): one thread per value, serial launch. */
__global__ static void sum_kernel(const float *values, int n, float *out)
{
    int i = (int)(blockIdx.x * blockDim.x + threadIdx.x);
    if (i < n)
        out[0] += __ldg(values + i);
}

/* hits[i]++ for every thread index i < n; one past n when spill. */
__global__ static void count_kernel(int *hits, int n, int spill)
{
    int i = (int)(blockIdx.x * blockDim.x + threadIdx.x);
    if (i < n + spill)
        hits[i]++;
}

static int failures = 0;

static void expect(int ok, const char *what)
{
    printf("%s: %s\n", ok ? "ok" : "FAIL", what);
    failures += !ok;
}

/* Sums n + extra values of an array of n on the device. */
static float device_sum(int n, int extra)
{
    float host[100], result = 0.0f;
    for (int i = 0; i < n; i++)
        host[i] = (float)(i + 1);
    float *values = NULL, *out = NULL;
    cudaMalloc(&values, (size_t)n * sizeof(float));
    cudaMalloc(&out, sizeof(float));
    cudaMemcpy(values, host, (size_t)n * sizeof(float), cudaMemcpyHostToDevice);
    cudaMemcpy(out, &result, sizeof result, cudaMemcpyHostToDevice);
    int total = n + extra, block = 32;
    CC_CUDA_LAUNCH(sum_kernel, dim3((unsigned)((total + block - 1) / block)), dim3((unsigned)block),
                   values, total, out);
    cudaMemcpy(&result, out, sizeof result, cudaMemcpyDeviceToHost);
    cudaFree(values);
    cudaFree(out);
    return result;
}

static int checks(void)
{
    cc_standin_set_fatal(0);

    /* Reads: in bounds, then one past the end. */
    cc_standin_reset_violations();
    float sum = device_sum(70, 0);
    expect(sum == 70.0f * 71.0f / 2.0f && cc_standin_violations() == 0,
           "a kernel reading its whole array: right sum, no violation");
    cc_standin_reset_violations();
    device_sum(70, 1);
    expect(cc_standin_violations() == 1, "a kernel reading one past its array: one violation");

    /* Copies in each direction, right and wrong. */
    int host[8] = {1, 2, 3, 4, 5, 6, 7, 8}, back[8] = {0};
    int *dev = NULL;
    expect(cudaMalloc(&dev, sizeof host) == cudaSuccess, "cudaMalloc");
    cc_standin_reset_violations();
    expect(cudaMemcpy(dev, host, sizeof host, cudaMemcpyHostToDevice) == cudaSuccess &&
               cudaMemcpy(back, dev, sizeof back, cudaMemcpyDeviceToHost) == cudaSuccess &&
               memcmp(host, back, sizeof host) == 0 && cc_standin_violations() == 0,
           "host to device and back: same values, no violation");
    expect(cudaMemcpy(dev, host, sizeof host, cudaMemcpyDeviceToHost) != cudaSuccess &&
               cc_standin_violations() == 1,
           "a host-to-device copy said device-to-host: refused, one violation");
    expect(cudaMemcpy(host, dev, sizeof host, cudaMemcpyHostToDevice) != cudaSuccess &&
               cc_standin_violations() == 2,
           "a device-to-host copy said host-to-device: refused, one violation");
    expect(cudaMemcpy(dev, host, sizeof host + sizeof(int), cudaMemcpyHostToDevice) !=
                   cudaSuccess &&
               cc_standin_violations() == 3,
           "a copy one element past the allocation: refused, one violation");
    expect(cudaMemcpy(back, host, sizeof host, cudaMemcpyHostToDevice) != cudaSuccess &&
               cc_standin_violations() == 4,
           "a host-to-host copy said host-to-device: refused, one violation");
    cudaGetLastError();

    /* The serial launch: every thread of a partial last block once. */
    int n = 70, hits[71] = {0};
    cudaMemset(dev, 0, sizeof host);
    int *counts = NULL;
    cudaMalloc(&counts, sizeof(int) * (size_t)n);
    cudaMemset(counts, 0, sizeof(int) * (size_t)n);
    CC_CUDA_LAUNCH(count_kernel, dim3(3), dim3(32), counts, n, 0);
    cudaMemcpy(hits, counts, sizeof(int) * (size_t)n, cudaMemcpyDeviceToHost);
    int once = 1;
    for (int i = 0; i < n; i++)
        once &= hits[i] == 1;
    expect(once && cudaGetLastError() == cudaSuccess,
           "3 blocks of 32 threads for 70 items: each item once");

    /* A write one past the end is caught when the memory is freed. */
    cc_standin_reset_violations();
    CC_CUDA_LAUNCH(count_kernel, dim3(3), dim3(32), counts, n, 1);
    cudaFree(counts);
    expect(cc_standin_violations() == 1, "a kernel writing one past its array: one violation");

    /* Bad configurations are launch errors, as on a GPU. */
    CC_CUDA_LAUNCH(count_kernel, dim3(1), dim3(2048), dev, 1, 0);
    expect(cudaGetLastError() == cudaErrorInvalidConfiguration,
           "a block of 2048 threads: cudaErrorInvalidConfiguration");
    cudaFree(dev);
    expect(cc_standin_device_bytes() == 0, "everything freed");
    return failures == 0 ? 0 : 1;
}

/* Pinned memory, streams and the environment's devices. */
static int device_checks(void)
{
    /* An asynchronous copy from pinned memory works; from pageable memory
     * it is reported (on a GPU it would silently lose the overlap). */
    float pageable[8] = {1, 2, 3, 4, 5, 6, 7, 8}, *pinned = NULL, *dev = NULL;
    cudaStream_t stream;
    cudaEvent_t done;
    expect(cudaStreamCreate(&stream) == cudaSuccess && cudaEventCreate(&done) == cudaSuccess,
           "a stream and an event");
    cudaMallocHost(&pinned, sizeof pageable);
    cudaMalloc(&dev, sizeof pageable);
    memcpy(pinned, pageable, sizeof pageable);
    cc_standin_reset_violations();
    cudaError_t copied =
        cudaMemcpyAsync(dev, pinned, sizeof pageable, cudaMemcpyHostToDevice, stream);
    cudaEventRecord(done, stream);
    cudaEventSynchronize(done);
    float back[8] = {0};
    cudaMemcpy(back, dev, sizeof back, cudaMemcpyDeviceToHost);
    expect(copied == cudaSuccess && memcmp(back, pageable, sizeof back) == 0 &&
               cc_standin_violations() == 0,
           "an asynchronous copy from pinned memory: same values, no violation");
    copied = cudaMemcpyAsync(dev, pageable, sizeof pageable, cudaMemcpyHostToDevice, stream);
    expect(copied != cudaSuccess && cc_standin_violations() == 1,
           "an asynchronous copy from pageable memory: refused, one violation");
    cudaFree(dev);
    cudaFreeHost(pinned);
    cudaEventDestroy(done);
    cudaStreamDestroy(stream);
    expect(cc_standin_pinned_count() == 0 && cudaGetLastError() != cudaSuccess,
           "pinned memory freed; the refused copy left its error");

    /* CC_STANDIN_MEMORY bounds cudaMalloc and sets cudaMemGetInfo. */
    setenv("CC_STANDIN_MEMORY", "1000", 1);
    size_t free_bytes = 0, total = 0;
    cudaMemGetInfo(&free_bytes, &total);
    void *small = NULL, *big = NULL;
    cudaError_t small_ok = cudaMalloc(&small, 600), big_ok = cudaMalloc(&big, 600);
    size_t free_after = 0;
    cudaMemGetInfo(&free_after, &total);
    expect(free_bytes == 1000 && total == 1000 && small_ok == cudaSuccess &&
               big_ok == cudaErrorMemoryAllocation && big == NULL && free_after == 400,
           "CC_STANDIN_MEMORY=1000: 600 bytes fit, 600 more do not, 400 free");
    cudaFree(small);
    cudaGetLastError();

    /* CC_STANDIN_DEVICES=0 is a machine without GPU; 2 are two devices. */
    int count = -1;
    setenv("CC_STANDIN_DEVICES", "0", 1);
    expect(cudaGetDeviceCount(&count) == cudaErrorNoDevice && count == 0,
           "CC_STANDIN_DEVICES=0: cudaErrorNoDevice");
    setenv("CC_STANDIN_DEVICES", "2", 1);
    cudaDeviceProp properties;
    expect(cudaGetDeviceCount(&count) == cudaSuccess && count == 2 && cudaSetDevice(1) == 0 &&
               cudaSetDevice(2) == cudaErrorInvalidValue &&
               cudaGetDeviceProperties(&properties, 1) == cudaSuccess &&
               strcmp(properties.name, "CUDA stand-in") == 0,
           "CC_STANDIN_DEVICES=2: two devices, a third is refused");
    unsetenv("CC_STANDIN_DEVICES");
    unsetenv("CC_STANDIN_MEMORY");
    return failures == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "checks";
    if (strcmp(mode, "oob") == 0) {
        device_sum(70, 1); /* ends the program */
        printf("no violation caught\n");
        return 0;
    }
    if (strcmp(mode, "inbounds") == 0)
        return device_sum(70, 0) == 70.0f * 71.0f / 2.0f ? 0 : 1;
    if (strcmp(mode, "direction") == 0) {
        int host[4] = {0}, *dev = NULL;
        cudaMalloc(&dev, sizeof host);
        cudaMemcpy(dev, host, sizeof host, cudaMemcpyDeviceToHost); /* ends the program */
        cudaFree(dev);
        printf("no violation caught\n");
        return 0;
    }
    int failed = checks();
    return device_checks() | failed;
}
