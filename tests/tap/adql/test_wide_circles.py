"""Circles larger than a hemisphere (radius 90 to 180 degrees) work on PostgreSQL as on SQLite.

pgSphere refuses an ``scircle`` over 90 degrees; the PostgreSQL target computes AREA from the radius and the
predicates from distances or through the circle's complement (:mod:`tap.adql.pg_geometry`).  Both engines
must give what :mod:`tap.adql.sphere` (SQLite's geometry, tested on its own) computes, row by row.
"""

from __future__ import annotations

import math

import psycopg
import pytest

from tap.adql import sphere
from tap.adql.sphere import GeometryError
from tap.adql.sqlite_errors import function_errors
from tests.tap.adql.engines import Engine, star_rows

STARS = star_rows()


def ids(engine: Engine, condition: str) -> set[int]:
    return {r[0] for r in engine.rows(f"SELECT id FROM stars WHERE {condition}")}


def polygon(row: tuple[object, ...]) -> sphere.Polygon:
    values = row[11]
    assert isinstance(values, list)
    return sphere.Polygon(list(zip(values[0::2], values[1::2], strict=True)))


def circle(row: tuple[object, ...]) -> sphere.Circle:
    lon, lat, r = row[10]  # type: ignore[misc]
    return sphere.Circle(lon, lat, r)


def cap_area(radius: float) -> float:
    return math.degrees(math.degrees(4 * math.pi * math.sin(math.radians(radius) / 2) ** 2))


def test_area_of_any_circle(engine: Engine) -> None:
    radii = (0, 45, 90, 90.5, 120, 179, 180)
    row = engine.rows(
        f"SELECT {', '.join(f'AREA(CIRCLE(10, 20, {r}))' for r in radii)} FROM stars WHERE id = 1"
    )
    assert row[0] == pytest.approx([cap_area(r) for r in radii], rel=1e-12, abs=1e-12)
    per_row = engine.rows(
        "SELECT AREA(CIRCLE(ra, 0, 80 + n * 5)), AREA(CIRCLE(10, mag, 120)) FROM stars ORDER BY id"
    )
    areas = [None if s[1] is None else pytest.approx(cap_area(80 + s[6] * 5), rel=1e-12) for s in STARS]
    assert [r[0] for r in per_row] == areas
    assert [r[1] is None for r in per_row] == [s[3] is None for s in STARS]


def test_centroid_and_output_of_a_wide_circle(engine: Engine) -> None:
    centroid, text = engine.rows(
        "SELECT CENTROID(CIRCLE(10, 20, 120)), CIRCLE(10, 20, 120) FROM stars WHERE id = 1"
    )[0]
    assert [float(x) for x in centroid.split()] == pytest.approx([10.0, 20.0])
    assert [float(x) for x in text.split()] == pytest.approx([10.0, 20.0, 120.0])


@pytest.mark.parametrize("radius", [100.0, 150.0, 179.0, 180.0])
def test_polygons_and_wide_circles(engine: Engine, radius: float) -> None:
    cap = sphere.Circle(30.0, -10.0, radius)
    footprints = [s for s in STARS if s[11] is not None]
    meeting = {s[0] for s in footprints if sphere.intersects(polygon(s), cap)}
    inside = {s[0] for s in footprints if sphere.contains(polygon(s), cap)}
    assert 0 < len(inside) <= len(meeting)
    c = f"CIRCLE(30, -10, {radius})"
    assert ids(engine, f"1 = INTERSECTS(footprint, {c})") == meeting
    assert ids(engine, f"INTERSECTS({c}, footprint) = 1") == meeting
    assert ids(engine, f"1 = CONTAINS(footprint, {c})") == inside
    assert ids(engine, f"0 = CONTAINS(footprint, {c})") == {s[0] for s in footprints} - inside
    assert ids(engine, f"1 = CONTAINS({c}, footprint)") == set()
    assert ids(engine, f"0 = CONTAINS({c}, footprint)") == {s[0] for s in footprints}


def test_circles_and_points_with_wide_circles(engine: Engine) -> None:
    cap = sphere.Circle(200.0, 40.0, 130.0)
    c = "CIRCLE(200, 40, 130)"
    assert ids(engine, f"1 = INTERSECTS(circ, {c})") == {
        s[0] for s in STARS if sphere.intersects(circle(s), cap)
    }
    assert ids(engine, f"1 = CONTAINS(circ, {c})") == {s[0] for s in STARS if sphere.contains(circle(s), cap)}
    assert ids(engine, f"1 = CONTAINS({c}, CIRCLE(200, 40, 150))") == {s[0] for s in STARS}
    whole = "CONTAINS(CIRCLE(ra, dec, 1), CIRCLE(0, 0, 180))"
    assert ids(engine, f"1 = {whole}") == {s[0] for s in STARS if s[1] is not None}
    assert ids(engine, f"0 = {whole}") == set()  # NULL centres are neither
    located = [s for s in STARS if s[9] is not None]
    expected = {s[0] for s in located if sphere.contains(sphere.Point(*s[9]), cap)}  # type: ignore[misc]
    assert ids(engine, f"1 = CONTAINS(pos, {c})") == expected
    assert ids(engine, f"1 = INTERSECTS({c}, pos)") == expected


def test_radii_computed_per_row(engine: Engine) -> None:
    """Radii from 80 to 110 degrees: small circles use pgSphere's operators, wide ones the complement."""
    footprints = [s for s in STARS if s[11] is not None]
    expected = {
        s[0] for s in footprints if sphere.contains(polygon(s), sphere.Circle(0.0, 0.0, 80.0 + s[6] * 5))
    }
    assert ids(engine, "1 = CONTAINS(footprint, CIRCLE(0, 0, 80 + n * 5))") == expected
    meeting = {
        s[0] for s in footprints if sphere.intersects(polygon(s), sphere.Circle(0.0, 0.0, 80.0 + s[6] * 5))
    }
    assert ids(engine, "1 = INTERSECTS(footprint, CIRCLE(0, 0, 80 + n * 5))") == meeting


def test_radius_beyond_180_is_an_error(engine: Engine) -> None:
    error = GeometryError if engine.name == "sqlite" else psycopg.errors.RaiseException
    for adql in (
        "SELECT AREA(CIRCLE(0, 0, 200)) FROM stars",
        "SELECT id FROM stars WHERE 1 = INTERSECTS(footprint, CIRCLE(0, 0, 100 + n * 20))",
    ):
        with (
            pytest.raises(error, match=r"CIRCLE: radius 2\d\d(\.0)? is outside \[0, 180\] degrees"),
            function_errors(),
        ):
            engine.rows(adql)
