"""Spherical geometry: distances against astropy, shapes against independent constructions.

The helpers at the top (``offset``, ``StarPolygon``, the position strategies) are shared with the SQLite,
HEALPix and engine-comparison tests.  A star polygon is built around a centre from sorted bearings, so the
centre sees every edge: each ray from the centre crosses the boundary exactly once, which gives an oracle
for inside and outside that does not use the code under test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tap.adql import sphere
from tap.adql.sphere import Circle, Cone, GeometryError, Point, Polygon

SQ_DEG_PER_SR = (180.0 / math.pi) ** 2
BOUNDARY_MARGIN = 1e-9  # degrees: cases this close to a boundary may legitimately round either way
FAST = settings(max_examples=150, deadline=None)

# ---------------------------------------------------------------------------------------------------------
# shared helpers


def offset(lon: float, lat: float, bearing: float, dist: float) -> tuple[float, float]:
    """The position ``dist`` degrees from (lon, lat) towards ``bearing`` (degrees east of north).

    Built from vectors so that it works at the poles, where "north" follows the given longitude.
    """
    lo, la, b, d = (math.radians(x) for x in (lon, lat, bearing, dist))
    c = (math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la))
    east = (-math.sin(lo), math.cos(lo), 0.0)
    north = (-math.sin(la) * math.cos(lo), -math.sin(la) * math.sin(lo), math.cos(la))
    v = [
        math.cos(d) * c[k] + math.sin(d) * (math.cos(b) * north[k] + math.sin(b) * east[k]) for k in range(3)
    ]
    return math.degrees(math.atan2(v[1], v[0])) % 360.0, math.degrees(
        math.atan2(v[2], math.hypot(v[0], v[1]))
    )


@dataclass(frozen=True)
class StarPolygon:
    """Vertices at sorted bearings around a centre, ``dists`` degrees away (convex when all are equal)."""

    lon: float
    lat: float
    bearings: tuple[float, ...]
    dists: tuple[float, ...]

    @property
    def vertices(self) -> list[tuple[float, float]]:
        return [offset(self.lon, self.lat, b, d) for b, d in zip(self.bearings, self.dists, strict=True)]

    def boundary_tan(self, bearing: float) -> float:
        """Gnomonic distance (tan of the angle) from the centre to the boundary along ``bearing``."""
        pts = [
            (
                math.tan(math.radians(d)) * math.sin(math.radians(b)),
                math.tan(math.radians(d)) * math.cos(math.radians(b)),
            )
            for b, d in zip(self.bearings, self.dists, strict=True)
        ]
        ux, uy = math.sin(math.radians(bearing)), math.cos(math.radians(bearing))
        for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1], strict=True):
            denom = ux * (y2 - y1) - uy * (x2 - x1)
            if denom == 0.0:
                continue
            t = (x1 * (y2 - y1) - y1 * (x2 - x1)) / denom  # distance along the ray
            s = (x1 * uy - y1 * ux) / denom  # position along the edge
            if t > 0.0 and -1e-12 <= s <= 1.0 + 1e-12:
                return t
        raise AssertionError("the ray from the centre must meet the boundary")

    def at(self, bearing: float, fraction: float) -> tuple[float, float]:
        """The position along ``bearing`` at ``fraction`` of the boundary's gnomonic distance."""
        return offset(
            self.lon, self.lat, bearing, math.degrees(math.atan(fraction * self.boundary_tan(bearing)))
        )


lons = st.floats(0.0, 360.0)
lats = st.floats(-90.0, 90.0)
centre_lons = st.one_of(
    lons, st.floats(-1e-6, 1e-6).map(lambda x: x % 360.0), st.floats(359.0, 360.0), st.just(0.0)
)
centre_lats = st.one_of(
    lats, st.floats(89.0, 90.0), st.floats(-90.0, -89.0), st.sampled_from([90.0, -90.0, 0.0])
)
positions = st.tuples(centre_lons, centre_lats)
radii = st.one_of(st.floats(1e-6, 1.0), st.floats(1.0, 90.0), st.floats(90.0, 179.0))


@st.composite
def star_polygons(draw: st.DrawFn, *, convex: bool = False, max_dist: float = 40.0) -> StarPolygon:
    lon, lat = draw(positions)
    n = draw(st.integers(3, 9))
    gaps = draw(st.lists(st.floats(0.2, 1.0), min_size=n, max_size=n))
    total = sum(gaps)
    assume(max(gaps) / total < 0.45)  # every gap below 162 degrees: the centre sees every edge
    start = draw(st.floats(0.0, 360.0))
    bearings = tuple(start + 360.0 * sum(gaps[:i]) / total for i in range(n))
    size = draw(st.one_of(st.floats(1e-4, 1.0), st.floats(1.0, max_dist)))
    if convex:
        dists = (size,) * n
    else:
        dists = tuple(size * f for f in draw(st.lists(st.floats(0.3, 1.0), min_size=n, max_size=n)))
    return StarPolygon(lon, lat, bearings, dists)


# ---------------------------------------------------------------------------------------------------------
# distance


def astropy_separation(pairs: list[tuple[float, float, float, float]]) -> np.ndarray:
    a = np.array(pairs, dtype=float)
    p = SkyCoord(a[:, 0] * u.deg, a[:, 1] * u.deg)
    q = SkyCoord(a[:, 2] * u.deg, a[:, 3] * u.deg)
    return np.asarray(p.separation(q).deg)


@st.composite
def point_pairs(draw: st.DrawFn) -> tuple[float, float, float, float]:
    lon, lat = draw(positions)
    kind = draw(st.sampled_from(["random", "tiny", "antipodal"]))
    if kind == "random":
        lon2, lat2 = draw(positions)
    elif kind == "tiny":
        lon2, lat2 = offset(lon, lat, draw(st.floats(0.0, 360.0)), draw(st.floats(0.0, 1e-6)))
    else:
        lon2, lat2 = offset(lon, lat, draw(st.floats(0.0, 360.0)), 180.0 - draw(st.floats(0.0, 1e-6)))
    return lon, lat, lon2, lat2


@FAST
@given(st.lists(point_pairs(), min_size=1, max_size=20))
def test_distance_agrees_with_astropy(pairs: list[tuple[float, float, float, float]]) -> None:
    expected = astropy_separation(pairs)
    got = [sphere.distance(*pair) for pair in pairs]
    np.testing.assert_allclose(got, expected, rtol=0.0, atol=1e-9)


@FAST
@given(point_pairs(), st.sampled_from([-720.0, -360.0, 360.0]))
def test_distance_ignores_longitude_wraps(pair: tuple[float, float, float, float], shift: float) -> None:
    lon1, lat1, lon2, lat2 = pair
    assert sphere.distance(lon1, lat1, lon2 + shift, lat2) == pytest.approx(sphere.distance(*pair), abs=1e-9)


def test_distance_special_values() -> None:
    assert sphere.distance(10.0, 20.0, 10.0, 20.0) == 0.0
    assert sphere.distance(0.0, 0.0, 180.0, 0.0) == 180.0
    assert sphere.distance(0.0, 90.0, 123.0, 90.0) == pytest.approx(0.0, abs=1e-12)
    assert sphere.distance(359.9999, 0.0, 0.0001, 0.0) == pytest.approx(0.0002, abs=1e-12)
    assert sphere.point_distance(Point(0, -90), Point(77, 90)) == 180.0
    with pytest.raises(GeometryError, match="latitude"):
        sphere.distance(0.0, 90.5, 0.0, 0.0)
    with pytest.raises(GeometryError, match="latitude"):
        sphere.distance(0.0, 0.0, 0.0, math.nan)


# ---------------------------------------------------------------------------------------------------------
# circles


@FAST
@given(positions, radii, st.floats(0.0, 360.0), st.floats(0.0, 2.0), st.floats(-1e-6, 1e-6))
def test_cone_membership_follows_the_distance(
    centre: tuple[float, float], r: float, bearing: float, scale: float, jitter: float
) -> None:
    lon, lat = offset(*centre, bearing, min(180.0, r * scale + jitter) if r * scale + jitter > 0 else 0.0)
    d = sphere.distance(*centre, lon, lat)
    assume(abs(d - r) > BOUNDARY_MARGIN)
    expected = d <= r
    assert Cone(*centre, r).contains(lon, lat) is expected
    assert sphere.contains(Point(lon, lat), Circle(*centre, r)) is expected
    assert sphere.intersects(Circle(*centre, r), Point(lon, lat)) is expected


def test_cone_edges() -> None:
    assert Cone(10.0, 20.0, 0.0).contains(10.0, 20.0)
    assert Cone(10.0, 20.0, 0.0).contains(370.0, 20.0)
    assert Cone(0.0, 90.0, 1.0).contains(250.0, 89.5)
    assert Cone(359.9, 0.0, 0.2).contains(0.05, 0.0)
    assert Cone(0.0, 0.0, 180.0).contains(180.0, 0.0)
    assert not Cone(0.0, 0.0, 179.9).contains(180.0, 0.0)
    assert Cone(0.0, 0.0, 179.9).contains(179.8, 0.0)
    with pytest.raises(GeometryError, match="latitude"):
        Cone(0.0, 0.0, 1.0).contains(0.0, -91.0)
    with pytest.raises(GeometryError, match="radius"):
        Cone(0.0, 0.0, -1.0)
    with pytest.raises(GeometryError, match="radius"):
        Circle(0.0, 0.0, 180.5)


@FAST
@given(positions, positions, radii, radii)
def test_circle_circle_relations_follow_the_distance(
    c1: tuple[float, float], c2: tuple[float, float], r1: float, r2: float
) -> None:
    d = sphere.distance(*c1, *c2)
    a, b = Circle(*c1, r1), Circle(*c2, r2)
    assume(abs(d - (r1 + r2)) > BOUNDARY_MARGIN and abs(d + r1 - r2) > BOUNDARY_MARGIN)
    assert sphere.intersects(a, b) is (d <= r1 + r2)
    assert sphere.intersects(b, a) is (d <= r1 + r2)
    assert sphere.contains(a, b) is (d + r1 <= r2)


@FAST
@given(positions, radii)
def test_circle_area(centre: tuple[float, float], r: float) -> None:
    expected = 2.0 * math.pi * (1.0 - math.cos(math.radians(r))) * SQ_DEG_PER_SR
    # 1 - cos(r) itself loses digits for small r (the module uses the stable 2 sin^2(r/2)): absolute tolerance
    assert sphere.area(Circle(*centre, r)) == pytest.approx(expected, rel=1e-9, abs=1e-10)


def test_point_relations() -> None:
    p = Point(10.0, 20.0)
    assert sphere.contains(p, Point(370.0, 20.0))
    assert not sphere.contains(p, Point(10.0, 20.001))
    assert sphere.contains(Circle(10.0, 20.0, 0.0), p)
    assert not sphere.contains(Circle(10.0, 20.0, 0.1), p)
    assert not sphere.contains(Polygon([(0, 0), (1, 0), (1, 1)]), p)
    assert sphere.area(p) == 0.0
    assert sphere.centroid(p) is p
    assert sphere.coord1(p) == 10.0
    assert sphere.coord2(p) == 20.0
    with pytest.raises(GeometryError, match="COORD1 needs a POINT"):
        sphere.coord1(Circle(0, 0, 1))
    with pytest.raises(GeometryError, match="latitude"):
        Point(0.0, 90.0000001)
    with pytest.raises(GeometryError, match="longitude"):
        Point(math.inf, 0.0)


# ---------------------------------------------------------------------------------------------------------
# polygons


@FAST
@given(
    star_polygons(),
    st.floats(0.0, 360.0),
    st.one_of(st.floats(0.0, 0.98), st.floats(1.02, 3.0)),
    st.booleans(),
)
def test_point_in_polygon_matches_the_star_oracle(
    star: StarPolygon, bearing: float, fraction: float, reverse: bool
) -> None:
    vertices = star.vertices[::-1] if reverse else star.vertices
    polygon = Polygon(vertices)
    lon, lat = star.at(bearing, fraction)
    p = Point(lon, lat)
    assume(math.degrees(polygon.boundary_distance(p.vec)) > BOUNDARY_MARGIN)
    assert sphere.contains(p, polygon) is (fraction < 1.0)
    assert sphere.intersects(polygon, p) is (fraction < 1.0)


@FAST
@given(star_polygons())
def test_polygon_holds_its_centre_and_vertices_and_ignores_order(star: StarPolygon) -> None:
    forward, backward = Polygon(star.vertices), Polygon(star.vertices[::-1])
    centre = Point(star.lon, star.lat)
    assert sphere.contains(centre, forward) and sphere.contains(centre, backward)
    for lon, lat in star.vertices:
        assert sphere.contains(Point(lon, lat), forward)
    assert sphere.area(forward) == pytest.approx(sphere.area(backward), rel=1e-12)
    assert sphere.area(forward) < 2.0 * math.pi * SQ_DEG_PER_SR  # the smaller region
    c1, c2 = sphere.centroid(forward), sphere.centroid(backward)
    assert sphere.distance(c1.lon, c1.lat, c2.lon, c2.lat) < 1e-9


@FAST
@given(star_polygons(convex=True))
def test_regular_polygons_are_convex(star: StarPolygon) -> None:
    polygon = Polygon(star.vertices)
    assert polygon.convex
    c = sphere.centroid(polygon)
    assert sphere.contains(c, polygon)


@FAST
@given(star_polygons(), st.floats(0.05, 0.9))
def test_circles_and_polygons_nest(star: StarPolygon, fraction: float) -> None:
    polygon = Polygon(star.vertices)
    centre = Point(star.lon, star.lat)
    inner_r = math.degrees(polygon.boundary_distance(centre.vec)) * fraction
    outer_r = max(sphere.distance(star.lon, star.lat, lon, lat) for lon, lat in star.vertices) / fraction
    assume(outer_r < 180.0)
    inner, outer = Circle(star.lon, star.lat, inner_r), Circle(star.lon, star.lat, outer_r)
    assert sphere.contains(inner, polygon)
    assert not sphere.contains(polygon, inner)
    assert sphere.contains(polygon, outer)
    assert not sphere.contains(outer, polygon)
    assert sphere.intersects(inner, polygon) and sphere.intersects(polygon, outer)


@FAST
@given(star_polygons(), st.floats(0.0, 360.0), st.floats(1.1, 3.0), st.floats(0.05, 0.9))
def test_circles_outside_a_polygon(star: StarPolygon, bearing: float, fraction: float, size: float) -> None:
    polygon = Polygon(star.vertices)
    lon, lat = star.at(bearing, fraction)
    gap = math.degrees(polygon.boundary_distance(Point(lon, lat).vec))
    assume(gap > 1e-7 and gap / size < 180.0)
    assert not sphere.intersects(Circle(lon, lat, gap * size), polygon)
    assert sphere.intersects(polygon, Circle(lon, lat, gap / size))
    assert not sphere.contains(Circle(lon, lat, gap * size), polygon)


@FAST
@given(star_polygons(), st.floats(0.1, 0.9))
def test_polygons_nest(star: StarPolygon, fraction: float) -> None:
    outer = Polygon(star.vertices)
    shrunk = [star.at(b, fraction) for b in star.bearings]
    grown = [star.at(b, 1.0 / fraction) for b in star.bearings]
    assume(max(sphere.distance(star.lon, star.lat, *v) for v in grown) < 80.0)
    inner, larger = Polygon(shrunk), Polygon(grown)
    assert sphere.contains(inner, outer)
    assert not sphere.contains(outer, inner)
    assert sphere.contains(outer, larger)
    assert sphere.intersects(inner, larger) and sphere.intersects(larger, inner)


def test_non_convex_container_with_an_edge_leaving_it() -> None:
    notch = Polygon([(0, 0), (10, 0), (10, 10), (5, 2), (0, 10)])
    assert not notch.convex
    # every vertex inside the notched square, but the top edge runs through the notch
    triangle = Polygon([(1, 6), (9, 6), (5, 1)])
    assert all(sphere.contains(Point(*v), notch) for v in triangle.vertices)
    assert not sphere.contains(triangle, notch)
    assert sphere.intersects(triangle, notch)
    assert sphere.contains(Polygon([(1, 1), (9, 1), (5, 1.5)]), notch)
    assert not sphere.contains(Point(5, 5), notch)
    assert sphere.contains(Point(5, 1), notch)
    assert sphere.contains(Point(5, 2), notch)  # a vertex: the boundary belongs to the polygon
    assert sphere.contains(Point(7.5, 6), notch)  # on an edge


def test_disjoint_polygons() -> None:
    a = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    b = Polygon([(2, 0), (3, 0), (3, 1), (2, 1)])
    assert not sphere.intersects(a, b)
    assert sphere.intersects(a, Polygon([(0.5, 0.5), (2.5, 0.5), (2.5, 0.7)]))  # crossing edges only
    crossing = Polygon([(0.5, -1), (0.6, -1), (0.6, 2), (0.5, 2)])
    assert sphere.intersects(a, crossing) and sphere.intersects(crossing, a)
    assert not sphere.contains(crossing, a)


def test_polygons_across_ra_zero_and_around_a_pole() -> None:
    wrap = Polygon([(350, -5), (10, -5), (10, 5), (350, 5)])
    assert sphere.contains(Point(0, 0), wrap) and sphere.contains(Point(355, 4), wrap)
    assert not sphere.contains(Point(180, 0), wrap) and not sphere.contains(Point(20, 0), wrap)
    cap = Polygon([(0, 80), (90, 80), (180, 80), (270, 80)])
    assert sphere.contains(Point(0, 90), cap) and sphere.contains(Point(123, 85), cap)
    assert not sphere.contains(Point(45, 79.9), cap) and not sphere.contains(Point(0, -90), cap)
    south = Polygon([(0, -1), (90, -1), (180, -1), (270, -1)])  # the smaller side: the south
    assert sphere.contains(Point(0, -90), south) and not sphere.contains(Point(0, 90), south)


def test_polygon_area_and_centroid() -> None:
    octant = Polygon([(0, 0), (90, 0), (0, 90)])
    assert sphere.area(octant) == pytest.approx(4.0 * math.pi / 8.0 * SQ_DEG_PER_SR, rel=1e-12)
    c = sphere.centroid(octant)
    assert (c.lon, c.lat) == pytest.approx((45.0, math.degrees(math.atan(1.0 / math.sqrt(2.0)))), abs=1e-9)
    tiny = Polygon([(10, 20), (10 + 1e-7, 20), (10 + 1e-7, 20 + 1e-7), (10, 20 + 1e-7)])
    expected = 1e-14 * math.cos(math.radians(20.00000005))
    assert sphere.area(tiny) == pytest.approx(expected, rel=1e-6)


def test_polygon_centroid_is_the_surface_mean() -> None:
    vertices = [(0.0, 0.0), (30.0, 0.0), (40.0, 25.0), (5.0, 20.0)]
    polygon = Polygon(vertices)
    rng = np.random.default_rng(5)
    lon = rng.uniform(-10.0, 50.0, 400_000)
    lat = np.degrees(
        np.arcsin(rng.uniform(math.sin(math.radians(-10)), math.sin(math.radians(35)), lon.size))
    )
    xyz = np.stack(
        [
            np.cos(np.radians(lat)) * np.cos(np.radians(lon)),
            np.cos(np.radians(lat)) * np.sin(np.radians(lon)),
            np.sin(np.radians(lat)),
        ]
    )
    inside = np.ones(lon.size, dtype=bool)
    for edge in polygon.edges:  # a convex polygon is the intersection of its edges' hemispheres
        inside &= np.asarray(edge.normal) @ xyz >= 0.0
    mean = xyz[:, inside].mean(axis=1)
    expected = (
        math.degrees(math.atan2(mean[1], mean[0])),
        math.degrees(math.atan2(mean[2], math.hypot(mean[0], mean[1]))),
    )
    c = sphere.centroid(polygon)
    assert sphere.distance(c.lon, c.lat, *expected) < 0.05
    area_fraction = (
        inside.mean() * 60.0 * (math.sin(math.radians(35)) - math.sin(math.radians(-10))) * 180 / math.pi
    )
    assert sphere.area(polygon) == pytest.approx(area_fraction, rel=0.01)


@pytest.mark.parametrize(
    ("vertices", "message"),
    [
        ([(0, 0), (1, 0)], "at least 3 distinct"),
        ([(0, 0), (1, 0), (1, 0), (0, 0)], "at least 3 distinct"),
        ([(0, 0), (1, 1), (1, 0), (0, 1)], "not simple"),
        ([(0, 0), (1, 0), (2, 0)], "folds back|degenerate"),
        ([(0, 0), (2, 0), (1, 0), (1, 1)], "folds back|not simple"),
        ([(0, 0), (120, 0), (240, 0)], "hemisphere"),
        ([(0, -10), (120, 10), (240, -10), (0, 10), (120, -10), (240, 10)], "hemisphere|not simple"),
        ([(0, 0), (180, 0), (90, 10)], "180 degrees"),
        ([(0, 0), (1, 0), (1, 91)], "latitude"),
    ],
)
def test_invalid_polygons(vertices: list[tuple[float, float]], message: str) -> None:
    with pytest.raises(GeometryError, match=message):
        Polygon(vertices)


def test_closing_vertex_and_repeats_are_dropped() -> None:
    square = Polygon([(0, 0), (0, 0), (1, 0), (1, 1), (0, 1), (0, 0)])
    assert len(square.edges) == 4
    assert square.vertices[0] == (0, 0) and len(square.vertices) == 6  # kept as given for output


# ---------------------------------------------------------------------------------------------------------
# BOX


@FAST
@given(positions, st.floats(1e-4, 170.0), st.floats(1e-4, 170.0), st.floats(0.02, 0.98))
def test_box_follows_the_adql_definition(centre: tuple[float, float], w: float, h: float, f: float) -> None:
    b = sphere.box(*centre, w, h)
    a, t = math.tan(math.radians(w / 2)), math.tan(math.radians(h / 2))
    expected_area = 4.0 * math.atan(a * t / math.sqrt(1.0 + a * a + t * t)) * SQ_DEG_PER_SR
    # the vertices are rounded to doubles: thin boxes lose relative precision, not absolute
    assert sphere.area(b) == pytest.approx(expected_area, rel=1e-9, abs=1e-9)
    assert b.convex
    c = sphere.centroid(b)
    assert sphere.distance(c.lon, c.lat, *centre) < 1e-7  # rounding grows with the aspect ratio
    for bearing, half in ((0.0, h / 2), (90.0, w / 2), (180.0, h / 2), (270.0, w / 2)):
        assert sphere.contains(Point(*offset(*centre, bearing, half * f)), b)
        if half / f < 90.0:
            assert not sphere.contains(Point(*offset(*centre, bearing, half / f)), b)


def test_box_vertices_are_in_dali_order() -> None:
    b = sphere.box(0.0, 0.0, 2.0, 2.0)
    (l1, b1), (l2, b2), (l3, b3), (l4, b4) = b.vertices
    assert (l1, b1) == pytest.approx(
        (359.0, -1.0), abs=1e-3
    )  # west-south, west-north, east-north, east-south
    assert (l2, b2) == pytest.approx((359.0, 1.0), abs=1e-3)
    assert (l3, b3) == pytest.approx((1.0, 1.0), abs=1e-3)
    assert (l4, b4) == pytest.approx((1.0, -1.0), abs=1e-3)


@pytest.mark.parametrize(("w", "h"), [(0.0, 1.0), (1.0, -1.0), (180.0, 1.0), (1.0, math.nan)])
def test_invalid_boxes(w: float, h: float) -> None:
    with pytest.raises(GeometryError, match="BOX"):
        sphere.box(10.0, 10.0, w, h)


def test_normalise_lon() -> None:
    assert sphere.normalise_lon(-1e-20) == 0.0
    assert sphere.normalise_lon(360.0) == 0.0
    assert math.copysign(1.0, sphere.normalise_lon(-0.0)) == 1.0
    assert sphere.normalise_lon(-90.0) == 270.0
    assert sphere.normalise_lon(725.0) == 5.0
