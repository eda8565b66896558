"""Mosaics of JEM-X images (ISGRI's variance-weighted mosaic on 3.34 arcmin pixels): significance grows as
the square root of the number of equal science windows up to N = 100, and a steady source's flux stays
within the noise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from instruments.archive.simulated.truth import TruthSource
from instruments.integral.isgri.decode import SkyImage
from instruments.integral.isgri.mosaic import Mosaic, mosaic_wcs
from instruments.integral.jemx.decode import decode
from instruments.integral.jemx.mask import SKY_PIXEL_DEG
from instruments.integral.jemx.scw import shadowgram
from instruments.integral.spectra import PowerLaw, mcrab_norm
from tests.instruments.integral.isgri.conftest import pointing_for
from tests.instruments.integral.jemx.conftest import CRAB_POSITION, scws_in


def _peak(image: SkyImage, values: np.ndarray) -> float:
    """The largest value within 2 pixels of the source (the source sits between pixel centres)."""
    x, y = image.wcs.world_to_pixel_values(*CRAB_POSITION)
    row, col = round(float(y)), round(float(x))
    return float(values[row - 2 : row + 3, col - 2 : col + 3].max())


def test_significance_grows_as_root_n_up_to_100(tmp_path: Path) -> None:
    source = PowerLaw(mcrab_norm(20.0, 2.1, band=(3.0, 35.0)), 2.1)
    truth = [TruthSource("steady", *CRAB_POSITION, source)]
    scws, model = scws_in(tmp_path, truth, [pointing_for(CRAB_POSITION, 0.5, -0.3)] * 100)
    grid = mosaic_wcs(*CRAB_POSITION, size=201, pixel_deg=SKY_PIXEL_DEG)
    mosaic, grown, single = Mosaic(grid), {}, []
    for n, scw in enumerate(scws, start=1):
        image = decode(shadowgram(scw, model, (3.0, 35.0)))
        mosaic.add(image)
        if n in (1, 4, 16, 36, 100):
            result = mosaic.result()
            grown[n] = (_peak(result, result.significance), _peak(result, result.flux))
        if n <= 25:
            # Single-ScW significance and flux on the same grid, averaged to make a precise reference.
            lone = Mosaic(grid)
            lone.add(image)
            alone = lone.result()
            single.append((_peak(alone, alone.significance), _peak(alone, alone.flux)))
    mean_significance, mean_flux = (float(np.mean(column)) for column in zip(*single, strict=True))
    print(
        f"one ScW: significance {mean_significance:.1f}, flux {mean_flux:.3f}; mosaics (significance / "
        "sqrt(N) / one ScW's):",
        {n: round(float(sig / np.sqrt(n) / mean_significance), 3) for n, (sig, _) in grown.items()},
        "flux / one ScW's:",
        {n: round(flux / mean_flux, 3) for n, (_, flux) in grown.items()},
    )
    assert mean_significance > 5.0
    for n, (significance, flux) in grown.items():
        assert significance / (np.sqrt(n) * mean_significance) == pytest.approx(1.0, abs=0.10), n
        # the flux within three of its own errors (1/significance) and the reference's (about 1 %)
        assert flux / mean_flux == pytest.approx(1.0, abs=3.0 / significance + 0.03), n
    assert mosaic.count == 100
