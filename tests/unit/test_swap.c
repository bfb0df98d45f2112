/* test_swap.c - the binary-swap schedule (swap.h) for P = 1 to 64 ranks:
 * folds pair up consistently, partners agree on each round and split one
 * range into complementary halves, the final ranges partition the image,
 * running the schedule on toy partial images gives the serial composite
 * in visibility order, and the schedule is the one composite.c used
 * before it moved here. */
#include <stdlib.h>

#include "check.h"
#include "cubecast/swap.h"

enum { MAX_RANKS = 64 };

/* Folds: a sender's receiver receives from it, senders are the farther of
 * a pair, and the virtual ranks of those left are 0..A-1 in visibility
 * order, A a power of two with A <= P < 2A. */
static void check_fold(int ranks)
{
    int rounds = cc_swap_rounds(ranks);
    int active = 1 << rounds;
    CHECK(active <= ranks && ranks < 2 * active);
    int next_virtual = 0, senders = 0;
    for (int position = 0; position < ranks; position++) {
        cc_swap_fold fold;
        cc_swap_fold_of(ranks, position, &fold);
        if (fold.role == CC_SWAP_SEND) {
            senders++;
            CHECK_INT(fold.virtual_rank, -1);
            CHECK_INT(fold.peer, position - 1); /* the nearer neighbour */
            if (fold.peer < 0)
                continue;
            cc_swap_fold peer;
            cc_swap_fold_of(ranks, fold.peer, &peer);
            CHECK_INT(peer.role, CC_SWAP_RECEIVE);
            CHECK_INT(peer.peer, position);
            for (int round = 0; round <= rounds; round++) {
                cc_swap_step step;
                CHECK_INT(cc_swap_round(ranks, position, round, 5, 9, &step), 0);
                CHECK_INT(step.keep_hi - step.keep_lo, 0);
                CHECK_INT(step.send_hi - step.send_lo, 0);
            }
            continue;
        }
        if (fold.role == CC_SWAP_RECEIVE) {
            CHECK_INT(fold.peer, position + 1); /* the farther neighbour */
            cc_swap_fold peer;
            cc_swap_fold_of(ranks, fold.peer, &peer);
            CHECK_INT(peer.role, CC_SWAP_SEND);
            CHECK_INT(peer.peer, position);
        } else {
            CHECK_INT(fold.role, CC_SWAP_STAY);
            CHECK_INT(fold.peer, -1);
        }
        CHECK_INT(fold.virtual_rank, next_virtual);
        next_virtual++;
        /* No round outside 0 .. rounds-1. */
        cc_swap_step step;
        CHECK_INT(cc_swap_round(ranks, position, -1, 0, 10, &step), 0);
        CHECK_INT(cc_swap_round(ranks, position, rounds, 0, 10, &step), 0);
    }
    CHECK_INT(next_virtual, active);
    CHECK_INT(senders, ranks - active);
}

/* Runs the rounds on ranges only: partners are mutual, hold the same range
 * and split it into complementary halves; at the end the active ranks'
 * ranges partition [0, pixels) and the senders' are empty. */
static void check_ranges(int ranks, size_t pixels)
{
    size_t lo[MAX_RANKS], hi[MAX_RANKS];
    int active[MAX_RANKS];
    for (int p = 0; p < ranks; p++) {
        cc_swap_fold fold;
        cc_swap_fold_of(ranks, p, &fold);
        active[p] = fold.role != CC_SWAP_SEND;
        lo[p] = 0;
        hi[p] = active[p] ? pixels : 0;
    }
    int rounds = cc_swap_rounds(ranks);
    for (int round = 0; round < rounds; round++) {
        cc_swap_step steps[MAX_RANKS];
        for (int p = 0; p < ranks; p++)
            CHECK_INT(cc_swap_round(ranks, p, round, lo[p], hi[p], &steps[p]), active[p]);
        for (int p = 0; p < ranks; p++) {
            if (!active[p])
                continue;
            const cc_swap_step *a = &steps[p];
            CHECK(a->partner >= 0 && a->partner < ranks && a->partner != p);
            if (a->partner < 0 || a->partner >= ranks)
                continue;
            CHECK(active[a->partner]);
            const cc_swap_step *b = &steps[a->partner];
            CHECK_INT(b->partner, p);
            /* The same range before the round ... */
            CHECK_INT(lo[a->partner], lo[p]);
            CHECK_INT(hi[a->partner], hi[p]);
            /* ... split into two halves at the same point ... */
            CHECK(a->keep_lo <= a->keep_hi && a->send_lo <= a->send_hi);
            CHECK((a->keep_lo == lo[p] && a->keep_hi == a->send_lo && a->send_hi == hi[p]) ||
                  (a->send_lo == lo[p] && a->send_hi == a->keep_lo && a->keep_hi == hi[p]));
            size_t low_half = (hi[p] - lo[p]) / 2;
            CHECK(a->keep_hi - a->keep_lo == low_half || a->send_hi - a->send_lo == low_half);
            /* ... one keeps what the other sends. */
            CHECK_INT(a->keep_lo, b->send_lo);
            CHECK_INT(a->keep_hi, b->send_hi);
            CHECK_INT(a->send_lo, b->keep_lo);
            CHECK_INT(a->send_hi, b->keep_hi);
            /* Exactly one is nearer, the one earlier in visibility order. */
            CHECK_INT(a->nearer, p < a->partner);
            CHECK_INT(a->nearer + b->nearer, 1);
        }
        for (int p = 0; p < ranks; p++) {
            if (!active[p])
                continue;
            lo[p] = steps[p].keep_lo;
            hi[p] = steps[p].keep_hi;
        }
    }
    /* Every pixel in exactly one active rank's final range. */
    size_t covered = 0;
    for (int p = 0; p < ranks; p++) {
        CHECK(lo[p] <= hi[p] && hi[p] <= pixels);
        if (!active[p])
            CHECK_INT(hi[p] - lo[p], 0);
        covered += hi[p] - lo[p];
    }
    CHECK_INT(covered, pixels);
    /* Disjoint: sorted by lo, each non-empty range starts where the last
     * ended (ranges are few, so a quadratic scan is fine). */
    size_t at = 0;
    for (int found = 1; found;) {
        found = 0;
        for (int p = 0; p < ranks; p++) {
            if (hi[p] > lo[p] && lo[p] == at) {
                at = hi[p];
                found = 1;
                break;
            }
        }
    }
    CHECK_INT(at, pixels);
}

/* A toy partial: colour C and transmittance T of one pixel. */
typedef struct toy {
    double c, t;
} toy;

/* near over far: C = C_near + T_near C_far, T = T_near T_far (image.h). */
static toy over(toy near, toy far)
{
    toy result = {near.c + near.t * far.c, near.t * far.t};
    return result;
}

/* A distinct partial per (rank, pixel); far from commutative, so a
 * compositing order that is wrong shows up far above rounding. */
static toy partial_of(int position, size_t pixel)
{
    unsigned h = (unsigned)position * 2654435761u ^ (unsigned)pixel * 40503u;
    h ^= h >> 13;
    h *= 0x5bd1e995u;
    h ^= h >> 15;
    toy value = {(h % 1000) / 1000.0 + 0.01 * position, 0.1 + 0.8 * ((h / 1000) % 1000) / 1000.0};
    return value;
}

/* Simulates the whole schedule in memory (folds, then all ranks' rounds
 * at once, from copies of the images before the round) and compares each
 * final piece with compositing all partials serially, nearest first. */
static int check_composite(int ranks, size_t pixels)
{
    toy *images = malloc(sizeof *images * (size_t)ranks * (pixels ? pixels : 1));
    toy *before = malloc(sizeof *before * (size_t)ranks * (pixels ? pixels : 1));
    REQUIRE(images != NULL && before != NULL);
    for (int p = 0; p < ranks; p++)
        for (size_t q = 0; q < pixels; q++)
            images[(size_t)p * pixels + q] = partial_of(p, q);
    size_t lo[MAX_RANKS], hi[MAX_RANKS];
    int active[MAX_RANKS];
    for (int p = 0; p < ranks; p++) {
        cc_swap_fold fold;
        cc_swap_fold_of(ranks, p, &fold);
        active[p] = fold.role != CC_SWAP_SEND;
        lo[p] = 0;
        hi[p] = active[p] ? pixels : 0;
        if (fold.role == CC_SWAP_RECEIVE)
            for (size_t q = 0; q < pixels; q++)
                images[(size_t)p * pixels + q] =
                    over(images[(size_t)p * pixels + q], images[(size_t)fold.peer * pixels + q]);
    }
    int rounds = cc_swap_rounds(ranks);
    for (int round = 0; round < rounds; round++) {
        for (size_t i = 0; i < (size_t)ranks * pixels; i++)
            before[i] = images[i];
        for (int p = 0; p < ranks; p++) {
            cc_swap_step step;
            if (!cc_swap_round(ranks, p, round, lo[p], hi[p], &step))
                continue;
            for (size_t q = step.keep_lo; q < step.keep_hi; q++) {
                toy mine = before[(size_t)p * pixels + q];
                toy theirs = before[(size_t)step.partner * pixels + q];
                images[(size_t)p * pixels + q] =
                    step.nearer ? over(mine, theirs) : over(theirs, mine);
            }
            lo[p] = step.keep_lo;
            hi[p] = step.keep_hi;
        }
    }
    for (int p = 0; p < ranks; p++) {
        for (size_t q = lo[p]; q < hi[p]; q++) {
            toy expected = partial_of(0, q);
            for (int r = 1; r < ranks; r++)
                expected = over(expected, partial_of(r, q));
            toy got = images[(size_t)p * pixels + q];
            CHECK_NEAR(got.c, expected.c, 1e-12 * (1.0 + expected.c));
            CHECK_NEAR(got.t, expected.t, 1e-12);
        }
    }
    free(images);
    free(before);
    return 0;
}

/* The schedule exactly as composite.c computed it inline before swap.h
 * existed (the same arithmetic, kept literally), so that any change to
 * partners, ranges or over/under order shows up here, not only changes
 * that break the invariants above. */
static void check_same_as_before(int ranks, size_t pixels)
{
    for (int position = 0; position < ranks; position++) {
        int active = 1;
        while (active * 2 <= ranks)
            active *= 2;
        int extra = ranks - active;
        size_t lo = 0, hi = pixels;
        int virtual_rank = position - extra;
        cc_swap_fold fold;
        cc_swap_fold_of(ranks, position, &fold);
        if (position < 2 * extra) {
            if (position % 2 == 1) {
                CHECK_INT(fold.role, CC_SWAP_SEND);
                CHECK_INT(fold.peer, position - 1);
                continue;
            }
            CHECK_INT(fold.role, CC_SWAP_RECEIVE);
            CHECK_INT(fold.peer, position + 1);
            virtual_rank = position / 2;
        } else {
            CHECK_INT(fold.role, CC_SWAP_STAY);
        }
        CHECK_INT(fold.virtual_rank, virtual_rank);
        int round = 0;
        for (int bit = 1; bit < active; bit <<= 1, round++) {
            int partner_virtual = virtual_rank ^ bit;
            int partner_position =
                partner_virtual < extra ? 2 * partner_virtual : partner_virtual + extra;
            size_t mid = lo + (hi - lo) / 2;
            int keep_low = (virtual_rank & bit) == 0;
            size_t keep_lo = keep_low ? lo : mid, keep_hi = keep_low ? mid : hi;
            size_t send_lo = keep_low ? mid : lo, send_hi = keep_low ? hi : mid;
            cc_swap_step step;
            CHECK_INT(cc_swap_round(ranks, position, round, lo, hi, &step), 1);
            CHECK_INT(step.partner, partner_position);
            CHECK_INT(step.nearer, virtual_rank < partner_virtual);
            CHECK_INT(step.keep_lo, keep_lo);
            CHECK_INT(step.keep_hi, keep_hi);
            CHECK_INT(step.send_lo, send_lo);
            CHECK_INT(step.send_hi, send_hi);
            lo = keep_lo;
            hi = keep_hi;
        }
        CHECK_INT(round, cc_swap_rounds(ranks));
    }
}

/* The schedule on small P, spelled out: P = 3 folds positions 0 and 1,
 * then virtual ranks 0 (position 0) and 1 (position 2) swap. */
static void check_three(void)
{
    cc_swap_fold fold;
    cc_swap_fold_of(3, 0, &fold);
    CHECK_INT(fold.role, CC_SWAP_RECEIVE);
    CHECK_INT(fold.peer, 1);
    cc_swap_fold_of(3, 1, &fold);
    CHECK_INT(fold.role, CC_SWAP_SEND);
    CHECK_INT(fold.peer, 0);
    cc_swap_fold_of(3, 2, &fold);
    CHECK_INT(fold.role, CC_SWAP_STAY);
    CHECK_INT(fold.virtual_rank, 1);
    cc_swap_step step;
    CHECK_INT(cc_swap_round(3, 0, 0, 0, 7, &step), 1);
    CHECK_INT(step.partner, 2);
    CHECK_INT(step.nearer, 1);
    CHECK_INT(step.keep_lo, 0);
    CHECK_INT(step.keep_hi, 3);
    CHECK_INT(step.send_lo, 3);
    CHECK_INT(step.send_hi, 7);
    CHECK_INT(cc_swap_round(3, 2, 0, 0, 7, &step), 1);
    CHECK_INT(step.partner, 0);
    CHECK_INT(step.nearer, 0);
    CHECK_INT(step.keep_lo, 3);
    CHECK_INT(step.keep_hi, 7);
}

int main(void)
{
    CHECK_INT(cc_swap_rounds(1), 0);
    CHECK_INT(cc_swap_rounds(2), 1);
    CHECK_INT(cc_swap_rounds(3), 1);
    CHECK_INT(cc_swap_rounds(4), 2);
    CHECK_INT(cc_swap_rounds(63), 5);
    CHECK_INT(cc_swap_rounds(64), 6);
    check_three();
    static const size_t range_pixels[] = {0, 1, 2, 3, 7, 63, 64, 65, 1000, 32400, 1048579};
    static const size_t composite_pixels[] = {0, 1, 2, 5, 64, 97, 1000};
    for (int ranks = 1; ranks <= MAX_RANKS; ranks++) {
        check_fold(ranks);
        for (size_t i = 0; i < sizeof range_pixels / sizeof range_pixels[0]; i++) {
            check_ranges(ranks, range_pixels[i]);
            check_same_as_before(ranks, range_pixels[i]);
        }
        for (size_t i = 0; i < sizeof composite_pixels / sizeof composite_pixels[0]; i++)
            if (check_composite(ranks, composite_pixels[i]))
                return 1;
    }
    return check_result("test_swap");
}
