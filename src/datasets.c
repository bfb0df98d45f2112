/* datasets.c - what a file holds and which dataset to render (datasets.h). */
#include "cubecast/datasets.h"

#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cubecast/filters.h"
#include "cubecast/hdf5_reason.h"
#include "cubecast/input.h"
#include "hdf5_text.h"

/* Candidates named in a message before "and N more". */
enum { LISTED_CANDIDATES = 8 };

struct cc_dataset_list {
    cc_dataset_entry *entries;
    size_t count, room;
    int failed; /* out of memory while visiting */
};

/* Whether a dataset of this type class and shape renders, and if not why. */
static void judge(H5T_class_t type_class, cc_dataset_entry *entry)
{
    char *reason = entry->reason;
    size_t size = sizeof entry->reason;
    entry->fit = CC_FIT_NONE;
    if (type_class == H5T_STRING)
        snprintf(reason, size, "holds text, not numbers");
    else if (type_class != H5T_INTEGER && type_class != H5T_FLOAT)
        snprintf(reason, size, "holds %.*s values, not integers or floating-point numbers",
                 (int)strcspn(entry->type_name, " "), entry->type_name);
    else if (entry->rank == 0)
        snprintf(reason, size, "a single value; a volume needs 3 axes");
    else if (entry->rank < 0)
        snprintf(reason, size, "more than %dD; a volume needs 3 axes", CC_DATASET_MAX_RANK);
    else if (entry->rank != 3 && entry->rank != 4)
        snprintf(reason, size, "%dD; a volume needs 3 axes", entry->rank);
    else
        entry->fit = entry->rank == 3 ? CC_FIT_VOLUME : CC_FIT_VOLUMES;
    for (int d = 0; entry->fit == CC_FIT_VOLUME && d < 3; d++)
        if (entry->shape[d] < 2) {
            entry->fit = CC_FIT_NONE;
            snprintf(reason, size, "every axis of a volume needs at least 2 points");
        }
}

static void describe_dataset(hid_t dataset, cc_dataset_entry *entry)
{
    hid_t type = H5Dget_type(dataset), space = H5Dget_space(dataset);
    H5T_class_t type_class = H5Tget_class(type);
    cc_hdf5_type_name(type, entry->type_name, sizeof entry->type_name);
    cc_hdf5_shape_text(space, entry->shape_text, sizeof entry->shape_text);
    int rank = H5Sget_simple_extent_ndims(space);
    entry->rank = rank <= CC_DATASET_MAX_RANK ? rank : -1;
    if (entry->rank > 0) {
        hsize_t dims[CC_DATASET_MAX_RANK];
        H5Sget_simple_extent_dims(space, dims, NULL);
        for (int d = 0; d < rank; d++)
            entry->shape[d] = (long)dims[d];
    }
    judge(type_class, entry);
    hid_t dcpl = H5Dget_create_plist(dataset);
    if (dcpl >= 0) {
        cc_filters_describe(dcpl, entry->filters, sizeof entry->filters);
        H5Pclose(dcpl);
    }
    H5Sclose(space);
    H5Tclose(type);
}

static herr_t visit_object(hid_t object, const char *name, const H5O_info_t *info, void *data)
{
    cc_dataset_list *list = data;
    if (strcmp(name, ".") == 0)
        return 0;
    if (list->count == list->room) {
        size_t room = list->room ? 2 * list->room : 16;
        cc_dataset_entry *grown = realloc(list->entries, room * sizeof *grown);
        if (grown == NULL) {
            list->failed = 1;
            return -1;
        }
        list->entries = grown;
        list->room = room;
    }
    cc_dataset_entry *entry = &list->entries[list->count++];
    memset(entry, 0, sizeof *entry);
    snprintf(entry->name, sizeof entry->name, "/%s", name);
    entry->fit = CC_FIT_GROUP;
    if (info->type != H5O_TYPE_DATASET)
        return 0;
    hid_t dataset = H5Dopen2(object, name, H5P_DEFAULT);
    if (dataset < 0) {
        entry->fit = CC_FIT_NONE;
        snprintf(entry->reason, sizeof entry->reason, "cannot be opened");
        return 0;
    }
    describe_dataset(dataset, entry);
    H5Dclose(dataset);
    return 0;
}

cc_status cc_dataset_list_read(const char *path, cc_dataset_list **out, cc_error *err)
{
    *out = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    cc_filters_register(); /* so that the listing says which filters are there */
    cc_status status = cc_input_check_file(path, err);
    if (status != CC_OK)
        return status;
    cc_dataset_list *list = calloc(1, sizeof *list);
    if (list == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    char why[256];
    errno = 0;
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) {
        cc_hdf5_reason(path, errno, why, sizeof why);
        cc_dataset_list_destroy(list);
        return cc_fail(err, CC_ERR_INPUT, "cannot open HDF5 file '%s': %s", path, why);
    }
    herr_t result = H5Ovisit(file, H5_INDEX_NAME, H5_ITER_INC, visit_object, list);
    if (result < 0)
        cc_hdf5_reason(path, 0, why, sizeof why);
    H5Fclose(file);
    if (list->failed)
        status = cc_fail(err, CC_ERR_NOMEM, "out of memory listing the objects of '%s'", path);
    else if (result < 0)
        status = cc_fail(err, CC_ERR_INPUT, "cannot list the objects of '%s': %s", path, why);
    if (status != CC_OK) {
        cc_dataset_list_destroy(list);
        return status;
    }
    *out = list;
    return CC_OK;
}

void cc_dataset_list_destroy(cc_dataset_list *list)
{
    if (list == NULL)
        return;
    free(list->entries);
    free(list);
}

size_t cc_dataset_list_count(const cc_dataset_list *list)
{
    return list->count;
}

const cc_dataset_entry *cc_dataset_list_entry(const cc_dataset_list *list, size_t i)
{
    return &list->entries[i];
}

int cc_dataset_same_name(const char *a, const char *b)
{
    return strcmp(a + (a[0] == '/'), b + (b[0] == '/')) == 0;
}

/* "/a, /b, /c and 4 more" of the entries that fit. */
static size_t list_names(const cc_dataset_list *list, cc_dataset_fit fit, char *out,
                         size_t out_size)
{
    size_t found = 0, used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < list->count; i++) {
        if (list->entries[i].fit != fit)
            continue;
        if (found < LISTED_CANDIDATES && used < out_size)
            used += (size_t)snprintf(out + used, out_size - used, "%s%s", found ? ", " : "",
                                     list->entries[i].name);
        found++;
    }
    if (found > LISTED_CANDIDATES && used < out_size)
        snprintf(out + used, out_size - used, " and %zu more", found - LISTED_CANDIDATES);
    return found;
}

/* No candidate of the kind wanted: what the file has instead. */
static cc_status none_fits(const cc_dataset_list *list, const char *path, int want_volumes,
                           cc_error *err)
{
    char names[512];
    if (want_volumes) {
        size_t volumes = list_names(list, CC_FIT_VOLUME, names, sizeof names);
        return cc_fail(err, CC_ERR_USAGE,
                       "--index picks one volume of a 4D dataset, and '%s' has none%s%s%s "
                       "(see: cubecast info %s)",
                       path, volumes ? "; its 3D ones (" : "", names,
                       volumes ? ") need no --index" : "", path);
    }
    size_t volumes = list_names(list, CC_FIT_VOLUMES, names, sizeof names);
    if (volumes > 0)
        return cc_fail(err, CC_ERR_INPUT,
                       "'%s' has no 3D numeric dataset, only the 4D %s: render one volume "
                       "with %s--index T (see: cubecast info %s)",
                       path, names, volumes == 1 ? "" : "--dataset NAME ", path);
    return cc_fail(err, CC_ERR_INPUT,
                   "'%s' has no dataset cubecast can render (a 3D array of integers or "
                   "floating-point numbers; see: cubecast info %s)",
                   path, path);
}

cc_status cc_dataset_choose(const cc_dataset_list *list, const char *path, int want_volumes,
                            char *name, size_t name_size, char *why, size_t why_size, cc_error *err)
{
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->entries[i].name, "/density") == 0) {
            snprintf(name, name_size, "density");
            snprintf(why, why_size, "%s", "");
            return CC_OK;
        }
    cc_dataset_fit fit = want_volumes ? CC_FIT_VOLUMES : CC_FIT_VOLUME;
    const char *kind = want_volumes ? "4D" : "3D";
    char names[512];
    size_t found = list_names(list, fit, names, sizeof names);
    if (found == 0)
        return none_fits(list, path, want_volumes, err);
    if (found > 1)
        return cc_fail(err, CC_ERR_INPUT,
                       "'%s' has %zu %s numeric datasets and none called density: %s; choose one "
                       "with --dataset NAME",
                       path, found, kind, names);
    for (size_t i = 0; i < list->count; i++)
        if (list->entries[i].fit == fit)
            snprintf(name, name_size, "%s", list->entries[i].name);
    snprintf(why, why_size, "the file's only %s numeric dataset", kind);
    return CC_OK;
}
