"""STILTS votlint on every VOTable the service emits (skipped when the validator is not installed).

Polygon columns are left out of the BINARY/BINARY2 runs: votlint 3.4.7 (Debian) reads the 4-byte count of a
variable-length DALI geometry and then no items (its loop is bounded by the declared, negative, size), so it
reports stream corruption for any correct stream; later STILTS versions read the items.  TABLEDATA polygons
are checked.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tap.formats import ResultStatus, resolve_format, votable_error_document
from tests.conftest import VotLint
from tests.tap.formats.samples import COLUMNS, ROWS, chunked
from vo_service.errors import UsageError

CLEAN = "votlint: 0 errors, 0 warnings"


def _render(fmt: str, *, overflow: bool = False, error: Exception | None = None) -> bytes:
    binary = fmt != "votable"
    keep = [i for i, c in enumerate(COLUMNS) if not (binary and c.xtype == "polygon")]
    columns = [COLUMNS[i] for i in keep]
    rows = [tuple(row[i] for i in keep) for row in ROWS]
    status = ResultStatus()

    def producer() -> Iterator[list[tuple[object, ...]]]:
        yield from chunked(rows, 2)
        if error is not None:
            raise error
        status.overflow = overflow

    infos = [("QUERY_STATUS", "OK", None), ("standardID", "ivo://ivoa.net/std/TAP", None)]
    return b"".join(resolve_format(fmt).stream(columns, producer(), status=status, infos=infos))


@pytest.mark.parametrize("fmt", ["votable", "votable/b2", "application/x-votable+xml;serialization=BINARY"])
def test_results_are_clean(fmt: str, votlint: VotLint) -> None:
    assert votlint(_render(fmt)) == CLEAN


@pytest.mark.parametrize("fmt", ["votable", "votable/b2"])
def test_overflow_and_error_endings_are_clean(fmt: str, votlint: VotLint) -> None:
    assert votlint(_render(fmt, overflow=True)) == CLEAN
    assert votlint(_render(fmt, error=UsageError("stopped <here> & now"))) == CLEAN


def test_error_document_is_clean(votlint: VotLint) -> None:
    document = votable_error_document("bad ADQL: <unexpected> & more", infos=[("QUERY", "x", "SELECT <")])
    assert votlint(document) == CLEAN
