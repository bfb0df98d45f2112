/* swap.h - the binary-swap schedule: who exchanges which pixel range with
 * whom, for P ranks in visibility order.
 *
 * Ranks are named by their position in visibility order (0 is nearest).
 * The schedule is pure arithmetic, so the MPI code (composite.c) and the
 * unit tests follow the same one:
 *   fold:   with A the largest power of two <= P and E = P - A, the first
 *           2E positions pair up (0,1), (2,3), ...; the farther of each
 *           pair sends its whole image to the nearer one and is done.  The
 *           A ranks left, in visibility order, get virtual ranks 0..A-1.
 *   rounds: in round r (0 .. log2 A - 1) virtual rank v pairs with
 *           v ^ 2^r; both split their common pixel range [lo, hi) at
 *           lo + (hi - lo) / 2, the one with bit r clear keeps the low
 *           half, and each composites the half it keeps, the nearer
 *           partial over the farther.
 * Afterwards the active ranks' ranges partition the image. */
#ifndef CUBECAST_SWAP_H
#define CUBECAST_SWAP_H

#include <stddef.h>

/* What a rank does in the fold. */
typedef enum cc_swap_role {
    CC_SWAP_STAY = 0, /* not in a pair: enters the rounds as it is */
    CC_SWAP_RECEIVE,  /* receives the farther neighbour's image and keeps
                         own-over-received, then enters the rounds */
    CC_SWAP_SEND      /* sends its image to the nearer neighbour; done,
                         with an empty range */
} cc_swap_role;

typedef struct cc_swap_fold {
    cc_swap_role role;
    int peer;         /* position sent to (SEND) or received from (RECEIVE);
                         -1 for STAY */
    int virtual_rank; /* rank in the rounds, 0..A-1; -1 for SEND */
} cc_swap_fold;

/* One round of one rank.  The partner's step has keep and send exchanged
 * and nearer negated. */
typedef struct cc_swap_step {
    int partner;             /* the partner's position */
    int nearer;              /* 1: this rank is nearer, keeps mine over theirs;
                                0: keeps theirs over mine */
    size_t keep_lo, keep_hi; /* the half it keeps (and receives the partner's
                                partial of) */
    size_t send_lo, send_hi; /* the half it sends */
} cc_swap_step;

/* log2 of the largest power of two <= ranks (ranks >= 1): the number of
 * rounds after the fold. */
int cc_swap_rounds(int ranks);

/* The fold of the rank at position (0 <= position < ranks). */
void cc_swap_fold_of(int ranks, int position, cc_swap_fold *fold);

/* Round `round` of the rank at position, whose range before the round is
 * [lo, hi) (the whole image before round 0, then the previous keep range).
 * Returns 1 and fills *step when the rank takes part; returns 0 for a rank
 * folded away or a round outside 0 .. cc_swap_rounds(ranks) - 1 (then
 * *step is partner -1 and empty ranges at lo). */
int cc_swap_round(int ranks, int position, int round, size_t lo, size_t hi, cc_swap_step *step);

#endif
