"""Arrow columns (one ``pyarrow.Array`` of a ``RecordBatch`` from the columnar query path) as the numpy arrays,
NULL masks and Python values the writers use for DB-API rows.

Why Arrow at all: it is the standard columnar interchange of the field (the ADBC drivers deliver query results
as Arrow record batches), so a result reaches the encoders as whole arrays, without a Python object per row.
Why this module: a document must not depend on the path its rows took, so every conversion here reproduces
the values the row path gets from the DB-API cursor for the same data:

* scalar numbers of a matching kind become numpy arrays directly (NULL integers 0, NULL floats NaN, as
  :func:`~tap.formats.values.as_numbers` does); narrower integer datatypes are range-checked and refused with
  the ``OverflowError`` numpy raises for rows;
* PostgreSQL ``real`` arrives as float32, while psycopg parses the server's text (the shortest digits that
  round-trip) into a Python float: a float32 is therefore widened through that same shortest text;
* a NaN is the one NaN ``float("NaN")`` gives (the server writes every NaN as ``NaN``, whatever its bits);
* ASCII strings are handed over as the Arrow data buffer and lengths (:func:`ascii_runs`); anything else
  (non-ASCII text, timestamps, arrays, types of another kind than declared) falls back to
  :func:`python_values`, the cursor's values, and the row code path: timestamps as DALI text, PostgreSQL
  ``numeric`` as ``Decimal``.

:func:`accepts` says which Arrow types a column may arrive as; the query runner reads any other result the
row way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeAlias, TypeGuard

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from tap.formats.datatypes import ColumnSpec, column_specs
from tap.formats.values import BoolArray
from tap.schema import Column

__all__ = [
    "AsciiRuns",
    "ColumnValues",
    "accepts",
    "arrow_flags",
    "arrow_numbers",
    "ascii_runs",
    "is_arrow",
    "python_values",
]

#: One column of a chunk: the values of a row chunk's column, or an Arrow array.
ColumnValues: TypeAlias = Sequence[object] | pa.Array

_TIMESTAMP_UNITS = frozenset({"s", "ms", "us"})


def is_arrow(values: ColumnValues) -> TypeGuard[pa.Array]:
    """Whether a column came from a record batch."""
    return isinstance(values, pa.Array)


def _is_numeric_opaque(kind: pa.DataType) -> bool:
    """PostgreSQL ``numeric``, which the ADBC driver hands over as text in an opaque extension type."""
    return (
        isinstance(kind, pa.OpaqueType)
        and kind.type_name == "numeric"
        and pa.types.is_string(kind.storage_type)
    )


def _is_number(kind: pa.DataType) -> bool:
    return bool(pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind))


def _is_text(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _accepted(kind: pa.DataType, spec: ColumnSpec) -> bool:
    if pa.types.is_null(kind):
        return True
    family = spec.family
    if family in {"boolean", "bit"}:
        return _is_number(kind)
    if family in {"integer", "real"}:
        return _is_number(kind) or _is_numeric_opaque(kind) or _is_text(kind)
    if family == "array":
        if _is_text(kind):
            return True
        # PostgreSQL flattens multi-dimensional arrays in Arrow, psycopg nests them: only 1-D ones match.
        return bool(pa.types.is_list(kind) and _is_number(kind.value_type)) and "x" not in (
            spec.column.arraysize or ""
        )
    timestamp = pa.types.is_timestamp(kind) and kind.unit in _TIMESTAMP_UNITS
    return bool(
        timestamp
        or _is_number(kind)
        or _is_numeric_opaque(kind)
        or _is_text(kind)
        or pa.types.is_binary(kind)
        or pa.types.is_large_binary(kind)
        or pa.types.is_date32(kind)
    )


def accepts(schema: pa.Schema, columns: Sequence[Column]) -> bool:
    """Whether record batches of ``schema`` give exactly the output the row path gives for ``columns``
    (same number of columns, and each Arrow type one this module converts as the DB-API would)."""
    if len(schema) != len(columns):
        return False
    try:
        specs = column_specs(columns)
    except ValueError:
        return False
    return all(_accepted(field.type, spec) for field, spec in zip(schema, specs, strict=True))


def null_mask(array: pa.Array) -> BoolArray | None:
    """The NULL positions, or None when there is no NULL (the row path's convention)."""
    if array.null_count == 0:
        return None
    mask: BoolArray = array.is_null().to_numpy(zero_copy_only=False)
    return mask


def _filled(array: pa.Array, fill: object) -> np.ndarray:
    """The values as numpy, NULLs replaced by ``fill``."""
    if array.null_count:
        array = pc.fill_null(array, pa.scalar(fill, type=array.type))
    values: np.ndarray = array.to_numpy(zero_copy_only=False)
    return values


def _canonical_nans(values: np.ndarray) -> np.ndarray:
    """Floats with every NaN replaced by the quiet positive NaN."""
    nan_at = np.isnan(values)
    return np.where(nan_at, values.dtype.type(np.nan), values) if nan_at.any() else values


def _shortest_widened(values: np.ndarray) -> npt.NDArray[np.float64]:
    """float32 values as psycopg reads them: their shortest round-trip decimal text parsed as a double."""
    widened: npt.NDArray[np.float64] = values.astype(str).astype(np.float64)
    return widened


def arrow_numbers(array: pa.Array, dtype: np.dtype[np.generic]) -> tuple[np.ndarray, BoolArray | None] | None:
    """A scalar numeric column as :func:`~tap.formats.values.as_numbers` returns it, or None when the Arrow type
    is not a plain number of a kind converted exactly (floats into an integer column, booleans, text).

    Raises OverflowError for integers outside the datatype's range, as numpy does for row values.
    """
    kind = array.type
    integer = pa.types.is_integer(kind)
    if not (integer or pa.types.is_floating(kind)) or (dtype.kind != "f" and not integer):
        return None
    nulls = null_mask(array)
    if dtype.kind == "f":
        if integer:
            wide = _filled(array, 0).astype(np.float64)
            if nulls is not None:
                wide[nulls] = np.nan
        else:
            wide = _canonical_nans(_filled(array, float("nan")))
            if wide.dtype == np.float32 and dtype == np.float64:
                wide = _shortest_widened(wide)
        if wide.dtype == dtype:
            return wide, nulls
        with np.errstate(over="ignore"):  # beyond float32 range: written as an infinity
            return wide.astype(np.float64).astype(dtype), nulls
    values = _filled(array, 0)
    if values.dtype != dtype and values.size:
        limits = np.iinfo(dtype)  # type: ignore[type-var]
        outside = (values < limits.min) | (values > limits.max)
        if outside.any():
            raise OverflowError(f"Python integer {int(values[outside][0])} out of bounds for {dtype}")
    return values.astype(dtype), nulls


def arrow_flags(array: pa.Array) -> tuple[BoolArray, BoolArray | None] | None:
    """A boolean/bit column as (truth values with NULLs false, NULL mask), or None for other Arrow types.

    Integers (SQLite stores booleans as 0/1) must be 0 or 1; any other value raises the KeyError the row
    path's value lookup raises.
    """
    kind = array.type
    nulls = null_mask(array)
    if pa.types.is_boolean(kind):
        truth: BoolArray = _filled(array, False)
        return truth, nulls
    if not pa.types.is_integer(kind):
        return None
    values = _filled(array, 0)
    bad = (values != 0) & (values != 1)
    if bad.any():
        raise KeyError(int(values[bad][0]))
    return values == 1, nulls


@dataclass(frozen=True, slots=True)
class AsciiRuns:
    """A string column of ASCII text: every cell's bytes one after the other, and each cell's length
    (characters = bytes; 0 for NULL)."""

    data: npt.NDArray[np.uint8]
    lengths: npt.NDArray[np.int64]
    nulls: BoolArray | None


def ascii_runs(array: pa.Array) -> AsciiRuns | None:
    """The column straight from the Arrow offsets and data buffers, or None when it is not a string column,
    holds a non-ASCII byte, or has bytes behind a NULL (the row path decides those cases)."""
    kind = array.type
    if pa.types.is_string(kind):
        offset_type: type[np.signedinteger[Any]] = np.int32
    elif pa.types.is_large_string(kind):
        offset_type = np.int64
    else:
        return None
    _validity, offset_buffer, data_buffer = array.buffers()
    rows = len(array)
    if offset_buffer is None:  # an empty array may come without buffers
        if rows:
            return None
        return AsciiRuns(np.empty(0, np.uint8), np.empty(0, np.int64), None)
    offsets = np.frombuffer(
        offset_buffer, dtype=offset_type, count=rows + 1, offset=array.offset * np.dtype(offset_type).itemsize
    )
    lengths = np.diff(offsets).astype(np.int64)
    start, end = int(offsets[0]), int(offsets[-1])
    data = (
        np.frombuffer(data_buffer, dtype=np.uint8)[start:end]
        if data_buffer is not None and end > start
        else np.empty(0, np.uint8)
    )
    nulls = null_mask(array)
    if nulls is not None and lengths[nulls].any():
        return None
    if data.size and int(data.max()) >= 0x80:
        return None
    return AsciiRuns(data, lengths, nulls)


def _dali_timestamps(array: pa.Array) -> list[object]:
    """Timestamps as :func:`~tap.formats.values.dali_timestamp` writes them (UTC, as many fraction digits as
    needed: none, milliseconds or microseconds); the values of a zoned type are UTC already."""
    micros = _filled(array.cast(pa.timestamp("us", tz=array.type.tz)), 0).astype("datetime64[us]")
    texts: list[str] = np.datetime_as_string(micros, unit="us").tolist()
    fraction = micros.astype(np.int64) % 1_000_000
    cut = np.where(fraction == 0, 19, np.where(fraction % 1000 == 0, 23, 26)).tolist()
    return _with_nones([text[:n] for text, n in zip(texts, cut, strict=True)], array)


def _with_nones(values: list[object], array: pa.Array) -> list[object]:
    """``values`` (one per row, NULLs filled with anything) with None where ``array`` is NULL."""
    nulls = null_mask(array)
    if nulls is not None:
        for i in np.flatnonzero(nulls).tolist():
            values[i] = None
    return values


def _float32_values(array: pa.Array) -> list[object]:
    return _with_nones(_shortest_widened(_filled(array, float("nan"))).tolist(), array)


def _float_lists(array: pa.Array) -> list[object]:
    """Arrays of floats, each item as psycopg parses the server's text of it."""
    single = pa.types.is_float32(array.type.value_type)
    return [
        None
        if cell is None
        else [float(str(np.float32(x))) if single else x if x == x else math.nan for x in cell]
        for cell in array.to_pylist()
    ]


def python_values(array: pa.Array) -> list[object]:
    """The column as the DB-API cursor returns it, for the writers' row code (see the module docstring;
    timestamps come as DALI text, which every writer treats as it treats a ``datetime``)."""
    kind = array.type
    if pa.types.is_timestamp(kind):
        return _dali_timestamps(array)
    if _is_numeric_opaque(kind):
        return [None if v is None else Decimal(v) for v in array.storage.to_pylist()]
    if pa.types.is_float32(kind):
        return _float32_values(array)
    if pa.types.is_list(kind) and pa.types.is_floating(kind.value_type):
        return _float_lists(array)
    values: list[object] = array.to_pylist()
    if pa.types.is_floating(kind) and array.null_count < len(values):
        return [math.nan if v != v else v for v in values]
    return values
