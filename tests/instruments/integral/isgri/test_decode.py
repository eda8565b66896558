"""Balanced decoding: noise statistics of an empty field and the flux scale of an on-axis source."""

from __future__ import annotations

import numpy as np

from instruments.archive.simulated.truth import TruthSource
from instruments.integral.isgri.decode import decode
from instruments.integral.isgri.pif import SKY_CENTRE
from instruments.integral.spectra import CRAB
from tests.instruments.integral.isgri.conftest import CRAB_POSITION, Simulate, expected_rate, pointing_for


def test_empty_field_significance_is_standard_normal_in_the_fully_coded_field(simulate: Simulate) -> None:
    (shadow,), _ = simulate([], [pointing_for(CRAB_POSITION, 0.0, 0.0)])
    image = decode(shadow)
    fully_coded = image.exposure >= 0.999 * shadow.exposure
    sig = image.significance[fully_coded]
    assert sig.size > 100 * 100
    print(f"empty field: mean {sig.mean():.4f}, std {sig.std():.4f}, max |{np.abs(sig).max():.2f}|")
    assert abs(sig.mean()) < 0.05
    assert abs(sig.std() - 1.0) < 0.05
    assert np.abs(sig).max() < 6.0


def test_on_axis_source_reads_its_count_rate_at_the_centre(simulate: Simulate) -> None:
    (shadow,), model = simulate(
        [TruthSource("Crab", *CRAB_POSITION, CRAB)], [pointing_for(CRAB_POSITION, 0.0, 0.0)]
    )
    image = decode(shadow)
    peak = np.unravel_index(int(np.argmax(image.significance)), image.flux.shape)
    assert peak == (SKY_CENTRE, SKY_CENTRE)
    assert abs(image.flux[peak] / expected_rate(model, CRAB, shadow.weight) - 1.0) < 0.03
    ra, dec = image.wcs.pixel_to_world_values(SKY_CENTRE, SKY_CENTRE)
    assert np.allclose([ra, dec], [shadow.frame.ra, shadow.frame.dec])
