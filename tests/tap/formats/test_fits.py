"""FITS binary table results, read back with astropy.io.fits."""

from __future__ import annotations

import datetime
import io
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from astropy.io import fits
from astropy.table import Table

from tap.formats import ResultStatus, resolve_format
from tap.formats.values import dali_timestamp
from tap.schema import Column
from tests.tap.formats.samples import COLUMNS, ROWS, chunked, render
from vo_service.errors import UsageError


def _open(data: bytes) -> fits.HDUList:
    assert len(data) % 2880 == 0
    return fits.open(io.BytesIO(data), logical_as_bytes=True)


def _expected_string(column: Column, value: object) -> str:
    if value is None:
        return ""
    text = dali_timestamp(value) if isinstance(value, datetime.date) else str(value)
    if column.size is not None:
        text = text[: column.size]
    return text.encode("ascii", "replace").decode().rstrip(" ")


def _check_cell(column: Column, value: object, got: Any) -> None:
    where = f"{column.name}: {value!r} -> {got!r}"
    if column.datatype in {"char", "unicodeChar"}:  # FITS strings: ASCII, trailing blanks insignificant
        assert got == _expected_string(column, value), where
        return
    if column.datatype == "boolean":
        assert got in {None: ("\x00", ""), True: ("T",), False: ("F",)}[value], where  # type: ignore[index]
        return
    if column.arraysize is not None:
        array = np.ma.asarray(got)
        if value is None:
            assert (
                array.size == 0 or bool(np.all(np.ma.getmaskarray(array))) or bool(np.all(np.isnan(array)))
            ), where
            return
        items = value.split() if isinstance(value, str) else value
        dtype = np.float32 if column.datatype == "float" else np.float64
        np.testing.assert_array_equal(
            np.asarray(array, dtype=float), np.array(items, dtype=dtype).astype(float)
        )
        return
    if value is None:
        assert np.ma.is_masked(got) or (column.datatype in {"float", "double"} and math.isnan(got)), where
        return
    if column.datatype in {"float", "double"}:  # astropy masks NaN when it reads a table
        expected = float(np.float32(value)) if column.datatype == "float" else float(value)  # type: ignore[arg-type]
        assert (math.isnan(expected) and (np.ma.is_masked(got) or math.isnan(got))) or float(
            got
        ) == expected, where
        return
    assert int(got) == int(value), where  # type: ignore[call-overload]


@pytest.mark.parametrize("chunk_size", [1, 2, len(ROWS)])
def test_every_datatype_round_trips(chunk_size: int) -> None:
    data = render("fits", COLUMNS, chunked(ROWS, chunk_size), table_name="results")
    with _open(data) as hdus:
        assert hdus[0].header["NAXIS"] == 0 and len(hdus) == 2
        hdu = hdus[1]
        assert hdu.header["EXTNAME"] == "results" and hdu.header["NAXIS2"] == len(ROWS)
        assert hdu.columns.names == [c.name for c in COLUMNS]
        assert hdu.header["TUNIT2"] == "deg"
        table = Table.read(hdu)
        for column in COLUMNS:
            for i, row in enumerate(ROWS):
                _check_cell(column, row[COLUMNS.index(column)], table[column.name][i])


def test_layout_does_not_depend_on_chunking() -> None:
    assert render("fits", COLUMNS, chunked(ROWS, 1)) == render("fits", COLUMNS, [ROWS])


def test_header_declares_what_the_data_needs() -> None:
    columns = [Column("i", "int"), Column("j", "short"), Column("s", "char", "*"), Column("p", "double", "*")]
    chunks: list[list[tuple[object, ...]]] = [
        [(1, None, "ab", "1 2 3 4 5 6")],
        [(2, 3, "a much longer string", None)],
        [(None, 4, None, [1.0] * 8)],
    ]
    with _open(render("fits", columns, chunks)) as hdus:
        header = hdus[1].header
        assert [header[f"TFORM{i}"] for i in range(1, 5)] == ["J", "I", "20A", "PD(8)"]
        assert header["TNULL1"] == -(2**31) and header["TNULL2"] == -(2**15)
        assert header["PCOUNT"] == 14 * 8
        data = hdus[1].data
        assert list(data["s"]) == ["ab", "a much longer string", ""]
        assert [list(p) for p in data["p"]] == [[1, 2, 3, 4, 5, 6], [], [1.0] * 8]


def test_no_tnull_without_nulls() -> None:
    with _open(render("fits", [Column("i", "int")], [[(1,), (2,)]])) as hdus:
        assert "TNULL1" not in hdus[1].header


def test_empty_result() -> None:
    with _open(render("fits", COLUMNS, [])) as hdus:
        assert hdus[1].header["NAXIS2"] == 0
        assert len(hdus[1].data) == 0


@pytest.mark.parametrize("error", [UsageError("stopped"), RuntimeError("broken")])
def test_errors_surface_before_any_byte(error: Exception) -> None:
    status = ResultStatus()

    def producer() -> Iterator[list[tuple[object, ...]]]:
        yield [(1,)]
        raise error

    stream = resolve_format("fits").stream([Column("a", "int")], producer(), status=status)
    with pytest.raises(type(error)):
        next(stream)
    assert status.error is error


def test_header_strings_are_ascii() -> None:
    with _open(render("fits", [Column("Größe " + "x" * 80, "double", unit="µm")], [[(1.0,)]])) as hdus:
        assert hdus[1].header["TTYPE1"].startswith("Gr??e xxx")
        assert hdus[1].header["TUNIT1"] == "?m"
