"""CSV and TSV results."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator

import pytest

from tap.formats import ResultStatus, resolve_format
from tap.schema import Column
from tests.tap.formats.samples import COLUMNS, ROWS, chunked, render
from vo_service.errors import UsageError


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def _by_name(header: list[str], line: list[str]) -> dict[str, str]:
    return dict(zip(header, line, strict=True))


def test_csv_values() -> None:
    data = render("csv", COLUMNS, chunked(ROWS, 2))
    assert data.endswith(b"\r\n") and b"\r\n" in data
    header, *lines = _csv_rows(data)
    assert header == [c.name for c in COLUMNS]
    assert len(lines) == len(ROWS)
    first, null, specials, extremes, last = (_by_name(header, line) for line in lines)
    assert first["id"] == "1" and first["flag"] == "true" and first["t_obs"] == "2024-02-29T23:59:58.125"
    assert first["text"] == "héllo <wörld>" and first["pos"] == "10.5 -20.25" and first["counts"] == "1 2"
    assert first["band"] == "0.1 0.2"
    assert set(null.values()) == {""}
    assert specials["ra"] == "NaN" and specials["dec"] == "+Inf" and specials["flux"] == "NaN"
    assert specials["name"] == "x<&>\"'y" and specials["flag"] == "false"
    assert specials["band"] == "-Inf +Inf" and specials["outline"] == "1.0 1.0 2.0 1.0 2.0 2.0 1.0 2.0"
    assert float(extremes["ra"]) == -1e-300 and float(extremes["dec"]) == 1.7976931348623157e308
    assert (
        extremes["id"] == str(-(2**63) + 1) and extremes["code"] == "TOOL" and extremes["label"] == "much too"
    )
    assert extremes["name"] == "tab\there"
    assert last["text"] == "new\nline" and last["utext"] == "a\rb" and last["name"] == "trailing space "
    assert math.copysign(1.0, float(last["dec"])) == -1.0


def test_csv_distinguishes_empty_strings_from_null() -> None:
    data = render("csv", [Column("s", "char", "*"), Column("n", "int")], [[("", 1), (None, 2), ('a,"b"', 3)]])
    assert data.decode().splitlines() == ["s,n", '"",1', ",2", '"a,""b""",3']


def test_tsv_values() -> None:
    data = render("tsv", COLUMNS, chunked(ROWS, 3))
    lines = data.decode("utf-8").split("\n")
    assert lines[-1] == ""
    header, *rows = (line.split("\t") for line in lines[:-1])
    assert header == [c.name for c in COLUMNS]
    assert len(rows) == len(ROWS) and all(len(r) == len(COLUMNS) for r in rows)
    last = _by_name(header, rows[-1])
    assert last["text"] == "new line" and last["utext"] == "a b"
    assert _by_name(header, rows[3])["name"] == "tab here"
    assert _by_name(header, rows[0])["pos"] == "10.5 -20.25"


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_empty_result_is_the_header(fmt: str) -> None:
    data = render(fmt, [Column("a", "int"), Column("b b", "char", "*")], [])
    assert data in {b"a,b b\r\n", b"a\tb b\n"}


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
@pytest.mark.parametrize("error", [UsageError("stopped"), RuntimeError("broken")])
def test_errors_propagate_after_the_rows_already_produced(fmt: str, error: Exception) -> None:
    status = ResultStatus()

    def producer() -> Iterator[list[tuple[object, ...]]]:
        yield [(1,), (2,)]
        raise error

    received: list[bytes] = []
    with pytest.raises(type(error)):
        received.extend(resolve_format(fmt).stream([Column("a", "int")], producer(), status=status))
    assert b"".join(received).split() == [b"a", b"1", b"2"]
    assert status.error is error
