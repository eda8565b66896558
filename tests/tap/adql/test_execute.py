"""Translated ADQL run on real databases: SQLite and PostgreSQL+pgSphere answer alike, and as Python would."""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from tap.adql.sphere import box
from tests.tap.adql.engines import N_STARS, Engine, engine_fixture, other_rows, pair_fixture, star_rows

STARS = star_rows()
OTHER = other_rows(STARS)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    yield from engine_fixture(request, tmp_path_factory)


@pytest.fixture(scope="module")
def pair(pg_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Engine]]:
    yield from pair_fixture(pg_dsn, tmp_path_factory)


def column(adql: str, engine: Engine) -> list[Any]:
    return [row[0] for row in engine.rows(adql)]


def numbers(text: str) -> list[float]:
    return [float(x) for x in text.split()]


# ------------------------------------------------------------------------------------------ core SQL


def test_filters(engine: Engine) -> None:
    assert column("SELECT COUNT(*) FROM stars", engine) == [N_STARS]
    assert column("SELECT COUNT(*) FROM stars WHERE mag IS NULL", engine) == [
        sum(r[3] is None for r in STARS)
    ]
    assert column("SELECT COUNT(*) FROM stars WHERE mag BETWEEN 2 AND 5", engine) == [
        sum(r[3] is not None and 2 <= r[3] <= 5 for r in STARS)
    ]
    assert column("SELECT COUNT(*) FROM stars WHERE n NOT IN (1, 2)", engine) == [
        sum(r[6] not in (1, 2) for r in STARS)
    ]
    assert column("SELECT COUNT(*) FROM stars WHERE name LIKE 'NGC%'", engine) == [
        sum(r[4].startswith("NGC") for r in STARS)
    ]
    assert column("SELECT COUNT(*) FROM stars WHERE name ILIKE 'ngc_1%'", engine) == [
        sum(r[4].lower().startswith("ngc ") and r[4][4:5] == "1" for r in STARS)
    ]
    assert column("SELECT COUNT(*) FROM stars WHERE name = 'x''y' || CAST(id AS VARCHAR)", engine) == [
        sum(r[4] == f"x'y{r[0]}" for r in STARS)
    ]


def test_top_offset_order_and_limit(engine: Engine) -> None:
    assert column("SELECT TOP 5 id FROM stars ORDER BY id OFFSET 10", engine) == [11, 12, 13, 14, 15]
    assert (
        column("SELECT TOP 5 id FROM stars ORDER BY id OFFSET 10", engine)
        == column("SELECT id FROM stars ORDER BY id OFFSET 10", engine)[:5]
    )
    assert column("SELECT id FROM stars ORDER BY id DESC", engine)[:3] == [400, 399, 398]
    assert len(engine.rows("SELECT TOP 50 id FROM stars", limit=8)) == 8
    assert engine.rows("SELECT TOP 0 id FROM stars") == []
    mags = column("SELECT mag FROM stars ORDER BY mag DESC, id", engine)
    assert mags[0] is None and mags[-1] is not None  # NULLs sort as on PostgreSQL on both engines


def test_joins(engine: Engine) -> None:
    matched = sum(1 for o in OTHER if o[4] is not None)
    unmatched_stars = sum(1 for s in STARS if all(o[4] != s[0] for o in OTHER))
    unmatched_other = len(OTHER) - matched
    on = "ON o.star_id = s.id"
    assert column(f"SELECT COUNT(*) FROM stars AS s JOIN other AS o {on}", engine) == [matched]
    assert column(f"SELECT COUNT(*) FROM stars AS s LEFT OUTER JOIN other AS o {on}", engine) == [
        matched + unmatched_stars
    ]
    assert column(f"SELECT COUNT(*) FROM stars AS s RIGHT JOIN other AS o {on}", engine) == [
        matched + unmatched_other
    ]
    assert column(f"SELECT COUNT(*) FROM stars AS s FULL JOIN other AS o {on}", engine) == [
        matched + unmatched_stars + unmatched_other
    ]
    assert column("SELECT COUNT(*) FROM stars AS s, other AS o WHERE o.star_id = s.id", engine) == [matched]
    nested = (
        "SELECT COUNT(*) FROM stars AS a JOIN (stars AS b JOIN other AS o ON o.star_id = b.id) ON a.id = b.id"
    )
    assert column(nested, engine) == [matched]
    using = (
        "SELECT id, COUNT(*) FROM (SELECT star_id AS id FROM other) AS x JOIN stars USING (id) GROUP BY id"
    )
    assert sum(row[1] for row in engine.rows(using)) == matched
    full_using = (
        "SELECT COUNT(id) FROM (SELECT id FROM stars WHERE id < 10) AS a FULL JOIN (SELECT id FROM stars "
    )
    full_using += "WHERE id > 5 AND id < 20) AS b USING (id)"
    assert column(full_using, engine) == [19]


def test_subqueries_and_sets(engine: Engine) -> None:
    assert column("SELECT COUNT(*) FROM stars WHERE id IN (SELECT star_id FROM other)", engine) == [
        len({o[4] for o in OTHER if o[4] is not None})
    ]
    correlated = (
        "SELECT COUNT(*) FROM stars AS s WHERE EXISTS (SELECT * FROM other AS o WHERE o.star_id = s.id)"
    )
    assert column(correlated, engine) == column("SELECT COUNT(DISTINCT star_id) FROM other", engine)
    assert column("SELECT (SELECT MAX(id) FROM stars) - id FROM stars WHERE id = 390", engine) == [10]
    union = "(SELECT TOP 3 id FROM stars ORDER BY id) UNION (SELECT TOP 2 id FROM stars ORDER BY id DESC) ORDER BY 1"
    assert column(union, engine) == [1, 2, 3, 399, 400]
    assert column("SELECT id FROM stars WHERE id < 5 UNION ALL SELECT id FROM stars WHERE id < 3 ORDER BY id", engine) == [
        1, 1, 2, 2, 3, 4,
    ]  # fmt: skip
    precedence = (
        "SELECT id FROM stars WHERE id < 3 UNION SELECT id FROM stars WHERE id < 6 INTERSECT SELECT id "
    )
    precedence += "FROM stars WHERE id > 4 ORDER BY id"
    assert column(precedence, engine) == [1, 2, 5]
    assert column("SELECT id FROM stars WHERE id < 6 EXCEPT SELECT id FROM stars WHERE n = 1 ORDER BY id", engine) == [
        2, 3, 4, 5,
    ]  # fmt: skip
    cte = "WITH a AS (SELECT id, n FROM stars WHERE id <= 20), b AS (SELECT n, COUNT(*) AS c FROM a GROUP BY n) "
    cte += "SELECT SUM(c) FROM b"
    assert column(cte, engine) == [20]


def test_aggregates(engine: Engine) -> None:
    rows = engine.rows(
        "SELECT kind, COUNT(*), COUNT(mag), SUM(n), AVG(mag), MIN(mag), MAX(name) FROM stars "
        "GROUP BY kind HAVING COUNT(*) > 1 ORDER BY kind"
    )
    for kind, count, count_mag, total, mean, low, high in rows:
        group = [r for r in STARS if r[5] == kind]
        mags = [r[3] for r in group if r[3] is not None]
        assert (count, count_mag, total) == (len(group), len(mags), sum(r[6] for r in group))
        assert mean == pytest.approx(sum(mags) / len(mags), rel=1e-12)
        assert (low, high) == (min(mags), max(r[4] for r in group))
    assert column("SELECT COUNT(DISTINCT kind) FROM stars", engine) == [3]
    assert column("SELECT COUNT(*) AS c, n AS k FROM stars GROUP BY k ORDER BY k", engine)[0] == sum(
        r[6] == 0 for r in STARS
    )


def test_expressions(engine: Engine) -> None:
    row = engine.rows(
        "SELECT TOP 1 CASE WHEN n > 3 THEN 'hi' ELSE 'lo' END, CAST(n AS DOUBLE PRECISION) / 2, COALESCE(mag, -1), "
        "CAST(id AS CHAR(2)), 7 / 2, -n, 'a' || 'b', CASE kind WHEN 'star' THEN 1 ELSE 0 END FROM stars "
        "WHERE id = 13"
    )[0]
    star = STARS[12]
    assert row == (
        "lo" if star[6] <= 3 else "hi",
        star[6] / 2,
        -1,
        "13",
        3,
        -star[6],
        "ab",
        int(star[5] == "star"),
    )


def test_math_functions(engine: Engine) -> None:
    row = engine.rows(
        "SELECT TOP 1 ABS(-3.5), CEILING(1.2), DEGREES(PI()), EXP(1), FLOOR(-1.5), LOG(EXP(2)), LOG10(1000), "
        "MOD(7.5, 2), POWER(2, 10), RADIANS(180), SQRT(2), ROUND(2.675, 2), ROUND(-2.5), ROUND(1234.5, -2), "
        "TRUNCATE(-3.789, 1), TRUNCATE(3.9), ACOS(0), ASIN(1), ATAN(1), ATAN2(1, 1), COS(0), COT(PI() / 4), "
        "SIN(PI() / 2), TAN(PI() / 4), RAND() FROM stars"
    )[0]
    expected = [3.5, 2, 180, math.e, -2, 2, 3, 1.5, 1024, math.pi, math.sqrt(2), 2.68, -3, 1200, -3.7, 3,
                math.pi / 2, math.pi / 2, math.pi / 4, math.pi / 4, 1, 1, 1, 1]  # fmt: skip
    assert list(row[:-1]) == pytest.approx(expected, rel=1e-12)
    assert 0 <= row[-1] < 1


def test_no_decimal_and_no_surprise_types(engine: Engine) -> None:
    row = engine.rows("SELECT TOP 1 1.5, 2 * 1.5, ROUND(mag, 1), MOD(n, 2), 10e-5, SQRT(2.0) FROM stars")[0]
    totals = engine.rows("SELECT AVG(n), SUM(id), SUM(flux), AVG(mag) FROM stars")[0]
    assert not any(isinstance(v, Decimal) for v in (*row, *totals))
    assert row[:2] == (1.5, 3.0)
    assert totals[:2] == (pytest.approx(sum(r[6] for r in STARS) / N_STARS), sum(r[0] for r in STARS))


def test_timestamps(engine: Engine) -> None:
    later = "SELECT COUNT(*) FROM stars WHERE obs > CAST('2021-06-01T00:00:00' AS TIMESTAMP)"
    assert column(later, engine) == [sum(r[8] > datetime.datetime(2021, 6, 1) for r in STARS)]


# ------------------------------------------------------------------------------------------ geometry


def test_geometry_output_is_dali_text(engine: Engine) -> None:
    star = STARS[2]
    point, stored, circle, polygon, center = engine.rows(
        "SELECT POINT(ra, dec), pos, CIRCLE(ra, dec, 0.5), POLYGON(ra, dec, ra + 1, dec, ra, dec + 1), "
        f"CENTROID(circ) FROM stars WHERE id = {star[0]}"
    )[0]
    assert numbers(point) == pytest.approx([star[1], star[2]], abs=1e-12)
    assert numbers(stored) == pytest.approx([star[1], star[2]], abs=1e-12)
    assert numbers(circle) == pytest.approx([star[1], star[2], 0.5], abs=1e-12)
    assert numbers(polygon) == pytest.approx(
        [star[1], star[2], star[1] + 1, star[2], star[1], star[2] + 1], abs=1e-11
    )
    assert numbers(center) == pytest.approx([star[1], star[2]], abs=1e-12)
    wrapped = engine.rows("SELECT TOP 1 POINT(-10, 5), COORD1(POINT(370, 5)) FROM stars")[0]
    assert numbers(wrapped[0]) == pytest.approx([350, 5]) and wrapped[1] == pytest.approx(10)


def test_box_area_centroid(engine: Engine) -> None:
    text, area, centroid, area_circle = engine.rows(
        "SELECT TOP 1 BOX(10, 20, 2, 1), AREA(BOX(10, 20, 2, 1)), CENTROID(BOX(10, 20, 2, 1)), "
        "AREA(CIRCLE(0, 0, 1)) FROM stars"
    )[0]
    expected = [x for vertex in box(10, 20, 2, 1).vertices for x in vertex]
    assert numbers(text) == pytest.approx(expected, abs=1e-11)
    assert area == pytest.approx(2.0 * 1.0, rel=1e-3)
    assert numbers(centroid) == pytest.approx([10, 20], abs=1e-9)
    assert area_circle == pytest.approx(2 * math.pi * (1 - math.cos(math.radians(1))) * (180 / math.pi) ** 2)


def test_contains_intersects_with_columns(engine: Engine) -> None:
    inside = column(
        "SELECT COUNT(*) FROM stars WHERE 1 = CONTAINS(pos, footprint) AND dec BETWEEN -80 AND 80", engine
    )
    assert inside == [sum(r[11] is not None and -80 <= r[2] <= 80 for r in STARS if r[2] is not None)]
    near = "SELECT COUNT(*) FROM stars WHERE 1 = INTERSECTS(circ, footprint) AND dec BETWEEN -80 AND 80"
    assert column(near, engine) == [
        sum(r[11] is not None and -80 <= r[2] <= 80 for r in STARS if r[2] is not None)
    ]
    assert column("SELECT COUNT(*) FROM stars WHERE 0 = CONTAINS(CENTROID(circ), circ)", engine) == [0]
    values = column("SELECT CONTAINS(POINT(ra, dec), CIRCLE(180, 30, 3)) FROM stars WHERE id < 50", engine)
    assert set(values) <= {0, 1, None}


def test_cast_to_geometry(engine: Engine) -> None:
    row = engine.rows("SELECT TOP 1 CAST('1 2' AS POINT), CAST('1 2 3' AS CIRCLE), AREA(CAST('0 0 1 0 0 1' AS POLYGON)) "
                      "FROM stars")[0]  # fmt: skip
    assert numbers(row[0]) == [1, 2] and numbers(row[1]) == [1, 2, 3] and row[2] > 0


def test_healpix_udf(engine: Engine) -> None:
    assert column("SELECT TOP 1 ivo_healpix_index(6, 10, 20) FROM stars", engine) == [19863]


def test_postgres_uses_the_gist_index(pair: tuple[Engine, Engine]) -> None:
    _, pg = pair
    pg.connection.execute("SET enable_seqscan TO off")
    try:
        for adql in (
            "SELECT id FROM stars WHERE DISTANCE(ra, dec, 180, 30) < 1",
            "SELECT id FROM stars WHERE 1 = CONTAINS(POINT(ra, dec), CIRCLE(180, 30, 1))",
            "SELECT s.id FROM other AS o JOIN stars AS s ON DISTANCE(s.ra, s.dec, o.ra, o.dec) < 0.001",
            "SELECT id FROM stars WHERE 1 = CONTAINS(POINT(ra, dec), POLYGON(10, 20, 11, 20, 11, 21))",
            "SELECT id FROM stars WHERE 1 = CONTAINS(POINT(ra, dec), BOX(10, 20, 1, 2))",
        ):
            plan = "\n".join(r[0] for r in pg.execute("EXPLAIN " + pg.translate(adql).sql))
            assert "stars_pos" in plan, plan
    finally:
        pg.connection.execute("SET enable_seqscan TO on")


def test_sqlite_uses_the_hpx_index(pair: tuple[Engine, Engine]) -> None:
    sqlite, _ = pair
    sql = sqlite.translate("SELECT id FROM stars WHERE DISTANCE(ra, dec, 180, 30) < 1").sql
    plan = " ".join(str(r[-1]) for r in sqlite.execute("EXPLAIN QUERY PLAN " + sql))
    assert "INDEX demo.stars_hpx" in plan


# ------------------------------------------------------------------------------------------ both engines

BATTERY = (
    "SELECT * FROM stars ORDER BY id",
    "SELECT * FROM other ORDER BY oid",
    "SELECT s.id, o.oid, DISTANCE(s.ra, s.dec, o.ra, o.dec) FROM stars AS s JOIN other AS o "
    "ON DISTANCE(s.ra, s.dec, o.ra, o.dec) < 0.005 ORDER BY 1, 2",
    "SELECT id, AREA(circ), AREA(footprint), COORD2(CENTROID(footprint)) FROM stars ORDER BY id",
    "SELECT id FROM stars WHERE 1 = CONTAINS(POINT(ra, dec), BOX(0, 0, 10, 6)) ORDER BY id",
    "SELECT id FROM stars WHERE 1 = CONTAINS(POINT(ra, dec), POLYGON(350, -5, 10, -5, 10, 5, 350, 5)) ORDER BY id",
    "SELECT id FROM stars WHERE DISTANCE(POINT(0, 90), pos) < 2 ORDER BY id",
    "SELECT id FROM stars WHERE 1 = INTERSECTS(circ, CIRCLE(180, 30, 1)) ORDER BY id",
    "SELECT kind, n, COUNT(*), MIN(flux), MAX(mag) FROM stars GROUP BY kind, n ORDER BY kind, n",
    "SELECT name, UPPER(name), LOWER(name) FROM stars WHERE name ILIKE '%x%' ORDER BY name",
    "SELECT id, obs FROM stars WHERE obs BETWEEN CAST('2020-06-01' AS TIMESTAMP) AND CAST('2021-01-01' AS TIMESTAMP) "
    "ORDER BY obs",
    "SELECT TOP 20 ROUND(flux, 2), TRUNCATE(flux, -1), MOD(flux, 7), flux / 3 FROM stars ORDER BY id",
    'SELECT "Size", COUNT(*) FROM stars GROUP BY "Size" ORDER BY 1',
)


def normalised(value: Any) -> Any:
    """Timestamps as text, DALI geometry as numbers, floats to be compared with a tolerance."""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, str) and value and value[0] in "-0123456789" and " " in value:
        try:
            return pytest.approx(numbers(value), rel=1e-7, abs=1e-9)
        except ValueError:
            return value
    if isinstance(value, float):
        return pytest.approx(value, rel=1e-7, abs=1e-9)
    return value


@pytest.mark.parametrize("adql", BATTERY)
def test_engines_agree(pair: tuple[Engine, Engine], adql: str) -> None:
    sqlite, pg = pair
    left = sqlite.rows(adql)
    right = [tuple(normalised(v) for v in row) for row in pg.rows(adql)]
    assert len(left) == len(right)
    for a, b in zip(left, right, strict=True):
        assert tuple(numbers(v) if isinstance(v, str) and isinstance(w, type(pytest.approx([]))) else v
                     for v, w in zip(a, b, strict=True)) == b  # fmt: skip


def test_backslashes_and_quotes_round_trip(engine: Engine) -> None:
    value = "a\\b'c\\\\"
    adql = "SELECT TOP 1 'a\\b''c\\\\' FROM stars"
    assert column(adql, engine) == [value]
    if engine.name == "postgresql":
        engine.connection.execute("SET standard_conforming_strings TO off")
        try:
            assert column(adql, engine) == [value]
        finally:
            engine.connection.execute("SET standard_conforming_strings TO on")
