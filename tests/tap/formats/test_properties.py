"""Random tables survive every VOTable serialisation (and CSV keeps the same text as TABLEDATA)."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tap.schema import Column
from tests.tap.formats.samples import assert_votable_rows, chunked, render

_ASCII = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12)
_UNICODE = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"), max_size=12
)
_DOUBLES = st.floats(allow_nan=True, allow_infinity=True)
_FLOATS = st.floats(width=32, allow_nan=True, allow_infinity=True)

#: (column, strategy for its non-NULL values)
_KINDS: list[tuple[Column, st.SearchStrategy[object]]] = [
    (Column("l", "long"), st.integers(-(2**63) + 1, 2**63 - 1)),
    (Column("i", "int"), st.integers(-(2**31) + 1, 2**31 - 1)),
    (Column("s", "short"), st.integers(-(2**15) + 1, 2**15 - 1)),
    (Column("u", "unsignedByte"), st.integers(0, 254)),
    (Column("d", "double"), _DOUBLES),
    (Column("f", "float"), _FLOATS),
    (Column("b", "boolean"), st.booleans()),
    (Column("c", "char", "*"), _ASCII),
    (Column("c5", "char", "5"), _ASCII),
    (Column("u8", "unicodeChar", "8*"), _UNICODE),
    (Column("p", "double", "2", xtype="point"), st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=2)),
    (Column("v", "float", "*"), st.lists(st.floats(width=32, allow_nan=False), max_size=5)),
]


@st.composite
def _tables(draw: st.DrawFn) -> tuple[list[Column], list[tuple[object, ...]], int]:
    picked = draw(st.lists(st.sampled_from(range(len(_KINDS))), min_size=1, max_size=6))
    columns = [_KINDS[k][0].renamed(f"{_KINDS[k][0].name}_{n}") for n, k in enumerate(picked)]
    cell = [st.none() | _KINDS[k][1] for k in picked]
    rows = draw(st.lists(st.tuples(*cell), max_size=25))
    return columns, rows, draw(st.integers(1, 10))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tables())
def test_votable_round_trip(table: tuple[list[Column], list[tuple[object, ...]], int]) -> None:
    columns, rows, chunk_size = table
    for fmt, binary in [("votable", False), ("votable/b2", True)]:
        assert_votable_rows(render(fmt, columns, chunked(rows, chunk_size)), columns, rows, binary=binary)


@settings(max_examples=30, deadline=None)
@given(_tables())
def test_csv_has_one_record_per_row(table: tuple[list[Column], list[tuple[object, ...]], int]) -> None:
    columns, rows, chunk_size = table
    data = render("csv", columns, chunked(rows, chunk_size))
    records = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert records[0] == [c.name for c in columns]
    assert len(records) == len(rows) + 1
    assert all(len(r) == len(columns) for r in records)
