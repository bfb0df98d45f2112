/* check.h - a tiny assertion macro for the unit tests.
 *
 * CHECK(cond) and the CHECK_* helpers print file:line and the values on
 * failure (the first 25), count the failure and carry on; main returns
 * check_result(). */
#ifndef CUBECAST_TEST_CHECK_H
#define CUBECAST_TEST_CHECK_H

#include <math.h>
#include <stdio.h>

static int check_failures = 0;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            if (check_failures < 25)                                                               \
                fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);           \
            ++check_failures;                                                                      \
        }                                                                                          \
    } while (0)

/* Integers equal. */
#define CHECK_INT(actual, expected)                                                                \
    do {                                                                                           \
        long long check_a_ = (long long)(actual), check_e_ = (long long)(expected);                \
        if (check_a_ != check_e_) {                                                                \
            if (check_failures < 25)                                                               \
                fprintf(stderr, "%s:%d: CHECK failed: %s == %s: got %lld, expected %lld\n",        \
                        __FILE__, __LINE__, #actual, #expected, check_a_, check_e_);               \
            ++check_failures;                                                                      \
        }                                                                                          \
    } while (0)

/* Doubles exactly equal (==, so -0 equals 0; NaN equals NaN). */
#define CHECK_SAME(actual, expected)                                                               \
    do {                                                                                           \
        double check_a_ = (double)(actual), check_e_ = (double)(expected);                         \
        if (!(check_a_ == check_e_ || (isnan(check_a_) && isnan(check_e_)))) {                     \
            if (check_failures < 25)                                                               \
                fprintf(stderr,                                                                    \
                        "%s:%d: CHECK failed: %s == %s: got %.17g (%a), expected %.17g (%a)\n",    \
                        __FILE__, __LINE__, #actual, #expected, check_a_, check_a_, check_e_,      \
                        check_e_);                                                                 \
            ++check_failures;                                                                      \
        }                                                                                          \
    } while (0)

/* |actual - expected| <= tol (fails on NaN). */
#define CHECK_NEAR(actual, expected, tol)                                                          \
    do {                                                                                           \
        double check_a_ = (double)(actual), check_e_ = (double)(expected);                         \
        double check_t_ = (double)(tol);                                                           \
        if (!(fabs(check_a_ - check_e_) <= check_t_)) {                                            \
            if (check_failures < 25)                                                               \
                fprintf(stderr,                                                                    \
                        "%s:%d: CHECK failed: %s ~ %s: got %.17g, expected %.17g, "                \
                        "difference %.3g > %.3g\n",                                                \
                        __FILE__, __LINE__, #actual, #expected, check_a_, check_e_,                \
                        fabs(check_a_ - check_e_), check_t_);                                      \
            ++check_failures;                                                                      \
        }                                                                                          \
    } while (0)

/* Stops a test that cannot go on (e.g. an allocation failed). */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond);             \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

static int check_result(const char *name)
{
    if (check_failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}

#endif
