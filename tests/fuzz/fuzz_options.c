/* fuzz_options.c - libFuzzer harness for the command-line parser (src/cli/parse.c).
 *
 * The input is a command line: words separated by '\n' or NUL (a trailing
 * separator ends the last word).  Every input goes through all three
 * subcommand parsers, each on its own fresh copy of the words, every word in
 * its own allocation so that AddressSanitizer sees a read past its end.
 *
 * Besides crashes and sanitizer reports, the harness aborts when a parser
 * breaks what it promises:
 *   - a failure returns CC_ERR_USAGE (never an internal error) and fills err
 *     with that status and a one-line message; "unknown option 'W'" names a
 *     word W that is an option (starts with '-');
 *   - render options that cc_render_options_check accepts are within the
 *     documented ranges (options.h, README: Options);
 *   - an accepted command line, written back in a canonical form, parses to
 *     the same options (render, generate and info);
 *   - the same words parse the same way whatever was parsed before;
 *   - every name returned (file, dataset, ...) points into argv, or is the
 *     default. */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_WORDS = 64, MAX_INPUT_BYTES = 4096 };
/* A canonical form writes every option (about 50 words) and every input
 * of a series (at most MAX_WORDS), so an argv has room for both. */
enum { MAX_ARGV = 2 * MAX_WORDS + 64 };

/* An argv: argv[0] is the subcommand, argv[argc] is NULL. */
typedef struct words {
    int argc;
    char *argv[MAX_ARGV + 2];
} words;

static void fail(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fputs("fuzz_options: broken invariant: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    abort();
}

static char *copy_text(const char *text, size_t length)
{
    char *copy = malloc(length + 1);
    if (copy == NULL)
        abort();
    memcpy(copy, text, length);
    copy[length] = '\0';
    return copy;
}

static void words_add(words *w, const char *text, size_t length)
{
    if (w->argc > MAX_ARGV)
        abort();
    w->argv[w->argc++] = copy_text(text, length);
    w->argv[w->argc] = NULL;
}

static void words_init(words *w, const char *command)
{
    w->argc = 0;
    words_add(w, command, strlen(command));
}

/* Words are freed at the end of the input, not when a parse is done: a
 * parse that reads the words of the one before it (known bug 1) then reads
 * them as they were, and check_repeatable sees the difference. */
enum { MAX_DEFERRED = 9 * (MAX_ARGV + 1) }; /* 3 parsers x 3 argvs */
static char *deferred[MAX_DEFERRED];
static int deferred_count;

static void words_free(words *w)
{
    for (int i = 0; i < w->argc; i++) {
        if (deferred_count == MAX_DEFERRED)
            abort();
        deferred[deferred_count++] = w->argv[i];
    }
    w->argc = 0;
}

static void free_deferred(void)
{
    while (deferred_count > 0)
        free(deferred[--deferred_count]);
}

/* Splits data into at most MAX_WORDS words after `command`. */
static void words_split(words *w, const char *command, const uint8_t *data, size_t size)
{
    words_init(w, command);
    size_t start = 0;
    for (size_t i = 0; i <= size && w->argc <= MAX_WORDS; i++)
        if (i == size || data[i] == '\n' || data[i] == '\0') {
            if (i < size || i > start)
                words_add(w, (const char *)data + start, i - start);
            start = i + 1;
        }
}

/* words_add with a printf-style format. */
static void words_addf(words *w, const char *format, ...)
{
    char text[128];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    words_add(w, text, strlen(text));
}

static void words_adds(words *w, const char *text)
{
    words_add(w, text, strlen(text));
}

/* Appends text to the last word. */
static void strcat_last(words *w, const char *text)
{
    char **last = &w->argv[w->argc - 1];
    size_t length = strlen(*last), more = strlen(text);
    char *longer = realloc(*last, length + more + 1);
    if (longer == NULL)
        abort();
    memcpy(longer + length, text, more + 1);
    *last = longer;
}

/* Whether text is a word of w, or the tail of one ("--dataset=NAME"). */
static int from_words(const words *w, const char *text)
{
    uintptr_t at = (uintptr_t)text;
    for (int i = 0; i < w->argc; i++) {
        uintptr_t word = (uintptr_t)w->argv[i];
        if (at >= word && at <= word + strlen(w->argv[i]))
            return 1;
    }
    return 0;
}

/* Four known parse.c bugs (reported with issue 9; reproducers in
 * corpus/options/regress-*) are tolerated here so that a fuzzing run goes on
 * past them to find new ones.  Build with -DFUZZ_STRICT=1 to see them fail;
 * once parse.c is fixed, make strict the default.
 *
 * 1. glibc's getopt keeps its place inside a group of short options ("-xh")
 *    across calls, and only optind = 0 clears that; the parsers set
 *    optind = 1.  A parse that stops with an error inside such a group
 *    leaves the next parse reading the rest of a word of the previous argv
 *    first (a use-after-free if that argv is gone; inside glibc, so ASan
 *    does not see it, but check_repeatable sees the changed result).  The
 *    program parses once per process, so only a second parse in one process
 *    (a test) is hurt.  Tolerated by resetting getopt after every parse.
 * 2. An unknown short option inside a group ("render cube.h5 -xy") is
 *    reported as "unknown option 'cube.h5'": the message names
 *    argv[optind - 1], but getopt has not moved optind past the group yet.
 *    Tolerated by not checking the named word when getopt reports a short
 *    option character (optopt).
 * 3. cc_cli_parse_generate joins the three words after any word "--shape"
 *    before getopt runs, also when that word is the value of another option:
 *    "generate out.h5 --dataset --shape" parses, but "generate --dataset
 *    --shape -- out.h5" does not.  Tolerated by writing --dataset=VALUE in
 *    the round trip.
 * 4. Worse, the joined words live in a local array of
 *    cc_cli_parse_generate, and when they end up as the positional file
 *    name ("generate --dataset --shape 8 8 8") *path points into the
 *    parser's dead stack frame (ASan: stack-use-after-return; without
 *    ASan the program uses whatever that memory holds: here it wrote a
 *    256^3 cube to a file named "8 8 8").  Tolerated by skipping the checks
 *    of such a parse. */
#ifndef FUZZ_STRICT
#define FUZZ_STRICT 0
#endif

/* Clears getopt's state (always when forced, else only when tolerating). */
static void reset_getopt(int force)
{
    if (FUZZ_STRICT && !force)
        return;
    char name[] = "reset";
    char *argv[] = {name, NULL};
    optind = 0;
    opterr = 0;
    getopt_long(1, argv, "", NULL, NULL);
}

/* The same words parsed again after a reset must give the same result: a
 * parse must not depend on the one before it (known bug 1). */
static void check_repeatable(const char *parser, cc_status status, cc_cli_action action,
                             const cc_error *err, cc_status clean, cc_cli_action clean_action,
                             const cc_error *clean_err)
{
    if (status != clean || (status == CC_OK && action != clean_action) ||
        (status != CC_OK && strcmp(err->message, clean_err->message) != 0))
        fail("%s: after an earlier parse: status %d action %d (%s); from a clean getopt: status "
             "%d action %d (%s)",
             parser, (int)status, (int)action, err->message, (int)clean, (int)clean_action,
             clean_err->message);
}

/* A failed parse: a usage error with a message that names a real option. */
static void check_failure(const char *parser, cc_status status, const cc_error *err,
                          int short_option)
{
    /* A --inputs LIST that cannot be read is a missing input (exit 3). */
    int list_unreadable = status == CC_ERR_INPUT && strncmp(err->message, "--inputs: ", 10) == 0;
    if (status != CC_ERR_USAGE && !list_unreadable)
        fail("%s: status %d, not CC_ERR_USAGE (message: %s)", parser, (int)status, err->message);
    if (err->status != status)
        fail("%s: returned %d but err->status is %d", parser, (int)status, (int)err->status);
    size_t length = strnlen(err->message, sizeof err->message);
    if (length == 0 || length == sizeof err->message)
        fail("%s: empty or unterminated error message", parser);
    static const char *const blaming[] = {"unknown option '", "option '"};
    int tolerated = !FUZZ_STRICT && short_option != 0 && short_option < 256;
    for (int b = 0; b < 2 && !tolerated; b++) {
        size_t prefix = strlen(blaming[b]);
        if (strncmp(err->message, blaming[b], prefix) == 0 && err->message[prefix] != '-')
            fail("%s: \"%s\" blames a word that is not an option", parser, err->message);
    }
}

static int same_double(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return a == b && signbit(a) == signbit(b);
}

static int same_text(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

static void check_value_range(const char *option, const cc_value_range *r)
{
    if (!r->given || r->automatic)
        return;
    if (!isfinite(r->lo) || !isfinite(r->hi) || !(r->lo < r->hi))
        fail("render: accepted %s %g:%g", option, r->lo, r->hi);
    if (r->percentile && (r->lo < 0.0 || r->hi > 100.0))
        fail("render: accepted %s p%g:p%g", option, r->lo, r->hi);
}

/* The look options (issue 10) a successful parse may hold. */
static void check_look(const cc_render_options *o)
{
    if ((unsigned)o->scale > CC_SCALE_LINEAR)
        fail("render: scale %d", (int)o->scale);
    check_value_range("--data-range", &o->data_range);
    check_value_range("--projection-range", &o->projection_range);
    if (o->projection_range.percentile)
        fail("render: accepted a percentile --projection-range");
    if (o->data_range.automatic)
        fail("render: accepted --data-range auto");
    if (o->opacity_unit != 0.0 && !(o->opacity_unit > 0.0 && isfinite(o->opacity_unit)))
        fail("render: accepted --opacity-unit %g", o->opacity_unit);
    if (o->bit_depth != 8 && o->bit_depth != 16)
        fail("render: accepted --bit-depth %d", o->bit_depth);
    for (int c = 0; c < 3; c++)
        if (!(o->background[c] >= 0.0 && o->background[c] <= 1.0))
            fail("render: background component %g", o->background[c]);
}

/* The camera options (issue 11) a successful check may hold. */
static void check_camera(const cc_render_options *o)
{
    if (o->axis < 0 || o->axis > 2)
        fail("render: axis %d", o->axis);
    if (!(fabs(o->elevation_deg) < 90.0))
        fail("render: accepted --elevation %g", o->elevation_deg);
    if (!(o->zoom > 0.0 && isfinite(o->zoom) && isfinite(1.0 / o->zoom)))
        fail("render: accepted --zoom %g", o->zoom);
    for (int a = 0; a < 3; a++)
        if (!(o->spacing[a] > 0.0 && isfinite(o->spacing[a])))
            fail("render: accepted --spacing component %g", o->spacing[a]);
    if (o->decomp == CC_DECOMP_ROWS && o->elevation_deg != 0.0)
        fail("render: accepted --decomp rows with --elevation %g", o->elevation_deg);
}

static void check_render_ranges(const cc_render_options *o)
{
    if (o->input == NULL)
        fail("render: accepted without an input file");
    if (o->size < 2 || o->size > 16384)
        fail("render: accepted --size %d", o->size);
    if (o->frames < 1 || o->frames > 1000000)
        fail("render: accepted --frames %d", o->frames);
    if (!isfinite(o->start_deg) || !isfinite(o->sweep_deg))
        fail("render: accepted non-finite angles %g %g", o->start_deg, o->sweep_deg);
    if (o->range_begin < 0 || o->range_begin >= o->range_end || o->range_end > o->frames)
        fail("render: accepted --range %d:%d of %d frames", o->range_begin, o->range_end,
             o->frames);
    if (o->output == NULL || o->output[0] == '\0')
        fail("render: accepted an empty --output");
    if (o->dataset == NULL)
        fail("render: no dataset");
    if (o->precision != CC_SINGLE && o->precision != CC_DOUBLE)
        fail("render: precision %d", (int)o->precision);
    if ((unsigned)o->decomp > CC_DECOMP_AUTO || (unsigned)o->composite > CC_COMPOSITE_SWAP)
        fail("render: decomp %d composite %d", (int)o->decomp, (int)o->composite);
    if ((o->decomp == CC_DECOMP_FRAMES || o->decomp == CC_DECOMP_ROWS) &&
        o->composite != CC_COMPOSITE_ROOT)
        fail("render: accepted --composite swap outside bricks and auto");
    check_look(o);
    check_camera(o);
}

static void value_range_canonical(const char *option, const cc_value_range *r, words *w)
{
    if (!r->given)
        return;
    if (r->automatic)
        words_addf(w, "%s=auto", option);
    else if (r->percentile)
        words_addf(w, "%s=p%.17g:p%.17g", option, r->lo, r->hi);
    else
        words_addf(w, "%s=%.17g:%.17g", option, r->lo, r->hi);
}

static void render_canonical_look(const cc_render_options *o, words *w)
{
    if (o->tf != NULL) {
        words_adds(w, "--tf");
        words_adds(w, o->tf);
    }
    if (o->scale != CC_SCALE_AUTO)
        words_adds(w, o->scale == CC_SCALE_LOG ? "--scale=log" : "--scale=linear");
    value_range_canonical("--data-range", &o->data_range, w);
    if (o->colormap != NULL) {
        words_adds(w, "--colormap");
        words_adds(w, o->colormap);
    }
    value_range_canonical("--projection-range", &o->projection_range, w);
    if (o->opacity_unit != 0.0)
        words_addf(w, "--opacity-unit=%.17g", o->opacity_unit);
    if (o->bit_depth != 8)
        words_addf(w, "--bit-depth=%d", o->bit_depth);
    /* The colour first: "--background transparent" keeps an earlier colour. */
    if (o->background[0] != 0.0 || o->background[1] != 0.0 || o->background[2] != 0.0)
        words_addf(w, "--background=#%02x%02x%02x", (unsigned)lrint(o->background[0] * 255.0),
                   (unsigned)lrint(o->background[1] * 255.0),
                   (unsigned)lrint(o->background[2] * 255.0));
    if (o->transparent)
        words_adds(w, "--background=transparent");
}

static void render_canonical_camera(const cc_render_options *o, words *w)
{
    words_addf(w, "--axis=%c", "xyz"[o->axis]);
    words_addf(w, "--elevation=%.17g", o->elevation_deg);
    words_addf(w, "--zoom=%.17g", o->zoom);
    if (o->fit)
        words_adds(w, "--fit");
    if (o->spacing_auto)
        words_adds(w, "--spacing=auto");
    else
        words_addf(w, "--spacing=%.17g:%.17g:%.17g", o->spacing[0], o->spacing[1], o->spacing[2]);
}

/* Options as words that parse back to them.  A new option needs its place
 * here and in check_render_same. */
static void render_canonical(const cc_render_options *o, words *w)
{
    static const char *const decomps[] = {"frames", "rows", "bricks", "auto"};
    words_init(w, "render");
    if (o->dataset != NULL) {
        words_adds(w, "--dataset");
        words_adds(w, o->dataset);
    }
    if (o->output != NULL) {
        words_adds(w, "--output");
        words_adds(w, o->output);
    }
    words_addf(w, "--frames=%d", o->frames);
    words_addf(w, "--size=%d", o->size);
    words_addf(w, "--start-deg=%.17g", o->start_deg);
    words_addf(w, "--sweep-deg=%.17g", o->sweep_deg);
    words_adds(w, o->precision == CC_SINGLE ? "--precision=single" : "--precision=double");
    if (o->range_begin != 0 || o->range_end != o->frames) /* else: the default */
        words_addf(w, "--range=%d:%d", o->range_begin, o->range_end);
    words_addf(w, "--decomp=%s", decomps[o->decomp]);
    /* --composite is refused outside bricks and auto, where it stays root. */
    if (o->decomp == CC_DECOMP_BRICKS || o->decomp == CC_DECOMP_AUTO)
        words_adds(w, o->composite == CC_COMPOSITE_ROOT ? "--composite=root" : "--composite=swap");
    if (!o->projection)
        words_adds(w, "--no-projection");
    if (o->projection_size != 0)
        words_addf(w, "--projection-size=%d", o->projection_size);
    if (o->index >= 0) {
        words_addf(w, "--index=%ld", o->index);
        words_adds(w, o->index_axis == 0 ? "--index-axis=first" : "--index-axis=last");
    }
    if (o->raw != NULL) {
        words_adds(w, "--raw");
        words_adds(w, o->raw);
    }
    if (o->quiet)
        words_adds(w, "--quiet");
    if (o->resume)
        words_adds(w, "--resume");
    if (o->overwrite)
        words_adds(w, "--overwrite");
    if (o->profile)
        words_adds(w, "--profile");
    render_canonical_look(o, w);
    render_canonical_camera(o, w);
    if (o->input_count > 1)
        words_addf(w, "--frames-per-input=%d", o->frames_per_input);
    if (o->input != NULL) {
        words_adds(w, "--");
        for (int s = 0; s < cc_render_options_input_count(o); s++)
            words_adds(w, cc_render_options_input_path(o, s));
    }
}

static int same_range(const cc_value_range *a, const cc_value_range *b)
{
    if (a->given != b->given || a->automatic != b->automatic || a->percentile != b->percentile)
        return 0;
    return !a->given || a->automatic || (same_double(a->lo, b->lo) && same_double(a->hi, b->hi));
}

static void check_render_same(const cc_render_options *a, const cc_render_options *b)
{
    if (!same_text(a->input, b->input) || !same_text(a->dataset, b->dataset) ||
        !same_text(a->output, b->output) || !same_text(a->raw, b->raw))
        fail("render: round trip changed a file or dataset name");
    if (cc_render_options_input_count(a) != cc_render_options_input_count(b) ||
        a->frames_per_input != b->frames_per_input)
        fail("render: round trip changed the series (%d/%d inputs, %d/%d frames each)",
             cc_render_options_input_count(a), cc_render_options_input_count(b),
             a->frames_per_input, b->frames_per_input);
    for (int s = 0; s < cc_render_options_input_count(a); s++)
        if (!same_text(cc_render_options_input_path(a, s), cc_render_options_input_path(b, s)))
            fail("render: round trip changed input %d of the series", s);
    if (a->frames != b->frames || a->size != b->size || a->precision != b->precision ||
        a->range_begin != b->range_begin || a->range_end != b->range_end ||
        a->projection != b->projection || a->quiet != b->quiet || a->resume != b->resume ||
        a->overwrite != b->overwrite || a->profile != b->profile || a->decomp != b->decomp ||
        a->composite != b->composite || a->projection_size != b->projection_size ||
        a->index != b->index || a->index_axis != b->index_axis)
        fail("render: round trip changed an option (frames %d/%d, size %d/%d, range %d:%d/%d:%d)",
             a->frames, b->frames, a->size, b->size, a->range_begin, a->range_end, b->range_begin,
             b->range_end);
    if (!same_double(a->start_deg, b->start_deg) || !same_double(a->sweep_deg, b->sweep_deg))
        fail("render: round trip changed an angle (%.17g/%.17g, %.17g/%.17g)", a->start_deg,
             b->start_deg, a->sweep_deg, b->sweep_deg);
    if (!same_text(a->tf, b->tf) || !same_text(a->colormap, b->colormap) || a->scale != b->scale ||
        !same_range(&a->data_range, &b->data_range) ||
        !same_range(&a->projection_range, &b->projection_range) ||
        !same_double(a->opacity_unit, b->opacity_unit) || a->bit_depth != b->bit_depth ||
        a->transparent != b->transparent || !same_double(a->background[0], b->background[0]) ||
        !same_double(a->background[1], b->background[1]) ||
        !same_double(a->background[2], b->background[2]))
        fail("render: round trip changed a look option (issue 10)");
    if (a->axis != b->axis || !same_double(a->elevation_deg, b->elevation_deg) ||
        !same_double(a->zoom, b->zoom) || a->fit != b->fit || a->spacing_auto != b->spacing_auto ||
        !same_double(a->spacing[0], b->spacing[0]) || !same_double(a->spacing[1], b->spacing[1]) ||
        !same_double(a->spacing[2], b->spacing[2]))
        fail("render: round trip changed a camera option (issue 11)");
}

static void fuzz_render(const uint8_t *data, size_t size)
{
    words w, fresh;
    words_split(&w, "render", data, size);
    words_split(&fresh, "render", data, size);
    cc_render_options options, clean_options;
    cc_cli_action action, clean_action;
    cc_error err = {0}, clean_err = {0};
    optopt = 0;
    cc_status status = cc_cli_parse_render(w.argc, w.argv, &options, &action, &err);
    int short_option = optopt;
    reset_getopt(1);
    cc_status clean =
        cc_cli_parse_render(fresh.argc, fresh.argv, &clean_options, &clean_action, &clean_err);
    reset_getopt(0);
    check_repeatable("render", status, action, &err, clean, clean_action, &clean_err);
    if (status != CC_OK) {
        check_failure("render", status, &err, short_option);
    } else if (action == CC_CLI_RUN) {
        cc_render_options defaults = cc_render_options_default();
        const char *names[] = {options.input, options.dataset, options.output,
                               options.raw,   options.tf,      options.colormap};
        const char *allowed[] = {defaults.input, defaults.dataset, defaults.output,
                                 defaults.raw,   defaults.tf,      defaults.colormap};
        /* --inputs LIST's paths are the parser's own copies. */
        for (int n = options.input_storage != NULL; n < 6; n++)
            if (names[n] != allowed[n] && !from_words(&w, names[n]))
                fail("render: a returned name points outside argv");
        cc_error check_err = {0};
        cc_status checked = cc_render_options_check(&options, &check_err);
        if (checked == CC_OK)
            check_render_ranges(&options);
        else
            check_failure("render (check)", checked, &check_err, 0);

        words again;
        render_canonical(&options, &again);
        cc_render_options reparsed;
        cc_cli_action action2;
        cc_error err2 = {0};
        cc_status status2 = cc_cli_parse_render(again.argc, again.argv, &reparsed, &action2, &err2);
        reset_getopt(0);
        if (status2 != CC_OK || action2 != CC_CLI_RUN)
            fail("render: canonical form rejected: %s", err2.message);
        check_render_same(&options, &reparsed);
        cc_render_options_release(&reparsed);
        words_free(&again);
    }
    cc_render_options_release(&options);
    cc_render_options_release(&clean_options);
    words_free(&w);
    words_free(&fresh);
}

static void fuzz_generate(const uint8_t *data, size_t size)
{
    words w, fresh;
    words_split(&w, "generate", data, size);
    words_split(&fresh, "generate", data, size);
    const char *path, *clean_path;
    cc_generate_options options, clean_options;
    cc_cli_action action, clean_action;
    cc_error err = {0}, clean_err = {0};
    optopt = 0;
    cc_status status = cc_cli_parse_generate(w.argc, w.argv, &path, &options, &action, &err);
    int short_option = optopt;
    reset_getopt(1);
    cc_status clean = cc_cli_parse_generate(fresh.argc, fresh.argv, &clean_path, &clean_options,
                                            &clean_action, &clean_err);
    reset_getopt(0);
    check_repeatable("generate", status, action, &err, clean, clean_action, &clean_err);
    if (status != CC_OK) {
        check_failure("generate", status, &err, short_option);
    } else if (action == CC_CLI_RUN && path != NULL && !from_words(&w, path) && !FUZZ_STRICT) {
        /* known bug 4: path is in cc_cli_parse_generate's dead frame */
    } else if (action == CC_CLI_RUN) {
        if (path == NULL || options.dataset == NULL)
            fail("generate: accepted without a file or dataset");
        if (!from_words(&w, path))
            fail("generate: the file name points outside argv");
        if (!from_words(&w, options.dataset) && strcmp(options.dataset, "density") != 0)
            fail("generate: the dataset name points outside argv");
        for (int axis = 0; axis < 3; axis++)
            if (options.shape[axis] < 2 || options.shape[axis] > (1L << 20))
                fail("generate: accepted shape %ld on axis %d", options.shape[axis], axis);
        if (options.seed > (uint64_t)LONG_MAX)
            fail("generate: accepted seed %llu", (unsigned long long)options.seed);
        if (options.dtype != CC_FLOAT32 && options.dtype != CC_FLOAT64)
            fail("generate: dtype %d", (int)options.dtype);

        words again;
        words_init(&again, "generate");
        words_adds(&again, "--shape");
        for (int axis = 0; axis < 3; axis++)
            words_addf(&again, "%ld", options.shape[axis]);
        words_addf(&again, "--seed=%llu", (unsigned long long)options.seed);
        words_adds(&again, options.dtype == CC_FLOAT32 ? "--dtype=float32" : "--dtype=float64");
        if (options.force)
            words_adds(&again, "--force");
        if (FUZZ_STRICT) {
            words_adds(&again, "--dataset");
            words_adds(&again, options.dataset);
        } else {
            words_adds(&again, "--dataset=");
            strcat_last(&again, options.dataset);
        }
        words_adds(&again, "--");
        words_adds(&again, path);
        const char *path2;
        cc_generate_options reparsed;
        cc_cli_action action2;
        cc_error err2 = {0};
        cc_status status2 =
            cc_cli_parse_generate(again.argc, again.argv, &path2, &reparsed, &action2, &err2);
        reset_getopt(0);
        if (status2 != CC_OK || action2 != CC_CLI_RUN)
            fail("generate: canonical form rejected: %s", err2.message);
        if (!same_text(path, path2) || !same_text(options.dataset, reparsed.dataset) ||
            memcmp(options.shape, reparsed.shape, sizeof options.shape) != 0 ||
            options.seed != reparsed.seed || options.dtype != reparsed.dtype ||
            options.force != reparsed.force)
            fail("generate: round trip changed the options");
        words_free(&again);
    }
    words_free(&w);
    words_free(&fresh);
}

static void fuzz_info(const uint8_t *data, size_t size)
{
    words w, fresh;
    words_split(&w, "info", data, size);
    words_split(&fresh, "info", data, size);
    const char *path, *clean_path;
    cc_input_choice volume, clean_volume;
    cc_cli_action action, clean_action;
    cc_error err = {0}, clean_err = {0};
    optopt = 0;
    cc_status status = cc_cli_parse_info(w.argc, w.argv, &path, &volume, &action, &err);
    const char *dataset = volume.dataset;
    int short_option = optopt;
    reset_getopt(1);
    cc_status clean = cc_cli_parse_info(fresh.argc, fresh.argv, &clean_path, &clean_volume,
                                        &clean_action, &clean_err);
    reset_getopt(0);
    check_repeatable("info", status, action, &err, clean, clean_action, &clean_err);
    if (status != CC_OK) {
        check_failure("info", status, &err, short_option);
    } else if (action == CC_CLI_RUN) {
        if (path == NULL)
            fail("info: accepted without a file");
        if (!from_words(&w, path) || (dataset != NULL && !from_words(&w, dataset)))
            fail("info: a returned name points outside argv");
        words again;
        words_init(&again, "info");
        if (dataset != NULL) {
            words_adds(&again, "--dataset");
            words_adds(&again, dataset);
        }
        words_adds(&again, "--");
        words_adds(&again, path);
        const char *path2;
        cc_input_choice volume2;
        cc_cli_action action2;
        cc_error err2 = {0};
        cc_status status2 =
            cc_cli_parse_info(again.argc, again.argv, &path2, &volume2, &action2, &err2);
        const char *dataset2 = volume2.dataset;
        reset_getopt(0);
        if (status2 != CC_OK || action2 != CC_CLI_RUN)
            fail("info: canonical form rejected: %s", err2.message);
        if (!same_text(path, path2) || !same_text(dataset, dataset2))
            fail("info: round trip changed the file or dataset");
        words_free(&again);
    }
    words_free(&w);
    words_free(&fresh);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT_BYTES)
        return 0;
    fuzz_render(data, size);
    fuzz_generate(data, size);
    fuzz_info(data, size);
    free_deferred();
    return 0;
}
