/* test_grid.c - cc_grid_coord is NumPy's linspace; cc_grid_locate is SciPy's
 * interpn cell search (cell = largest m with coord(m) <= p, clipped to n-2). */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "cubecast/grid.h"

/* numpy.linspace(-n/2, n/2, n)[m]: step = (stop - start) / (n - 1),
 * y = m * step + start, y[-1] = stop. */
static double linspace_point(int n, int m)
{
    double start = -n / 2.0, stop = n / 2.0;
    double step = (stop - start) / (n - 1);
    volatile double product = (double)m * step; /* no FMA contraction */
    return m == n - 1 ? stop : product + start;
}

/* SciPy 1.10 find_indices: the interval i with g[i] <= p < g[i+1], the last
 * point in interval n-2; weight (p - g[i]) / (g[i+1] - g[i]). */
static int reference_locate(int n, double p, int *cell, double *weight)
{
    if (!(p >= linspace_point(n, 0) && p <= linspace_point(n, n - 1)))
        return 0;
    int lo = 0, hi = n - 1; /* g[lo] <= p; find the largest such lo below n-1 */
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (linspace_point(n, mid) <= p)
            lo = mid;
        else
            hi = mid;
    }
    *cell = lo;
    *weight = (p - linspace_point(n, lo)) / (linspace_point(n, lo + 1) - linspace_point(n, lo));
    return 1;
}

static void check_axis(int n)
{
    /* Coordinates: bitwise linspace, ends exact. */
    for (int m = 0; m < n; ++m)
        CHECK_SAME(cc_grid_coord(n, m), linspace_point(n, m));
    CHECK_SAME(cc_grid_coord(n, 0), -n / 2.0);
    CHECK_SAME(cc_grid_coord(n, n - 1), n / 2.0);
    for (int m = 1; m < n; ++m)
        CHECK(cc_grid_coord(n, m) > cc_grid_coord(n, m - 1));

    /* Nodes: weight exactly 0 in their own cell; the last plane is cell n-2,
     * weight 1. */
    for (int m = 0; m < n; ++m) {
        int cell = -7;
        double weight = -7.0;
        int inside = cc_grid_locate(n, cc_grid_coord(n, m), &cell, &weight);
        CHECK_INT(inside, 1);
        if (m < n - 1) {
            CHECK_INT(cell, m);
            CHECK_SAME(weight, 0.0);
        } else {
            CHECK_INT(cell, n - 2);
            CHECK_SAME(weight, 1.0);
        }
    }

    /* Midpoints of every cell: weight 0.5. */
    for (int m = 0; m + 1 < n; ++m) {
        double p = 0.5 * (cc_grid_coord(n, m) + cc_grid_coord(n, m + 1));
        int cell = -7;
        double weight = -7.0;
        CHECK_INT(cc_grid_locate(n, p, &cell, &weight), 1);
        CHECK_INT(cell, m);
        CHECK_NEAR(weight, 0.5, 1e-12);
    }

    /* Just outside, NaN and infinities: outside. */
    int cell = 0;
    double weight = 0.0;
    double half = n / 2.0;
    CHECK_INT(cc_grid_locate(n, nextafter(half, INFINITY), &cell, &weight), 0);
    CHECK_INT(cc_grid_locate(n, nextafter(-half, -INFINITY), &cell, &weight), 0);
    CHECK_INT(cc_grid_locate(n, half + 1e-9, &cell, &weight), 0);
    CHECK_INT(cc_grid_locate(n, -half - 1e-9, &cell, &weight), 0);
    CHECK_INT(cc_grid_locate(n, half + 100.0, &cell, &weight), 0);
    CHECK_INT(cc_grid_locate(n, -half - 100.0, &cell, &weight), 0);
    CHECK_INT(cc_grid_locate(n, NAN, &cell, &weight), 0);
    CHECK_INT(cc_grid_locate(n, -NAN, &cell, &weight), 0);
    CHECK_INT(cc_grid_locate(n, INFINITY, &cell, &weight), 0);
    CHECK_INT(cc_grid_locate(n, -INFINITY, &cell, &weight), 0);
    CHECK_INT(cc_grid_locate(n, 1e300, &cell, &weight), 0);

    /* Just inside the ends. */
    CHECK_INT(cc_grid_locate(n, nextafter(half, 0.0), &cell, &weight), 1);
    CHECK_INT(cell, n - 2);
    CHECK(weight > 0.99 && weight <= 1.0);
    CHECK_INT(cc_grid_locate(n, nextafter(-half, 0.0), &cell, &weight), 1);
    CHECK_INT(cell, 0);
    CHECK(weight >= 0.0 && weight < 0.01);
    CHECK_INT(cc_grid_locate(n, -half, &cell, &weight), 1);
    CHECK_INT(cell, 0);
    CHECK_SAME(weight, 0.0);
    CHECK_INT(cc_grid_locate(n, half, &cell, &weight), 1);
    CHECK_INT(cell, n - 2);
    CHECK_SAME(weight, 1.0);

    /* Points either side of every interior node. */
    for (int m = 1; m + 1 < n; ++m) {
        double g = cc_grid_coord(n, m);
        CHECK_INT(cc_grid_locate(n, nextafter(g, INFINITY), &cell, &weight), 1);
        CHECK_INT(cell, m);
        CHECK(weight >= 0.0 && weight < 1e-9);
        CHECK_INT(cc_grid_locate(n, nextafter(g, -INFINITY), &cell, &weight), 1);
        CHECK_INT(cell, m - 1);
        CHECK(weight > 1.0 - 1e-9 && weight <= 1.0);
    }

    /* Random points: same cell as the SciPy search, weight to rounding, and
     * the point is reconstructed from cell and weight. */
    srand(12345u + (unsigned)n);
    for (int t = 0; t < 2000; ++t) {
        double u = rand() / (double)RAND_MAX;
        double p = -half - 0.25 + u * (n + 0.5);
        int c = -1, ec = -1;
        double w = -1.0, ew = -1.0;
        int inside = cc_grid_locate(n, p, &c, &w);
        int expected = reference_locate(n, p, &ec, &ew);
        CHECK_INT(inside, expected);
        if (inside && expected) {
            CHECK_INT(c, ec);
            CHECK_NEAR(w, ew, 1e-12);
            CHECK(w >= 0.0 && w <= 1.0);
            CHECK(c >= 0 && c <= n - 2);
        }
    }
}

int main(void)
{
    static const int sizes[] = {2, 3, 4, 5, 7, 9, 16, 33, 64, 100, 180, 181, 255, 256, 1000, 1001};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; ++s)
        check_axis(sizes[s]);

    /* Hand-checked values. */
    CHECK_SAME(cc_grid_coord(2, 0), -1.0);
    CHECK_SAME(cc_grid_coord(2, 1), 1.0);
    CHECK_SAME(cc_grid_coord(5, 2), 0.0);
    CHECK_SAME(cc_grid_coord(9, 1), -4.5 + 9.0 / 8.0);
    CHECK_SAME(cc_grid_coord(180, 179), 90.0);
    CHECK_SAME(cc_grid_coord(180, 0), -90.0);

    int cell = -1;
    double weight = -1.0;
    CHECK_INT(cc_grid_locate(2, 0.0, &cell, &weight), 1);
    CHECK_INT(cell, 0);
    CHECK_SAME(weight, 0.5);
    CHECK_INT(cc_grid_locate(9, 0.0, &cell, &weight), 1); /* node 4 of 9 */
    CHECK_INT(cell, 4);
    CHECK_SAME(weight, 0.0);
    CHECK_INT(cc_grid_locate(4, 0.0, &cell, &weight), 1); /* between nodes 1 and 2 */
    CHECK_INT(cell, 1);
    CHECK_NEAR(weight, 0.5, 1e-15);

    return check_result("unit_grid");
}
