/* manifest.c - manifest.json through jansson (manifest.h). */
#include "cubecast/manifest.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cubecast/datasets.h"
#include "cubecast/outdir.h"
#include "cubecast/version.h"

enum { MAX_RECORDS = 1000000 };

struct cc_manifest {
    json_t *root;
    json_t *frames;           /* object keyed by frame file name, sorted on output */
    cc_frame_record *records; /* parsed manifests: the frames, by frame number */
    size_t record_count;
};

/* The transfer function record of section 1's function, as written
 * when no --tf, --scale or --opacity-unit is given: also what a manifest
 * from before transfer functions is taken to mean. */
static json_t *original_look(void)
{
    return json_pack("{s:s, s:s}", "kind", "original", "scale", "log");
}

static const char *const axis_names[] = {"x", "y", "z"};

/* The parameters that decide what a frame looks like. */
static json_t *parameters(const cc_render_options *options)
{
    char background[16] = "black";
    if (options->transparent)
        snprintf(background, sizeof background, "transparent");
    else if (options->background[0] != 0.0 || options->background[1] != 0.0 ||
             options->background[2] != 0.0)
        snprintf(background, sizeof background, "#%02x%02x%02x",
                 (unsigned)lround(options->background[0] * 255.0),
                 (unsigned)lround(options->background[1] * 255.0),
                 (unsigned)lround(options->background[2] * 255.0));
    json_t *parameters = json_pack(
        "{s:s, s:i, s:i, s:f, s:f, s:s, s:i, s:s, s:o}", "dataset", options->dataset, "frames",
        options->frames, "size", options->size, "start_deg", options->start_deg, "sweep_deg",
        options->sweep_deg, "precision", cc_precision_name(options->precision), "bit_depth",
        options->bit_depth, "background", background, "transfer_function", original_look());
    /* The camera: the spacing as rendered (the driver has resolved auto by
     * now); where it came from is kept beside for people, not compared,
     * since the same numbers draw the same frames either way. */
    json_t *camera =
        json_pack("{s:s, s:f, s:f, s:b, s:[f,f,f], s:b}", "axis",
                  axis_names[options->axis >= 0 && options->axis <= 2 ? options->axis : 0],
                  "elevation_deg", options->elevation_deg, "zoom", options->zoom, "fit",
                  options->fit != 0, "spacing", options->spacing[0], options->spacing[1],
                  options->spacing[2], "spacing_auto", options->spacing_auto != 0);
    if (parameters == NULL || json_object_update(parameters, camera) != 0) {
        json_decref(parameters);
        parameters = NULL;
    }
    json_decref(camera);
    /* Not part of the sweep's identity (the projection is drawn again by
     * every run), and left out at its default, as before the option. */
    if (parameters != NULL && options->projection_size > 0 &&
        json_object_set_new(parameters, "projection_size",
                            json_integer(options->projection_size)) != 0) {
        json_decref(parameters);
        parameters = NULL;
    }
    /* A snapshot series: how many inputs, and frames each (one input
     * leaves them out, as manifests before series did). */
    int inputs = cc_render_options_input_count(options);
    if (parameters != NULL && inputs > 1 &&
        (json_object_set_new(parameters, "inputs", json_integer(inputs)) != 0 ||
         json_object_set_new(parameters, "frames_per_input",
                             json_integer(options->frames_per_input)) != 0)) {
        json_decref(parameters);
        parameters = NULL;
    }
    /* One volume of a 4D dataset: which (left out otherwise, as manifests
     * before --index did). */
    if (parameters != NULL && options->index >= 0 &&
        (json_object_set_new(parameters, "index", json_integer(options->index)) != 0 ||
         json_object_set_new(parameters, "index_axis",
                             json_string(options->index_axis == 0 ? "first" : "last")) != 0)) {
        json_decref(parameters);
        parameters = NULL;
    }
    return parameters;
}

/* "series": the inputs of a snapshot series, in order, each with its
 * file (a checksum is added as it is read); NULL for one input. */
static json_t *series(const cc_render_options *options)
{
    int inputs = cc_render_options_input_count(options);
    if (inputs < 2)
        return NULL;
    json_t *list = json_array();
    for (int s = 0; list != NULL && s < inputs; s++)
        if (json_array_append_new(
                list, json_pack("{s:s}", "file", cc_render_options_input_path(options, s))) != 0) {
            json_decref(list);
            list = NULL;
        }
    return list;
}

static json_t *checksum_text(uint32_t checksum)
{
    char text[16];
    snprintf(text, sizeof text, "%08" PRIx32, checksum);
    return json_string(text);
}

static json_t *input_identity(const cc_render_options *options, const cc_input_identity *input)
{
    json_t *identity = json_pack("{s:s, s:[I,I,I], s:s}", "file", options->input, "shape",
                                 (json_int_t)input->shape[0], (json_int_t)input->shape[1],
                                 (json_int_t)input->shape[2], "type", input->type_name);
    if (identity != NULL && input->has_checksum)
        json_object_set_new(identity, "checksum", checksum_text(input->checksum));
    return identity;
}

static cc_status manifest_new(json_t *root, cc_manifest **out, cc_error *err)
{
    cc_manifest *manifest = root == NULL ? NULL : calloc(1, sizeof *manifest);
    if (manifest == NULL) {
        json_decref(root);
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    }
    manifest->root = root;
    manifest->frames = json_object_get(root, "frames");
    *out = manifest;
    return CC_OK;
}

cc_status cc_manifest_create(const cc_render_options *options, const cc_input_identity *input,
                             cc_manifest **out, cc_error *err)
{
    json_t *root =
        json_pack("{s:s, s:o, s:o, s:[i,i], s:n, s:{}}", "software", "cubecast " CC_VERSION_STRING,
                  "parameters", parameters(options), "input", input_identity(options, input),
                  "range", options->range_begin, options->range_end, "projection", "frames");
    json_t *inputs = series(options);
    if (root != NULL && inputs != NULL)
        json_object_set_new(root, "series", inputs);
    else
        json_decref(inputs);
    return manifest_new(root, out, err);
}

void cc_manifest_destroy(cc_manifest *manifest)
{
    if (manifest == NULL)
        return;
    json_decref(manifest->root);
    free(manifest->records);
    free(manifest);
}

/* ---- reading ------------------------------------------------------------ */

static cc_status read_record(const char *key, json_t *entry, cc_frame_record *record, cc_error *err)
{
    json_int_t frame = -1, bytes = -1, crc = -1, rank = -1;
    const char *file = NULL;
    double seconds = 0.0;
    if (json_unpack(entry, "{s:I, s:F, s:s, s:I, s:I, s?I, s?F}", "frame", &frame, "angle_deg",
                    &record->angle_deg, "file", &file, "bytes", &bytes, "crc32", &crc, "rank",
                    &rank, "seconds", &seconds) != 0)
        return cc_fail(err, CC_ERR_USAGE, "its frame entry '%s' is malformed", key);
    char name[64];
    cc_frame_file_name((int)frame, name, sizeof name);
    if (frame < 0 || frame >= MAX_RECORDS || bytes < 0 || crc < 0 || crc > UINT32_MAX ||
        strcmp(file, name) != 0 || strcmp(key, name) != 0)
        return cc_fail(err, CC_ERR_USAGE, "its frame entry '%s' is inconsistent", key);
    record->frame = (int)frame;
    record->bytes = (unsigned long long)bytes;
    record->crc32 = (uint32_t)crc;
    record->rank = rank >= 0 && rank <= INT32_MAX ? (int)rank : -1;
    record->seconds = seconds;
    return CC_OK;
}

static int by_frame(const void *a, const void *b)
{
    int fa = ((const cc_frame_record *)a)->frame, fb = ((const cc_frame_record *)b)->frame;
    return (fa > fb) - (fa < fb);
}

static cc_status read_records(cc_manifest *manifest, cc_error *err)
{
    size_t count = json_object_size(manifest->frames);
    if (count > MAX_RECORDS)
        return cc_fail(err, CC_ERR_USAGE, "it lists more than %d frames", MAX_RECORDS);
    manifest->records = calloc(count > 0 ? count : 1, sizeof *manifest->records);
    if (manifest->records == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    const char *key;
    json_t *entry;
    json_object_foreach(manifest->frames, key, entry)
    {
        cc_status status = read_record(key, entry, &manifest->records[manifest->record_count], err);
        if (status != CC_OK)
            return status;
        manifest->record_count++;
    }
    qsort(manifest->records, manifest->record_count, sizeof *manifest->records, by_frame);
    return CC_OK;
}

/* The shape of what cc_manifest_create writes; values are checked when compared. */
static cc_status check_layout(json_t *root, cc_error *err)
{
    json_t *parameters = json_object_get(root, "parameters");
    json_t *input = json_object_get(root, "input");
    json_t *projection = json_object_get(root, "projection");
    if (!json_is_object(root))
        return cc_fail(err, CC_ERR_USAGE, "it is not a JSON object");
    if (!json_is_object(parameters))
        return cc_fail(err, CC_ERR_USAGE, "it has no \"parameters\" object");
    if (input != NULL && !json_is_object(input))
        return cc_fail(err, CC_ERR_USAGE, "its \"input\" is not an object");
    if (!json_is_object(json_object_get(root, "frames")))
        return cc_fail(err, CC_ERR_USAGE, "it has no \"frames\" object");
    if (projection != NULL && !json_is_null(projection) &&
        !(json_is_string(projection) && cc_output_name(json_string_value(projection))))
        return cc_fail(err, CC_ERR_USAGE, "its \"projection\" is not a projection file name");
    return CC_OK;
}

cc_status cc_manifest_parse(const char *text, size_t length, cc_manifest **out, cc_error *err)
{
    json_error_t problem;
    json_t *root = json_loadb(text, length, JSON_REJECT_DUPLICATES, &problem);
    if (root == NULL)
        return cc_fail(err, CC_ERR_USAGE, "it is not valid JSON (line %d: %s)", problem.line,
                       problem.text);
    cc_status status = check_layout(root, err);
    if (status != CC_OK) {
        json_decref(root);
        return status;
    }
    cc_manifest *manifest = NULL;
    status = manifest_new(root, &manifest, err);
    if (status == CC_OK)
        status = read_records(manifest, err);
    if (status != CC_OK) {
        cc_manifest_destroy(manifest);
        return status;
    }
    *out = manifest;
    return CC_OK;
}

size_t cc_manifest_frame_count(const cc_manifest *manifest)
{
    return manifest->record_count;
}

const cc_frame_record *cc_manifest_frames(const cc_manifest *manifest)
{
    return manifest->records;
}

const char *cc_manifest_projection(const cc_manifest *manifest)
{
    return json_string_value(json_object_get(manifest->root, "projection"));
}

/* ---- comparing ---------------------------------------------------------- */

typedef struct sweep_field {
    const char *object, *key; /* where it is */
    const char *label;        /* how the user knows it */
    int optional;             /* left out when not given: absent is a value */
} sweep_field;

/* In the order a difference is reported: the options first, then what the
 * input holds. */
static const sweep_field sweep_fields[] = {
    {"parameters", "dataset", "--dataset", 0},
    {"parameters", "index", "--index", 1},
    {"parameters", "index_axis", "--index-axis", 1},
    {"parameters", "frames", "--frames", 0},
    {"parameters", "size", "--size", 0},
    {"parameters", "start_deg", "--start-deg", 0},
    {"parameters", "sweep_deg", "--sweep-deg", 0},
    {"parameters", "precision", "--precision", 0},
    {"parameters", "axis", "--axis", 0},
    {"parameters", "elevation_deg", "--elevation", 0},
    {"parameters", "zoom", "--zoom", 0},
    {"parameters", "fit", "--fit", 0},
    {"parameters", "spacing", "--spacing", 0},
    {"parameters", "inputs", "the number of inputs", 0},
    {"parameters", "frames_per_input", "--frames-per-input", 0},
    {"parameters", "transfer_function", "the transfer function", 0},
    {"parameters", "bit_depth", "--bit-depth", 0},
    {"parameters", "background", "--background", 0},
    {"input", "shape", "the input's shape", 0},
    {"input", "type", "the input's type", 0},
    {"input", "checksum", "the input's values (checksum)", 0},
};

/* Numbers by value (an integer 1 is the real 1.0), also inside arrays such
 * as the spacing. */
static int same_value(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b))
        return json_number_value(a) == json_number_value(b);
    if (json_is_array(a) && json_is_array(b)) {
        size_t count = json_array_size(a);
        if (json_array_size(b) != count)
            return 0;
        for (size_t i = 0; i < count; i++)
            if (!same_value(json_array_get(a, i), json_array_get(b, i)))
                return 0;
        return 1;
    }
    return json_equal((json_t *)a, (json_t *)b);
}

/* The shortest of %.15g, %.16g, %.17g that reads back as x. */
static void number_text(double x, char *out, size_t out_size)
{
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(out, out_size, "%.*g", digits, x);
        if (strtod(out, NULL) == x)
            return;
    }
}

static void value_text(const char *key, const json_t *value, char *out, size_t out_size)
{
    /* A spacing as the user writes it, HX:HY:HZ. */
    if (strcmp(key, "spacing") == 0 && json_array_size(value) == 3 &&
        json_is_number(json_array_get(value, 0)) && json_is_number(json_array_get(value, 1)) &&
        json_is_number(json_array_get(value, 2))) {
        char h[3][32];
        for (int a = 0; a < 3; a++)
            number_text(json_number_value(json_array_get(value, a)), h[a], sizeof h[a]);
        snprintf(out, out_size, "%s:%s:%s", h[0], h[1], h[2]);
        return;
    }
    char *text = value == NULL ? NULL : json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
    snprintf(out, out_size, "%s", text != NULL ? text : "(not recorded)");
    free(text);
}

/* What a manifest written before a parameter existed meant by leaving it
 * out: the value that reproduces those frames. */
static json_t *assumed_value(const char *key)
{
    if (strcmp(key, "transfer_function") == 0)
        return original_look();
    if (strcmp(key, "bit_depth") == 0)
        return json_integer(8);
    if (strcmp(key, "background") == 0)
        return json_string("black");
    /* Section 1's camera. */
    if (strcmp(key, "axis") == 0)
        return json_string("x");
    if (strcmp(key, "elevation_deg") == 0)
        return json_real(0.0);
    if (strcmp(key, "zoom") == 0)
        return json_real(1.0);
    if (strcmp(key, "fit") == 0)
        return json_false();
    if (strcmp(key, "spacing") == 0)
        return json_pack("[f,f,f]", 1.0, 1.0, 1.0);
    /* One input. */
    if (strcmp(key, "inputs") == 0)
        return json_integer(1);
    return NULL;
}

int cc_manifest_same_sweep(const cc_manifest *ours, const cc_manifest *theirs, char *difference,
                           size_t difference_size)
{
    for (size_t f = 0; f < sizeof sweep_fields / sizeof sweep_fields[0]; f++) {
        const sweep_field *field = &sweep_fields[f];
        json_t *mine = json_object_get(json_object_get(ours->root, field->object), field->key);
        json_t *other = json_object_get(json_object_get(theirs->root, field->object), field->key);
        if (mine == NULL && field->optional && other != NULL) {
            char there[160];
            value_text(field->key, other, there, sizeof there);
            snprintf(difference, difference_size, "%s is not given here but %s there", field->label,
                     there);
            return 0;
        }
        if (mine == NULL)
            continue; /* not known yet on this side: compared once it is */
        json_t *assumed = other == NULL ? assumed_value(field->key) : NULL;
        other = assumed != NULL ? assumed : other;
        if (strcmp(field->key, "checksum") == 0 && other == NULL)
            continue; /* a manifest from before checksums */
        /* "anatomical" and "/anatomical" are one dataset, named by the user
         * or chosen by cubecast. */
        int same =
            strcmp(field->key, "dataset") == 0 && json_is_string(mine) && json_is_string(other)
                ? cc_dataset_same_name(json_string_value(mine), json_string_value(other))
                : same_value(mine, other);
        char here[160], there[160] = "not given";
        value_text(field->key, mine, here, sizeof here);
        if (other != NULL || !field->optional)
            value_text(field->key, other, there, sizeof there);
        json_decref(assumed);
        if (same)
            continue;
        snprintf(difference, difference_size, "%s is %s here but %s there", field->label, here,
                 there);
        return 0;
    }
    return 1;
}

/* ---- writing ------------------------------------------------------------ */

void cc_manifest_set_look(cc_manifest *manifest, const cc_tf *tf, const cc_tf_source *source,
                          const char *file, double opacity_unit)
{
    static const char *const kinds[] = {"original", "bands", "piecewise"};
    if (tf == NULL) { /* not known before the data are read */
        json_object_del(json_object_get(manifest->root, "parameters"), "transfer_function");
        return;
    }
    json_t *look = json_pack("{s:s, s:s}", "kind", source->automatic ? "auto" : kinds[tf->kind],
                             "scale", tf->log_scale ? "log" : "linear");
    if (look == NULL)
        return;
    /* The file's content (its CRC) decides the frames, not its name, which is
     * kept beside for people; a file equal to section 1's bands is that. */
    json_t *parameters = json_object_get(manifest->root, "parameters");
    if (file != NULL && !source->automatic && tf->kind != CC_TF_ORIGINAL) {
        char crc[16];
        snprintf(crc, sizeof crc, "%08" PRIx32, source->crc32);
        json_object_set_new(look, "crc32", json_string(crc));
        json_object_set_new(parameters, "transfer_function_file", json_string(file));
    }
    if (source->has_data_range)
        json_object_set_new(look, "data_range",
                            json_pack("[f,f]", source->data_range[0], source->data_range[1]));
    if (opacity_unit > 0.0)
        json_object_set_new(look, "opacity_unit", json_real(opacity_unit));
    if (source->automatic) {
        /* Everything needed to draw the frames again. */
        json_t *bands = json_array();
        for (int b = 0; b < tf->band_count; b++)
            json_array_append_new(bands, json_pack("[f,f,f,f,f,f]", tf->centre[b], tf->width[b],
                                                   tf->weight[0][b], tf->weight[1][b],
                                                   tf->weight[2][b], tf->weight[3][b]));
        json_object_set_new(look, "colormap", json_string(source->colormap));
        json_object_set_new(look, "bands", bands);
    }
    json_object_set_new(parameters, "transfer_function", look);
}

void cc_manifest_set_checksum(cc_manifest *manifest, uint32_t checksum)
{
    json_object_set_new(json_object_get(manifest->root, "input"), "checksum",
                        checksum_text(checksum));
}

/* Input input's object in "series", or NULL (one input, or out of range). */
static json_t *series_entry(const cc_manifest *manifest, int input)
{
    return json_array_get(json_object_get(manifest->root, "series"), (size_t)input);
}

cc_status cc_manifest_add_frame(cc_manifest *manifest, const cc_frame_record *record, cc_error *err)
{
    char file[64];
    cc_frame_file_name(record->frame, file, sizeof file);
    json_t *entry =
        json_pack("{s:i, s:f, s:s, s:I, s:I, s:i, s:f}", "frame", record->frame, "angle_deg",
                  record->angle_deg, "file", file, "bytes", (json_int_t)record->bytes, "crc32",
                  (json_int_t)record->crc32, "rank", record->rank, "seconds", record->seconds);
    /* In a series, the frame's input too, by its path. */
    json_t *file_of_input = json_object_get(series_entry(manifest, record->input), "file");
    if (entry != NULL && file_of_input != NULL &&
        json_object_set(entry, "input", file_of_input) != 0) {
        json_decref(entry);
        entry = NULL;
    }
    if (entry == NULL || json_object_set_new(manifest->frames, file, entry) != 0)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    return CC_OK;
}

int cc_manifest_find_frame(const cc_manifest *manifest, int frame, cc_frame_record *record)
{
    char file[64];
    cc_frame_file_name(frame, file, sizeof file);
    json_t *entry = json_object_get(manifest->frames, file);
    cc_error ignored;
    *record = (cc_frame_record){0};
    return entry != NULL && read_record(file, entry, record, &ignored) == CC_OK;
}

void cc_manifest_remove_frame(cc_manifest *manifest, int frame)
{
    char file[64];
    cc_frame_file_name(frame, file, sizeof file);
    json_object_del(manifest->frames, file);
}

void cc_manifest_adopt_series(cc_manifest *ours, const cc_manifest *theirs)
{
    json_t *mine = json_object_get(ours->root, "series");
    json_t *other = json_object_get(theirs->root, "series");
    for (size_t s = 0; s < json_array_size(mine) && s < json_array_size(other); s++) {
        json_t *entry = json_array_get(mine, s);
        json_t *checksum = json_object_get(json_array_get(other, s), "checksum");
        if (json_is_string(checksum) && json_object_get(entry, "checksum") == NULL)
            json_object_set(entry, "checksum", checksum);
    }
}

void cc_manifest_set_series_read(cc_manifest *manifest, int input, double seconds, int background)
{
    json_t *entry = series_entry(manifest, input);
    if (entry != NULL) {
        json_object_set_new(entry, "read_seconds", json_real(seconds));
        json_object_set_new(entry, "read_in_background", json_boolean(background));
    }
}

int cc_manifest_series_read(const cc_manifest *manifest, int input, double *seconds,
                            int *background)
{
    json_t *entry = series_entry(manifest, input);
    json_t *value = json_object_get(entry, "read_seconds");
    if (!json_is_number(value))
        return 0;
    *seconds = json_number_value(value);
    *background = json_is_true(json_object_get(entry, "read_in_background"));
    return 1;
}

int cc_manifest_series_checksum(const cc_manifest *manifest, int input, uint32_t *checksum)
{
    json_t *entry = series_entry(manifest, input);
    const char *text = json_string_value(json_object_get(entry, "checksum"));
    char *end;
    if (text == NULL)
        return 0;
    unsigned long value = strtoul(text, &end, 16);
    if (*end != '\0' || end == text)
        return 0;
    *checksum = (uint32_t)value;
    return 1;
}

void cc_manifest_set_series_checksum(cc_manifest *manifest, int input, uint32_t checksum)
{
    json_t *entry = series_entry(manifest, input);
    if (entry != NULL)
        json_object_set_new(entry, "checksum", checksum_text(checksum));
}

void cc_manifest_set_devices(cc_manifest *manifest, const char *names, size_t stride, int ranks)
{
    json_t *devices = json_array();
    for (int r = 0; r < ranks && devices != NULL; r++)
        json_array_append_new(devices, json_string(names + (size_t)r * stride));
    json_object_set_new(manifest->root, "devices", devices);
}

void cc_manifest_set_projection(cc_manifest *manifest, const char *file)
{
    json_object_set_new(manifest->root, "projection", json_string(file));
}

cc_status cc_manifest_set_profile(cc_manifest *manifest, const char *profile_json, cc_error *err)
{
    json_error_t problem;
    json_t *profile = json_loads(profile_json, 0, &problem);
    if (profile == NULL)
        return cc_fail(err, CC_ERR_INTERNAL, "bad profile JSON: %s", problem.text);
    json_object_set_new(manifest->root, "profile", profile);
    return CC_OK;
}

cc_status cc_manifest_dump(const cc_manifest *manifest, char **text, size_t *length, cc_error *err)
{
    char *dumped =
        json_dumps(manifest->root, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    if (dumped == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory");
    *length = strlen(dumped);
    dumped[*length] = '\n'; /* replaces the terminator; the length is returned */
    *length += 1;
    *text = dumped;
    return CC_OK;
}
