"""The shapes of :mod:`tap.adql.sphere` (point, circle, polygon, BOX, and the prepared cone of cone searches);
the conventions they follow are that module's."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from tap.adql.planar import is_convex, perimeter, signed_area, simplicity_problem
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
    sub,
    unit,
    vector,
)

__all__ = [
    "INSIDE",
    "Circle",
    "Cone",
    "GeometryError",
    "Point",
    "Polygon",
    "Shape",
    "box",
    "check_lonlat",
]

_PI = math.pi


class GeometryError(ValueError):
    """Malformed or unsupported geometry; the message names the geometry so a user can fix the query."""


def check_lonlat(lon: float, lat: float, what: str) -> None:
    """Raises :class:`GeometryError` naming ``what`` unless the longitude is finite and the latitude in range."""
    if not math.isfinite(lon):
        raise GeometryError(f"{what}: longitude {lon!r} is not a finite number")
    if not -90.0 <= lat <= 90.0:
        raise GeometryError(f"{what}: latitude {lat!r} is outside [-90, 90]")


class Point:
    """A position; ``vec`` is its unit vector, computed once because every predicate needs it."""

    __slots__ = ("lat", "lon", "vec")

    def __init__(self, lon: float, lat: float) -> None:
        check_lonlat(lon, lat, "POINT")
        self.lon = lon
        self.lat = lat
        self.vec = vector(lon, lat)

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
        self.radius_rad = radius * RAD

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
        self.normal = unit(cross(sub(a, b), (a[0] + b[0], a[1] + b[1], a[2] + b[2])))
        self.to_a = cross(self.normal, a)
        self.to_b = cross(b, self.normal)
        self.length = angle(a, b)

    def distance(self, p: Vec3) -> float:
        """Angular distance in radians from ``p`` to the arc (to the nearest point of the arc)."""
        if dot(p, self.to_a) >= 0.0 and dot(p, self.to_b) >= 0.0:
            s = dot(p, self.normal)
            n = self.normal
            q = (p[0] - s * n[0], p[1] - s * n[1], p[2] - s * n[2])
            return math.atan2(abs(s), norm(q))
        return min(angle(p, self.a), angle(p, self.b))

    def touches(self, p: Vec3) -> bool:
        """Whether ``p`` lies on the arc, within the tolerance."""
        return (
            abs(dot(p, self.normal)) <= TOLERANCE_RAD
            and dot(p, self.to_a) >= -TOLERANCE_RAD
            and dot(p, self.to_b) >= -TOLERANCE_RAD
        )

    def crosses(self, other: _Edge) -> bool:
        """Whether the two arcs cross at a point interior to both (touching does not count).

        Both pairs of endpoints must lie strictly on opposite sides of the other arc's great circle, and the
        orientations must agree so that the crossing is not the antipodal intersection of the great circles.
        """
        s1 = dot(self.normal, other.a)
        s2 = dot(self.normal, other.b)
        t1 = dot(other.normal, self.a)
        t2 = dot(other.normal, self.b)
        eps = TOLERANCE_RAD
        if not ((s1 > eps and s2 < -eps) or (s1 < -eps and s2 > eps)):
            return False
        if not ((t1 > eps and t2 < -eps) or (t1 < -eps and t2 > eps)):
            return False
        return (s1 > 0.0) == (t2 > 0.0)


_OUTSIDE: Final = -1
_BOUNDARY: Final = 0
INSIDE: Final = 1


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
        vecs = _distinct_ring([vector(lon, lat) for lon, lat in vertices])
        if len(vecs) < 3:
            raise GeometryError("POLYGON: at least 3 distinct vertices are needed")
        for a, b in zip(vecs, vecs[1:] + vecs[:1], strict=True):
            if norm((a[0] + b[0], a[1] + b[1], a[2] + b[2])) < 1e-8:
                raise GeometryError(
                    "POLYGON: an edge joins two opposite points (180 degrees), its path is undefined"
                )
        self.centre = _hemisphere_centre(vecs)
        self._e1, self._e2 = _tangent_basis(self.centre)
        xs, ys = self._project_all(vecs)
        problem = simplicity_problem(xs, ys)
        if problem is not None:
            raise GeometryError(f"POLYGON: {problem}")
        signed = signed_area(xs, ys)
        if abs(signed) <= 1e-14 * perimeter(xs, ys) ** 2:
            raise GeometryError("POLYGON: degenerate, all vertices lie on one great circle")
        if signed < 0.0:
            vecs.reverse()
            xs.reverse()
            ys.reverse()
        self._plane_x = xs
        self._plane_y = ys
        self.edges = tuple(_Edge(a, b) for a, b in zip(vecs, vecs[1:] + vecs[:1], strict=True))
        self.convex = is_convex(xs, ys)
        # A cap around the centre through the farthest vertex holds the whole polygon (the polygon lies in
        # the hemisphere, where caps are convex): one dot product rejects most far-away positions.
        # Compared as squared chords, which keep their precision for small caps (unlike cosines near 1).
        reach = max(angle(self.centre, v) for v in vecs) + 1e-9
        self._cap_chord2 = 4.0 * math.sin(min(reach, _PI) / 2.0) ** 2

    def __repr__(self) -> str:
        return f"Polygon({list(self.vertices)!r})"

    def _project_all(self, vecs: Sequence[Vec3]) -> tuple[list[float], list[float]]:
        xs: list[float] = []
        ys: list[float] = []
        for v in vecs:
            d = dot(v, self.centre)
            xs.append(dot(v, self._e1) / d)
            ys.append(dot(v, self._e2) / d)
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
            return INSIDE if all(dot(p, edge.normal) > 0.0 for edge in self.edges) else _OUTSIDE
        return INSIDE if self._planar_inside(p) else _OUTSIDE

    def _planar_inside(self, p: Vec3) -> bool:
        """Even-odd crossing test in the gnomonic plane; positions beyond the hemisphere are outside."""
        d = dot(p, self.centre)
        if d <= 0.0:
            return False
        x = dot(p, self._e1) / d
        y = dot(p, self._e2) / d
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
        if not ring or norm(sub(v, ring[-1])) > TOLERANCE_RAD:
            ring.append(v)
    while len(ring) > 1 and norm(sub(ring[0], ring[-1])) <= TOLERANCE_RAD:
        ring.pop()
    return ring


def _hemisphere_centre(vecs: Sequence[Vec3]) -> Vec3:
    """A unit vector within 90 degrees of every vertex (the polygon lies in the hemisphere it centres).

    The mean direction suits any ordinary polygon; otherwise a perceptron walk, which converges whenever
    such a direction exists, finds one.  Raises :class:`GeometryError` when none is found.
    """
    w = (sum(v[0] for v in vecs), sum(v[1] for v in vecs), sum(v[2] for v in vecs))
    if norm(w) < 1e-12:
        w = vecs[0]
    for _ in range(10_000):
        c = unit(w)
        worst = min(vecs, key=lambda v: dot(v, c))
        if dot(worst, c) > 1e-9:
            return c
        w = (w[0] + worst[0], w[1] + worst[1], w[2] + worst[2])
        if norm(w) < 1e-12:
            break
    raise GeometryError("POLYGON: too large, its vertices do not fit in a hemisphere")


def _tangent_basis(c: Vec3) -> tuple[Vec3, Vec3]:
    """Two unit vectors spanning the plane tangent at ``c``, right-handed with ``c`` pointing outwards."""
    axis: Vec3 = (0.0, 0.0, 1.0) if abs(c[2]) < 0.9 else (1.0, 0.0, 0.0)
    e1 = unit(cross(axis, c))
    e2 = cross(c, e1)
    return e1, e2


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
    lon_r, lat_r = lon * RAD, lat * RAD
    c = vector(lon, lat)
    east: Vec3 = (-math.sin(lon_r), math.cos(lon_r), 0.0)
    north: Vec3 = (-math.sin(lat_r) * math.cos(lon_r), -math.sin(lat_r) * math.sin(lon_r), math.cos(lat_r))
    tx = math.tan(width * RAD / 2.0)
    ty = math.tan(height * RAD / 2.0)
    corners = []
    for sx, sy in ((-1.0, -1.0), (-1.0, 1.0), (1.0, 1.0), (1.0, -1.0)):
        v = tuple(c[k] + sx * tx * east[k] + sy * ty * north[k] for k in range(3))
        corners.append(lonlat(unit((v[0], v[1], v[2]))))
    return Polygon(corners)


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
        self._lon0 = lon0 * RAD
        self._lat0 = lat0 * RAD
        self._lat0_deg = lat0
        self._cos_lat0 = math.cos(self._lat0)
        r = radius * RAD + TOLERANCE_RAD
        self._reach_deg = r * DEG + 1e-9
        self._far = r > _PI / 2.0
        half = (_PI - r if self._far else r) / 2.0
        self._threshold = math.sin(half) ** 2 if half > 0.0 else -1.0

    def contains(self, lon: float, lat: float) -> bool:
        """Whether (lon, lat) in degrees is within the radius; raises for a latitude outside [-90, 90]."""
        if not -90.0 <= lat <= 90.0:
            raise GeometryError(f"POINT: latitude {lat!r} is outside [-90, 90]")
        if abs(lat - self._lat0_deg) > self._reach_deg:
            return False
        lat_r = lat * RAD
        half_dlon = (lon * RAD - self._lon0) * 0.5
        if self._far:
            s = math.sin((lat_r + self._lat0) * 0.5)
            t = math.cos(half_dlon)
            return s * s + self._cos_lat0 * math.cos(lat_r) * t * t >= self._threshold
        s = math.sin((lat_r - self._lat0) * 0.5)
        t = math.sin(half_dlon)
        return s * s + self._cos_lat0 * math.cos(lat_r) * t * t <= self._threshold
