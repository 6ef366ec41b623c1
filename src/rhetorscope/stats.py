"""The few statistics `compare` needs, in plain Python: intervals, two tests, two corrections, effect sizes.

Why not scipy: the core package does not depend on it (it would add 40 MB for
five functions), and each function here is a textbook formula. The tests check
every one against scipy/statsmodels where those are installed.

- `wilson`: the Wilson score interval of a proportion (it stays inside [0, 1] and
  behaves with 0 or n successes, unlike the normal approximation).
- `chi_square`: Pearson's chi-square test of homogeneity of a k × 2 table
  (successes / failures per group); its p-value is the upper regularized gamma
  function, computed by series or continued fraction (Numerical Recipes 6.2).
- `fisher_exact`: Fisher's exact test of a 2 × 2 table, two-sided (the sum of the
  probabilities of every table with the same margins that is no more likely than
  the one observed), used instead of chi-square when an expected count is under 5.
- `benjamini_hochberg` (false discovery rate across a family of tests) and `holm`
  (family-wise error rate, for the post-hoc tests inside one technique).
- `cramers_v`: the effect size of a k × 2 table (phi for 2 × 2), 0 (no difference) to 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

#: The two-sided 95 % normal quantile.
Z95 = 1.959963984540054
#: An expected count under this makes the chi-square approximation unreliable (Cochran's rule).
MIN_EXPECTED = 5.0


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for successes/n; (0, 1) when n is 0 (nothing is known)."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # at 0 and n the exact ends are 0 and 1; rounding would otherwise leave 1e-17 and 0.9999999999999999
    return (0.0 if successes == 0 else centre - half), (1.0 if successes == n else centre + half)


def _gamma_q(a: float, x: float) -> float:
    """Upper regularized incomplete gamma Q(a, x): series below a + 1, Lentz's continued fraction above."""
    if x <= 0:
        return 1.0
    log_front = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        ap = a
        for _ in range(10_000):
            ap += 1
            term *= x / ap
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return max(0.0, 1.0 - total * math.exp(log_front))
    tiny = 1e-300
    b = x + 1 - a
    c, d = 1 / tiny, 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        step = d * c
        h *= step
        if abs(step - 1) < 1e-15:
            break
    return min(1.0, math.exp(log_front) * h)


def chi2_sf(statistic: float, df: int) -> float:
    """P(X >= statistic) for a chi-square variable with `df` degrees of freedom."""
    return _gamma_q(df / 2, statistic / 2)


def chi_square(successes: Sequence[int], totals: Sequence[int]) -> tuple[float, float, float]:
    """Pearson's chi-square of a k × 2 table: (statistic, p-value, smallest expected count).

    Groups without paragraphs are left out; with no variation at all (every share
    0 or every share 1) the statistic is 0 and p is 1.
    """
    rows = [(s, n) for s, n in zip(successes, totals, strict=True) if n > 0]
    grand = sum(n for _, n in rows)
    hits = sum(s for s, _ in rows)
    if len(rows) < 2 or hits in (0, grand):
        return 0.0, 1.0, 0.0
    statistic, smallest = 0.0, math.inf
    for s, n in rows:
        for observed, expected in ((s, n * hits / grand), (n - s, n * (grand - hits) / grand)):
            statistic += (observed - expected) ** 2 / expected
            smallest = min(smallest, expected)
    return statistic, chi2_sf(statistic, len(rows) - 1), smallest


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test of the 2 × 2 table [[a, b], [c, d]]."""
    row1, col1, n = a + b, a + c, a + b + c + d
    if n == 0:
        return 1.0

    def log_p(x: int) -> float:
        return (math.lgamma(row1 + 1) - math.lgamma(x + 1) - math.lgamma(row1 - x + 1)
                + math.lgamma(n - row1 + 1) - math.lgamma(col1 - x + 1) - math.lgamma(n - row1 - col1 + x + 1)
                - math.lgamma(n + 1) + math.lgamma(col1 + 1) + math.lgamma(n - col1 + 1))

    observed = log_p(a)
    low, high = max(0, col1 - (n - row1)), min(row1, col1)
    total = sum(math.exp(lp) for lp in map(log_p, range(low, high + 1)) if lp <= observed + 1e-7)
    return min(1.0, total)


def two_by_two(s1: int, n1: int, s2: int, n2: int) -> tuple[float, str]:
    """p-value of the difference between two proportions, and the test used.

    Fisher's exact test when an expected count is under `MIN_EXPECTED`, else chi-square.
    """
    _, p, smallest = chi_square([s1, s2], [n1, n2])
    if smallest < MIN_EXPECTED:
        return fisher_exact(s1, n1 - s1, s2, n2 - s2), "fisher"
    return p, "chi-square"


def cramers_v(statistic: float, n: int) -> float:
    """Cramér's V of a k × 2 table (min(k, 2) - 1 = 1, so V = sqrt(chi² / n)); phi for 2 × 2."""
    return math.sqrt(statistic / n) if n else 0.0


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (q-values), in the input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        adjusted[i] = min(1.0, running)
    return adjusted


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values, in the input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted
