/* outdir.h - the output folder: its layout, names, lock and clean-up.
 *
 * An output folder holds one sweep: frame_%05d.png, projection.png and
 * manifest.json.  This module alone names those files, creates the folder,
 * writes into it and tidies it:
 *   - nothing is created until the run is known to be possible (checks that
 *     create nothing come first), and a run that fails before its first
 *     file removes the folders it made;
 *   - while runs write a folder, their ranks 0 hold fcntl locks on
 *     DIR/.cubecast.lock (outdir.c says which), which die with the
 *     process: runs of one sweep write at the same time, the manifest is
 *     rewritten by one at a time, and only a run that is alone may
 *     replace the sweep (--overwrite) or sweep up temporary files;
 *   - files are written atomically (atomic_file.h), and clean-up touches
 *     only cubecast's own temporary names;
 *   - no file is written or removed when it is the input file, by identity
 *     (device and inode), whatever name or link leads to it. */
#ifndef CUBECAST_OUTDIR_H
#define CUBECAST_OUTDIR_H

#include <stddef.h>

#include "cubecast/error.h"

/* Which file a path leads to, links followed. */
typedef struct cc_file_id {
    unsigned long long device, inode;
} cc_file_id;

/* 1 and *out set when path exists, 0 otherwise. */
int cc_file_id_of(const char *path, cc_file_id *out);

/* The file name of frame f: frame_%05d.png. */
void cc_frame_file_name(int frame, char *out, size_t out_size);

/* 1 when name is one cubecast writes into an output folder (a frame,
 * projection.png, manifest.json). */
int cc_output_name(const char *name);

/* Checks, creating nothing, that folder is, or can be made, a writable
 * folder, and that no file a run would write or replace in it is the
 * input.  CC_ERR_OUTPUT with the reason otherwise. */
cc_status cc_outdir_check(const char *folder, const cc_file_id *input, cc_error *err);

/* The same for a single output file (--raw): its folder exists and is
 * writable, or is output_folder (which the run creates), and the file is
 * not the input. */
cc_status cc_output_file_check(const char *path, const char *what, const char *output_folder,
                               const cc_file_id *input, cc_error *err);

typedef struct cc_outdir cc_outdir;

/* Rank 0: creates folder (and its parents), joins the runs writing it and
 * removes the temporary files that dead runs left in it.  exclusive: this
 * run must be alone (--overwrite), until cc_outdir_share; CC_ERR_USAGE
 * when another run writes the folder then, or when one holds it alone for
 * longer than a moment. */
cc_status cc_outdir_open(const char *folder, const cc_file_id *input, int exclusive,
                         cc_outdir **out, cc_error *err);

/* After an exclusive open: lets runs of the same sweep join. */
void cc_outdir_share(cc_outdir *dir);

/* 1 when no other run writes the folder now; it then cannot join until
 * this run lets go (cc_outdir_share or cc_outdir_close). */
int cc_outdir_alone(cc_outdir *dir);

/* Rank 0: holds the folder's manifest lock, waiting for it, while
 * manifest.json is read, merged and rewritten. */
cc_status cc_outdir_lock_manifest(cc_outdir *dir, cc_error *err);
void cc_outdir_unlock_manifest(cc_outdir *dir);

/* Other ranks: writes into a folder that rank 0 has opened (no lock). */
cc_status cc_outdir_attach(const char *folder, const cc_file_id *input, cc_outdir **out,
                           cc_error *err);

/* The path of name inside the folder. */
void cc_outdir_path(const cc_outdir *dir, const char *name, char *out, size_t out_size);

/* Writes name atomically; refused when name leads to the input. */
cc_status cc_outdir_write(cc_outdir *dir, const char *name, const void *data, size_t size,
                          cc_error *err);

/* --overwrite: removes name, which must be a cubecast output name and not
 * the input.  A missing file is fine. */
cc_status cc_outdir_remove(cc_outdir *dir, const char *name, cc_error *err);

/* Releases the locks.  The last run to leave removes the lock file and,
 * when the folder holds nothing any more, the folders that
 * cc_outdir_open created.  NULL is a no-op. */
void cc_outdir_close(cc_outdir *dir);

/* Reads a small file (at most max bytes) into malloc'd, NUL-terminated
 * text.  A missing file gives *text NULL and CC_OK. */
cc_status cc_read_small_file(const char *path, size_t max, char **text, size_t *length,
                             cc_error *err);

#endif
