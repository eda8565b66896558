"""The HEALPix prefilter: ranges never miss a row the exact predicate keeps, and SQLite uses the index."""

from __future__ import annotations

import itertools
import math
import sqlite3
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tap.adql import healpix_index as hx
from tap.adql import sphere, sqlite_geometry
from tap.adql.sphere import Circle, Cone, GeometryError, Point, Polygon
from tests.tap.adql.test_sphere import StarPolygon, positions, star_polygons

FAST = settings(max_examples=80, deadline=None)
SKY = 12 * 4**hx.HPX_ORDER


def offsets(lon: float, lat: float, bearings: np.ndarray, dists: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised positions ``dists`` degrees from (lon, lat) towards ``bearings`` (see test_sphere.offset)."""
    lo, la = math.radians(lon), math.radians(lat)
    b, d = np.radians(bearings), np.radians(dists)
    c = np.array([math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)])[:, None]
    east = np.array([-math.sin(lo), math.cos(lo), 0.0])[:, None]
    north = np.array([-math.sin(la) * math.cos(lo), -math.sin(la) * math.sin(lo), math.cos(la)])[:, None]
    v = np.cos(d) * c + np.sin(d) * (np.cos(b) * north + np.sin(b) * east)
    return np.degrees(np.arctan2(v[1], v[0])) % 360.0, np.degrees(np.arctan2(v[2], np.hypot(v[0], v[1])))


def covered(ranges: list[hx.Range], cells: np.ndarray) -> np.ndarray:
    lo = np.array([a for a, _ in ranges], dtype=np.int64)
    hi = np.array([b for _, b in ranges], dtype=np.int64)
    i = np.searchsorted(lo, cells, side="right") - 1
    return (i >= 0) & (cells < hi[np.clip(i, 0, None)])


def assert_well_formed(ranges: list[hx.Range]) -> None:
    assert 1 <= len(ranges) <= hx.MAX_RANGES
    for a, b in ranges:
        assert 0 <= a < b <= SKY
    for (_, b1), (a2, _) in itertools.pairwise(ranges):
        assert b1 < a2  # sorted, disjoint and not touching (touching ranges are merged)


def test_hpx_index() -> None:
    cells = hx.hpx_index(
        np.array([0.0, 360.0, 10.0, np.nan, 5.0, 5.0]), np.array([0.0, 0.0, 90.0, 0.0, 90.5, -90.0])
    )
    assert cells.dtype == np.int64
    assert cells[0] == cells[1]  # 360 is 0
    assert cells[3] == -1 and cells[4] == -1
    assert 0 <= cells[2] < SKY and 0 <= cells[5] < SKY
    assert hx.hpx_index(10.0, 20.0).shape == ()
    assert hx.hpx_index(np.zeros(0), np.zeros(0)).shape == (0,)


@FAST
@given(
    positions,
    st.one_of(st.floats(0.0, 1e-3), st.floats(1e-3, 1.0), st.floats(1.0, 55.0)),
    st.integers(0, 2**32 - 1),
)
def test_cone_ranges_never_miss_a_point_inside(centre: tuple[float, float], r: float, seed: int) -> None:
    ranges = hx.cone_ranges(*centre, r)
    assert ranges is not None
    assert_well_formed(ranges)
    rng = np.random.default_rng(seed)
    n = 400
    dists = np.concatenate([r * (1.0 - rng.uniform(0.0, 1e-3, n)), np.full(n, r), rng.uniform(0.0, r, n)])
    lon, lat = offsets(*centre, rng.uniform(0.0, 360.0, dists.size), dists)
    cone = Cone(*centre, r)
    inside = np.array([cone.contains(x, y) for x, y in zip(lon.tolist(), lat.tolist(), strict=True)])
    assert inside.sum() >= n  # the strictly inner ones at least
    assert covered(ranges, hx.hpx_index(lon[inside], lat[inside])).all()


def test_cone_coverage_is_tight() -> None:
    for r in (1e-4, 0.01, 0.5, 5.0, 30.0):
        ranges = hx.cone_ranges(10.68, 41.27, r)
        assert ranges is not None
        cover = sum(b - a for a, b in ranges) / SKY
        cone = (1.0 - math.cos(math.radians(r))) / 2.0
        assert cover < 2.0 * cone + 4.0 * 4.0**-hx.HPX_ORDER, r


def test_large_cones_need_no_prefilter() -> None:
    assert hx.cone_ranges(10.0, 20.0, 180.0) is None
    assert hx.cone_ranges(10.0, 20.0, 500.0) is None
    assert hx.cone_ranges(10.0, 20.0, 90.0) is None
    assert hx.cone_ranges(10.0, 20.0, 45.0) is not None


def test_invalid_cones() -> None:
    with pytest.raises(GeometryError, match="latitude"):
        hx.cone_ranges(0.0, 91.0, 1.0)
    with pytest.raises(GeometryError, match="radius"):
        hx.cone_ranges(0.0, 0.0, -1.0)
    with pytest.raises(GeometryError, match="radius"):
        hx.cone_ranges(0.0, 0.0, math.nan)


@FAST
@given(star_polygons(max_dist=30.0), st.integers(0, 2**32 - 1), st.booleans())
def test_polygon_ranges_never_miss_a_point_inside(star: StarPolygon, seed: int, reverse: bool) -> None:
    vertices = star.vertices[::-1] if reverse else star.vertices
    ranges = hx.polygon_ranges(vertices)
    assert ranges is not None
    assert_well_formed(ranges)
    polygon = Polygon(vertices)
    rng = np.random.default_rng(seed)
    points = [
        star.at(b, f)
        for b, f in zip(rng.uniform(0, 360, 200), 1.0 - rng.uniform(0.0, 1e-3, 200), strict=True)
    ]
    points += [
        star.at(b, f) for b, f in zip(rng.uniform(0, 360, 100), rng.uniform(0.0, 1.0, 100), strict=True)
    ]
    points += list(vertices)
    for edge in polygon.edges:  # midpoints of the edges: on the boundary
        x, y, z = (a + b for a, b in zip(edge.a, edge.b, strict=True))
        points.append((math.degrees(math.atan2(y, x)) % 360.0, math.degrees(math.atan2(z, math.hypot(x, y)))))
    kept = [p for p in points if sphere.contains(Point(*p), polygon)]
    assert len(kept) >= len(vertices)
    lon, lat = np.array(kept).T
    assert covered(ranges, hx.hpx_index(lon, lat)).all()


def test_region_ranges() -> None:
    assert hx.circle_or_polygon_ranges(Circle(10.0, 20.0, 1.0)) == hx.cone_ranges(10.0, 20.0, 1.0)
    assert hx.circle_or_polygon_ranges(Point(10.0, 20.0)) == hx.cone_ranges(10.0, 20.0, 0.0)
    box = sphere.box(10.0, 20.0, 2.0, 1.0)
    assert hx.circle_or_polygon_ranges(box) == hx.polygon_ranges(list(box.vertices))
    assert hx.polygon_ranges([(0, -1), (90, -1), (180, -1), (270, -1)]) is None  # half the sky
    with pytest.raises(GeometryError, match="not simple"):
        hx.polygon_ranges([(0, 0), (1, 1), (1, 0), (0, 1)])


# ---------------------------------------------------------------------------------------------------------
# SQLite


def make_table(n: int, seed: int = 1) -> sqlite3.Connection:
    """A table of ``n`` uniform positions with an indexed ``_hpx``, loaded in ``_hpx`` order."""
    rng = np.random.default_rng(seed)
    ra = rng.uniform(0.0, 360.0, n)
    dec = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n)))
    hpx = hx.hpx_index(ra, dec)
    order = np.argsort(hpx)
    conn = sqlite3.connect(":memory:")
    sqlite_geometry.register(conn)
    conn.execute('create table "s.t" (id integer primary key, ra real, dec real, _hpx integer)')
    conn.executemany(
        'insert into "s.t" values (?, ?, ?, ?)',
        zip(range(n), ra[order].tolist(), dec[order].tolist(), hpx[order].tolist(), strict=True),
    )
    conn.execute('create index "s.t_hpx" on "s.t" (_hpx)')
    return conn


def prefilter(ranges: list[hx.Range]) -> str:
    return "(" + " OR ".join(f"(_hpx >= {a} AND _hpx < {b})" for a, b in ranges) + ")"


@pytest.fixture(scope="module")
def table() -> Iterator[sqlite3.Connection]:
    conn = make_table(100_000)
    try:
        yield conn
    finally:
        conn.close()


def test_sqlite_answers_the_ranges_with_the_index(table: sqlite3.Connection) -> None:
    ranges = hx.cone_ranges(10.68, 41.27, 0.5)
    assert ranges is not None and len(ranges) > 1
    sql = f'select id from "s.t" where {prefilter(ranges)} and adql_in_cone(ra, dec, 10.68, 41.27, 0.5) = 1'
    plan = [row[3] for row in table.execute("explain query plan " + sql)]
    assert plan[0] == "MULTI-INDEX OR"
    searches = [p for p in plan if p.startswith("SEARCH")]
    assert len(searches) == len(ranges)
    assert all(p == "SEARCH s.t USING INDEX s.t_hpx (_hpx>? AND _hpx<?)" for p in searches)


def rows_visited(conn: sqlite3.Connection, ra: float, dec: float, r: float) -> tuple[int, int, int]:
    """(rows the exact predicate saw, rows in the cone, rows in the cone by a full scan)."""
    seen = 0

    def visit() -> int:
        nonlocal seen
        seen += 1
        return 1

    conn.create_function("visit", 0, visit)
    ranges = hx.cone_ranges(ra, dec, r)
    assert ranges is not None
    exact = f"adql_in_cone(ra, dec, {ra!r}, {dec!r}, {r!r}) = 1"
    found = conn.execute(
        f'select count(*) from "s.t" where {prefilter(ranges)} and visit() and {exact}'
    ).fetchone()[0]
    full = conn.execute(f'select count(*) from "s.t" where {exact}').fetchone()[0]
    return seen, found, full


def test_a_small_cone_reads_a_tiny_fraction_of_the_rows(table: sqlite3.Connection) -> None:
    for ra, dec in ((10.68, 41.27), (0.1, 89.9), (359.9, -0.2)):
        seen, found, full = rows_visited(table, ra, dec, 2.0)
        assert found == full
        assert found > 0
        assert seen <= 2 * found + 10
        assert seen / 100_000 < 1e-3 * 2.0**2 / 0.25


@pytest.mark.slow
def test_a_half_degree_cone_on_a_million_rows() -> None:
    conn = make_table(1_000_000, seed=2)
    try:
        seen, found, full = rows_visited(conn, 10.68, 41.27, 0.5)
    finally:
        conn.close()
    assert found == full
    assert seen <= 2 * found + 10
    assert seen / 1_000_000 < 1e-4  # the cone itself is 1.9e-5 of the sky
