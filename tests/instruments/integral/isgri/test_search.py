"""IROS-like search on simulated science windows, against the validation thresholds of the design brief."""

from __future__ import annotations

import numpy as np

from instruments.archive.base import angular_distance
from instruments.archive.simulated.truth import TruthSource
from instruments.integral.isgri.mask import ELEMENT_MM, MASK_HEIGHT_MM, MURA_ORDER, SKY_PIXEL_DEG
from instruments.integral.isgri.pif import SKY_CENTRE
from instruments.integral.isgri.search import search_scw
from instruments.integral.spectra import CRAB
from tests.instruments.integral.isgri.conftest import CRAB_POSITION, Simulate, expected_rate, pointing_for

CRAB_TRUTH = [TruthSource("Crab", *CRAB_POSITION, CRAB)]


def test_on_axis_crab_position_within_half_arcmin_and_rate_within_3_percent(simulate: Simulate) -> None:
    (shadow,), model = simulate(CRAB_TRUTH, [pointing_for(CRAB_POSITION, 0.0, 0.0)])
    result = search_scw(shadow, catalogue=[])
    assert len(result.detections) == 1
    found = result.detections[0]
    assert found.new_source and found.name == "NEW_1"
    offset = angular_distance(found.ra, found.dec, *CRAB_POSITION) * 60.0
    ratio = found.flux / expected_rate(model, CRAB, shadow.weight)
    print(f"on-axis Crab: {offset:.3f} arcmin off, rate {ratio:.4f} of the expected")
    assert offset < 0.5
    assert abs(ratio - 1.0) < 0.03
    assert found.offaxis < 0.2
    assert 0.0 < found.err_rad < 0.5


def test_crab_ten_degrees_off_axis_within_1_5_arcmin_and_10_percent(simulate: Simulate) -> None:
    (shadow,), model = simulate(CRAB_TRUTH, [pointing_for(CRAB_POSITION, 7.07, 7.07)])
    result = search_scw(shadow)
    assert [d.name for d in result.detections] == ["Crab"]
    found = result.detections[0]
    assert not found.new_source
    assert abs(found.offaxis - 10.0) < 0.3
    offset = angular_distance(found.ra, found.dec, *CRAB_POSITION) * 60.0
    ratio = found.flux / expected_rate(model, CRAB, shadow.weight)
    print(f"Crab {found.offaxis:.2f} deg off axis: {offset:.3f} arcmin off, rate {ratio:.4f} of the expected")
    assert offset < 1.5
    assert abs(ratio - 1.0) < 0.10


def test_ghosts_of_a_one_crab_source_fall_below_4_sigma_after_cleaning(simulate: Simulate) -> None:
    # 8.5 deg off axis along one mask axis: the cyclic mask repeats its pattern 53 elements (10.6 deg) away,
    # so ghosts land at -2.1 deg, in the fully coded field, and on either side of it.
    (shadow,), _ = simulate(CRAB_TRUTH, [pointing_for(CRAB_POSITION, 8.5, 0.5)])
    result = search_scw(shadow)
    assert [d.name for d in result.detections] == ["Crab"]
    u, v = shadow.frame.to_instrument(*CRAB_POSITION)
    pixel = np.radians(SKY_PIXEL_DEG)
    period = MURA_ORDER * ELEMENT_MM / MASK_HEIGHT_MM / pixel
    before, after = result.image.significance, result.residual.significance
    ghosts = 0
    for du, dv in [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1)]:
        r = round(float(u) / pixel + du * period) + SKY_CENTRE
        c = round(float(v) / pixel + dv * period) + SKY_CENTRE
        if (
            not (1 <= r < before.shape[0] - 1 and 1 <= c < before.shape[1] - 1)
            or result.image.exposure[r, c] == 0
        ):
            continue
        ghosts += 1
        assert before[r - 1 : r + 2, c - 1 : c + 2].max() > 20.0
        print(
            f"ghost at ({du}, {dv}) periods: {before[r - 1 : r + 2, c - 1 : c + 2].max():.1f} sigma before "
            f"cleaning, {np.abs(after[r - 1 : r + 2, c - 1 : c + 2]).max():.1f} after"
        )
        assert np.abs(after[r - 1 : r + 2, c - 1 : c + 2]).max() < 4.0
    assert ghosts >= 3


def test_empty_field_gives_no_detection(simulate: Simulate) -> None:
    (shadow,), _ = simulate([], [pointing_for(CRAB_POSITION, 0.0, 0.0)])
    result = search_scw(shadow, detection_threshold=6.0)
    assert result.detections == ()
