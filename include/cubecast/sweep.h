/* sweep.h - what an output folder already holds, and what that allows.
 *
 * A folder holds one sweep.  Before a run writes anything it compares its
 * own manifest with the folder's:
 *   - the same sweep (every parameter and the input's content equal):
 *     the folder's finished frames are kept in the manifest, and with
 *     --resume the ones in this run's range are not rendered again;
 *   - another sweep: refused, naming the first parameter that differs,
 *     unless --overwrite, which removes exactly the files its manifest
 *     lists;
 *   - frame files that no manifest describes: refused unless --resume or
 *     --overwrite says what to do with them.
 * Runs of the same sweep (a job array's tasks, each with its --range) may
 * write one folder at the same time: each claims the folder for its sweep
 * by writing the manifest at once when the folder has none, and each
 * rewrite merges the folder's records into its own (cc_sweep_merge), all
 * under the folder's manifest lock (outdir.h).
 * Rank 0 alone calls these. */
#ifndef CUBECAST_SWEEP_H
#define CUBECAST_SWEEP_H

#include "cubecast/error.h"
#include "cubecast/manifest.h"
#include "cubecast/options.h"
#include "cubecast/outdir.h"

/* Before the input is read: the checks that need neither the lock nor the
 * input's checksum.  Creates and changes nothing. */
cc_status cc_sweep_precheck(const cc_render_options *options, const cc_manifest *ours,
                            cc_error *err);

/* Under the folder's manifest lock, with ours complete: refuses, or removes the old
 * sweep (--overwrite), or adds the folder's verified frame records to ours.
 * done[f - range_begin] is set for frames of the range that need no
 * rendering (--resume). */
cc_status cc_sweep_settle(const cc_render_options *options, cc_outdir *dir, cc_manifest *ours,
                          char *done, cc_error *err);

/* Under the manifest lock, before ours is written over the folder's: the
 * folder's records whose files still match (size, CRC) join ours, which
 * keeps, per frame, the record its file matches; so concurrent runs of
 * the sweep lose none of each other's frames.  CC_ERR_USAGE when the
 * folder holds another sweep by now. */
cc_status cc_sweep_merge(const cc_render_options *options, cc_outdir *dir, cc_manifest *ours,
                         cc_error *err);

/* A run that claimed a folder (wrote the first manifest) and failed before
 * any frame: removes that empty manifest if no other run writes here, so
 * a failed run leaves nothing behind. */
void cc_sweep_unclaim(const cc_render_options *options, cc_outdir *dir);

#endif
