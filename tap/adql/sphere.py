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
from collections.abc import Sequence
from typing import Final

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

TOLERANCE_RAD: Final[float] = 1e-11
_RAD: Final[float] = math.pi / 180.0
_DEG: Final[float] = 180.0 / math.pi
_SQ_DEG_PER_SR: Final[float] = _DEG * _DEG
_PI: Final[float] = math.pi

Vec3 = tuple[float, float, float]


class GeometryError(ValueError):
    """Malformed or unsupported geometry; the message names the geometry so a user can fix the query."""


# ---------------------------------------------------------------------------------------------------------
# vectors


def _dot(a: Vec3, b: Vec3) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _cross(a: Vec3, b: Vec3) -> Vec3:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _sub(a: Vec3, b: Vec3) -> Vec3:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def _norm(a: Vec3) -> float:
    return math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2])


def _unit(a: Vec3) -> Vec3:
    n = _norm(a)
    return (a[0] / n, a[1] / n, a[2] / n)


def _angle(a: Vec3, b: Vec3) -> float:
    """Angle between two unit vectors in radians, accurate at 0 and at pi (unlike acos of the dot)."""
    return math.atan2(_norm(_cross(a, b)), _dot(a, b))


def _vector(lon: float, lat: float) -> Vec3:
    lon_r = lon * _RAD
    lat_r = lat * _RAD
    c = math.cos(lat_r)
    return (c * math.cos(lon_r), c * math.sin(lon_r), math.sin(lat_r))


def _lonlat(v: Vec3) -> tuple[float, float]:
    lon = normalise_lon(math.atan2(v[1], v[0]) * _DEG)
    lat = math.atan2(v[2], math.hypot(v[0], v[1])) * _DEG
    return lon, lat


def normalise_lon(lon: float) -> float:
    """Wraps a longitude into [0, 360); ``% 360`` alone can round tiny negative values up to 360."""
    wrapped = lon % 360.0
    return 0.0 if wrapped >= 360.0 else wrapped + 0.0  # + 0.0 turns -0.0 into 0.0


def check_lonlat(lon: float, lat: float, what: str) -> None:
    """Raises :class:`GeometryError` naming ``what`` unless the longitude is finite and the latitude in range."""
    if not math.isfinite(lon):
        raise GeometryError(f"{what}: longitude {lon!r} is not a finite number")
    if not -90.0 <= lat <= 90.0:
        raise GeometryError(f"{what}: latitude {lat!r} is outside [-90, 90]")


# ---------------------------------------------------------------------------------------------------------
# shapes


class Point:
    """A position; ``vec`` is its unit vector, computed once because every predicate needs it."""

    __slots__ = ("lat", "lon", "vec")

    def __init__(self, lon: float, lat: float) -> None:
        check_lonlat(lon, lat, "POINT")
        self.lon = lon
        self.lat = lat
        self.vec = _vector(lon, lat)

    def __repr__(self) -> str:
        return f"Point({self.lon!r}, {self.lat!r})"


class Circle:
    """A spherical cap; radius in degrees, 0 to 180 inclusive (DALI allows (0, 180], pgSphere [0, 90])."""

    __slots__ = ("center", "radius", "radius_rad")

    def __init__(self, lon: float, lat: float, radius: float) -> None:
        check_lonlat(lon, lat, "CIRCLE")
        if not 0.0 <= radius <= 180.0:
            raise GeometryError(f"CIRCLE: radius {radius!r} is outside [0, 180] degrees")
        self.center = Point(lon, lat)
        self.radius = radius
        self.radius_rad = radius * _RAD

    def __repr__(self) -> str:
        return f"Circle({self.center.lon!r}, {self.center.lat!r}, {self.radius!r})"


class _Edge:
    """A polygon edge from ``a`` to ``b`` (interior on the left seen from outside the sphere).

    ``normal`` is the unit normal of the edge's great circle, pointing to the interior side; ``to_a`` and
    ``to_b`` are the tangent-plane normals that bound the arc, so that a point projects inside the arc
    exactly when its dot products with both are non-negative.
    """

    __slots__ = ("a", "b", "length", "normal", "to_a", "to_b")

    def __init__(self, a: Vec3, b: Vec3) -> None:
        self.a = a
        self.b = b
        # (a - b) x (a + b) = 2 a x b, but the difference of close vectors is exact in floating point, so this
        # normal stays perpendicular to the endpoints to full precision even for very short edges.
        self.normal = _unit(_cross(_sub(a, b), (a[0] + b[0], a[1] + b[1], a[2] + b[2])))
        self.to_a = _cross(self.normal, a)
        self.to_b = _cross(b, self.normal)
        self.length = _angle(a, b)

    def distance(self, p: Vec3) -> float:
        """Angular distance in radians from ``p`` to the arc (to the nearest point of the arc)."""
        if _dot(p, self.to_a) >= 0.0 and _dot(p, self.to_b) >= 0.0:
            s = _dot(p, self.normal)
            n = self.normal
            q = (p[0] - s * n[0], p[1] - s * n[1], p[2] - s * n[2])
            return math.atan2(abs(s), _norm(q))
        return min(_angle(p, self.a), _angle(p, self.b))

    def touches(self, p: Vec3) -> bool:
        """Whether ``p`` lies on the arc, within the tolerance."""
        return (
            abs(_dot(p, self.normal)) <= TOLERANCE_RAD
            and _dot(p, self.to_a) >= -TOLERANCE_RAD
            and _dot(p, self.to_b) >= -TOLERANCE_RAD
        )

    def crosses(self, other: _Edge) -> bool:
        """Whether the two arcs cross at a point interior to both (touching does not count).

        Both pairs of endpoints must lie strictly on opposite sides of the other arc's great circle, and the
        orientations must agree so that the crossing is not the antipodal intersection of the great circles.
        """
        s1 = _dot(self.normal, other.a)
        s2 = _dot(self.normal, other.b)
        t1 = _dot(other.normal, self.a)
        t2 = _dot(other.normal, self.b)
        eps = TOLERANCE_RAD
        if not ((s1 > eps and s2 < -eps) or (s1 < -eps and s2 > eps)):
            return False
        if not ((t1 > eps and t2 < -eps) or (t1 < -eps and t2 > eps)):
            return False
        return (s1 > 0.0) == (t2 > 0.0)


_OUTSIDE: Final = -1
_BOUNDARY: Final = 0
_INSIDE: Final = 1


class Polygon:
    """A simple spherical polygon, its interior the smaller region (see the module docstring).

    Construction validates and precomputes everything the per-row predicates need: the edges oriented with
    the interior on their left, whether the polygon is convex (then a point test is one dot product per edge)
    and, for non-convex polygons, the gnomonic projection of the vertices onto the plane tangent at a centre
    that all vertices see within 90 degrees.  Gnomonic projection maps great circles onto straight lines, so
    the spherical point-in-polygon question becomes the planar one, exactly.

    Raises :class:`GeometryError` for fewer than 3 distinct vertices, an edge of 180 degrees (its great circle
    is undefined), crossing or folded-back edges, all vertices on one great circle, or vertices that do not
    fit in an open hemisphere.
    """

    __slots__ = ("_cap_chord2", "_e1", "_e2", "_plane_x", "_plane_y", "centre", "convex", "edges", "vertices")

    def __init__(self, vertices: Sequence[tuple[float, float]]) -> None:
        for lon, lat in vertices:
            check_lonlat(lon, lat, "POLYGON")
        self.vertices: tuple[tuple[float, float], ...] = tuple(vertices)
        vecs = _distinct_ring([_vector(lon, lat) for lon, lat in vertices])
        if len(vecs) < 3:
            raise GeometryError("POLYGON: at least 3 distinct vertices are needed")
        for a, b in zip(vecs, vecs[1:] + vecs[:1], strict=True):
            if _norm((a[0] + b[0], a[1] + b[1], a[2] + b[2])) < 1e-8:
                raise GeometryError(
                    "POLYGON: an edge joins two opposite points (180 degrees), its path is undefined"
                )
        self.centre = _hemisphere_centre(vecs)
        self._e1, self._e2 = _tangent_basis(self.centre)
        xs, ys = self._project_all(vecs)
        _check_simple(xs, ys)
        signed = _planar_signed_area(xs, ys)
        if abs(signed) <= 1e-14 * _planar_perimeter(xs, ys) ** 2:
            raise GeometryError("POLYGON: degenerate, all vertices lie on one great circle")
        if signed < 0.0:
            vecs.reverse()
            xs.reverse()
            ys.reverse()
        self._plane_x = xs
        self._plane_y = ys
        self.edges = tuple(_Edge(a, b) for a, b in zip(vecs, vecs[1:] + vecs[:1], strict=True))
        self.convex = _is_convex(xs, ys)
        # A cap around the centre through the farthest vertex holds the whole polygon (the polygon lies in
        # the hemisphere, where caps are convex): one dot product rejects most far-away positions.
        # Compared as squared chords, which keep their precision for small caps (unlike cosines near 1).
        reach = max(_angle(self.centre, v) for v in vecs) + 1e-9
        self._cap_chord2 = 4.0 * math.sin(min(reach, _PI) / 2.0) ** 2

    def __repr__(self) -> str:
        return f"Polygon({list(self.vertices)!r})"

    def _project_all(self, vecs: Sequence[Vec3]) -> tuple[list[float], list[float]]:
        xs: list[float] = []
        ys: list[float] = []
        for v in vecs:
            d = _dot(v, self.centre)
            xs.append(_dot(v, self._e1) / d)
            ys.append(_dot(v, self._e2) / d)
        return xs, ys

    def contains_vec(self, p: Vec3) -> bool:
        """Whether the position lies in the polygon or on its boundary (the per-row hot path)."""
        c = self.centre
        dx, dy, dz = p[0] - c[0], p[1] - c[1], p[2] - c[2]
        if dx * dx + dy * dy + dz * dz > self._cap_chord2:
            return False
        if self.convex:
            for edge in self.edges:
                n = edge.normal
                if p[0] * n[0] + p[1] * n[1] + p[2] * n[2] < -TOLERANCE_RAD:
                    return False
            return True
        return self._planar_inside(p) or any(edge.touches(p) for edge in self.edges)

    def locate(self, p: Vec3) -> int:
        """-1 outside, 0 on the boundary (within the tolerance), 1 strictly inside."""
        if any(edge.touches(p) for edge in self.edges):
            return _BOUNDARY
        if self.convex:
            return _INSIDE if all(_dot(p, edge.normal) > 0.0 for edge in self.edges) else _OUTSIDE
        return _INSIDE if self._planar_inside(p) else _OUTSIDE

    def _planar_inside(self, p: Vec3) -> bool:
        """Even-odd crossing test in the gnomonic plane; positions beyond the hemisphere are outside."""
        d = _dot(p, self.centre)
        if d <= 0.0:
            return False
        x = _dot(p, self._e1) / d
        y = _dot(p, self._e2) / d
        xs = self._plane_x
        ys = self._plane_y
        inside = False
        j = len(xs) - 1
        for i in range(len(xs)):
            yi = ys[i]
            yj = ys[j]
            if (yi > y) != (yj > y) and x < (xs[j] - xs[i]) * (y - yi) / (yj - yi) + xs[i]:
                inside = not inside
            j = i
        return inside

    def boundary_distance(self, p: Vec3) -> float:
        """Angular distance in radians from ``p`` to the nearest point of the boundary."""
        return min(edge.distance(p) for edge in self.edges)


Shape = Point | Circle | Polygon


def _distinct_ring(vecs: list[Vec3]) -> list[Vec3]:
    """Drops repeated consecutive vertices, including a last vertex that repeats the first (a closed ring)."""
    ring: list[Vec3] = []
    for v in vecs:
        if not ring or _norm(_sub(v, ring[-1])) > TOLERANCE_RAD:
            ring.append(v)
    while len(ring) > 1 and _norm(_sub(ring[0], ring[-1])) <= TOLERANCE_RAD:
        ring.pop()
    return ring


def _hemisphere_centre(vecs: Sequence[Vec3]) -> Vec3:
    """A unit vector within 90 degrees of every vertex (the polygon lies in the hemisphere it centres).

    The mean direction suits any ordinary polygon; otherwise a perceptron walk, which converges whenever
    such a direction exists, finds one.  Raises :class:`GeometryError` when none is found.
    """
    w = (sum(v[0] for v in vecs), sum(v[1] for v in vecs), sum(v[2] for v in vecs))
    if _norm(w) < 1e-12:
        w = vecs[0]
    for _ in range(10_000):
        c = _unit(w)
        worst = min(vecs, key=lambda v: _dot(v, c))
        if _dot(worst, c) > 1e-9:
            return c
        w = (w[0] + worst[0], w[1] + worst[1], w[2] + worst[2])
        if _norm(w) < 1e-12:
            break
    raise GeometryError("POLYGON: too large, its vertices do not fit in a hemisphere")


def _tangent_basis(c: Vec3) -> tuple[Vec3, Vec3]:
    """Two unit vectors spanning the plane tangent at ``c``, right-handed with ``c`` pointing outwards."""
    axis: Vec3 = (0.0, 0.0, 1.0) if abs(c[2]) < 0.9 else (1.0, 0.0, 0.0)
    e1 = _unit(_cross(axis, c))
    e2 = _cross(c, e1)
    return e1, e2


def _planar_signed_area(xs: Sequence[float], ys: Sequence[float]) -> float:
    n = len(xs)
    return 0.5 * sum(xs[i] * ys[(i + 1) % n] - xs[(i + 1) % n] * ys[i] for i in range(n))


def _planar_perimeter(xs: Sequence[float], ys: Sequence[float]) -> float:
    n = len(xs)
    return sum(math.hypot(xs[(i + 1) % n] - xs[i], ys[(i + 1) % n] - ys[i]) for i in range(n))


def _turn(xs: Sequence[float], ys: Sequence[float], i: int, j: int, k: int) -> float:
    """Twice the signed area of the planar triangle (i, j, k): positive for a left turn."""
    return (xs[j] - xs[i]) * (ys[k] - ys[i]) - (ys[j] - ys[i]) * (xs[k] - xs[i])


def _is_convex(xs: Sequence[float], ys: Sequence[float]) -> bool:
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


def _check_simple(xs: Sequence[float], ys: Sequence[float]) -> None:
    """Raises :class:`GeometryError` for crossing edges or an edge folding back onto the previous one."""
    n = len(xs)
    for i in range(n):
        prev, nxt = (i - 1) % n, (i + 1) % n
        back = (xs[prev] - xs[i]) * (xs[nxt] - xs[i]) + (ys[prev] - ys[i]) * (ys[nxt] - ys[i])
        if back > 0.0 and abs(_turn(xs, ys, prev, i, nxt)) <= 1e-15 * back:
            raise GeometryError("POLYGON: an edge folds back onto the previous one")
    for i in range(n):
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue
            if _segments_cross(xs, ys, i, j):
                raise GeometryError("POLYGON: edges cross each other (the polygon is not simple)")


# ---------------------------------------------------------------------------------------------------------
# constructors and accessors


def box(lon: float, lat: float, width: float, height: float) -> Polygon:
    """ADQL BOX: the polygon whose sides cut the arms of a cross centred on (lon, lat) at right angles.

    The arms run along the great circles tangent to the coordinate axes at the centre (east and north),
    for half the width and half the height.  Those sides form a rectangle of half-sides tan(width/2) and
    tan(height/2) in the gnomonic projection at the centre, which gives the vertices directly.  At a pole
    "east" follows the given longitude.  Vertices come in DALI order (counter-clockwise seen from inside).

    Raises :class:`GeometryError` unless 0 < width, height < 180.
    """
    check_lonlat(lon, lat, "BOX")
    for name, size in (("width", width), ("height", height)):
        if not 0.0 < size < 180.0:
            raise GeometryError(f"BOX: {name} {size!r} is outside (0, 180) degrees")
    lon_r, lat_r = lon * _RAD, lat * _RAD
    c = _vector(lon, lat)
    east: Vec3 = (-math.sin(lon_r), math.cos(lon_r), 0.0)
    north: Vec3 = (-math.sin(lat_r) * math.cos(lon_r), -math.sin(lat_r) * math.sin(lon_r), math.cos(lat_r))
    tx = math.tan(width * _RAD / 2.0)
    ty = math.tan(height * _RAD / 2.0)
    corners = []
    for sx, sy in ((-1.0, -1.0), (-1.0, 1.0), (1.0, 1.0), (1.0, -1.0)):
        v = tuple(c[k] + sx * tx * east[k] + sy * ty * north[k] for k in range(3))
        corners.append(_lonlat(_unit((v[0], v[1], v[2]))))
    return Polygon(corners)


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
    p1 = lat1 * _RAD
    p2 = lat2 * _RAD
    dl = (lon2 - lon1) * _RAD
    sp1, cp1 = math.sin(p1), math.cos(p1)
    sp2, cp2 = math.sin(p2), math.cos(p2)
    sdl, cdl = math.sin(dl), math.cos(dl)
    across = cp2 * sdl
    along = cp1 * sp2 - sp1 * cp2 * cdl
    return math.atan2(math.hypot(across, along), sp1 * sp2 + cp1 * cp2 * cdl) * _DEG


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
        det = _dot(c, _cross(_sub(a, c), _sub(b, c)))
        total += 2.0 * math.atan2(det, 1.0 + _dot(a, b) + _dot(b, c) + _dot(c, a))
    return abs(total)


def centroid(g: Shape) -> Point:
    """ADQL CENTROID: the point itself, a circle's centre, a polygon's surface centroid (module docstring)."""
    if isinstance(g, Point):
        return g
    if isinstance(g, Circle):
        return g.center
    return Point(*_lonlat(_unit(_surface_moment(g))))


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
        rel = _cross(_sub(a, c), _sub(b, c))
        full = _cross(a, b)
        extra = edge.length / _norm(full) - 1.0
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
        d = _angle(a.center.vec, b.center.vec)
        return d <= a.radius_rad + b.radius_rad + TOLERANCE_RAD
    if isinstance(a, Circle) and isinstance(b, Polygon):
        return _circle_meets_polygon(a, b)
    if isinstance(a, Polygon) and isinstance(b, Circle):
        return _circle_meets_polygon(b, a)
    assert isinstance(a, Polygon) and isinstance(b, Polygon)
    return _polygons_meet(a, b)


def _in_point(inner: Shape, outer: Point) -> bool:
    if isinstance(inner, Point):
        return _angle(inner.vec, outer.vec) <= TOLERANCE_RAD
    if isinstance(inner, Circle):
        return inner.radius_rad + _angle(inner.center.vec, outer.vec) <= TOLERANCE_RAD
    return False


def _in_circle(inner: Shape, outer: Circle) -> bool:
    if outer.radius >= 180.0:
        return True
    c = outer.center.vec
    limit = outer.radius_rad + TOLERANCE_RAD
    if isinstance(inner, Point):
        return _angle(inner.vec, c) <= limit
    if isinstance(inner, Circle):
        return _angle(inner.center.vec, c) + inner.radius_rad <= limit
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
    return not any(inner.locate(edge.a) == _INSIDE for edge in outer.edges)


def _circle_meets_polygon(circle: Circle, polygon: Polygon) -> bool:
    c = circle.center.vec
    return polygon.contains_vec(c) or polygon.boundary_distance(c) <= circle.radius_rad + TOLERANCE_RAD


def _polygons_meet(a: Polygon, b: Polygon) -> bool:
    if any(b.contains_vec(edge.a) for edge in a.edges):
        return True
    if any(a.contains_vec(edge.a) for edge in b.edges):
        return True
    return any(e.crosses(f) for e in a.edges for f in b.edges)


# ---------------------------------------------------------------------------------------------------------
# the cone fast path


class Cone:
    """A cap prepared for testing many positions: the hot path of cone searches.

    The test compares haversines (squared half-chords) instead of angles, which needs three trigonometric
    calls and no inverse function per position, and keeps full precision at small radii.  Beyond 90 degrees
    it measures from the antipode of the centre instead, where the haversine is precise again.

    Raises :class:`GeometryError` for a latitude outside [-90, 90] or a radius outside [0, 180].
    """

    __slots__ = ("_cos_lat0", "_far", "_lat0", "_lat0_deg", "_lon0", "_reach_deg", "_threshold")

    def __init__(self, lon0: float, lat0: float, radius: float) -> None:
        check_lonlat(lon0, lat0, "CIRCLE")
        if not 0.0 <= radius <= 180.0:
            raise GeometryError(f"CIRCLE: radius {radius!r} is outside [0, 180] degrees")
        self._lon0 = lon0 * _RAD
        self._lat0 = lat0 * _RAD
        self._lat0_deg = lat0
        self._cos_lat0 = math.cos(self._lat0)
        r = radius * _RAD + TOLERANCE_RAD
        self._reach_deg = r * _DEG + 1e-9
        self._far = r > _PI / 2.0
        half = (_PI - r if self._far else r) / 2.0
        self._threshold = math.sin(half) ** 2 if half > 0.0 else -1.0

    def contains(self, lon: float, lat: float) -> bool:
        """Whether (lon, lat) in degrees is within the radius; raises for a latitude outside [-90, 90]."""
        if not -90.0 <= lat <= 90.0:
            raise GeometryError(f"POINT: latitude {lat!r} is outside [-90, 90]")
        if abs(lat - self._lat0_deg) > self._reach_deg:
            return False
        lat_r = lat * _RAD
        half_dlon = (lon * _RAD - self._lon0) * 0.5
        if self._far:
            s = math.sin((lat_r + self._lat0) * 0.5)
            t = math.cos(half_dlon)
            return s * s + self._cos_lat0 * math.cos(lat_r) * t * t >= self._threshold
        s = math.sin((lat_r - self._lat0) * 0.5)
        t = math.sin(half_dlon)
        return s * s + self._cos_lat0 * math.cos(lat_r) * t * t <= self._threshold
