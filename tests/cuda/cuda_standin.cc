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
std::map<uintptr_t, size_t> pinned;     /* cudaMallocHost's blocks and sizes */
size_t device_bytes = 0;
thread_local int current_device = 0;

/* Streams and events: the stand-in runs everything at once, so they only
 * need to be real, distinct objects a test can tell from garbage. */
} // namespace
struct CUstream_st {
    int magic;
};
struct CUevent_st {
    int magic;
};
namespace
{
const int kStreamMagic = 0x5742, kEventMagic = 0x4556;
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

/* An environment knob as a non-negative number, or fallback. */
double knob(const char *name, double fallback)
{
    const char *text = getenv(name);
    if (text == NULL || *text == '\0')
        return fallback;
    char *end;
    double value = strtod(text, &end);
    return *end == '\0' && value >= 0 ? value : fallback;
}

int device_count(void)
{
    return (int)knob("CC_STANDIN_DEVICES", 1);
}

size_t device_memory(void)
{
    return (size_t)knob("CC_STANDIN_MEMORY", 16.0 * 1024 * 1024 * 1024);
}

/* 1 when [pointer, pointer + bytes) lies in one pinned block.  The caller
 * holds lock. */
int in_pinned(const void *pointer, size_t bytes)
{
    uintptr_t p = (uintptr_t)pointer;
    auto it = pinned.upper_bound(p);
    if (it == pinned.begin())
        return 0;
    --it;
    return p - it->first <= it->second && bytes <= it->second - (p - it->first);
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

int cc_standin_pinned_count(void)
{
    std::lock_guard<std::mutex> hold(lock);
    return (int)pinned.size();
}

cudaError_t cudaGetDeviceCount(int *count)
{
    /* The CPU, standing in for CC_STANDIN_DEVICES devices (default 1). */
    *count = device_count();
    return *count > 0 ? cudaSuccess : fail(cudaErrorNoDevice);
}

cudaError_t cudaSetDevice(int number)
{
    if (number < 0 || number >= device_count())
        return fail(cudaErrorInvalidValue);
    current_device = number;
    return cudaSuccess;
}

cudaError_t cudaGetDevice(int *number)
{
    *number = current_device;
    return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp *properties, int number)
{
    if (number < 0 || number >= device_count())
        return fail(cudaErrorInvalidValue);
    memset(properties, 0, sizeof *properties);
    snprintf(properties->name, sizeof properties->name, "CUDA stand-in");
    properties->totalGlobalMem = device_memory();
    properties->major = 9;
    properties->multiProcessorCount = 1;
    return cudaSuccess;
}

/* Every device shares one pool here: a test runs one rank per device. */
cudaError_t cudaMemGetInfo(size_t *free_bytes, size_t *total_bytes)
{
    std::lock_guard<std::mutex> hold(lock);
    *total_bytes = device_memory();
    *free_bytes = device_bytes < *total_bytes ? *total_bytes - device_bytes : 0;
    return cudaSuccess;
}

cudaError_t cudaMalloc(void **pointer, size_t bytes)
{
    *pointer = NULL;
    {
        std::lock_guard<std::mutex> hold(lock);
        size_t total = device_memory();
        if (device_bytes > total || bytes > total - device_bytes)
            return fail(cudaErrorMemoryAllocation); /* the device is full */
    }
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

cudaError_t cudaMallocHost(void **pointer, size_t bytes)
{
    *pointer = malloc(bytes > 0 ? bytes : 1);
    if (*pointer == NULL)
        return fail(cudaErrorMemoryAllocation);
    std::lock_guard<std::mutex> hold(lock);
    pinned[(uintptr_t)*pointer] = bytes;
    return cudaSuccess;
}

cudaError_t cudaFreeHost(void *pointer)
{
    if (pointer == NULL)
        return cudaSuccess;
    {
        std::lock_guard<std::mutex> hold(lock);
        if (pinned.erase((uintptr_t)pointer) == 0) {
            cc_standin_violation("cudaFreeHost of a pointer cudaMallocHost did not return", pointer,
                                 0);
            return fail(cudaErrorInvalidValue);
        }
    }
    free(pointer);
    return cudaSuccess;
}

static cudaError_t new_handle(void **handle, int magic)
{
    /* CUstream_st and CUevent_st are both one int, the magic. */
    int *object = (int *)malloc(sizeof *object);
    if (object == NULL)
        return fail(cudaErrorMemoryAllocation);
    *object = magic;
    *handle = object;
    return cudaSuccess;
}

/* 1 when handle is a live stream or event of the given kind (the default
 * stream, NULL, counts as a stream). */
static int live_handle(const void *handle, int magic)
{
    if (handle == NULL)
        return magic == kStreamMagic;
    if (*(const int *)handle == magic)
        return 1;
    cc_standin_violation(magic == kStreamMagic ? "not a live stream" : "not a live event", handle,
                         0);
    return 0;
}

static cudaError_t free_handle(void *handle, int magic)
{
    if (handle == NULL || !live_handle(handle, magic))
        return fail(cudaErrorInvalidValue);
    *(int *)handle = 0;
    free(handle);
    return cudaSuccess;
}

cudaError_t cudaStreamCreate(cudaStream_t *stream)
{
    return new_handle((void **)stream, kStreamMagic);
}
cudaError_t cudaStreamDestroy(cudaStream_t stream)
{
    return free_handle(stream, kStreamMagic);
}
cudaError_t cudaStreamSynchronize(cudaStream_t stream)
{
    return live_handle(stream, kStreamMagic) ? last_error : fail(cudaErrorInvalidValue);
}
cudaError_t cudaEventCreate(cudaEvent_t *event)
{
    return new_handle((void **)event, kEventMagic);
}
cudaError_t cudaEventDestroy(cudaEvent_t event)
{
    return free_handle(event, kEventMagic);
}
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream)
{
    return live_handle(event, kEventMagic) && live_handle(stream, kStreamMagic)
               ? cudaSuccess
               : fail(cudaErrorInvalidValue);
}
cudaError_t cudaEventSynchronize(cudaEvent_t event)
{
    return live_handle(event, kEventMagic) ? cudaSuccess : fail(cudaErrorInvalidValue);
}

/* An asynchronous copy runs at once here; on a GPU it overlaps the host
 * only from and to pinned memory, so a pageable host buffer is reported. */
cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind,
                            cudaStream_t stream)
{
    if (!live_handle(stream, kStreamMagic))
        return fail(cudaErrorInvalidValue);
    const void *host = kind == cudaMemcpyHostToDevice   ? src
                       : kind == cudaMemcpyDeviceToHost ? (const void *)dst
                                                        : NULL;
    int host_pinned = 1;
    if (host != NULL) {
        std::lock_guard<std::mutex> hold(lock);
        host_pinned = in_pinned(host, bytes);
    }
    if (!host_pinned) {
        cc_standin_violation("cudaMemcpyAsync from or to pageable host memory", host, bytes);
        return fail(cudaErrorInvalidValue);
    }
    return cudaMemcpy(dst, src, bytes, kind);
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
