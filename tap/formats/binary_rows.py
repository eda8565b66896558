"""VOTable BINARY2 and BINARY streams, built from numpy chunks.

Why not astropy's writer: it converts every cell through Python ``struct`` calls and needs the whole table in
memory; here a chunk of rows is packed by a few whole-array operations:

* fixed-size cells of consecutive columns are laid side by side as one ``(rows, width)`` byte matrix;
* a variable-size cell (strings, polygons) is its 4-byte big-endian count, which closes the preceding
  matrix, followed by a run of bytes whose length differs per row.  Rows are then assembled by a single
  gather: the destination of every byte is computed with ``np.repeat`` over the per-row run lengths, and one
  ``take`` copies all runs into place;
* BINARY2 null flags are ``np.packbits`` of the chunk's NULL matrix (most significant bit = first column).

The packed bytes are base64-encoded in lines of 76 characters (57 bytes, as MIME writes them); what does not
fill a line is carried to the next chunk, so the text is exactly the encoding of the whole table and does not
depend on how the rows were chunked (row chunks or record batches of any size give the same document).
"""

from __future__ import annotations

import binascii
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from tap.formats.base import Chunk, chunk_columns, chunk_length
from tap.formats.binary_columns import Encoded, binary_encoder, fill_int_nulls
from tap.formats.datatypes import ColumnSpec, int_null

__all__ = ["BASE64_LINE_BYTES", "Base64Stream", "StreamEncoder", "null_flags", "pack_rows", "side_by_side"]

Bytes2D = npt.NDArray[np.uint8]


def side_by_side(rows: int, parts: Sequence[Bytes2D]) -> Bytes2D:
    """Byte matrices of the same height as one contiguous ``(rows, total width)`` matrix."""
    if len(parts) == 1:
        return np.ascontiguousarray(parts[0])
    if not parts:
        return np.empty((rows, 0), dtype=np.uint8)
    return np.concatenate(parts, axis=1)


def null_flags(rows: int, cells: Sequence[Encoded]) -> Bytes2D:
    """The BINARY2 null-flag bytes of each row: ceil(columns/8) bytes, MSB of the first byte = column 1."""
    width = (len(cells) + 7) // 8
    if all(c.nulls is None for c in cells):
        return np.zeros((rows, width), dtype=np.uint8)
    matrix = np.zeros((rows, width * 8), dtype=np.bool_)
    for j, cell in enumerate(cells):
        if cell.nulls is not None:
            matrix[:, j] = cell.nulls
    return np.packbits(matrix, axis=1)


def _exclusive_cumsum(lengths: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    starts = np.empty_like(lengths)
    if lengths.size:
        starts[0] = 0
        np.cumsum(lengths[:-1], out=starts[1:])
    return starts


def _gather(
    rows: int, segments: Sequence[Bytes2D | tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]]
) -> bytes:
    """Interleaves fixed byte matrices and variable byte runs row by row (see the module docstring)."""
    lengths = np.empty((rows, len(segments)), dtype=np.int64)
    sources = np.empty((rows, len(segments)), dtype=np.int64)
    flat_parts: list[npt.NDArray[np.uint8]] = []
    base = 0
    for k, segment in enumerate(segments):
        if isinstance(segment, tuple):
            data, run_lengths = segment
            lengths[:, k] = run_lengths
            sources[:, k] = base + _exclusive_cumsum(run_lengths)
        else:
            data = segment.reshape(-1)
            width = segment.shape[1]
            lengths[:, k] = width
            sources[:, k] = base + np.arange(rows, dtype=np.int64) * width
        flat_parts.append(data)
        base += data.size
    source = np.concatenate(flat_parts)
    run_lengths = lengths.reshape(-1)
    destinations = _exclusive_cumsum(run_lengths)
    index_type = np.int32 if base < 2**31 else np.int64
    index = np.repeat((sources.reshape(-1) - destinations).astype(index_type), run_lengths)
    index += np.arange(base, dtype=index_type)
    return source.take(index).tobytes()


def pack_rows(rows: int, cells: Sequence[Encoded], leading: Bytes2D | None = None) -> bytes:
    """The rows of a chunk in VOTable binary layout, ``leading`` bytes (null flags) first in each row."""
    segments: list[Bytes2D | tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]] = []
    block: list[Bytes2D] = [] if leading is None else [leading]
    for cell in cells:
        if cell.counts is None:
            block.append(cell.cell_bytes(rows))
            continue
        block.append(cell.counts.astype(">u4").view(np.uint8).reshape(rows, 4))
        segments.append(side_by_side(rows, block))
        block = []
        data = np.ascontiguousarray(cell.values).reshape(-1).view(np.uint8)
        segments.append((data, cell.counts * cell.values.dtype.itemsize))
    if block:
        segments.append(side_by_side(rows, block))
    if len(segments) == 1 and not isinstance(segments[0], tuple):
        return segments[0].tobytes()
    return _gather(rows, segments)


#: Bytes encoded per base64 line: 76 characters, as ``base64.encodebytes`` (MIME) writes them.
BASE64_LINE_BYTES = 57
_LINE_CHARACTERS = 4 * BASE64_LINE_BYTES // 3


class Base64Stream:
    """Base64 of a byte stream that arrives in pieces of any length, in the lines ``base64.encodebytes`` would
    write for the whole stream."""

    __slots__ = ("_rest",)

    def __init__(self) -> None:
        self._rest = b""

    def encode(self, data: bytes) -> bytes:
        """The complete lines of what was received so far (one C call, then a newline added per line)."""
        if self._rest:
            data = self._rest + data
        cut = len(data) - len(data) % BASE64_LINE_BYTES
        self._rest = data[cut:]
        if not cut:
            return b""
        encoded = np.frombuffer(binascii.b2a_base64(memoryview(data)[:cut], newline=False), np.uint8)
        lines = np.empty((cut // BASE64_LINE_BYTES, _LINE_CHARACTERS + 1), np.uint8)
        lines[:, :-1] = encoded.reshape(-1, _LINE_CHARACTERS)
        lines[:, -1] = ord("\n")
        return lines.tobytes()

    def flush(self) -> bytes:
        """The last, padded group."""
        rest, self._rest = self._rest, b""
        return binascii.b2a_base64(rest) if rest else b""


class StreamEncoder:
    """The ``<BINARY2>`` (``null_flags=True``) or ``<BINARY>`` element of one document.

    BINARY cannot flag NULLs: integers get the sentinel declared in ``<VALUES null=...>``, floats are NaN,
    booleans ``?``, strings and variable arrays empty.
    """

    def __init__(self, specs: Sequence[ColumnSpec], *, null_flags: bool) -> None:
        element = "BINARY2" if null_flags else "BINARY"
        self.opening = f'<{element}>\n<STREAM encoding="base64">\n'
        self.closing = f"</STREAM>\n</{element}>"
        self._flags = null_flags
        self._encoders = [binary_encoder(s, boolean_null=ord("?")) for s in specs]
        self._specs = specs
        self._base64 = Base64Stream()

    def field_extra(self, spec: ColumnSpec) -> str:
        sentinel = None if self._flags else int_null(spec)
        return "" if sentinel is None else f'<VALUES null="{sentinel}"/>'

    def encode(self, chunk: Chunk) -> bytes:
        rows = chunk_length(chunk)
        columns = chunk_columns(chunk, len(self._encoders))
        cells = [encode(col) for encode, col in zip(self._encoders, columns, strict=True)]
        if self._flags:
            leading = null_flags(rows, cells)
        else:
            leading = None
            for cell, spec in zip(cells, self._specs, strict=True):
                fill_int_nulls(cell, spec)
        return self._base64.encode(pack_rows(rows, cells, leading))

    def flush(self) -> bytes:
        return self._base64.flush()
