"""The IBIS mask: a MURA of order 53 extended cyclically to 95 x 95, and the ISGRI module gaps."""

from __future__ import annotations

import numpy as np
import pytest

from instruments.integral.isgri.mask import SKY_PIXEL_DEG, ibis_mask, module_gaps, mura


def test_mura_decodes_to_a_delta() -> None:
    pattern = mura(53).astype(np.float64)
    decoding = 2.0 * pattern - 1.0
    decoding[0, 0] = 1.0
    spectrum = np.fft.fft2(pattern)
    correlation = np.real(np.fft.ifft2(np.conj(np.fft.fft2(decoding)) * spectrum))
    off_peak = np.delete(correlation.ravel(), 0)
    assert correlation[0, 0] == pytest.approx((53 * 53 - 1) / 2)
    assert np.allclose(off_peak, 0.0)


def test_mask_is_cyclic_half_open_and_fixed() -> None:
    mask = ibis_mask()
    assert mask.shape == (95, 95)
    assert mask.mean() == pytest.approx(0.5, abs=0.01)
    np.testing.assert_array_equal(mask[:42], mask[53:])
    np.testing.assert_array_equal(mask[:, :42], mask[:, 53:])
    assert not mask.flags.writeable
    with pytest.raises(ValueError):
        mura(51)


def test_gaps_and_sky_pixel() -> None:
    gaps = module_gaps()
    assert gaps[64].all() and gaps[:, 32].all() and gaps[:, 96].all() and not gaps[10, 10]
    assert abs(SKY_PIXEL_DEG * 60.0 - 4.94) < 0.01
