"""Recognising cones and geometric predicates in comparisons, so the targets can use their spatial indexes.

ADQL writes a cone either as ``1 = CONTAINS(POINT(ra, dec), CIRCLE(a, b, r))`` (or INTERSECTS with a point,
or ``CONTAINS(...) = 1``) or as ``DISTANCE(POINT(ra, dec), POINT(a, b)) < r`` (also ``<=``, ``r >
DISTANCE(...)`` and the four-number form).  Both become one :class:`Cone`, so equivalent forms produce
identical SQL and hence identical rows.  ``0 = CONTAINS(...)`` and other comparisons with 0 or 1 become
boolean predicates instead of integer comparisons, which pgSphere can index too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from tap.adql.scope import Value

__all__ = ["Cone", "Predicate", "circle_parts", "match_comparison", "point_parts", "position_of"]

_FLIPPED: Final = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!=", "<>": "<>"}


@dataclass(frozen=True, slots=True)
class Cone:
    """``(lon, lat)`` lies within ``radius`` degrees of ``(center_lon, center_lat)`` (``strict``: strictly).

    ``from_distance`` marks a cone written with DISTANCE: its radius may be any number (a DISTANCE below
    -1 or above 200 degrees is merely false or true), while a CIRCLE's must be valid.
    """

    lon: Value
    lat: Value
    center_lon: Value
    center_lat: Value
    radius: Value
    strict: bool
    from_distance: bool = False


@dataclass(frozen=True, slots=True)
class Predicate:
    """``func(a, b)`` (CONTAINS or INTERSECTS) is true (``truth``) or false."""

    func: str
    a: Value
    b: Value
    truth: bool


def point_parts(value: Value) -> tuple[Value, Value] | None:
    """The coordinates of a ``POINT(lon, lat)`` constructor."""
    if value.func == "POINT":
        return value.args[0], value.args[1]
    return None


def circle_parts(value: Value) -> tuple[Value, Value, Value] | None:
    """Centre coordinates and radius of a ``CIRCLE`` constructor (either form, when the centre is POINT(...))."""
    if value.func != "CIRCLE":
        return None
    if len(value.args) == 3:
        return value.args[0], value.args[1], value.args[2]
    center = point_parts(value.args[0])
    return None if center is None else (*center, value.args[1])


def position_of(lon: Value, lat: Value) -> bool:
    """Whether (lon, lat) are the indexed position columns of a catalogue table, in that order."""
    if lon.field is None or lat.field is None or not lon.field.stored or lon.field.relation is None:
        return False
    relation = lon.field.relation
    if lat.field.relation is not relation or relation.table is None or relation.table.position is None:
        return False
    return relation.table.position == (lon.field.sql_name, lat.field.sql_name)


def _cone(
    lon: Value, lat: Value, clon: Value, clat: Value, radius: Value, strict: bool, from_distance: bool = False
) -> Cone:
    """The cone with the indexed side (if any) as the tested position: distance is symmetric."""
    if position_of(clon, clat) and not position_of(lon, lat):
        lon, lat, clon, clat = clon, clat, lon, lat
    return Cone(lon, lat, clon, clat, radius, strict, from_distance)


def _truth(value: Value) -> bool | None:
    if value.const in (0.0, 1.0) and value.vtype.is_integer and value.func is None and not value.args:
        return value.const == 1.0
    return None


def _spatial(func_value: Value, truth: bool) -> Cone | Predicate:
    a, b = func_value.args
    if truth:
        point, region = (a, b) if func_value.func == "CONTAINS" or point_parts(a) else (b, a)
        coordinates, circle = point_parts(point), circle_parts(region)
        if coordinates is not None and circle is not None:
            return _cone(*coordinates, *circle, strict=False)
    return Predicate(func_value.func or "", a, b, truth)


def _distance(distance: Value, op: str, bound: Value) -> Cone | None:
    """``DISTANCE(...) op bound`` with op ``<`` or ``<=``, as a cone."""
    if op not in ("<", "<="):
        return None
    if len(distance.args) == 4:
        lon, lat, clon, clat = distance.args
    else:
        first, second = point_parts(distance.args[0]), point_parts(distance.args[1])
        if first is None or second is None:
            return None
        (lon, lat), (clon, clat) = first, second
    return _cone(lon, lat, clon, clat, bound, strict=op == "<", from_distance=True)


def match_comparison(op: str, left: Value, right: Value) -> Cone | Predicate | None:
    """The cone or predicate a comparison expresses, or None for an ordinary comparison."""
    for func_value, other, operator in ((left, right, op), (right, left, _FLIPPED[op])):
        if func_value.func in ("CONTAINS", "INTERSECTS") and operator in ("=", "!=", "<>"):
            truth = _truth(other)
            if truth is not None:
                return _spatial(func_value, truth if operator == "=" else not truth)
        if func_value.func == "DISTANCE" and other.vtype.kind == "number" and not other.aggregate:
            cone = _distance(func_value, operator, other)
            if cone is not None:
                return cone
    return None
