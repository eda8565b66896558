"""Record batches give byte for byte the documents the DB-API rows of the same data give, in every format.

The rows a batch stands for are derived here independently of the writers, from what the drivers return:
``sqlite3`` and psycopg give Python ints, floats, strings and datetimes; psycopg reads a PostgreSQL ``real``
from its shortest text (so a float32 becomes the double of that text) and ``numeric`` as ``Decimal``.
"""

from __future__ import annotations

import datetime
import itertools
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tap.formats.arrow_values import accepts
from tap.formats.values import dali_timestamp
from tap.schema import Column
from tests.tap.formats.samples import COLUMNS, ROWS, render

FORMATS = ("votable/td", "votable/b2", "votable/b", "csv", "tsv", "fits")


def _float32_text(value: float) -> float:
    return float(str(np.float32(value)))


def _float_text(value: float) -> float:
    return float(repr(value))  # the server writes any NaN as NaN


def dbapi_values(array: pa.Array) -> list[object]:
    """What the DB-API cursor returns for the data of ``array``."""
    kind = array.type
    if isinstance(kind, pa.OpaqueType):
        return [None if v is None else Decimal(v) for v in array.storage.to_pylist()]
    values: list[Any] = array.to_pylist()
    if pa.types.is_floating(kind):
        convert = _float32_text if pa.types.is_float32(kind) else _float_text
        return [None if v is None else convert(v) for v in values]
    if pa.types.is_list(kind) and pa.types.is_floating(kind.value_type):
        convert = _float32_text if pa.types.is_float32(kind.value_type) else _float_text
        return [None if v is None else [convert(x) for x in v] for v in values]
    return values


def rows_of(batch: pa.RecordBatch) -> list[tuple[object, ...]]:
    return list(zip(*(dbapi_values(c) for c in batch.columns), strict=True))


def assert_same_documents(columns: Sequence[Column], batches: Sequence[pa.RecordBatch]) -> None:
    """The batches, their rows chunked alike and their rows in one chunk all give the same document."""
    chunks = [rows_of(b) for b in batches]
    whole = [[row for chunk in chunks for row in chunk]]
    for fmt in FORMATS:
        document = render(fmt, columns, batches)
        assert document == render(fmt, columns, chunks), fmt
        assert document == render(fmt, columns, whole), fmt


def _dali(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return " ".join(str(v) for v in value)  # type: ignore[attr-defined]


def _timestamp(value: object) -> datetime.datetime | None:
    if value is None or isinstance(value, datetime.datetime):
        return value
    return datetime.datetime.fromisoformat(str(value))


def _ints(value: object) -> list[int] | None:
    if value is None:
        return None
    items = value.split() if isinstance(value, str) else value
    return [int(v) for v in items]  # type: ignore[union-attr]


def _sample_batch(engine: str) -> pa.RecordBatch:
    """The sample rows as the ADBC driver of ``engine`` returns them (geometry is text on both engines)."""
    columns = list(zip(*ROWS, strict=True))
    sqlite = engine == "sqlite"
    integer = pa.int64()
    arrays = [
        pa.array(columns[0], pa.int64()),
        pa.array(columns[1], pa.float64()),
        pa.array(columns[2], pa.float64()),
        pa.array(columns[3], pa.float64() if sqlite else pa.float32()),
        pa.array(columns[4], integer if sqlite else pa.int16()),
        pa.array(columns[5], integer if sqlite else pa.int32()),
        pa.array(columns[6], integer if sqlite else pa.int16()),
        pa.array([None if v is None else (int if sqlite else bool)(v) for v in columns[7]]),
        *(pa.array(columns[i], pa.string()) for i in range(8, 13)),
        (
            pa.array([v if v is None or isinstance(v, str) else dali_timestamp(v) for v in columns[13]])
            if sqlite
            else pa.array([_timestamp(v) for v in columns[13]], pa.timestamp("us"))
        ),
        *(pa.array([_dali(v) for v in columns[i]], pa.string()) for i in range(14, 18)),
        (
            pa.array([_dali(v) for v in columns[18]], pa.string())
            if sqlite
            else pa.array([_ints(v) for v in columns[18]], pa.list_(pa.int64()))
        ),
    ]
    return pa.RecordBatch.from_arrays(arrays, names=[c.name for c in COLUMNS])


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_sample_table_in_one_batch_and_in_slices(engine: str) -> None:
    batch = _sample_batch(engine)
    assert accepts(batch.schema, COLUMNS)
    assert_same_documents(COLUMNS, [batch])
    # slices start at an offset inside the Arrow buffers; one-row batches put a boundary everywhere
    assert_same_documents(COLUMNS, [batch.slice(0, 2), batch.slice(2)])
    assert_same_documents(COLUMNS, [batch.slice(i, 1) for i in range(batch.num_rows)])


#: (column, Arrow types it may arrive as, strategy for its non-NULL values)
_KINDS: list[tuple[Column, tuple[pa.DataType, ...], st.SearchStrategy[object]]] = [
    (Column("l", "long"), (pa.int64(),), st.integers(-(2**63), 2**63 - 1)),
    (Column("i", "int"), (pa.int32(), pa.int64()), st.integers(-(2**31), 2**31 - 1)),
    (Column("s", "short"), (pa.int16(), pa.int64()), st.integers(-(2**15), 2**15 - 1)),
    (Column("u", "unsignedByte"), (pa.int16(), pa.int64()), st.integers(0, 255)),
    (Column("d", "double"), (pa.float64(),), st.floats(allow_nan=True)),
    (Column("dr", "double"), (pa.float32(),), st.floats(width=32, allow_nan=True)),
    (Column("di", "double"), (pa.int64(),), st.integers(-(2**62), 2**62)),
    (Column("f", "float"), (pa.float32(), pa.float64()), st.floats(width=32, allow_nan=True)),
    (Column("b", "boolean"), (pa.bool_(),), st.booleans()),
    (Column("bi", "boolean"), (pa.int64(),), st.integers(0, 1)),
    (Column("c", "char", "*"), (pa.string(), pa.large_string()), st.text(max_size=12)),
    (Column("a", "char", "*"), (pa.string(),), st.text(st.characters(max_codepoint=127), max_size=12)),
    (Column("c5", "char", "5"), (pa.string(),), st.text(st.characters(max_codepoint=127), max_size=7)),
    (Column("c8", "char", "8*"), (pa.string(),), st.text(st.characters(max_codepoint=127), max_size=10)),
    (Column("uc", "unicodeChar", "*"), (pa.string(),), st.text(max_size=8)),
    (Column("ua", "unicodeChar", "4"), (pa.string(),), st.text(st.characters(max_codepoint=127), max_size=6)),
    (
        Column("t", "char", "*", xtype="timestamp"),
        (pa.timestamp("us"), pa.timestamp("us", tz="UTC")),
        st.datetimes(datetime.datetime(1, 1, 1), datetime.datetime(9999, 12, 31)),
    ),
    (
        Column("p", "double", "2", xtype="point"),
        (pa.string(),),
        st.lists(st.floats(-360, 360), min_size=2, max_size=2).map(lambda v: f"{v[0]!r} {v[1]!r}"),
    ),
    (
        Column("v", "float", "*"),
        (pa.list_(pa.float32()), pa.list_(pa.float64())),
        st.lists(st.floats(width=32, allow_nan=False), max_size=4),
    ),
]


def _arrow_value(value: object, kind: pa.DataType) -> object:
    if pa.types.is_timestamp(kind) and kind.tz is not None and isinstance(value, datetime.datetime):
        return value.replace(tzinfo=datetime.UTC)
    return value


@st.composite
def _batches(draw: st.DrawFn) -> tuple[list[Column], list[pa.RecordBatch]]:
    picked = draw(st.lists(st.sampled_from(range(len(_KINDS))), min_size=1, max_size=6))
    rows = draw(st.integers(0, 30))
    columns, arrays = [], []
    for k in picked:
        column, kinds, values = _KINDS[k]
        kind = draw(st.sampled_from(kinds))
        cells = draw(st.lists(st.one_of(st.none(), values), min_size=rows, max_size=rows))
        columns.append(column)
        arrays.append(pa.array([_arrow_value(v, kind) for v in cells], kind))
    batch = pa.RecordBatch.from_arrays(arrays, names=[f"c{i}" for i in range(len(arrays))])
    cuts = sorted(draw(st.sets(st.integers(1, max(rows - 1, 1)), max_size=3)) if rows > 1 else [])
    bounds = [0, *cuts, rows]
    return columns, [batch.slice(a, b - a) for a, b in itertools.pairwise(bounds) if b > a]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_batches())
def test_random_batches_give_the_documents_of_their_rows(
    table: tuple[list[Column], list[pa.RecordBatch]],
) -> None:
    columns, batches = table
    assert all(accepts(b.schema, columns) for b in batches)
    assert_same_documents(columns, batches)


def test_postgresql_numeric_reads_as_decimal() -> None:
    storage = pa.array(["0.33333333333333333333", None, "nan", "2.000"], pa.string())
    numeric = pa.ExtensionArray.from_storage(pa.opaque(pa.string(), "numeric", "PostgreSQL"), storage)
    batch = pa.RecordBatch.from_arrays([numeric, numeric], names=["x", "y"])
    columns = [Column("x", "double"), Column("y", "char", "*")]
    assert accepts(batch.schema, columns)
    assert_same_documents(columns, [batch])


def test_values_out_of_range_fail_as_rows_do() -> None:
    """A value a datatype cannot hold ends the document as it does for rows (VOTable in-band; CSV raises)."""
    columns = [Column("s", "short"), Column("flag", "boolean")]
    for arrays in ([[1, 70000], [0, 1]], [[1, 2], [0, 2]]):
        batch = pa.RecordBatch.from_arrays([pa.array(a, pa.int64()) for a in arrays], names=["s", "flag"])
        for fmt in ("votable/td", "votable/b2"):
            with pytest.raises((OverflowError, KeyError)):
                render(fmt, columns, [batch])
            with pytest.raises((OverflowError, KeyError)) as from_rows:
                render(fmt, columns, [rows_of(batch)])
        with pytest.raises(type(from_rows.value)):
            render("csv", columns, [batch])


def test_types_converted_otherwise_than_by_the_dbapi_are_refused() -> None:
    """The runner reads such results as rows: flattened multi-dimensional arrays, intervals, a wrong width."""
    matrix = Column("m", "long", "2x2")
    assert not accepts(pa.schema([("m", pa.list_(pa.int64()))]), [matrix])
    assert accepts(pa.schema([("m", pa.string())]), [matrix])
    assert not accepts(pa.schema([("d", pa.month_day_nano_interval())]), [Column("d", "char", "*")])
    assert not accepts(pa.schema([("t", pa.timestamp("us"))]), [Column("t", "double")])
    assert not accepts(pa.schema([("a", pa.int64())]), [Column("a", "long"), Column("b", "long")])
    assert accepts(pa.schema([("n", pa.null())]), [Column("n", "double")])


def test_nan_is_a_value_and_null_is_null() -> None:
    batch = pa.RecordBatch.from_arrays(
        [pa.array([math.nan, None, 1.5], pa.float64()), pa.array([None, 3, 4], pa.int32())], names=["x", "n"]
    )
    assert_same_documents([Column("x", "double"), Column("n", "int")], [batch])
