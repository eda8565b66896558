"""The simulated JEM-X archive: deterministic, cached per unit, documented as simulated, same truth sky."""

from __future__ import annotations

from pathlib import Path

import pytest
from astropy.io import fits

from instruments.archive.seeding import chunk_seed
from instruments.archive.simulated.jemx_backend import JemxBackend
from instruments.archive.simulated.truth import TruthSource
from instruments.integral.jemx.scw import read_scw
from instruments.integral.spectra import CRAB
from tests.instruments.integral.jemx.conftest import CRAB_POSITION, infos_at

TRUTH = [TruthSource("Crab", *CRAB_POSITION, CRAB)]


def test_same_scw_gives_identical_bytes_and_units_differ(tmp_path: Path) -> None:
    infos = infos_at([CRAB_POSITION])
    scw = infos[0].chunk_id
    first = JemxBackend(tmp_path / "a", infos, unit=1, truth=TRUTH).open_chunk(scw)
    again = JemxBackend(tmp_path / "b", infos, unit=1, truth=TRUTH).open_chunk(scw)
    other = JemxBackend(tmp_path / "a", infos, unit=2, truth=TRUTH).open_chunk(scw)
    assert first.read_bytes() == again.read_bytes()
    assert first.read_bytes() != other.read_bytes()
    assert first.relative_to(tmp_path / "a").parts[0] == "jemx1"
    assert other.relative_to(tmp_path / "a").parts[0] == "jemx2"
    assert chunk_seed("jemx1", scw, "1") != chunk_seed("jemx2", scw, "1")
    with fits.open(first) as hdus:
        assert hdus[0].header["SIMULATD"] is True
        assert "SIMULATED" in hdus[0].header.comments["ORIGIN"]
    window = read_scw(other)
    assert window.unit == 2 and window.counts.shape == (11, 76, 76)


def test_unknown_scw_and_unit_refused(tmp_path: Path) -> None:
    backend = JemxBackend(tmp_path, infos_at([CRAB_POSITION]), unit=1, truth=TRUTH)
    with pytest.raises(KeyError):
        backend.open_chunk("066599990010.001")
    with pytest.raises(ValueError, match="units 1 and 2"):
        JemxBackend(tmp_path, [], unit=3)


def test_default_truth_is_the_isgri_one(tmp_path: Path) -> None:
    from instruments.archive.simulated.backend import SimulatedBackend

    jemx = JemxBackend(tmp_path, [], unit=1)
    isgri = SimulatedBackend(tmp_path, [])
    assert jemx._truth == isgri._truth
