"""ADQL text for SIA constraints: literals and the conditions built from them.

Nothing a client sent reaches the query except through :func:`number` (a finite float, written by Python)
and :func:`string` (quotes doubled, as ADQL escapes them); column names are constants of this package.  The
text is then parsed again by the strict ADQL parser of :mod:`tap.adql`, so the generated SQL comes from a
checked syntax tree whatever the values were.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from vo_service.sia.shapes import Circle, Polygon, Pos, Range

__all__ = ["all_of", "any_of", "intersects", "number", "string"]


def number(value: float) -> str:
    """A finite number as an ADQL literal (``repr`` round-trips; negatives become a unary minus).

    Raises:
        ValueError: the number is infinite or NaN (callers leave such bounds out).
    """
    if not math.isfinite(value):
        raise ValueError(f"no ADQL literal for {value!r}")
    return repr(float(value))


def string(value: str) -> str:
    """A string literal; the ADQL lexer turns each doubled quote back into one."""
    return "'" + value.replace("'", "''") + "'"


def any_of(conditions: Sequence[str]) -> str:
    """The disjunction of ``conditions`` (at least one), parenthesised so that it can be AND-ed."""
    return conditions[0] if len(conditions) == 1 else "(" + " OR ".join(conditions) + ")"


def all_of(conditions: Sequence[str]) -> str:
    """The conjunction of ``conditions`` (at least one), parenthesised so that it can be OR-ed."""
    return conditions[0] if len(conditions) == 1 else "(" + " AND ".join(conditions) + ")"


def _polygon(polygon: Polygon) -> str:
    return "POLYGON(" + ", ".join(f"{number(lon)}, {number(lat)}" for lon, lat in polygon.vertices) + ")"


def intersects(column: str, shape: Pos) -> str:
    """``column`` (a region) intersects ``shape``; a whole-sky RANGE only asks for a known region."""
    if isinstance(shape, Circle):
        circle = f"CIRCLE({number(shape.lon)}, {number(shape.lat)}, {number(shape.radius)})"
        return f"1 = INTERSECTS({column}, {circle})"
    polygons = shape.polygons() if isinstance(shape, Range) else [shape]
    if not polygons:
        return f"{column} IS NOT NULL"
    return any_of([f"1 = INTERSECTS({column}, {_polygon(p)})" for p in polygons])
