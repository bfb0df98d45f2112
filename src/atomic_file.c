/* atomic_file.c - write to a temporary name, then rename (atomic_file.h). */
#include "cubecast/atomic_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct cc_atomic_file {
    FILE *stream;
    char path[4096];
    char temporary[4200];
};

void cc_temporary_name(const char *path, char *out, size_t out_size)
{
    snprintf(out, out_size, "%s.tmp.%ld", path, (long)getpid());
}

cc_status cc_atomic_open(const char *path, cc_atomic_file **out, cc_error *err)
{
    cc_atomic_file *file = calloc(1, sizeof *file);
    if (file == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    if (strlen(path) >= sizeof file->path) {
        free(file);
        return cc_fail(err, CC_ERR_OUTPUT, "output path too long: '%s'", path);
    }
    strcpy(file->path, path);
    cc_temporary_name(path, file->temporary, sizeof file->temporary);
    file->stream = fopen(file->temporary, "wb");
    if (file->stream == NULL) {
        int code = errno;
        free(file);
        return cc_fail(err, CC_ERR_OUTPUT, "cannot write '%s': %s", path, strerror(code));
    }
    *out = file;
    return CC_OK;
}

FILE *cc_atomic_stream(cc_atomic_file *file)
{
    return file->stream;
}

cc_status cc_atomic_close(cc_atomic_file *file, int commit, cc_error *err)
{
    cc_status status = CC_OK;
    int failed = ferror(file->stream) || fflush(file->stream) != 0;
    int code = errno;
    if (fclose(file->stream) != 0 && !failed) {
        failed = 1;
        code = errno;
    }
    if (commit && failed)
        status = cc_fail(err, CC_ERR_OUTPUT, "cannot write '%s': %s", file->path, strerror(code));
    else if (commit && rename(file->temporary, file->path) != 0)
        status = cc_fail(err, CC_ERR_OUTPUT, "cannot rename '%s' to '%s': %s", file->temporary,
                         file->path, strerror(errno));
    if (!commit || status != CC_OK)
        remove(file->temporary);
    free(file);
    return status;
}

cc_status cc_atomic_write(const char *path, const void *data, size_t size, cc_error *err)
{
    cc_atomic_file *file;
    cc_status status = cc_atomic_open(path, &file, err);
    if (status != CC_OK)
        return status;
    if (fwrite(data, 1, size, file->stream) != size) {
        int code = errno;
        cc_atomic_close(file, 0, NULL);
        return cc_fail(err, CC_ERR_OUTPUT, "cannot write '%s': %s", path, strerror(code));
    }
    return cc_atomic_close(file, 1, err);
}

cc_status cc_make_folder(const char *path, cc_error *err)
{
    char partial[4096];
    if (strlen(path) >= sizeof partial)
        return cc_fail(err, CC_ERR_OUTPUT, "output path too long: '%s'", path);
    strcpy(partial, path);
    for (char *p = partial + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(partial, 0777) != 0 && errno != EEXIST)
            return cc_fail(err, CC_ERR_OUTPUT, "cannot create output folder '%s': %s", path,
                           strerror(errno));
        *p = saved;
        if (saved == '\0')
            break;
    }
    struct stat info;
    if (stat(path, &info) != 0 || !S_ISDIR(info.st_mode))
        return cc_fail(err, CC_ERR_OUTPUT, "output folder '%s' is not a folder", path);
    return CC_OK;
}
