/* test_memory.c - what a node may use, read from a fake /proc and /sys
 * tree (memory.h), and the output-folder names and temporary names
 * (outdir.h, atomic_file.h) that clean-up relies on. */
#define _DEFAULT_SOURCE /* mkdtemp, setenv */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "cubecast/atomic_file.h"
#include "cubecast/memory.h"
#include "cubecast/outdir.h"

static char root[256];

/* Writes text to root/path, making the folders on the way. */
static void put(const char *path, const char *text)
{
    char full[1024];
    snprintf(full, sizeof full, "%s/%s", root, path);
    for (char *slash = strchr(full + strlen(root) + 1, '/'); slash != NULL;
         slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(full, 0755);
        *slash = '/';
    }
    FILE *file = fopen(full, "w");
    if (file != NULL) {
        fputs(text, file);
        fclose(file);
    }
}

static const double MIB = 1048576.0, PHYSICAL = 64.0 * 1024 * 1048576.0;

static void check_limits(void)
{
    cc_memory_limit limit;
    unsetenv("SLURM_MEM_PER_NODE");
    unsetenv("SLURM_MEM_PER_CPU");
    unsetenv("SLURM_CPUS_ON_NODE");
    /* No cgroup information at all: the physical memory. */
    cc_memory_limit_read(root, PHYSICAL, &limit);
    CHECK_SAME(limit.bytes, PHYSICAL);
    CHECK(strstr(limit.source, "physical") != NULL);

    /* cgroup v1: the job's limit, and a parent's lower one wins. */
    put("proc/self/cgroup", "12:pids:/job\n4:memory:/slurm/uid_0/job_7/step_0\n0::/\n");
    put("sys/fs/cgroup/memory/slurm/uid_0/job_7/step_0/memory.limit_in_bytes",
        "9223372036854771712\n");
    put("sys/fs/cgroup/memory/slurm/uid_0/job_7/memory.limit_in_bytes", "2147483648\n");
    put("sys/fs/cgroup/memory/slurm/memory.limit_in_bytes", "9223372036854771712\n");
    cc_memory_limit_read(root, PHYSICAL, &limit);
    CHECK_SAME(limit.bytes, 2147483648.0);
    CHECK(strstr(limit.source, "memory.limit_in_bytes") != NULL);
    put("sys/fs/cgroup/memory/slurm/memory.limit_in_bytes", "1073741824\n");
    cc_memory_limit_read(root, PHYSICAL, &limit);
    CHECK_SAME(limit.bytes, 1073741824.0);

    /* cgroup v2 ("max" is no limit), in the unified mount of a hybrid. */
    put("proc/self/cgroup", "0::/user.slice/job\n");
    put("sys/fs/cgroup/user.slice/job/memory.max", "max\n");
    put("sys/fs/cgroup/user.slice/memory.max", "536870912\n");
    cc_memory_limit_read(root, PHYSICAL, &limit);
    CHECK_SAME(limit.bytes, 536870912.0);
    CHECK(strstr(limit.source, "memory.max") != NULL);
    put("sys/fs/cgroup/user.slice/memory.max", "max\n");
    put("sys/fs/cgroup/unified/user.slice/job/memory.max", "268435456\n");
    cc_memory_limit_read(root, PHYSICAL, &limit);
    CHECK_SAME(limit.bytes, 268435456.0);

    /* Slurm's environment, in MiB, below the cgroup. */
    setenv("SLURM_MEM_PER_NODE", "200", 1);
    cc_memory_limit_read(root, PHYSICAL, &limit);
    CHECK_SAME(limit.bytes, 200.0 * MIB);
    CHECK(strstr(limit.source, "SLURM_MEM_PER_NODE") != NULL);
    unsetenv("SLURM_MEM_PER_NODE");
    setenv("SLURM_MEM_PER_CPU", "30", 1);
    setenv("SLURM_CPUS_ON_NODE", "4", 1);
    cc_memory_limit_read(root, PHYSICAL, &limit);
    CHECK_SAME(limit.bytes, 120.0 * MIB);
    CHECK(strstr(limit.source, "SLURM_MEM_PER_CPU") != NULL);
    unsetenv("SLURM_MEM_PER_CPU");
    unsetenv("SLURM_CPUS_ON_NODE");

    /* Nonsense in the files is no limit. */
    put("sys/fs/cgroup/unified/user.slice/job/memory.max", "garbage\n");
    cc_memory_limit_read(root, PHYSICAL, &limit);
    CHECK_SAME(limit.bytes, PHYSICAL);
}

static void check_names(void)
{
    CHECK(cc_output_name("frame_00000.png"));
    CHECK(cc_output_name("frame_1234567.png"));
    CHECK(cc_output_name("projection.png"));
    CHECK(cc_output_name("manifest.json"));
    CHECK(!cc_output_name("frame_0000.png"));  /* fewer than 5 digits */
    CHECK(!cc_output_name("frame_0000a.png"));
    CHECK(!cc_output_name("frame_00000.png.tmp.3"));
    CHECK(!cc_output_name("notes.txt"));
    CHECK(!cc_output_name("../manifest.json"));

    /* A temporary name parses back to its final name; look-alikes do not. */
    char temporary[512], stem[256];
    int dead = -1;
    cc_temporary_name("out/frame_00003.png", temporary, sizeof temporary);
    CHECK(strncmp(temporary, "out/.frame_00003.png.cubecast-tmp-", 34) == 0);
    CHECK(cc_temporary_parse(strrchr(temporary, '/') + 1, stem, sizeof stem, &dead));
    CHECK(strcmp(stem, "frame_00003.png") == 0);
    CHECK_INT(dead, 0); /* this process is alive */
    CHECK(!cc_temporary_parse("frame_00003.png.tmp.42", stem, sizeof stem, &dead));
    CHECK(!cc_temporary_parse(".frame_00003.png.tmp.42", stem, sizeof stem, &dead));
    CHECK(!cc_temporary_parse(".x.cubecast-tmp-abc@host", stem, sizeof stem, &dead));
    CHECK(!cc_temporary_parse(".cubecast-tmp-12@host", stem, sizeof stem, &dead));
    /* pid 2^22 + 1 is above Linux's pid_max by default: a dead writer. */
    char host[256];
    gethostname(host, sizeof host);
    char name[600];
    snprintf(name, sizeof name, ".raw.h5.cubecast-tmp-4194305@%s", host);
    CHECK(cc_temporary_parse(name, stem, sizeof stem, &dead));
    CHECK(strcmp(stem, "raw.h5") == 0);
    CHECK_INT(dead, 1);
    snprintf(name, sizeof name, ".raw.h5.cubecast-tmp-4194305@not-%s", host);
    CHECK(cc_temporary_parse(name, stem, sizeof stem, &dead));
    CHECK_INT(dead, 0); /* another host's: cannot tell */
}

int main(void)
{
    snprintf(root, sizeof root, "%s", "/tmp/cubecast-test-memory-XXXXXX");
    REQUIRE(mkdtemp(root) != NULL);
    check_limits();
    check_names();
    char command[300];
    snprintf(command, sizeof command, "rm -rf '%s'", root);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", root);
    return check_result("test_memory");
}
