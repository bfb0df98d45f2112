/* datasets.h - what a file holds: every dataset, whether cubecast can
 * render it, and which one to render when the user names none.
 *
 * Serial (HDF5's POSIX driver): rank 0 looks, and tells the others the
 * name it chose.  A dataset renders as it is when it is 3D and numeric
 * (integer or floating point) with at least 2 points along every axis; a
 * 4D numeric one renders one volume at a time (--index).  The limits on
 * size that cc_input_open checks besides are not looked at here. */
#ifndef CUBECAST_DATASETS_H
#define CUBECAST_DATASETS_H

#include <stddef.h>

#include "cubecast/error.h"

/* How a dataset can be rendered. */
typedef enum cc_dataset_fit {
    CC_FIT_VOLUME = 0, /* 3D numeric: as it is */
    CC_FIT_VOLUMES,    /* 4D numeric: one volume of it with --index */
    CC_FIT_NONE,       /* not at all (reason says why) */
    CC_FIT_GROUP       /* a group or other object, not a dataset */
} cc_dataset_fit;

enum { CC_DATASET_MAX_RANK = 8 };

/* One object of the file. */
typedef struct cc_dataset_entry {
    char name[1024]; /* full path: "/fields/rho" */
    cc_dataset_fit fit;
    int rank; /* -1: more than CC_DATASET_MAX_RANK axes (shape unset) */
    long shape[CC_DATASET_MAX_RANK];
    char type_name[64]; /* "float32", "string", "compound (12 bytes)" */
    char shape_text[128];
    char reason[128];  /* CC_FIT_NONE: e.g. "2D; a volume needs 3 axes" */
    char filters[256]; /* its HDF5 filters (filters.h), "" when none */
} cc_dataset_entry;

typedef struct cc_dataset_list cc_dataset_list;

/* Reads what path holds, every object in name order (groups too).  The
 * file must exist and be HDF5 (one-line messages otherwise, CC_ERR_INPUT). */
cc_status cc_dataset_list_read(const char *path, cc_dataset_list **out, cc_error *err);

void cc_dataset_list_destroy(cc_dataset_list *list);

size_t cc_dataset_list_count(const cc_dataset_list *list);
const cc_dataset_entry *cc_dataset_list_entry(const cc_dataset_list *list, size_t i);

/* The dataset to render when the user named none: `density` when the file
 * has it at its root (as cubecast always did), else the file's only
 * dataset that renders as it is (3D numeric), or with want_volumes (the
 * user gave --index) its only 4D numeric one.  name gets the name ("density"
 * or a full path) and why a phrase for the user, "the file's only 3D numeric
 * dataset" ("" for density).  None or several: CC_ERR_INPUT, listing the
 * candidates and --dataset NAME; --index with no 4D dataset is CC_ERR_USAGE. */
cc_status cc_dataset_choose(const cc_dataset_list *list, const char *path, int want_volumes,
                            char *name, size_t name_size, char *why, size_t why_size,
                            cc_error *err);

/* "dataset /a" and "dataset a" name the same object: 1 when they do. */
int cc_dataset_same_name(const char *a, const char *b);

#endif
