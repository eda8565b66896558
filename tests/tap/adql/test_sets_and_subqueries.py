"""Multiset operations and scalar subqueries answer alike on both engines.

SQLite has no INTERSECT ALL or EXCEPT ALL (the translator numbers duplicates instead) and takes the first row of
a scalar subquery that returns several (the translator makes it refuse, as PostgreSQL does).
"""

from __future__ import annotations

from collections import Counter

import psycopg
import pytest

from tap.adql.sqlite_errors import FunctionError, function_errors
from tests.tap.adql.engines import Engine, star_rows

STARS = star_rows()


def bag(rows: list[tuple[object, ...]]) -> Counter[tuple[object, ...]]:
    return Counter(rows)


def kinds(low: int, high: int) -> Counter[tuple[object, ...]]:
    """(kind, n % 2) of the stars with low <= id <= high, as a multiset (kind has NULLs)."""
    return Counter((r[5], r[6] % 2) for r in STARS if low <= r[0] <= high)


def select(low: int, high: int) -> str:
    return f"SELECT kind, MOD(n, 2) AS odd FROM stars WHERE id BETWEEN {low} AND {high}"


def rows(engine: Engine, adql: str) -> Counter[tuple[object, ...]]:
    return bag([(kind, int(odd)) for kind, odd in engine.rows(adql)])


def test_intersect_all_keeps_the_smaller_count(engine: Engine) -> None:
    got = rows(engine, f"{select(1, 200)} INTERSECT ALL {select(150, 400)}")
    assert got == kinds(1, 200) & kinds(150, 400)
    assert any(n > 1 for n in got.values()) and any(k[0] is None for k in got)


def test_except_all_subtracts_counts(engine: Engine) -> None:
    got = rows(engine, f"{select(1, 300)} EXCEPT ALL {select(100, 200)}")
    assert got == kinds(1, 300) - kinds(100, 200)
    assert rows(engine, f"{select(1, 50)} EXCEPT ALL {select(1, 400)}") == Counter()


def test_multiset_operations_combine_with_others_and_order(engine: Engine) -> None:
    adql = f"({select(1, 100)} EXCEPT ALL {select(50, 60)}) UNION ALL ({select(1, 10)} INTERSECT ALL {select(5, 30)})"
    assert rows(engine, adql) == (kinds(1, 100) - kinds(50, 60)) + (kinds(1, 10) & kinds(5, 30))
    ordered = engine.rows(f"{select(1, 200)} INTERSECT ALL {select(100, 300)} ORDER BY odd, kind")
    expected = sorted(
        (kinds(1, 200) & kinds(100, 300)).elements(), key=lambda r: (r[1], r[0] is None, r[0] or "")
    )
    assert [(k, int(o)) for k, o in ordered] == expected
    top = engine.rows(
        f"SELECT TOP 3 * FROM ({select(1, 200)} INTERSECT ALL {select(100, 300)}) AS t ORDER BY kind"
    )
    assert len(top) == 3


def test_multiset_operation_in_a_subquery_and_with_distinct_operands(engine: Engine) -> None:
    inner = "SELECT n FROM stars WHERE id <= 100 EXCEPT ALL SELECT n FROM stars WHERE id > 20"
    got = engine.rows(f"SELECT COUNT(*) FROM stars WHERE n IN ({inner})")[0][0]
    left = Counter(r[6] for r in STARS if r[0] <= 100)
    right = Counter(r[6] for r in STARS if r[0] > 20)
    assert got == sum(1 for r in STARS if r[6] in (left - right))
    distinct = rows(engine, f"SELECT DISTINCT kind, 1 AS odd FROM stars INTERSECT ALL {select(1, 400)}")
    assert distinct == Counter({(k, 1): 1 for (k, odd) in kinds(1, 400) if odd == 1})


def test_scalar_subquery_of_one_row_or_none(engine: Engine) -> None:
    one = "SELECT (SELECT name FROM stars AS s WHERE s.id = 3) AS x FROM stars WHERE id <= 2"
    assert engine.rows(one) == [(STARS[2][4],), (STARS[2][4],)]
    none = "SELECT (SELECT name FROM stars AS s WHERE s.id = 0) AS x FROM stars WHERE id = 1"
    assert engine.rows(none) == [(None,)]
    correlated = (
        "SELECT id, (SELECT COUNT(*) FROM stars AS s WHERE s.n = t.n) AS c, "
        "(SELECT s.id FROM stars AS s WHERE s.id = t.id + 1) AS following FROM stars AS t WHERE id <= 5 ORDER BY id"
    )
    counts = Counter(r[6] for r in STARS)
    assert engine.rows(correlated) == [(i, counts[STARS[i - 1][6]], i + 1) for i in range(1, 6)]
    assert engine.rows("SELECT id FROM stars WHERE mag = (SELECT MAX(mag) FROM stars) ORDER BY id") == [
        (r[0],) for r in STARS if r[3] == max(s[3] for s in STARS if s[3] is not None)
    ]


def test_scalar_subquery_of_several_rows_is_an_error(engine: Engine) -> None:
    adql = "SELECT (SELECT s.id FROM stars AS s WHERE s.n = t.n) AS x FROM stars AS t WHERE id = 1"
    error = FunctionError if engine.name == "sqlite" else psycopg.errors.CardinalityViolation
    with pytest.raises(error, match="more than one row"), function_errors():
        engine.rows(adql)
