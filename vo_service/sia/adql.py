"""ADQL text for SIA constraints: literals and the conditions built from them.

Nothing a client sent reaches the query except through :func:`number` (a finite float, written by Python)
and :func:`string` (quotes doubled, as ADQL escapes them); column names are constants of this package.  The
text is then parsed again by the strict ADQL parser of :mod:`tap.adql`, so the generated SQL comes from a
checked syntax tree whatever the values were.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from vo_service.sia.ranges import range_bounds, range_cells
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


def _meets(column: str, shape: Circle | Polygon) -> str:
    if isinstance(shape, Circle):
        geometry = f"CIRCLE({number(shape.lon)}, {number(shape.lat)}, {number(shape.radius)})"
    else:
        geometry = (
            "POLYGON(" + ", ".join(f"{number(lon)}, {number(lat)}" for lon, lat in shape.vertices) + ")"
        )
    return f"1 = INTERSECTS({column}, {geometry})"


def _centred_inside(region: str, centre: tuple[str, str], box: Range) -> str:
    """The region's centre lies in the box and in the region: then the two meet (cheap numbers first)."""
    lon, lat = centre
    return all_of(
        [
            f"{lon} >= {number(box.lon_min)}",
            f"{lon} <= {number(box.lon_max)}",
            f"{lat} >= {number(box.lat_min)}",
            f"{lat} <= {number(box.lat_max)}",
            f"1 = CONTAINS(POINT({lon}, {lat}), {region})",
        ]
    )


def intersects(region: str, shape: Pos, *, centre: tuple[str, str]) -> str:
    """Column ``region`` intersects ``shape``; ``centre`` names the (lon, lat) columns of its centre.

    A whole-sky RANGE only asks for a known region.  Other RANGEs (see :mod:`vo_service.sia.ranges`) are
    their bounding circles, then either a centre inside both box and region or one of the cells: polygons
    cost most per row on both engines, and the conditions before them settle most rows (SQLite evaluates
    conditions in order; PostgreSQL searches its index with a bounding circle).
    """
    if not isinstance(shape, Range):
        return _meets(region, shape)
    cells = [_meets(region, cell) for cell in range_cells(shape)]
    if not cells:
        return f"{region} IS NOT NULL"
    bounds = [_meets(region, bound) for bound in range_bounds(shape)]
    return all_of([*bounds, any_of([_centred_inside(region, centre, shape), *cells])])
