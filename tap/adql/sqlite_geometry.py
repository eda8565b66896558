"""ADQL geometry for SQLite: SQL functions over tagged text, registered on every connection.

PostgreSQL answers ADQL geometry with pgSphere; SQLite has nothing, so :func:`register` adds the functions
below, implemented by :mod:`tap.adql.sphere` (same conventions: degrees, smaller-region polygons, boundaries
included).  The ADQL translator generates calls to exactly these names.

Geometry values travel as text ``"<kind> <numbers>"`` with kind ``point``, ``circle`` or ``polygon``
(``"point 10.0 20.0"``).  Stored columns hold the DALI text without the tag; the translator tags them by
concatenation (``'point ' || col``).  Numbers are separated by any amount of whitespace and use Python's
float syntax; produced numbers use ``repr(float)`` (shortest round trip), so text survives being stored and
read back unchanged.  Parsing goes through a small LRU cache because the same constant geometry is
compared with every row.  Build points from REAL columns with ``adql_point`` (or use ``adql_in_cone`` /
``adql_contains_point``), never with ``'point ' || ra``: SQLite turns a REAL into text with 15 significant
digits only.

Functions (all deterministic; every one returns NULL when any argument is NULL):

====================================  =========================================================================
``adql_point(lon, lat)``              ``'point lon lat'``
``adql_circle(lon, lat, r)``          ``'circle lon lat r'``
``adql_circle_p(point, r)``           CIRCLE(POINT, r)
``adql_polygon(lon1, lat1, ...)``     ``'polygon lon1 lat1 ...'``, at least 3 vertices (variadic)
``adql_polygon_p(p1, p2, p3, ...)``   POLYGON(POINT, POINT, POINT, ...)
``adql_box(lon, lat, w, h)``          ADQL BOX as ``'polygon ...'``
``adql_box_p(point, w, h)``           BOX(POINT, w, h)
``adql_contains(g1, g2)``             1 if g1 lies in g2 (boundary included), else 0
``adql_contains_point(lon, lat, g)``  CONTAINS(POINT(lon, lat), g) without building the point's text per row
``adql_intersects(g1, g2)``           1 if the shapes share a point, else 0
``adql_in_cone(lon, lat, lon0, lat0, r)``  1 if (lon, lat) is within r degrees of (lon0, lat0): the cone hot path
``adql_distance(p1, p2)``             degrees between two points
``adql_distance4(lon1, lat1, lon2, lat2)``  the same from numbers
``adql_area(g)``                      square degrees
``adql_coord1(p)``, ``adql_coord2(p)``  a point's longitude, latitude
``adql_coordsys(g)``                  ``'ICRS'`` (frames are never converted)
``adql_centroid(g)``                  ``'point lon lat'``
``adql_dali(g)``                      the DALI text without the tag, longitudes wrapped into [0, 360)
====================================  =========================================================================

Malformed geometry (a polygon with fewer than 3 vertices, a latitude outside [-90, 90], unparsable text ...)
raises :class:`~tap.adql.sphere.GeometryError`.  Python's ``sqlite3`` reports any exception from a SQL
function only as ``OperationalError: user-defined function raised exception``; run statements inside
:func:`tap.adql.sqlite_errors.function_errors` to get the :class:`GeometryError` with its message back.
"""

from __future__ import annotations

import functools
import math
import sqlite3
from collections.abc import Callable
from typing import Final

from tap.adql import sphere
from tap.adql.sphere import Circle, Cone, GeometryError, Point, Polygon, Shape
from tap.adql.sqlite_errors import keep

__all__ = ["FUNCTION_NAMES", "format_shape", "parse", "register"]

_PARSE_CACHE_SIZE: Final = 4096
_MAX_QUOTED: Final = 80

SqlValue = str | bytes | int | float | None


# ---------------------------------------------------------------------------------------------------------
# text <-> shapes


@functools.lru_cache(maxsize=_PARSE_CACHE_SIZE)
def parse(text: str) -> Shape:
    """The shape a tagged text describes; raises :class:`GeometryError` naming the text when malformed."""
    if not isinstance(text, str):
        raise GeometryError(f"not a geometry: {text!r}")
    parts = text.split()
    kind = parts[0].lower() if parts else ""
    try:
        numbers = [float(x) for x in parts[1:]]
    except ValueError:
        raise GeometryError(f"{kind.upper() or 'geometry'} {_quote(text)}: not a list of numbers") from None
    try:
        return _build(kind, numbers)
    except GeometryError as exc:
        raise GeometryError(f"{exc} in {_quote(text)}") from None


def _build(kind: str, numbers: list[float]) -> Shape:
    if kind == "point" and len(numbers) == 2:
        return Point(numbers[0], numbers[1])
    if kind == "circle" and len(numbers) == 3:
        return Circle(numbers[0], numbers[1], numbers[2])
    if kind == "polygon":
        if len(numbers) % 2 or len(numbers) < 6:
            raise GeometryError("POLYGON: needs at least 3 vertices, as pairs of numbers")
        return Polygon(list(zip(numbers[0::2], numbers[1::2], strict=True)))
    if kind in ("point", "circle"):
        raise GeometryError(f"{kind.upper()}: wrong number of values ({len(numbers)})")
    raise GeometryError("unknown geometry kind: expected point, circle or polygon")


def _quote(text: str) -> str:
    return repr(text if len(text) <= _MAX_QUOTED else text[:_MAX_QUOTED] + "...")


def format_shape(g: Shape, *, tagged: bool = True) -> str:
    """Text of a shape: tagged for SQL functions, untagged DALI with wrapped longitudes for result columns."""
    wrap: Callable[[float], float] = float if tagged else sphere.normalise_lon
    if isinstance(g, Point):
        kind, numbers = "point", [wrap(g.lon), g.lat]
    elif isinstance(g, Circle):
        kind, numbers = "circle", [wrap(g.center.lon), g.center.lat, g.radius]
    else:
        kind, numbers = "polygon", [x for lon, lat in g.vertices for x in (wrap(lon), lat)]
    body = " ".join(repr(float(x)) for x in numbers)
    return f"{kind} {body}" if tagged else body


def _number(value: object, what: str) -> float:
    if type(value) is float or type(value) is int:  # REAL and INTEGER as sqlite passes them: the fast case
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise GeometryError(f"{what}: {value!r} is not a number") from None
    else:
        raise GeometryError(f"{what}: {value!r} is not a number")
    if not math.isfinite(number):
        raise GeometryError(f"{what}: {value!r} is not a finite number")
    return number


def _point_of(text: str, function: str) -> Point:
    g = parse(text)
    if not isinstance(g, Point):
        raise GeometryError(f"{function} needs a POINT, not a {type(g).__name__.upper()}")
    return g


# ---------------------------------------------------------------------------------------------------------
# the SQL functions (NULL handling and error capture are added by _sql_function)


def _adql_point(lon: object, lat: object) -> str:
    x = _number(lon, "POINT")
    y = _number(lat, "POINT")
    sphere.check_lonlat(x, y, "POINT")
    return f"point {x!r} {y!r}"


def _adql_contains_point(lon: object, lat: object, region: str) -> int:
    return int(sphere.contains(Point(_number(lon, "POINT"), _number(lat, "POINT")), parse(region)))


def _adql_circle(lon: object, lat: object, radius: object) -> str:
    return format_shape(Circle(_number(lon, "CIRCLE"), _number(lat, "CIRCLE"), _number(radius, "CIRCLE")))


def _adql_circle_p(point: str, radius: object) -> str:
    p = _point_of(point, "CIRCLE")
    return format_shape(Circle(p.lon, p.lat, _number(radius, "CIRCLE")))


def _adql_polygon(*coordinates: object) -> str:
    if len(coordinates) % 2 or len(coordinates) < 6:
        raise GeometryError(
            f"POLYGON: needs at least 3 vertices as coordinate pairs, got {len(coordinates)} values"
        )
    numbers = [_number(x, "POLYGON") for x in coordinates]
    return format_shape(Polygon(list(zip(numbers[0::2], numbers[1::2], strict=True))))


def _adql_polygon_p(*points: str) -> str:
    if len(points) < 3:
        raise GeometryError(f"POLYGON: needs at least 3 points, got {len(points)}")
    vertices = [_point_of(p, "POLYGON") for p in points]
    return format_shape(Polygon([(p.lon, p.lat) for p in vertices]))


@functools.lru_cache(maxsize=256)
def _box_text(lon: float, lat: float, width: float, height: float) -> str:
    return format_shape(sphere.box(lon, lat, width, height))


def _adql_box(lon: object, lat: object, width: object, height: object) -> str:
    return _box_text(_number(lon, "BOX"), _number(lat, "BOX"), _number(width, "BOX"), _number(height, "BOX"))


def _adql_box_p(point: str, width: object, height: object) -> str:
    p = _point_of(point, "BOX")
    return _box_text(p.lon, p.lat, _number(width, "BOX"), _number(height, "BOX"))


def _adql_contains(inner: str, outer: str) -> int:
    return int(sphere.contains(parse(inner), parse(outer)))


def _adql_intersects(a: str, b: str) -> int:
    return int(sphere.intersects(parse(a), parse(b)))


def _adql_distance(p: str, q: str) -> float:
    return sphere.point_distance(parse(p), parse(q))


def _adql_distance4(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return sphere.distance(lon1, lat1, lon2, lat2)


def _adql_area(g: str) -> float:
    return sphere.area(parse(g))


def _adql_coord1(p: str) -> float:
    return sphere.coord1(parse(p))


def _adql_coord2(p: str) -> float:
    return sphere.coord2(parse(p))


def _adql_coordsys(g: str) -> str:
    parse(g)
    return "ICRS"


def _adql_centroid(g: str) -> str:
    return format_shape(sphere.centroid(parse(g)))


def _adql_dali(g: str) -> str:
    return format_shape(parse(g), tagged=False)


def _sql_function(func: Callable[..., SqlValue]) -> Callable[..., SqlValue]:
    """NULL in, NULL out; a :class:`GeometryError` is kept (:func:`tap.adql.sqlite_errors.keep`) before sqlite
    hides it."""

    @functools.wraps(func)
    def wrapper(*args: object) -> SqlValue:
        if None in args:
            return None
        try:
            return func(*args)
        except GeometryError as exc:
            keep(exc)
            raise

    return wrapper


# The cone test compares many rows with one cone: keep the prepared cone of the latest call.  One tuple is
# swapped atomically, so concurrent statements with different cones stay correct (they only recompute).
_cone_slot: tuple[tuple[float, float, float], Cone] | None = None


def _adql_in_cone(
    lon: float | None, lat: float | None, lon0: float | None, lat0: float | None, radius: float | None
) -> int | None:
    global _cone_slot
    if lon is None or lat is None or lon0 is None or lat0 is None or radius is None:
        return None
    try:
        slot = _cone_slot
        if slot is None or slot[0] != (lon0, lat0, radius):
            slot = ((lon0, lat0, radius), Cone(lon0, lat0, radius))
            _cone_slot = slot
        return 1 if slot[1].contains(lon, lat) else 0
    except GeometryError as exc:
        keep(exc)
        raise


_FUNCTIONS: Final[tuple[tuple[str, int, Callable[..., SqlValue]], ...]] = (
    ("adql_point", 2, _sql_function(_adql_point)),
    ("adql_circle", 3, _sql_function(_adql_circle)),
    ("adql_circle_p", 2, _sql_function(_adql_circle_p)),
    ("adql_polygon", -1, _sql_function(_adql_polygon)),
    ("adql_polygon_p", -1, _sql_function(_adql_polygon_p)),
    ("adql_box", 4, _sql_function(_adql_box)),
    ("adql_box_p", 3, _sql_function(_adql_box_p)),
    ("adql_contains", 2, _sql_function(_adql_contains)),
    ("adql_contains_point", 3, _sql_function(_adql_contains_point)),
    ("adql_intersects", 2, _sql_function(_adql_intersects)),
    ("adql_in_cone", 5, _adql_in_cone),
    ("adql_distance", 2, _sql_function(_adql_distance)),
    ("adql_distance4", 4, _sql_function(_adql_distance4)),
    ("adql_area", 1, _sql_function(_adql_area)),
    ("adql_coord1", 1, _sql_function(_adql_coord1)),
    ("adql_coord2", 1, _sql_function(_adql_coord2)),
    ("adql_coordsys", 1, _sql_function(_adql_coordsys)),
    ("adql_centroid", 1, _sql_function(_adql_centroid)),
    ("adql_dali", 1, _sql_function(_adql_dali)),
)

#: The SQL function names :func:`register` defines.
FUNCTION_NAMES: Final[frozenset[str]] = frozenset(name for name, _, _ in _FUNCTIONS)


def register(conn: sqlite3.Connection) -> None:
    """Defines the ADQL geometry functions on a connection (call once per connection; SQLite forgets them)."""
    for name, narg, func in _FUNCTIONS:
        conn.create_function(name, narg, func, deterministic=True)
