"""Mosaics of JEM-X images (ISGRI's variance-weighted mosaic on 3.34 arcmin pixels): significance grows as
the square root of the number of equal science windows, and a steady source's flux stays within the noise."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from instruments.archive.simulated.truth import TruthSource
from instruments.integral.isgri.mosaic import Mosaic, mosaic_wcs
from instruments.integral.jemx.decode import decode
from instruments.integral.jemx.mask import SKY_PIXEL_DEG
from instruments.integral.jemx.scw import shadowgram
from instruments.integral.spectra import PowerLaw, mcrab_norm
from tests.instruments.integral.isgri.conftest import pointing_for
from tests.instruments.integral.jemx.conftest import CRAB_POSITION, scws_in


def test_significance_grows_as_root_n(tmp_path: Path) -> None:
    source = PowerLaw(mcrab_norm(20.0, 2.1, band=(3.0, 35.0)), 2.1)
    truth = [TruthSource("steady", *CRAB_POSITION, source)]
    scws, model = scws_in(tmp_path, truth, [pointing_for(CRAB_POSITION, 0.5, -0.3)] * 8)
    images = [decode(shadowgram(scw, model, (3.0, 35.0))) for scw in scws]
    peaks = {}
    for n in (1, 2, 4, 8):
        mosaic = Mosaic(mosaic_wcs(*CRAB_POSITION, size=201, pixel_deg=SKY_PIXEL_DEG))
        for image in images[:n]:
            mosaic.add(image)
        result = mosaic.result()
        x, y = result.wcs.world_to_pixel_values(*CRAB_POSITION)
        near = (
            slice(round(float(y)) - 2, round(float(y)) + 3),
            slice(round(float(x)) - 2, round(float(x)) + 3),
        )
        peaks[n] = (float(result.significance[near].max()), float(result.flux[near].max()))
    print("mosaic peaks (significance, flux):", peaks)
    for n in (2, 4, 8):
        assert abs(peaks[n][0] / peaks[1][0] / np.sqrt(n) - 1.0) < 0.1
        # the single image's flux carries its noise: 1/significance of itself
        assert abs(peaks[n][1] / peaks[1][1] - 1.0) < 3.0 / peaks[1][0]
