"""Plain-Python reference implementations used only by the tests (and a benchmark).

They are slow and obviously right, so the vectorised library code is checked against
them: weighted isotonic regression by pool-adjacent-violators, and the Poisson
resurgence statistic by brute force over every split.
"""

from __future__ import annotations

import numpy as np
from scipy import special


def pava(values: np.ndarray, weights: np.ndarray, decreasing: bool = False) -> np.ndarray:
    """Weighted isotonic regression by pool-adjacent-violators (plain Python reference)."""
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    if decreasing:
        return pava(v[::-1], w[::-1])[::-1]
    blocks: list[list[float]] = []  # [weighted sum, weight, size]
    for vi, wi in zip(v, w, strict=True):
        blocks.append([vi * wi, wi, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, ww, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += ww
            blocks[-1][2] += c
    return np.concatenate([np.full(int(c), s / ww) for s, ww, c in blocks])


def naive_statistic(y: np.ndarray, e: np.ndarray) -> float:
    """Poisson LR statistic by brute force over splits with plain PAVA (reference)."""
    n = y.size

    def ll(rate: np.ndarray, yy: np.ndarray, ee: np.ndarray) -> float:
        return float((special.xlogy(yy, ee * rate) - ee * rate).sum())

    def uni(a: int, b: int) -> float:
        best = -np.inf
        for j in range(a, b + 1):
            f = 0.0
            if j > a:
                f += ll(pava(y[a:j] / e[a:j], e[a:j]), y[a:j], e[a:j])
            if b > j:
                f += ll(pava(y[j:b] / e[j:b], e[j:b], decreasing=True), y[j:b], e[j:b])
            best = max(best, f)
        return best

    l0 = uni(0, n)
    l1 = max(uni(0, k) + uni(k, n) for k in range(n + 1))
    return max(0.0, 2.0 * (l1 - l0))
