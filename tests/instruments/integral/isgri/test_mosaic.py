"""Mosaics: significance of N equal science windows grows as the square root of N, up to N = 100."""

from __future__ import annotations

import numpy as np
import pytest

from instruments.archive.simulated.truth import TruthSource
from instruments.integral.isgri.decode import SkyImage, decode
from instruments.integral.isgri.mask import SKY_PIXEL_DEG
from instruments.integral.isgri.mosaic import Mosaic, mosaic_wcs
from instruments.integral.spectra import CRAB
from tests.instruments.integral.isgri.conftest import CRAB_POSITION, Simulate, pointing_for

SOURCE = (CRAB_POSITION[0] + 1.0, CRAB_POSITION[1] - 0.5)


def _value_at(image: SkyImage, values: np.ndarray, position: tuple[float, float]) -> float:
    x, y = image.wcs.world_to_pixel_values(*position)
    return float(values[round(float(y)), round(float(x))])


def test_significance_grows_as_sqrt_n_up_to_100(simulate: Simulate) -> None:
    axis = pointing_for(SOURCE, 2.0, -1.5)
    shadows, _ = simulate([TruthSource("S", *SOURCE, CRAB.scaled(0.5))], [axis] * 100, exposure=500.0)
    # A grid turned and shifted against the ScW grids, so every image is really resampled.
    grid = mosaic_wcs(SOURCE[0] + 0.03, SOURCE[1] - 0.02, size=61, rotation=17.0)
    mosaic, grown, per_scw = Mosaic(grid), {}, []
    for n, shadow in enumerate(shadows, start=1):
        image = decode(shadow)
        mosaic.add(image)
        if n in (1, 4, 16, 36, 100):
            result = mosaic.result()
            grown[n] = _value_at(result, result.significance, SOURCE)
        if n <= 25:
            # The single-ScW significance on the same grid, averaged to make a precise reference.
            lone = Mosaic(grid)
            lone.add(image)
            per_scw.append(_value_at(lone.result(), lone.result().significance, SOURCE))
    mean_single = float(np.mean(per_scw))
    assert mean_single > 20.0
    print(
        f"one ScW {mean_single:.1f} sigma; significance / (sqrt(N) x one ScW's):",
        {n: round(float(sig / (np.sqrt(n) * mean_single)), 3) for n, sig in grown.items()},
    )
    for n, sig in grown.items():
        assert sig / (np.sqrt(n) * mean_single) == pytest.approx(1.0, abs=0.10), n
    assert mosaic.count == 100
    total = mosaic.result()
    assert _value_at(total, total.exposure, SOURCE) == pytest.approx(100 * 500.0, rel=0.01)


def test_resampling_keeps_the_integral_of_a_source(simulate: Simulate) -> None:
    axis = pointing_for(SOURCE, 1.0, 1.0)
    (shadow,), _ = simulate([TruthSource("S", *SOURCE, CRAB)], [axis])
    image = decode(shadow)
    mosaic = Mosaic(
        mosaic_wcs(SOURCE[0], SOURCE[1], size=41, pixel_deg=SKY_PIXEL_DEG, rotation=-40.0), oversample=3
    )
    mosaic.add(image)
    x, y = image.wcs.world_to_pixel_values(*SOURCE)
    r, c = round(float(y)), round(float(x))
    around_source = float(image.flux[r - 6 : r + 7, c - 6 : c + 7].sum())
    resampled = mosaic.result().flux
    assert float(resampled[20 - 6 : 20 + 7, 20 - 6 : 20 + 7].sum()) == pytest.approx(around_source, rel=0.02)


def test_mosaic_refuses_an_empty_result_and_mixed_bands(simulate: Simulate) -> None:
    mosaic = Mosaic(mosaic_wcs(SOURCE[0], SOURCE[1], size=5))
    with pytest.raises(ValueError, match="no images"):
        mosaic.result()
    (low,), _ = simulate([], [SOURCE])
    mosaic.add(decode(low))
    image = decode(low)
    other = SkyImage(image.flux, image.variance, image.exposure, image.wcs, (40.0, 100.0))
    with pytest.raises(ValueError, match="band"):
        mosaic.add(other)
