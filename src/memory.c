/* memory.c - the memory a node lets cubecast use (memory.h). */
#include "cubecast/memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Limits this large mean "unlimited" (v1 writes 2^63 rounded to a page). */
#define UNLIMITED 4.0e18

static void lower_to(cc_memory_limit *limit, double bytes, const char *source)
{
    if (bytes > 0.0 && bytes < UNLIMITED && bytes < limit->bytes) {
        limit->bytes = bytes;
        snprintf(limit->source, sizeof limit->source, "%s", source);
    }
}

/* The number in a one-line file, or 0 when it is missing or says "max". */
static double read_number(const char *path)
{
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return 0.0;
    char text[64] = "";
    if (fgets(text, sizeof text, file) == NULL)
        text[0] = '\0';
    fclose(file);
    char *end;
    double value = strtod(text, &end);
    return end == text ? 0.0 : value;
}

/* The cgroup path of this process in the hierarchy that has controller
 * ("memory" for v1, "" for the v2 unified line "0::/path"). */
static int cgroup_path(const char *root, const char *controller, char *out, size_t out_size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/proc/self/cgroup", root);
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return 0;
    char line[4096];
    int found = 0;
    while (!found && fgets(line, sizeof line, file) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        char *controllers = strchr(line, ':');
        char *where = controllers == NULL ? NULL : strchr(controllers + 1, ':');
        if (where == NULL)
            continue;
        *where = '\0';
        *controllers++ = '\0'; /* line: the hierarchy's number */
        int match = controller[0] == '\0' ? strcmp(line, "0") == 0 && controllers[0] == '\0'
                                          : strstr(controllers, controller) != NULL;
        if (match) {
            snprintf(out, out_size, "%s", where + 1);
            found = 1;
        }
    }
    fclose(file);
    return found;
}

/* Walks from the process's cgroup up to the hierarchy's root, lowering
 * the limit by every file found. */
static void walk_cgroups(const char *root, const char *mount, const char *group, const char *file,
                         const char *source, cc_memory_limit *limit)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", group);
    for (;;) {
        char limit_file[8400];
        snprintf(limit_file, sizeof limit_file, "%s%s%s/%s", root, mount, path, file);
        lower_to(limit, read_number(limit_file), source);
        char *slash = strrchr(path, '/');
        if (slash == NULL || path[0] == '\0')
            break;
        *slash = '\0';
    }
}

static double environment_mib(const char *name)
{
    const char *text = getenv(name);
    if (text == NULL || text[0] == '\0')
        return 0.0;
    char *end;
    double value = strtod(text, &end);
    return end == text ? 0.0 : value * 1048576.0;
}

void cc_memory_limit_read(const char *root, double physical_bytes, cc_memory_limit *out)
{
    out->bytes = physical_bytes;
    snprintf(out->source, sizeof out->source, "its physical memory");
    char group[4096];
    if (cgroup_path(root, "memory", group, sizeof group))
        walk_cgroups(root, "/sys/fs/cgroup/memory", group, "memory.limit_in_bytes",
                     "its memory cgroup's memory.limit_in_bytes", out);
    if (cgroup_path(root, "", group, sizeof group)) {
        walk_cgroups(root, "/sys/fs/cgroup", group, "memory.max", "its memory cgroup's memory.max",
                     out);
        walk_cgroups(root, "/sys/fs/cgroup/unified", group, "memory.max",
                     "its memory cgroup's memory.max", out);
    }
    lower_to(out, environment_mib("SLURM_MEM_PER_NODE"), "set by Slurm's SLURM_MEM_PER_NODE");
    const char *cpus_text = getenv("SLURM_CPUS_ON_NODE");
    long cpus = cpus_text != NULL ? strtol(cpus_text, NULL, 10) : 0;
    double per_cpu = environment_mib("SLURM_MEM_PER_CPU");
    lower_to(out, per_cpu * (double)(cpus > 0 ? cpus : 1),
             "set by Slurm's SLURM_MEM_PER_CPU x SLURM_CPUS_ON_NODE");
}

double cc_memory_physical(void)
{
    return (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
}

void cc_memory_text(double bytes, char *out, size_t out_size)
{
    if (bytes >= 1024.0 * 1048576.0)
        snprintf(out, out_size, "%.1f GiB", bytes / (1024.0 * 1048576.0));
    else if (bytes >= 10.0 * 1048576.0)
        snprintf(out, out_size, "%.0f MiB", bytes / 1048576.0);
    else
        snprintf(out, out_size, "%.1f MiB", bytes / 1048576.0);
}
