"""SQLite's geometry functions give pgSphere's answers on random cases.

Each relation is checked on a few hundred seeded random cases sent to PostgreSQL in one statement (arrays
unnested server-side) and to SQLite through the registered functions.  Cases within 1e-6 degrees of a
boundary are left out: pgSphere's own tolerance is 1e-9 rad (6e-8 degrees), so such cases may legitimately
round either way.  pgSphere limits circles to 90 degrees, so radii stay below that.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pytest

from tap.adql import sphere
from tap.adql.sphere import Circle, Point, Polygon
from tap.adql.sqlite_errors import function_errors
from tests.tap.adql.test_sphere import StarPolygon, offset
from tests.tap.adql.test_sqlite_geometry import geometry_db

pytestmark = pytest.mark.postgres

CASES = 300
MARGIN = 1e-6  # degrees kept between a case and any boundary
SQ_DEG_PER_SR = (180.0 / math.pi) ** 2


@pytest.fixture
def lite() -> Iterator[sqlite3.Connection]:
    with geometry_db() as conn:
        yield conn


def random_position(rng: np.random.Generator) -> tuple[float, float]:
    """Uniform on the sky, with a third of the cases near a pole or near RA 0/360."""
    kind = rng.integers(3)
    if kind == 0:
        return float(rng.uniform(0.0, 360.0)), float(math.degrees(math.asin(rng.uniform(-1.0, 1.0))))
    if kind == 1:
        return float(rng.uniform(0.0, 360.0)), float(rng.choice([-1.0, 1.0]) * rng.uniform(85.0, 90.0))
    return float(rng.uniform(-2.0, 2.0) % 360.0), float(rng.uniform(-60.0, 60.0))


def random_radius(rng: np.random.Generator) -> float:
    return float(10.0 ** rng.uniform(-4.0, math.log10(89.0)))


def random_star(rng: np.random.Generator) -> StarPolygon:
    n = int(rng.integers(3, 9))
    gaps = rng.uniform(0.3, 1.0, n)
    while gaps.max() / gaps.sum() >= 0.45:
        gaps = rng.uniform(0.3, 1.0, n)
    bearings = (
        float(rng.uniform(0.0, 360.0)) + 360.0 * np.concatenate([[0.0], np.cumsum(gaps)[:-1]]) / gaps.sum()
    )
    size = float(10.0 ** rng.uniform(-1.0, math.log10(30.0)))
    convex = rng.integers(2) == 0
    dists = np.full(n, size) if convex else size * rng.uniform(0.3, 1.0, n)
    return StarPolygon(*random_position(rng), tuple(bearings.tolist()), tuple(dists.tolist()))


def spoly_text(vertices: list[tuple[float, float]]) -> str:
    return "{" + ",".join(f"({lon!r}d,{lat!r}d)" for lon, lat in vertices) + "}"


def dali_tagged(vertices: list[tuple[float, float]]) -> str:
    return "polygon " + " ".join(repr(x) for v in vertices for x in v)


def pg_column(pg_conn: Any, sql: str, *arrays: Sequence[Any]) -> list[Any]:
    """One value per case: ``sql`` selects from ``unnest(arrays) as t(a, b, ...)``."""
    return [row[0] for row in pg_conn.execute(sql, [list(a) for a in arrays]).fetchall()]


def lite_column(lite: sqlite3.Connection, sql: str, rows: list[tuple[Any, ...]]) -> list[Any]:
    with function_errors():
        return [lite.execute(sql, row).fetchone()[0] for row in rows]


def test_point_in_circle(pg_conn: Any, lite: sqlite3.Connection) -> None:
    rng = np.random.default_rng(11)
    rows: list[tuple[Any, ...]] = []
    while len(rows) < CASES:
        lon0, lat0 = random_position(rng)
        r = random_radius(rng)
        lon, lat = offset(
            lon0, lat0, float(rng.uniform(0.0, 360.0)), min(179.0, r * float(rng.uniform(0.0, 2.0)))
        )
        if abs(sphere.distance(lon0, lat0, lon, lat) - r) > MARGIN:
            rows.append((lon, lat, lon0, lat0, r))
    pg = pg_column(
        pg_conn,
        "select spoint(radians(a), radians(b)) <@ scircle(spoint(radians(c), radians(d)), radians(e)) "
        "from unnest(%s::float8[], %s::float8[], %s::float8[], %s::float8[], %s::float8[]) as t(a, b, c, d, e)",
        *zip(*rows, strict=True),
    )
    cone = lite_column(lite, "select adql_in_cone(?, ?, ?, ?, ?)", rows)
    contains = lite_column(lite, "select adql_contains(adql_point(?, ?), adql_circle(?, ?, ?))", rows)
    assert [int(x) for x in pg] == cone == contains
    assert 0 < sum(cone) < CASES


def test_point_in_polygon(pg_conn: Any, lite: sqlite3.Connection) -> None:
    rng = np.random.default_rng(12)
    rows: list[tuple[Any, ...]] = []
    while len(rows) < CASES:
        star = random_star(rng)
        vertices = star.vertices[:: int(rng.choice([-1, 1]))]
        lon, lat = star.at(float(rng.uniform(0.0, 360.0)), float(rng.uniform(0.0, 2.0)))
        if math.degrees(Polygon(vertices).boundary_distance(Point(lon, lat).vec)) > MARGIN:
            rows.append((lon, lat, spoly_text(vertices), dali_tagged(vertices)))
    pg = pg_column(
        pg_conn,
        "select spoint(radians(a), radians(b)) <@ p::spoly from unnest(%s::float8[], %s::float8[], %s::text[]) as t(a, b, p)",
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
    )
    lite_rows = [(r[0], r[1], r[3]) for r in rows]
    ours = lite_column(lite, "select adql_contains(adql_point(?, ?), ?)", lite_rows)
    assert [int(x) for x in pg] == ours
    assert 0 < sum(ours) < CASES


def test_circle_circle_overlap(pg_conn: Any, lite: sqlite3.Connection) -> None:
    rng = np.random.default_rng(13)
    rows: list[tuple[Any, ...]] = []
    while len(rows) < CASES:
        (lon1, lat1), r1, r2 = random_position(rng), random_radius(rng), random_radius(rng)
        lon2, lat2 = offset(
            lon1, lat1, float(rng.uniform(0, 360)), min(179.0, (r1 + r2) * float(rng.uniform(0, 2)))
        )
        d = sphere.distance(lon1, lat1, lon2, lat2)
        if abs(d - r1 - r2) > MARGIN and abs(d + r1 - r2) > MARGIN:
            rows.append((lon1, lat1, r1, lon2, lat2, r2))
    columns = list(map(list, zip(*rows, strict=True)))
    unnest = "unnest(%s::float8[], %s::float8[], %s::float8[], %s::float8[], %s::float8[], %s::float8[]) as t(a, b, c, d, e, f)"
    c1 = "scircle(spoint(radians(a), radians(b)), radians(c))"
    c2 = "scircle(spoint(radians(d), radians(e)), radians(f))"
    overlap = pg_column(pg_conn, f"select {c1} && {c2} from {unnest}", *columns)
    inside = pg_column(pg_conn, f"select {c1} <@ {c2} from {unnest}", *columns)
    assert [int(x) for x in overlap] == lite_column(
        lite, "select adql_intersects(adql_circle(?, ?, ?), adql_circle(?, ?, ?))", rows
    )
    assert [int(x) for x in inside] == lite_column(
        lite, "select adql_contains(adql_circle(?, ?, ?), adql_circle(?, ?, ?))", rows
    )
    assert 0 < sum(overlap) < CASES and sum(inside) > 0


def test_circle_polygon_relations(pg_conn: Any, lite: sqlite3.Connection) -> None:
    rng = np.random.default_rng(14)
    rows: list[tuple[Any, ...]] = []
    while len(rows) < CASES:
        star = random_star(rng)
        polygon = Polygon(star.vertices)
        lon, lat = star.at(float(rng.uniform(0.0, 360.0)), float(rng.uniform(0.0, 2.0)))
        gap = math.degrees(polygon.boundary_distance(Point(lon, lat).vec))
        r = min(89.0, gap * float(rng.uniform(0.2, 3.0)))
        reach = max(
            sphere.distance(lon, lat, *v) for v in star.vertices
        )  # polygon inside the circle when r > reach
        if gap > MARGIN and abs(gap - r) > MARGIN and abs(reach - r) > MARGIN and r > MARGIN:
            rows.append((lon, lat, r, spoly_text(star.vertices), dali_tagged(star.vertices)))
    columns = [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows]]
    unnest = "unnest(%s::float8[], %s::float8[], %s::float8[], %s::text[]) as t(a, b, c, p)"
    circle = "scircle(spoint(radians(a), radians(b)), radians(c))"
    lite_rows = [(r[0], r[1], r[2], r[4]) for r in rows]
    for pg_op, lite_call in (
        (f"{circle} && p::spoly", "adql_intersects(adql_circle(?, ?, ?), ?)"),
        (f"{circle} <@ p::spoly", "adql_contains(adql_circle(?, ?, ?), ?)"),
    ):
        pg = pg_column(pg_conn, f"select {pg_op} from {unnest}", *columns)
        assert [int(x) for x in pg] == lite_column(lite, f"select {lite_call}", lite_rows), pg_op
        assert 0 < sum(pg) < CASES, pg_op
    inverse_rows = [(r[4], r[0], r[1], r[2]) for r in rows]
    pg = pg_column(pg_conn, f"select p::spoly <@ {circle} from {unnest}", *columns)
    assert [int(x) for x in pg] == lite_column(
        lite, "select adql_contains(?, adql_circle(?, ?, ?))", inverse_rows
    )


def test_polygon_polygon_relations(pg_conn: Any, lite: sqlite3.Connection) -> None:
    rng = np.random.default_rng(17)
    rows: list[tuple[Any, ...]] = []
    while len(rows) < CASES:
        a = random_star(rng)
        if rng.integers(3) == 0:  # nested: the same star shrunk
            f = float(rng.uniform(0.2, 0.9))
            b_vertices = [a.at(bearing, f) for bearing in a.bearings]
        else:
            lon, lat = offset(
                a.lon, a.lat, float(rng.uniform(0, 360)), float(rng.uniform(0, 2.5)) * max(a.dists)
            )
            b = random_star(rng)
            b_vertices = StarPolygon(lon, lat, b.bearings, b.dists).vertices
        pa, pb = Polygon(a.vertices), Polygon(b_vertices)
        gaps = [pb.boundary_distance(e.a) for e in pa.edges] + [pa.boundary_distance(e.a) for e in pb.edges]
        if math.degrees(min(gaps)) > MARGIN:
            rows.append(
                (
                    spoly_text(b_vertices),
                    spoly_text(a.vertices),
                    dali_tagged(b_vertices),
                    dali_tagged(a.vertices),
                )
            )
    columns = [[r[0] for r in rows], [r[1] for r in rows]]
    lite_rows = [(r[2], r[3]) for r in rows]
    unnest = "unnest(%s::text[], %s::text[]) as t(p, q)"
    overlap = pg_column(pg_conn, f"select p::spoly && q::spoly from {unnest}", *columns)
    inside = pg_column(pg_conn, f"select p::spoly <@ q::spoly from {unnest}", *columns)
    assert [int(x) for x in overlap] == lite_column(lite, "select adql_intersects(?, ?)", lite_rows)
    assert [int(x) for x in inside] == lite_column(lite, "select adql_contains(?, ?)", lite_rows)
    assert 0 < sum(overlap) < CASES and 0 < sum(inside) < CASES


def test_distance(pg_conn: Any, lite: sqlite3.Connection) -> None:
    rng = np.random.default_rng(15)
    rows: list[tuple[Any, ...]] = []
    for _ in range(CASES):
        lon1, lat1 = random_position(rng)
        kind = rng.integers(3)
        if kind == 0:
            lon2, lat2 = random_position(rng)
        else:  # tiny (but above pgSphere's 1e-9 rad cut to zero) or nearly antipodal separations
            d = float(10.0 ** rng.uniform(-7.0, -3.0))
            lon2, lat2 = offset(lon1, lat1, float(rng.uniform(0.0, 360.0)), d if kind == 1 else 180.0 - d)
        rows.append((lon1, lat1, lon2, lat2))
    pg = pg_column(
        pg_conn,
        "select degrees(spoint(radians(a), radians(b)) <-> spoint(radians(c), radians(d))) "
        "from unnest(%s::float8[], %s::float8[], %s::float8[], %s::float8[]) as t(a, b, c, d)",
        *zip(*rows, strict=True),
    )
    ours = lite_column(lite, "select adql_distance(adql_point(?, ?), adql_point(?, ?))", rows)
    np.testing.assert_allclose(ours, pg, rtol=0.0, atol=1e-9)


def test_distance_below_pgsphere_resolution(pg_conn: Any, lite: sqlite3.Connection) -> None:
    """pgSphere rounds separations under 1e-9 rad to 0; the SQLite functions keep them."""
    pg = pg_conn.execute("select degrees(spoint(0, 0) <-> spoint(radians(1e-8), 0))").fetchone()[0]
    assert pg == 0.0
    assert lite.execute("select adql_distance4(0, 0, 1e-8, 0)").fetchone()[0] == pytest.approx(1e-8, rel=1e-9)


def test_area(pg_conn: Any, lite: sqlite3.Connection) -> None:
    rng = np.random.default_rng(16)
    stars = [random_star(rng) for _ in range(CASES)]
    texts = [spoly_text(s.vertices) for s in stars]
    pg = pg_column(pg_conn, "select area(p::spoly) from unnest(%s::text[]) as t(p)", texts)
    ours = lite_column(lite, "select adql_area(?)", [(dali_tagged(s.vertices),) for s in stars])
    # pgSphere sums the polygon's angles, which loses about 1e-12 sr on small polygons (checked against
    # extended precision: the SQLite values are the accurate ones there), hence the absolute tolerance.
    np.testing.assert_allclose(ours, np.asarray(pg) * SQ_DEG_PER_SR, rtol=1e-7, atol=1e-8)
    radii = [random_radius(rng) for _ in range(CASES)]
    pg = pg_column(
        pg_conn, "select area(scircle(spoint(0, 0), radians(r))) from unnest(%s::float8[]) as t(r)", radii
    )
    ours = lite_column(lite, "select adql_area(adql_circle(0, 0, ?))", [(r,) for r in radii])
    # pgSphere computes 2 pi (1 - cos r), whose cancellation costs it ~1e-12 deg^2 on small circles
    np.testing.assert_allclose(ours, np.asarray(pg) * SQ_DEG_PER_SR, rtol=1e-9, atol=1e-10)


def test_polygons_both_engines_refuse(pg_conn: Any, lite: sqlite3.Connection) -> None:
    """Self-crossing polygons and polygons not fitting in a hemisphere are errors on both engines."""
    import psycopg

    for vertices in ([(0, 0), (1, 1), (1, 0), (0, 1)], [(0, 0), (120, 0), (240, 0)]):
        with pytest.raises(psycopg.Error, match="overlaps or polygon too large"):
            pg_conn.execute("select %s::spoly", (spoly_text([(float(a), float(b)) for a, b in vertices]),))
        with pytest.raises(sphere.GeometryError):
            Polygon(vertices)
    assert (
        Circle(0.0, 0.0, 120.0).radius == 120.0
    )  # pgSphere refuses circles over 90 degrees, SQLite does not
    with pytest.raises(psycopg.Error, match="90 degrees"):
        pg_conn.execute("select scircle(spoint(0, 0), radians(120))")
