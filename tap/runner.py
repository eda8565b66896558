"""Runs a translated query and hands its rows on in chunks, enforcing MAXREC and the timeout.

The query is executed and its first chunk fetched before anything is sent, so the errors a client can cause
(type mismatches, a timeout during planning, an empty cone) still get a proper HTTP status; what goes wrong
later can only be reported in-band, which the output formats do.  The database cursor lives inside the chunk
generator and is released when the generator ends or is closed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

import psycopg

from tap.adql.sphere import GeometryError
from tap.adql.sqlite_errors import FunctionError, function_errors
from tap.formats.base import Chunk, ResultStatus
from tap.schema import Column
from vo_service.errors import QueryTimeoutError, UsageError, VOError

__all__ = ["CursorFactory", "QueryRows", "run_query"]

FETCH_SIZE = 20_000


class CursorFactory(Protocol):
    """Opens a read-only DB-API cursor that stops its query after ``timeout`` seconds."""

    def __call__(self, timeout: float) -> AbstractContextManager[Any]: ...


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


def _database_error(exc: Exception) -> VOError:
    """The client's view of a database failure: a timeout, or a query the database refused."""
    if isinstance(exc, psycopg.errors.QueryCanceled) or (
        isinstance(exc, sqlite3.OperationalError) and "interrupted" in str(exc)
    ):
        return QueryTimeoutError("the query took longer than the time limit and was stopped")
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return UsageError(f"the database could not run the query: {message}")


_DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, psycopg.Error)


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


def run_query(
    cursor_factory: CursorFactory,
    sql: str,
    columns: Sequence[Column],
    *,
    maxrec: int,
    timeout: float,
) -> QueryRows:
    """Starts ``sql`` and returns its rows; blocking, so call it from a worker thread.

    ``sql`` must return at most ``maxrec + 1`` rows (the translator's LIMIT); one more than ``maxrec`` sets
    ``status.overflow``.  ``maxrec=0`` does not run the query: the answer is metadata only, flagged OVERFLOW
    as DALI asks.

    Raises:
        UsageError: the database refused the query.
        QueryTimeoutError: the query ran out of time before returning its first rows.
    """
    status = ResultStatus()
    if maxrec == 0:
        status.overflow = True
        return QueryRows(tuple(columns), iter(()), status)
    generator = _rows(cursor_factory, sql, maxrec=maxrec, timeout=timeout, status=status)
    first = next(generator)
    return QueryRows(tuple(columns), _resume(first, generator), status)


def _resume(first: Chunk, rest: Iterator[Chunk]) -> Iterator[Chunk]:
    """The already fetched first chunk, then the rest; closing it closes the cursor's generator too."""
    yield first
    yield from rest
