"""Read-only columnar query reads through Apache Arrow's ADBC drivers: results as Arrow record batches.

Why: a large result used to cost a Python tuple per row in the DB-API cursor and again a transposition of
those tuples into columns in the encoder.  Arrow is the field's standard columnar interchange and the ADBC
drivers build each batch of rows as Arrow arrays in C, so a batch reaches the writers as whole columns with
no Python object per row (see :mod:`tap.formats.arrow_values` for how they keep the bytes identical).

PostgreSQL: pooled connections whose sessions start every transaction READ ONLY (writes fail); each query gets
``statement_timeout`` set to what remains of its deadline.  Every translated query runs (pgSphere and the
helper functions live in the server).  Named cursors, which the row path reads through, never get parallel
plans nor synchronised scans, and neither do these sessions, so rows come in the same order.  psycopg refuses
timestamps outside Python's years 1 to 9999 and so does this reader, with the same message.

SQLite: pooled connections opened read-only (``mode=ro``, ``query_only``), with the row path's
``case_sensitive_like``.  The driver's SQLite can neither run the Python functions nor be interrupted, and
it is another version, so only queries :func:`~vo_service.db.columnar_sqlite.columnar_candidate` accepts,
planned the same way as on the row path's connection, are read here.  The driver infers each column's type
from the first batch and fails on a later value of another type; a column that is entirely NULL in the
first batch is inferred as an integer, so when such a column is not declared integer and more batches
follow, the query is left to the row path.  Any failure before the first batch is too (the row path then
reports it in its own words).  Batches hold :data:`SQLITE_BATCH_ROWS` rows.  A query whose LIMIT is at most
:data:`SQLITE_SMALL_LIMIT` rows stays on the row path, whose fixed cost is lower (about 0.5 ms against 1.5 ms
for the parse, the plan comparison and the driver); the bytes are the same either way.

A reader that returns None means "use the row path"; nothing has been sent by then.
"""

from __future__ import annotations

import contextlib
import queue
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import adbc_driver_manager
import adbc_driver_postgresql.dbapi
import adbc_driver_sqlite.dbapi
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from adbc_driver_manager._reader import AdbcRecordBatchReader

from tap.runner import refused
from tap.schema import Column
from vo_service.db.columnar_sqlite import columnar_candidate

__all__ = [
    "PG_BATCH_BYTES",
    "SQLITE_BATCH_ROWS",
    "SQLITE_SMALL_LIMIT",
    "ArrowResult",
    "ConnectionPool",
    "PostgresArrowReader",
    "SqliteArrowReader",
]

#: Rows per record batch on SQLite.
SQLITE_BATCH_ROWS = 65_536
#: On SQLite, results bounded by a LIMIT of at most this many rows are read as rows (see the module docstring).
SQLITE_SMALL_LIMIT = 1000
_FINAL_LIMIT = re.compile(r"\bLIMIT\s+(\d+)(?:\s+OFFSET\s+\d+)?\s*$", re.IGNORECASE)
#: Bytes per record batch on PostgreSQL (a hint: the driver ends a batch at the row that crosses it).
PG_BATCH_BYTES = 16 * 2**20
#: Idle connections a pool keeps; more may be open while queries run, the extra ones are closed afterwards.
POOL_IDLE = 8
_INTEGER_DATATYPES = frozenset({"boolean", "bit", "unsignedByte", "short", "int", "long"})
_PG_SESSION = (
    "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
    "SET max_parallel_workers_per_gather = 0",
    "SET synchronize_seqscans = off",
)


class ConnectionPool:
    """ADBC connections reused between queries; ``open`` counts those not closed yet (for tests and logs)."""

    def __init__(self, connect: Callable[[], Any], idle: int = POOL_IDLE) -> None:
        self._connect = connect
        self._idle: queue.Queue[Any] = queue.Queue(idle)
        self._lock = threading.Lock()
        self.open = 0

    @property
    def idle(self) -> int:
        """How many connections wait in the pool."""
        return self._idle.qsize()

    def acquire(self) -> Any:
        """An idle connection, or a new one.  Raises the driver's errors when it cannot connect."""
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            conn = self._connect()
            with self._lock:
                self.open += 1
            return conn

    def release(self, conn: Any, *, reusable: bool = True) -> None:
        """Takes a connection back; it is closed when it is not reusable or enough are idle."""
        if reusable:
            try:
                self._idle.put_nowait(conn)
                return
            except queue.Full:
                pass
        with self._lock:
            self.open -= 1
        with contextlib.suppress(adbc_driver_manager.Error):
            conn.close()

    def close(self) -> None:
        """Closes the idle connections (at shutdown)."""
        while True:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                return
            self.release(conn, reusable=False)


class ArrowResult:
    """A started read: the result ``schema``, its batches (iterate once) and ``close``, which must follow.

    Closing before the end cancels the query where the driver can (PostgreSQL) and gives the connection back;
    a connection that saw an error is closed instead.
    """

    def __init__(
        self,
        pool: ConnectionPool,
        conn: Any,
        cursor: Any,
        reader: pa.RecordBatchReader,
        pending: Sequence[pa.RecordBatch] = (),
        check: Callable[[pa.RecordBatch], None] | None = None,
    ) -> None:
        self._pool, self._conn, self._cursor, self._reader = pool, conn, cursor, reader
        self._pending = list(pending)
        self._check = check
        self._done = False
        self._failed = False
        self._closed = False
        self.schema: pa.Schema = reader.schema

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        try:
            while self._pending:
                yield self._checked(self._pending.pop(0))
            for batch in self._reader:
                yield self._checked(batch)
            self._done = True
        except BaseException:
            self._failed = True
            raise

    def _checked(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        if self._check is not None:
            self._check(batch)
        return batch

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if not self._done:
            with contextlib.suppress(adbc_driver_manager.Error):  # SQLite cannot; closing ends the statement
                self._cursor.adbc_cancel()
        reusable = not self._failed
        try:
            self._reader.close()
        except (adbc_driver_manager.Error, pa.ArrowException):
            reusable = False
        finally:
            self._cursor.close()
        self._pool.release(self._conn, reusable=reusable)


def _execute(conn: Any, sql: str, options: dict[str, str] | None = None) -> tuple[Any, pa.RecordBatchReader]:
    """Runs ``sql`` on a new cursor of ``conn``: (the cursor, a reader of its batches).

    The reader is the one the DB-API cursor reads through (``fetch_record_batch`` hands out the bare pyarrow
    reader instead, whose errors are plain ``OSError``): errors while reading keep the driver's class and
    SQLSTATE, so a statement timeout is recognised as one.
    """
    cursor = conn.cursor()
    try:
        statement = cursor.adbc_statement
        if options:
            statement.set_options(**options)
        statement.set_sql_query(sql)
        handle, _rows = statement.execute_query()
        return cursor, AdbcRecordBatchReader._import_from_c(handle.address)
    except BaseException:
        cursor.close()
        raise


class PostgresArrowReader:
    """Columnar reads on PostgreSQL; see the module docstring."""

    def __init__(self, url: str, idle: int = POOL_IDLE) -> None:
        target = sa.make_url(url).set(drivername="postgresql")
        if "application_name" not in target.query:
            target = target.update_query_dict({"application_name": "mmvo-columnar"})
        self._uri = target.render_as_string(hide_password=False)
        self.pool = ConnectionPool(self._connect, idle)

    def _connect(self) -> Any:
        conn = adbc_driver_postgresql.dbapi.connect(self._uri, autocommit=True)
        try:
            cursor = conn.cursor()
            for statement in _PG_SESSION:
                cursor.execute(statement)
            cursor.close()
        except BaseException:
            conn.close()
            raise
        return conn

    def read(self, sql: str, timeout: float, columns: Sequence[Column] = ()) -> ArrowResult:
        """Starts ``sql``; the first batch is read by the first iteration.

        A pooled connection the server has closed (a restart) is dropped with the other idle ones, and the
        query is started once more on a new connection.

        Raises:
            adbc_driver_manager.Error: the database refused the query or ran out of time (SQLSTATE 57014).
        """
        try:
            return self._start(sql, timeout)
        except adbc_driver_manager.Error as exc:
            if not _connection_lost(exc):
                raise
            self.pool.close()
            return self._start(sql, timeout)

    def _start(self, sql: str, timeout: float) -> ArrowResult:
        conn = self.pool.acquire()
        try:
            cursor, reader = _execute_with_timeout(conn, sql, timeout)
        except BaseException as exc:
            # a refused query leaves an autocommit session as it was; a lost connection is dropped
            self.pool.release(conn, reusable=not _connection_lost(exc))
            raise
        return ArrowResult(self.pool, conn, cursor, reader, check=_timestamps_in_python_range)


def _connection_lost(exc: BaseException) -> bool:
    """Whether an error means the connection is unusable (no SQLSTATE from the server, a connection exception,
    or an operator intervention such as a shutdown)."""
    sqlstate = getattr(exc, "sqlstate", None) or ""
    return not sqlstate or sqlstate.startswith(("08", "57P"))


def _execute_with_timeout(conn: Any, sql: str, timeout: float) -> tuple[Any, pa.RecordBatchReader]:
    cursor = conn.cursor()
    try:
        cursor.execute(f"SET statement_timeout = {max(1, int(timeout * 1000))}")
    finally:
        cursor.close()
    return _execute(conn, sql, {"adbc.postgresql.batch_size_hint_bytes": str(PG_BATCH_BYTES)})


#: PostgreSQL's +-infinity after the driver's shift from the 2000 epoch to 1970 (it wraps around).
_PG_EPOCH_SHIFT = 946_684_800_000_000
_PG_INFINITY = np.int64(-(2**63) + _PG_EPOCH_SHIFT - 1)
_PG_MINUS_INFINITY = np.int64(-(2**63) + _PG_EPOCH_SHIFT)
_PY_MIN = np.datetime64("0001-01-01T00:00:00", "us").astype(np.int64)
_PY_MAX = np.datetime64("9999-12-31T23:59:59.999999", "us").astype(np.int64)


def _pg_text(micros: int) -> str:
    """A timestamp as PostgreSQL writes it (``YYYY-MM-DD hh:mm:ss[.ffffff]``, BC years counted from 1)."""
    if micros == _PG_INFINITY:
        return "infinity"
    if micros == _PG_MINUS_INFINITY:
        return "-infinity"
    text = str(np.datetime64(int(micros), "us")).replace("T", " ")
    date, _, time = text.partition(" ")
    time = time.rstrip("0").rstrip(".")
    year, _, rest = date.lstrip("-").partition("-")
    if date.startswith("-") or int(year) == 0:  # astronomical year 0 is 1 BC
        number = int(year) + 1 if date.startswith("-") else 1
        return f"{number:04d}-{rest} {time} BC"
    return f"{int(year):04d}-{rest} {time}"


def _timestamps_in_python_range(batch: pa.RecordBatch) -> None:
    """Refuses timestamps Python cannot represent, as psycopg does on the row path.

    Raises:
        UsageError: with psycopg's wording.
    """
    for column in batch.columns:
        if not pa.types.is_timestamp(column.type) or column.null_count == len(column):
            continue
        micros = (
            pc.cast(column, pa.timestamp("us", tz=column.type.tz)).cast(pa.int64()).drop_null().to_numpy()
        )
        outside = (micros < _PY_MIN) | (micros > _PY_MAX)
        if outside.any():
            value = int(micros[outside][0])
            large = value > _PY_MAX or value == _PG_INFINITY
            bound = "too large (after year 10K)" if large else "too small (before year 1)"
            raise refused(f"timestamp {bound}: '{_pg_text(value)}'")


class SqliteArrowReader:
    """Columnar reads on SQLite for the queries that qualify; see the module docstring.

    ``row_plan(sql)`` is the row path's ``EXPLAIN QUERY PLAN`` details for ``sql``.
    """

    def __init__(self, path: Path, row_plan: Callable[[str], list[str]], idle: int = POOL_IDLE) -> None:
        self._uri = f"file:{quote(str(path.resolve()))}?mode=ro"
        self._row_plan = row_plan
        self.pool = ConnectionPool(self._connect, idle)

    def _connect(self) -> Any:
        conn = adbc_driver_sqlite.dbapi.connect(self._uri, autocommit=True)
        try:
            cursor = conn.cursor()
            for pragma in (
                "PRAGMA query_only=ON",
                "PRAGMA case_sensitive_like=ON",
                "PRAGMA cache_size=-65536",
                "PRAGMA mmap_size=1073741824",
            ):
                cursor.execute(pragma)
                cursor.fetchall()
            cursor.close()
        except BaseException:
            conn.close()
            raise
        return conn

    def read(self, sql: str, timeout: float, columns: Sequence[Column] = ()) -> ArrowResult | None:
        """Starts ``sql`` and reads its first batch, or returns None when the query must take the row path.

        ``columns`` are the declared result columns (for the type inference check).  The driver cannot stop
        a statement: only queries bounded by a scan and a sort of one table get here, and the caller checks
        the deadline between batches.
        """
        limit = _FINAL_LIMIT.search(sql)
        if (limit is not None and int(limit.group(1)) <= SQLITE_SMALL_LIMIT) or not columnar_candidate(sql):
            return None
        try:
            conn = self.pool.acquire()
        except adbc_driver_manager.Error:
            return None  # e.g. no database file yet: the row path says what is wrong
        cursor = None
        try:
            if _plan(conn, sql) != self._row_plan(sql):
                self.pool.release(conn)
                return None
            cursor, reader = _execute(conn, sql, {"adbc.sqlite.query.batch_rows": str(SQLITE_BATCH_ROWS)})
            pending = _first_batches(reader, columns)
        except (adbc_driver_manager.Error, pa.ArrowException, sqlite3.Error):
            pending = None
        if pending is None:
            if cursor is not None:
                reader.close()
                cursor.close()
            self.pool.release(conn)
            return None
        return ArrowResult(self.pool, conn, cursor, reader, pending)


def _plan(conn: Any, sql: str) -> list[str]:
    cursor = conn.cursor()
    try:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return [str(row[3]) for row in cursor.fetchall()]
    finally:
        cursor.close()


def _first_batches(reader: pa.RecordBatchReader, columns: Sequence[Column]) -> list[pa.RecordBatch] | None:
    """The first batch (and the second, when needed to decide), or None when later batches could hold values
    of another type than the driver inferred (see the module docstring)."""
    try:
        first = reader.read_next_batch()
    except StopIteration:
        return []
    guessed = [
        i
        for i, column in enumerate(first.columns)
        if first.num_rows
        and column.null_count == first.num_rows
        and not (i < len(columns) and _integer_column(columns[i]))
    ]
    if not guessed:
        return [first]
    try:
        second = reader.read_next_batch()
    except StopIteration:
        return [first]
    del second
    return None


def _integer_column(column: Column) -> bool:
    return column.datatype in _INTEGER_DATATYPES and column.arraysize is None and column.xtype is None
