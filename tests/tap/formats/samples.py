"""Sample results and the checks shared by the format tests: a table with every datatype, NULLs, specials,
and a comparison of what a reader got back with what the producer sent."""

from __future__ import annotations

import datetime
import io
import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from astropy.io import votable

from tap.formats import OutputFormat, ResultStatus, resolve_format
from tap.formats.values import dali_timestamp
from tap.schema import Column

__all__ = [
    "COLUMNS",
    "ROWS",
    "assert_cell",
    "assert_votable_rows",
    "chunked",
    "parse_votable",
    "render",
]

COLUMNS = (
    Column("id", "long", ucd="meta.id;meta.main", description='row <id> & "key"'),
    Column("ra", "double", unit="deg", ucd="pos.eq.ra;meta.main"),
    Column("dec", "double", unit="deg", ucd="pos.eq.dec;meta.main"),
    Column("flux", "float", unit="mJy", ucd="phot.flux"),
    Column("small", "short"),
    Column("count", "int"),
    Column("byte", "unsignedByte"),
    Column("flag", "boolean"),
    Column("name", "char", "*", description="ASCII name"),
    Column("code", "char", "4"),
    Column("label", "char", "8*"),
    Column("text", "unicodeChar", "*"),
    Column("utext", "unicodeChar", "3"),
    Column("t_obs", "char", "*", xtype="timestamp"),
    Column("pos", "double", "2", xtype="point", unit="deg"),
    Column("region", "double", "3", xtype="circle", unit="deg"),
    Column("outline", "double", "*", xtype="polygon", unit="deg"),
    Column("band", "float", "2", xtype="interval"),
    Column("counts", "long", "2"),
)

_TS = datetime.datetime(2024, 2, 29, 23, 59, 58, 125000)

ROWS: list[tuple[object, ...]] = [
    (
        1,
        10.5,
        -20.25,
        1.5,
        7,
        70000,
        200,
        True,
        "abc",
        "ABCD",
        "label1",
        "héllo <wörld>",
        "αβγ",
        _TS,
        "10.5 -20.25",
        "1 2 0.5",
        "0 0 1 0 1 1",
        "0.1 0.2",
        "1 2",
    ),
    (None,) * 19,
    (
        2**62,
        math.nan,
        math.inf,
        math.nan,
        -(2**15) + 1,
        -(2**31) + 1,
        0,
        False,
        "x<&>\"'y",
        "AB",
        "",
        "",
        "",
        "2001-01-01T00:00:00",
        (1.0, 2.0),
        [3.0, 4.0, 5.0],
        (1.0, 1.0, 2.0, 1.0, 2.0, 2.0, 1.0, 2.0),
        (-math.inf, math.inf),
        (3, 4),
    ),
    (
        -(2**63) + 1,
        -1e-300,
        1.7976931348623157e308,
        3.4e38,
        32767,
        2**31 - 1,
        254,
        1,
        "tab\there",
        "TOOLONG",
        "much too long for eight",
        "😀 astral",
        "abcdef",
        datetime.datetime(1999, 12, 31),
        "359.999999 -89.999999",
        "0 0 180",
        "10 20 30 40 50 60",
        "1e-3 2e3",
        "-5 5",
    ),
    (
        0,
        0.1,
        -0.0,
        0.1,
        0,
        0,
        1,
        0,
        "trailing space ",
        "a",
        "a b",
        "new\nline",
        "a\rb",
        "2020-06-01T12:00:00.5",
        [0.0, -0.0],
        (1e10, -1e-10, 3.0),
        "1 2 3 4 5 6",
        [1.0, 2.0],
        [0, -1],
    ),
]


def chunked(rows: Sequence[tuple[object, ...]], size: int) -> list[list[tuple[object, ...]]]:
    return [list(rows[i : i + size]) for i in range(0, len(rows), size)]


def render(
    fmt: str | OutputFormat,
    columns: Sequence[Column],
    chunks: Iterable[Sequence[tuple[object, ...]]],
    *,
    status: ResultStatus | None = None,
    **kwargs: Any,
) -> bytes:
    chosen = resolve_format(fmt) if isinstance(fmt, str) else fmt
    return b"".join(chosen.stream(columns, chunks, status=status or ResultStatus(), **kwargs))


def parse_votable(data: bytes) -> votable.tree.VOTableFile:
    return votable.parse(io.BytesIO(data), verify="exception")


def _expected_text(column: Column, value: object, *, binary: bool) -> str:
    if value is None:
        return ""
    text = dali_timestamp(value) if isinstance(value, datetime.date) else str(value)
    limit = column.size
    if limit is not None and binary and column.datatype == "unicodeChar":  # UTF-16 units, whole characters
        units = text.encode("utf-16-be")[: 2 * limit]
        text = units.decode("utf-16-be", "ignore")
    elif limit is not None:
        text = text[:limit]
    if not binary:  # XML drops what it cannot carry; astropy strips the text of a TD
        text = "".join(c for c in text if c >= " " or c in "\t\n\r").strip(" \t\n\r")
    if binary and column.datatype == "char":
        text = text.encode("ascii", "replace").decode()
    return text


def _expected_items(value: object) -> list[float] | None:
    if value is None:
        return None
    items: Iterable[Any] = value.split() if isinstance(value, str) else value  # type: ignore[assignment]
    return [float(v) for v in items]


def assert_cell(column: Column, value: object, got: Any, masked: Any, *, binary: bool) -> None:
    """One cell read back by astropy equals what was sent (NULL = masked; NaN may read as masked)."""
    where = f"column {column.name!r}, value {value!r}, got {got!r}"
    if column.datatype in {"char", "unicodeChar"}:
        assert (got if not np.ma.is_masked(got) else "") == _expected_text(column, value, binary=binary), (
            where
        )
        return
    if column.arraysize is not None:
        items = _expected_items(value)
        array: Any = np.ma.asarray(got)
        if items is None:
            nan_filled = array.dtype.kind == "f" and bool(np.all(np.isnan(array.filled(np.nan))))
            assert (
                bool(np.all(masked))
                or array.size == 0
                or bool(np.all(np.ma.getmaskarray(array)))
                or nan_filled
            ), where
            return
        # float items are written in their shortest float32 form: compare as float32 whatever the reader used
        item_type = np.float32 if column.datatype == "float" else np.float64
        filled = array.astype(float).filled(np.nan).astype(item_type)
        np.testing.assert_array_equal(filled, np.array(items, dtype=item_type), err_msg=where)
        return
    if value is None:
        assert bool(np.all(masked)), where
        return
    if column.datatype in {"float", "double"}:
        if math.isnan(value):  # type: ignore[arg-type]
            assert bool(np.all(masked)) or math.isnan(float(got)), where
            return
        expected = float(np.float32(value)) if column.datatype == "float" else value  # type: ignore[arg-type]
        assert not bool(np.all(masked)) and float(got) == expected, where
        return
    if column.datatype == "boolean":
        assert not bool(np.all(masked)) and bool(got) == bool(value), where
        return
    assert not bool(np.all(masked)) and int(got) == int(value), where  # type: ignore[call-overload]


def assert_votable_rows(
    data: bytes, columns: Sequence[Column], rows: Sequence[tuple[object, ...]], *, binary: bool
) -> votable.tree.VOTableFile:
    """Parses strictly and compares every cell."""
    parsed = parse_votable(data)
    table = parsed.get_first_table()
    array = table.array
    assert len(array) == len(rows)
    assert [f.name for f in table.fields] == [c.name for c in columns]
    for i, row in enumerate(rows):
        for field, column, value in zip(table.fields, columns, row, strict=True):
            cell = array[field.ID][i]
            mask = array.mask[field.ID][i]
            assert_cell(column, value, cell, mask, binary=binary)
    return parsed


def generated_rows(count: int) -> Iterator[tuple[object, ...]]:
    """Catalogue-like rows (for streaming and memory tests)."""
    for i in range(count):
        yield (i, i * 1e-4, -i * 1e-5, None if i % 10 == 0 else float(i % 1000), f"obj{i}")
