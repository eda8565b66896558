"""Uploaded tables on both engines: temporary tables of the query's own connection, read-only afterwards,
gone after the query, and every value back as it was uploaded (through TapService, without HTTP)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from astropy.io import votable

from tap.params import DaliParams
from tap.schema import Column, Dialect, StaticCatalog, Table
from tap.service import TapService, TapSettings
from tap.uploads import UploadTable, parse_uploads
from tests.upload_samples import ALL_TYPES, assert_round_trip, first_table, reserialised, votable_document
from vo_service.config import Config
from vo_service.db import Database, create_table, insert_chunks, prepare_database
from vo_service.errors import UsageError

STARS = Table(
    "demo",
    "stars",
    (Column("name", "char", "*"), Column("ra", "double", unit="deg"), Column("dec", "double", unit="deg")),
    position=("ra", "dec"),
)
STAR_ROWS = {"name": ["Crab", "Cyg X-1", "Sco X-1"], "ra": [83.6331, 299.5903, 244.9795], "dec": [22.0145, 35.2016, -15.6402]}  # fmt: skip
POSITIONS = votable_document(
    '<FIELD name="tag" datatype="char" arraysize="*"/><FIELD name="RA" datatype="double" unit="deg"/>'
    '<FIELD name="Dec" datatype="double" unit="deg"/>',
    "<TR><TD>a</TD><TD>83.6331</TD><TD>22.0145</TD></TR><TR><TD>b</TD><TD>244.98</TD><TD>-15.64</TD></TR>"
    "<TR><TD>c</TD><TD>10</TD><TD>10</TD></TR>",
)


@pytest.fixture
def database(config: Config) -> Iterator[Database]:
    db = Database(config)
    prepare_database(db.engine)
    create_table(db.engine, STARS)
    insert_chunks(db.engine, STARS, [STAR_ROWS])
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def service(database: Database) -> TapService:
    return TapService(
        settings=TapSettings(maxrec_default=1000, maxrec_hard=1000, timeout=10, upload_limit=10_000_000),
        dialect=database.dialect,
        catalog=lambda: StaticCatalog([STARS]),
        cursor_factory=database.read_cursor,
    )


def _document(service: TapService, query: str, fmt: str = "votable", **files: bytes) -> bytes:
    uploads = [("UPLOAD", f"{name},param:{name}") for name in files]
    params = DaliParams.from_pairs(
        [("LANG", "ADQL"), ("QUERY", query), ("RESPONSEFORMAT", fmt), *uploads], files
    )
    prepared = service.prepare(params)
    rows = service.start(prepared)
    return b"".join(prepared.output.stream(rows.columns, rows.chunks, status=rows.status))


def _run(service: TapService, query: str, fmt: str = "votable", **files: bytes) -> votable.tree.TableElement:
    return first_table(_document(service, query, fmt, **files))


def _uploads(**files: bytes) -> list[UploadTable]:
    params = DaliParams.from_pairs([("UPLOAD", f"{name},param:{name}") for name in files], files)
    return parse_uploads(params, limit=10_000_000)


@pytest.mark.parametrize("serialization", ["tabledata", "binary2"])
@pytest.mark.parametrize("output", ["votable", "application/x-votable+xml;serialization=BINARY2"])
def test_every_value_and_its_metadata_come_back(service: TapService, serialization: str, output: str) -> None:
    document = ALL_TYPES if serialization == "tabledata" else reserialised(ALL_TYPES, serialization)
    assert_round_trip(document, _document(service, "SELECT * FROM TAP_UPLOAD.every", output, every=document))


def test_uploads_join_published_tables_by_cone_and_distance(service: TapService) -> None:
    cone = _run(
        service,
        "SELECT u.tag, s.name FROM TAP_UPLOAD.Mine AS u JOIN demo.stars AS s "
        "ON 1 = CONTAINS(POINT('ICRS', s.ra, s.dec), CIRCLE('ICRS', u.ra, u.dec, 0.01)) ORDER BY u.tag",
        mine=POSITIONS,
    )
    assert [tuple(r) for r in cone.array.tolist()] == [("a", "Crab"), ("b", "Sco X-1")]
    distance = _run(
        service,
        "SELECT u.tag, s.name FROM tap_upload.mine AS u, demo.stars AS s "
        "WHERE DISTANCE(POINT(u.ra, u.dec), POINT(s.ra, s.dec)) < 0.01 ORDER BY u.tag",
        mine=POSITIONS,
    )
    assert [tuple(r) for r in distance.array.tolist()] == [("a", "Crab"), ("b", "Sco X-1")]


def test_cones_on_an_upload_use_its_position(service: TapService) -> None:
    [upload] = _uploads(mine=POSITIONS)
    assert upload.table.position == ("ra", "dec")
    inside = _run(
        service,
        "SELECT tag FROM TAP_UPLOAD.mine WHERE 1 = CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', 10, 10, 1))",
        mine=POSITIONS,
    )
    assert inside.array["tag"].tolist() == ["c"]


def test_two_uploads_in_one_query(service: TapService) -> None:
    got = _run(
        service,
        "SELECT a.tag, b.tag AS other FROM TAP_UPLOAD.one AS a JOIN TAP_UPLOAD.two AS b ON a.tag = b.tag",
        one=POSITIONS,
        two=POSITIONS,
    )
    assert len(got.array) == 3


def _target(table: Table, dialect: Dialect) -> str:
    schema, name = table.sql_name(dialect)
    return f'"{schema}"."{name}"' if schema else f'"{name}"'


def test_the_query_connection_stays_read_only(database: Database) -> None:
    """Published tables cannot be written by a query with uploads; on SQLite the uploads cannot either, while
    PostgreSQL lets READ ONLY transactions write temporary tables (they are discarded after the query)."""
    uploads = _uploads(mine=POSITIONS)
    targets = [_target(STARS, database.dialect)]
    if database.dialect == "sqlite":
        targets.append(_target(uploads[0].table, "sqlite"))
    for target in targets:
        for statement in (
            f"INSERT INTO {target} VALUES ('x', 1, 2)",
            f"DELETE FROM {target}",
            f"DROP TABLE {target}",
        ):
            with (
                pytest.raises((sqlite3.Error, psycopg.Error)) as caught,
                database.read_cursor(5, uploads) as cursor,
            ):
                cursor.connection.execute(
                    statement
                )  # not through PostgreSQL's server-side cursor (DECLARE ... FOR)
            assert "read" in str(caught.value).lower() or "not authorized" in str(caught.value)
    with database.read_cursor(5, uploads) as cursor:
        cursor.execute(f"SELECT count(*) FROM {_target(uploads[0].table, database.dialect)}")
        assert cursor.fetchall() == [(3,)]


def _temporary_tables(database: Database) -> int:
    """How many temporary tables the PostgreSQL server holds (in any session); 0 on SQLite, whose are private."""
    if database.dialect != "postgresql":
        return 0
    with database.engine.connect() as conn:
        return int(
            conn.execute(sa.text("SELECT count(*) FROM pg_class WHERE relpersistence = 't'")).scalar_one()
        )


def test_upload_tables_are_gone_after_the_query(database: Database) -> None:
    uploads = _uploads(mine=POSITIONS)
    target = _target(uploads[0].table, database.dialect)
    for _ in range(3):  # the same pooled connections again and again
        with database.read_cursor(5, uploads) as cursor:
            cursor.execute(f"SELECT count(*) FROM {target}")
            assert cursor.fetchall() == [(3,)]
        with pytest.raises(Exception, match="mine"), database.read_cursor(5) as cursor:
            cursor.execute(f"SELECT count(*) FROM {target}")
            cursor.fetchall()
    assert _temporary_tables(database) == 0


def test_a_failed_query_still_drops_its_uploads(database: Database) -> None:
    uploads = _uploads(mine=POSITIONS)
    with pytest.raises(Exception, match="nowhere"), database.read_cursor(5, uploads) as cursor:
        cursor.execute("SELECT no_such_column FROM nowhere")
    assert _temporary_tables(database) == 0


def test_concurrent_queries_each_see_their_own_upload(service: TapService) -> None:
    results: dict[int, list[Any]] = {}
    errors: list[BaseException] = []

    def run(n: int) -> None:
        rows = "".join(f"<TR><TD>{n}</TD></TR>" for _ in range(n))
        document = votable_document('<FIELD name="n" datatype="int"/>', rows)
        try:
            results[n] = _run(service, "SELECT n FROM TAP_UPLOAD.same", same=document).array["n"].tolist()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert results == {n: [n] * n for n in range(1, 9)}


def test_values_the_database_refuses_name_the_upload(database: Database, service: TapService) -> None:
    if database.dialect != "postgresql":
        pytest.skip("SQLite stores circles as text, without pgSphere's 90 degree limit")
    document = votable_document(
        '<FIELD name="c" datatype="double" arraysize="3" xtype="circle"/>', "<TR><TD>10 20 120</TD></TR>"
    )
    with pytest.raises(UsageError, match=r"^upload big: a value cannot be stored: .*radius"):
        _run(service, "SELECT * FROM TAP_UPLOAD.big", big=document)
