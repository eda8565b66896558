"""JEM-X spectra: the Crab's power law recovered by forward folding, OGIP files consistent with one another."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from astropy.io import fits

from instruments.archive.simulated.truth import TruthSource
from instruments.integral.isgri.spectrum import Target, fit_power_law
from instruments.integral.jemx.spectrum import extract_spectra, write_ogip_spectrum
from instruments.integral.spectra import CRAB, PowerLaw, mcrab_norm
from tests.instruments.integral.isgri.conftest import pointing_for
from tests.instruments.integral.jemx.conftest import CRAB_POSITION, scws_in

NEIGHBOUR = (CRAB_POSITION[0] + 1.0, CRAB_POSITION[1] - 0.5)


def test_crab_index_and_norm_with_a_neighbour_fitted_together(tmp_path: Path) -> None:
    neighbour = PowerLaw(mcrab_norm(300.0, 1.0, cutoff=20.0, band=(3.0, 35.0)), 1.0, 20.0)
    truth = [TruthSource("Crab", *CRAB_POSITION, CRAB), TruthSource("Other", *NEIGHBOUR, neighbour)]
    axes = [pointing_for(CRAB_POSITION, u, v) for u, v in ((0.3, 0.2), (-1.0, 1.2))]
    scws, model = scws_in(tmp_path, truth, axes)
    targets = [Target("Crab", *CRAB_POSITION), Target("Other", *NEIGHBOUR)]
    parts = [extract_spectra(scw, model, targets)["Crab"] for scw in scws]
    inverse = sum(p.error**-2 for p in parts)
    rate = sum(p.rate * p.error**-2 for p in parts) / inverse
    spectrum = type(parts[0])("Crab", rate, inverse**-0.5, 4000.0, parts[0].arf, model)
    fit = fit_power_law(spectrum)
    truth_norm = float(CRAB(10.0) / (10.0 / 100.0) ** -fit.index)  # the Crab at 10 keV, seen as a power law
    print(f"Crab: index {fit.index:.3f} +- {fit.index_err:.3f}, chi2 {fit.chi2:.1f}/{fit.dof}")
    assert abs(fit.index - 1.98) < 0.05
    assert abs(fit.norm / truth_norm - 1.0) < 0.05
    assert fit.chi2 / fit.dof < 3.0
    predicted = spectrum.predicted(CRAB)
    assert np.all(np.abs(spectrum.rate - predicted) < 5.0 * spectrum.error + 0.03 * predicted)

    pha, rmf, arf = write_ogip_spectrum(spectrum, tmp_path, unit=1)
    with fits.open(pha) as p, fits.open(rmf) as r, fits.open(arf) as a:
        assert p["SPECTRUM"].header["INSTRUME"] == "JMX1"
        assert len(p["SPECTRUM"].data) == model.n_channels == len(r["EBOUNDS"].data)
        assert len(r["MATRIX"].data) == len(a["SPECRESP"].data) == model.true_energies[0].size
        assert r["MATRIX"].data["ENERG_LO"][0] == np.float32(1.5)


def test_power_law_of_a_100_mcrab_source_beside_the_crab(tmp_path: Path) -> None:
    """The brief's check for ISGRI, made for JEM-X: index of a 100 mCrab power law within 0.05, fitted with
    the Crab 1.1 deg away in the same field (ten 2 ks ScWs in a dither around both)."""
    true = PowerLaw(mcrab_norm(100.0, 2.1, band=(3.0, 35.0)), 2.1)
    truth = [TruthSource("S", *NEIGHBOUR, true), TruthSource("Crab", *CRAB_POSITION, CRAB)]
    axes = [pointing_for(NEIGHBOUR, 1.5 * np.cos(a), 1.5 * np.sin(a)) for a in np.linspace(0, 2 * np.pi, 10)]
    scws, model = scws_in(tmp_path, truth, axes)
    targets = [Target("S", *NEIGHBOUR), Target("Crab", *CRAB_POSITION)]
    parts = [found for scw in scws if (found := extract_spectra(scw, model, targets).get("S")) is not None]
    assert len(parts) == 10
    inverse = sum(p.error**-2 for p in parts)
    rate = sum(p.rate * p.error**-2 for p in parts) / inverse
    exposure = sum(p.exposure for p in parts)
    spectrum = type(parts[0])("S", rate, inverse**-0.5, exposure, parts[0].arf, model)
    fit = fit_power_law(spectrum)
    print(f"100 mCrab source: index {fit.index:.3f} +- {fit.index_err:.3f}, chi2 {fit.chi2:.1f}/{fit.dof}")
    assert abs(fit.index - 2.1) < 0.05
    assert abs(fit.norm / true.norm - 1.0) < 0.05
    assert fit.chi2 / fit.dof < 2.5
    # The errors are the scatter: per-ScW, per-channel pulls about the weighted mean have unit spread.
    pulls = np.array([(p.rate - rate) / p.error for p in parts])
    print(f"per-ScW pulls: std {pulls.std():.2f}")
    assert 0.85 < pulls.std() < 1.15
