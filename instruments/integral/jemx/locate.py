"""Source positions refined on the JEM-X detector: a coarse-to-fine grid search of the shadowgram fit.

The detector pitch equals the mask element, so the system PSF is nearly a pyramid one pixel wide at half
height, and the chi-square gain of a source's shadow peaks sharply (rounded only over the detector's position
resolution, a fifth of a pitch) where its shadow edges meet pixel edges.  The quadratic steps of ISGRI's
``refine_position`` (made for a PSF sampled by 2.4 pixels) stop short of such a peak; here the best point of a
7 x 7 grid is kept at each of several shrinking steps, and the error ellipse comes from a quadratic fitted to
the gains around the final position.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from instruments.integral.isgri.locate import R90_PER_SIGMA, _gain
from instruments.integral.jemx.mask import SKY_PIXEL_DEG

__all__ = ["refine_position"]

F64 = NDArray[np.float64]

_STEPS = (0.3, 0.1, 0.03, 0.01)
_GRID = np.arange(-3, 4, dtype=np.float64)


def refine_position(
    residual: F64,
    weight: F64,
    variance: float,
    start: tuple[float, float],
    shadow_of: Callable[[float, float], F64],
) -> tuple[float, float, float]:
    """(u, v, 90 % error radius in arcmin) maximising the chi-square gain of ``shadow_of(u, v)`` (sky pixels)
    against ``residual``; ``variance`` is the typical pixel variance."""
    good = weight > 0.0
    u, v = start
    du, dv = (g.ravel() for g in np.meshgrid(_GRID, _GRID, indexing="ij"))
    for step in _STEPS:
        gains = np.array(
            [
                _gain(residual, good, variance, shadow_of(u + step * a, v + step * b))
                for a, b in zip(du, dv, strict=True)
            ]
        )
        best = int(np.argmax(gains))
        u, v = u + step * float(du[best]), v + step * float(dv[best])
    # Curvature of the gain over +-0.3 pixel: chi2 = const - gain, covariance = 2 x inverse Hessian.
    step = _STEPS[1]
    gains = np.array(
        [
            _gain(residual, good, variance, shadow_of(u + step * a, v + step * b))
            for a, b in zip(du, dv, strict=True)
        ]
    )
    design = np.column_stack([np.ones_like(du), du, dv, du**2, du * dv, dv**2])
    coef = np.linalg.lstsq(design, gains, rcond=None)[0]
    hessian = -np.array([[2.0 * coef[3], coef[4]], [coef[4], 2.0 * coef[5]]]) / step**2
    if np.all(np.linalg.eigvalsh(hessian) > 0.0):
        sigma = float(np.sqrt(np.trace(2.0 * np.linalg.inv(hessian)) / 2.0))
    else:
        sigma = 0.5
    return u, v, R90_PER_SIGMA * sigma * SKY_PIXEL_DEG * 60.0
