"""Real databases for the translator's execution tests: the same rows in SQLite and in PostgreSQL+pgSphere.

Tables are created with plain SQL following the storage conventions of docs/architecture.md (SQLite: one
table named ``"demo.stars"``, geometry as DALI text, a hidden ``_hpx`` column; PostgreSQL: pgSphere types
and a GiST index on ``spoint(radians(ra), radians(dec))``).  The catalogue of each engine names the schema
the table really lives in, so the same ADQL runs on both.
"""

from __future__ import annotations

import contextlib
import datetime
import math
import random
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from tap.adql import pg_setup, translate
from tap.adql.healpix_index import hpx_index
from tap.adql.sqlite_functions import prepare_connection
from tap.adql.translate import Translation
from tap.schema import Column, StaticCatalog, Table

__all__ = [
    "N_STARS",
    "Engine",
    "engine_fixture",
    "make_pg",
    "make_sqlite",
    "other_rows",
    "pg_engine",
    "star_rows",
]

N_STARS: Final = 400
N_OTHER: Final = 150

#: (name, datatype, arraysize, xtype, SQLite type, PostgreSQL type)
_STAR_COLUMNS: Final = (
    ("id", "long", None, None, "INTEGER", "bigint"),
    ("ra", "double", None, None, "REAL", "double precision"),
    ("dec", "double", None, None, "REAL", "double precision"),
    ("mag", "float", None, None, "REAL", "real"),
    ("name", "char", "*", None, "TEXT", "text"),
    ("kind", "char", "*", None, "TEXT", "text"),
    ("n", "int", None, None, "INTEGER", "integer"),
    ("flux", "double", None, None, "REAL", "double precision"),
    ("obs", "char", "*", "timestamp", "TEXT", "timestamp"),
    ("pos", "double", "2", "point", "TEXT", "spoint"),
    ("circ", "double", "3", "circle", "TEXT", "scircle"),
    ("footprint", "double", "*", "polygon", "TEXT", "spoly"),
    ("Size", "int", None, None, "INTEGER", "integer"),
)
_OTHER_COLUMNS: Final = (
    ("oid", "long", None, None, "INTEGER", "bigint"),
    ("ra", "double", None, None, "REAL", "double precision"),
    ("dec", "double", None, None, "REAL", "double precision"),
    ("label", "char", "*", None, "TEXT", "text"),
    ("star_id", "long", None, None, "INTEGER", "bigint"),
)
_UNITS: Final = {"ra": "deg", "dec": "deg", "mag": "mag"}


def _positions(rng: random.Random) -> Iterator[tuple[float, float]]:
    """Uniform on the sphere, plus crowds at RA 0/360, at both poles and around (180, 30)."""
    crowds = ((0.0, 0.0, 3.0), (0.0, 89.0, 1.5), (0.0, -89.0, 1.5), (180.0, 30.0, 2.0), (359.5, 10.0, 1.0))
    while True:
        if rng.random() < 0.5:
            lon, lat, spread = rng.choice(crowds)
            ra = (lon + rng.uniform(-spread, spread) * 3) % 360.0
            dec = max(-90.0, min(90.0, lat + rng.uniform(-spread, spread)))
        else:
            ra = rng.uniform(0.0, 360.0)
            dec = math.degrees(math.asin(rng.uniform(-1.0, 1.0)))
        yield ra, dec


def star_rows(seed: int = 20261124) -> list[tuple[Any, ...]]:
    """Rows of ``stars`` with geometry as DALI numbers (lists) and the timestamp as a datetime."""
    rng = random.Random(seed)
    rows = []
    for i, (ra, dec) in zip(range(1, N_STARS + 1), _positions(rng), strict=False):
        missing = i % 97 == 0
        mag = None if i % 13 == 0 else rng.randint(-8, 160) / 8.0  # exact in float32
        name = rng.choice(["NGC ", "ngc ", "M", "Star/", "x'y", "Ünï "]) + str(i)
        kind = rng.choice(["star", "galaxy", "QSO", None])
        obs = datetime.datetime(2020, 1, 1) + datetime.timedelta(seconds=rng.randint(0, 10**8))
        radius = rng.choice([0.05, 0.5, 2.0])
        half = rng.choice([0.1, 1.0])
        lat = max(-88.5, min(88.5, dec))
        west, east = (ra - half) % 360.0, (ra + half) % 360.0
        region = (
            None if i % 11 == 0 else [west, lat - half, east, lat - half, east, lat + half, west, lat + half]
        )
        rows.append((
            i,
            None if missing else ra,
            None if missing else dec,
            mag,
            name,
            kind,
            i % 7,
            rng.uniform(-1e3, 1e3),
            obs,
            None if missing else [ra, dec],
            [ra, dec, radius],
            region,
            i % 5,
        ))  # fmt: skip
    return rows


def other_rows(stars: Sequence[tuple[Any, ...]], seed: int = 7) -> list[tuple[Any, ...]]:
    """Rows of ``other``: most near a star (offsets up to ~10 arcsec), some elsewhere."""
    rng = random.Random(seed)
    rows = []
    for i in range(1, N_OTHER + 1):
        star = rng.choice(stars)
        if star[1] is None or i % 5 == 0:
            ra, dec = rng.uniform(0, 360), rng.uniform(-80, 80)
        else:
            ra = (star[1] + rng.uniform(-3e-3, 3e-3)) % 360.0
            dec = max(-90.0, min(90.0, star[2] + rng.uniform(-3e-3, 3e-3)))
        rows.append((1000 + i, ra, dec, rng.choice(["a", "b", "c"]), star[0] if i % 3 else None))
    return rows


def _table(schema: str, name: str, columns: Sequence[tuple[Any, ...]], position: bool) -> Table:
    return Table(
        schema,
        name,
        tuple(Column(c[0], c[1], c[2], c[3], unit=_UNITS.get(c[0])) for c in columns),
        position=("ra", "dec") if position else None,
    )


def _dali(value: object) -> object:
    if isinstance(value, list):
        return " ".join(repr(float(v)) for v in value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    return value


@dataclass
class Engine:
    """One database with ``stars`` and ``other``: translate and run ADQL on it."""

    name: str
    catalog: StaticCatalog
    connection: Any
    #: The same tables without ``position``: cones run without the spatial index.
    unindexed: StaticCatalog = field(default_factory=lambda: StaticCatalog(()))

    @property
    def dialect(self) -> str:
        return "sqlite" if self.name == "sqlite" else "postgresql"

    def translate(self, adql: str, *, limit: int | None = None, indexed: bool = True) -> Translation:
        catalog = self.catalog if indexed else self.unindexed
        return translate(adql, catalog=catalog, dialect=self.dialect, limit=limit)  # type: ignore[arg-type]

    def rows(self, adql: str, *, limit: int | None = None, indexed: bool = True) -> list[tuple[Any, ...]]:
        return self.execute(self.translate(adql, limit=limit, indexed=indexed).sql)

    def execute(self, sql: str) -> list[tuple[Any, ...]]:
        cursor = self.connection.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]


def _catalogs(schema: str) -> tuple[StaticCatalog, StaticCatalog]:
    indexed = [_table(schema, "stars", _STAR_COLUMNS, True), _table(schema, "other", _OTHER_COLUMNS, True)]
    plain = [_table(schema, "stars", _STAR_COLUMNS, False), _table(schema, "other", _OTHER_COLUMNS, False)]
    return StaticCatalog(indexed), StaticCatalog(plain)


def make_sqlite(path: Path) -> Engine:
    """A SQLite file with both tables, ``_hpx`` filled and indexed, and the connection prepared."""
    conn = sqlite3.connect(path)
    prepare_connection(conn)
    stars = star_rows()
    others = other_rows(stars)
    for name, columns, rows in (("stars", _STAR_COLUMNS, stars), ("other", _OTHER_COLUMNS, others)):
        definition = ", ".join(f'"{c[0]}" {c[4]}' for c in columns)
        conn.execute(f'CREATE TABLE "demo.{name}" ({definition}, "_hpx" INTEGER)')
        conn.execute(f'CREATE INDEX "demo.{name}_hpx" ON "demo.{name}" ("_hpx")')
        ra = [r[1] if r[1] is not None else math.nan for r in rows]
        dec = [r[2] if r[2] is not None else math.nan for r in rows]
        cells = [int(c) if c >= 0 else None for c in hpx_index(ra, dec)]
        marks = ", ".join("?" * (len(columns) + 1))
        conn.executemany(
            f'INSERT INTO "demo.{name}" VALUES ({marks})',
            [(*(_dali(v) for v in row), cell) for row, cell in zip(rows, cells, strict=True)],
        )
    conn.commit()
    indexed, plain = _catalogs("demo")
    return Engine("sqlite", indexed, conn, plain)


def _pg_value(column: tuple[Any, ...], value: object) -> tuple[str, list[object]]:
    """A placeholder expression and its parameters for one value of ``column``."""
    if value is None:
        return "NULL", []
    kind = column[5]
    if kind == "spoint":
        return "spoint(radians(%s), radians(%s))", list(value)  # type: ignore[call-overload]
    if kind == "scircle":
        return "scircle(spoint(radians(%s), radians(%s)), radians(%s))", list(value)  # type: ignore[call-overload]
    if kind == "spoly":
        return "mmvo_spoly(VARIADIC %s::double precision[])", [list(value)]  # type: ignore[call-overload]
    return "%s", [value]


def make_pg(conn: Any) -> Engine:
    """Both tables in the connection's first schema, with the GiST index and :mod:`pg_setup` installed."""
    schema = conn.execute("SELECT current_schema()").fetchone()[0]
    pg_setup.install(conn)
    stars = star_rows()
    others = other_rows(stars)
    for name, columns, rows in (("stars", _STAR_COLUMNS, stars), ("other", _OTHER_COLUMNS, others)):
        definition = ", ".join(f'"{c[0]}" {c[5]}' for c in columns)
        conn.execute(f'CREATE TABLE "{name}" ({definition})')
        for row in rows:
            parts = [_pg_value(c, v) for c, v in zip(columns, row, strict=True)]
            placeholders = ", ".join(p[0] for p in parts)
            conn.execute(f'INSERT INTO "{name}" VALUES ({placeholders})', [x for p in parts for x in p[1]])
        conn.execute(f'CREATE INDEX "{name}_pos" ON "{name}" USING gist (spoint(radians(ra), radians(dec)))')
        conn.execute(f'ANALYZE "{name}"')
    indexed, plain = _catalogs(schema)
    return Engine("postgresql", indexed, conn, plain)


@contextlib.contextmanager
def pg_engine(dsn: str) -> Iterator[Engine]:
    """:func:`make_pg` in a fresh schema of the test database, dropped afterwards."""
    import psycopg

    schema = f"adql_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            conn.execute(f'SET search_path TO "{schema}", public')
            yield make_pg(conn)
        finally:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def engine_fixture(request: Any, tmp_path_factory: Any) -> Iterator[Engine]:
    """Body of a module-scoped fixture parametrised by engine name (PostgreSQL skips when absent)."""
    if request.param == "sqlite":
        engine = make_sqlite(tmp_path_factory.mktemp("adql") / "engine.sqlite")
        try:
            yield engine
        finally:
            engine.connection.close()
    else:
        with pg_engine(request.getfixturevalue("pg_dsn")) as engine:
            yield engine


def pair_fixture(pg_dsn: str, tmp_path_factory: Any) -> Iterator[tuple[Engine, Engine]]:
    """Body of a module-scoped fixture giving both engines at once, for comparisons."""
    sqlite = make_sqlite(tmp_path_factory.mktemp("pair") / "pair.sqlite")
    try:
        with pg_engine(pg_dsn) as pg:
            yield sqlite, pg
    finally:
        sqlite.connection.close()
