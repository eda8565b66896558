"""IROS-like source search in one JEM-X science window, as OSA's j_ima_iros does it.

The procedure is ISGRI's (``instruments.integral.isgri.search``): reference sources in the field are fitted
first, then the highest residual peak of the decoded image is located and refined by the shadowgram fit,
all fluxes are refitted with the background, and the whole shadowgram model of every source is removed before
looking again, down to ``detection_threshold``.  The fit, the location and the naming are ISGRI's
instrument-independent pieces; the shadows, the decoding and the sky grid are JEM-X's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from instruments.integral.isgri.fit import ShadowgramFit
from instruments.integral.isgri.locate import gaussian_peak
from instruments.integral.isgri.scw import Shadowgram
from instruments.integral.isgri.search import (
    SearchResult,
    _keep_significant,
    _residual,
    _Source,
    detections,
)
from instruments.integral.jemx.decode import decode
from instruments.integral.jemx.locate import refine_position
from instruments.integral.jemx.mask import SKY_PIXEL_DEG
from instruments.integral.jemx.pif import SKY_CENTRE, pif, source_shadow
from instruments.reference import REFERENCE_SOURCES, ReferenceSource

__all__ = ["on_axis_open", "search_scw"]

F64 = NDArray[np.float64]

#: Peaks closer than this (sky pixels) to a source already in the model are its residuals, not new sources.
EXCLUSION_PIXELS = 3.0


class _JemxSource(_Source):
    __slots__ = ()

    def shadow(self) -> F64:
        return source_shadow(self.u, self.v)


def on_axis_open(weight: F64) -> float:
    """Open good pixels seen on axis: multiplies a fitted unit flux into on-axis equivalent counts s^-1."""
    return float((pif(0.0, 0.0) * weight).sum())


def _in_field(
    shadow: Shadowgram, exposure: F64, catalogue: Sequence[ReferenceSource], min_coding: float
) -> list[_Source]:
    u, v = shadow.frame.to_instrument([r.ra for r in catalogue], [r.dec for r in catalogue])
    scale = np.radians(SKY_PIXEL_DEG)
    found: list[_Source] = []
    for ref, ui, vi in zip(catalogue, u / scale, v / scale, strict=True):
        if not (np.isfinite(ui) and np.isfinite(vi)):
            continue
        r, c = round(ui + SKY_CENTRE), round(vi + SKY_CENTRE)
        if (
            0 <= r < exposure.shape[0]
            and 0 <= c < exposure.shape[1]
            and exposure[r, c] >= min_coding * shadow.exposure
        ):
            found.append(_JemxSource(ref.name, float(ui), float(vi)))
    return found


def _relocate(fit: ShadowgramFit, shadow: Shadowgram, sources: Sequence[_Source], target: _Source) -> None:
    _, _, model = fit.solve([s.shadow() for s in sources if s is not target])
    residual = np.zeros_like(shadow.rate)
    residual[fit.good] = fit.data - model
    target.u, target.v, target.err_rad = refine_position(
        residual, shadow.weight, float(fit.variance.mean()), (target.u, target.v), source_shadow
    )


def search_scw(
    shadow: Shadowgram,
    *,
    catalogue: Sequence[ReferenceSource] = REFERENCE_SOURCES,
    detection_threshold: float = 7.0,
    max_sources: int = 20,
    min_coding: float = 0.05,
) -> SearchResult:
    """Search one JEM-X shadowgram; raises ``ValueError`` for a threshold that is not positive.  Fluxes are
    on-axis equivalent counts s^-1, positions from the shadowgram fit with a 90 % error radius."""
    if detection_threshold <= 0.0:
        raise ValueError(f"detection_threshold must be positive, got {detection_threshold}")
    fit = ShadowgramFit(shadow)
    image = decode(shadow)
    sources = _keep_significant(
        fit, _in_field(shadow, image.exposure, catalogue, min_coding), detection_threshold
    )
    for source in sources:
        _relocate(fit, shadow, sources, source)
    excluded: list[tuple[float, float]] = []
    while len(sources) < max_sources:
        sig = decode(shadow, _residual(fit, shadow, sources)).significance
        sig[image.exposure < min_coding * shadow.exposure] = 0.0
        rows, cols = np.indices(sig.shape) - SKY_CENTRE
        for u, v in [(s.u, s.v) for s in sources] + excluded:
            sig[np.hypot(rows - u, cols - v) < EXCLUSION_PIXELS] = 0.0
        peak = np.unravel_index(int(np.argmax(sig)), sig.shape)
        if sig[peak] < detection_threshold:
            break
        r, c = gaussian_peak(sig, (int(peak[0]), int(peak[1])))
        candidate = _JemxSource(None, r - SKY_CENTRE, c - SKY_CENTRE)
        _relocate(fit, shadow, [*sources, candidate], candidate)
        coef, err, _ = fit.solve([s.shadow() for s in [*sources, candidate]])
        if coef[-1] / err[-1] >= detection_threshold:
            sources.append(candidate)
        else:
            excluded.append((candidate.u, candidate.v))
    return SearchResult(
        detections(
            fit, shadow, sources, catalogue, pixel_deg=SKY_PIXEL_DEG, on_axis=on_axis_open(shadow.weight)
        ),
        image,
        decode(shadow, _residual(fit, shadow, sources)),
    )
