"""Fuzzing the translator: any text gives one read-only SELECT or a UsageError, nothing else.

Two sources of input: soup of ADQL tokens (keywords, names, literals, punctuation, SQL that is not ADQL), and
mutations of valid queries (tokens dropped, repeated, swapped or inserted, ``;`` and second statements
appended).  Whatever translates must parse back as exactly one query, and must run on SQLite under an
authorizer that allows reading only (the database may still refuse it, e.g. for a type error).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from tap.adql import AdqlInternalError, translate
from tap.adql.lexer import tokenize
from tests.tap.adql.engines import Engine, make_sqlite
from vo_service.errors import UsageError

WORDS: Final = (
    "SELECT", "FROM", "WHERE", "TOP", "DISTINCT", "ALL", "AS", "JOIN", "LEFT", "RIGHT", "FULL", "OUTER", "INNER",
    "NATURAL", "ON", "USING", "GROUP", "BY", "HAVING", "ORDER", "ASC", "DESC", "OFFSET", "UNION", "INTERSECT",
    "EXCEPT", "WITH", "AND", "OR", "NOT", "IN", "EXISTS", "BETWEEN", "LIKE", "ILIKE", "IS", "NULL", "CASE",
    "WHEN", "THEN", "ELSE", "END", "CAST", "INTEGER", "VARCHAR", "DOUBLE", "PRECISION", "POINT", "CIRCLE",
    "BOX", "POLYGON", "CONTAINS", "INTERSECTS", "DISTANCE", "AREA", "CENTROID", "COORD1", "COORD2", "COORDSYS",
    "REGION", "COUNT", "AVG", "SUM", "MIN", "MAX", "ABS", "ROUND", "TRUNCATE", "LOG", "MOD", "PI", "RAND",
    "COALESCE", "LOWER", "UPPER", "IN_UNIT", "ivo_healpix_index", "stars", "other", "id", "ra", "dec", "mag",
    "name", "pos", "circ", "footprint", "s", "o", '"Size"', '"stars"', "1", "0", "-1", "2.5", ".5", "1e3",
    "'ICRS'", "'a''b'", "'%'", "(", ")", ",", ".", "*", "+", "-", "/", "||", "=", "<>", "!=", "<", ">", "<=",
    ">=", ";", "--x\n", "LIMIT", "PRAGMA", "ATTACH", "DROP", "TABLE", "INSERT", "INTO", "VALUES", "UPDATE",
    "SET", "DELETE", "sqlite_master", "pg_sleep", "::", "[", "]", "$1", "?", "`", "\\", "'unterminated",
)  # fmt: skip

SEEDS: Final = (
    "SELECT TOP 5 id, ra, dec FROM stars WHERE 1 = CONTAINS(POINT(ra, dec), CIRCLE(180, 30, 2)) ORDER BY id",
    "SELECT s.id, o.oid FROM stars AS s JOIN other AS o ON DISTANCE(s.ra, s.dec, o.ra, o.dec) < 0.01",
    "SELECT kind, COUNT(*) AS c FROM stars GROUP BY kind HAVING COUNT(*) > 2 ORDER BY c DESC",
    "WITH q AS (SELECT id, mag FROM stars WHERE mag IS NOT NULL) SELECT * FROM q WHERE mag BETWEEN 1 AND 5",
    "SELECT id FROM stars WHERE name LIKE 'NGC%' UNION SELECT star_id FROM other WHERE label IN ('a', 'b')",
    "SELECT CAST(n AS VARCHAR(3)) || name, COALESCE(mag, 0), CASE WHEN n > 3 THEN 1 ELSE 0 END FROM stars",
    "SELECT AREA(footprint), CENTROID(circ), BOX(ra, dec, 1, 2), POLYGON(1, 2, 3, 4, 5, 6) FROM stars OFFSET 3",
    "SELECT * FROM stars WHERE id IN (SELECT star_id FROM other) AND EXISTS (SELECT 1 FROM other WHERE oid = 1)",
)
SEED_TOKENS: Final = [[t.text if t.kind != "string" else "'" + t.text.replace("'", "''") + "'" for t in tokenize(q)][:-1]
                      for q in SEEDS]  # fmt: skip

FUZZ = settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
_READ_ACTIONS: Final = {
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_FUNCTION,
    33,
}  # 33: RECURSIVE
_denied: list[int] = []


def _read_only(action: int, *_args: object) -> int:
    if action in _READ_ACTIONS:
        return sqlite3.SQLITE_OK
    _denied.append(action)
    return sqlite3.SQLITE_DENY


@pytest.fixture(scope="module")
def sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_sqlite(Path(tmp_path_factory.mktemp("fuzz")) / "fuzz.sqlite")
    engine.connection.set_authorizer(_read_only)
    yield engine
    engine.connection.close()


def check(engine: Engine, adql: str) -> None:
    """The translator's contract for any text."""
    for dialect, read in (("postgresql", "postgres"), ("sqlite", "sqlite")):
        try:
            sql = translate(adql, catalog=engine.catalog, dialect=dialect, limit=20).sql  # type: ignore[arg-type]
        except AdqlInternalError:
            raise
        except UsageError:
            continue
        parsed = sqlglot.parse(sql, read=read)
        assert len(parsed) == 1 and isinstance(parsed[0], exp.Query), sql
        assert not list(
            parsed[0].find_all(exp.Insert, exp.Update, exp.Delete, exp.Drop, exp.Create, exp.Command)
        )
        if dialect == "sqlite":
            _denied.clear()
            try:
                engine.connection.execute(sql).fetchmany(20)
            except sqlite3.Error as error:
                assert "not authorized" not in str(error), sql
            assert not _denied, (sql, _denied)


@FUZZ
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=25))
def test_token_soup(sqlite: Engine, words: list[str]) -> None:
    check(sqlite, " ".join(words))


@FUZZ
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=25))
def test_token_soup_after_select(sqlite: Engine, words: list[str]) -> None:
    check(sqlite, "SELECT " + " ".join(words))


@st.composite
def mutations(draw: st.DrawFn) -> str:
    tokens = list(draw(st.sampled_from(SEED_TOKENS)))
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(tokens)))
        kind = draw(st.sampled_from(["drop", "insert", "repeat", "swap", "suffix"]))
        if kind == "drop" and tokens:
            del tokens[min(where, len(tokens) - 1)]
        elif kind == "insert":
            tokens.insert(where, draw(st.sampled_from(WORDS)))
        elif kind == "repeat" and tokens:
            tokens.insert(where, tokens[min(where, len(tokens) - 1)])
        elif kind == "swap" and len(tokens) > 1:
            i = min(where, len(tokens) - 2)
            tokens[i], tokens[i + 1] = tokens[i + 1], tokens[i]
        else:
            tokens.append(
                draw(st.sampled_from(["; DROP TABLE stars", ";", "; SELECT 1", "; PRAGMA x", "--", "'"]))
            )
    return " ".join(tokens)


@FUZZ
@given(mutations())
def test_mutated_queries(sqlite: Engine, adql: str) -> None:
    check(sqlite, adql)


@FUZZ
@given(st.text(max_size=60))
def test_arbitrary_text(sqlite: Engine, text: str) -> None:
    check(sqlite, text)


def test_seeds_translate(sqlite: Engine) -> None:
    for adql in SEEDS:
        assert sqlite.rows(adql) is not None
