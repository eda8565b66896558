"""What every result serialisation shares: the producer's status, INFO items, the format interface, and the
streaming driver that turns chunks of rows into large byte blocks.

A chunk is either a sequence of row tuples, as a DB-API cursor's ``fetchmany()`` returns them, or a
``pyarrow.RecordBatch`` (one array per column) from the columnar query path; a producer may mix them.  Every
format gives the same bytes for the same rows whichever form they arrive in (see
:mod:`tap.formats.arrow_values`); :func:`chunk_columns` and :func:`chunk_length` are the only places that
look at the form.

The driver exists so that every format reacts to a failing producer in the same, documented way:

* a :class:`~vo_service.errors.VOError` raised by the chunk iterator ends the document in-band (VOTable:
  a trailing ``QUERY_STATUS=ERROR`` INFO carrying the message) and the generator then simply ends;
* any other exception (from the producer or from encoding a value) ends the document in-band with a generic
  message, and is re-raised from the *next* ``next()`` call after the last block, so that the server's logging
  sees it.  An HTTP layer that iterates to exhaustion (Starlette's ``StreamingResponse`` does) therefore gets a
  complete, well-formed document followed by the exception; with chunked transfer encoding the server usually
  aborts the connection at that point instead of sending the terminating chunk, so a client may see a
  truncated transfer even though the XML is complete.  Handlers that prefer a clean end can iterate
  themselves, stop at the exception and log it; ``status.error`` also holds it.
* formats that cannot say "error" in-band (CSV, TSV) let every exception propagate unchanged;
* closing the generator early (client gone) closes the chunk iterator too, so a database cursor behind a
  generator is released at once.

Blocks are coalesced to at least :data:`BLOCK_SIZE` bytes (except the last) so that an HTTP server writes few,
large frames; a single chunk is never split, so a block may be much larger.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeAlias

import pyarrow as pa

from tap.formats.arrow_values import ColumnValues
from tap.formats.datatypes import ColumnSpec, column_specs
from tap.schema import Column
from vo_service.errors import VOError

__all__ = [
    "BLOCK_SIZE",
    "GENERIC_ERROR_MESSAGE",
    "Blocks",
    "Chunk",
    "Extras",
    "Info",
    "InfoItem",
    "OutputFormat",
    "ResultStatus",
    "chunk_columns",
    "chunk_length",
    "close_source",
    "drive",
    "normalise_infos",
]

#: Minimum size of the blocks handed to the HTTP layer (the last block of a document may be smaller).
BLOCK_SIZE = 64 * 1024
#: What a client reads when the failure was not a :class:`VOError` (internals are not leaked).
GENERIC_ERROR_MESSAGE = "internal error while producing the result"

#: Rows of a result: one ``fetchmany()`` result (a sequence of row tuples) or an Arrow record batch.
Chunk: TypeAlias = Sequence[Sequence[object]] | pa.RecordBatch


def chunk_length(chunk: Chunk) -> int:
    """The number of rows in a chunk."""
    if isinstance(chunk, pa.RecordBatch):
        return int(chunk.num_rows)
    return len(chunk)


def chunk_columns(chunk: Chunk, width: int) -> Iterable[ColumnValues]:
    """The columns of a non-empty chunk, in result order.

    Raises:
        ValueError: a row or the batch does not have ``width`` values.
    """
    if isinstance(chunk, pa.RecordBatch):
        if chunk.num_columns != width:
            raise ValueError(f"a record batch of {chunk.num_columns} columns for {width} result columns")
        columns: list[ColumnValues] = chunk.columns
        return columns
    return zip(*chunk, strict=True)


class Info(NamedTuple):
    """An INFO element; plain ``(name, value, content)`` tuples are accepted wherever an Info is."""

    name: str
    value: str
    content: str | None = None
    ucd: str | None = None


InfoItem = Info | tuple[str, str, str | None]


def normalise_infos(infos: Iterable[InfoItem]) -> list[Info]:
    """Turns 3-tuples into :class:`Info` so the writers handle one shape."""
    return [item if isinstance(item, Info) else Info(*item) for item in infos]


@dataclass(slots=True)
class ResultStatus:
    """Shared between the producer and the writer of one result.

    The producer sets ``overflow`` (MAXREC reached) before its chunk iterator ends.  The writer fills ``rows``
    (rows written so far) and ``error`` (the exception that ended the rows early, if any) so that the caller
    can log the outcome without parsing the output.
    """

    overflow: bool = False
    rows: int = 0
    error: BaseException | None = None


@dataclass(frozen=True, slots=True)
class Extras:
    """What a result carries besides its rows; each format keeps what it can represent."""

    infos: list[Info]
    extra_resources: Sequence[str | bytes]
    table_name: str | None
    table_description: str | None


class OutputFormat(ABC):
    """A result serialisation: ``mime`` is the Content-Type to send, ``stream`` yields the body."""

    mime: str
    #: usual file name extension (with the dot), for Content-Disposition.
    extension: str

    def stream(
        self,
        columns: Sequence[Column],
        chunks: Iterable[Chunk],
        *,
        status: ResultStatus,
        infos: Sequence[InfoItem] = (),
        extra_resources: Sequence[str | bytes] = (),
        table_name: str | None = None,
        table_description: str | None = None,
    ) -> Iterator[bytes]:
        """Yields the serialised result in blocks of at least :data:`BLOCK_SIZE` bytes.

        Nothing is read from ``chunks`` before the first ``next()``.  Exceptions: see the module docstring
        (in-band for VOTable, propagated for the others).  Raises ValueError at once, before any output, if
        a column's datatype/arraysize combination cannot be serialised or there are no columns.
        """
        extras = Extras(normalise_infos(infos), extra_resources, table_name, table_description)
        return self._stream(column_specs(columns), chunks, status, extras)

    @abstractmethod
    def _stream(
        self, specs: list[ColumnSpec], chunks: Iterable[Chunk], status: ResultStatus, extras: Extras
    ) -> Iterator[bytes]:
        """The format's body for columns already checked by :func:`~tap.formats.datatypes.column_specs`."""


class Blocks:
    """Collects encoded pieces until they are worth a write."""

    __slots__ = ("_parts", "_size")

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._size = 0

    def add(self, data: bytes) -> None:
        if data:
            self._parts.append(data)
            self._size += len(data)

    @property
    def full(self) -> bool:
        return self._size >= BLOCK_SIZE

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        self._size = 0
        return data


def drive(
    chunks: Iterable[Chunk],
    *,
    status: ResultStatus,
    head: Callable[[], bytes],
    encode: Callable[[Chunk], bytes],
    finish: Callable[[str | None], bytes],
    in_band_errors: bool,
) -> Iterator[bytes]:
    """Runs one document: ``head()``, ``encode(chunk)`` per non-empty chunk, then ``finish(error_message)``.

    ``finish`` receives None on success.  With ``in_band_errors`` false every exception propagates after
    the rows already encoded have been yielded.  See the module docstring for the error protocol.
    """
    blocks = Blocks()
    source = iter(chunks)
    pending: Exception | None = None
    message: str | None = None
    try:
        blocks.add(head())
        try:
            for chunk in source:
                rows = chunk_length(chunk)
                if not rows:
                    continue
                blocks.add(encode(chunk))
                status.rows += rows
                if blocks.full:
                    yield blocks.take()
        except Exception as exc:
            status.error = exc
            if not in_band_errors:
                pending = exc
            elif isinstance(exc, VOError):
                message = exc.message or GENERIC_ERROR_MESSAGE
            else:
                message = GENERIC_ERROR_MESSAGE
                pending = exc
        if in_band_errors or pending is None:
            blocks.add(finish(message))
        last = blocks.take()
        if last:
            yield last
    finally:
        close_source(source)
    if pending is not None:
        raise pending


def close_source(source: Iterator[Chunk]) -> None:
    """Releases a generator-based producer (and the cursor it holds) when the document ends early."""
    close = getattr(source, "close", None)
    if callable(close):
        close()
