/* test_colormap.c - the named colour maps (colormap.h): names and aliases,
 * the message for an unknown name, matplotlib's choice of entry, table
 * ends, luminance rising through the viridis family and grey, Cool to
 * Warm's ends against ParaView's preset, and viridis in 8 bits against
 * matplotlib's viridis(..., bytes=True). */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "cubecast/colormap.h"

/* The colour of entry i: t in the middle of its bin. */
static void entry(const cc_colormap *map, int i, double rgb[3])
{
    cc_colormap_rgb(map, (i + 0.5) / 256.0, rgb);
}

static const cc_colormap *find(const char *name)
{
    const cc_colormap *map = NULL;
    cc_error err;
    cc_error_clear(&err);
    CHECK_INT(cc_colormap_find(name, &map, &err), CC_OK);
    return map;
}

static void check_names(void)
{
    static const char *const names[] = {"viridis", "magma", "inferno",     "plasma",
                                        "cividis", "grey",  "Cool to Warm"};
    CHECK_INT(cc_colormap_count(), 7);
    for (int m = 0; m < 7; m++) {
        const cc_colormap *map = cc_colormap_at(m);
        CHECK(map != NULL && strcmp(cc_colormap_name(map), names[m]) == 0);
        CHECK(find(names[m]) == map);
    }
    CHECK(cc_colormap_at(-1) == NULL && cc_colormap_at(7) == NULL);
    CHECK(cc_colormap_default() == find("viridis"));
    /* Case, spaces, '-' and '_' do not matter; two aliases. */
    const cc_colormap *warm = find("Cool to Warm");
    CHECK(find("cool-to-warm") == warm);
    CHECK(find("COOL_TO_WARM") == warm);
    CHECK(find("cooltowarm") == warm);
    CHECK(find("coolwarm") == warm);
    CHECK(find("Cool Warm") == warm);
    CHECK(find("gray") == find("grey"));
    CHECK(find("GRAY") == find("grey"));
    CHECK(find("Viridis") == find("viridis"));
    CHECK(find(" magma ") == find("magma"));

    static const char *const unknown[] = {
        "", " ", "jet", "viridis_r", "greys", "cool", "warm", "cool to warm extended", NULL};
    for (int u = 0; unknown[u] != NULL; u++) {
        const cc_colormap *map = (const cc_colormap *)&map;
        cc_error err;
        cc_error_clear(&err);
        CHECK_INT(cc_colormap_find(unknown[u], &map, &err), CC_ERR_USAGE);
        CHECK(map == (const cc_colormap *)&map); /* untouched */
        CHECK_INT(err.status, CC_ERR_USAGE);
        CHECK(strstr(err.message, "--colormap") != NULL);
        CHECK(strchr(err.message, '\n') == NULL); /* one line */
        for (int m = 0; m < 7; m++)
            CHECK(strstr(err.message, cc_colormap_name(cc_colormap_at(m))) != NULL);
    }
    /* A long name is compared whole, never cut to a known prefix. */
    char longname[300];
    strcpy(longname, "viridis");
    memset(longname + 7, 'x', sizeof longname - 8);
    longname[sizeof longname - 1] = '\0';
    const cc_colormap *map = NULL;
    CHECK_INT(cc_colormap_find(longname, &map, NULL), CC_ERR_USAGE);
    CHECK(map == NULL);
    /* Spaces, however many, are ignored. */
    memset(longname, ' ', sizeof longname - 6);
    strcpy(longname + sizeof longname - 6, "magma");
    CHECK(find(longname) == find("magma"));
}

/* matplotlib's Colormap.__call__: x = 256 t, under -> first, x == 256 ->
 * last, over -> last, else floor(x); NaN -> bad. */
static void check_index(void)
{
    CHECK_INT(cc_colormap_index(0.0), 0);
    CHECK_INT(cc_colormap_index(-0.0), 0);
    CHECK_INT(cc_colormap_index(1.0), 255);
    CHECK_INT(cc_colormap_index(0.5), 128);
    CHECK_INT(cc_colormap_index(nextafter(0.5, 0.0)), 127);
    CHECK_INT(cc_colormap_index(1.0 / 256.0), 1);
    CHECK_INT(cc_colormap_index(nextafter(1.0 / 256.0, 0.0)), 0);
    CHECK_INT(cc_colormap_index(255.0 / 256.0), 255);
    CHECK_INT(cc_colormap_index(nextafter(255.0 / 256.0, 0.0)), 254);
    CHECK_INT(cc_colormap_index(-1e-300), 0);
    CHECK_INT(cc_colormap_index(-7.0), 0);
    CHECK_INT(cc_colormap_index(-INFINITY), 0);
    CHECK_INT(cc_colormap_index(1.0 + 1e-12), 255);
    CHECK_INT(cc_colormap_index(1e300), 255);
    CHECK_INT(cc_colormap_index(INFINITY), 255);
    CHECK_INT(cc_colormap_index(NAN), -1);
    for (int i = 0; i < 256; i++) {
        CHECK_INT(cc_colormap_index(i / 256.0), i);
        CHECK_INT(cc_colormap_index((i + 0.999) / 256.0), i);
    }
    double rgb[3];
    uint8_t rgb8[3] = {1, 2, 3};
    cc_colormap_rgb(cc_colormap_default(), NAN, rgb);
    CHECK(rgb[0] == 0.0 && rgb[1] == 0.0 && rgb[2] == 0.0);
    cc_colormap_rgb8(cc_colormap_default(), NAN, rgb8);
    CHECK(rgb8[0] == 0 && rgb8[1] == 0 && rgb8[2] == 0);
}

/* Relative luminance Y of an sRGB colour (IEC 61966-2-1, Rec. 709). */
static double luminance(const double rgb[3])
{
    double lin[3];
    for (int c = 0; c < 3; c++)
        lin[c] = rgb[c] <= 0.04045 ? rgb[c] / 12.92 : pow((rgb[c] + 0.055) / 1.055, 2.4);
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}

static void check_tables(void)
{
    /* Every entry in [0, 1]; t = 0 and t = 1 are the ends; under and over
     * are the ends too. */
    for (int m = 0; m < cc_colormap_count(); m++) {
        const cc_colormap *map = cc_colormap_at(m);
        double a[3], b[3];
        for (int i = 0; i < 256; i++) {
            entry(map, i, a);
            for (int c = 0; c < 3; c++)
                CHECK(a[c] >= 0.0 && a[c] <= 1.0);
        }
        entry(map, 0, a);
        cc_colormap_rgb(map, -3.0, b);
        CHECK(memcmp(a, b, sizeof a) == 0);
        cc_colormap_rgb(map, 0.0, b);
        CHECK(memcmp(a, b, sizeof a) == 0);
        entry(map, 255, a);
        cc_colormap_rgb(map, 4.0, b);
        CHECK(memcmp(a, b, sizeof a) == 0);
        cc_colormap_rgb(map, 1.0, b);
        CHECK(memcmp(a, b, sizeof a) == 0);
    }

    /* The ends as matplotlib lists them (_cm_listed.py). */
    static const struct {
        const char *name;
        double first[3], last[3];
    } ends[] = {
        {"viridis", {0.267004, 0.004874, 0.329415}, {0.993248, 0.906157, 0.143936}},
        {"magma", {0.001462, 0.000466, 0.013866}, {0.987053, 0.991438, 0.749504}},
        {"inferno", {0.001462, 0.000466, 0.013866}, {0.988362, 0.998364, 0.644924}},
        {"plasma", {0.050383, 0.029803, 0.527975}, {0.940015, 0.975158, 0.131326}},
        {"cividis", {0.0, 0.135112, 0.304751}, {0.995737, 0.909344, 0.217772}},
        {"grey", {0.0, 0.0, 0.0}, {1.0, 1.0, 1.0}},
    };
    for (size_t e = 0; e < sizeof ends / sizeof ends[0]; e++) {
        const cc_colormap *map = find(ends[e].name);
        double a[3], b[3];
        cc_colormap_rgb(map, 0.0, a);
        cc_colormap_rgb(map, 1.0, b);
        for (int c = 0; c < 3; c++) {
            CHECK_SAME(a[c], ends[e].first[c]);
            CHECK_SAME(b[c], ends[e].last[c]);
        }
    }

    /* Perceptually ordered maps: luminance rises at every step. */
    static const char *const rising[] = {"viridis", "magma",   "inferno",
                                         "plasma",  "cividis", "grey"};
    for (int m = 0; m < 6; m++) {
        const cc_colormap *map = find(rising[m]);
        double prev[3], cur[3];
        entry(map, 0, prev);
        for (int i = 1; i < 256; i++) {
            entry(map, i, cur);
            if (!(luminance(cur) > luminance(prev)))
                fprintf(stderr, "%s: luminance falls from entry %d to %d\n", rising[m], i - 1, i);
            CHECK(luminance(cur) > luminance(prev));
            memcpy(prev, cur, sizeof prev);
        }
    }

    /* grey is exactly i/255, and so i in 8 bits. */
    const cc_colormap *grey = find("grey");
    for (int i = 0; i < 256; i++) {
        double rgb[3];
        uint8_t rgb8[3];
        entry(grey, i, rgb);
        cc_colormap_rgb8(grey, (i + 0.5) / 256.0, rgb8);
        for (int c = 0; c < 3; c++) {
            CHECK_SAME(rgb[c], i / 255.0);
            CHECK_INT(rgb8[c], i);
        }
    }
}

/* ParaView's "Cool to Warm" (Remoting/Views/ColorMaps.json): RGBPoints
 * 0: (0.23137254902, 0.298039215686, 0.752941176471), 0.5: 0.865 grey,
 * 1: (0.705882352941, 0.0156862745098, 0.149019607843), ColorSpace
 * Diverging. */
static void check_cool_to_warm(void)
{
    static const double low[3] = {0.23137254902, 0.298039215686, 0.752941176471};
    static const double high[3] = {0.705882352941, 0.0156862745098, 0.149019607843};
    const cc_colormap *map = find("Cool to Warm");
    double a[3], b[3];
    cc_colormap_rgb(map, 0.0, a);
    cc_colormap_rgb(map, 1.0, b);
    for (int c = 0; c < 3; c++) {
        /* VTK returns the first node as is; the last comes back through
         * Msh -> Lab -> XYZ -> sRGB with vtkMath's 4-digit matrices, which
         * moves it by 1.3e-4 (a thirtieth of an 8-bit level). */
        CHECK_SAME(a[c], low[c]);
        CHECK_NEAR(b[c], high[c], 2e-4);
    }
    /* The middle is the preset's grey (the paper's white, M = 88). */
    double mid_lo[3], mid_hi[3];
    entry(map, 127, mid_lo);
    entry(map, 128, mid_hi);
    for (int c = 0; c < 3; c++) {
        CHECK_NEAR(mid_lo[c], 0.865, 0.005);
        CHECK_NEAR(mid_hi[c], 0.865, 0.005);
    }
    /* Blue half: blue above red; red half: red above blue. */
    double rgb[3];
    for (int i = 0; i < 256; i++) {
        entry(map, i, rgb);
        if (i < 127)
            CHECK(rgb[2] > rgb[0]);
        if (i > 128)
            CHECK(rgb[0] > rgb[2]);
    }
    /* Diverging: luminance rises to the middle and falls after it. */
    double prev[3], cur[3];
    entry(map, 0, prev);
    for (int i = 1; i < 256; i++) {
        entry(map, i, cur);
        if (i <= 127)
            CHECK(luminance(cur) > luminance(prev));
        else if (i >= 129)
            CHECK(luminance(cur) < luminance(prev));
        memcpy(prev, cur, sizeof prev);
    }
}

/* matplotlib's viridis(np.arange(256), bytes=True) at a few entries, as
 * src/viridis.inc listed them (the table projection.png was drawn with
 * before this module; all 256 entries were equal when it replaced it). */
static void check_viridis_bytes(void)
{
    static const struct {
        int index;
        uint8_t rgb[3];
    } known[] = {{0, {68, 1, 84}},      {1, {68, 2, 85}},      {3, {69, 5, 88}},
                 {18, {72, 26, 108}},   {127, {32, 143, 140}}, {128, {32, 144, 140}},
                 {200, {112, 206, 86}}, {254, {250, 230, 34}}, {255, {253, 231, 36}}};
    const cc_colormap *viridis = find("viridis");
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
        uint8_t rgb[3];
        cc_colormap_rgb8(viridis, (known[k].index + 0.5) / 256.0, rgb);
        for (int c = 0; c < 3; c++)
            CHECK_INT(rgb[c], known[k].rgb[c]);
    }
}

int main(void)
{
    check_names();
    check_index();
    check_tables();
    check_cool_to_warm();
    check_viridis_bytes();
    return check_result("test_colormap");
}
