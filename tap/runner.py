"""Runs a translated query and hands its rows on in chunks, enforcing MAXREC and the timeout.

The query is executed and its first chunk fetched before anything is sent, so the errors a client can cause
(type mismatches, a timeout during planning, an empty cone) still get a proper HTTP status; what goes wrong
later can only be reported in-band, which the output formats do.  The database cursor lives inside the chunk
generator and is released when the generator ends or is closed.

Two paths give the same chunks' content: the columnar one, when a :class:`BatchSource` is given and takes the
query, yields Arrow record batches (no Python object per row); otherwise, or when the batches' types are not
ones the writers convert exactly like DB-API values (:func:`tap.formats.arrow_values.accepts`), rows come
from a DB-API cursor.  On batches MAXREC works as on rows (the batch crossing it is cut, OVERFLOW is set) and
the deadline is checked after each batch, on top of what the database enforces itself.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

import adbc_driver_manager
import psycopg
import pyarrow as pa

from tap.adql.sphere import GeometryError
from tap.adql.sqlite_errors import FunctionError, function_errors
from tap.formats.arrow_values import accepts
from tap.formats.base import Chunk, ResultStatus
from tap.schema import Column
from vo_service.errors import QueryTimeoutError, UsageError, VOError

__all__ = ["BatchSource", "BatchStream", "CursorFactory", "QueryRows", "refused", "run_query"]

FETCH_SIZE = 20_000
TIMEOUT_MESSAGE = "the query took longer than the time limit and was stopped"
#: SQLSTATE of a statement cancelled by ``statement_timeout`` (PostgreSQL, through ADBC).
_QUERY_CANCELED = "57014"


class CursorFactory(Protocol):
    """Opens a read-only DB-API cursor that stops its query after ``timeout`` seconds."""

    def __call__(self, timeout: float) -> AbstractContextManager[Any]: ...


class BatchStream(Protocol):
    """A started columnar read: the Arrow ``schema`` of its batches, the batches, and ``close`` (always
    called, also before the end, to release the connection)."""

    schema: Any

    def __iter__(self) -> Iterator[Any]: ...

    def close(self) -> None: ...


class BatchSource(Protocol):
    """Starts ``sql`` as a columnar read, or returns None when the query must take the row path.

    ``columns`` are the declared result columns.  Raises the database driver's errors.
    """

    def __call__(self, sql: str, timeout: float, columns: Sequence[Column]) -> BatchStream | None: ...


@dataclass
class QueryRows:
    """What a writer needs: the result columns, the chunk iterator and the status it shares with it."""

    columns: tuple[Column, ...]
    chunks: Iterator[Chunk]
    status: ResultStatus

    def close(self) -> None:
        """Releases the cursor early (the client went away before the end)."""
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()


def refused(message: str) -> UsageError:
    """The error a client gets when the database refused the query, with the database's message."""
    return UsageError(f"the database could not run the query: {message}")


def _first_line(text: str, fallback: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else fallback


def _adbc_message(exc: adbc_driver_manager.Error) -> str:
    """The database's own message in an ADBC error, as psycopg or sqlite3 would give it: the text after the
    server's ``ERROR:`` (PostgreSQL), else without the driver's status and ``[SQLite]`` prefixes."""
    text = str(exc)
    _, marker, server = text.partition("ERROR:  ")
    if marker:
        return _first_line(server.split("\n\nQuery was:")[0], type(exc).__name__)
    _, marker, rest = text.partition("] ")
    return _first_line(rest if marker else text, type(exc).__name__)


def _database_error(exc: Exception) -> VOError:
    """The client's view of a database failure: a timeout, or a query the database refused."""
    if isinstance(exc, adbc_driver_manager.Error):
        if getattr(exc, "sqlstate", None) == _QUERY_CANCELED:
            return QueryTimeoutError(TIMEOUT_MESSAGE)
        return refused(_adbc_message(exc))
    if isinstance(exc, psycopg.errors.QueryCanceled) or (
        isinstance(exc, sqlite3.OperationalError) and "interrupted" in str(exc)
    ):
        return QueryTimeoutError(TIMEOUT_MESSAGE)
    return refused(_first_line(str(exc), type(exc).__name__))


_DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, psycopg.Error, adbc_driver_manager.Error)


def _rows(
    cursor_factory: CursorFactory, sql: str, *, maxrec: int, timeout: float, status: ResultStatus
) -> Iterator[Chunk]:
    """Yields row chunks; the first one (possibly empty) as soon as the query has started returning."""
    try:
        with cursor_factory(timeout) as cursor:
            with function_errors():
                cursor.execute(sql)
            remaining = maxrec
            first = True
            while True:
                with function_errors():
                    chunk: Sequence[Sequence[object]] = cursor.fetchmany(min(FETCH_SIZE, remaining + 1))
                if len(chunk) > remaining:
                    status.overflow = True
                    chunk = chunk[:remaining]
                remaining -= len(chunk)
                if chunk or first:
                    yield chunk
                first = False
                if status.overflow or not chunk:
                    return
    except GeometryError as exc:
        raise UsageError(f"invalid geometry: {exc}") from exc
    except FunctionError as exc:
        raise UsageError(str(exc)) from exc
    except _DB_ERRORS as exc:
        raise _database_error(exc) from exc


def _batches(stream: BatchStream, *, maxrec: int, deadline: float, status: ResultStatus) -> Iterator[Chunk]:
    """Yields record batches (the first one as soon as it is read, an empty one when there is none), cut
    at MAXREC; the stream is closed when the generator ends or is closed."""
    try:
        remaining = maxrec
        first = True
        for batch in stream:
            if time.monotonic() > deadline:
                raise QueryTimeoutError(TIMEOUT_MESSAGE)
            if batch.num_rows > remaining:
                status.overflow = True
                batch = batch.slice(0, remaining)
            remaining -= batch.num_rows
            first = False
            yield batch
            if status.overflow:
                return
        if first:
            yield pa.RecordBatch.from_pylist([], schema=stream.schema)
    except _DB_ERRORS as exc:
        raise _database_error(exc) from exc
    finally:
        stream.close()


def _columnar(
    batch_source: BatchSource,
    sql: str,
    columns: Sequence[Column],
    *,
    maxrec: int,
    deadline: float,
    status: ResultStatus,
) -> QueryRows | None:
    """The query on the columnar path up to its first batch, or None when it must take the row path."""
    try:
        stream = batch_source(sql, max(0.0, deadline - time.monotonic()), columns)
    except _DB_ERRORS as exc:
        raise _database_error(exc) from exc
    if stream is None:
        return None
    if not accepts(stream.schema, columns):
        stream.close()
        return None
    generator = _batches(stream, maxrec=maxrec, deadline=deadline, status=status)
    first = next(generator)
    return QueryRows(tuple(columns), _resume(first, generator), status)


def run_query(
    cursor_factory: CursorFactory,
    sql: str,
    columns: Sequence[Column],
    *,
    maxrec: int,
    timeout: float,
    batch_source: BatchSource | None = None,
) -> QueryRows:
    """Starts ``sql`` and returns its rows; blocking, so call it from a worker thread.

    ``sql`` must return at most ``maxrec + 1`` rows (the translator's LIMIT); one more than ``maxrec`` sets
    ``status.overflow``.  ``maxrec=0`` does not run the query: the answer is metadata only, flagged OVERFLOW
    as DALI asks.  With ``batch_source`` the rows come as record batches when it takes the query (see the
    module docstring); the output is the same.

    Raises:
        UsageError: the database refused the query.
        QueryTimeoutError: the query ran out of time before returning its first rows.
    """
    status = ResultStatus()
    if maxrec == 0:
        status.overflow = True
        return QueryRows(tuple(columns), iter(()), status)
    deadline = time.monotonic() + timeout
    if batch_source is not None:
        started = _columnar(batch_source, sql, columns, maxrec=maxrec, deadline=deadline, status=status)
        if started is not None:
            return started
    remaining = max(0.0, deadline - time.monotonic())
    generator = _rows(cursor_factory, sql, maxrec=maxrec, timeout=remaining, status=status)
    first = next(generator)
    return QueryRows(tuple(columns), _resume(first, generator), status)


def _resume(first: Chunk, rest: Iterator[Chunk]) -> Iterator[Chunk]:
    """The already fetched first chunk, then the rest; closing it closes the cursor's generator too."""
    yield first
    yield from rest
