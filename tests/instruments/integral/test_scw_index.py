"""The archive's ScW index file: written from index columns, read back as pointings per instrument."""

from __future__ import annotations

from pathlib import Path

import pytest
from astropy.io import fits

from instruments.integral.scw_index import INDEX_EXTENSION, INDEX_PATH, read_index, write_index

ROWS = {
    "scw_id": ["066500220010.001", "066500230010.001", "066500230021.001"],
    "scw_type": ["POINTING", "POINTING", "SLEW"],
    "revolution": [665, 665, 665],
    "ra": [83.63, 85.80, 84.0],
    "dec": [22.01, 22.01, 22.0],
    "posangle": [10.0, 11.0, 12.0],
    "t_start": [54548.10, 54548.13, 54548.16],
    "t_stop": [54548.12, 54548.15, 54548.17],
    "good_isgri": [1800.0, 0.0, 0.0],
    "good_jemx1": [1750.0, 1900.0, 0.0],
    "good_jemx2": [0.0, 0.0, 0.0],
}


def test_round_trip_per_instrument(tmp_path: Path) -> None:
    path = write_index(tmp_path, ROWS)
    assert path == tmp_path / INDEX_PATH
    isgri = read_index(tmp_path, "isgri")
    assert [c.chunk_id for c in isgri] == ["066500220010.001"]
    (crab,) = isgri
    assert (crab.ra, crab.dec, crab.posangle, crab.exposure) == (83.63, 22.01, 10.0, 1800.0)
    assert crab.t_start == pytest.approx(54548.10, abs=1e-9) and crab.t_stop == pytest.approx(
        54548.12, abs=1e-9
    )
    assert [c.chunk_id for c in read_index(tmp_path, "jemx1")] == ["066500220010.001", "066500230010.001"]
    assert read_index(tmp_path, "jemx2") == []


def test_times_are_ijd_in_tt(tmp_path: Path) -> None:
    write_index(tmp_path, ROWS)
    with fits.open(tmp_path / INDEX_PATH) as hdus:
        table = hdus[INDEX_EXTENSION]
        assert table.header["TIMESYS"] == "TT" and table.header["MJDREF"] == 51544.0
        # MJD(UTC) 54548.10 is IJD 3004.10 plus TT-UTC (65.184 s in 2008)
        assert table.data["TSTART"][0] == pytest.approx(54548.10 - 51544.0 + 65.184 / 86400, abs=1e-8)


def test_an_archive_without_index(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_index(tmp_path, "isgri")


def test_data_versions_when_known(tmp_path: Path) -> None:
    write_index(tmp_path, {**ROWS, "data_version": ["CONS", "NRT", None]})
    assert [c.data_version for c in read_index(tmp_path, "jemx1")] == ["CONS", "NRT"]
    write_index(tmp_path, ROWS)
    assert [c.data_version for c in read_index(tmp_path, "jemx1")] == [None, None]
