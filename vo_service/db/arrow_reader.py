"""PostgreSQL's columnar path: queries read through Apache Arrow's ADBC driver as Arrow record batches.

Why: a large result used to cost a Python tuple per row in the DB-API cursor and again a transposition of
those tuples into columns in the encoder.  Arrow is the field's standard columnar interchange and the ADBC
drivers build each batch of rows as Arrow arrays in C, so a batch reaches the writers as whole columns with
no Python object per row (see :mod:`tap.formats.arrow_values` for how they keep the bytes identical).

Pooled connections whose sessions start every transaction READ ONLY (writes fail); each query gets
``statement_timeout`` set to what remains of its deadline.  Every translated query runs (pgSphere and the
helper functions live in the server).  Named cursors, which the row path reads through, never get parallel
plans nor synchronised scans, and neither do these sessions, so rows come in the same order.  psycopg refuses
timestamps outside Python's years 1 to 9999 and so does this reader, with the same message.  SQLite's
columnar path is :mod:`vo_service.db.sqlite_reader`.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import adbc_driver_manager
import adbc_driver_postgresql.dbapi
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from tap.runner import refused
from tap.schema import Column
from vo_service.adbc.query import start_query

__all__ = ["PG_BATCH_BYTES", "POOL_IDLE", "PREFETCH", "ArrowResult", "ConnectionPool", "PostgresArrowReader"]

#: Bytes per record batch on PostgreSQL (a hint: the driver ends a batch at the row that crosses it).
PG_BATCH_BYTES = 4 * 2**20
#: Idle connections a pool keeps; more may be open while queries run, the extra ones are closed afterwards.
POOL_IDLE = 8
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
        self._closed = False
        self.open = 0

    @property
    def idle(self) -> int:
        """How many connections wait in the pool."""
        return self._idle.qsize()

    def warm_up(self) -> None:
        """Opens a connection in the background when none is idle (errors are left to the first query)."""

        def connect() -> None:
            with contextlib.suppress(adbc_driver_manager.Error, OSError):
                self.release(self.acquire())

        if not self.idle:
            threading.Thread(target=connect, name="adbc-connect", daemon=True).start()

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
        """Takes a connection back; it is closed when it is not reusable, enough are idle or the pool is
        closed."""
        if reusable and not self._closed:
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
        """Closes the idle connections, and the busy ones when they come back (at shutdown)."""
        self._closed = True
        self.drop_idle()

    def drop_idle(self) -> None:
        """Closes the idle connections (after one was found closed by the server: they may all be)."""
        while True:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                return
            self.release(conn, reusable=False)


#: Batches read ahead of the writer: the driver fills the next batch (in C, without the GIL) while the
#: writer encodes the last one, which nearly halves a large download on two cores.
PREFETCH = 2
_END = object()


class ArrowResult:
    """A started read: the result ``schema``, its batches (iterate once) and ``close``, which must follow.

    Batches are read by a thread of their own, :data:`PREFETCH` ahead of the consumer.  Closing before the
    end cancels the query where the driver can (PostgreSQL), waits for that thread and gives the connection
    back; a connection that saw an error is closed instead.
    """

    def __init__(
        self,
        pool: ConnectionPool,
        conn: Any,
        cursor: Any,
        reader: pa.RecordBatchReader,
        check: Callable[[pa.RecordBatch], None] | None = None,
    ) -> None:
        self._pool, self._conn, self._cursor, self._reader = pool, conn, cursor, reader
        self._check = check
        self._done = False
        self._failed = False
        self._closed = False
        self._queue: queue.Queue[Any] = queue.Queue(PREFETCH)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.schema: pa.Schema = reader.schema

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        self._thread = threading.Thread(target=self._read_ahead, name="adbc-read-ahead", daemon=True)
        self._thread.start()
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                self._failed = True
                raise item
            yield item

    def _read_ahead(self) -> None:
        try:
            for batch in self._reader:
                if self._check is not None:
                    self._check(batch)
                if not self._put(batch):
                    return
            self._done = True
            self._put(_END)
        except BaseException as exc:  # handed to the consumer, raised there
            self._put(exc)

    def _put(self, item: Any) -> bool:
        """Queues ``item`` unless the result is being closed (then False)."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        if not self._done:
            with contextlib.suppress(adbc_driver_manager.Error):
                self._cursor.adbc_cancel()
        if self._thread is not None:
            self._thread.join()
        reusable = not self._failed
        try:
            self._reader.close()
        except (adbc_driver_manager.Error, pa.ArrowException):
            reusable = False
        finally:
            self._cursor.close()
        self._pool.release(self._conn, reusable=reusable)


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
            self.pool.drop_idle()
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
    return start_query(conn, sql, {"adbc.postgresql.batch_size_hint_bytes": str(PG_BATCH_BYTES)})


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
