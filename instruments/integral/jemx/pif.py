"""Pixel illumination fraction (PIF) of the JEM-X detector, and the collimator response.

As for ISGRI, mask and detector are parallel planes, so a source at tangent-plane offsets (u, v) throws the
mask's shadow shifted by (H u, H v), and with square cells the open area seen by a pixel is the product of
one-dimensional overlaps: ``PIF = O_y(u) . M . O_z(v)^T``.  The gas detector places photons with a finite
resolution (``RESOLUTION_MM``), which blurs the shadow's edges; the blur is a Gaussian, separable too, so it
goes into the overlaps.  Without it the fit of a source position would peak in a cusp wherever the shadow's
edges meet pixel edges, and every error of position would bias the flux.  The detector pitch equals the mask
element and pixel edges fall on element edges on axis, so the decoding lattice is the mask itself: a source
whose shadow shift is a whole number of pitches illuminates pixel k like mask cell ``k + s + LATTICE_OFFSET``
(less the blur, which the decoding leaves out: images are for finding sources, fluxes come from the fit).

The collimator in front of the detector passes 1 - (tan theta / tan 6.6 deg)^2 of the flux: nothing at
6.6 deg, the edge of the 13.2 deg zero-response field, and 0.71 at 3.75 deg, where the mask's shadow still
covers 70 % of the detector, so that the response is half its on-axis value there (the 7.5 deg
half-response field); a law linear in the tangent would put the half response near 3 deg.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from instruments.integral.jemx.mask import (
    DETECTOR_PIXELS,
    ELEMENT_MM,
    MASK_DIAMETER_MM,
    MASK_ELEMENTS,
    MASK_HEIGHT_MM,
    PITCH_MM,
    SKY_PIXEL_DEG,
    detector_disc,
    jemx_mask,
)

__all__ = [
    "COLLIMATOR_ZERO_DEG",
    "LATTICE_OFFSET",
    "RESOLUTION_MM",
    "SKY_CENTRE",
    "SKY_PIXELS",
    "collimator_response",
    "lattice_mask",
    "pif",
    "source_shadow",
]

F64 = NDArray[np.float64]

#: Off-axis angle (deg) where the collimator stops all flux.
COLLIMATOR_ZERO_DEG = 6.6
#: Position resolution of the detector (Gaussian sigma, mm): it blurs the edges of the mask's shadow.
RESOLUTION_MM = 0.6
#: Diagonals of the overlap matrix on each side of the main one that the blur reaches (it is below 1e-9
#: beyond 6 sigma, far less than a pitch).
_BAND = 2
#: Mask cell seen by detector pixel 0 on axis.
LATTICE_OFFSET = MASK_ELEMENTS // 2 - DETECTOR_PIXELS // 2
#: Sky image size: every relative shift at which detector and mask overlap.
SKY_PIXELS = MASK_ELEMENTS + DETECTOR_PIXELS - 1
#: Sky pixel of the pointing axis (0-based).
SKY_CENTRE = DETECTOR_PIXELS - 1 + LATTICE_OFFSET

_ELEMENT_EDGES: F64 = np.asarray(
    (np.arange(MASK_ELEMENTS + 1) - MASK_ELEMENTS / 2.0) * ELEMENT_MM, dtype=np.float64
)


def collimator_response(theta_deg: ArrayLike) -> F64:
    """Collimator transmission (0..1) at off-axis angle ``theta_deg``."""
    tan = np.tan(np.radians(np.asarray(theta_deg, dtype=np.float64)))
    ratio = tan / np.tan(np.radians(COLLIMATOR_ZERO_DEG))
    return np.asarray(np.clip(1.0 - ratio**2, 0.0, 1.0), dtype=np.float64)


def _smoothed_step_integral(t: F64) -> F64:
    """Integral of the standard normal CDF from -inf to ``t``: t Phi(t) + phi(t).

    Phi uses the Abramowitz & Stegun 7.1.26 form of erf (absolute error below 1.5e-7): numpy has no erf,
    and this runs on whole overlap matrices at every trial position of a source."""
    x = np.abs(t) / np.sqrt(2.0)
    k = 1.0 / (1.0 + 0.3275911 * x)
    poly = k * (0.254829592 + k * (-0.284496736 + k * (1.421413741 + k * (-1.453152027 + k * 1.061405429))))
    erf = 1.0 - poly * np.exp(-(x**2))
    cdf = 0.5 * (1.0 + np.sign(t) * erf)
    return np.asarray(t * cdf + np.exp(-0.5 * t**2) / np.sqrt(2.0 * np.pi), dtype=np.float64)


def _pixel_overlap(tan_offset: float) -> F64:
    """Fraction of each detector pixel's strip receiving each mask element's shadow: (pixels, elements).

    The shadow's edges are blurred by the detector's position resolution (a Gaussian of ``RESOLUTION_MM``):
    the fraction is the pixel's mean of Phi((x - a)/s) - Phi((x - b)/s) for an element [a, b].  Pixel and
    element share one size, so it depends only on r, the pixel's start less the element's in pitches:
    f(r) = s (G((r + 1)/s) - 2 G(r/s) + G((r - 1)/s)) with s in pitches, non-zero on a few diagonals only.
    """
    shift = MASK_HEIGHT_MM * tan_offset / PITCH_MM + LATTICE_OFFSET
    whole = int(np.floor(shift))
    s = RESOLUTION_MM / PITCH_MM
    overlap = np.zeros((DETECTOR_PIXELS, MASK_ELEMENTS))
    k = np.arange(DETECTOR_PIXELS)
    g = _smoothed_step_integral
    for m in range(-_BAND, _BAND + 2):
        r = np.array([shift - whole - m])
        value = float((s * (g((r + 1.0) / s) - 2.0 * g(r / s) + g((r - 1.0) / s)))[0])
        j = k + whole + m
        inside = (j >= 0) & (j < MASK_ELEMENTS)
        overlap[k[inside], j[inside]] = max(value, 0.0)
    return overlap


@cache
def _float_mask() -> F64:
    return np.asarray(jemx_mask(), dtype=np.float64)


def pif(u: float, v: float) -> F64:
    """PIF (0..1) of every pixel [y, z] for a source at tangent-plane offsets (u, v) radians; zero off the
    detector disc."""
    shadow = _pixel_overlap(u) @ _float_mask() @ _pixel_overlap(v).T
    return np.asarray(np.where(detector_disc(), shadow, 0.0), dtype=np.float64)


def source_shadow(u: float, v: float) -> F64:
    """Expected rate per pixel of a unit source at (u, v) sky pixels from the axis: PIF x collimator."""
    scale = np.radians(SKY_PIXEL_DEG)
    theta = np.degrees(np.arctan(np.hypot(u, v) * scale))
    return np.asarray(pif(u * scale, v * scale) * collimator_response(theta), dtype=np.float64)


@cache
def lattice_mask() -> tuple[F64, F64]:
    """(open, inside) per mask cell [y, z]: the pattern, and the cells inside the mask disc."""
    c = (np.arange(MASK_ELEMENTS) - (MASK_ELEMENTS - 1) / 2.0) * ELEMENT_MM
    inside = np.asarray(np.hypot(c[:, None], c[None, :]) <= MASK_DIAMETER_MM / 2.0, dtype=np.float64)
    open_ = _float_mask().copy()
    for array in (open_, inside):
        array.setflags(write=False)
    return open_, inside
