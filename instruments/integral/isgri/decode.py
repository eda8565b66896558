"""Balanced cross-correlation decoding of one shadowgram into flux, variance and significance sky images.

For every sky pixel (a shadow shift of a whole number of detector pitches) the flux is the mean rate of the
pixels that see open mask cells minus the mean rate of those that see closed ones, both taken over the good
pixels that see the mask at all in that direction.  Taking the means over the illuminated part only is what
"balanced" means: a flat background cancels in the partially coded field too.  The difference is divided by
the response to a unit source at that pixel (fractional lattice cells included) and by the off-axis
transmission, and multiplied by the number of open good pixels on axis, so the images read in on-axis
equivalent counts s^-1.  All sums over the detector are correlations with lattice arrays, done by FFT.
numpy.fft is used rather than scipy, which the project does not depend on.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from astropy.wcs import WCS
from numpy.typing import NDArray

from instruments.integral.isgri.mask import DETECTOR_PIXELS, SKY_PIXEL_DEG
from instruments.integral.isgri.model import offaxis_response
from instruments.integral.isgri.pif import LATTICE_CELLS, SKY_CENTRE, SKY_PIXELS, lattice_mask
from instruments.integral.isgri.scw import Shadowgram

__all__ = ["MIN_CODING", "SkyImage", "decode", "fit_background"]

F64 = NDArray[np.float64]

#: Smallest coded fraction of the detector for which a sky pixel is decoded.
MIN_CODING = 0.02
_FFT = 1 << int(np.ceil(np.log2(LATTICE_CELLS + DETECTOR_PIXELS - 1)))
_LAGS = np.arange(-(DETECTOR_PIXELS - 1), LATTICE_CELLS) % _FFT


@dataclass(frozen=True, eq=False)
class SkyImage:
    """Sky images on the grid ``wcs``: ``flux`` and ``variance`` (on-axis equivalent counts s^-1), the
    effective ``exposure`` (s, exposure times coded fraction), infinite variance where nothing was decoded."""

    flux: F64
    variance: F64
    exposure: F64
    wcs: WCS
    band: tuple[float, float]

    @property
    def significance(self) -> F64:
        with np.errstate(divide="ignore", invalid="ignore"):
            sig = self.flux / np.sqrt(self.variance)
        return np.asarray(
            np.where(np.isfinite(self.variance) & (self.variance > 0.0), sig, 0.0), dtype=np.float64
        )


@cache
def _mask_spectra() -> dict[str, NDArray[np.complex128]]:
    open_, inside = lattice_mask()
    closed = inside - open_
    arrays = {"o": open_, "c": closed, "oo": open_**2, "oc": open_ * closed, "cc": closed**2}
    return {key: np.fft.rfft2(array, s=(_FFT, _FFT)) for key, array in arrays.items()}


def _correlate(detector_spectrum: NDArray[np.complex128], key: str) -> F64:
    """Sum over detector pixels k of X[k] L[k + lag] for every lag, as the sky image [u, v]."""
    full = np.fft.irfft2(np.conj(detector_spectrum) * _mask_spectra()[key], s=(_FFT, _FFT))
    return np.asarray(full[np.ix_(_LAGS, _LAGS)], dtype=np.float64)


@cache
def _offaxis_grid() -> F64:
    tan = (np.arange(SKY_PIXELS) - SKY_CENTRE) * np.radians(SKY_PIXEL_DEG)
    theta = np.degrees(np.arctan(np.hypot(tan[:, None], tan[None, :])))
    return offaxis_response(theta)


def fit_background(shadow: Shadowgram, data: F64 | None = None) -> F64:
    """Flat level plus template: least squares of ``data`` (default the rates) against 1 and the template's
    departure from its mean, over good pixels.  Fitting the departure keeps the level of the template free of
    the sources, whose shadows average out over a pattern that varies slowly across the detector."""
    d = shadow.rate if data is None else data
    good = shadow.weight > 0.0
    t = shadow.background - shadow.background[good].mean()
    design = np.column_stack([np.ones(int(good.sum())), t[good]])
    coef = np.linalg.lstsq(design, d[good], rcond=None)[0]
    return np.asarray((coef[0] + coef[1] * t) * shadow.weight, dtype=np.float64)


def decode(shadow: Shadowgram, data: F64 | None = None) -> SkyImage:
    """Decode ``data`` (default: the shadowgram's rates less their fitted background) on the ScW's sky grid."""
    d = shadow.rate - fit_background(shadow) if data is None else data
    w = shadow.weight
    spectra = {
        "w": np.fft.rfft2(w, s=(_FFT, _FFT)),
        "wd": np.fft.rfft2(w * d, s=(_FFT, _FFT)),
        "wv": np.fft.rfft2(w**2 * shadow.variance, s=(_FFT, _FFT)),
    }
    a, c = _correlate(spectra["w"], "o"), _correlate(spectra["w"], "c")
    coding = (a + c) / w.sum()
    valid = (coding >= MIN_CODING) & (a > 0.5) & (c > 0.5)
    a, c = np.where(valid, a, 1.0), np.where(valid, c, 1.0)
    signal = _correlate(spectra["wd"], "o") / a - _correlate(spectra["wd"], "c") / c
    response = (_correlate(spectra["w"], "oo") / a - _correlate(spectra["w"], "oc") / c) * _offaxis_grid()
    noise = (
        _correlate(spectra["wv"], "oo") / a**2
        - 2.0 * _correlate(spectra["wv"], "oc") / (a * c)
        + _correlate(spectra["wv"], "cc") / c**2
    )
    valid &= response > 0.05
    scale = a[SKY_CENTRE, SKY_CENTRE] / np.where(valid, response, 1.0)
    return SkyImage(
        flux=np.where(valid, signal * scale, 0.0),
        variance=np.where(valid, np.maximum(noise, 0.0) * scale**2, np.inf),
        exposure=np.where(valid, coding * shadow.exposure, 0.0),
        wcs=shadow.frame.sky_wcs(),
        band=shadow.band,
    )
