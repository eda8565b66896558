"""Per-column text formatting shared by TABLEDATA, CSV and TSV.

A formatter turns one column of a chunk into the list of its finished cells, markup included
(``<TD>1.5</TD>``, ``1.5,``), so that a chunk is assembled by one ``str.join`` over the interleaved columns.
Each formatter does one list comprehension over values that numpy has already normalised; per-value special
cases (NULL, NaN, text needing escapes) are patched afterwards at the few positions where they occur.

Numbers: doubles use Python's shortest round-tripping ``repr``, floats numpy's shortest float32 form, so
both read back bit-identically; NaN and infinities are ``NaN``, ``+Inf``, ``-Inf`` as VOTable and DALI write
them.

Columns of record batches (:mod:`tap.formats.arrow_values`) give numbers and booleans as arrays directly;
strings, timestamps and arrays as the Python values a DB-API cursor returns, so the text is the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tap.formats.arrow_values import ColumnValues, arrow_flags, arrow_numbers, is_arrow, python_values
from tap.formats.datatypes import ColumnSpec, Family, int_null
from tap.formats.values import BoolArray, as_numbers, as_texts, split_arrays

__all__ = ["CellStyle", "Dialect", "TextFormatter", "null_array_text", "row_styles", "text_formatter"]

TextFormatter = Callable[[ColumnValues], list[str]]


@dataclass(frozen=True, slots=True)
class Dialect:
    """What differs between the text formats: escaping, boolean words, how an empty string is written."""

    escape: Callable[[str], str]
    needs_escape: Callable[[str], bool]
    true: str = "T"
    false: str = "F"
    #: CSV: ``""`` for an empty string so it differs from NULL (TABLEDATA and TSV cannot tell them apart).
    empty_string: str | None = None
    #: TABLEDATA: write NULL fixed-size arrays and polygons as items (see :func:`null_array_text`).
    spell_null_arrays: bool = False


@dataclass(frozen=True, slots=True)
class CellStyle:
    """The markup around one column's cells (differs for the first and last column of a row)."""

    before: str
    after: str
    null: str


def row_styles(
    count: int, *, cell: tuple[str, str], null: str, row: tuple[str, str], separator: str = ""
) -> list[CellStyle]:
    """Cell markup per column, with the row's opening folded into the first column's cells and its closing
    into the last column's, so that a chunk is one join over the interleaved columns."""
    styles = []
    for i in range(count):
        start = row[0] if i == 0 else ""
        end = row[1] if i == count - 1 else separator
        styles.append(CellStyle(start + cell[0], cell[1] + end, start + null + end))
    return styles


_SPECIAL_FLOATS = {"nan": "NaN", "inf": "+Inf", "-inf": "-Inf"}


def _patch_nulls(cells: list[str], nulls: BoolArray | None, style: CellStyle) -> list[str]:
    if nulls is not None:
        for i in np.flatnonzero(nulls).tolist():
            cells[i] = style.null
    return cells


def _numbers(spec: ColumnSpec, dialect: Dialect, style: CellStyle) -> TextFormatter:
    dtype = spec.dtype
    assert dtype is not None
    before, after = style.before, style.after

    def run(values: ColumnValues) -> list[str]:
        converted = arrow_numbers(values, dtype) if is_arrow(values) else None
        if converted is None:
            converted = as_numbers(python_values(values) if is_arrow(values) else values, dtype)
        array, nulls = converted
        return _patch_nulls(_item_texts(array, before, after), nulls, style)

    return run


def _mapped(true: str, false: str, style: CellStyle) -> TextFormatter:
    cell: dict[object, str] = {
        True: style.before + true + style.after,
        False: style.before + false + style.after,
        None: style.null,
    }

    def run(values: ColumnValues) -> list[str]:
        if is_arrow(values):
            flags = arrow_flags(values)
            if flags is None:
                return list(map(cell.__getitem__, python_values(values)))
            truth, nulls = flags
            cells: list[str] = np.where(truth, cell[True], cell[False]).tolist()
            return _patch_nulls(cells, nulls, CellStyle("", "", cell[None]))
        return list(map(cell.__getitem__, values))

    return run


def _booleans(spec: ColumnSpec, dialect: Dialect, style: CellStyle) -> TextFormatter:
    return _mapped(dialect.true, dialect.false, style)


def _bits(spec: ColumnSpec, dialect: Dialect, style: CellStyle) -> TextFormatter:
    return _mapped("1", "0", style)


def _texts(spec: ColumnSpec, dialect: Dialect, style: CellStyle) -> TextFormatter:
    before, after = style.before, style.after

    def run(values: ColumnValues) -> list[str]:
        texts, nulls = as_texts(python_values(values) if is_arrow(values) else values, spec)
        if dialect.needs_escape(" ".join(texts)):
            texts = list(map(dialect.escape, texts))
        cells = [f"{before}{t}{after}" for t in texts]
        if dialect.empty_string is not None and "" in texts:
            empty = before + dialect.empty_string + after
            cells = [empty if t == "" else c for t, c in zip(texts, cells, strict=True)]
        return _patch_nulls(cells, nulls, style)

    return run


def _item_texts(items: np.ndarray, before: str = "", after: str = "") -> list[str]:
    """Numbers as text between ``before`` and ``after`` (one pass): integers in full, doubles by ``repr``,
    floats in their shortest float32 form, specials as VOTable spells them."""
    if items.dtype.kind != "f":
        return [f"{before}{v}{after}" for v in items.tolist()]
    if items.dtype.itemsize == 4:
        texts = [f"{before}{t}{after}" for t in items.astype(str).tolist()]
    else:
        texts = [f"{before}{v!r}{after}" for v in items.tolist()]
    for i in np.flatnonzero(~np.isfinite(items)).tolist():
        texts[i] = before + _SPECIAL_FLOATS[repr(float(items[i]))] + after
    return texts


def null_array_text(spec: ColumnSpec) -> str | None:
    """How TABLEDATA spells a NULL array when an empty cell would not do, else None.

    VOTable says an empty TD is NULL for every type, but STILTS votlint (3.4) rejects empty cells of
    fixed-size arrays and of DALI geometry xtypes.  Those are written as NaN items (floats) or as the
    ``VALUES null`` sentinel (integers, declared on the FIELD); a NULL polygon as three NaN vertices.
    """
    sentinel = int_null(spec)
    item = "NaN" if sentinel is None else str(sentinel)
    if spec.count is not None:
        return " ".join([item] * spec.count)
    if spec.column.xtype == "polygon":
        return " ".join([item] * 6)
    return None


def _arrays(spec: ColumnSpec, dialect: Dialect, style: CellStyle) -> TextFormatter:
    """Arrays are parsed and re-written (not passed through) so that every cell is valid DALI text."""
    before, after = style.before, style.after
    spelled = null_array_text(spec) if dialect.spell_null_arrays else None
    if spelled is not None:
        style = CellStyle(before, after, before + spelled + after)

    def run(values: ColumnValues) -> list[str]:
        if is_arrow(values):
            values = python_values(values)
        items, counts, nulls = split_arrays(values, spec)
        texts = _item_texts(items.reshape(-1))
        if spec.count is not None:
            counts = np.full(len(values), spec.count, dtype=np.int64)
        ends = np.cumsum(counts).tolist()
        starts = [0, *ends[:-1]]
        cells = [f"{before}{' '.join(texts[a:b])}{after}" for a, b in zip(starts, ends, strict=True)]
        return _patch_nulls(cells, nulls, style)

    return run


_FORMATTERS: dict[Family, Callable[[ColumnSpec, Dialect, CellStyle], TextFormatter]] = {
    "boolean": _booleans,
    "bit": _bits,
    "integer": _numbers,
    "real": _numbers,
    "array": _arrays,
    "text": _texts,
}


def text_formatter(spec: ColumnSpec, dialect: Dialect, style: CellStyle) -> TextFormatter:
    """The formatter of one column in one text format."""
    return _FORMATTERS[spec.family](spec, dialect, style)
