"""Variance-weighted mosaics of science-window sky images on a common TAN grid.

Each input image is first resampled onto the mosaic grid: every input pixel is cut into ``oversample`` x
``oversample`` sub-pixels, each dropped into the output pixel its centre falls in, and an output pixel takes
the area-weighted mean of flux and of variance of what fell in.  Pixel values of a decoded image are point
source fluxes, not surface brightness, so a mean (not a sum) is what keeps a source's flux; the variance is
averaged rather than combined as independent because neighbouring decoded pixels are strongly correlated
(the PSF spans about 2.4 pixels), so averaging them does not reduce the noise.  The resampled images are
then combined with inverse-variance weights: F = sum(F_i/s_i^2)/sum(1/s_i^2), s^2 = 1/sum(1/s_i^2), with
summed exposure.  Images are added one at a time, so a mosaic of thousands of ScWs stays in constant memory.

The ``reproject`` package would do the resampling, but it is not a dependency; the transformation between two
TAN grids is smooth, so mapping a coarse net of nodes with astropy's WCS and interpolating bilinearly between
them is exact to far better than a pixel and many times faster than transforming every sub-pixel.
"""

from __future__ import annotations

import numpy as np
from astropy.wcs import WCS
from numpy.typing import NDArray

from instruments.integral.isgri.decode import SkyImage
from instruments.integral.isgri.frame import tan_wcs
from instruments.integral.isgri.mask import SKY_PIXEL_DEG

__all__ = ["Mosaic", "mosaic_wcs"]

F64 = NDArray[np.float64]

_NODE_SPACING = 8
#: An output pixel needs this much of its area covered by an input image to take a value from it.
MIN_COVER = 0.5


def mosaic_wcs(
    ra: float, dec: float, *, size: int, pixel_deg: float = SKY_PIXEL_DEG, rotation: float = 0.0
) -> WCS:
    """A square TAN grid of ``size`` pixels centred on (ra, dec), north up at ``rotation`` 0."""
    return tan_wcs(ra, dec, rotation=rotation, pixel_deg=pixel_deg, size=size, centre=(size - 1) / 2.0)


def _node_map(source: WCS, target: WCS, shape: tuple[int, int]) -> tuple[F64, F64, F64, F64]:
    """Output (x, y) pixel coordinates at a coarse net of input nodes, and the node positions (rows, cols)."""
    rows = np.unique(np.append(np.arange(-1, shape[0] + _NODE_SPACING, _NODE_SPACING), shape[0])).astype(
        np.float64
    )
    cols = np.unique(np.append(np.arange(-1, shape[1] + _NODE_SPACING, _NODE_SPACING), shape[1])).astype(
        np.float64
    )
    rr, cc = np.meshgrid(rows, cols, indexing="ij")
    world = source.pixel_to_world_values(cc, rr)
    x, y = target.world_to_pixel_values(*world)
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64), rows, cols


def _bilinear(values: F64, rows: F64, cols: F64, r: F64, c: F64) -> F64:
    i = np.clip(np.searchsorted(rows, r) - 1, 0, rows.size - 2)
    j = np.clip(np.searchsorted(cols, c) - 1, 0, cols.size - 2)
    tr = (r - rows[i]) / (rows[i + 1] - rows[i])
    tc = (c - cols[j]) / (cols[j + 1] - cols[j])
    top = values[i, j] * (1 - tc) + values[i, j + 1] * tc
    bottom = values[i + 1, j] * (1 - tc) + values[i + 1, j + 1] * tc
    return np.asarray(top * (1 - tr) + bottom * tr, dtype=np.float64)


class Mosaic:
    """Accumulates sky images of one band on the grid ``wcs`` (whose ``pixel_shape`` gives the size)."""

    def __init__(self, wcs: WCS, *, oversample: int = 2) -> None:
        if wcs.pixel_shape is None or oversample < 1:
            raise ValueError("the mosaic WCS needs a pixel_shape, and oversample must be at least 1")
        self.wcs = wcs
        self.shape = (int(wcs.pixel_shape[1]), int(wcs.pixel_shape[0]))
        self._oversample = oversample
        self._weighted = np.zeros(self.shape)
        self._inverse_variance = np.zeros(self.shape)
        self._exposure = np.zeros(self.shape)
        self._band: tuple[float, float] | None = None
        self.count = 0

    def add(self, image: SkyImage) -> None:
        """Resample ``image`` and add it; ``ValueError`` if its band differs from the images before."""
        if self._band is not None and image.band != self._band:
            raise ValueError(f"band {image.band} differs from the mosaic's {self._band}")
        self._band = image.band
        flux, variance, exposure = self._resample(image)
        with np.errstate(divide="ignore"):
            inverse = np.where(np.isfinite(variance) & (variance > 0.0), 1.0 / variance, 0.0)
        self._weighted += flux * inverse
        self._inverse_variance += inverse
        self._exposure += np.where(inverse > 0.0, exposure, 0.0)
        self.count += 1

    def _resample(self, image: SkyImage) -> tuple[F64, F64, F64]:
        valid = np.flatnonzero(np.isfinite(image.variance).ravel())
        n_out = self.shape[0] * self.shape[1]
        totals = np.zeros((4, n_out))
        if valid.size:
            x_nodes, y_nodes, rows, cols = _node_map(image.wcs, self.wcs, image.flux.shape)
            r0, c0 = np.divmod(valid, image.flux.shape[1])
            k = self._oversample
            for offset_r in (np.arange(k) + 0.5) / k - 0.5:
                for offset_c in (np.arange(k) + 0.5) / k - 0.5:
                    r, c = r0 + offset_r, c0 + offset_c
                    x = np.rint(_bilinear(x_nodes, rows, cols, r, c)).astype(np.int64)
                    y = np.rint(_bilinear(y_nodes, rows, cols, r, c)).astype(np.int64)
                    inside = (x >= 0) & (x < self.shape[1]) & (y >= 0) & (y < self.shape[0])
                    index = y[inside] * self.shape[1] + x[inside]
                    source = valid[inside]
                    totals[0] += np.bincount(index, minlength=n_out)
                    for row, values in enumerate((image.flux, image.variance, image.exposure), start=1):
                        totals[row] += np.bincount(index, weights=values.ravel()[source], minlength=n_out)
        cover = totals[0] / k**2 if valid.size else totals[0]
        use = cover >= MIN_COVER
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(use, totals[1:] / np.where(use, totals[0], 1.0), 0.0)
        variance = np.where(use, mean[1], np.inf)
        return (mean[0].reshape(self.shape), variance.reshape(self.shape), mean[2].reshape(self.shape))

    def result(self) -> SkyImage:
        """The mosaic so far; ``ValueError`` before any image was added."""
        if self._band is None:
            raise ValueError("the mosaic has no images")
        covered = self._inverse_variance > 0.0
        safe = np.where(covered, self._inverse_variance, 1.0)
        return SkyImage(
            flux=np.where(covered, self._weighted / safe, 0.0),
            variance=np.where(covered, 1.0 / safe, np.inf),
            exposure=self._exposure.copy(),
            wcs=self.wcs,
            band=self._band,
        )
