"""SQLite's columnar path: queries read by the ADBC SQLite driver in reader processes, whose Arrow record
batches come back over a pipe (see :mod:`vo_service.adbc.sqlite_worker` for why a process of its own).

The driver's SQLite is another version than Python's and has none of the Python functions, so only queries
:func:`~vo_service.db.columnar_sqlite.columnar_candidate` accepts come here, and only when the reader process
plans them as the row path's connection does (``EXPLAIN QUERY PLAN``), so that rows come in the same order.
A query whose LIMIT is at most :data:`SMALL_LIMIT` rows stays on the row path, whose fixed cost is lower.

Processes: at most :data:`READERS` per service process, started in the background at start-up
(:meth:`ReaderPool.warm_up`) and when one is wanted and none is idle (the query at hand takes the row path
meanwhile), reused between queries.  A read that ends
early, fails or runs out of time kills its process (the driver cannot cancel a statement; a killed process
stops at once); a new one is started when needed.  A result closed after MAXREC has nothing more than its
end to come (the SQL's LIMIT is MAXREC + 1), which is read, and the process is reused.  ``read`` returns None whenever the row path must answer;
nothing has been sent by then.
"""

from __future__ import annotations

import json
import queue
import re
import select
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import adbc_driver_manager
import pyarrow as pa

from tap.schema import Column
from vo_service.adbc.sqlite_worker import read_frame
from vo_service.db.columnar_sqlite import columnar_candidate

__all__ = ["BATCH_ROWS", "READERS", "SMALL_LIMIT", "ReaderPool", "SqliteArrowReader", "WorkerResult"]

#: Rows per record batch.
BATCH_ROWS = 65_536
#: Results bounded by a LIMIT of at most this many rows are read as rows (no parse, no process: ~0.5 ms).
SMALL_LIMIT = 1000
#: Reader processes per service process (each holds pyarrow and the driver: about 90 MB).
READERS = 2
_FINAL_LIMIT = re.compile(r"\bLIMIT\s+(\d+)(?:\s+OFFSET\s+\d+)?\s*$", re.IGNORECASE)
_INTEGER_DATATYPES = frozenset({"boolean", "bit", "unsignedByte", "short", "int", "long"})
_TIMED_OUT = "57014"  # the SQLSTATE PostgreSQL gives a statement stopped by its timeout
#: Frames, and seconds for each, that closing a result early reads before it kills the process instead.
_DRAIN_FRAMES = 2
_DRAIN_WAIT = 0.05


class _Reader:
    """One reader process."""

    def __init__(self, database: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "vo_service.adbc.sqlite_worker", str(database)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,  # unbuffered: a frame waiting in the pipe is seen by select()
        )

    def ask(self, request: dict[str, object]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        self.process.stdin.flush()

    def frame(self) -> tuple[bytes, bytes] | None:
        assert self.process.stdout is not None
        return read_frame(self.process.stdout)

    def ready(self, wait: float) -> bool:
        """Whether output arrives within ``wait`` seconds."""
        assert self.process.stdout is not None
        return bool(select.select([self.process.stdout], [], [], wait)[0])

    def end(self) -> None:
        """Kills the process (it holds no lock worth keeping: it only reads)."""
        self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


class ReaderPool:
    """Idle reader processes, and the starting of new ones in the background up to ``size``."""

    def __init__(self, database: Path, size: int = READERS) -> None:
        self._database = database
        self._size = size
        self._idle: queue.SimpleQueue[_Reader] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        self.live = 0

    def acquire(self) -> _Reader | None:
        """An idle reader, or None (one is then started for later queries, if there is room)."""
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            self.warm_up()
            return None

    def warm_up(self) -> None:
        """Starts a reader in the background if there is room."""
        with self._lock:
            if self.live >= self._size or self._closed:
                return
            self.live += 1
        threading.Thread(target=self._start, name="sqlite-reader-start", daemon=True).start()

    def _start(self) -> None:
        try:
            reader = _Reader(self._database)
        except OSError:
            with self._lock:
                self.live -= 1
            return
        self.release(reader, reusable=True)

    def start(self) -> None:
        """Starts readers up to the pool size now (tests and warm-up)."""
        while True:
            with self._lock:
                if self.live >= self._size or self._closed:
                    return
                self.live += 1
            self._start()

    def release(self, reader: _Reader, *, reusable: bool) -> None:
        """Takes a reader back; one that is not reusable, or comes back after ``close``, is ended."""
        if reusable and not self._closed:
            self._idle.put(reader)
            return
        reader.end()
        with self._lock:
            self.live -= 1

    def close(self) -> None:
        """Ends the idle readers, and the busy ones when they come back (at shutdown)."""
        self._closed = True
        while True:
            try:
                reader = self._idle.get_nowait()
            except queue.Empty:
                return
            self.release(reader, reusable=False)

    @property
    def idle(self) -> int:
        return self._idle.qsize()


def _error(message: str, sqlstate: str | None = None) -> adbc_driver_manager.Error:
    status = adbc_driver_manager.AdbcStatusCode
    return adbc_driver_manager.OperationalError(
        message, status_code=status.CANCELLED if sqlstate else status.IO, sqlstate=sqlstate
    )


class WorkerResult:
    """A read in a reader process: :meth:`start` it, then ``schema``, the batches, ``close`` (which must
    follow).  At the deadline the process is killed and the read raises the driver error of a statement
    timeout (SQLSTATE 57014), which the runner reports as the row path reports its timeouts.
    """

    def __init__(self, pool: ReaderPool, reader: _Reader, timeout: float) -> None:
        self._pool, self._reader = pool, reader
        self.schema = pa.schema([])
        self._timer = threading.Timer(max(timeout, 0.0), self.expire)
        self._timer.daemon = True
        self._done = False
        self._closed = False
        self.expired = False

    def expire(self) -> None:
        """Stops the query: the deadline has passed."""
        self.expired = True
        self._reader.process.kill()

    def start(self, request: dict[str, object]) -> bool:
        """Sends the request and reads the result's schema; False when the row path must answer (the result
        is then closed).

        Raises:
            adbc_driver_manager.Error: the deadline passed first (SQLSTATE 57014).
        """
        try:
            self._reader.ask(request)
            self._timer.start()
            frame = self._reader.frame()
        except OSError:
            frame = None
        if frame is not None and frame[0] == b"S":
            self.schema = pa.ipc.read_schema(pa.py_buffer(frame[1]))
            return True
        self._done = frame is not None
        self.close()
        if self.expired:
            raise _error("the query ran out of time", _TIMED_OUT)
        return False

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        while True:
            frame = self._reader.frame()
            if frame is None:
                if self.expired:
                    raise _error("the query ran out of time", _TIMED_OUT)
                raise _error("the reader process ended")
            kind, payload = frame
            if kind in {b"Z", b"E"}:
                self._done = True
                if kind == b"E":
                    raise _error(payload.decode("utf-8", "replace"))
                return
            yield pa.ipc.read_record_batch(pa.py_buffer(payload), self.schema)

    def close(self) -> None:
        """Gives the process back, or kills it when the result was left with more to come."""
        if self._closed:
            return
        self._closed = True
        self._timer.cancel()
        if not self._done and not self.expired:
            self._drain()
        self._pool.release(self._reader, reusable=self._done and not self.expired)

    def _drain(self) -> None:
        """Reads what little may remain (after MAXREC only the end is left: the SQL's LIMIT is MAXREC + 1);
        a result that goes on is left to the kill."""
        for _ in range(_DRAIN_FRAMES):
            if not self._reader.ready(_DRAIN_WAIT):
                return
            frame = self._reader.frame()
            if frame is None or frame[0] in {b"Z", b"E"}:
                self._done = frame is not None
                return


class SqliteArrowReader:
    """Columnar reads on SQLite for the queries that qualify (see the module docstring).

    ``row_plan(sql)`` is the row path's ``EXPLAIN QUERY PLAN`` details for ``sql``.
    """

    def __init__(self, database: Path, row_plan: Callable[[str], list[str]], size: int = READERS) -> None:
        self._row_plan = row_plan
        self.pool = ReaderPool(database.resolve(), size)

    def read(self, sql: str, timeout: float, columns: Sequence[Column] = ()) -> WorkerResult | None:
        """Starts ``sql`` in a reader process, or returns None when the row path must answer.

        ``columns`` are the declared result columns.  Raises ``adbc_driver_manager.Error`` with SQLSTATE
        57014 when the query runs out of time before its result starts.
        """
        limit = _FINAL_LIMIT.search(sql)
        if (limit is not None and int(limit.group(1)) <= SMALL_LIMIT) or not columnar_candidate(sql):
            return None
        reader = self.pool.acquire()
        if reader is None:
            return None
        request = {
            "sql": sql,
            "batch_rows": BATCH_ROWS,
            "integer": [_integer_column(c) for c in columns],
            "plan": self._row_plan(sql),
        }
        result = WorkerResult(self.pool, reader, timeout)
        return result if result.start(request) else None


def _integer_column(column: Column) -> bool:
    return column.datatype in _INTEGER_DATATYPES and column.arraysize is None and column.xtype is None
