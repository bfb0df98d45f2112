/* colormap.c - the named colour maps (colormap.h). */
#include "cubecast/colormap.h"

#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "colormaps.inc"

enum { CC_COLORMAP_ENTRIES = 256 };

struct cc_colormap {
    const char *name;
    const double (*table)[3];
};

static const cc_colormap cc_colormaps[] = {
    {"viridis", cc_colormap_viridis},           /* matplotlib's, the default */
    {"magma", cc_colormap_magma},               /* matplotlib's */
    {"inferno", cc_colormap_inferno},           /* matplotlib's */
    {"plasma", cc_colormap_plasma},             /* matplotlib's */
    {"cividis", cc_colormap_cividis},           /* matplotlib's */
    {"grey", cc_colormap_grey},                 /* i/255 */
    {"Cool to Warm", cc_colormap_cool_to_warm}, /* ParaView's preset, VTK's Msh */
};
enum { CC_COLORMAP_COUNT = (int)(sizeof cc_colormaps / sizeof cc_colormaps[0]) };

/* Other spellings, as normalised by squeeze(). */
static const struct {
    const char *alias, *name;
} cc_colormap_aliases[] = {{"gray", "grey"}, {"coolwarm", "Cool to Warm"}};

/* name in lower case without spaces, '-' and '_'; 0 when it does not fit. */
static int squeeze(const char *name, char *out, size_t size)
{
    size_t n = 0;
    for (const char *c = name; *c != '\0'; c++) {
        if (*c == ' ' || *c == '-' || *c == '_')
            continue;
        if (n + 1 >= size)
            return 0;
        out[n++] = (char)tolower((unsigned char)*c);
    }
    out[n] = '\0';
    return 1;
}

static const cc_colormap *lookup(const char *name)
{
    char key[64], known[64];
    if (!squeeze(name, key, sizeof key) || key[0] == '\0')
        return NULL;
    for (size_t a = 0; a < sizeof cc_colormap_aliases / sizeof cc_colormap_aliases[0]; a++)
        if (strcmp(key, cc_colormap_aliases[a].alias) == 0) {
            name = cc_colormap_aliases[a].name;
            squeeze(name, key, sizeof key);
        }
    for (int m = 0; m < CC_COLORMAP_COUNT; m++)
        if (squeeze(cc_colormaps[m].name, known, sizeof known) && strcmp(key, known) == 0)
            return &cc_colormaps[m];
    return NULL;
}

cc_status cc_colormap_find(const char *name, const cc_colormap **out, cc_error *err)
{
    const cc_colormap *map = name != NULL ? lookup(name) : NULL;
    if (map != NULL) {
        *out = map;
        return CC_OK;
    }
    char names[256] = "";
    size_t used = 0;
    for (int m = 0; m < CC_COLORMAP_COUNT && used < sizeof names; m++) {
        const char *known = cc_colormaps[m].name;
        int quote = strchr(known, ' ') != NULL;
        int n = snprintf(names + used, sizeof names - used, "%s%s%s%s", m > 0 ? ", " : "",
                         quote ? "\"" : "", known, quote ? "\"" : "");
        if (n > 0)
            used += (size_t)n;
    }
    return cc_fail(err, CC_ERR_USAGE, "--colormap: unknown colour map '%s'; known: %s",
                   name != NULL ? name : "", names);
}

const cc_colormap *cc_colormap_default(void)
{
    return &cc_colormaps[0];
}

int cc_colormap_count(void)
{
    return CC_COLORMAP_COUNT;
}

const cc_colormap *cc_colormap_at(int index)
{
    return index >= 0 && index < CC_COLORMAP_COUNT ? &cc_colormaps[index] : NULL;
}

const char *cc_colormap_name(const cc_colormap *map)
{
    return map->name;
}

/* matplotlib's Colormap.__call__ on a float: x = t * N; x < 0 -> under
 * (the first colour, by default); x == N -> N - 1; x > N -> over (the
 * last); else the entry int(x); NaN -> bad. */
int cc_colormap_index(double t)
{
    if (isnan(t))
        return -1;
    double x = t * (double)CC_COLORMAP_ENTRIES;
    if (x < 0.0)
        return 0;
    if (x >= (double)CC_COLORMAP_ENTRIES)
        return CC_COLORMAP_ENTRIES - 1;
    return (int)x;
}

void cc_colormap_rgb(const cc_colormap *map, double t, double rgb[3])
{
    int index = cc_colormap_index(t);
    for (int c = 0; c < 3; c++)
        rgb[c] = index < 0 ? 0.0 : map->table[index][c];
}

void cc_colormap_rgb8(const cc_colormap *map, double t, uint8_t rgb[3])
{
    int index = cc_colormap_index(t);
    /* matplotlib: (lut * 255).astype(np.uint8), a truncation. */
    for (int c = 0; c < 3; c++)
        rgb[c] = index < 0 ? 0 : (uint8_t)(map->table[index][c] * 255.0);
}
