"""The simulated ISGRI archive: selection, lazy generation, byte-identical regeneration, file contents."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits

from instruments.archive.base import ArchiveBackend, ChunkInfo, Cone, TimeRange
from instruments.archive.simulated.backend import SimulatedBackend, chunks_from_columns
from instruments.archive.simulated.truth import TruthSource
from instruments.integral.isgri.model import IsgriModel
from instruments.integral.isgri.scw import read_scw
from instruments.integral.spectra import CRAB
from instruments.integral.time import mjd_utc_to_ijd

POINTINGS = [
    ChunkInfo("isgri", "066500220010.001", 83.6, 22.0, 30.0, 54540.0, 54540.02, 1500.0),
    ChunkInfo("isgri", "066500230010.001", 85.6, 22.0, 30.0, 54540.03, 54540.05, 1500.0),
    ChunkInfo("isgri", "066600020010.001", 266.4, -29.0, 100.0, 54543.0, 54543.02, 1500.0),
]
TRUTH = [TruthSource("Crab", 83.6331, 22.0145, CRAB)]


def test_selection_by_time_and_region(tmp_path: Path) -> None:
    backend: ArchiveBackend[IsgriModel] = SimulatedBackend(tmp_path, POINTINGS, truth=TRUTH)
    assert [c.chunk_id for c in backend.list_chunks()] == [p.chunk_id for p in POINTINGS]
    assert [c.chunk_id for c in backend.list_chunks(TimeRange(54540.01, 54540.035))] == [
        "066500220010.001",
        "066500230010.001",
    ]
    assert [c.chunk_id for c in backend.list_chunks(region=Cone(83.0, 22.0, 1.0))] == ["066500220010.001"]
    with pytest.raises(KeyError):
        backend.open_chunk("000000000000.001")


def test_same_seed_gives_byte_identical_chunks_and_cache_is_reused(tmp_path: Path) -> None:
    first = SimulatedBackend(tmp_path / "a", POINTINGS[:1], truth=TRUTH).open_chunk(POINTINGS[0].chunk_id)
    again = SimulatedBackend(tmp_path / "b", POINTINGS[:1], truth=TRUTH).open_chunk(POINTINGS[0].chunk_id)
    assert first.read_bytes() == again.read_bytes()
    stamp = first.stat().st_mtime_ns
    assert (
        SimulatedBackend(tmp_path / "a", POINTINGS[:1], truth=TRUTH).open_chunk(POINTINGS[0].chunk_id)
        == first
    )
    assert first.stat().st_mtime_ns == stamp
    other = SimulatedBackend(tmp_path / "c", POINTINGS[:1], truth=TRUTH, sim_version="2").open_chunk(
        POINTINGS[0].chunk_id
    )
    assert other.read_bytes() != first.read_bytes()
    assert not list(first.parent.glob("*.part"))


def test_file_says_what_it_is_and_slices_add_up(tmp_path: Path) -> None:
    backend = SimulatedBackend(tmp_path, POINTINGS, truth=TRUTH)
    path = backend.open_chunk(POINTINGS[0].chunk_id)
    with fits.open(path) as hdus:
        header = hdus[0].header
        assert header["SIMULATD"] is True and header["TIMESYS"] == "TT" and header["MJDREF"] == 51544.0
        assert header["TSTART"] == pytest.approx(float(mjd_utc_to_ijd(54540.0)))
    scw = read_scw(path)
    model = backend.instrument_model(54540.0)
    assert scw.counts.shape == (model.n_channels, 128, 128)
    assert scw.slices.shape[0] == 15
    for k, band in enumerate(scw.slice_bands):
        np.testing.assert_array_equal(
            scw.slices[:, k].sum(axis=0), scw.counts[model.band_channels(*band)].sum(axis=0)
        )
    assert np.all(scw.counts[:, model.dead] == 0)
    noisy_rate = scw.counts[:, model.noisy].mean()
    good = ~model.bad
    assert noisy_rate > 10 * scw.counts[:, good].mean()
    assert scw.slice_times[0, 0] == pytest.approx(scw.t_start)


def test_chunks_from_service_columns_keep_pointings_with_isgri_time() -> None:
    columns = {
        "scw_id": ["000100000021.001", "000100010010.001", "000100020010.001"],
        "scw_type": ["SLEW", "POINTING", "POINTING"],
        "ra": [1.0, 2.0, 3.0],
        "dec": [0.0, 0.0, 0.0],
        "posangle": [0.0, 0.0, 0.0],
        "t_start": [52600.0, 52600.1, 52600.2],
        "t_stop": [52600.1, 52600.2, 52600.3],
        "good_isgri": [0.0, 1800.0, 0.0],
    }
    (chunk,) = chunks_from_columns(columns)
    assert chunk.chunk_id == "000100010010.001" and chunk.exposure == 1800.0 and chunk.ra == 2.0
