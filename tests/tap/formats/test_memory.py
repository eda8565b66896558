"""Memory stays flat in the number of rows: a million rows stream through BINARY2 in a few megabytes."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from itertools import islice

import pytest

from tap.formats import ResultStatus, resolve_format
from tap.schema import Column
from tests.tap.formats.samples import generated_rows

ROWS = 1_000_000
CHUNK = 10_000
COLUMNS = [
    Column("id", "long"),
    Column("ra", "double"),
    Column("dec", "double"),
    Column("flux", "float"),
    Column("name", "char", "*"),
]


def _chunks() -> Iterator[list[tuple[object, ...]]]:
    rows = generated_rows(ROWS)
    while chunk := list(islice(rows, CHUNK)):
        yield chunk


@pytest.mark.slow
def test_binary2_streams_a_million_rows_in_flat_memory() -> None:
    status = ResultStatus()
    size = 0
    tracemalloc.start()
    try:
        for block in resolve_format("votable/b2").stream(COLUMNS, _chunks(), status=status):
            size += len(block)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status.rows == ROWS
    # Holding the rows as tuples would take ~150 MB and the document ~50 MB; one chunk is a few MB.
    assert size > 40_000_000
    assert peak < 25_000_000, f"peak {peak / 1e6:.1f} MB"
