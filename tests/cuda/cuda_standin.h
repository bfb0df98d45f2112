/* cuda_standin.h - a stand-in for the part of the CUDA runtime API that
 * cubecast's kernels use, so that a .cu file compiles as C++ (g++) and
 * runs on the CPU, with checks a GPU would not make.
 *
 * Device memory is host memory the stand-in allocates and remembers
 * (cudaMalloc), with guard bytes on both sides: cudaFree reports a
 * guard that changed (a write out of bounds), __ldg reports a read
 * outside every allocation (a read out of bounds), cudaMemcpy reports a
 * copy whose pointers do not match its direction (a host pointer where
 * the direction says device, or the other way round, or a range that
 * runs past its allocation).  A kernel launch (CC_CUDA_LAUNCH) runs the
 * grid serially, block after block and thread after thread, so a kernel
 * must not synchronise its threads (cubecast's do not).
 *
 * The stand-in plays one device by default; the environment can change
 * what it plays, so that the whole program (tests/cuda's cubecast-standin)
 * can be tested against devices this machine does not have:
 *   CC_STANDIN_DEVICES=K   K devices (0: cudaGetDeviceCount fails with
 *                          cudaErrorNoDevice, as on a machine without GPU)
 *   CC_STANDIN_MEMORY=B    B bytes of memory per device (default 16 GiB);
 *                          cudaMalloc beyond it fails as a full device does
 * Pinned host memory (cudaMallocHost) is remembered too: an asynchronous
 * copy must go from or to it, as on a GPU, where a pageable buffer makes
 * the copy synchronous.  Streams and events run every operation at once.
 *
 * Every violation prints one line on stderr.  It then ends the program
 * with status CC_STANDIN_EXIT, unless cc_standin_set_fatal(0) asked the
 * stand-in to count it instead (cc_standin_violations), which is how
 * tests/cuda checks the checks. */
#ifndef CUBECAST_CUDA_STANDIN_H
#define CUBECAST_CUDA_STANDIN_H

#ifndef __cplusplus
#error "the CUDA stand-in is C++: compile the .cu file with a C++ compiler"
#endif

#include <stddef.h>

#define CC_CUDA_STANDIN 1
enum { CC_STANDIN_EXIT = 86 };

/* Execution-space and memory qualifiers mean nothing on the CPU. */
#define __global__
#define __device__
#define __host__
#define __constant__
#define __forceinline__ inline __attribute__((always_inline))
#define __launch_bounds__(...)

typedef enum cudaError {
    cudaSuccess = 0,
    cudaErrorInvalidValue = 1,
    cudaErrorMemoryAllocation = 2,
    cudaErrorInvalidConfiguration = 9,
    cudaErrorInvalidDevicePointer = 17,
    cudaErrorInvalidMemcpyDirection = 21,
    cudaErrorInsufficientDriver = 35,
    cudaErrorNoDevice = 100,
    cudaErrorIllegalAddress = 700
} cudaError_t;

typedef struct CUstream_st *cudaStream_t;
typedef struct CUevent_st *cudaEvent_t;

/* The fields of cudaDeviceProp that cubecast reads. */
typedef struct cudaDeviceProp {
    char name[256];
    size_t totalGlobalMem;
    int major, minor;
    int multiProcessorCount;
} cudaDeviceProp;

typedef enum cudaMemcpyKind {
    cudaMemcpyHostToHost = 0,
    cudaMemcpyHostToDevice = 1,
    cudaMemcpyDeviceToHost = 2,
    cudaMemcpyDeviceToDevice = 3,
    cudaMemcpyDefault = 4
} cudaMemcpyKind;

struct dim3 {
    unsigned int x, y, z;
    dim3(unsigned int x_ = 1, unsigned int y_ = 1, unsigned int z_ = 1) : x(x_), y(y_), z(z_) {}
};

/* The thread the serial launch is running (thread-local: a test may run
 * kernels from several threads). */
extern thread_local dim3 threadIdx, blockIdx, blockDim, gridDim;

cudaError_t cudaGetDeviceCount(int *count);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp *properties, int device);
cudaError_t cudaGetDevice(int *device);
cudaError_t cudaMemGetInfo(size_t *free, size_t *total);
cudaError_t cudaMalloc(void **pointer, size_t bytes);
cudaError_t cudaMallocHost(void **pointer, size_t bytes);
cudaError_t cudaFreeHost(void *pointer);
cudaError_t cudaStreamCreate(cudaStream_t *stream);
cudaError_t cudaStreamDestroy(cudaStream_t stream);
cudaError_t cudaStreamSynchronize(cudaStream_t stream);
cudaError_t cudaEventCreate(cudaEvent_t *event);
cudaError_t cudaEventDestroy(cudaEvent_t event);
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream);
cudaError_t cudaEventSynchronize(cudaEvent_t event);
cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind,
                            cudaStream_t stream);
cudaError_t cudaFree(void *pointer);
cudaError_t cudaMemcpy(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemset(void *pointer, int value, size_t bytes);
cudaError_t cudaDeviceSynchronize(void);
cudaError_t cudaGetLastError(void);
cudaError_t cudaPeekAtLastError(void);
const char *cudaGetErrorString(cudaError_t error);
const char *cudaGetErrorName(cudaError_t error);

template <class T> static inline cudaError_t cudaMalloc(T **pointer, size_t bytes)
{
    return cudaMalloc(reinterpret_cast<void **>(pointer), bytes);
}
template <class T> static inline cudaError_t cudaMallocHost(T **pointer, size_t bytes)
{
    return cudaMallocHost(reinterpret_cast<void **>(pointer), bytes);
}

/* ---- the stand-in's own interface ---------------------------------- */

/* 1 (the default): a violation ends the program; 0: it is counted. */
void cc_standin_set_fatal(int fatal);
/* Violations counted since the start (or the last reset). */
int cc_standin_violations(void);
void cc_standin_reset_violations(void);
/* Bytes of device memory allocated and not freed. */
size_t cc_standin_device_bytes(void);
/* Pinned host allocations not freed (cudaMallocHost). */
int cc_standin_pinned_count(void);
/* 1 when [pointer, pointer + bytes) lies inside one device allocation. */
int cc_standin_is_device(const void *pointer, size_t bytes);
/* Reports a violation: prints "cuda stand-in: <what>" on stderr, then
 * aborts or counts (cc_standin_set_fatal). */
void cc_standin_violation(const char *what, const void *pointer, size_t bytes);

/* A checked read of device memory: the read-only cache load of CUDA. */
template <class T> static inline T __ldg(const T *pointer)
{
    if (!cc_standin_is_device(pointer, sizeof *pointer)) {
        cc_standin_violation("read outside device memory (__ldg)", pointer, sizeof *pointer);
        return T();
    }
    return *pointer;
}

/* Runs body for every thread of a grid x block launch, serially. */
template <class Body> static inline void cc_standin_launch(dim3 grid, dim3 block, Body body)
{
    extern void cc_standin_set_launch_error(cudaError_t error);
    unsigned long threads = (unsigned long)block.x * block.y * block.z;
    if (grid.x == 0 || grid.y == 0 || grid.z == 0 || threads == 0 || threads > 1024 ||
        block.z > 64 || grid.y > 65535 || grid.z > 65535) {
        cc_standin_set_launch_error(cudaErrorInvalidConfiguration);
        return;
    }
    gridDim = grid;
    blockDim = block;
    for (unsigned int bz = 0; bz < grid.z; bz++)
        for (unsigned int by = 0; by < grid.y; by++)
            for (unsigned int bx = 0; bx < grid.x; bx++)
                for (unsigned int tz = 0; tz < block.z; tz++)
                    for (unsigned int ty = 0; ty < block.y; ty++)
                        for (unsigned int tx = 0; tx < block.x; tx++) {
                            blockIdx = dim3(bx, by, bz);
                            threadIdx = dim3(tx, ty, tz);
                            body();
                        }
}

/* kernel<<<grid, block>>>(arguments...) for the stand-in; a .cu file
 * defines it as the real launch when this header is not in use. */
#define CC_CUDA_LAUNCH(kernel, grid, block, ...)                                                   \
    cc_standin_launch((grid), (block), [&]() { kernel(__VA_ARGS__); })

#endif
