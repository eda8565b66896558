"""Column encoders for the binary serialisations (VOTable BINARY/BINARY2 and FITS): one chunk of one column
becomes a numpy array in network byte order plus a NULL mask, never a Python object per cell.

Strings: ``char`` is ASCII in VOTable 1.4 and FITS, so characters outside ASCII are written as ``?`` (the
text formats keep them; declare such columns ``unicodeChar``).  ``unicodeChar`` is UTF-16BE, counted in
16-bit units.  Both are encoded as one joined string per chunk; per-string lengths come from ``len`` because
the ``replace`` error handler keeps one output unit per character.

A column may also be an Arrow array (see :mod:`tap.formats.arrow_values`): numbers, booleans and ASCII
strings are then taken from its buffers with whole-array operations; anything else goes through the row code
with the values a DB-API cursor would have returned, so the bytes are the same either way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tap.formats.arrow_values import (
    ColumnValues,
    arrow_flags,
    arrow_numbers,
    ascii_runs,
    is_arrow,
    python_values,
)
from tap.formats.datatypes import ColumnSpec, Family, int_null
from tap.formats.values import BoolArray, as_numbers, as_texts, split_arrays

__all__ = ["BinaryEncoder", "Encoded", "binary_encoder", "fill_int_nulls"]


@dataclass(slots=True)
class Encoded:
    """One column of one chunk.

    Fixed-size cells: ``values`` has one row per cell (any trailing shape), big-endian, C-contiguous.
    Variable-size cells: ``values`` is the flat array of all items and ``counts`` the items per cell.
    ``nulls`` is None when the chunk has no NULL in this column.
    """

    values: np.ndarray
    nulls: BoolArray | None
    counts: npt.NDArray[np.int64] | None = None

    def cell_bytes(self, rows: int) -> npt.NDArray[np.uint8]:
        """Fixed-size cells as a ``(rows, width)`` byte matrix."""
        return np.ascontiguousarray(self.values).view(np.uint8).reshape(rows, -1)


BinaryEncoder = Callable[[ColumnValues], Encoded]


def _byte_codes(true: int, false: int, null: int) -> BinaryEncoder:
    codes: dict[object, int] = {True: true, False: false, None: null}

    def run(values: ColumnValues) -> Encoded:
        if is_arrow(values):
            flags = arrow_flags(values)
            if flags is not None:
                truth, nulls = flags
                data = np.where(truth, np.uint8(true), np.uint8(false)).astype(np.uint8)
                if nulls is not None:
                    data[nulls] = null
                return Encoded(data, nulls)
            values = python_values(values)
        data = np.frombuffer(bytes(map(codes.__getitem__, values)), dtype=np.uint8)
        nulls = np.fromiter((v is None for v in values), np.bool_, len(values)) if None in values else None
        return Encoded(data, nulls)

    return run


def _booleans(spec: ColumnSpec, null_byte: int, ascii_only: bool) -> BinaryEncoder:
    return _byte_codes(ord("T"), ord("F"), null_byte)


def _bits(spec: ColumnSpec, null_byte: int, ascii_only: bool) -> BinaryEncoder:
    # A scalar bit is a one-bit array: the value sits in the most significant bit of one byte.
    return _byte_codes(0x80, 0, 0)


def _numbers(spec: ColumnSpec, null_byte: int, ascii_only: bool) -> BinaryEncoder:
    dtype, wire = spec.dtype, spec.big_endian
    assert dtype is not None

    def run(values: ColumnValues) -> Encoded:
        converted = arrow_numbers(values, dtype) if is_arrow(values) else None
        if converted is None:
            converted = as_numbers(python_values(values) if is_arrow(values) else values, dtype)
        array, nulls = converted
        return Encoded(array.astype(wire), nulls)

    return run


def _arrays(spec: ColumnSpec, null_byte: int, ascii_only: bool) -> BinaryEncoder:
    wire = spec.big_endian

    def run(values: ColumnValues) -> Encoded:
        items, counts, nulls = split_arrays(python_values(values) if is_arrow(values) else values, spec)
        return Encoded(items.astype(wire), nulls, None if spec.count is not None else counts)

    return run


def _cut(encoded: bytes, width: int, utf16: bool) -> bytes:
    """At most ``width`` bytes, never ending inside a UTF-16 surrogate pair."""
    cut = encoded[:width]
    if utf16 and len(cut) >= 2 and 0xD8 <= cut[-2] <= 0xDB:
        cut = cut[:-2]
    return cut


def _ascii_cells(spec: ColumnSpec, utf16: bool, values: ColumnValues) -> Encoded | None:
    """An Arrow string column of ASCII text encoded from its buffers (None: not such a column, or a cell
    longer than the declared size, which the row code cuts).  UTF-16BE of ASCII is each byte zero-extended."""
    runs = ascii_runs(values) if is_arrow(values) else None
    limit = spec.count if spec.count is not None else spec.bound
    if runs is None or (limit is not None and int(runs.lengths.max(initial=0)) > limit):
        return None
    data = runs.data.astype(">u2") if utf16 else runs.data
    if spec.count is None:
        return Encoded(data, runs.nulls, runs.lengths)
    matrix = np.zeros((len(runs.lengths), spec.count), dtype=data.dtype)
    matrix[np.arange(spec.count) < runs.lengths[:, None]] = data
    width = spec.count * data.dtype.itemsize
    return Encoded(matrix.view(np.uint8).view(f"S{width}").reshape(-1), runs.nulls)


def _texts(spec: ColumnSpec, null_byte: int, ascii_only: bool) -> BinaryEncoder:
    utf16 = spec.unicode and not ascii_only
    codec, unit = ("utf-16-be", 2) if utf16 else ("ascii", 1)

    def run(values: ColumnValues) -> Encoded:
        if is_arrow(values):
            fast = _ascii_cells(spec, utf16, values)
            if fast is not None:
                return fast
            values = python_values(values)
        texts, nulls = as_texts(values, spec)
        joined = "".join(texts)
        astral = utf16 and bool(joined) and max(joined) > "\uffff"  # two UTF-16 units per character
        if spec.count is not None:
            width = spec.count * unit
            if utf16 or not joined.isascii():
                cells = [_cut(t.encode(codec, "replace"), width, utf16) for t in texts]
                return Encoded(np.array(cells, dtype=f"S{width}"), nulls)
            return Encoded(np.array(texts, dtype=f"S{width}"), nulls)
        if not astral:
            counts = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
            data = np.frombuffer(joined.encode(codec, "replace"), dtype=">u2" if utf16 else np.uint8)
            return Encoded(data, nulls, counts)
        limit = 2 * spec.bound if spec.bound is not None else None
        cells = [
            _cut(t.encode(codec, "replace"), limit, utf16) if limit else t.encode(codec, "replace")
            for t in texts
        ]
        counts = np.fromiter((len(c) // 2 for c in cells), dtype=np.int64, count=len(cells))
        return Encoded(np.frombuffer(b"".join(cells), dtype=">u2"), nulls, counts)

    return run


_ENCODERS: dict[Family, Callable[[ColumnSpec, int, bool], BinaryEncoder]] = {
    "boolean": _booleans,
    "bit": _bits,
    "integer": _numbers,
    "real": _numbers,
    "array": _arrays,
    "text": _texts,
}


def binary_encoder(spec: ColumnSpec, *, boolean_null: int, ascii_only: bool = False) -> BinaryEncoder:
    """The encoder of one column.  ``boolean_null`` is the byte of a NULL boolean (VOTable ``?``, FITS 0);
    ``ascii_only`` writes ``unicodeChar`` as ASCII too (FITS has no Unicode strings)."""
    return _ENCODERS[spec.family](spec, boolean_null, ascii_only)


def fill_int_nulls(cell: Encoded, spec: ColumnSpec) -> None:
    """Writes the sentinel into the NULL cells of a fixed-size integer column, for formats without null
    flags (VOTable BINARY with ``VALUES null``, FITS with ``TNULLn``).  Variable-size NULLs are empty."""
    sentinel = int_null(spec)
    if sentinel is not None and cell.nulls is not None and cell.counts is None:
        cell.values[cell.nulls] = sentinel
