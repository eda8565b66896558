"""Random well-formed queries: the two engines must return the same rows.

Hypothesis builds expressions and conditions from ADQL's grammar over the test tables (arithmetic, math and
string functions, CASE, COALESCE, CAST, BETWEEN, IN, LIKE, IS NULL, subqueries), avoiding only what the
databases legitimately disagree on (overflow and division by zero, which SQLite answers with NULL or a
float and PostgreSQL with an error).  This catches precedence and typing mistakes of the SQL builders.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.tap.adql.engines import Engine, pair_fixture

GENERATED = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

FLOAT_COLUMNS = ("ra", "dec", "flux", "mag")
INT_COLUMNS = ("n", "id", '"Size"')
literals = st.sampled_from(["0", "1", "2", "-3", "0.5", "2.5", "1e2", "-0.25", "7"])


@pytest.fixture(scope="module")
def pair(pg_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Engine]]:
    yield from pair_fixture(pg_dsn, tmp_path_factory)


def numeric(depth: int, geometry: bool = True) -> st.SearchStrategy[str]:
    """Numeric expressions; ``geometry`` adds values computed through pgSphere's radians, which differ from
    SQLite's in the last bits and so are not compared for equality in conditions."""
    leaf = st.one_of(st.sampled_from(FLOAT_COLUMNS + INT_COLUMNS), literals)
    if depth == 0:
        return leaf
    inner = numeric(depth - 1, geometry)
    geometric = ["DISTANCE(ra, dec, 180, 30)", "COORD2(pos)", "AREA(circ)", "COORD1(CENTROID(circ))"]
    return st.one_of(
        leaf,
        st.tuples(inner, st.sampled_from(["+", "-"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, st.sampled_from(["*", "/"]), literals.filter(lambda x: float(x) != 0)).map(
            lambda t: f"{t[0]} {t[1]} {t[2]}"
        ),
        inner.map(lambda x: f"-({x})"),
        st.tuples(
            st.sampled_from(["ABS", "CEILING", "FLOOR", "RADIANS", "DEGREES", "SIN", "COS"]), inner
        ).map(lambda t: f"{t[0]}({t[1]})"),
        inner.map(lambda x: f"SQRT(ABS({x}))"),
        inner.map(lambda x: f"LOG10(ABS({x}) + 1)"),
        st.tuples(inner, st.integers(-2, 3)).map(lambda t: f"ROUND({t[0]}, {t[1]})"),
        st.tuples(inner, st.integers(-1, 2)).map(lambda t: f"TRUNCATE({t[0]}, {t[1]})"),
        inner.map(lambda x: f"MOD({x}, 7)"),
        inner.map(lambda x: f"POWER({x} / 100, 2)"),
        st.tuples(inner, inner).map(lambda t: f"COALESCE(mag, {t[0]}, {t[1]})"),
        st.tuples(condition(0), inner, inner).map(lambda t: f"CASE WHEN {t[0]} THEN {t[1]} ELSE {t[2]} END"),
        inner.map(lambda x: f"CAST({x} AS DOUBLE PRECISION)"),
        st.sampled_from(geometric if geometry else ["pi()"]),
    )


def text(depth: int) -> st.SearchStrategy[str]:
    leaf = st.sampled_from(["name", "kind", "'abc'", "'x''y'", "CAST(n AS VARCHAR(3))", "COORDSYS(pos)"])
    if depth == 0:
        return leaf
    inner = text(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(inner, inner).map(lambda t: f"{t[0]} || {t[1]}"),
        inner.map(lambda x: f"LOWER({x})"),
        inner.map(lambda x: f"UPPER({x})"),
        inner.map(lambda x: f"COALESCE({x}, 'none')"),
    )


def condition(depth: int) -> st.SearchStrategy[str]:
    number = numeric(min(depth, 1), geometry=False)
    comparisons = st.tuples(number, st.sampled_from(["=", "<>", "<", ">=", "!="]), number).map(" ".join)
    simple = st.one_of(
        comparisons,
        st.tuples(number, number, number).map(lambda t: f"{t[0]} BETWEEN {t[1]} AND {t[2]}"),
        st.tuples(number, st.lists(literals, min_size=1, max_size=3)).map(
            lambda t: f"{t[0]} IN ({', '.join(t[1])})"
        ),
        st.tuples(text(1), st.sampled_from(["LIKE 'N%'", "ILIKE '%g_1%'", "NOT LIKE '%x%'", "= 'star'"])).map(
            " ".join
        ),
        st.sampled_from(["mag IS NULL", "kind IS NOT NULL", "1 = CONTAINS(pos, footprint)"]),
        st.sampled_from(
            [
                "id IN (SELECT star_id FROM other)",
                "EXISTS (SELECT 1 FROM other AS o WHERE o.star_id = stars.id)",
            ]
        ),
        number.map(lambda x: f"DISTANCE(POINT(ra, dec), POINT(0, 0)) < ABS({x})"),
    )
    if depth == 0:
        return simple
    inner = condition(depth - 1)
    return st.one_of(
        simple,
        st.tuples(inner, st.sampled_from(["AND", "OR"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda x: f"NOT ({x})"),
    )


def approx(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(pytest.approx(v, rel=1e-9, abs=1e-9) if isinstance(v, float) else v for v in row)


@GENERATED
@given(values=st.lists(st.one_of(numeric(2), text(2)), min_size=1, max_size=3), where=condition(2))
def test_engines_agree_on_generated_queries(
    pair: tuple[Engine, Engine], values: list[str], where: str
) -> None:
    sqlite, pg = pair
    adql = f"SELECT TOP 40 id, {', '.join(values)} FROM stars WHERE {where} ORDER BY id"
    left, right = sqlite.rows(adql), pg.rows(adql)
    assert [r[0] for r in left] == [r[0] for r in right], adql
    assert left == [approx(row) for row in right], adql
