"""Planar polygon tests in the gnomonic projection at a polygon's centre, for :class:`tap.adql.sphere.Polygon`:
great-circle edges are straight lines there, so simplicity and convexity are the planar ones."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["is_convex", "perimeter", "signed_area", "simplicity_problem"]


def signed_area(xs: Sequence[float], ys: Sequence[float]) -> float:
    n = len(xs)
    return 0.5 * sum(xs[i] * ys[(i + 1) % n] - xs[(i + 1) % n] * ys[i] for i in range(n))


def perimeter(xs: Sequence[float], ys: Sequence[float]) -> float:
    n = len(xs)
    return sum(math.hypot(xs[(i + 1) % n] - xs[i], ys[(i + 1) % n] - ys[i]) for i in range(n))


def _turn(xs: Sequence[float], ys: Sequence[float], i: int, j: int, k: int) -> float:
    """Twice the signed area of the planar triangle (i, j, k): positive for a left turn."""
    return (xs[j] - xs[i]) * (ys[k] - ys[i]) - (ys[j] - ys[i]) * (xs[k] - xs[i])


def is_convex(xs: Sequence[float], ys: Sequence[float]) -> bool:
    """A counter-clockwise simple polygon is convex when it never turns right."""
    n = len(xs)
    return all(_turn(xs, ys, i, (i + 1) % n, (i + 2) % n) >= 0.0 for i in range(n))


def _segments_cross(xs: Sequence[float], ys: Sequence[float], i: int, j: int) -> bool:
    """Whether planar edges i and j (non-adjacent) intersect, touching included."""
    n = len(xs)
    a, b, c, d = i, (i + 1) % n, j, (j + 1) % n
    d1 = _turn(xs, ys, a, b, c)
    d2 = _turn(xs, ys, a, b, d)
    d3 = _turn(xs, ys, c, d, a)
    d4 = _turn(xs, ys, c, d, b)
    if ((d1 > 0.0 and d2 < 0.0) or (d1 < 0.0 and d2 > 0.0)) and (
        (d3 > 0.0 and d4 < 0.0) or (d3 < 0.0 and d4 > 0.0)
    ):
        return True
    return (
        (d1 == 0.0 and _on_segment(xs, ys, a, b, c))
        or (d2 == 0.0 and _on_segment(xs, ys, a, b, d))
        or (d3 == 0.0 and _on_segment(xs, ys, c, d, a))
        or (d4 == 0.0 and _on_segment(xs, ys, c, d, b))
    )


def _on_segment(xs: Sequence[float], ys: Sequence[float], a: int, b: int, p: int) -> bool:
    return min(xs[a], xs[b]) <= xs[p] <= max(xs[a], xs[b]) and min(ys[a], ys[b]) <= ys[p] <= max(ys[a], ys[b])


def simplicity_problem(xs: Sequence[float], ys: Sequence[float]) -> str | None:
    """What makes the polygon not simple (crossing edges, an edge folding back onto the previous one), or None."""
    n = len(xs)
    for i in range(n):
        prev, nxt = (i - 1) % n, (i + 1) % n
        back = (xs[prev] - xs[i]) * (xs[nxt] - xs[i]) + (ys[prev] - ys[i]) * (ys[nxt] - ys[i])
        if back > 0.0 and abs(_turn(xs, ys, prev, i, nxt)) <= 1e-15 * back:
            return "an edge folds back onto the previous one"
    for i in range(n):
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue
            if _segments_cross(xs, ys, i, j):
                return "edges cross each other (the polygon is not simple)"
    return None


# ---------------------------------------------------------------------------------------------------------
# constructors and accessors
