"""How each VOTable datatype/arraysize combination is serialised: the one table every writer dispatches on.

A result :class:`~tap.schema.Column` is turned into a :class:`ColumnSpec` once per document; the writers then
pick their per-column converter from ``spec.family`` through a dispatch table instead of re-testing datatypes
for every chunk.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from tap.schema import Column

__all__ = ["FAMILIES", "ColumnSpec", "Family", "column_spec", "column_specs", "int_null"]

#: ``boolean``/``bit`` scalars, ``integer``/``real`` scalars, ``array`` (numeric arrays, DALI geometry and
#: intervals) and ``text`` (char/unicodeChar strings, timestamps).
Family = Literal["boolean", "bit", "integer", "real", "array", "text"]
FAMILIES: tuple[Family, ...] = ("boolean", "bit", "integer", "real", "array", "text")

#: numpy dtype (native byte order) of one item of each numeric datatype.
_NUMERIC: dict[str, np.dtype[np.generic]] = {
    "unsignedByte": np.dtype(np.uint8),
    "short": np.dtype(np.int16),
    "int": np.dtype(np.int32),
    "long": np.dtype(np.int64),
    "float": np.dtype(np.float32),
    "double": np.dtype(np.float64),
}


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """A column's serialisation plan.

    ``count`` is the fixed number of items per cell (characters for strings; 1 for scalars) or None for
    variable-length cells, whose optional upper bound is ``bound``; ``unit`` is the number of items a
    variable count is a multiple of (multi-dimensional arrays ``2x3*``).  ``dtype`` is the native numpy dtype
    of one numeric item (None for text and booleans).
    """

    column: Column
    family: Family
    dtype: np.dtype[np.generic] | None
    count: int | None
    bound: int | None = None
    unit: int = 1
    unicode: bool = False

    @property
    def name(self) -> str:
        return self.column.name

    @property
    def big_endian(self) -> np.dtype[np.generic]:
        """The item dtype in network byte order, as VOTable BINARY and FITS store it."""
        if self.dtype is None:
            raise TypeError(f"column {self.name!r} has no numeric item type")
        return self.dtype.newbyteorder(">")

    @property
    def is_variable(self) -> bool:
        return self.count is None


def _shape(column: Column) -> tuple[int | None, int | None, int]:
    """(count, bound, unit) from an arraysize; raises ValueError when it is not VOTable syntax."""
    arraysize = column.arraysize
    if arraysize is None:
        return 1, None, 1
    text = arraysize.replace(" ", "")
    variable = text.endswith("*")
    parts = (text[:-1] if variable else text).split("x")
    fixed_dims, last = parts[:-1], parts[-1]
    if not all(p.isdigit() for p in fixed_dims) or not (last.isdigit() or (variable and last == "")):
        raise ValueError(f"column {column.name!r}: arraysize {arraysize!r} is not VOTable syntax")
    unit = math.prod(int(p) for p in fixed_dims)
    if not variable:
        return unit * int(last), None, 1
    return None, (unit * int(last) if last else None), unit


def column_spec(column: Column) -> ColumnSpec:
    """The plan for one column; raises ValueError for combinations no writer supports
    (boolean/bit arrays, multi-dimensional strings)."""
    count, bound, unit = _shape(column)
    datatype = column.datatype
    if datatype in {"char", "unicodeChar"}:
        if unit != 1 or (column.arraysize is not None and "x" in column.arraysize):
            raise ValueError(f"column {column.name!r}: arrays of strings are not supported")
        return ColumnSpec(column, "text", None, count, bound, 1, unicode=datatype == "unicodeChar")
    if datatype in {"boolean", "bit"}:
        if column.arraysize is not None:
            raise ValueError(f"column {column.name!r}: {datatype} arrays are not supported")
        return ColumnSpec(column, datatype, None, 1)  # type: ignore[arg-type]
    dtype = _NUMERIC[datatype]
    if column.arraysize is None:
        return ColumnSpec(column, "real" if dtype.kind == "f" else "integer", dtype, 1)
    return ColumnSpec(column, "array", dtype, count, bound, unit)


def column_specs(columns: Sequence[Column]) -> list[ColumnSpec]:
    """The plans of a result's columns; raises ValueError for an unsupported column or for no column at all
    (a VOTable TABLE, a CSV line and a FITS table all need one)."""
    if not columns:
        raise ValueError("a result needs at least one column")
    return [column_spec(c) for c in columns]


#: Values that stand for NULL in BINARY ``VALUES null=`` and FITS ``TNULLn`` (the type's extreme value).
_INT_NULLS = {"unsignedByte": 255, "short": -(2**15), "int": -(2**31), "long": -(2**63)}


def int_null(spec: ColumnSpec) -> int | None:
    """The sentinel of an integer column (scalar or array) for formats without null flags, else None."""
    return _INT_NULLS.get(spec.column.datatype)
