"""Source positions: a quick Gaussian-PSF estimate in the sky image, refined by the shadowgram fit.

The sky image gives a start: the system PSF is close to a 12 arcmin Gaussian near its core, and the logarithm
of a Gaussian is a parabola, so three pixels per axis fix its centre.  The final position maximises the
improvement in chi-square of the detector data when the source's exact shadowgram is added; its curvature
gives the error ellipse.  Positions are in sky pixels (tangent-plane offsets over the sky pixel).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from instruments.integral.isgri.mask import SKY_PIXEL_DEG

__all__ = ["R90_PER_SIGMA", "gaussian_peak", "refine_position"]

F64 = NDArray[np.float64]

#: 90 % containment radius of a circular 2-D Gaussian in units of its sigma: sqrt(-2 ln 0.1).
R90_PER_SIGMA = float(np.sqrt(-2.0 * np.log(0.1)))
_STEPS = (0.5, 0.25, 0.12)


def _vertex(minus: float, centre: float, plus: float) -> float:
    """Offset (-0.5..0.5) of the peak of a Gaussian through three equally spaced positive samples; a plain
    parabola where a sample is not positive."""
    if min(minus, centre, plus) > 0.0:
        minus, centre, plus = np.log(minus), np.log(centre), np.log(plus)
    curvature = minus - 2.0 * centre + plus
    return float(np.clip(0.5 * (minus - plus) / curvature, -0.5, 0.5)) if curvature < 0.0 else 0.0


def gaussian_peak(image: F64, peak: tuple[int, int]) -> tuple[float, float]:
    """Sub-pixel (row, column) of the Gaussian through a local maximum and its four neighbours."""
    r, c = peak
    rows, cols = image.shape
    if not (0 < r < rows - 1 and 0 < c < cols - 1):
        return float(r), float(c)
    dr = _vertex(image[r - 1, c], image[r, c], image[r + 1, c])
    dc = _vertex(image[r, c - 1], image[r, c], image[r, c + 1])
    return r + dr, c + dc


def _gain(residual: F64, good: NDArray[np.bool_], variance: float, shadow: F64) -> float:
    """Chi-square improvement of adding ``shadow`` with a free flux; its flat part is removed first because
    the background level is free as well."""
    s = shadow[good] - shadow[good].mean()
    norm = float(s @ s)
    return 0.0 if norm <= 0.0 else float((residual[good] @ s) ** 2 / (variance * norm))


def refine_position(
    residual: F64,
    weight: F64,
    variance: float,
    start: tuple[float, float],
    shadow_of: Callable[[float, float], F64],
) -> tuple[float, float, float]:
    """(u, v, 90 % error radius in arcmin) maximising the chi-square gain of ``shadow_of(u, v)`` against
    ``residual`` (the data less all other sources and the background); ``variance`` is the typical pixel
    variance that turns the gain into chi-square units."""
    good = weight > 0.0
    u, v = start
    grid = np.arange(-2, 3, dtype=np.float64)
    du, dv = (g.ravel() for g in np.meshgrid(grid, grid, indexing="ij"))
    design = np.column_stack([np.ones_like(du), du, dv, du**2, du * dv, dv**2])
    coef = np.zeros(6)
    step = _STEPS[-1]
    for step in _STEPS:
        gains = np.array(
            [
                _gain(residual, good, variance, shadow_of(u + step * a, v + step * b))
                for a, b in zip(du, dv, strict=True)
            ]
        )
        coef = np.linalg.lstsq(design, gains, rcond=None)[0]
        hessian = np.array([[2.0 * coef[3], coef[4]], [coef[4], 2.0 * coef[5]]])
        if np.all(np.linalg.eigvalsh(hessian) < 0.0):
            offset = np.clip(np.linalg.solve(hessian, -coef[1:3]), -2.0, 2.0)
        else:
            best = int(np.argmax(gains))
            offset = np.array([du[best], dv[best]])
        u, v = u + step * float(offset[0]), v + step * float(offset[1])
    # chi2 = const - gain, so its Hessian in pixels^2 is minus the gain's; covariance = 2 inverse Hessian.
    hessian = -np.array([[2.0 * coef[3], coef[4]], [coef[4], 2.0 * coef[5]]]) / step**2
    if np.all(np.linalg.eigvalsh(hessian) > 0.0):
        sigma = float(np.sqrt(np.trace(2.0 * np.linalg.inv(hessian)) / 2.0))
    else:
        sigma = 1.0
    return u, v, R90_PER_SIGMA * sigma * SKY_PIXEL_DEG * 60.0
