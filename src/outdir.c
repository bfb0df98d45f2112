/* outdir.c - the output folder (outdir.h). */
#include "cubecast/outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cubecast/atomic_file.h"

#define LOCK_NAME ".cubecast.lock"

enum { PATH_MAX_BYTES = 4096, MAX_CREATED = 64 };

struct cc_outdir {
    char folder[PATH_MAX_BYTES];
    cc_file_id input;
    int lock_fd;                 /* -1 on ranks that only attach */
    int alone;                   /* PRESENCE held exclusively (see take_lock) */
    size_t created[MAX_CREATED]; /* prefix lengths of folder that open made */
    int created_count;
};

int cc_file_id_of(const char *path, cc_file_id *out)
{
    struct stat info;
    if (stat(path, &info) != 0)
        return 0;
    out->device = (unsigned long long)info.st_dev;
    out->inode = (unsigned long long)info.st_ino;
    return 1;
}

static int is_input(const char *path, const cc_file_id *input)
{
    cc_file_id id;
    return input != NULL && cc_file_id_of(path, &id) && id.device == input->device &&
           id.inode == input->inode;
}

void cc_frame_file_name(int frame, char *out, size_t out_size)
{
    snprintf(out, out_size, "frame_%05d.png", frame);
}

int cc_output_name(const char *name)
{
    if (strcmp(name, "projection.png") == 0 || strcmp(name, "manifest.json") == 0)
        return 1;
    size_t length = strlen(name), digits = 0;
    if (length < 15 || strncmp(name, "frame_", 6) != 0 || strcmp(name + length - 4, ".png") != 0)
        return 0;
    for (const char *c = name + 6; c < name + length - 4; c++)
        digits += *c >= '0' && *c <= '9';
    return digits == length - 10;
}

/* A file a run writes, replaces or removes in the folder: an output name,
 * a temporary file of one, or the lock. */
static int touched_by_runs(const char *name)
{
    char stem[1024];
    int dead;
    if (strcmp(name, LOCK_NAME) == 0 || cc_output_name(name))
        return 1;
    return cc_temporary_parse(name, stem, sizeof stem, &dead) && cc_output_name(stem);
}

/* The deepest existing folder on the way to path; fails when the first
 * existing component is not a folder. */
static cc_status existing_ancestor(const char *path, char *out, size_t out_size, cc_error *err)
{
    if (strlen(path) >= out_size)
        return cc_fail(err, CC_ERR_OUTPUT, "output path too long: '%s'", path);
    snprintf(out, out_size, "%s", path);
    for (;;) {
        struct stat info;
        if (stat(out, &info) == 0) {
            if (S_ISDIR(info.st_mode))
                return CC_OK;
            return cc_fail(err, CC_ERR_OUTPUT,
                           "cannot create output folder '%s': '%s' is not a folder", path, out);
        }
        char *slash = strrchr(out, '/');
        while (slash != NULL && slash > out && slash[-1] == '/')
            slash--;
        if (slash == NULL) {
            snprintf(out, out_size, ".");
        } else if (slash == out) {
            snprintf(out, out_size, "/");
        } else {
            *slash = '\0';
        }
    }
}

static cc_status check_writable(const char *folder, const char *shown, cc_error *err)
{
    if (access(folder, W_OK | X_OK) != 0)
        return cc_fail(err, CC_ERR_OUTPUT, "cannot write in '%s': %s", shown, strerror(errno));
    return CC_OK;
}

cc_status cc_outdir_check(const char *folder, const cc_file_id *input, cc_error *err)
{
    if (folder == NULL || folder[0] == '\0')
        return cc_fail(err, CC_ERR_USAGE, "--output needs a folder name");
    char ancestor[PATH_MAX_BYTES];
    cc_status status = existing_ancestor(folder, ancestor, sizeof ancestor, err);
    if (status != CC_OK)
        return status;
    if (strcmp(ancestor, folder) != 0)
        return check_writable(ancestor, ancestor, err);
    status = check_writable(folder, folder, err);
    if (status != CC_OK)
        return status;
    DIR *dir = opendir(folder);
    if (dir == NULL)
        return cc_fail(err, CC_ERR_OUTPUT, "cannot read output folder '%s': %s", folder,
                       strerror(errno));
    struct dirent *entry;
    while (status == CC_OK && (entry = readdir(dir)) != NULL) {
        char path[2 * PATH_MAX_BYTES];
        snprintf(path, sizeof path, "%s/%s", folder, entry->d_name);
        if (touched_by_runs(entry->d_name) && is_input(path, input))
            status = cc_fail(err, CC_ERR_OUTPUT,
                             "refusing to write '%s': it is the input file; choose another "
                             "output folder",
                             path);
    }
    closedir(dir);
    return status;
}

/* a and b name the same folder, as written ("out" and "out/" do). */
static int same_folder_name(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    while (la > 1 && a[la - 1] == '/')
        la--;
    while (lb > 1 && b[lb - 1] == '/')
        lb--;
    return la == lb && strncmp(a, b, la) == 0;
}

cc_status cc_output_file_check(const char *path, const char *what, const char *output_folder,
                               const cc_file_id *input, cc_error *err)
{
    char folder[PATH_MAX_BYTES], temporary[PATH_MAX_BYTES + 512];
    const char *slash = strrchr(path, '/');
    if (strlen(path) >= sizeof folder || path[0] == '\0' || (slash != NULL && slash[1] == '\0'))
        return cc_fail(err, CC_ERR_USAGE, "%s needs a file name, not '%s'", what, path);
    snprintf(folder, sizeof folder, "%.*s", slash == NULL ? 1 : (int)(slash - path + 1),
             slash == NULL ? "." : path);
    cc_temporary_name(path, temporary, sizeof temporary);
    if (is_input(path, input) || is_input(temporary, input))
        return cc_fail(err, CC_ERR_OUTPUT,
                       "refusing to write %s '%s': it is the input file; choose another name", what,
                       path);
    struct stat info;
    if (stat(folder, &info) != 0 && output_folder != NULL &&
        same_folder_name(folder, output_folder))
        return CC_OK; /* made with the output folder, whose check covers it */
    if (stat(folder, &info) != 0)
        return cc_fail(err, CC_ERR_OUTPUT, "cannot create %s '%s': folder '%s': %s", what, path,
                       folder, strerror(errno));
    if (!S_ISDIR(info.st_mode))
        return cc_fail(err, CC_ERR_OUTPUT, "cannot create %s '%s': '%s' is not a folder", what,
                       path, folder);
    if (stat(path, &info) == 0 && S_ISDIR(info.st_mode))
        return cc_fail(err, CC_ERR_OUTPUT, "cannot create %s '%s': it is a folder", what, path);
    return check_writable(folder, folder, err);
}

/* mkdir -p, remembering the prefixes it created. */
static cc_status make_folders(cc_outdir *dir, cc_error *err)
{
    char *path = dir->folder;
    size_t length = strlen(path);
    for (size_t end = 1; end <= length; end++) {
        if (path[end] != '/' && path[end] != '\0')
            continue;
        char saved = path[end];
        path[end] = '\0';
        int made = mkdir(path, 0777) == 0;
        int code = errno;
        path[end] = saved;
        if (made && dir->created_count < MAX_CREATED)
            dir->created[dir->created_count++] = end;
        else if (!made && code != EEXIST)
            return cc_fail(err, CC_ERR_OUTPUT, "cannot create output folder '%s': %s", path,
                           strerror(code));
    }
    struct stat info;
    if (stat(path, &info) != 0 || !S_ISDIR(info.st_mode))
        return cc_fail(err, CC_ERR_OUTPUT, "output folder '%s' is not a folder", path);
    return CC_OK;
}

/* DIR/.cubecast.lock carries two fcntl locks, one byte each:
 *   - PRESENCE: every run writing the folder holds it shared for its whole
 *     life; exclusive means "alone here", which removing another sweep
 *     (--overwrite), sweeping up any temporary file and removing the lock
 *     file need;
 *   - MANIFEST: exclusive, held only while manifest.json is read, merged
 *     and rewritten, so runs of one sweep (a job array's tasks, each with
 *     its --range) add to one folder at the same time and lose nothing.
 * A lock over the shared manifest was chosen over per-writer record files
 * because the manifest stays the one file readers, --resume and older
 * cubecast versions know, and a killed writer leaves nothing to merge.
 * fcntl locks die with their process, so a killed run never blocks the
 * next.  The lock file is unlinked only by a run that is alone, while it
 * holds PRESENCE exclusively, so a lock taken on a file that is no longer
 * at that path is worthless: check, and take the new one. */
enum { PRESENCE_BYTE = 0, MANIFEST_BYTE = 1 };

/* How long a run waits for PRESENCE held exclusively: by a run that is
 * replacing the sweep or leaving, both a matter of moments. */
#define PRESENCE_WAIT_SECONDS 5.0

static int lock_byte(int fd, short type, int byte, int wait)
{
    struct flock lock = {.l_type = type, .l_whence = SEEK_SET, .l_start = byte, .l_len = 1};
    int result;
    do
        result = fcntl(fd, wait ? F_SETLKW : F_SETLK, &lock);
    while (result != 0 && errno == EINTR && wait);
    return result;
}

static long presence_holder(int fd)
{
    struct flock holder = {
        .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = PRESENCE_BYTE, .l_len = 1};
    return fcntl(fd, F_GETLK, &holder) == 0 ? (long)holder.l_pid : 0;
}

/* PRESENCE on fd: exclusive if nobody else writes here (*alone set), else
 * shared, waiting a little for an exclusive holder to finish; exclusive
 * is required with --overwrite. */
static cc_status take_presence(cc_outdir *dir, int fd, int exclusive, cc_error *err)
{
    dir->alone = lock_byte(fd, F_WRLCK, PRESENCE_BYTE, 0) == 0;
    if (dir->alone)
        return CC_OK;
    if (errno != EACCES && errno != EAGAIN)
        return cc_fail(err, CC_ERR_OUTPUT, "cannot lock '%s/%s': %s", dir->folder, LOCK_NAME,
                       strerror(errno));
    if (exclusive)
        return cc_fail(err, CC_ERR_USAGE,
                       "another cubecast run (pid %ld) is writing '%s'; --overwrite cannot replace "
                       "its sweep while it runs: wait for it or choose another output folder",
                       presence_holder(fd), dir->folder);
    for (int tries = 0; tries < (int)(PRESENCE_WAIT_SECONDS * 20); tries++) {
        if (lock_byte(fd, F_RDLCK, PRESENCE_BYTE, 0) == 0)
            return CC_OK;
        struct timespec pause = {0, 50000000L};
        nanosleep(&pause, NULL);
    }
    return cc_fail(err, CC_ERR_USAGE,
                   "another cubecast run (pid %ld) holds '%s' for itself; wait for it or choose "
                   "another output folder",
                   presence_holder(fd), dir->folder);
}

static cc_status take_lock(cc_outdir *dir, int exclusive, cc_error *err)
{
    char path[PATH_MAX_BYTES + 32];
    cc_outdir_path(dir, LOCK_NAME, path, sizeof path);
    for (int attempt = 0; attempt < 8; attempt++) {
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return cc_fail(err, CC_ERR_OUTPUT, "cannot write in '%s': %s", dir->folder,
                           strerror(errno));
        cc_status status = take_presence(dir, fd, exclusive, err);
        if (status != CC_OK) {
            close(fd);
            return status;
        }
        struct stat held, named;
        if (fstat(fd, &held) == 0 && stat(path, &named) == 0 && held.st_ino == named.st_ino &&
            held.st_dev == named.st_dev) {
            dir->lock_fd = fd;
            return CC_OK;
        }
        close(fd);
    }
    return cc_fail(err, CC_ERR_OUTPUT, "cannot lock '%s': it keeps changing", path);
}

/* Temporary files of output names that no live run is writing: all of
 * them when this run is alone here; otherwise only those whose writer was
 * a process of this host that is gone (another host's may be in flight). */
static void remove_stale_temporaries(cc_outdir *dir)
{
    DIR *listing = opendir(dir->folder);
    if (listing == NULL)
        return;
    struct dirent *entry;
    while ((entry = readdir(listing)) != NULL) {
        char stem[1024], path[2 * PATH_MAX_BYTES];
        int dead;
        if (!cc_temporary_parse(entry->d_name, stem, sizeof stem, &dead) || !cc_output_name(stem))
            continue;
        if (!dir->alone && !dead)
            continue;
        cc_outdir_path(dir, entry->d_name, path, sizeof path);
        if (!is_input(path, &dir->input))
            remove(path);
    }
    closedir(listing);
}

static cc_status outdir_new(const char *folder, const cc_file_id *input, cc_outdir **out,
                            cc_error *err)
{
    cc_outdir *dir = calloc(1, sizeof *dir);
    if (dir == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    if (strlen(folder) >= sizeof dir->folder) {
        free(dir);
        return cc_fail(err, CC_ERR_OUTPUT, "output path too long: '%s'", folder);
    }
    snprintf(dir->folder, sizeof dir->folder, "%s", folder);
    if (input != NULL)
        dir->input = *input;
    dir->lock_fd = -1;
    *out = dir;
    return CC_OK;
}

cc_status cc_outdir_open(const char *folder, const cc_file_id *input, int exclusive,
                         cc_outdir **out, cc_error *err)
{
    cc_outdir *dir = NULL;
    cc_status status = outdir_new(folder, input, &dir, err);
    if (status != CC_OK)
        return status;
    status = make_folders(dir, err);
    if (status == CC_OK)
        status = take_lock(dir, exclusive, err);
    if (status != CC_OK) {
        cc_outdir_close(dir);
        return status;
    }
    remove_stale_temporaries(dir);
    if (!exclusive)
        cc_outdir_share(dir);
    *out = dir;
    return CC_OK;
}

void cc_outdir_share(cc_outdir *dir)
{
    if (dir->lock_fd >= 0 && dir->alone && lock_byte(dir->lock_fd, F_RDLCK, PRESENCE_BYTE, 0) == 0)
        dir->alone = 0;
}

int cc_outdir_alone(cc_outdir *dir)
{
    if (dir->lock_fd >= 0 && !dir->alone)
        dir->alone = lock_byte(dir->lock_fd, F_WRLCK, PRESENCE_BYTE, 0) == 0;
    return dir->alone;
}

cc_status cc_outdir_lock_manifest(cc_outdir *dir, cc_error *err)
{
    if (dir->lock_fd >= 0 && lock_byte(dir->lock_fd, F_WRLCK, MANIFEST_BYTE, 1) != 0)
        return cc_fail(err, CC_ERR_OUTPUT, "cannot lock '%s/%s': %s", dir->folder, LOCK_NAME,
                       strerror(errno));
    return CC_OK;
}

void cc_outdir_unlock_manifest(cc_outdir *dir)
{
    if (dir->lock_fd >= 0)
        lock_byte(dir->lock_fd, F_UNLCK, MANIFEST_BYTE, 0);
}

cc_status cc_outdir_attach(const char *folder, const cc_file_id *input, cc_outdir **out,
                           cc_error *err)
{
    return outdir_new(folder, input, out, err);
}

void cc_outdir_path(const cc_outdir *dir, const char *name, char *out, size_t out_size)
{
    snprintf(out, out_size, "%s/%s", dir->folder, name);
}

cc_status cc_outdir_write(cc_outdir *dir, const char *name, const void *data, size_t size,
                          cc_error *err)
{
    char path[PATH_MAX_BYTES + 64];
    cc_outdir_path(dir, name, path, sizeof path);
    if (is_input(path, &dir->input))
        return cc_fail(err, CC_ERR_OUTPUT, "refusing to write '%s': it is the input file", path);
    return cc_atomic_write(path, data, size, err);
}

cc_status cc_outdir_remove(cc_outdir *dir, const char *name, cc_error *err)
{
    char path[PATH_MAX_BYTES + 64];
    cc_outdir_path(dir, name, path, sizeof path);
    if (!cc_output_name(name) || strchr(name, '/') != NULL)
        return cc_fail(err, CC_ERR_USAGE, "the folder's manifest lists '%s', not a cubecast file",
                       name);
    if (is_input(path, &dir->input))
        return cc_fail(err, CC_ERR_OUTPUT, "refusing to remove '%s': it is the input file", path);
    if (remove(path) != 0 && errno != ENOENT)
        return cc_fail(err, CC_ERR_OUTPUT, "cannot remove '%s': %s", path, strerror(errno));
    return CC_OK;
}

static int folder_is_empty(const char *folder)
{
    DIR *listing = opendir(folder);
    if (listing == NULL)
        return 0;
    struct dirent *entry;
    int empty = 1;
    while (empty && (entry = readdir(listing)) != NULL)
        empty = strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0;
    closedir(listing);
    return empty;
}

void cc_outdir_close(cc_outdir *dir)
{
    if (dir == NULL)
        return;
    /* The last run to leave removes the lock file, while still holding it
     * (see take_lock), and the folders it made if they hold nothing. */
    int last = dir->lock_fd >= 0 && cc_outdir_alone(dir);
    if (last) {
        char path[PATH_MAX_BYTES + 32];
        cc_outdir_path(dir, LOCK_NAME, path, sizeof path);
        unlink(path);
    }
    if (dir->lock_fd >= 0)
        close(dir->lock_fd);
    if (last && folder_is_empty(dir->folder)) {
        /* Nothing was written: leave no folder that this run made. */
        for (int k = dir->created_count - 1; k >= 0; k--) {
            dir->folder[dir->created[k]] = '\0';
            if (rmdir(dir->folder) != 0)
                break;
        }
    }
    free(dir);
}

cc_status cc_read_small_file(const char *path, size_t max, char **text, size_t *length,
                             cc_error *err)
{
    *text = NULL;
    *length = 0;
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return errno == ENOENT
                   ? CC_OK
                   : cc_fail(err, CC_ERR_OUTPUT, "cannot read '%s': %s", path, strerror(errno));
    /* A buffer of the file's size, not of max: the manifest is read at
     * every rewrite (sweep.h's merge), and a buffer of max bytes each time
     * cost 1 GiB of address space, and under AddressSanitizer 128 MiB of
     * shadow memory touched. */
    struct stat info;
    int sized = fstat(fileno(file), &info) == 0 && info.st_size >= 0;
    size_t size = sized ? (size_t)info.st_size : 0;
    char *buffer = sized && size <= max ? malloc(size + 1) : NULL;
    size_t got = buffer == NULL ? 0 : fread(buffer, 1, size + 1, file);
    int failed = buffer == NULL || ferror(file) || got != size; /* it changed meanwhile */
    fclose(file);
    if (failed) {
        free(buffer);
        if (sized && size <= max && buffer == NULL)
            return cc_fail(err, CC_ERR_NOMEM, "out of memory");
        return cc_fail(err, CC_ERR_USAGE, "cannot read '%s': %s", path,
                       sized && size > max ? "too large" : "read error");
    }
    buffer[got] = '\0';
    *text = buffer;
    *length = got;
    return CC_OK;
}
