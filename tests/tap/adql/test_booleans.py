"""Boolean columns compared with ADQL's stand-ins for boolean literals (1, 0, 'true', 'false'), on both engines.

The table follows the storage conventions (PostgreSQL ``boolean``, SQLite INTEGER 0/1), so the same ADQL must
select the same rows on both, and the rows Python's reading of the comparison selects.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tap.adql import AdqlSemanticError, translate
from tap.schema import Column, Dialect, StaticCatalog, Table

#: (id, flag, transient, n)
ROWS = [
    (1, True, False, 1),
    (2, False, False, 0),
    (3, None, True, 2),
    (4, True, True, 1),
    (5, False, None, 5),
]


def _table(schema: str) -> Table:
    return Table(
        schema,
        "flags",
        (Column("id", "long"), Column("flag", "boolean"), Column("transient", "boolean"), Column("n", "int")),
    )


class Db:
    """One engine holding ``flags``: runs ADQL and returns the rows."""

    def __init__(self, dialect: Dialect, connection: Any, schema: str) -> None:
        self.dialect = dialect
        self.connection = connection
        self.table = _table(schema)
        self.catalog = StaticCatalog([self.table])

    def rows(self, adql: str) -> list[tuple[Any, ...]]:
        sql = translate(adql, catalog=self.catalog, dialect=self.dialect).sql
        return [tuple(r) for r in self.connection.execute(sql).fetchall()]

    def ids(self, where: str) -> list[int]:
        return [
            r[0] for r in self.rows(f"SELECT id FROM {self.table.qualified_name} WHERE {where} ORDER BY id")
        ]


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    if request.param == "sqlite":
        conn = sqlite3.connect(tmp_path / "flags.sqlite")
        conn.execute('CREATE TABLE "demo.flags" (id INTEGER, flag INTEGER, transient INTEGER, n INTEGER)')
        conn.executemany(
            'INSERT INTO "demo.flags" VALUES (?, ?, ?, ?)',
            [tuple(None if v is None else int(v) for v in row) for row in ROWS],
        )
        try:
            yield Db("sqlite", conn, "demo")
        finally:
            conn.close()
        return
    pg: Any = request.getfixturevalue("pg_conn")
    schema = pg.execute("SELECT current_schema()").fetchone()[0]
    pg.execute("CREATE TABLE flags (id bigint, flag boolean, transient boolean, n integer)")
    for row in ROWS:
        pg.execute("INSERT INTO flags VALUES (%s, %s, %s, %s)", row)
    yield Db("postgresql", pg, schema)


def _where(test: Callable[[tuple[Any, ...]], bool]) -> list[int]:
    return [row[0] for row in ROWS if test(row)]


TRUE = _where(lambda r: r[1] is True)
FALSE = _where(lambda r: r[1] is False)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("flag = 1", TRUE),
        ("flag = 0", FALSE),
        ("1 = flag", TRUE),
        ("flag = 'true'", TRUE),
        ("flag = 'TRUE'", TRUE),
        ("flag = 'False'", FALSE),
        ("flag = 'T'", TRUE),
        ("flag = 'f'", FALSE),
        ("flag <> 1", FALSE),
        ("flag != 'false'", TRUE),
        ("flag IN (1)", TRUE),
        ("flag IN (0, 'true')", TRUE + FALSE),
        ("flag NOT IN ('false')", TRUE),
        ("flag IN (1, NULL)", TRUE),
        ("flag = transient", _where(lambda r: r[1] is not None and r[1] == r[2])),
        ("flag > 0", TRUE),
        ("flag BETWEEN 0 AND 0", FALSE),
        ("NOT (flag = 1) OR transient = 'true'", _where(lambda r: r[1] is False or r[2] is True)),
        ("flag = NULL", []),
    ],
)
def test_booleans_compare_with_literals_alike(db: Db, condition: str, expected: list[int]) -> None:
    assert db.ids(condition) == sorted(expected)


def test_booleans_leave_as_booleans(db: Db) -> None:
    translation = translate(
        "SELECT flag, COALESCE(flag, MIN(transient)) AS c, MAX(flag) AS hi, MIN(flag) AS lo FROM demo.flags "
        "GROUP BY flag ORDER BY flag",
        catalog=StaticCatalog([_table("demo")]),
        dialect="sqlite",
    )
    assert [c.datatype for c in translation.columns] == ["boolean"] * 4
    rows = db.rows(f"SELECT flag FROM {db.table.qualified_name} ORDER BY id")
    assert [r[0] for r in rows] == [
        r[1] for r in ROWS
    ]  # 0/1 on SQLite equal False/True, as the writers take them
    groups = db.rows(
        f"SELECT flag, MAX(flag) AS hi, MIN(transient) AS lo FROM {db.table.qualified_name} GROUP BY flag ORDER BY flag"
    )
    assert groups == [(False, False, False), (True, True, False), (None, None, True)]


@pytest.mark.parametrize(
    ("condition", "shown"),
    [
        ("flag = 2", "not with 2"),
        ("flag = 'yes'", "not with 'yes'"),
        ("flag = n", "not with a number"),
        ("flag IN (1, 0.5)", "not with 0.5"),
        ("flag = name", "not with a string"),
    ],
)
def test_other_values_are_refused_naming_the_column(condition: str, shown: str) -> None:
    table = Table("demo", "flags", (*_table("demo").columns, Column("name", "char", "*")))
    for dialect in ("sqlite", "postgresql"):
        with pytest.raises(AdqlSemanticError, match="the boolean column flag can only be compared") as caught:
            translate(
                f"SELECT id FROM demo.flags WHERE {condition}",
                catalog=StaticCatalog([table]),
                dialect=dialect,
            )
        assert shown in str(caught.value)


def test_boolean_constants_per_engine() -> None:
    catalog = StaticCatalog([_table("demo")])
    where = "WHERE flag = 1 AND transient IN (0, 'true')"
    sqlite = translate(f"SELECT id FROM demo.flags {where}", catalog=catalog, dialect="sqlite").sql
    postgres = translate(f"SELECT id FROM demo.flags {where}", catalog=catalog, dialect="postgresql").sql
    assert sqlite.endswith('WHERE ("flags"."flag" = 1) AND ("flags"."transient" IN (0, 1))')
    assert postgres.endswith('WHERE ("flags"."flag" = TRUE) AND ("flags"."transient" IN (FALSE, TRUE))')
