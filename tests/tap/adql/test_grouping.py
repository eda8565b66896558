"""Grouped queries use only grouped columns outside aggregates, checked by the translator on both engines.

PostgreSQL refuses ``SELECT name, COUNT(*) ... GROUP BY kind`` in the database and SQLite answers it with a
name from any row; the translator refuses it first, naming the column.  Valid grouped queries (expressions of
grouping expressions, aliases, correlated subqueries, USING columns) run on both engines.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tap.adql import AdqlSemanticError
from tests.tap.adql.engines import Engine, star_rows

STARS = star_rows()


REFUSED = [
    (
        "SELECT name, COUNT(*) FROM stars GROUP BY kind",
        "line 1, column 8: the column name must appear in GROUP BY or inside an aggregate function",
    ),
    (
        "SELECT kind, n + 1 FROM stars GROUP BY kind",
        "line 1, column 14: the column n must appear in GROUP BY",
    ),
    ("SELECT FLOOR(mag), mag FROM stars GROUP BY FLOOR(mag)", "the column mag must appear in GROUP BY"),
    ("SELECT * FROM stars GROUP BY id", "line 1, column 8: the column ra must appear in GROUP BY"),
    (
        "SELECT kind FROM stars GROUP BY kind HAVING mag > 1",
        "line 1, column 49: the column mag must appear in GROUP BY",
    ),
    (
        "SELECT name FROM stars HAVING mag > 1",
        "line 1, column 8: the column name must be inside an aggregate function: HAVING without GROUP BY",
    ),
    (
        "SELECT COUNT(*) FROM stars HAVING mag > 1",
        "the column mag must be inside an aggregate function: HAVING",
    ),
    (
        "SELECT COUNT(*), name FROM stars",
        "line 1, column 18: the column name must be inside an aggregate function, or in a GROUP BY",
    ),
    (
        "SELECT s.kind, (SELECT MAX(o.ra) FROM other AS o WHERE o.star_id = s.id) AS m FROM stars AS s "
        "GROUP BY s.kind",
        "line 1, column 16: the column id must appear in GROUP BY",
    ),
    (
        "SELECT t.kind, t.c FROM (SELECT kind, COUNT(*) AS c FROM stars GROUP BY kind) AS t GROUP BY t.kind",
        "line 1, column 16: the column c must appear in GROUP BY",
    ),
]


@pytest.mark.parametrize(("adql", "message"), REFUSED)
def test_ungrouped_columns_are_refused(engine: Engine, adql: str, message: str) -> None:
    with pytest.raises(AdqlSemanticError, match=re.escape(message)):
        engine.translate(adql)


def test_grouped_expressions_and_aggregates_run(engine: Engine) -> None:
    counts = Counter(r[5] for r in STARS)
    rows = engine.rows(
        "SELECT kind, COUNT(*) AS n FROM stars GROUP BY kind HAVING COUNT(*) > 1 ORDER BY n, kind"
    )
    assert sorted(rows, key=lambda r: (r[1], r[0] or "")) == sorted(
        ((k, n) for k, n in counts.items()), key=lambda r: (r[1], r[0] or "")
    )
    floors = engine.rows(
        "SELECT FLOOR(mag) * 2 AS f, COUNT(*) FROM stars WHERE mag IS NOT NULL GROUP BY FLOOR(mag) ORDER BY f"
    )
    expected = Counter(int(r[3] // 1) * 2 for r in STARS if r[3] is not None)
    assert [(int(f), n) for f, n in floors] == sorted(expected.items())
    halves = engine.rows("SELECT n / 2 AS half, COUNT(*) FROM stars GROUP BY half ORDER BY half")
    assert [n for _, n in halves] == [c for _, c in sorted(Counter(r[6] // 2 for r in STARS).items())]
    assert engine.rows("SELECT COUNT(*), 1, MAX(n) - MIN(n) FROM stars") == [(len(STARS), 1, 6)]


def test_grouped_queries_with_subqueries_and_joins_run(engine: Engine) -> None:
    per_kind = engine.rows(
        "SELECT s.kind, COUNT(*) AS c FROM stars AS s JOIN other AS o ON o.star_id = s.id "
        "GROUP BY s.kind ORDER BY c DESC, s.kind"
    )
    assert (
        sum(c for _, c in per_kind)
        == engine.rows("SELECT COUNT(*) FROM other WHERE star_id IS NOT NULL")[0][0]
    )
    correlated = engine.rows(
        "SELECT COUNT(*) FROM stars AS s WHERE s.mag > (SELECT AVG(t.mag) FROM stars AS t WHERE t.kind = s.kind)"
    )
    assert correlated[0][0] > 0
    grouped_outer = engine.rows(
        "SELECT s.n, (SELECT COUNT(*) FROM other AS o WHERE o.oid > s.n * 1000) AS c FROM stars AS s "
        "GROUP BY s.n ORDER BY s.n"
    )
    assert [n for n, _ in grouped_outer] == list(range(7))
    using = engine.rows("SELECT ra, COUNT(*) FROM stars JOIN other USING (ra) GROUP BY ra")
    assert using == []
