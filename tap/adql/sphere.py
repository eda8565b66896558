"""Spherical geometry in degrees for ADQL on engines without a geometry extension (SQLite).

Every predicate here runs once per row inside a SQLite callback, so the code is plain Python on ``math``
floats and tuples: numpy's per-call overhead (array creation, dispatch) is larger than the whole computation
for one scalar position.  Libraries do the bulk work elsewhere (cdshealpix for the HEALPix index, astropy in
the tests as the reference for distances).

Conventions, chosen so that SQLite answers as PostgreSQL with pgSphere does:

* Longitudes may be any finite number (they are wrapped); latitudes must lie in [-90, 90].  Anything else
  raises :class:`GeometryError` (a ``ValueError``) naming the geometry.
* A polygon's vertices are joined by the shorter great-circle arc.  Its interior is the *smaller* of the two
  regions the edges bound, whatever the vertex order (pgSphere's rule; DALI's "counter-clockwise" order is
  not needed to read a polygon, but :func:`box` and the DALI output keep vertices in the order given).
  A polygon must be simple (no two edges cross, no edge folds back onto its neighbour), must not be
  degenerate (all vertices on one great circle) and must fit in an open hemisphere -- pgSphere refuses the
  same polygons ("a line segment overlaps or polygon too large"), except degenerate ones, which it keeps.
* Boundaries belong to their shapes (ADQL: CONTAINS is true "in, or on, the boundary").  Rounding is absorbed
  by a tolerance of :data:`TOLERANCE_RAD` (1e-11 rad, about 2 micro-arcseconds), far below any astrometric
  precision and below pgSphere's own 1e-9 rad.
* The centroid of a polygon is the direction of the mean position vector over its surface (its centre of
  mass as a spherical shell, projected radially onto the sphere).  It is computed exactly from the edges:
  the surface integral of the position vector over a spherical polygon equals half the sum over the edges
  of the edge length times the edge's unit normal pointing inwards.
* Areas are in square degrees; a polygon's area is its spherical excess, summed over triangles fanned
  from an interior-side centre with a formula that stays accurate for tiny polygons.
* Distances use the Vincenty form (``atan2`` of the cross and dot products), which, unlike ``acos`` of the
  dot product, keeps full precision for tiny and nearly antipodal separations.
"""

from __future__ import annotations

import math

from tap.adql.sphere_shapes import (
    INSIDE,
    Circle,
    Cone,
    GeometryError,
    Point,
    Polygon,
    Shape,
    box,
    check_lonlat,
)
from tap.adql.sphere_vectors import (
    DEG,
    RAD,
    TOLERANCE_RAD,
    Vec3,
    angle,
    cross,
    dot,
    lonlat,
    norm,
    normalise_lon,
    sub,
    unit,
)

__all__ = [
    "TOLERANCE_RAD",
    "Circle",
    "Cone",
    "GeometryError",
    "Point",
    "Polygon",
    "Shape",
    "area",
    "box",
    "centroid",
    "check_lonlat",
    "contains",
    "coord1",
    "coord2",
    "distance",
    "intersects",
    "normalise_lon",
    "point_distance",
]

_SQ_DEG_PER_SR = DEG * DEG
_PI = math.pi


def coord1(g: Shape) -> float:
    """ADQL COORD1: the longitude of a point (raises :class:`GeometryError` for other shapes)."""
    return _as_point(g, "COORD1").lon


def coord2(g: Shape) -> float:
    """ADQL COORD2: the latitude of a point (raises :class:`GeometryError` for other shapes)."""
    return _as_point(g, "COORD2").lat


def _as_point(g: Shape, function: str) -> Point:
    if not isinstance(g, Point):
        raise GeometryError(f"{function} needs a POINT, not a {type(g).__name__.upper()}")
    return g


# ---------------------------------------------------------------------------------------------------------
# measures


def distance(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in degrees (Vincenty's formula, exact at tiny and antipodal separations).

    Raises :class:`GeometryError` for latitudes outside [-90, 90] (NaN included).
    """
    if not (-90.0 <= lat1 <= 90.0 and -90.0 <= lat2 <= 90.0):
        raise GeometryError(f"DISTANCE: latitude outside [-90, 90] in ({lat1!r}, {lat2!r})")
    p1 = lat1 * RAD
    p2 = lat2 * RAD
    dl = (lon2 - lon1) * RAD
    sp1, cp1 = math.sin(p1), math.cos(p1)
    sp2, cp2 = math.sin(p2), math.cos(p2)
    sdl, cdl = math.sin(dl), math.cos(dl)
    across = cp2 * sdl
    along = cp1 * sp2 - sp1 * cp2 * cdl
    return math.atan2(math.hypot(across, along), sp1 * sp2 + cp1 * cp2 * cdl) * DEG


def point_distance(p: Shape, q: Shape) -> float:
    """DISTANCE(POINT, POINT) in degrees; raises :class:`GeometryError` unless both are points."""
    a = _as_point(p, "DISTANCE")
    b = _as_point(q, "DISTANCE")
    return distance(a.lon, a.lat, b.lon, b.lat)


def area(g: Shape) -> float:
    """ADQL AREA in square degrees: 0 for a point, 4 pi sin^2(r/2) for a cap, the spherical excess else."""
    if isinstance(g, Point):
        return 0.0
    if isinstance(g, Circle):
        s = math.sin(g.radius_rad / 2.0)
        return 4.0 * _PI * s * s * _SQ_DEG_PER_SR
    return _polygon_area(g) * _SQ_DEG_PER_SR


def _polygon_area(g: Polygon) -> float:
    """Area in steradians: signed triangles (centre, a, b) by the Van Oosterom-Strackee formula.

    The triple product is taken on differences from the centre, which keeps its relative precision for
    polygons far smaller than a degree.
    """
    c = g.centre
    total = 0.0
    for edge in g.edges:
        a, b = edge.a, edge.b
        det = dot(c, cross(sub(a, c), sub(b, c)))
        total += 2.0 * math.atan2(det, 1.0 + dot(a, b) + dot(b, c) + dot(c, a))
    return abs(total)


def centroid(g: Shape) -> Point:
    """ADQL CENTROID: the point itself, a circle's centre, a polygon's surface centroid (module docstring)."""
    if isinstance(g, Point):
        return g
    if isinstance(g, Circle):
        return g.center
    return Point(*lonlat(unit(_surface_moment(g))))


def _surface_moment(g: Polygon) -> Vec3:
    """Twice the integral of the position vector over the polygon: the sum of length * unit normal per edge.

    Written as sum(a x b) + sum((length / |a x b| - 1) a x b): the first sum is the same with every vertex
    taken relative to the centre, which keeps its precision for tiny polygons where the unit normals are
    only known to about 1e-16 / length; the second is a small correction that needs no such care.
    """
    c = g.centre
    sx = sy = sz = 0.0
    for edge in g.edges:
        a, b = edge.a, edge.b
        rel = cross(sub(a, c), sub(b, c))
        full = cross(a, b)
        extra = edge.length / norm(full) - 1.0
        sx += rel[0] + extra * full[0]
        sy += rel[1] + extra * full[1]
        sz += rel[2] + extra * full[2]
    return (sx, sy, sz)


# ---------------------------------------------------------------------------------------------------------
# predicates


def contains(inner: Shape, outer: Shape) -> bool:
    """ADQL CONTAINS(inner, outer): whether ``inner`` lies in ``outer``, boundary included."""
    if isinstance(outer, Point):
        return _in_point(inner, outer)
    if isinstance(outer, Circle):
        return _in_circle(inner, outer)
    return _in_polygon(inner, outer)


def intersects(a: Shape, b: Shape) -> bool:
    """ADQL INTERSECTS: whether the shapes share at least one point (a point argument means CONTAINS)."""
    if isinstance(a, Point):
        return contains(a, b)
    if isinstance(b, Point):
        return contains(b, a)
    if isinstance(a, Circle) and isinstance(b, Circle):
        d = angle(a.center.vec, b.center.vec)
        return d <= a.radius_rad + b.radius_rad + TOLERANCE_RAD
    if isinstance(a, Circle) and isinstance(b, Polygon):
        return _circle_meets_polygon(a, b)
    if isinstance(a, Polygon) and isinstance(b, Circle):
        return _circle_meets_polygon(b, a)
    assert isinstance(a, Polygon) and isinstance(b, Polygon)
    return _polygons_meet(a, b)


def _in_point(inner: Shape, outer: Point) -> bool:
    if isinstance(inner, Point):
        return angle(inner.vec, outer.vec) <= TOLERANCE_RAD
    if isinstance(inner, Circle):
        return inner.radius_rad + angle(inner.center.vec, outer.vec) <= TOLERANCE_RAD
    return False


def _in_circle(inner: Shape, outer: Circle) -> bool:
    if outer.radius >= 180.0:
        return True
    c = outer.center.vec
    limit = outer.radius_rad + TOLERANCE_RAD
    if isinstance(inner, Point):
        return angle(inner.vec, c) <= limit
    if isinstance(inner, Circle):
        return angle(inner.center.vec, c) + inner.radius_rad <= limit
    # Every edge must stay within the radius: no edge may come nearer than (180 - r) to the antipode of the
    # centre.  Then the boundary lies in the cap, and the polygon is inside unless it holds that antipode.
    anti: Vec3 = (-c[0], -c[1], -c[2])
    reach = _PI - outer.radius_rad - TOLERANCE_RAD
    if any(edge.distance(anti) < reach for edge in inner.edges):
        return False
    return not inner.contains_vec(anti)


def _in_polygon(inner: Shape, outer: Polygon) -> bool:
    if isinstance(inner, Point):
        return outer.contains_vec(inner.vec)
    if isinstance(inner, Circle):
        c = inner.center.vec
        return outer.contains_vec(c) and outer.boundary_distance(c) >= inner.radius_rad - TOLERANCE_RAD
    if not all(outer.contains_vec(edge.a) for edge in inner.edges):
        return False
    if outer.convex:
        return True
    # A non-convex container: an edge may leave and re-enter between two contained vertices (it then
    # crosses the outer boundary), or an outer vertex may poke into the inner polygon.
    if any(e.crosses(f) for e in inner.edges for f in outer.edges):
        return False
    return not any(inner.locate(edge.a) == INSIDE for edge in outer.edges)


def _circle_meets_polygon(circle: Circle, polygon: Polygon) -> bool:
    c = circle.center.vec
    return polygon.contains_vec(c) or polygon.boundary_distance(c) <= circle.radius_rad + TOLERANCE_RAD


def _polygons_meet(a: Polygon, b: Polygon) -> bool:
    if any(b.contains_vec(edge.a) for edge in a.edges):
        return True
    if any(a.contains_vec(edge.a) for edge in b.edges):
        return True
    return any(e.crosses(f) for e in a.edges for f in b.edges)
