"""The runner's columnar path with stand-in batch streams: MAXREC on batches, the first batch before the
response, the deadline between batches, closing, falling back to rows, and the drivers' errors."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import adbc_driver_manager
import pyarrow as pa
import pytest

from tap.formats import ResultStatus, resolve_format
from tap.runner import QueryRows, run_query
from tap.schema import Column
from vo_service.errors import QueryTimeoutError, UsageError

COLUMNS = (Column("n", "long"),)


class Stream:
    """Batches of consecutive integers of the given sizes; records whether it was closed."""

    def __init__(self, sizes: Sequence[int], *, pause: float = 0.0, error: Exception | None = None) -> None:
        self.schema = pa.schema([("n", pa.int64())])
        self._sizes = sizes
        self._pause = pause
        self._error = error
        self.read = 0
        self.closed = False

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        start = 0
        for size in self._sizes:
            time.sleep(self._pause)
            self.read += 1
            yield pa.record_batch([pa.array(range(start, start + size), pa.int64())], schema=self.schema)
            start += size
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        self.closed = True


@contextmanager
def no_cursor(timeout: float) -> Iterator[Any]:
    raise AssertionError("the row path was not expected")
    yield


def _run(stream: Stream | None, *, maxrec: int, timeout: float = 10.0) -> QueryRows:
    return run_query(
        no_cursor,
        "SELECT n FROM t",
        COLUMNS,
        maxrec=maxrec,
        timeout=timeout,
        batch_source=lambda sql, timeout, columns: stream,
    )


def _numbers(rows: QueryRows) -> list[int]:
    return [n for chunk in rows.chunks for n in (chunk.column(0).to_pylist() if chunk else [])]


def test_the_batch_crossing_maxrec_is_cut_and_overflow_is_set() -> None:
    stream = Stream([3, 4, 5])
    rows = _run(stream, maxrec=5)
    assert _numbers(rows) == [0, 1, 2, 3, 4]
    assert rows.status.overflow
    assert stream.closed and stream.read == 2  # the third batch is never fetched


def test_exactly_maxrec_rows_is_not_an_overflow() -> None:
    rows = _run(Stream([3, 2]), maxrec=5)
    assert _numbers(rows) == [0, 1, 2, 3, 4]
    assert not rows.status.overflow


def test_the_first_batch_is_read_before_the_rows_are_handed_on() -> None:
    stream = Stream([2, 2])
    rows = _run(stream, maxrec=100)
    assert stream.read == 1
    assert _numbers(rows) == [0, 1, 2, 3]
    assert stream.closed


def test_no_batch_at_all_gives_one_empty_batch() -> None:
    rows = _run(Stream([]), maxrec=100)
    assert [len(chunk) for chunk in rows.chunks] == [0]
    document = b"".join(
        resolve_format("votable").stream(COLUMNS, _run(Stream([]), maxrec=9).chunks, status=ResultStatus())
    )
    assert b"<TR>" not in document


def test_closing_early_closes_the_stream() -> None:
    stream = Stream([2, 2, 2])
    rows = _run(stream, maxrec=100)
    rows.close()
    assert stream.closed and stream.read == 1


def test_the_deadline_is_checked_after_each_batch() -> None:
    with pytest.raises(QueryTimeoutError, match="longer than the time limit"):
        _run(Stream([1], pause=0.3), maxrec=100, timeout=0.1)
    stream = Stream([1, 1, 1], pause=0.2)
    rows = _run(stream, maxrec=100, timeout=0.3)
    document = b"".join(resolve_format("votable").stream(COLUMNS, rows.chunks, status=rows.status))
    assert b'value="ERROR">the query took longer than the time limit and was stopped' in document
    assert stream.closed


def test_a_stream_the_writers_cannot_take_goes_the_row_way() -> None:
    stream = Stream([1])
    stream.schema = pa.schema([("n", pa.month_day_nano_interval())])
    timeouts: list[float] = []

    class Cursor:
        def __init__(self) -> None:
            self.chunks = [[(7,)]]

        def execute(self, sql: str) -> None:
            pass

        def fetchmany(self, size: int) -> list[tuple[object, ...]]:
            return self.chunks.pop(0) if self.chunks else []

    @contextmanager
    def cursor(timeout: float) -> Iterator[Cursor]:
        timeouts.append(timeout)
        yield Cursor()

    rows = run_query(cursor, "SELECT n FROM t", COLUMNS, maxrec=10, timeout=5, batch_source=lambda *a: stream)
    assert [list(c) for c in rows.chunks] == [[(7,)]]
    assert stream.closed and 0 < timeouts[0] <= 5  # what is left of the query's time


def _adbc_error(message: str, sqlstate: str) -> adbc_driver_manager.Error:
    return adbc_driver_manager.ProgrammingError(
        message, status_code=adbc_driver_manager.AdbcStatusCode.INVALID_ARGUMENT, sqlstate=sqlstate
    )


def _message(error: Exception) -> str:
    """What the client reads when the stream fails with ``error``."""
    with pytest.raises((QueryTimeoutError, UsageError)) as failed:
        _run(Stream([], error=error), maxrec=10)
    return failed.value.message


def test_driver_errors_are_reported_as_the_row_path_reports_them() -> None:
    timeout = _adbc_error(
        "CANCELLED: [libpq] Execution error [PGRES_FATAL_ERROR]: ERROR:  canceling statement due to statement"
        " timeout\n. SQLSTATE: 57014",
        "57014",
    )
    assert _message(timeout) == "the query took longer than the time limit and was stopped"
    refused = _adbc_error(
        "INVALID_DATA: [libpq] Failed to execute query: could not begin COPY: ERROR:  division by zero\n\n"
        "Query was: COPY (select 1/0) TO STDOUT (FORMAT binary). SQLSTATE: 22012",
        "22012",
    )
    assert _message(refused) == "the database could not run the query: division by zero"
    mismatch = _adbc_error("IO: [SQLite] Type mismatch in column 1", "")
    assert _message(mismatch) == "the database could not run the query: Type mismatch in column 1"


def test_maxrec_zero_runs_nothing() -> None:
    rows = _run(None, maxrec=0)
    assert list(rows.chunks) == [] and rows.status.overflow
