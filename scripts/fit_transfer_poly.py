#!/usr/bin/python3
"""Prints the polynomial coefficients of cc_transfer_single and
cc_exp2_nonpositive (include/cubecast/transfer.h) for log2 and exp2; the
bands' centres and widths in log2 units are derived there at compile time.

    log2(m) = t * q(t),  t = m - 1,  m in [sqrt(1/2), sqrt(2)),  q of degree 7
    2^f     = p(f),      f in [-1/2, 1/2],                      p of degree 5

Both are least-squares fits at Chebyshev nodes, which is within a few per
cent of the minimax error.  The printed errors are of the polynomials in
float64; tests/unit/test_transfer.c measures the float kernel as built."""
import numpy as np

P = np.polynomial.polynomial


def fit(f, lo, hi, degree):
    x = (lo + hi) / 2 + (hi - lo) / 2 * np.cos(np.linspace(0, np.pi, 4001))
    coeffs = P.polyfit(x, f(x), degree)
    dense = np.linspace(lo, hi, 400001)
    return coeffs, dense


lo, hi = np.sqrt(0.5) - 1, np.sqrt(2) - 1
q, t = fit(lambda t: np.log2(1 + t) / t, lo, hi, 7)
print("log2: q =", ", ".join("%.9ef" % c for c in q))
print("  max abs error of t*q(t): %.2e" % np.abs(t * P.polyval(t, q) - np.log2(1 + t)).max())

p, f = fit(lambda f: 2.0**f, -0.5, 0.5, 5)
print("exp2: p =", ", ".join("%.9ef" % c for c in p))
print("  max rel error: %.2e" % np.abs(P.polyval(f, p) / 2.0**f - 1).max())
