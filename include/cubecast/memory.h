/* memory.h - how much memory a node lets cubecast use.
 *
 * The smallest of: the physical memory, the memory limit of the process's
 * cgroup and of every cgroup above it (v1 memory.limit_in_bytes or v2
 * memory.max: what Slurm's --mem, a container or systemd set), and Slurm's
 * allocation from the environment (SLURM_MEM_PER_NODE, or
 * SLURM_MEM_PER_CPU times SLURM_CPUS_ON_NODE, in MiB).  Planning against
 * this figure turns an OOM kill into an error message before anything is
 * allocated. */
#ifndef CUBECAST_MEMORY_H
#define CUBECAST_MEMORY_H

#include <stddef.h>

typedef struct cc_memory_limit {
    double bytes;
    char source[160]; /* what sets it, for messages: "the cgroup limit (memory.max)" */
} cc_memory_limit;

/* root: "" for this system, or a folder holding proc/self/cgroup and
 * sys/fs/cgroup/... (tests).  physical_bytes: the machine's memory. */
void cc_memory_limit_read(const char *root, double physical_bytes, cc_memory_limit *out);

/* The machine's physical memory in bytes. */
double cc_memory_physical(void);

/* bytes as "812 MiB" or "12.3 GiB". */
void cc_memory_text(double bytes, char *out, size_t out_size);

#endif
