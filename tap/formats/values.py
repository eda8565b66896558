"""Turns one column of a row chunk (Python values as a DB-API cursor returns them) into numpy arrays and null
masks, once, for every writer.

The conversions are chosen for speed on the common case and pay per-value Python work only where the data
needs it: a numeric column without NULLs is a single ``np.array`` call; NULL detection in floats looks only at
the NaN positions; string columns are checked as one joined string.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from itertools import chain

import numpy as np
import numpy.typing as npt

from tap.formats.datatypes import ColumnSpec

__all__ = [
    "BoolArray",
    "as_numbers",
    "as_texts",
    "dali_timestamp",
    "split_arrays",
    "value_text",
]

BoolArray = npt.NDArray[np.bool_]


def _null_mask(values: Sequence[object]) -> BoolArray:
    return np.fromiter((v is None for v in values), dtype=np.bool_, count=len(values))


def as_numbers(values: Sequence[object], dtype: np.dtype[np.generic]) -> tuple[np.ndarray, BoolArray | None]:
    """A scalar numeric column as an array of ``dtype`` (native order) and its NULL mask (None: no NULL).

    NULL floats become NaN and NULL integers 0; a NaN *value* is not NULL.  Raises TypeError/ValueError/
    OverflowError for values that do not fit the datatype (a metadata/data mismatch).
    """
    if dtype.kind == "f":
        wide = np.array(values, dtype=np.float64)
        nan_at = np.flatnonzero(np.isnan(wide))
        nulls: BoolArray | None = None
        if nan_at.size:
            flags = [values[i] is None for i in nan_at.tolist()]
            if any(flags):
                nulls = np.zeros(len(values), dtype=np.bool_)
                nulls[nan_at] = flags
        if dtype == wide.dtype:
            return wide, nulls
        with np.errstate(over="ignore"):  # beyond float32 range: written as an infinity
            return wide.astype(dtype), nulls
    try:
        return np.array(values, dtype=dtype), None
    except TypeError:
        nulls = _null_mask(values)
        if not nulls.any():
            raise
        return np.array([0 if v is None else v for v in values], dtype=dtype), nulls


def split_arrays(
    values: Sequence[object], spec: ColumnSpec
) -> tuple[np.ndarray, npt.NDArray[np.int64], BoolArray | None]:
    """A numeric array column: (items, per-row item counts, NULL mask).

    Cells are DALI text (``"10.5 -20.25"``) or sequences of numbers; an empty cell of a fixed-size column is
    NULL.  For a fixed size ``n`` the items come back as an ``(rows, n)`` array with NULL rows filled with
    NaN (floats) or 0; for variable sizes as a flat array.  Raises ValueError when a cell has the wrong
    number of items.
    """
    dtype = spec.dtype
    assert dtype is not None
    parts: list[Sequence[object]] = [
        () if v is None else v.split() if isinstance(v, str) else v  # type: ignore[misc]
        for v in values
    ]
    counts = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    with np.errstate(over="ignore"):  # beyond float32 range: an infinity, as for scalars
        flat = np.array(list(chain.from_iterable(parts)), dtype=dtype) if counts.any() else np.empty(0, dtype)
    if spec.count is not None:
        nulls = counts == 0
        bad = np.flatnonzero(~nulls & (counts != spec.count))
        if bad.size:
            raise ValueError(
                f"column {spec.name!r}: {int(counts[bad[0]])} values where {spec.count} are declared"
            )
        fill = np.nan if dtype.kind == "f" else 0
        if not nulls.any():
            return flat.reshape(len(parts), spec.count), counts, None
        full = np.full((len(parts), spec.count), fill, dtype=dtype)
        full[~nulls] = flat.reshape(-1, spec.count)
        return full, counts, nulls
    if (spec.bound is not None and counts.max(initial=0) > spec.bound) or np.any(counts % spec.unit):
        raise ValueError(f"column {spec.name!r}: a cell does not fit arraysize {spec.column.arraysize!r}")
    has_null = any(v is None for v in values)
    return flat, counts, (_null_mask(values) if has_null else None)


def dali_timestamp(value: datetime.datetime | datetime.date) -> str:
    """DALI ``YYYY-MM-DDThh:mm:ss[.fff]``: UTC, no zone, only as many fraction digits as the value needs."""
    if not isinstance(value, datetime.datetime):
        return value.isoformat()
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    micro = value.microsecond
    spec = "seconds" if micro == 0 else "milliseconds" if micro % 1000 == 0 else "microseconds"
    return value.isoformat(timespec=spec)


def value_text(value: object) -> str:
    """Text of a non-string value found in a string column (timestamps, numbers, bytes)."""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime.date):
        return dali_timestamp(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def as_texts(values: Sequence[object], spec: ColumnSpec) -> tuple[list[str], BoolArray | None]:
    """A string column as ``str`` values (NULL -> ``""``), cut to the declared length, and its NULL mask.

    Fixed (``n``) and bounded (``n*``) strings longer than ``n`` characters are truncated, as a reader
    of the declared arraysize would; datetimes become DALI timestamps.
    """
    nulls: BoolArray | None = None
    if None in values:
        nulls = _null_mask(values)
        texts: list[str] = ["" if v is None else v for v in values]  # type: ignore[misc]
    else:
        texts = list(values)  # type: ignore[arg-type]
    try:
        "".join(texts)
    except TypeError:
        texts = [value_text(v) for v in texts]
    limit = spec.count if spec.count is not None else spec.bound
    if limit is not None and texts and max(map(len, texts)) > limit:
        texts = [t[:limit] for t in texts]
    return texts, nulls
