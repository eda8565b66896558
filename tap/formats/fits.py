"""FITS binary table (BINTABLE) results, written by streaming.

astropy.io.fits writes a table it holds in memory; a result is an unbounded stream, and the BINTABLE header
needs the row count, the string widths and the heap size before the first row.  So the writer spools:

1. each chunk is encoded once (the binary column encoders, ASCII strings) and appended to a temporary file
   with ``np.save``; variable-length numeric arrays (polygons) go directly to a heap file of their column
   (the heap is written column after column, so the file does not depend on how the rows were chunked);
   meanwhile the row count, the longest string of each variable-length string column, the longest array and
   whether a column had NULLs are tracked;
2. then the primary HDU and the header are emitted (astropy builds the cards: escaping, CONTINUE for long
   names, 2880-byte padding), the spooled chunks are read back one by one and laid out as fixed-width rows
   (strings padded to their column's widest value, array descriptors pointing into the heap), followed by
   the heap and the padding.

Memory stays one chunk; disk holds the result once.  NULLs: integers use ``TNULLn`` (the type's extreme value,
declared only for columns that had NULLs), floats NaN, booleans the FITS null byte 0, strings are empty.
Unicode strings are written as ASCII with ``?`` (FITS strings are ASCII).  Nothing is yielded before all rows
are spooled, so every exception (VOError or not) propagates from the first ``next()``, before any byte was
sent: a handler that pulls the first block before starting the response can still answer with an error
document.  FITS cannot say "overflow"; ``status.overflow`` is not represented.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from typing import IO

import numpy as np
import numpy.typing as npt
from astropy.io import fits

from tap.formats.base import (
    Blocks,
    Chunk,
    Extras,
    OutputFormat,
    ResultStatus,
    chunk_columns,
    chunk_length,
    close_source,
)
from tap.formats.binary_columns import Encoded, binary_encoder, fill_int_nulls
from tap.formats.binary_rows import side_by_side
from tap.formats.datatypes import ColumnSpec, int_null

__all__ = ["FitsFormat"]

_RECORD = 2880
_TFORM_CODES = {"u1": "B", "i2": "I", "i4": "J", "i8": "K", "f4": "E", "f8": "D"}
_NOT_PRINTABLE = re.compile(r"[^\x20-\x7e]")


def _card_text(text: str) -> str:
    """FITS header strings are printable ASCII."""
    return _NOT_PRINTABLE.sub("?", text)


def _save(spool: IO[bytes], array: np.ndarray | None) -> None:
    np.save(spool, np.empty(0, np.bool_) if array is None else array, allow_pickle=False)


def _load(spool: IO[bytes]) -> np.ndarray:
    array: np.ndarray = np.load(spool, allow_pickle=False)
    return array


@dataclass
class _Plan:
    """What pass 1 learns about the columns, and the header and row layout it leads to."""

    specs: list[ColumnSpec]
    rows: int = 0
    widest: list[int] = field(default_factory=list)
    had_nulls: list[bool] = field(default_factory=list)
    #: bytes in the heap of each column (0 for columns without one)
    heap_sizes: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.widest = [s.count or 0 for s in self.specs]
        self.had_nulls = [False] * len(self.specs)
        self.heap_sizes = [0] * len(self.specs)

    @property
    def heap_size(self) -> int:
        return sum(self.heap_sizes)

    def is_heap(self, j: int) -> bool:
        return self.specs[j].family == "array" and self.specs[j].is_variable

    def observe(self, cells: Sequence[Encoded], heaps: Sequence[IO[bytes] | None]) -> None:
        for j, cell in enumerate(cells):
            self.had_nulls[j] |= cell.nulls is not None and bool(cell.nulls.any())
            if cell.counts is not None:
                self.widest[j] = max(self.widest[j], int(cell.counts.max(initial=0)))
            heap = heaps[j]
            if heap is not None:
                heap.write(np.ascontiguousarray(cell.values).tobytes())
                self.heap_sizes[j] += cell.values.nbytes
                cell.values = np.empty(0, np.bool_)

    @property
    def descriptor(self) -> tuple[str, np.dtype[np.generic]]:
        return ("P", np.dtype(">i4")) if self.heap_size < 2**31 else ("Q", np.dtype(">i8"))

    def field(self, j: int) -> tuple[str, int]:
        """(TFORM, bytes in a row) of column ``j``."""
        spec = self.specs[j]
        if spec.family in {"boolean", "bit"}:
            return "L", 1
        if spec.family == "text":
            width = max(self.widest[j], 1)
            return f"{width}A", width
        assert spec.dtype is not None
        code = _TFORM_CODES[spec.dtype.str[1:]]
        if self.is_heap(j):
            kind, descriptor = self.descriptor
            return f"{kind}{code}({self.widest[j]})", 2 * descriptor.itemsize
        count = spec.count or 1
        return (f"{count}{code}" if spec.family == "array" else code), count * spec.dtype.itemsize

    def row_width(self) -> int:
        return sum(self.field(j)[1] for j in range(len(self.specs)))

    def header(self, table_name: str | None) -> bytes:
        cards: list[tuple[str, object]] = [
            ("XTENSION", "BINTABLE"),
            ("BITPIX", 8),
            ("NAXIS", 2),
            ("NAXIS1", self.row_width()),
            ("NAXIS2", self.rows),
            ("PCOUNT", self.heap_size),
            ("GCOUNT", 1),
            ("TFIELDS", len(self.specs)),
        ]
        for j, spec in enumerate(self.specs, start=1):
            column = spec.column
            cards += [(f"TTYPE{j}", _card_text(column.name)), (f"TFORM{j}", self.field(j - 1)[0])]
            if column.unit:
                cards.append((f"TUNIT{j}", _card_text(column.unit)))
            sentinel = int_null(spec)
            if sentinel is not None and self.had_nulls[j - 1]:
                cards.append((f"TNULL{j}", sentinel))
            arraysize = column.arraysize or ""
            if spec.family == "array" and not spec.is_variable and "x" in arraysize:
                cards.append((f"TDIM{j}", "(" + arraysize.replace("x", ",") + ")"))
        if table_name:
            cards.append(("EXTNAME", _card_text(table_name)))
        text: str = fits.Header(cards).tostring()
        return text.encode("ascii")


_PRIMARY = fits.Header([("SIMPLE", True), ("BITPIX", 8), ("NAXIS", 0), ("EXTEND", True)]).tostring().encode()


def _padded_strings(cell: Encoded, rows: int, width: int) -> npt.NDArray[np.uint8]:
    out = np.zeros((rows, width), dtype=np.uint8)
    assert cell.counts is not None
    out[np.arange(width) < cell.counts[:, None]] = cell.values.view(np.uint8)
    return out


class _Layout:
    """Pass 2: spooled chunks -> fixed-width FITS rows."""

    def __init__(self, plan: _Plan) -> None:
        self._plan = plan
        #: where the next array of each column starts in the heap (the columns' heaps one after the other)
        self._heap_offsets = [sum(plan.heap_sizes[:j]) for j in range(len(plan.specs))]

    def rows(self, cells: Sequence[Encoded], rows: int) -> bytes:
        plan = self._plan
        parts: list[npt.NDArray[np.uint8]] = []
        for j, (spec, cell) in enumerate(zip(plan.specs, cells, strict=True)):
            if plan.is_heap(j):
                parts.append(self._descriptors(j, spec, cell, rows))
            elif cell.counts is not None:
                parts.append(_padded_strings(cell, rows, max(plan.widest[j], 1)))
            else:
                fill_int_nulls(cell, spec)
                parts.append(cell.cell_bytes(rows))
        return side_by_side(rows, parts).tobytes()

    def _descriptors(self, j: int, spec: ColumnSpec, cell: Encoded, rows: int) -> npt.NDArray[np.uint8]:
        assert cell.counts is not None and spec.dtype is not None
        sizes = cell.counts * spec.dtype.itemsize
        ends = np.cumsum(sizes)
        offsets = self._heap_offsets[j] + ends - sizes
        self._heap_offsets[j] += int(ends[-1]) if rows else 0
        descriptors = np.stack([cell.counts, offsets], axis=1).astype(self._plan.descriptor[1])
        return descriptors.view(np.uint8).reshape(rows, -1)


def _spool_chunk(spool: IO[bytes], rows: int, cells: Sequence[Encoded]) -> None:
    _save(spool, np.array([rows], dtype=np.int64))
    for cell in cells:
        _save(spool, cell.values)
        _save(spool, cell.counts)
        _save(spool, cell.nulls)


def _read_chunk(spool: IO[bytes], columns: int) -> tuple[int, list[Encoded]]:
    rows = int(_load(spool)[0])
    cells = []
    for _ in range(columns):
        values, counts, nulls = _load(spool), _load(spool), _load(spool)
        cells.append(
            Encoded(
                values,
                nulls if nulls.size else None,
                counts if counts.dtype == np.int64 else None,
            )
        )
    return rows, cells


def _fits_spec(spec: ColumnSpec) -> ColumnSpec:
    """FITS has a logical type but no bit scalar: bits are written as logicals."""
    return replace(spec, family="boolean") if spec.family == "bit" else spec


@dataclass(frozen=True, slots=True)
class FitsFormat(OutputFormat):
    """``application/fits``: a primary HDU without data and one BINTABLE."""

    mime: str = "application/fits"
    extension: str = ".fits"

    def _stream(
        self, specs: list[ColumnSpec], chunks: Iterable[Chunk], status: ResultStatus, extras: Extras
    ) -> Iterator[bytes]:
        """See the module docstring; the table name becomes EXTNAME, the other extras are not represented."""
        return _spooled([_fits_spec(s) for s in specs], chunks, status, extras.table_name)


def _spooled(
    specs: list[ColumnSpec], chunks: Iterable[Chunk], status: ResultStatus, table_name: str | None
) -> Iterator[bytes]:
    encoders = [binary_encoder(s, boolean_null=0, ascii_only=True) for s in specs]
    plan = _Plan(specs)
    with tempfile.TemporaryFile() as spool, ExitStack() as files:
        heaps = [
            files.enter_context(tempfile.TemporaryFile()) if plan.is_heap(j) else None
            for j in range(len(specs))
        ]
        source = iter(chunks)
        try:
            for chunk in source:
                rows = chunk_length(chunk)
                if not rows:
                    continue
                columns = chunk_columns(chunk, len(encoders))
                cells = [enc(col) for enc, col in zip(encoders, columns, strict=True)]
                plan.observe(cells, heaps)
                _spool_chunk(spool, rows, cells)
                plan.rows += rows
                status.rows = plan.rows
        except Exception as exc:
            status.error = exc
            raise
        finally:
            close_source(source)
        blocks = Blocks()
        blocks.add(_PRIMARY + plan.header(table_name))
        layout = _Layout(plan)
        end = spool.seek(0, 2)
        spool.seek(0)
        while spool.tell() < end:
            rows, cells = _read_chunk(spool, len(specs))
            blocks.add(layout.rows(cells, rows))
            if blocks.full:
                yield blocks.take()
        for heap in heaps:
            if heap is None:
                continue
            heap.seek(0)
            while block := heap.read(1 << 20):
                blocks.add(block)
                if blocks.full:
                    yield blocks.take()
        data_size = plan.rows * plan.row_width() + plan.heap_size
        blocks.add(b"\0" * (-data_size % _RECORD))
        yield blocks.take()
