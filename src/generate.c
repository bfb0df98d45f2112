/* generate.c - a deterministic synthetic datacube.
 *
 * The field imitates a centrally condensed molecular cloud, built so that each
 * band of the transfer function (on s = ln(density)) has something to show:
 *
 *   density = exp(background) + exp(beta * m(x)) * sum_k A_k exp(-q_k(x)) + core
 *
 *   background  lognormal turbulence: ln(density) = mu(r) + sigma * n(x), n a
 *               six-octave value noise of unit variance (features from a
 *               quarter of the box down to under 1 %), sigma = 1.15, mu = -2.3
 *               far out rising by 1.2 towards the centre.  The blue band
 *               (s = -3) catches its lower half: a dim, mottled haze with dark
 *               holes, as in the reference images.
 *   clumps      ellipsoidal Gaussians A_k exp(-q_k), q_k = |M_k (x - c_k)|^2,
 *               strung into short curved chains (lobes, sausages, bent tubes)
 *               round the centre, plus a few wide ones round the core, the sum
 *               modulated by m(x), a coarser noise, so the surfaces wobble and
 *               merge.  ln A_k is only 3.1 to 4.7: the surfaces s = 3 lie near
 *               the tops of the Gaussians, where ln density changes slowly, so
 *               the green band is a shell a few voxels thick that the camera
 *               samples without moire, and small clumps glow right through.
 *   core        one round Gaussian on a grid point near the centre, ln A = 9.5
 *               to 9.8: the yellow band (s = 9) and the cube's maximum.
 *
 * Coordinates are relative to the longest side L of the box (voxel m of an
 * axis of n points sits at (m / (n - 1) - 1/2) * n / L), so every resolution
 * shows the same cloud and a non-cubic box is cut from the middle of the cube
 * of side L.
 *
 * Every voxel is a pure function of its global index and the generator, and
 * every sum is taken in a fixed order, so the bytes depend neither on the slab
 * boundaries nor on the number of OpenMP threads. */
#include "cubecast/generate.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cubecast/atomic_file.h"
#include "cubecast/hdf5_reason.h"
#include "cubecast/stop.h"

/* ---- the look of the cloud (tuned against reference-images/) ---- */

enum {
    CC_OCTAVES_MAX = 6,
    CC_CELLS_MAX = 128,                                /* finest lattice, cells across L */
    CC_LINE_MAX = CC_OCTAVES_MAX * (CC_CELLS_MAX + 4), /* per-row scratch, doubles */
    CC_CHAINS = 32,
    CC_BEADS_MAX = 4,
    CC_HALO = 6,
    CC_CLUMPS_MAX = CC_CHAINS * CC_BEADS_MAX + CC_HALO,
    CC_AXIS_MAX = 1 << 20, /* absurd beyond this; also keeps lattice indices in int */
};

/* Background: lattice cells across L per octave and their weights, falling
 * slowly so the fine mottling of the reference images survives. */
static const int cc_background_cells[] = {4, 8, 16, 32, 64, 128};
static const double cc_background_weights[] = {0.6, 0.7, 0.8, 0.8, 0.8, 0.8};
static const double cc_background_mean = -2.3;   /* ln density far from the centre */
static const double cc_background_sigma = 1.15;  /* of ln density */
static const double cc_background_rise = 1.2;    /* extra ln density at the centre */
static const double cc_background_radius = 0.25; /* of that rise, in L */

/* Clump surface modulation: coarser than the background, about a clump wide. */
static const int cc_modulation_cells[] = {8, 16};
static const double cc_modulation_weights[] = {1.0, 0.5};
static const double cc_modulation_strength = 0.6; /* beta, in ln density */

/* Chains of clumps: start points scattered round the centre (Gaussian, redrawn
 * beyond the maximum), bead radii in L, ln amplitudes. */
static const double cc_chain_spread = 0.065;
static const double cc_chain_spread_max = 0.2;
static const double cc_bead_radius_min = 0.012;
static const double cc_bead_radius_max = 0.04;
static const double cc_bead_log_amplitude_min = 3.3;
static const double cc_bead_log_amplitude_max = 4.5;

/* Wide clumps round the core: nested, wobbly shells. */
static const double cc_halo_radius_min = 0.03;
static const double cc_halo_radius_max = 0.05;
static const double cc_halo_log_amplitude_min = 3.6;
static const double cc_halo_log_amplitude_max = 4.3;

static const double cc_core_radius = 0.016;
static const double cc_core_log_amplitude_min = 9.5;
static const double cc_core_log_amplitude_max = 9.8;

/* A clump is cut off where it falls this far (in ln) below the mean far
 * background, which leaves a step of about 0.1 % of it (a few % in the
 * deepest voids): far below what the transfer function can show. */
static const double cc_cut_margin = 7.0;

/* The variance of one octave: lattice values uniform in [-1, 1) have variance
 * 1/3, and the cubic B-spline multiplies it by the mean over t of the sum of
 * its squared weights, 151/315, once per axis. */
static const double cc_octave_variance =
    (1.0 / 3.0) * (151.0 / 315.0) * (151.0 / 315.0) * (151.0 / 315.0);

/* Slabs of about this many bytes of doubles are generated and written. */
static const size_t cc_slab_bytes = (size_t)4 << 20;

/* ---- random numbers ---- */

/* splitmix64: tiny, fast and fully specified, so a seed draws the same
 * structure everywhere.  (The voxels also go through libm's exp, so another C
 * library may differ in the last bit.) */
static uint64_t cc_next(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Uniform in [0, 1), 53 bits. */
static double cc_uniform(uint64_t *state)
{
    return (double)(cc_next(state) >> 11) * 0x1.0p-53;
}

static double cc_uniform_in(uint64_t *state, double low, double high)
{
    return low + (high - low) * cc_uniform(state);
}

/* Log-uniform in [low, high): sizes spread evenly over scales. */
static double cc_log_uniform(uint64_t *state, double low, double high)
{
    return low * exp(log(high / low) * cc_uniform(state));
}

/* Standard normal by Box-Muller (one value per call is plenty here). */
static double cc_normal(uint64_t *state)
{
    const double u = 1.0 - cc_uniform(state); /* (0, 1], so log is finite */
    const double v = cc_uniform(state);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* A uniformly random unit vector (rejection from the cube keeps it uniform). */
static void cc_direction(uint64_t *state, double v[3])
{
    double norm2;
    do {
        for (int i = 0; i < 3; i++)
            v[i] = 2.0 * cc_uniform(state) - 1.0;
        norm2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
    } while (norm2 > 1.0 || norm2 < 1e-6);
    const double inv = 1.0 / sqrt(norm2);
    for (int i = 0; i < 3; i++)
        v[i] *= inv;
}

/* An independent stream per part of the cube, so changing (say) the number
 * of clumps does not reshuffle the background. */
static uint64_t cc_stream(uint64_t seed, uint64_t part)
{
    uint64_t state = seed ^ (part * UINT64_C(0xD1B54A32D192ED03));
    return cc_next(&state);
}

/* ---- value noise ---- */

/* Value noise smoothed by a cubic B-spline: C2 like Perlin's quintic fade, but
 * without its flat plateaus at the lattice points, which show as a square grid
 * in projections.  The B-spline is separable, so a row of voxels needs the
 * lattice collapsed in x and y once and then four taps per voxel. */
typedef struct cc_octave {
    long size;         /* lattice points per axis: cells + 4 (spline support, shift) */
    double *values;    /* size^3, z fastest, already scaled by the weight */
    int *index[3];     /* per axis and grid point: the first of the four taps */
    double *weight[3]; /* per axis and grid point: the four B-spline weights */
} cc_octave;

typedef struct cc_noise {
    int octaves;
    cc_octave octave[CC_OCTAVES_MAX];
} cc_noise;

static void cc_octave_free(cc_octave *octave)
{
    free(octave->values);
    for (int axis = 0; axis < 3; axis++) {
        free(octave->index[axis]);
        free(octave->weight[axis]);
    }
    memset(octave, 0, sizeof *octave);
}

static void cc_noise_free(cc_noise *noise)
{
    for (int o = 0; o < noise->octaves; o++)
        cc_octave_free(&noise->octave[o]);
    noise->octaves = 0;
}

/* Draws the lattices and tabulates, per axis, where each grid point falls in
 * them.  coord[axis] holds the grid's coordinates, all in [-1/2, 1/2]. */
static cc_status cc_noise_init(cc_noise *noise, const long shape[3], double *const coord[3],
                               const int *cells, const double *weights, int octaves, uint64_t seed,
                               uint64_t part, cc_error *err)
{
    memset(noise, 0, sizeof *noise);
    if (octaves > CC_OCTAVES_MAX)
        return cc_fail(err, CC_ERR_INTERNAL, "too many noise octaves (%d)", octaves);
    double total = 0.0;
    for (int o = 0; o < octaves; o++) {
        if (cells[o] < 1 || cells[o] > CC_CELLS_MAX)
            return cc_fail(err, CC_ERR_INTERNAL, "noise octave %d out of range", o);
        total += weights[o] * weights[o];
    }
    /* Unit variance for the sum, whatever the weights. */
    const double scale = 1.0 / sqrt(total * cc_octave_variance);

    for (int o = 0; o < octaves; o++) {
        cc_octave *octave = &noise->octave[o];
        noise->octaves = o + 1;
        uint64_t state = cc_stream(seed, part + (uint64_t)o);
        octave->size = cells[o] + 4;
        const size_t count = (size_t)octave->size * (size_t)octave->size * (size_t)octave->size;
        octave->values = malloc(count * sizeof *octave->values);
        if (octave->values == NULL)
            goto out_of_memory;
        for (size_t i = 0; i < count; i++)
            octave->values[i] = (2.0 * cc_uniform(&state) - 1.0) * weights[o] * scale;

        for (int axis = 0; axis < 3; axis++) {
            const long n = shape[axis];
            /* A random shift per octave and axis keeps the lattices of the
             * octaves from lining up with each other and with the box faces. */
            const double shift = cc_uniform(&state);
            octave->index[axis] = malloc((size_t)n * sizeof *octave->index[axis]);
            octave->weight[axis] = malloc((size_t)n * 4 * sizeof *octave->weight[axis]);
            if (octave->index[axis] == NULL || octave->weight[axis] == NULL)
                goto out_of_memory;
            for (long m = 0; m < n; m++) {
                const double u = (coord[axis][m] + 0.5) * cells[o] + shift; /* [0, cells+1] */
                long cell = (long)floor(u);
                if (cell < 0)
                    cell = 0;
                if (cell > octave->size - 4)
                    cell = octave->size - 4;
                double t = u - (double)cell;
                t = t < 0.0 ? 0.0 : (t > 1.0 ? 1.0 : t);
                const double r = 1.0 - t;
                double *w = octave->weight[axis] + 4 * m;
                w[0] = r * r * r / 6.0;
                w[1] = (t * t * (3.0 * t - 6.0) + 4.0) / 6.0;
                w[2] = (t * (t * (3.0 - 3.0 * t) + 3.0) + 1.0) / 6.0;
                w[3] = t * t * t / 6.0;
                octave->index[axis][m] = (int)cell;
            }
        }
    }
    return CC_OK;

out_of_memory:
    cc_noise_free(noise);
    return cc_fail(err, CC_ERR_NOMEM, "out of memory drawing the noise lattice");
}

/* Collapses the noise onto one row (fixed x and y): line holds, octave after
 * octave, the lattice smoothed in x and y at each lattice plane, so a voxel of
 * the row needs only the four taps in z per octave. */
static void cc_noise_row(const cc_noise *noise, long x, long y, double *line)
{
    for (int o = 0; o < noise->octaves; o++) {
        const cc_octave *octave = &noise->octave[o];
        const long size = octave->size;
        const long ix = octave->index[0][x];
        const long iy = octave->index[1][y];
        const double *wx = octave->weight[0] + 4 * x;
        const double *wy = octave->weight[1] + 4 * y;
        for (long c = 0; c < size; c++)
            line[c] = 0.0;
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++) {
                const double w = wx[a] * wy[b];
                const double *v = octave->values + ((ix + a) * size + iy + b) * size;
                for (long c = 0; c < size; c++)
                    line[c] += w * v[c];
            }
        line += size;
    }
}

/* The noise at voxel z of a row collapsed by cc_noise_row. */
static double cc_noise_at(const cc_noise *noise, const double *line, long z)
{
    double sum = 0.0;
    for (int o = 0; o < noise->octaves; o++) {
        const cc_octave *octave = &noise->octave[o];
        const double *l = line + octave->index[2][z];
        const double *w = octave->weight[2] + 4 * z;
        sum += w[0] * l[0] + w[1] * l[1] + w[2] * l[2] + w[3] * l[3];
        line += octave->size;
    }
    return sum;
}

/* ---- clumps ---- */

typedef struct cc_clump {
    double centre[3];
    double metric[3][3]; /* rows: principal axis / radius; q = |metric (x - centre)|^2 */
    double log_amplitude;
    double q_cut;          /* the clump is ignored beyond this q */
    double half_extent[3]; /* of the box holding q <= q_cut */
} cc_clump;

struct cc_generator {
    long shape[3];
    long longest;        /* L, the longest side: the unit of length */
    double *coord[3];    /* per axis: the coordinate of each grid point, in L */
    double *envelope[3]; /* per axis: exp(-(coord / radius)^2), for the central rise */
    cc_noise background;
    cc_noise modulation;
    int clump_count;
    cc_clump clumps[CC_CLUMPS_MAX];
    cc_clump core;
};

/* An ellipsoidal Gaussian with radii r[0..2] along a random orientation. */
static void cc_clump_init(cc_clump *clump, const double centre[3], const double r[3],
                          double log_amplitude, uint64_t *state)
{
    /* A uniformly random rotation from a random unit quaternion (rejection
     * from the 4-cube keeps it uniform and needs no trigonometry). */
    double q[4];
    double norm2;
    do {
        for (int i = 0; i < 4; i++)
            q[i] = 2.0 * cc_uniform(state) - 1.0;
        norm2 = q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3];
    } while (norm2 > 1.0 || norm2 < 1e-6);
    const double inv = 1.0 / sqrt(norm2);
    const double w = q[0] * inv, a = q[1] * inv, b = q[2] * inv, c = q[3] * inv;
    const double rot[3][3] = {
        {1 - 2 * (b * b + c * c), 2 * (a * b - c * w), 2 * (a * c + b * w)},
        {2 * (a * b + c * w), 1 - 2 * (a * a + c * c), 2 * (b * c - a * w)},
        {2 * (a * c - b * w), 2 * (b * c + a * w), 1 - 2 * (a * a + b * b)},
    };

    memcpy(clump->centre, centre, sizeof clump->centre);
    clump->log_amplitude = log_amplitude;
    clump->q_cut = log_amplitude - cc_background_mean + cc_cut_margin;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            clump->metric[i][j] = rot[i][j] / r[i];
    /* The ellipsoid q <= q_cut reaches sqrt(q_cut) * |row i of metric^-1| along
     * world axis i, and metric^-1 = rot^T diag(r). */
    for (int i = 0; i < 3; i++) {
        double s = 0.0;
        for (int j = 0; j < 3; j++)
            s += rot[j][i] * rot[j][i] * r[j] * r[j];
        clump->half_extent[i] = sqrt(clump->q_cut * s);
    }
}

/* The coordinate of the grid point nearest to c along an axis. */
static double cc_snap(const cc_generator *g, int axis, double c)
{
    const long n = g->shape[axis];
    const double extent = (double)n / (double)g->longest;
    long m = lround((c / extent + 0.5) * (double)(n - 1));
    m = m < 0 ? 0 : (m > n - 1 ? n - 1 : m);
    return g->coord[axis][m];
}

static void cc_clumps_init(cc_generator *g, uint64_t seed)
{
    uint64_t state = cc_stream(seed, 100);
    g->clump_count = 0;

    /* Chains: a random walk of beads with some persistence, which sums to the
     * lobes, sausages and bent tubes of a real cloud rather than a heap of
     * balls. */
    for (int chain = 0; chain < CC_CHAINS; chain++) {
        double at[3];
        double distance2;
        do {
            distance2 = 0.0;
            for (int i = 0; i < 3; i++) {
                at[i] = cc_chain_spread * cc_normal(&state);
                distance2 += at[i] * at[i];
            }
        } while (distance2 > cc_chain_spread_max * cc_chain_spread_max);
        const int beads = 1 + (int)(cc_uniform(&state) * CC_BEADS_MAX);
        const double radius = cc_log_uniform(&state, cc_bead_radius_min, cc_bead_radius_max);
        const double log_amplitude =
            cc_uniform_in(&state, cc_bead_log_amplitude_min, cc_bead_log_amplitude_max);
        double heading[3];
        cc_direction(&state, heading);
        for (int bead = 0; bead < beads; bead++) {
            const double scale = cc_uniform_in(&state, 0.7, 1.0);
            const double r[3] = {radius * scale, radius * scale * cc_uniform_in(&state, 0.5, 1.0),
                                 radius * scale * cc_uniform_in(&state, 0.5, 1.0)};
            cc_clump_init(&g->clumps[g->clump_count++], at, r,
                          log_amplitude + cc_uniform_in(&state, -0.2, 0.2), &state);
            /* Turn a little and step about a radius on. */
            double turn[3];
            cc_direction(&state, turn);
            double norm2 = 0.0;
            for (int i = 0; i < 3; i++) {
                heading[i] += 0.7 * turn[i];
                norm2 += heading[i] * heading[i];
            }
            const double inv = 1.0 / sqrt(norm2);
            const double step = radius * cc_uniform_in(&state, 0.9, 1.3);
            for (int i = 0; i < 3; i++) {
                heading[i] *= inv;
                at[i] += step * heading[i];
            }
        }
    }

    /* The core sits on the grid point nearest a spot close to the centre, so
     * the cube's maximum is the core's peak at every resolution. */
    double centre[3];
    for (int i = 0; i < 3; i++)
        centre[i] = cc_snap(g, i, 0.01 * cc_normal(&state));
    for (int k = 0; k < CC_HALO; k++) {
        double at[3];
        for (int i = 0; i < 3; i++)
            at[i] = centre[i] + 0.01 * cc_normal(&state);
        const double radius = cc_uniform_in(&state, cc_halo_radius_min, cc_halo_radius_max);
        const double r[3] = {radius, radius * cc_uniform_in(&state, 0.7, 1.0),
                             radius * cc_uniform_in(&state, 0.7, 1.0)};
        cc_clump_init(&g->clumps[g->clump_count++], at, r,
                      cc_uniform_in(&state, cc_halo_log_amplitude_min, cc_halo_log_amplitude_max),
                      &state);
    }
    const double r[3] = {cc_core_radius, cc_core_radius, cc_core_radius};
    cc_clump_init(&g->core, centre, r,
                  cc_uniform_in(&state, cc_core_log_amplitude_min, cc_core_log_amplitude_max),
                  &state);
}

/* Adds the clump's A exp(-q) to the voxels of row (x, y) that it reaches.
 * Returns whether it reached any. */
static int cc_clump_row(const cc_generator *g, const cc_clump *clump, long x, long y, double *row)
{
    const double dx = g->coord[0][x] - clump->centre[0];
    const double dy = g->coord[1][y] - clump->centre[1];
    if (fabs(dx) > clump->half_extent[0] || fabs(dy) > clump->half_extent[1])
        return 0;
    /* Along the row, metric (x - centre) = alpha + beta t with t = z - c_z, so
     * q(t) = |beta|^2 t^2 + 2 (alpha . beta) t + |alpha|^2: solve q <= q_cut
     * for the run of voxels to visit. */
    double alpha[3], beta[3];
    for (int i = 0; i < 3; i++) {
        alpha[i] = clump->metric[i][0] * dx + clump->metric[i][1] * dy;
        beta[i] = clump->metric[i][2];
    }
    const double qa = beta[0] * beta[0] + beta[1] * beta[1] + beta[2] * beta[2];
    const double qb = alpha[0] * beta[0] + alpha[1] * beta[1] + alpha[2] * beta[2];
    const double qc = alpha[0] * alpha[0] + alpha[1] * alpha[1] + alpha[2] * alpha[2];
    const double disc = qb * qb - qa * (qc - clump->q_cut);
    if (disc <= 0.0)
        return 0;
    const double root = sqrt(disc);
    const double z0 = (-qb - root) / qa + clump->centre[2];
    const double z1 = (-qb + root) / qa + clump->centre[2];

    /* From coordinates back to grid indices along z. */
    const long n = g->shape[2];
    const double *zc = g->coord[2];
    const double per_index = (double)(n - 1) / (zc[n - 1] - zc[0]);
    const double m0 = ceil((z0 - zc[0]) * per_index);
    const double m1 = floor((z1 - zc[0]) * per_index);
    const long first = m0 < 0.0 ? 0 : (long)m0;
    const long last = m1 > (double)(n - 1) ? n - 1 : (long)m1;
    if (first > last)
        return 0;
    for (long z = first; z <= last; z++) {
        const double t = zc[z] - clump->centre[2];
        const double e0 = alpha[0] + beta[0] * t;
        const double e1 = alpha[1] + beta[1] * t;
        const double e2 = alpha[2] + beta[2] * t;
        row[z] += exp(clump->log_amplitude - (e0 * e0 + e1 * e1 + e2 * e2));
    }
    return 1;
}

/* ---- the generator ---- */

static cc_status cc_check_shape(const long shape[3], cc_error *err)
{
    double voxels = 1.0;
    for (int axis = 0; axis < 3; axis++) {
        if (shape[axis] < 2 || shape[axis] > CC_AXIS_MAX)
            return cc_fail(err, CC_ERR_USAGE,
                           "cube shape %ld x %ld x %ld: each side must be 2 to %d points", shape[0],
                           shape[1], shape[2], (int)CC_AXIS_MAX);
        voxels *= (double)shape[axis];
    }
    /* 2^40 voxels is 4 TiB of float32: surely a typo. */
    if (voxels > 0x1.0p40)
        return cc_fail(err, CC_ERR_USAGE, "cube shape %ld x %ld x %ld: too many voxels", shape[0],
                       shape[1], shape[2]);
    return CC_OK;
}

void cc_generator_destroy(cc_generator *generator)
{
    if (generator == NULL)
        return;
    cc_noise_free(&generator->background);
    cc_noise_free(&generator->modulation);
    for (int axis = 0; axis < 3; axis++) {
        free(generator->coord[axis]);
        free(generator->envelope[axis]);
    }
    free(generator);
}

cc_status cc_generator_create(const cc_generate_options *options, cc_generator **out, cc_error *err)
{
    if (out == NULL || options == NULL)
        return cc_fail(err, CC_ERR_INTERNAL, "cc_generator_create: NULL argument");
    *out = NULL;
    cc_status status = cc_check_shape(options->shape, err);
    if (status != CC_OK)
        return status;

    cc_generator *g = calloc(1, sizeof *g);
    if (g == NULL)
        return cc_fail(err, CC_ERR_NOMEM, "out of memory creating the generator");
    for (int axis = 0; axis < 3; axis++) {
        g->shape[axis] = options->shape[axis];
        if (g->shape[axis] > g->longest)
            g->longest = g->shape[axis];
    }
    for (int axis = 0; axis < 3; axis++) {
        const long n = g->shape[axis];
        g->coord[axis] = malloc((size_t)n * sizeof *g->coord[axis]);
        g->envelope[axis] = malloc((size_t)n * sizeof *g->envelope[axis]);
        if (g->coord[axis] == NULL || g->envelope[axis] == NULL) {
            cc_generator_destroy(g);
            return cc_fail(err, CC_ERR_NOMEM, "out of memory creating the generator");
        }
        /* The renderer's grid, linspace(-n/2, n/2, n), in units of L. */
        const double extent = (double)n / (double)g->longest;
        for (long m = 0; m < n; m++) {
            const double c = ((double)m / (double)(n - 1) - 0.5) * extent;
            g->coord[axis][m] = c;
            g->envelope[axis][m] = exp(-(c * c) / (cc_background_radius * cc_background_radius));
        }
    }

    status = cc_noise_init(
        &g->background, g->shape, g->coord, cc_background_cells, cc_background_weights,
        (int)(sizeof cc_background_cells / sizeof cc_background_cells[0]), options->seed, 0, err);
    if (status == CC_OK)
        status = cc_noise_init(&g->modulation, g->shape, g->coord, cc_modulation_cells,
                               cc_modulation_weights,
                               (int)(sizeof cc_modulation_cells / sizeof cc_modulation_cells[0]),
                               options->seed, 50, err);
    if (status != CC_OK) {
        cc_generator_destroy(g);
        return status;
    }
    cc_clumps_init(g, options->seed);
    *out = g;
    return CC_OK;
}

/* One row (fixed x, y) of nz densities; line is scratch for the collapsed
 * noise (CC_LINE_MAX doubles). */
static void cc_fill_row(const cc_generator *g, long x, long y, double *row, double *line)
{
    const long nz = g->shape[2];
    for (long z = 0; z < nz; z++)
        row[z] = 0.0;

    /* Clumps first, summed in index order, then modulated as a whole. */
    int touched = 0;
    for (int k = 0; k < g->clump_count; k++)
        touched |= cc_clump_row(g, &g->clumps[k], x, y, row);
    if (touched) {
        cc_noise_row(&g->modulation, x, y, line);
        for (long z = 0; z < nz; z++)
            if (row[z] > 0.0)
                row[z] *= exp(cc_modulation_strength * cc_noise_at(&g->modulation, line, z));
    }
    cc_clump_row(g, &g->core, x, y, row);

    cc_noise_row(&g->background, x, y, line);
    const double rise = cc_background_rise * g->envelope[0][x] * g->envelope[1][y];
    const double *envelope_z = g->envelope[2];
    for (long z = 0; z < nz; z++) {
        const double s = cc_background_mean + rise * envelope_z[z] +
                         cc_background_sigma * cc_noise_at(&g->background, line, z);
        row[z] += exp(s);
    }
}

void cc_generator_fill(const cc_generator *generator, long x_begin, long x_count, double *out)
{
    if (generator == NULL || out == NULL || x_count <= 0)
        return;
    const long ny = generator->shape[1];
    const long nz = generator->shape[2];
    const long rows = x_count * ny;

    /* Rows are independent, so any split among threads gives the same bytes;
     * dynamic because rows through the clumps cost more. */
#pragma omp parallel
    {
        double line[CC_LINE_MAX]; /* cc_noise_init keeps every noise within it */
#pragma omp for schedule(dynamic, 16)
        for (long r = 0; r < rows; r++)
            cc_fill_row(generator, x_begin + r / ny, r % ny, out + (ptrdiff_t)r * nz, line);
    }
}

/* ---- HDF5 output ---- */

/* The HDF5 handles of one write; -1 when not open. */
typedef struct cc_h5 {
    hid_t file, space, dcpl, lcpl, dataset, attr_space, attr_type, attr, file_space, mem_space;
} cc_h5;

/* Closes everything but the file, whose close is the final flush. */
static void cc_h5_close_objects(cc_h5 *h)
{
    const hid_t spaces[] = {h->mem_space, h->file_space, h->attr_space, h->space};
    for (size_t i = 0; i < sizeof spaces / sizeof spaces[0]; i++)
        if (spaces[i] >= 0)
            H5Sclose(spaces[i]);
    if (h->attr >= 0)
        H5Aclose(h->attr);
    if (h->attr_type >= 0)
        H5Tclose(h->attr_type);
    if (h->dataset >= 0)
        H5Dclose(h->dataset);
    if (h->lcpl >= 0)
        H5Pclose(h->lcpl);
    if (h->dcpl >= 0)
        H5Pclose(h->dcpl);
    h->mem_space = h->file_space = h->attr_space = h->space = -1;
    h->attr = h->attr_type = h->dataset = h->lcpl = h->dcpl = -1;
}

static cc_status cc_write_attributes(cc_h5 *h, uint64_t seed, const char *path, cc_error *err)
{
    static const char generator_name[] = "cubecast generate";
    h->attr_space = H5Screate(H5S_SCALAR);
    h->attr_type = H5Tcopy(H5T_C_S1);
    if (h->attr_space < 0 || h->attr_type < 0 ||
        H5Tset_size(h->attr_type, sizeof generator_name) < 0 ||
        H5Tset_strpad(h->attr_type, H5T_STR_NULLTERM) < 0)
        return cc_fail(err, CC_ERR_OUTPUT, "cannot write attributes to '%s'", path);
    h->attr =
        H5Acreate2(h->dataset, "generator", h->attr_type, h->attr_space, H5P_DEFAULT, H5P_DEFAULT);
    if (h->attr < 0 || H5Awrite(h->attr, h->attr_type, generator_name) < 0)
        return cc_fail(err, CC_ERR_OUTPUT, "cannot write attribute 'generator' to '%s'", path);
    H5Aclose(h->attr);
    h->attr =
        H5Acreate2(h->dataset, "seed", H5T_STD_U64LE, h->attr_space, H5P_DEFAULT, H5P_DEFAULT);
    if (h->attr < 0 || H5Awrite(h->attr, H5T_NATIVE_UINT64, &seed) < 0)
        return cc_fail(err, CC_ERR_OUTPUT, "cannot write attribute 'seed' to '%s'", path);
    return CC_OK;
}

/* Generates the cube slab by slab into a new dataset of the open file. */
static cc_status cc_write_cube(cc_h5 *h, const cc_generator *g, const cc_generate_options *options,
                               const char *dataset, const char *path, cc_error *err)
{
    const hsize_t dims[3] = {(hsize_t)g->shape[0], (hsize_t)g->shape[1], (hsize_t)g->shape[2]};
    const int single = options->dtype == CC_FLOAT32;

    h->space = H5Screate_simple(3, dims, NULL);
    h->dcpl = H5Pcreate(H5P_DATASET_CREATE);
    h->lcpl = H5Pcreate(H5P_LINK_CREATE);
    /* Contiguous, so readers can take any hyperslab cheaply; never pre-filled,
     * since every byte is written below; no timestamps, so the same shape and
     * seed give the same file, byte for byte. */
    if (h->space < 0 || h->dcpl < 0 || h->lcpl < 0 || H5Pset_layout(h->dcpl, H5D_CONTIGUOUS) < 0 ||
        H5Pset_fill_time(h->dcpl, H5D_FILL_TIME_NEVER) < 0 ||
        H5Pset_obj_track_times(h->dcpl, 0) < 0 || H5Pset_create_intermediate_group(h->lcpl, 1) < 0)
        return cc_fail(err, CC_ERR_OUTPUT, "cannot set up dataset '%s' in '%s'", dataset, path);
    h->dataset = H5Dcreate2(h->file, dataset, single ? H5T_IEEE_F32LE : H5T_IEEE_F64LE, h->space,
                            h->lcpl, h->dcpl, H5P_DEFAULT);
    if (h->dataset < 0)
        return cc_fail(err, CC_ERR_USAGE, "cannot create dataset '%s' in '%s': not a valid path",
                       dataset, path);
    cc_status status = cc_write_attributes(h, options->seed, path, err);
    if (status != CC_OK)
        return status;

    const size_t plane = (size_t)g->shape[1] * (size_t)g->shape[2];
    long planes = (long)(cc_slab_bytes / (plane * sizeof(double)));
    if (planes < 1)
        planes = 1;
    if (planes > g->shape[0])
        planes = g->shape[0];
    /* calloc, though every element is written before it is read: it costs
     * nothing here and lets static analysers see that too. */
    double *slab = calloc((size_t)planes * plane, sizeof *slab);
    float *narrow = single ? malloc((size_t)planes * plane * sizeof *narrow) : NULL;
    if (slab == NULL || (single && narrow == NULL)) {
        free(slab);
        free(narrow);
        return cc_fail(err, CC_ERR_NOMEM, "out of memory for a slab of %ld planes", planes);
    }

    h->file_space = H5Dget_space(h->dataset);
    if (h->file_space < 0)
        status = cc_fail(err, CC_ERR_OUTPUT, "cannot write '%s'", path);
    for (long x0 = 0; status == CC_OK && x0 < g->shape[0]; x0 += planes) {
        if (cc_stop_requested()) {
            status = cc_fail(err, CC_ERR_INTERRUPTED,
                             "interrupted by a stop signal; '%s' was not written", path);
            break;
        }
        const long count = x0 + planes <= g->shape[0] ? planes : g->shape[0] - x0;
        const size_t n = (size_t)count * plane;
        cc_generator_fill(g, x0, count, slab);
        if (single)
            for (size_t i = 0; i < n; i++)
                narrow[i] = (float)slab[i];

        const hsize_t start[3] = {(hsize_t)x0, 0, 0};
        const hsize_t block[3] = {(hsize_t)count, dims[1], dims[2]};
        if (h->mem_space >= 0)
            H5Sclose(h->mem_space);
        h->mem_space = H5Screate_simple(3, block, NULL);
        const void *data = single ? (const void *)narrow : (const void *)slab;
        errno = 0;
        if (h->mem_space < 0 ||
            H5Sselect_hyperslab(h->file_space, H5S_SELECT_SET, start, NULL, block, NULL) < 0 ||
            H5Dwrite(h->dataset, single ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE, h->mem_space,
                     h->file_space, H5P_DEFAULT, data) < 0) {
            char why[256];
            status = cc_fail(err, CC_ERR_OUTPUT, "cannot write planes %ld to %ld of '%s': %s", x0,
                             x0 + count - 1, path, cc_hdf5_reason(path, errno, why, sizeof why));
        }
    }
    free(slab);
    free(narrow);
    return status;
}

/* Renames the finished temporary file to path; without force, never over
 * a file that appeared there meanwhile: link() fails on an existing name,
 * atomically, where rename() would replace it. */
static cc_status move_into_place(const char *temporary, const char *path, int force, cc_error *err)
{
    if (!force) {
        if (link(temporary, path) == 0) {
            unlink(temporary);
            return CC_OK;
        }
        if (errno == EEXIST)
            return cc_fail(err, CC_ERR_USAGE,
                           "'%s' appeared while the cube was written: pass --force to replace it",
                           path);
        /* A file system without hard links: the check at the start stands. */
    }
    if (rename(temporary, path) != 0)
        return cc_fail(err, CC_ERR_OUTPUT, "cannot rename '%s' to '%s': %s", temporary, path,
                       strerror(errno));
    return CC_OK;
}

cc_status cc_generate(const char *path, const cc_generate_options *options, cc_error *err)
{
    if (path == NULL || options == NULL)
        return cc_fail(err, CC_ERR_INTERNAL, "cc_generate: NULL argument");
    if (path[0] == '\0')
        return cc_fail(err, CC_ERR_USAGE, "no output file name given");
    const char *dataset = options->dataset != NULL ? options->dataset : "density";
    const size_t dataset_length = strlen(dataset);
    if (dataset_length == 0 || dataset[dataset_length - 1] == '/')
        return cc_fail(err, CC_ERR_USAGE, "bad dataset path '%s'", dataset);
    if (options->dtype != CC_FLOAT32 && options->dtype != CC_FLOAT64)
        return cc_fail(err, CC_ERR_USAGE, "unknown data type %d (float32 or float64)",
                       (int)options->dtype);
    /* Room for any path cc_atomic_open accepts plus the temporary suffix. */
    char temporary[4400];
    if (strlen(path) >= 4096)
        return cc_fail(err, CC_ERR_OUTPUT, "output path too long: '%s'", path);
    cc_temporary_name(path, temporary, sizeof temporary);
    struct stat existing;
    if (!options->force && lstat(path, &existing) == 0)
        return cc_fail(err, CC_ERR_USAGE, "'%s' exists: pass --force to replace it", path);
    /* A stop signal ends the write between slabs and removes the temporary
     * file; what a SIGKILLed generate left is removed here. */
    cc_stop_install();
    cc_remove_dead_temporaries(path);

    cc_generator *g = NULL;
    cc_status status = cc_generator_create(options, &g, err);
    if (status != CC_OK)
        return status;

    /* Failures are reported through err: keep HDF5 from printing its error
     * stack meanwhile, and give the caller's handler back afterwards. */
    H5E_auto2_t old_handler = NULL;
    void *old_data = NULL;
    H5Eget_auto2(H5E_DEFAULT, &old_handler, &old_data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

    cc_h5 h = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
    errno = 0;
    h.file = H5Fcreate(temporary, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (h.file < 0) {
        const int saved = errno;
        char why[256];
        status = cc_fail(err, CC_ERR_OUTPUT, "cannot create '%s': %s", path,
                         saved != 0 ? strerror(saved) : cc_hdf5_reason(NULL, 0, why, sizeof why));
    } else {
        status = cc_write_cube(&h, g, options, dataset, path, err);
        cc_h5_close_objects(&h);
        /* Closing the file flushes it: a failure here is a failed write. */
        char why[256];
        errno = 0;
        if (H5Fclose(h.file) < 0 && status == CC_OK)
            status = cc_fail(err, CC_ERR_OUTPUT, "cannot finish writing '%s': %s", path,
                             cc_hdf5_reason(temporary, errno, why, sizeof why));
        if (status == CC_OK)
            status = move_into_place(temporary, path, options->force, err);
        if (status != CC_OK)
            remove(temporary);
    }

    H5Eset_auto2(H5E_DEFAULT, old_handler, old_data);
    cc_generator_destroy(g);
    return status;
}
