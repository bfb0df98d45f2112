/* hdf5_reason.c - why the last HDF5 call failed (hdf5_reason.h). */
#include "cubecast/hdf5_reason.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include <hdf5.h>

/* Keeps the description of the innermost error: the walk goes from the
 * innermost upwards, so the first one seen. */
static herr_t keep_innermost(unsigned depth, const H5E_error2_t *error, void *data)
{
    char *innermost = data;
    if (depth == 0 && error->desc != NULL)
        snprintf(innermost, 512, "%s", error->desc);
    return 0;
}

/* 1 when the file system holding path (or, where path does not exist,
 * its folder) has no block or inode left. */
static int file_system_full(const char *path)
{
    if (path == NULL)
        return 0;
    struct statvfs fs;
    int found = statvfs(path, &fs) == 0;
    if (!found) {
        char folder[4096];
        const char *slash = strrchr(path, '/');
        if (slash == NULL)
            snprintf(folder, sizeof folder, ".");
        else
            snprintf(folder, sizeof folder, "%.*s", (int)(slash - path + 1), path);
        found = statvfs(folder, &fs) == 0;
    }
    return found && (fs.f_bavail == 0 || fs.f_favail == 0);
}

const char *cc_hdf5_reason(const char *file, int errno_seen, char *out, size_t size)
{
    if (size == 0)
        return out;
    char innermost[512] = "";
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, innermost);
    /* HDF5's file drivers quote the system's text: "..., errno = 2, error
     * message = 'No such file or directory', ...". */
    static const char quote[] = "error message = '";
    const char *system_text = strstr(innermost, quote);
    if (system_text != NULL) {
        system_text += sizeof quote - 1;
        const char *end = strchr(system_text, '\'');
        size_t length = end != NULL ? (size_t)(end - system_text) : strlen(system_text);
        snprintf(out, size, "%.*s", (int)length, system_text);
    } else if (errno_seen != 0)
        snprintf(out, size, "%s", strerror(errno_seen));
    else if (file_system_full(file))
        snprintf(out, size, "%s", strerror(ENOSPC));
    else
        snprintf(out, size, "%s", innermost[0] != '\0' ? innermost : "no reason given by HDF5");
    return out;
}
