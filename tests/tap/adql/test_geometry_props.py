"""Geometry properties through translation and execution, on SQLite and on PostgreSQL+pgSphere.

Cones (also at the poles and across RA 0/360), boxes, convex polygons and circle intersections are checked
against an independent computation in Python; rows within a hair of a boundary are left out of the
comparison, since the engines' tolerances differ there (1e-11 rad on SQLite, 1e-9 rad in pgSphere).  The
equivalent ways to write a cone (CONTAINS, INTERSECTS, DISTANCE, with and without the spatial index) must
give exactly the same rows, and DISTANCE must agree with astropy to 1e-9 degrees.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tap.adql.sphere import GeometryError, Polygon, box
from tests.tap.adql.engines import Engine, engine_fixture, star_rows

STARS = [row for row in star_rows() if row[1] is not None]
IDS = np.array([row[0] for row in STARS])
RA = np.radians([row[1] for row in STARS])
DEC = np.radians([row[2] for row in STARS])
XYZ = np.stack([np.cos(DEC) * np.cos(RA), np.cos(DEC) * np.sin(RA), np.sin(DEC)], axis=1)
#: Rows nearer than this to a boundary are not compared.
MARGIN_DEG = 1e-6

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    yield from engine_fixture(request, tmp_path_factory)


def separation_deg(lon: float, lat: float) -> np.ndarray:
    """Great-circle distances from (lon, lat) to every star, Vincenty's form."""
    c = np.array([math.cos(math.radians(lat)) * math.cos(math.radians(lon)),
                  math.cos(math.radians(lat)) * math.sin(math.radians(lon)), math.sin(math.radians(lat))])  # fmt: skip
    cross = np.linalg.norm(np.cross(XYZ, c), axis=1)
    result: np.ndarray = np.degrees(np.arctan2(cross, XYZ @ c))
    return result


def ids(engine: Engine, adql: str, *, indexed: bool = True) -> set[int]:
    return {row[0] for row in engine.rows(adql, indexed=indexed)}


def clear_of(mask: np.ndarray) -> set[int]:
    """Star ids where ``mask`` is true."""
    return set(IDS[mask].tolist())


def _no_underflow(x: float) -> float:
    """PostgreSQL refuses float8 underflow, so coordinates like 1e-308 degrees are 0 here."""
    return 0.0 if abs(x) < 1e-200 else x


longitudes = st.one_of(
    st.floats(0, 360, exclude_max=True),
    st.sampled_from([0.0, 1e-9, 359.9999999, 180.0, 359.5, 0.5]),
    st.floats(-1, 1),
).map(_no_underflow)
latitudes = st.one_of(
    st.floats(-90, 90), st.sampled_from([90.0, -90.0, 89.0, -89.0, 89.9999, 0.0, 30.0])
).map(_no_underflow)
radii = st.one_of(st.floats(0, 20), st.sampled_from([0.0, 1e-4, 0.5, 2.0, 45.0, 89.0, 100.0, 179.0])).map(
    _no_underflow
)


@PROPERTY
@given(lon=longitudes, lat=latitudes, radius=radii)
def test_cone_forms_agree_with_each_other_and_with_python(
    engine: Engine, lon: float, lat: float, radius: float
) -> None:
    circle = f"CIRCLE({lon!r}, {lat!r}, {radius!r})"
    forms = [
        f"1 = CONTAINS(POINT(ra, dec), {circle})",
        f"DISTANCE(POINT(ra, dec), POINT({lon!r}, {lat!r})) <= {radius!r}",
        f"{radius!r} >= DISTANCE({lon!r}, {lat!r}, ra, dec)",
        f"INTERSECTS({circle}, POINT(ra, dec)) = 1",
    ]
    results = [ids(engine, f"SELECT id FROM stars WHERE {form}") for form in forms]
    results.append(ids(engine, f"SELECT id FROM stars WHERE {forms[0]}", indexed=False))
    assert all(r == results[0] for r in results[1:])
    distance = separation_deg(lon, lat)
    clear = np.abs(distance - radius) > MARGIN_DEG
    assert results[0] & clear_of(clear) == clear_of(clear & (distance <= radius))
    strict = ids(engine, f"SELECT id FROM stars WHERE DISTANCE(ra, dec, {lon!r}, {lat!r}) < {radius!r}")
    assert strict <= results[0]
    assert strict & clear_of(clear) == clear_of(clear & (distance < radius))


@PROPERTY
@given(lon=longitudes, lat=latitudes)
def test_distance_matches_astropy(engine: Engine, lon: float, lat: float) -> None:
    rows = engine.rows(f"SELECT id, DISTANCE(POINT(ra, dec), POINT({lon!r}, {lat!r})) FROM stars "
                       "WHERE ra IS NOT NULL ORDER BY id")  # fmt: skip
    got = np.array([row[1] for row in rows])
    stars = SkyCoord(np.degrees(RA) * u.deg, np.degrees(DEC) * u.deg)
    expected = stars.separation(SkyCoord(lon * u.deg, lat * u.deg)).deg
    assert [row[0] for row in rows] == IDS.tolist()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


def _polygon_check(engine: Engine, polygon: Polygon, adql_region: str) -> None:
    inside = np.array([polygon.contains_vec(tuple(p)) for p in XYZ])
    near = np.array([math.degrees(polygon.boundary_distance(tuple(p))) <= MARGIN_DEG for p in XYZ])
    query = f"SELECT id FROM stars WHERE 1 = CONTAINS(POINT(ra, dec), {adql_region})"
    got = ids(engine, query)
    assert got == ids(engine, query, indexed=False)  # the spatial prefilter loses nothing
    assert got & clear_of(~near) == clear_of(~near & inside)


@PROPERTY
@given(
    lon=longitudes,
    lat=st.floats(-80, 80),
    width=st.floats(0.5, 60),
    height=st.floats(0.5, 60),
)
def test_boxes(engine: Engine, lon: float, lat: float, width: float, height: float) -> None:
    _polygon_check(engine, box(lon, lat, width, height), f"BOX({lon!r}, {lat!r}, {width!r}, {height!r})")


@PROPERTY
@given(
    lon=longitudes,
    lat=latitudes,
    size=st.floats(0.5, 40),
    angles=st.lists(st.floats(0, 360, exclude_max=True), min_size=3, max_size=8, unique=True),
)
def test_convex_polygons(engine: Engine, lon: float, lat: float, size: float, angles: list[float]) -> None:
    """Vertices on a small circle around (lon, lat), in angle order: a convex polygon."""
    angles = sorted(angles)
    gaps = [(b - a) % 360 for a, b in zip(angles, angles[1:] + angles[:1], strict=True)]
    if min(gaps) < 5 or max(gaps) > 170:
        return  # nearly coincident vertices or a nearly straight angle: ill-conditioned, not the point here
    vertices = [_offset(lon, lat, size, a) for a in angles]
    try:
        polygon = Polygon(vertices)
    except GeometryError:
        return
    text = ", ".join(f"{v!r}" for vertex in vertices for v in vertex)
    _polygon_check(engine, polygon, f"POLYGON({text})")


def _offset(lon: float, lat: float, distance: float, bearing: float) -> tuple[float, float]:
    """The position ``distance`` degrees from (lon, lat) towards ``bearing`` (degrees east of north)."""
    phi, lam, d, b = map(math.radians, (lat, lon, distance, bearing))
    lat2 = math.asin(math.sin(phi) * math.cos(d) + math.cos(phi) * math.sin(d) * math.cos(b))
    lon2 = lam + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(phi), math.cos(d) - math.sin(phi) * math.sin(lat2)
    )
    return math.degrees(lon2) % 360.0, math.degrees(lat2)


@PROPERTY
@given(lon=longitudes, lat=latitudes, radius=st.floats(0, 30))
def test_circle_intersections(engine: Engine, lon: float, lat: float, radius: float) -> None:
    got = ids(
        engine, f"SELECT id FROM stars WHERE 1 = INTERSECTS(circ, CIRCLE({lon!r}, {lat!r}, {radius!r}))"
    )
    radii = np.array([row[10][2] for row in STARS])
    gap = separation_deg(lon, lat) - radii - radius
    clear = np.abs(gap) > MARGIN_DEG
    assert got & clear_of(clear) == clear_of(clear & (gap <= 0))
