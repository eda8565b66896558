"""The SQLite geometry functions, called through SQL as the translated queries call them."""

from __future__ import annotations

import contextlib
import math
import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tap.adql import sphere, sqlite_geometry
from tap.adql.sphere import GeometryError
from tap.adql.sqlite_errors import function_errors
from tests.tap.adql.test_sphere import BOUNDARY_MARGIN, StarPolygon, offset, positions, radii, star_polygons

FAST = settings(max_examples=100, deadline=None)

ARITIES = {
    "adql_point": 2,
    "adql_circle": 3,
    "adql_circle_p": 2,
    "adql_polygon": 6,
    "adql_polygon_p": 3,
    "adql_box": 4,
    "adql_box_p": 3,
    "adql_contains": 2,
    "adql_contains_point": 3,
    "adql_intersects": 2,
    "adql_in_cone": 5,
    "adql_distance": 2,
    "adql_distance4": 4,
    "adql_area": 1,
    "adql_coord1": 1,
    "adql_coord2": 1,
    "adql_coordsys": 1,
    "adql_centroid": 1,
    "adql_dali": 1,
}


@contextlib.contextmanager
def geometry_db() -> Iterator[sqlite3.Connection]:
    """An in-memory SQLite database with the geometry functions registered."""
    conn = sqlite3.connect(":memory:")
    sqlite_geometry.register(conn)
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture(scope="module")
def db() -> Iterator[sqlite3.Connection]:
    with geometry_db() as conn:
        yield conn


def one(db: sqlite3.Connection, sql: str, *params: object) -> object:
    with function_errors():
        return db.execute(sql, params).fetchone()[0]


def test_every_function_is_registered(db: sqlite3.Connection) -> None:
    assert set(ARITIES) == sqlite_geometry.FUNCTION_NAMES
    names = {row[0] for row in db.execute("select name from pragma_function_list where name like 'adql_%'")}
    assert set(ARITIES) <= names


def test_functions_are_deterministic(db: sqlite3.Connection) -> None:
    """SQLite only accepts deterministic functions in index expressions."""
    db.execute("create table det (ra real, dec real, region text)")
    db.execute("create index det_d on det (adql_distance4(ra, dec, 10, 20))")
    db.execute(
        "create index det_c on det (adql_in_cone(ra, dec, 10, 20, 1), adql_area('polygon ' || region))"
    )


@pytest.mark.parametrize("name", sorted(ARITIES))
def test_null_in_null_out(db: sqlite3.Connection, name: str) -> None:
    samples = {
        "adql_circle_p": ["'point 1 2'", "1"],
        "adql_polygon": ["0", "0", "1", "0", "1", "1"],
        "adql_polygon_p": ["'point 0 0'", "'point 1 0'", "'point 1 1'"],
        "adql_box_p": ["'point 1 2'", "1", "1"],
        "adql_contains": ["'point 1 2'", "'circle 1 2 1'"],
        "adql_contains_point": ["1", "2", "'circle 1 2 1'"],
        "adql_intersects": ["'point 1 2'", "'circle 1 2 1'"],
        "adql_distance": ["'point 1 2'", "'point 1 3'"],
    }
    args = samples.get(name, ["'point 1 2'"] if ARITIES[name] == 1 else ["1"] * ARITIES[name])
    assert one(db, f"select {name}({', '.join(args)})") is not None
    for i in range(len(args)):
        with_null = [*args[:i], "NULL", *args[i + 1 :]]
        assert one(db, f"select {name}({', '.join(with_null)})") is None


def test_constructors(db: sqlite3.Connection) -> None:
    assert one(db, "select adql_point(10, 20)") == "point 10.0 20.0"
    assert one(db, "select adql_point(-10.5, 2e-3)") == "point -10.5 0.002"
    assert one(db, "select adql_circle(10, 20, 0.5)") == "circle 10.0 20.0 0.5"
    assert one(db, "select adql_circle_p(adql_point(10, 20), 0.5)") == "circle 10.0 20.0 0.5"
    assert one(db, "select adql_polygon(0, 0, 1, 0, 1, 1)") == "polygon 0.0 0.0 1.0 0.0 1.0 1.0"
    assert (
        one(db, "select adql_polygon_p('point 0 0', 'point 1 0', 'point 1 1')")
        == "polygon 0.0 0.0 1.0 0.0 1.0 1.0"
    )
    box = one(db, "select adql_box(25.4, -20, 10, 10)")
    assert box == sqlite_geometry.format_shape(sphere.box(25.4, -20.0, 10.0, 10.0))
    assert one(db, "select adql_box_p(adql_point(25.4, -20), 10, 10)") == box
    assert one(db, "select adql_point('10', 20)") == "point 10.0 20.0"


@FAST
@given(st.floats(-720.0, 720.0), st.floats(-90.0, 90.0))
def test_numbers_survive_the_text_exactly(lon: float, lat: float) -> None:
    with geometry_db() as conn:
        p = conn.execute("select adql_point(?, ?)", (lon, lat)).fetchone()[0]
        assert conn.execute("select adql_coord1(?), adql_coord2(?)", (p, p)).fetchone() == (lon, lat)
        dali = conn.execute("select adql_dali(?)", (p,)).fetchone()[0]
    assert [float(x) for x in dali.split()] == [sphere.normalise_lon(lon), lat]


def test_tagged_text_forms(db: sqlite3.Connection) -> None:
    assert one(db, "select adql_coord1('point   1e1 \t 2.5E1')") == 10.0
    expected = 2.0 * math.pi * (1.0 - math.cos(math.radians(1.0))) * (180.0 / math.pi) ** 2
    assert one(db, "select adql_area('CIRCLE 0 0 1')") == pytest.approx(expected, rel=1e-9)
    assert one(db, "select adql_contains('point ' || '10 20', 'circle ' || '10.1  20 0.5')") == 1
    assert one(db, "select adql_dali('polygon -10 0 10 0 0 10')") == "350.0 0.0 10.0 0.0 0.0 10.0"
    assert one(db, "select adql_dali('circle -0.0 -5 2')") == "0.0 -5.0 2.0"
    assert one(db, "select adql_coordsys('circle 1 2 3')") == "ICRS"
    assert one(db, "select adql_centroid('circle 1 2 3')") == "point 1.0 2.0"
    assert one(db, "select adql_area('point 1 2')") == 0.0
    assert one(db, "select adql_distance('point 0 0', 'point 0 90')") == 90.0
    assert one(db, "select adql_distance4(0, 0, 180, 0)") == 180.0


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("select adql_polygon(0, 0, 1, 1)", "at least 3 vertices"),
        ("select adql_polygon(0, 0, 1, 1, 2)", "at least 3 vertices"),
        ("select adql_polygon_p('point 0 0', 'point 1 1')", "at least 3 points"),
        ("select adql_polygon(0, 0, 1, 1, 1, 0, 0, 1)", "not simple"),
        ("select adql_point(0, 91)", "latitude 91.0"),
        ("select adql_point('x', 1)", "not a number"),
        ("select adql_circle(0, 0, -1)", "radius"),
        ("select adql_box(0, 0, 0, 1)", "BOX: width"),
        ("select adql_contains('point 1 x', 'circle 0 0 1')", "not a list of numbers"),
        ("select adql_contains('point 1 2 3', 'circle 0 0 1')", "wrong number"),
        ("select adql_contains('square 1 2', 'circle 0 0 1')", "unknown geometry kind"),
        ("select adql_contains('polygon 0 0 1 0', 'circle 0 0 1')", "at least 3 vertices"),
        ("select adql_in_cone(0, 95, 0, 0, 1)", "latitude 95"),
        ("select adql_in_cone(0, 0, 0, 0, 200)", "radius"),
        ("select adql_distance('circle 0 0 1', 'point 0 0')", "DISTANCE needs a POINT"),
        ("select adql_distance4(0, 0, 0, -90.5)", "latitude"),
        ("select adql_coord1('circle 0 0 1')", "COORD1 needs a POINT"),
        ("select adql_circle_p('circle 0 0 1', 1)", "CIRCLE needs a POINT"),
        ("select adql_area(12)", "not a geometry"),
    ],
)
def test_malformed_geometry_is_a_clear_error(db: sqlite3.Connection, sql: str, message: str) -> None:
    with pytest.raises(GeometryError, match=message):
        one(db, sql)
    with pytest.raises(sqlite3.OperationalError, match="user-defined function raised exception"):
        db.execute(sql).fetchone()


def test_other_errors_pass_through(db: sqlite3.Connection) -> None:
    with pytest.raises(sqlite3.OperationalError, match="no such column"), function_errors():
        db.execute("select nope")
    with pytest.raises(GeometryError):
        one(db, "select adql_point(0, 100)")
    with pytest.raises(sqlite3.OperationalError, match="syntax error"), function_errors():
        db.execute("select from")  # a stale geometry error must not be reported for this one


@FAST
@given(positions, radii, st.floats(0.0, 360.0), st.floats(0.0, 1.5))
def test_in_cone_agrees_with_distance(
    centre: tuple[float, float], r: float, bearing: float, scale: float
) -> None:
    lon, lat = offset(*centre, bearing, min(180.0, r * scale))
    d = sphere.distance(*centre, lon, lat)
    assume(abs(d - r) > BOUNDARY_MARGIN)
    with geometry_db() as conn:
        row = conn.execute(
            "select adql_in_cone(?, ?, ?, ?, ?), adql_distance4(?, ?, ?, ?) <= ?, "
            "adql_contains(adql_point(?, ?), adql_circle(?, ?, ?)), adql_contains_point(?, ?, adql_circle(?, ?, ?))",
            (lon, lat, *centre, r, lon, lat, *centre, r, lon, lat, *centre, r, lon, lat, *centre, r),
        ).fetchone()
    assert row == (int(d <= r),) * 4


def test_in_cone_with_a_different_cone_per_row(db: sqlite3.Connection) -> None:
    rows = [(10.0, 20.0, 10.0, 20.5, 0.6), (10.0, 20.0, 10.0, 20.5, 0.4), (0.0, 90.0, 180.0, 89.5, 1.0)] * 3
    db.execute("create table cones (lon real, lat real, lon0 real, lat0 real, r real)")
    db.executemany("insert into cones values (?, ?, ?, ?, ?)", rows)
    got = [r[0] for r in db.execute("select adql_in_cone(lon, lat, lon0, lat0, r) from cones")]
    assert got == [1, 0, 1] * 3


@FAST
@given(star_polygons(), st.floats(0.0, 360.0), st.one_of(st.floats(0.0, 0.98), st.floats(1.02, 2.0)))
def test_point_in_polygon_through_sql(star: StarPolygon, bearing: float, fraction: float) -> None:
    lon, lat = star.at(bearing, fraction)
    polygon = sphere.Polygon(star.vertices)
    assume(math.degrees(polygon.boundary_distance(sphere.Point(lon, lat).vec)) > BOUNDARY_MARGIN)
    dali = " ".join(repr(x) for v in star.vertices for x in v)  # a stored column: DALI text, no tag
    with geometry_db() as conn:
        row = conn.execute(
            "select adql_contains(adql_point(?, ?), 'polygon ' || ?), adql_contains_point(?, ?, 'polygon ' || ?), "
            "adql_intersects('polygon ' || ?, adql_point(?, ?))",
            (lon, lat, dali, lon, lat, dali, dali, lon, lat),
        ).fetchone()
    assert row == (int(fraction < 1.0),) * 3


def test_shape_relations_through_sql(db: sqlite3.Connection) -> None:
    cases = {
        "select adql_contains(adql_circle(10, 10, 1), adql_box(10, 10, 5, 5))": 1,
        "select adql_contains(adql_box(10, 10, 5, 5), adql_circle(10, 10, 1))": 0,
        "select adql_contains(adql_box(10, 10, 1, 1), adql_circle(10, 10, 1))": 1,
        "select adql_intersects(adql_circle(25.4, -20, 1), adql_box(20, -15, 10, 10))": 1,
        "select adql_intersects(adql_circle(40, -20, 1), adql_box(20, -15, 10, 10))": 0,
        "select adql_intersects(adql_polygon(0, 0, 1, 0, 1, 1), adql_polygon(0.5, 0.2, 3, 0, 3, 3))": 1,
        "select adql_contains(adql_polygon(0.2, 0.1, 0.8, 0.1, 0.8, 0.6), adql_polygon(0, 0, 1, 0, 1, 1))": 1,
        "select adql_contains(adql_point(0, 0), adql_polygon(350, -5, 10, -5, 10, 5, 350, 5))": 1,
        "select adql_contains(adql_point(0, 90), adql_polygon(0, 80, 90, 80, 180, 80, 270, 80))": 1,
        "select adql_contains(adql_point(0, 0), adql_point(360, 0))": 1,
    }
    for sql, expected in cases.items():
        assert one(db, sql) == expected, sql


def test_area_and_centroid_through_sql(db: sqlite3.Connection) -> None:
    octant = one(db, "select adql_area(adql_polygon(0, 0, 90, 0, 0, 90))")
    assert octant == pytest.approx(41252.96124941928 / 8, rel=1e-12)
    assert one(db, "select adql_area(adql_circle(1, 2, 180))") == pytest.approx(41252.96124941928, rel=1e-12)
    centroid = one(db, "select adql_centroid(adql_box(359.5, 10, 2, 3))")
    assert isinstance(centroid, str) and centroid.startswith("point ")
    lon, lat = (float(x) for x in centroid.split()[1:])
    assert sphere.distance(lon, lat, 359.5, 10.0) < 1e-9
