"""Database access for one service instance: a SQLAlchemy engine for writes and metadata, and read-only
connections for user queries.

User queries never go through the write engine.  On SQLite they run on connections opened read-only
(``mode=ro``), with ``query_only`` set and an authorizer that refuses anything but reading, so even a
translator bug cannot modify data; on PostgreSQL they run in ``READ ONLY`` transactions with a
``statement_timeout``.  Both stop a query at the configured deadline.

Queries without uploads may instead be read as Arrow record batches (:meth:`Database.read_batches`, through
the ADBC drivers: :mod:`vo_service.db.arrow_reader` for PostgreSQL, reader processes of
:mod:`vo_service.db.sqlite_reader` for SQLite), under the same read-only rules and deadline.  So
that both paths return rows in the same order, the row path's PostgreSQL cursor is planned for its whole
result (``cursor_tuple_fraction = 1``, as a plain query is) and without synchronised scans.

A query with uploaded tables (``TAP_UPLOAD``) gets them as temporary tables of its own connection, created
before the connection turns read-only: on SQLite a fresh connection, discarded afterwards; on PostgreSQL a
transaction of its own before the read-only one, and ``DISCARD TEMP`` before the connection goes back to the
pool (see :mod:`vo_service.db.upload_tables`).  PostgreSQL lets READ ONLY transactions write temporary tables:
a query could change its own uploads, never anything else.
"""

from __future__ import annotations

import queue
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

from tap.schema import Column, Dialect
from tap.uploads import UploadTable
from vo_service.config import Config
from vo_service.db.arrow_reader import ArrowResult, PostgresArrowReader
from vo_service.db.sqlite_reader import SqliteArrowReader, WorkerResult
from vo_service.db.upload_tables import create_upload_tables

__all__ = ["Database", "make_engine", "prepare_database"]

_SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=30000")
#: Authorizer actions a user query may perform; everything else (writes, ATTACH, PRAGMA ...) is denied.
_SQLITE_READ_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION})
_RECURSIVE = getattr(sqlite3, "SQLITE_RECURSIVE", 33)


def _prepare_sqlite(conn: sqlite3.Connection) -> None:
    from tap.adql.sqlite_functions import prepare_connection

    prepare_connection(conn)


def _sqlite_path(url: str) -> Path:
    return Path(sa.make_url(url).database or "")


def make_engine(config: Config) -> sa.Engine:
    """The write engine; SQLite files get WAL mode so readers never block on a writer."""
    url = config.sqlalchemy_url
    if config.dialect == "postgresql":
        return sa.create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    _sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        for pragma in _SQLITE_PRAGMAS:
            dbapi_conn.execute(pragma)
        _prepare_sqlite(dbapi_conn)

    return engine


def prepare_database(engine: sa.Engine) -> None:
    """Installs what translated ADQL needs in the database itself (PostgreSQL helper functions); idempotent.

    SQLite needs nothing stored: its functions are registered on every connection.
    """
    if engine.dialect.name != "postgresql":
        return
    from tap.adql.pg_setup import install

    raw = engine.raw_connection()
    try:
        install(raw.driver_connection)
        raw.commit()
    finally:
        raw.close()


def _deny_writes(action: int, *_args: object) -> int:
    return (
        sqlite3.SQLITE_OK if action in _SQLITE_READ_ACTIONS or action == _RECURSIVE else sqlite3.SQLITE_DENY
    )


class Database:
    """The engine plus a pool of read-only connections for user queries."""

    def __init__(self, config: Config, engine: sa.Engine | None = None) -> None:
        self.config = config
        self.engine = engine or make_engine(config)
        self.dialect: Dialect = "postgresql" if self.engine.dialect.name == "postgresql" else "sqlite"
        self._sqlite_pool: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self.arrow: PostgresArrowReader | SqliteArrowReader
        if self.dialect == "postgresql":
            self.arrow = PostgresArrowReader(config.sqlalchemy_url)
        else:
            self.arrow = SqliteArrowReader(_sqlite_path(config.sqlalchemy_url), self._sqlite_plan)

    def dispose(self) -> None:
        while not self._sqlite_pool.empty():
            self._sqlite_pool.get_nowait().close()
        self.arrow.pool.close()
        self.engine.dispose()

    def warm_up(self) -> None:
        """Prepares the columnar path in the background (a SQLite reader process, a PostgreSQL connection),
        so that the first large result does not wait for it or take the row path."""
        self.arrow.pool.warm_up()

    def read_batches(
        self, sql: str, timeout: float, columns: Sequence[Column] = (), uploads: Sequence[UploadTable] = ()
    ) -> ArrowResult | WorkerResult | None:
        """``sql`` read as Arrow record batches in a read-only context stopped at ``timeout`` seconds, or None
        when the query must take the row path (:meth:`read_cursor`): always with ``uploads``, on SQLite
        whenever :mod:`vo_service.db.sqlite_reader` says so.  ``columns`` are the declared result columns.
        The result must be closed.

        Raises:
            adbc_driver_manager.Error: PostgreSQL refused the query or ran out of time (SQLSTATE 57014).
        """
        if uploads:
            return None
        return self.arrow.read(sql, timeout, columns)

    def _sqlite_plan(self, sql: str) -> list[str]:
        """The ``EXPLAIN QUERY PLAN`` details of ``sql`` on a row-path connection."""
        try:
            conn = self._sqlite_pool.get_nowait()
        except queue.Empty:
            conn = self._new_sqlite_reader()
        try:
            return [str(row[3]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
        finally:
            self._sqlite_pool.put(conn)

    def _new_sqlite_reader(
        self, before_read_only: Callable[[sqlite3.Connection], None] | None = None
    ) -> sqlite3.Connection:
        """A read-only connection; ``before_read_only`` may still create TEMP tables (and is committed)."""
        path = _sqlite_path(self.config.sqlalchemy_url).resolve()
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        try:
            _prepare_sqlite(conn)
            if before_read_only is not None:
                before_read_only(conn)
                conn.commit()
            conn.execute("PRAGMA query_only=ON")
            conn.execute("PRAGMA cache_size=-65536")
            conn.execute("PRAGMA mmap_size=1073741824")
        except BaseException:
            conn.close()
            raise
        conn.set_authorizer(_deny_writes)
        return conn

    @contextmanager
    def read_cursor(self, timeout: float, uploads: Sequence[UploadTable] = ()) -> Iterator[Any]:
        """A DB-API cursor in a read-only context that stops the query after ``timeout`` seconds.

        ``uploads`` are there as temporary tables, named as their ``Table.sql_name`` says; the time to create
        them counts towards ``timeout``.  On PostgreSQL the cursor is server-side, so rows stream from the
        server in ``fetchmany`` batches.  The timeout surfaces as ``sqlite3.OperationalError('interrupted')``
        or psycopg's ``QueryCanceled``.

        Raises:
            UsageError: the database refused a value of an upload (the message names the upload).
        """
        if self.dialect == "sqlite":
            with self._sqlite_cursor(timeout, uploads) as cursor:
                yield cursor
        else:
            with self._pg_cursor(timeout, uploads) as cursor:
                yield cursor

    @contextmanager
    def _sqlite_cursor(self, timeout: float, uploads: Sequence[UploadTable]) -> Iterator[sqlite3.Cursor]:
        deadline = time.monotonic() + timeout
        if uploads:
            # A connection of its own: TEMP tables are made while it can still write them, and it is closed
            # after the query, so no later query sees them and no pooled connection ever could write.
            def create(conn: sqlite3.Connection) -> None:
                conn.set_progress_handler(_deadline_handler(deadline), 10_000)
                create_upload_tables(conn, "sqlite", uploads)

            conn = self._new_sqlite_reader(create)
        else:
            try:
                conn = self._sqlite_pool.get_nowait()
            except queue.Empty:
                conn = self._new_sqlite_reader()
        conn.set_progress_handler(_deadline_handler(deadline), 10_000)
        cursor = conn.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
            conn.set_progress_handler(None, 0)
            if conn.in_transaction:
                conn.rollback()
            if uploads:
                conn.close()
            else:
                self._sqlite_pool.put(conn)

    @contextmanager
    def _pg_cursor(self, timeout: float, uploads: Sequence[UploadTable]) -> Iterator[Any]:
        raw = self.engine.raw_connection()
        try:
            conn = raw.driver_connection
            assert conn is not None
            deadline = time.monotonic() + timeout
            if uploads:
                # READ ONLY transactions cannot create tables, so the uploads get a transaction of their own.
                with conn.transaction():
                    conn.execute(
                        "SELECT set_config('statement_timeout', %s, true)", (_milliseconds_to(deadline),)
                    )
                    create_upload_tables(conn, "postgresql", uploads)
            with conn.transaction():
                conn.execute("SET TRANSACTION READ ONLY")
                conn.execute(
                    "SELECT set_config('statement_timeout', %s, true),"
                    " set_config('cursor_tuple_fraction', '1', true),"
                    " set_config('synchronize_seqscans', 'off', true)",
                    (_milliseconds_to(deadline),),
                )
                with conn.cursor(name="mmvo_query") as cursor:
                    cursor.itersize = 10_000
                    yield cursor
                    # leaving the transaction block commits a read-only transaction: nothing to write
        finally:
            if uploads:
                _discard_temporary_tables(raw)
            raw.close()


def _discard_temporary_tables(raw: Any) -> None:
    """Drops the session's temporary tables before the connection goes back to the pool; a connection where
    that fails is invalidated, so no later query can meet another query's uploads."""
    conn = raw.driver_connection
    try:
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.rollback()
        conn.execute("DISCARD TEMP")
        conn.commit()
    except psycopg.Error:
        raw.invalidate()


def _milliseconds_to(deadline: float) -> str:
    """``statement_timeout`` for what is left until ``deadline`` (at least 1 ms: 0 would mean no limit)."""
    return str(max(1, int((deadline - time.monotonic()) * 1000)))


def _deadline_handler(deadline: float) -> Callable[[], int]:
    def handler() -> int:
        return 1 if time.monotonic() > deadline else 0

    return handler
