/* swap.c - the binary-swap schedule (swap.h). */
#include "cubecast/swap.h"

/* The largest power of two <= ranks: the ranks left after the fold. */
static int active_ranks(int ranks)
{
    int active = 1;
    while (active * 2 <= ranks)
        active *= 2;
    return active;
}

int cc_swap_rounds(int ranks)
{
    int rounds = 0;
    for (int active = active_ranks(ranks); active > 1; active /= 2)
        rounds++;
    return rounds;
}

void cc_swap_fold_of(int ranks, int position, cc_swap_fold *fold)
{
    int extra = ranks - active_ranks(ranks);
    if (position >= 2 * extra) {
        fold->role = CC_SWAP_STAY;
        fold->peer = -1;
        fold->virtual_rank = position - extra;
    } else if (position % 2 == 1) {
        /* The farther of a pair: its nearer neighbour comes just before. */
        fold->role = CC_SWAP_SEND;
        fold->peer = position - 1;
        fold->virtual_rank = -1;
    } else {
        fold->role = CC_SWAP_RECEIVE;
        fold->peer = position + 1;
        fold->virtual_rank = position / 2;
    }
}

/* The position of virtual rank v: the first `extra` virtual ranks are the
 * receivers of the pairs, the rest follow the pairs in order.  Virtual
 * ranks thus keep visibility order, which the rounds rely on. */
static int position_of(int extra, int virtual_rank)
{
    return virtual_rank < extra ? 2 * virtual_rank : virtual_rank + extra;
}

int cc_swap_round(int ranks, int position, int round, size_t lo, size_t hi, cc_swap_step *step)
{
    cc_swap_fold fold;
    cc_swap_fold_of(ranks, position, &fold);
    if (fold.role == CC_SWAP_SEND || round < 0 || round >= cc_swap_rounds(ranks)) {
        step->partner = -1;
        step->nearer = 0;
        step->keep_lo = step->keep_hi = step->send_lo = step->send_hi = lo;
        return 0;
    }
    int extra = ranks - active_ranks(ranks);
    int bit = 1 << round;
    int partner_virtual = fold.virtual_rank ^ bit;
    /* Partners differ only in bit `round`, so earlier rounds gave both the
     * same range; splitting it the same way gives complementary halves. */
    size_t mid = lo + (hi - lo) / 2;
    int keep_low = (fold.virtual_rank & bit) == 0;
    step->partner = position_of(extra, partner_virtual);
    step->nearer = fold.virtual_rank < partner_virtual;
    step->keep_lo = keep_low ? lo : mid;
    step->keep_hi = keep_low ? mid : hi;
    step->send_lo = keep_low ? mid : lo;
    step->send_hi = keep_low ? hi : mid;
    return 1;
}
