"""The reader process of SQLite's columnar path: runs queries with the ADBC SQLite driver and sends the
results back as Arrow IPC messages.  Started by :mod:`vo_service.db.sqlite_reader` as
``python -m vo_service.adbc.sqlite_worker DATABASE``; it ends when its standard input closes.

Why a process of its own: the driver carries its own copy of SQLite, and two copies of SQLite in one process
corrupt databases.  SQLite's file locks are POSIX locks, which a process loses on *any* descriptor of the
file it closes; each copy keeps its own table of open files, so when one copy closes a connection, the
locks the other copy holds (a writer's lock, a reader's WAL read mark) are silently gone.  Here the driver's
copy is alone.  A process can also be killed, which is how a query that runs out of time is stopped (the
driver cannot cancel a statement).

Protocol.  A request is one line of JSON on standard input: ``sql``, ``batch_rows``, ``integer`` (per result
column, whether it is declared integer: see :func:`first_batches`) and ``plan`` (the row path's ``EXPLAIN
QUERY PLAN`` details).  The answer on standard output is a sequence of frames, each a kind byte, an 8-byte
big-endian length and a payload: ``F`` (take the row path; the reason as text), or ``S`` (the Arrow schema),
``B`` per record batch, then ``Z`` (the end) or ``E`` (a failure after the first batch; the driver's
message).
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Sequence
from typing import IO, Any
from urllib.parse import quote

import adbc_driver_manager
import pyarrow as pa

from vo_service.adbc.query import start_query

__all__ = ["FRAME_HEADER", "first_batches", "read_frame", "serve", "write_frame"]

#: Bytes before each frame's payload: its kind and its length.
FRAME_HEADER = 9
_PRAGMAS = (
    "PRAGMA query_only=ON",
    "PRAGMA case_sensitive_like=ON",
    "PRAGMA cache_size=-65536",
    "PRAGMA mmap_size=1073741824",
)


def write_frame(out: IO[bytes], kind: bytes, payload: bytes | memoryview = b"") -> None:
    """Writes one frame (``payload`` may be any buffer)."""
    out.write(kind + len(payload).to_bytes(8, "big"))
    out.write(payload)


def read_frame(source: IO[bytes]) -> tuple[bytes, bytes] | None:
    """The next frame as (kind, payload), or None at the end of the stream (the process has gone)."""
    header = _read_exactly(source, FRAME_HEADER)
    if header is None:
        return None
    payload = _read_exactly(source, int.from_bytes(header[1:], "big"))
    return None if payload is None else (header[:1], payload)


def _read_exactly(source: IO[bytes], size: int) -> bytes | None:
    parts: list[bytes] = []
    left = size
    while left:
        part = source.read(left)
        if not part:
            return None
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def first_batches(reader: Any, integer: Sequence[bool]) -> list[pa.RecordBatch] | None:
    """The first batch (and the second, when needed to decide), or None when later batches could hold values
    of another type than the driver inferred.

    The driver infers each column's type from the first batch and fails on a later value of another type; a
    column entirely NULL in the first batch is inferred as an integer, so when it is not declared integer
    and more batches follow, the query is left to the row path.
    """
    try:
        first = reader.read_next_batch()
    except StopIteration:
        return []
    guessed = [
        i
        for i, column in enumerate(first.columns)
        if first.num_rows and column.null_count == first.num_rows and not (i < len(integer) and integer[i])
    ]
    if not guessed:
        return [first]
    try:
        reader.read_next_batch()
    except StopIteration:
        return [first]
    return None


def _connect(path: str) -> Any:
    # imported here: the service process imports this module for the framing and must not load the driver
    import adbc_driver_sqlite.dbapi

    conn = adbc_driver_sqlite.dbapi.connect(f"file:{quote(path)}?mode=ro", autocommit=True)
    cursor = conn.cursor()
    for pragma in _PRAGMAS:
        cursor.execute(pragma)
        cursor.fetchall()
    cursor.close()
    return conn


def _plan(conn: Any, sql: str) -> list[str]:
    cursor = conn.cursor()
    try:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return [str(row[3]) for row in cursor.fetchall()]
    finally:
        cursor.close()


def _answer(conn: Any, request: dict[str, Any], out: IO[bytes]) -> None:
    """Runs one request and writes its frames."""
    sql = request["sql"]
    started = False
    cursor = reader = None
    try:
        if _plan(conn, sql) != request["plan"]:
            write_frame(out, b"F", b"another plan than the row path's")
            return
        cursor, reader = start_query(conn, sql, {"adbc.sqlite.query.batch_rows": str(request["batch_rows"])})
        pending = first_batches(reader, request["integer"])
        if pending is None:
            write_frame(out, b"F", b"a column the driver may have typed from NULLs only")
            return
        write_frame(out, b"S", reader.schema.serialize())
        started = True
        for batch in itertools.chain(pending, reader):
            write_frame(out, b"B", batch.serialize())
        write_frame(out, b"Z")
    except (adbc_driver_manager.Error, pa.ArrowException) as exc:
        write_frame(out, b"E" if started else b"F", str(exc).encode("utf-8", "replace"))
    finally:
        if reader is not None:
            reader.close()
        if cursor is not None:
            cursor.close()
        out.flush()


def serve(path: str, requests: IO[bytes], out: IO[bytes]) -> None:
    """Answers requests until ``requests`` ends."""
    conn = _connect(path)
    try:
        for line in requests:
            _answer(conn, json.loads(line), out)
    finally:
        conn.close()


if __name__ == "__main__":
    serve(sys.argv[1], sys.stdin.buffer, sys.stdout.buffer)
