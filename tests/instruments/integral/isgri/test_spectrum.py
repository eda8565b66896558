"""Spectra: a Gamma = 2.1, 100 mCrab source observed for 100 ks, next to the Crab, and its OGIP files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits

from instruments.archive.simulated.truth import TruthSource
from instruments.integral.isgri.model import IsgriModel
from instruments.integral.isgri.ogip import write_ogip_spectrum
from instruments.integral.isgri.scw import ScienceWindow
from instruments.integral.isgri.spectrum import SourceSpectrum, Target, extract_spectra, fit_power_law
from instruments.integral.spectra import CRAB, PowerLaw, band_photon_flux, mcrab_norm
from tests.instruments.integral.isgri.conftest import CRAB_POSITION, scws_in

SOURCE = (CRAB_POSITION[0] + 1.0, CRAB_POSITION[1])
TRUE = PowerLaw(mcrab_norm(100.0, 2.1), 2.1)


@pytest.fixture(scope="module")
def spectra(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict[str, SourceSpectrum], IsgriModel, list[ScienceWindow]]:
    truth = [TruthSource("S", *SOURCE, TRUE), TruthSource("Crab", *CRAB_POSITION, CRAB)]
    axes = [(SOURCE[0] + 0.5 * np.cos(i), SOURCE[1] + 0.5 * np.sin(i)) for i in range(30)]
    scws, model = scws_in(tmp_path_factory.mktemp("spectra"), truth, axes, exposure=3400.0)
    targets = [Target("S", *SOURCE), Target("Crab", *CRAB_POSITION), Target("far away", 200.0, -40.0)]
    return extract_spectra(scws, model, targets), model, scws


def test_power_law_of_a_100_mcrab_source_in_100_ks(
    spectra: tuple[dict[str, SourceSpectrum], IsgriModel, list[ScienceWindow]],
) -> None:
    found, _, _ = spectra
    assert sorted(found) == ["Crab", "S"]
    fit = fit_power_law(found["S"])
    print(f"100 mCrab source: index {fit.index:.3f} +- {fit.index_err:.3f}, chi2 {fit.chi2:.1f}/{fit.dof}")
    assert abs(fit.index - 2.1) < 0.05
    assert fit.norm == pytest.approx(TRUE.norm, rel=0.05)
    assert 0.3 < fit.chi2 / fit.dof < 2.5
    fitted = band_photon_flux(PowerLaw(fit.norm, fit.index), 20.0, 40.0)
    assert fitted == pytest.approx(band_photon_flux(TRUE, 20.0, 40.0), rel=0.05)
    # The Crab is curved, and 1 % of it would be visible: a single power law must not fit it.
    crab = fit_power_law(found["Crab"])
    assert crab.chi2 / crab.dof > 3.0


def test_ogip_files(
    spectra: tuple[dict[str, SourceSpectrum], IsgriModel, list[ScienceWindow]], tmp_path: Path
) -> None:
    found, model, _ = spectra
    pha, rmf, arf = write_ogip_spectrum(found["S"], tmp_path, "s")
    with fits.open(pha) as hdus:
        table = hdus["SPECTRUM"]
        assert table.header["RESPFILE"] == rmf.name and table.header["ANCRFILE"] == arf.name
        assert table.header["EXPOSURE"] == pytest.approx(30 * 3400.0)
        np.testing.assert_allclose(table.data["RATE"], found["S"].rate, rtol=1e-6)
    with fits.open(rmf) as hdus:
        matrix = np.asarray(hdus["MATRIX"].data["MATRIX"])
        assert matrix.shape == (400, model.n_channels)
        assert np.all(matrix.sum(axis=1) <= 1.0 + 1e-6)
    with fits.open(arf) as hdus:
        assert float(hdus["SPECRESP"].data["SPECRESP"].max()) > 1000.0
