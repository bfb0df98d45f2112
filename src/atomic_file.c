/* atomic_file.c - write to a temporary name, then rename (atomic_file.h). */
#include "cubecast/atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* The mark between a final name and its writer: ".NAME" TEMPORARY_MARK "PID@HOST". */
#define TEMPORARY_MARK ".cubecast-tmp-"

struct cc_atomic_file {
    FILE *stream;
    char path[4096];
    char temporary[4400];
};

static void host_name(char *out, size_t out_size)
{
    if (gethostname(out, out_size) != 0)
        snprintf(out, out_size, "localhost");
    out[out_size - 1] = '\0';
    /* A name with '/' would make the temporary path a folder path. */
    for (char *c = out; *c != '\0'; c++)
        if (*c == '/')
            *c = '_';
}

void cc_temporary_name(const char *path, char *out, size_t out_size)
{
    char host[256];
    host_name(host, sizeof host);
    const char *slash = strrchr(path, '/');
    int folder_length = slash == NULL ? 0 : (int)(slash - path + 1);
    snprintf(out, out_size, "%.*s.%s" TEMPORARY_MARK "%ld@%s", folder_length, path,
             path + folder_length, (long)getpid(), host);
}

int cc_temporary_parse(const char *name, char *stem, size_t stem_size, int *dead)
{
    *dead = 0;
    const char *mark = strstr(name, TEMPORARY_MARK);
    if (name[0] != '.' || mark == NULL || mark == name + 1)
        return 0;
    const char *writer = mark + strlen(TEMPORARY_MARK);
    char *at;
    errno = 0;
    long pid = strtol(writer, &at, 10);
    if (at == writer || *at != '@' || errno != 0 || pid <= 0)
        return 0;
    size_t stem_length = (size_t)(mark - name - 1);
    if (stem_length >= stem_size)
        return 0;
    memcpy(stem, name + 1, stem_length);
    stem[stem_length] = '\0';
    char host[256];
    host_name(host, sizeof host);
    *dead = strcmp(at + 1, host) == 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
    return 1;
}

void cc_remove_dead_temporaries(const char *path)
{
    const char *slash = strrchr(path, '/');
    char folder[4096];
    snprintf(folder, sizeof folder, "%.*s", slash == NULL ? 1 : (int)(slash - path + 1),
             slash == NULL ? "." : path);
    const char *base = slash == NULL ? path : slash + 1;
    DIR *dir = opendir(folder);
    if (dir == NULL)
        return;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        char stem[1024], stale[8200];
        int dead;
        if (cc_temporary_parse(entry->d_name, stem, sizeof stem, &dead) && dead &&
            strcmp(stem, base) == 0) {
            snprintf(stale, sizeof stale, "%s/%s", folder, entry->d_name);
            remove(stale);
        }
    }
    closedir(dir);
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
    snprintf(file->path, sizeof file->path, "%s", path);
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
        status = cc_fail(err, CC_ERR_OUTPUT, "cannot rename a temporary file to '%s': %s",
                         file->path, strerror(errno));
    if (!commit || status != CC_OK)
        remove(file->temporary);
    free(file);
    return status;
}

cc_status cc_atomic_write(const char *path, const void *data, size_t size, cc_error *err)
{
    cc_atomic_file *file = NULL;
    cc_status status = cc_atomic_open(path, &file, err);
    if (status != CC_OK || file == NULL)
        return status;
    if (fwrite(data, 1, size, file->stream) != size) {
        int code = errno;
        cc_atomic_close(file, 0, NULL);
        return cc_fail(err, CC_ERR_OUTPUT, "cannot write '%s': %s", path, strerror(code));
    }
    return cc_atomic_close(file, 1, err);
}
