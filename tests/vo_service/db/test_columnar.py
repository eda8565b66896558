"""The columnar path against the row path on real databases: the same documents for varied queries on both
engines, read-only connections, timeouts, fallbacks, and connections given back when a stream is abandoned.

Each query is prepared once and started twice, by a service with the columnar path and by one without, so
that the INFOs match; batches are made small so that MAXREC and the chunk boundaries fall inside batches.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import adbc_driver_manager
import pyarrow as pa
import pytest

from tap.params import DaliParams
from tap.schema import Column, StaticCatalog, Table
from tap.service import PreparedQuery, TapService, TapSettings
from tap.uploads import parse_uploads
from tests.conftest import create_pg_database
from tests.upload_samples import ALL_TYPES
from vo_service.config import Config
from vo_service.db import (
    Database,
    arrow_reader,
    build_indexes,
    create_table,
    drop_table,
    insert_chunks,
    prepare_database,
    sqlite_reader,
)
from vo_service.errors import QueryTimeoutError

ROWS = 3000
FORMATS = ("votable/b2", "votable/td", "votable/b", "csv", "tsv", "fits")

SAMPLE = Table(
    "test",
    "sample",
    (
        Column("id", "long"),
        Column("small", "short"),
        Column("num", "int"),
        Column("ub", "unsignedByte"),
        Column("bits", "bit"),
        Column("flag", "boolean"),
        Column("flux", "float"),
        Column("mag", "double"),
        Column("name", "char", "*"),
        Column("code", "char", "4"),
        Column("label", "char", "8*"),
        Column("greeting", "unicodeChar", "*"),
        Column("seen", "char", "*", xtype="timestamp"),
        Column("centre", "double", "2", xtype="point"),
        Column("cone", "double", "3", xtype="circle"),
        Column("outline", "double", "*", xtype="polygon"),
        Column("counts", "int", "3"),
        Column("spectrum", "double", "*"),
        Column("ra", "double", unit="deg"),
        Column("dec", "double", unit="deg"),
        Column("empty", "char", "*"),
        Column("sparse", "double"),
    ),
    position=("ra", "dec"),
)


def _null_every(n: int, values: list[object]) -> list[object]:
    return [None if i % n == 3 else v for i, v in enumerate(values)]


def _sample_rows() -> dict[str, list[object]]:
    ids = list(range(ROWS))
    ra = [(i * 7.3) % 360 for i in ids]
    dec = [((i * 13.7) % 170) - 85 for i in ids]
    start = dt.datetime(1999, 12, 31, 23, 59, 58)
    return {
        "id": ids,
        "small": _null_every(11, [(i * 37) % 65535 - 32767 for i in ids]),
        "num": _null_every(13, [(i * 7919) % 4_000_000_000 - 2_000_000_000 for i in ids]),
        "ub": _null_every(17, [i % 255 for i in ids]),
        "bits": _null_every(5, [i % 2 for i in ids]),
        "flag": _null_every(7, [i % 3 == 0 for i in ids]),
        "flux": _null_every(9, [float("nan") if i % 101 == 0 else i / 7 for i in ids]),
        "mag": _null_every(19, [float("inf") if i % 997 == 5 else 10 + (i % 1000) / 77 for i in ids]),
        "name": _null_every(23, [f"Grüße {i}" if i % 97 == 0 else f"obj{i}" for i in ids]),
        "code": [f"C{i % 40}" if i % 50 else "TOOLONG" for i in ids],
        "label": _null_every(29, [f"label-{i % 1000}" for i in ids]),
        "greeting": [f"こんにちは {i}" if i % 89 == 0 else f"hello {i}" for i in ids],
        "seen": _null_every(
            31, [start + dt.timedelta(seconds=i * 3601, milliseconds=(i % 3) * 125) for i in ids]
        ),
        "centre": [[r, d] for r, d in zip(ra, dec, strict=True)],
        "cone": _null_every(37, [[r, d, 0.5 + i % 3] for i, (r, d) in enumerate(zip(ra, dec, strict=True))]),
        "outline": [[r, d, (r + 1) % 360, d, r, min(d + 1, 89)] for r, d in zip(ra, dec, strict=True)],
        "counts": _null_every(41, [[i, -i, i % 7] for i in ids]),
        "spectrum": _null_every(43, [[i / 3] * (i % 4) for i in ids]),
        "ra": ra,
        "dec": dec,
        "empty": [None] * ROWS,
        "sparse": [None if i < ROWS - 5 else i / 9 for i in ids],
    }


@dataclasses.dataclass
class Setup:
    database: Database
    fast: TapService
    rows: TapService


def _settings(timeout: float) -> TapSettings:
    return TapSettings(maxrec_default=1000, maxrec_hard=100_000, timeout=timeout, upload_limit=10_000_000)


def _services(
    database: Database, catalog: StaticCatalog, timeout: float = 30
) -> tuple[TapService, TapService]:
    def service(columnar: bool) -> TapService:
        return TapService(
            settings=_settings(timeout),
            dialect=database.dialect,
            catalog=lambda: catalog,
            cursor_factory=database.read_cursor,
            batch_source=database.read_batches if columnar else None,
        )

    return service(True), service(False)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def setup(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    data_dir: Path = tmp_path_factory.mktemp(f"columnar-{request.param}")
    drop = None
    if request.param == "postgresql":
        url, drop = create_pg_database(request.getfixturevalue("pg_dsn"))
        config = Config(data_dir=data_dir, database_url=url)
    else:
        config = Config(data_dir=data_dir)
    database = Database(config)
    try:
        prepare_database(database.engine)
        create_table(database.engine, SAMPLE)
        insert_chunks(database.engine, SAMPLE, [_sample_rows()])
        build_indexes(database.engine, SAMPLE)
        upload = parse_uploads(
            DaliParams.from_pairs([("UPLOAD", "t,param:t")], {"t": ALL_TYPES}), limit=10**7
        )[0]
        all_types = dataclasses.replace(upload.table, schema="test", name="all_types")
        create_table(database.engine, all_types)
        insert_chunks(database.engine, all_types, upload.chunks)
        fast, rows = _services(database, StaticCatalog([SAMPLE, all_types]))
        yield Setup(database, fast, rows)
    finally:
        database.dispose()
        if drop is not None:
            drop()


@pytest.fixture(autouse=True)
def small_batches(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of a few hundred rows (MAXREC and chunk boundaries fall inside batches); SQLite's reader
    processes running (they start in the background otherwise, the first queries taking the row path)."""
    monkeypatch.setattr(sqlite_reader, "BATCH_ROWS", 700)
    monkeypatch.setattr(arrow_reader, "PG_BATCH_BYTES", 40_000)
    _ready(setup)


def _ready(setup: Setup) -> None:
    if isinstance(setup.database.arrow, sqlite_reader.SqliteArrowReader):
        setup.database.arrow.pool.start()


def _prepare(service: TapService, query: str, fmt: str, maxrec: int) -> PreparedQuery:
    pairs = [("LANG", "ADQL"), ("QUERY", query), ("RESPONSEFORMAT", fmt), ("MAXREC", str(maxrec))]
    return service.prepare(DaliParams.from_pairs(pairs, {}))


def _document(service: TapService, prepared: PreparedQuery) -> tuple[bytes, bool]:
    """The document, and whether its rows came as record batches."""
    rows = service.start(prepared)
    chunks = list(rows.chunks)
    columnar = any(isinstance(c, pa.RecordBatch) for c in chunks)
    blocks = prepared.output.stream(rows.columns, chunks, status=rows.status, infos=prepared.infos)
    return b"".join(blocks), columnar


#: (query, takes the columnar path on SQLite); every query does on PostgreSQL except those with the 2x2 matrix.
#: A small TOP keeps a query on SQLite's row path (cheaper for a few rows); see also the test after this one.
QUERIES: list[tuple[str, bool]] = [
    ("SELECT * FROM test.sample", False),  # ``empty``/``sparse`` are NULL throughout the first batch
    ("SELECT id, small, num, ub, bits, flag, flux, mag, name, code, label, greeting FROM test.sample", True),
    ("SELECT seen, centre, cone, outline, counts, spectrum FROM test.sample", True),
    ("SELECT TOP 10 * FROM test.sample ORDER BY id DESC", False),
    ("SELECT id, name FROM test.sample WHERE flag = 1", True),
    (
        "SELECT id, flux * 2 AS f2, mag + 1 AS m1, -num AS n FROM test.sample WHERE mag > 15 ORDER BY mag DESC",
        True,
    ),
    (
        "SELECT id FROM test.sample WHERE 1 = CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', 180, 0, 30))",
        False,
    ),
    ("SELECT POINT('ICRS', ra, dec) AS p, CIRCLE('ICRS', ra, dec, 1) AS c FROM test.sample", False),
    ("SELECT seen FROM test.sample WHERE seen > '2000-01-02T00:00:00'", True),
    ("SELECT DISTINCT code FROM test.sample", True),
    ("SELECT COUNT(*) AS n, AVG(mag) AS m, SUM(num) AS s, MAX(name) AS x FROM test.sample", False),
    ("SELECT name, greeting FROM test.sample WHERE name LIKE 'obj1%'", True),
    ("SELECT id, mag FROM test.sample WHERE id < 0", True),
    ("SELECT id, empty, sparse FROM test.sample", False),
    ("SELECT a.id, b.name FROM test.sample AS a JOIN test.sample AS b ON a.id = b.id WHERE a.id < 50", False),
    ("SELECT id, code FROM test.sample ORDER BY code", True),
    ("SELECT TOP 5 id, code FROM test.sample ORDER BY code", False),
    ("SELECT CAST(mag AS VARCHAR(20)) AS t, LOWER(name) AS l FROM test.sample", False),
    ("SELECT id, 1.5 AS c, 'x' AS s, 7 AS k FROM test.sample WHERE mag BETWEEN 12 AND 14 OFFSET 5", True),
    ("SELECT TOP 100 * FROM test.sample WHERE id IN (1, 2, 3, 500) AND name IS NOT NULL", False),
    ("SELECT id, num / 7 AS q, small * 3 AS p, mag - flux AS d FROM test.sample", True),
    ("SELECT * FROM test.all_types", True),
    ("SELECT id, matrix FROM test.all_types", True),
]


@pytest.mark.parametrize(("query", "columnar_on_sqlite"), QUERIES, ids=[str(i) for i in range(len(QUERIES))])
def test_both_paths_give_the_same_documents(setup: Setup, query: str, columnar_on_sqlite: bool) -> None:
    postgresql = setup.database.dialect == "postgresql"
    for maxrec in (1000, 100_000):
        for fmt in FORMATS:
            prepared = _prepare(setup.fast, query, fmt, maxrec)
            fast, columnar = _document(setup.fast, prepared)
            slow, rows = _document(setup.rows, prepared)
            assert not rows
            assert fast == slow, (fmt, maxrec)
            assert columnar == (columnar_on_sqlite if not postgresql else "all_types" not in query), fmt


def _outcome(service: TapService, prepared: PreparedQuery) -> bytes | str:
    """The document, or the error's type and message."""
    try:
        return _document(service, prepared)[0]
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT num * 3 AS p FROM test.sample",  # beyond an int: PostgreSQL refuses, the writers too on SQLite
        "SELECT id, 100 / (id - 10) AS q FROM test.sample",  # division by zero (NULL on SQLite)
        "SELECT id FROM test.sample WHERE name > 5",  # refused while planning on PostgreSQL
    ],
)
def test_failures_are_the_same_on_both_paths(setup: Setup, query: str) -> None:
    for fmt in ("votable/b2", "csv"):
        try:
            prepared = _prepare(setup.fast, query, fmt, 100_000)
        except Exception:
            continue  # refused before the database (only the database's refusals are compared)
        assert _outcome(setup.fast, prepared) == _outcome(setup.rows, prepared)


def test_small_results_on_the_columnar_path_too(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite reads a small TOP as rows for speed; forced onto the columnar path it gives the same bytes."""
    monkeypatch.setattr(sqlite_reader, "SMALL_LIMIT", 0)
    for query, _ in QUERIES:
        if "TOP" in query:
            prepared = _prepare(setup.fast, query, "votable/b2", 1000)
            fast, columnar = _document(setup.fast, prepared)
            assert columnar and fast == _document(setup.rows, prepared)[0]


def test_overflow_is_flagged_on_both_paths(setup: Setup) -> None:
    prepared = _prepare(setup.fast, "SELECT id, name FROM test.sample", "votable/b2", 1000)
    for service in (setup.fast, setup.rows):
        rows = service.start(prepared)
        assert sum(len(c) for c in rows.chunks) == 1000
        assert rows.status.overflow


def _assert_stopped_in_time(setup: Setup, query: str) -> None:
    """``query`` (minutes of work) stops at a timeout of 1.5 s with the row path's message."""
    fast, _ = _services(setup.database, StaticCatalog([SAMPLE]), timeout=1.5)
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError) as stopped:
        fast.start(_prepare(fast, query, "votable", 10_000))
    assert time.monotonic() - started < 8
    assert stopped.value.message == "the query took longer than the time limit and was stopped"


def test_a_query_that_would_run_for_minutes_stops_at_the_timeout(setup: Setup) -> None:
    _assert_stopped_in_time(
        setup,
        "SELECT COUNT(*) AS n FROM test.sample AS a, test.sample AS b, test.sample AS c WHERE a.mag + b.mag > c.mag",
    )


def test_a_columnar_read_that_would_run_for_minutes_stops_at_the_timeout(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's reader process is killed at the deadline (the cross join is let onto the columnar path)."""
    if setup.database.dialect != "sqlite":
        pytest.skip("PostgreSQL reads every query the columnar way: see the test above")
    expired: list[bool] = []
    expire = sqlite_reader.WorkerResult.expire

    def spy(result: sqlite_reader.WorkerResult) -> None:
        expired.append(True)
        expire(result)

    monkeypatch.setattr(sqlite_reader, "columnar_candidate", lambda sql: True)
    monkeypatch.setattr(sqlite_reader.WorkerResult, "expire", spy)
    _assert_stopped_in_time(
        setup,
        "SELECT a.id, b.id AS b, c.id AS c FROM test.sample AS a, test.sample AS b, test.sample AS c"
        " ORDER BY a.mag + b.mag - c.mag",
    )
    assert expired


def test_the_deadline_also_stops_a_columnar_read(setup: Setup) -> None:
    """The runner checks the deadline after each batch, on top of what the database does."""
    fast, _ = _services(setup.database, StaticCatalog([SAMPLE]), timeout=1e-6)
    prepared = _prepare(fast, "SELECT id, name FROM test.sample", "votable", 10_000)
    with pytest.raises(QueryTimeoutError) as stopped:
        fast.start(prepared)
    assert stopped.value.message == "the query took longer than the time limit and was stopped"


def test_columnar_connections_cannot_write(setup: Setup) -> None:
    arrow = setup.database.arrow
    if isinstance(arrow, sqlite_reader.SqliteArrowReader):
        for statement in ("CREATE TABLE scratch (a INTEGER)", 'DELETE FROM "test.sample"'):
            reader = arrow.pool.acquire()
            assert reader is not None
            reader.ask({"sql": statement, "batch_rows": 10, "integer": [], "plan": []})
            frame = reader.frame()
            assert (
                frame is not None and frame[0] == b"F" and b"attempt to write a readonly database" in frame[1]
            )
            arrow.pool.release(reader, reusable=True)
        return
    pool = arrow.pool
    conn = pool.acquire()
    try:
        for statement in ("CREATE TABLE scratch (a INTEGER)", 'DELETE FROM "test.sample"'):
            if setup.database.dialect == "postgresql":
                statement = statement.replace('"test.sample"', "test.sample")
            cursor = conn.cursor()
            with pytest.raises(adbc_driver_manager.Error, match=r"read-only|readonly"):
                cursor.execute(statement)
            cursor.close()
    finally:
        pool.release(conn)


def test_geometry_functions_and_uploads_take_the_row_path_on_sqlite(setup: Setup) -> None:
    database = setup.database
    cone = _prepare(setup.fast, QUERIES[6][0], "votable", 100)
    started = database.read_batches(cone.sql, 5, cone.columns)
    assert (started is None) == (database.dialect == "sqlite")
    if started is not None:
        started.close()
    plain = _prepare(setup.fast, "SELECT id FROM test.sample", "votable", 100)
    upload = parse_uploads(DaliParams.from_pairs([("UPLOAD", "t,param:t")], {"t": ALL_TYPES}), limit=10**7)
    assert database.read_batches(plain.sql, 5, plain.columns, upload) is None
    pairs = [("LANG", "ADQL"), ("QUERY", "SELECT u.id FROM TAP_UPLOAD.t AS u"), ("UPLOAD", "t,param:t")]
    prepared = setup.fast.prepare(DaliParams.from_pairs(pairs, {"t": ALL_TYPES}))
    rows = setup.fast.start(prepared)
    assert [type(c) for c in rows.chunks] == [list]


def test_abandoned_streams_give_their_connections_back(setup: Setup) -> None:
    prepared = _prepare(setup.fast, "SELECT id, name, mag FROM test.sample", "votable/b2", 100_000)
    pool = setup.database.arrow.pool
    for _ in range(100):
        _ready(setup)  # an abandoned SQLite read ends its process
        rows = setup.fast.start(prepared)
        first = next(iter(rows.chunks))
        assert isinstance(first, pa.RecordBatch) and first.num_rows < ROWS
        blocks = prepared.output.stream(rows.columns, rows.chunks, status=rows.status)
        next(blocks)
        blocks.close()  # the client went away
    if isinstance(pool, sqlite_reader.ReaderPool):
        assert pool.live <= sqlite_reader.READERS and pool.idle == pool.live == len(_reader_processes())
    else:
        assert pool.open <= arrow_reader.POOL_IDLE and pool.idle == pool.open
    # no read-ahead thread outlives its result
    assert not [t for t in threading.enumerate() if t.name == "adbc-read-ahead"]
    _ready(setup)
    document, columnar = _document(setup.fast, prepared)
    assert columnar and document.count(b"\n") > ROWS / 10


def _reader_processes() -> list[int]:
    """The SQLite reader processes this process has running (not ended, not left as zombies)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and b"vo_service.adbc.sqlite_worker" in command:
            found.append(int(stat.parent.name))
    return found


def test_a_pooled_connection_lost_to_a_restart_is_replaced(setup: Setup) -> None:
    if setup.database.dialect != "postgresql":
        pytest.skip("SQLite files have no server to lose")
    prepared = _prepare(setup.fast, "SELECT id, name FROM test.sample", "csv", 100_000)
    expected = _document(setup.rows, prepared)[0]
    assert _document(setup.fast, prepared) == (expected, True)  # leaves a connection in the pool
    with setup.database.engine.connect() as conn:
        ended = conn.exec_driver_sql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = 'mmvo-columnar' AND datname = current_database()"
        ).scalar()
    assert ended
    assert _document(setup.fast, prepared) == (expected, True)


@pytest.mark.parametrize(
    "value", ["infinity", "-infinity", "10000-01-01 00:00:00", "0044-03-15 12:30:00.5 BC"]
)
def test_timestamps_python_cannot_hold_are_refused_alike(setup: Setup, value: str) -> None:
    """psycopg refuses timestamps outside the years 1 to 9999; so does the columnar path, in its words."""
    if setup.database.dialect != "postgresql":
        pytest.skip("SQLite stores timestamps as text")
    table = Table("test", "odd_times", (Column("id", "int"), Column("t", "char", "*", xtype="timestamp")))
    create_table(setup.database.engine, table)
    try:
        with setup.database.engine.begin() as conn:
            conn.exec_driver_sql(f"INSERT INTO test.odd_times VALUES (1, '2000-01-01'), (2, '{value}')")
        fast, rows = _services(setup.database, StaticCatalog([table]))
        prepared = _prepare(fast, "SELECT id, t FROM test.odd_times", "votable/b2", 100)
        outcome = _outcome(fast, prepared)
        assert outcome == _outcome(rows, prepared)
        assert (
            isinstance(outcome, str)
            and "UsageError: the database could not run the query: timestamp" in outcome
        )
    finally:
        drop_table(setup.database.engine, table)


def test_warming_up_readies_the_columnar_path(setup: Setup) -> None:
    """At start-up the service prepares a SQLite reader process or a PostgreSQL connection in the background."""
    database = Database(setup.database.config)
    try:
        database.warm_up()
        deadline = time.monotonic() + 20
        while not database.arrow.pool.idle and time.monotonic() < deadline:
            time.sleep(0.05)
        assert database.arrow.pool.idle == 1
    finally:
        database.dispose()


def test_the_service_process_never_loads_the_driver_s_sqlite(setup: Setup) -> None:
    """Only reader processes hold the driver's copy of SQLite (two copies in a process drop each other's
    file locks)."""
    if setup.database.dialect != "sqlite":
        pytest.skip("PostgreSQL has no files in this process")
    prepared = _prepare(setup.fast, "SELECT id, name FROM test.sample", "votable/b2", 100_000)
    assert _document(setup.fast, prepared)[1]
    assert "libadbc_driver_sqlite" not in Path("/proc/self/maps").read_text()
