"""Errors of SQLite's helper functions reach the user with their message, and bad timestamp literals are
refused before any database runs.

Python's sqlite3 says only "user-defined function raised exception" when a registered function fails;
:mod:`tap.adql.sqlite_errors` puts the function's own message back, and the runner reports it as a UsageError.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tap.adql import AdqlSemanticError, translate
from tap.adql.sqlite_errors import FunctionError, function_errors
from tap.adql.sqlite_functions import prepare_connection
from tap.runner import run_query
from tap.schema import Column, Dialect, StaticCatalog, Table
from vo_service.errors import UsageError

DIALECTS: tuple[Dialect, ...] = ("sqlite", "postgresql")
EVENTS = Table("demo", "events", (Column("id", "long"), Column("label", "char", "*")))
CATALOG = StaticCatalog([EVENTS])


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(tmp_path / "events.sqlite", check_same_thread=False)
    prepare_connection(conn)
    conn.execute('CREATE TABLE "demo.events" (id INTEGER, label TEXT)')
    conn.executemany('INSERT INTO "demo.events" VALUES (?, ?)', [(1, "2003-01-01T12:00:00"), (2, "soon")])
    try:
        yield conn
    finally:
        conn.close()


def sql(adql: str, dialect: Dialect = "sqlite") -> str:
    return translate(adql, catalog=CATALOG, dialect=dialect).sql


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("text", ["not a date", "2003-13-01", "2003-01-01T25:00:00", ""])
def test_bad_timestamp_literals_are_refused_at_translation(dialect: Dialect, text: str) -> None:
    with pytest.raises(
        AdqlSemanticError, match=r"line 1, column 8: CAST to TIMESTAMP: .* is not a DALI"
    ) as caught:
        sql(f"SELECT CAST('{text}' AS TIMESTAMP) FROM demo.events", dialect)
    assert repr(text) in str(caught.value)


def test_good_timestamp_literals_run(db: sqlite3.Connection) -> None:
    good = {
        "2003-01-01": "2003-01-01T00:00:00",
        "2003-01-01T12:00:00": "2003-01-01T12:00:00",
        "2003-01-01T12:00:00.250Z": "2003-01-01T12:00:00.250",
        " 2015-06-20 ": "2015-06-20T00:00:00",
    }
    for text, stored in good.items():
        adql = f"SELECT CAST('{text}' AS TIMESTAMP) FROM demo.events WHERE id = 1"
        assert db.execute(sql(adql)).fetchall() == [(stored,)]
        sql(adql, "postgresql")


def test_bad_timestamp_values_name_the_value(db: sqlite3.Connection) -> None:
    query = sql("SELECT CAST(label AS TIMESTAMP) FROM demo.events ORDER BY id")
    expected = "CAST to TIMESTAMP: 'soon' is not a DALI timestamp"
    with pytest.raises(FunctionError, match=expected), function_errors():
        db.execute(query).fetchall()
    with pytest.raises(sqlite3.OperationalError, match="user-defined function raised exception"):
        db.execute(query).fetchall()  # what sqlite alone says
    with pytest.raises(sqlite3.OperationalError, match="no such column"), function_errors():
        db.execute("SELECT nope")  # the error kept above is not reported again


def test_helper_function_errors_are_usage_errors(db: sqlite3.Connection) -> None:
    @contextlib.contextmanager
    def cursors(timeout: float) -> Iterator[Any]:
        yield db.cursor()

    good = run_query(cursors, sql("SELECT CAST(label AS TIMESTAMP) FROM demo.events WHERE id = 1"), (), maxrec=10,
                     timeout=5)  # fmt: skip
    assert list(good.chunks) == [[("2003-01-01T12:00:00",)]]
    for adql, message in (
        ("SELECT CAST(label AS TIMESTAMP) FROM demo.events", "'soon' is not a DALI timestamp"),
        ("SELECT (SELECT id FROM demo.events) FROM demo.events", "more than one row"),
        ("SELECT ivo_healpix_index(30, 0, 0) FROM demo.events", "order 30 is not an integer from 0 to 29"),
    ):
        with pytest.raises(UsageError, match=message) as caught:
            run_query(cursors, sql(adql), (), maxrec=10, timeout=5)
        assert "user-defined" not in str(caught.value)
