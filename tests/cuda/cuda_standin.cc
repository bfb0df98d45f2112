/* cuda_standin.cc - the CUDA runtime stand-in (cuda_standin.h). */
#include "cuda_standin.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <map>
#include <mutex>

thread_local dim3 threadIdx, blockIdx, blockDim, gridDim;

namespace
{

/* Bytes of guard on each side of an allocation, and their pattern. */
const size_t kGuard = 64;
const unsigned char kGuardByte = 0xA5;

struct allocation {
    unsigned char *block; /* what malloc returned: guard, bytes, guard */
    size_t bytes;
};

std::mutex lock;
std::map<uintptr_t, allocation> device; /* by the address cudaMalloc returned */
size_t device_bytes = 0;
int fatal = 1, violations = 0;
cudaError_t last_error = cudaSuccess;

/* The allocation holding [pointer, pointer + bytes), or NULL.  The caller
 * holds lock. */
const allocation *find(const void *pointer, size_t bytes)
{
    uintptr_t p = (uintptr_t)pointer;
    auto it = device.upper_bound(p);
    if (it == device.begin())
        return NULL;
    --it;
    if (p < it->first || p - it->first > it->second.bytes ||
        bytes > it->second.bytes - (p - it->first))
        return NULL;
    return &it->second;
}

/* 1 when pointer lies in any allocation or its guards (a device pointer,
 * even if the range is wrong). */
int near_device(const void *pointer)
{
    uintptr_t p = (uintptr_t)pointer;
    auto it = device.upper_bound(p + kGuard);
    if (it == device.begin())
        return 0;
    --it;
    return p + kGuard >= it->first && p < it->first + it->second.bytes + kGuard;
}

cudaError_t fail(cudaError_t error)
{
    last_error = error;
    return error;
}

} // namespace

void cc_standin_violation(const char *what, const void *pointer, size_t bytes)
{
    fprintf(stderr, "cuda stand-in: %s (%zu bytes at %p)\n", what, bytes, pointer);
    if (fatal) {
        /* An exit status, not abort(): ctest can tell it from a crash. */
        fflush(stderr);
        _Exit(CC_STANDIN_EXIT);
    }
    violations++;
}

void cc_standin_set_fatal(int on)
{
    fatal = on;
}
int cc_standin_violations(void)
{
    return violations;
}
void cc_standin_reset_violations(void)
{
    violations = 0;
}
void cc_standin_set_launch_error(cudaError_t error)
{
    last_error = error;
}

size_t cc_standin_device_bytes(void)
{
    std::lock_guard<std::mutex> hold(lock);
    return device_bytes;
}

int cc_standin_is_device(const void *pointer, size_t bytes)
{
    std::lock_guard<std::mutex> hold(lock);
    return find(pointer, bytes) != NULL;
}

cudaError_t cudaGetDeviceCount(int *count)
{
    *count = 1; /* the CPU, standing in for one device */
    return cudaSuccess;
}

cudaError_t cudaSetDevice(int number)
{
    return number == 0 ? cudaSuccess : fail(cudaErrorInvalidValue);
}

cudaError_t cudaMalloc(void **pointer, size_t bytes)
{
    *pointer = NULL;
    unsigned char *block = (unsigned char *)malloc(bytes + 2 * kGuard);
    if (block == NULL)
        return fail(cudaErrorMemoryAllocation);
    memset(block, kGuardByte, kGuard);
    memset(block + kGuard + bytes, kGuardByte, kGuard);
    /* Fresh device memory holds garbage: a kernel that reads what it
     * never wrote gives a visible wrong answer, not a lucky zero. */
    memset(block + kGuard, 0x7F, bytes);
    std::lock_guard<std::mutex> hold(lock);
    device[(uintptr_t)(block + kGuard)] = allocation{block, bytes};
    device_bytes += bytes;
    *pointer = block + kGuard;
    return cudaSuccess;
}

cudaError_t cudaFree(void *pointer)
{
    if (pointer == NULL)
        return cudaSuccess;
    allocation found;
    {
        std::lock_guard<std::mutex> hold(lock);
        auto it = device.find((uintptr_t)pointer);
        if (it == device.end()) {
            cc_standin_violation("cudaFree of a pointer cudaMalloc did not return", pointer, 0);
            return fail(cudaErrorInvalidDevicePointer);
        }
        found = it->second;
        device.erase(it);
        device_bytes -= found.bytes;
    }
    for (size_t i = 0; i < kGuard; i++)
        if (found.block[i] != kGuardByte || found.block[kGuard + found.bytes + i] != kGuardByte) {
            cc_standin_violation("write outside device memory (a guard changed)", pointer,
                                 found.bytes);
            break;
        }
    free(found.block);
    return cudaSuccess;
}

cudaError_t cudaMemcpy(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind)
{
    int dst_device, src_device, dst_near, src_near;
    {
        std::lock_guard<std::mutex> hold(lock);
        dst_device = find(dst, bytes) != NULL;
        src_device = find(src, bytes) != NULL;
        dst_near = near_device(dst);
        src_near = near_device(src);
    }
    int want_dst = kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice;
    int want_src = kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyDeviceToDevice;
    if (kind == cudaMemcpyDefault) {
        want_dst = dst_near;
        want_src = src_near;
    } else if (kind < cudaMemcpyHostToHost || kind > cudaMemcpyDefault) {
        cc_standin_violation("cudaMemcpy with an unknown direction", dst, bytes);
        return fail(cudaErrorInvalidMemcpyDirection);
    }
    /* A pointer must be device memory exactly when the direction says so,
     * and a device range must lie inside its allocation. */
    if (want_dst != dst_near || want_src != src_near) {
        cc_standin_violation("cudaMemcpy in the wrong direction for its pointers", dst, bytes);
        return fail(cudaErrorInvalidValue);
    }
    if ((want_dst && !dst_device) || (want_src && !src_device)) {
        cc_standin_violation("cudaMemcpy past the end of a device allocation", dst, bytes);
        return fail(cudaErrorInvalidValue);
    }
    memmove(dst, src, bytes);
    return cudaSuccess;
}

cudaError_t cudaMemset(void *pointer, int value, size_t bytes)
{
    if (!cc_standin_is_device(pointer, bytes)) {
        cc_standin_violation("cudaMemset outside device memory", pointer, bytes);
        return fail(cudaErrorInvalidValue);
    }
    memset(pointer, value, bytes);
    return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize(void)
{
    return last_error;
}

cudaError_t cudaGetLastError(void)
{
    cudaError_t error = last_error;
    last_error = cudaSuccess;
    return error;
}

cudaError_t cudaPeekAtLastError(void)
{
    return last_error;
}

const char *cudaGetErrorName(cudaError_t error)
{
    switch (error) {
    case cudaSuccess:
        return "cudaSuccess";
    case cudaErrorInvalidValue:
        return "cudaErrorInvalidValue";
    case cudaErrorMemoryAllocation:
        return "cudaErrorMemoryAllocation";
    case cudaErrorInvalidConfiguration:
        return "cudaErrorInvalidConfiguration";
    case cudaErrorInvalidDevicePointer:
        return "cudaErrorInvalidDevicePointer";
    case cudaErrorInvalidMemcpyDirection:
        return "cudaErrorInvalidMemcpyDirection";
    case cudaErrorInsufficientDriver:
        return "cudaErrorInsufficientDriver";
    case cudaErrorNoDevice:
        return "cudaErrorNoDevice";
    case cudaErrorIllegalAddress:
        return "cudaErrorIllegalAddress";
    }
    return "cudaErrorUnknown";
}

const char *cudaGetErrorString(cudaError_t error)
{
    switch (error) {
    case cudaSuccess:
        return "no error";
    case cudaErrorInvalidValue:
        return "invalid argument";
    case cudaErrorMemoryAllocation:
        return "out of memory";
    case cudaErrorInvalidConfiguration:
        return "invalid configuration argument";
    case cudaErrorInvalidDevicePointer:
        return "invalid device pointer";
    case cudaErrorInvalidMemcpyDirection:
        return "invalid copy direction for memcpy";
    case cudaErrorInsufficientDriver:
        return "CUDA driver version is insufficient for CUDA runtime version";
    case cudaErrorNoDevice:
        return "no CUDA-capable device is detected";
    case cudaErrorIllegalAddress:
        return "an illegal memory access was encountered";
    }
    return "unknown error";
}
