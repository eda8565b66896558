"""IROS-like source search in one science window: fit, locate, subtract the whole shadowgram model, repeat.

Coded-mask images are full of sidelobes and ghosts of bright sources (in the partially coded field a cyclic
mask repeats its pattern); they cannot be removed in the sky image, only by subtracting each source's whole
shadowgram, PIF times flux, from the detector data.  The search therefore works on the detector:
catalogue sources in the field are fitted first, then the highest residual peak of the decoded image is
located (a Gaussian fit to the 12 arcmin system PSF) and refined by the shadowgram fit itself, all fluxes are
refitted together with the background, and so on down to ``detection_threshold``.  Fluxes are on-axis
equivalent counts s^-1; positions come from the shadowgram fit, with a 90 % error radius from its curvature.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from instruments.integral.isgri.decode import SkyImage, decode
from instruments.integral.isgri.fit import ShadowgramFit, on_axis_open, source_shadow
from instruments.integral.isgri.locate import gaussian_peak, refine_position
from instruments.integral.isgri.mask import SKY_PIXEL_DEG
from instruments.integral.isgri.pif import SKY_CENTRE
from instruments.integral.isgri.scw import Shadowgram
from instruments.reference import REFERENCE_SOURCES, ReferenceSource

__all__ = ["Detection", "SearchResult", "detections", "match_reference", "name_source", "search_scw"]

F64 = NDArray[np.float64]

#: Peaks closer than this (sky pixels) to a source already in the model are its residuals, not new sources.
EXCLUSION_PIXELS = 4.0
#: Match radius floor (arcmin) against the reference catalogue.
MATCH_FLOOR_ARCMIN = 4.0


@dataclass(frozen=True, slots=True)
class Detection:
    """One row of the source list: position ICRS deg, flux and error in on-axis equivalent counts s^-1,
    detection significance, 90 % error radius (arcmin), off-axis angle (deg), and whether no reference
    source matched (``new_source``)."""

    name: str
    ra: float
    dec: float
    flux: float
    flux_err: float
    detsig: float
    err_rad: float
    offaxis: float
    new_source: bool


@dataclass(frozen=True, eq=False)
class SearchResult:
    """The source list, the decoded image before cleaning and the residual image after it."""

    detections: tuple[Detection, ...]
    image: SkyImage
    residual: SkyImage


@dataclass(slots=True)
class _Source:
    name: str | None
    u: float  # sky pixels from the axis
    v: float
    err_rad: float = 0.0

    def shadow(self) -> F64:
        return source_shadow(self.u, self.v)


def match_reference(
    ra: float, dec: float, radius_arcmin: float, catalogue: Sequence[ReferenceSource]
) -> ReferenceSource | None:
    """The nearest reference source within ``radius_arcmin``, if any."""
    best, best_distance = None, radius_arcmin / 60.0
    for ref in catalogue:
        d0, d1, da = np.radians(dec), np.radians(ref.dec), np.radians(ref.ra - ra)
        distance = np.degrees(
            np.arccos(np.clip(np.sin(d0) * np.sin(d1) + np.cos(d0) * np.cos(d1) * np.cos(da), -1, 1))
        )
        if distance <= best_distance:
            best, best_distance = ref, float(distance)
    return best


def name_source(
    known: str | None,
    ra: float,
    dec: float,
    err_rad: float,
    catalogue: Sequence[ReferenceSource],
    new_names: list[str],
) -> tuple[str, bool]:
    """(name, new) of a found source: its ``known`` name, else that of the reference source within the match
    radius (``MATCH_FLOOR_ARCMIN`` or twice the 90 % error radius), else the next ``NEW_n``, appended to
    ``new_names``; ``new`` is True when neither a known name nor a reference source matched."""
    match = match_reference(ra, dec, max(MATCH_FLOOR_ARCMIN, 2.0 * err_rad), catalogue)
    name = known or (match.name if match else None)
    if name is None:
        name = f"NEW_{len(new_names) + 1}"
        new_names.append(name)
    return name, known is None and match is None


def _in_field(
    shadow: Shadowgram, image: SkyImage, catalogue: Sequence[ReferenceSource], min_coding: float
) -> list[_Source]:
    u, v = shadow.frame.to_instrument([r.ra for r in catalogue], [r.dec for r in catalogue])
    scale = np.radians(SKY_PIXEL_DEG)
    found = []
    for ref, ui, vi in zip(catalogue, u / scale, v / scale, strict=True):
        if not (np.isfinite(ui) and np.isfinite(vi)):
            continue
        r, c = round(ui + SKY_CENTRE), round(vi + SKY_CENTRE)
        inside = 0 <= r < image.exposure.shape[0] and 0 <= c < image.exposure.shape[1]
        if inside and image.exposure[r, c] >= min_coding * shadow.exposure:
            found.append(_Source(ref.name, float(ui), float(vi)))
    return found


def search_scw(
    shadow: Shadowgram,
    *,
    catalogue: Sequence[ReferenceSource] = REFERENCE_SOURCES,
    detection_threshold: float = 7.0,
    max_sources: int = 20,
    min_coding: float = 0.05,
) -> SearchResult:
    """Search one shadowgram; raises ``ValueError`` for a threshold that is not positive."""
    if detection_threshold <= 0.0:
        raise ValueError(f"detection_threshold must be positive, got {detection_threshold}")
    fit = ShadowgramFit(shadow)
    image = decode(shadow)
    sources = _keep_significant(fit, _in_field(shadow, image, catalogue, min_coding), detection_threshold)
    for source in sources:
        _relocate(fit, shadow, sources, source)
    excluded: list[tuple[float, float]] = []
    while len(sources) < max_sources:
        residual = _residual(fit, shadow, sources)
        sig = decode(shadow, residual).significance
        sig[image.exposure < min_coding * shadow.exposure] = 0.0
        rows, cols = np.indices(sig.shape) - SKY_CENTRE
        for u, v in [(s.u, s.v) for s in sources] + excluded:
            sig[np.hypot(rows - u, cols - v) < EXCLUSION_PIXELS] = 0.0
        peak = np.unravel_index(int(np.argmax(sig)), sig.shape)
        if sig[peak] < detection_threshold:
            break
        r, c = gaussian_peak(sig, (int(peak[0]), int(peak[1])))
        candidate = _Source(None, r - SKY_CENTRE, c - SKY_CENTRE)
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


def _keep_significant(fit: ShadowgramFit, sources: list[_Source], threshold: float) -> list[_Source]:
    while sources:
        coef, err, _ = fit.solve([s.shadow() for s in sources])
        sig = coef[2:] / err[2:]
        if sig.min() >= threshold:
            break
        sources = [s for s, z in zip(sources, sig, strict=True) if z != sig.min()]
    return sources


def _residual(fit: ShadowgramFit, shadow: Shadowgram, sources: Sequence[_Source]) -> F64:
    _, _, model = fit.solve([s.shadow() for s in sources])
    residual = np.zeros_like(shadow.rate)
    residual[fit.good] = fit.data - model
    return residual


def _relocate(fit: ShadowgramFit, shadow: Shadowgram, sources: Sequence[_Source], target: _Source) -> None:
    """Move ``target`` to the best-fitting position given the other sources and the background."""
    others = [s.shadow() for s in sources if s is not target]
    _, _, model = fit.solve(others)
    residual = np.zeros_like(shadow.rate)
    residual[fit.good] = fit.data - model
    target.u, target.v, target.err_rad = refine_position(
        residual,
        shadow.weight,
        float(fit.variance.mean()),
        (target.u, target.v),
        source_shadow,
    )


def detections(
    fit: ShadowgramFit,
    shadow: Shadowgram,
    sources: Sequence[_Source],
    catalogue: Sequence[ReferenceSource],
    *,
    pixel_deg: float,
    on_axis: float,
) -> tuple[Detection, ...]:
    """The sources fitted together, as detections named against ``catalogue``, strongest first; positions
    from sky-pixel offsets of ``pixel_deg``, fluxes in on-axis equivalent counts s^-1 (a unit flux is
    ``on_axis``).  Shared by the coded-mask instruments: only those two numbers are theirs."""
    if not sources:
        return ()
    coef, err, _ = fit.solve([s.shadow() for s in sources])
    scale = np.radians(pixel_deg)
    rows = []
    new_names: list[str] = []
    for source, flux, flux_err in zip(sources, coef[2:], err[2:], strict=True):
        ra, dec = shadow.frame.to_sky(source.u * scale, source.v * scale)
        name, new = name_source(source.name, float(ra), float(dec), source.err_rad, catalogue, new_names)
        rows.append(
            Detection(
                name=name,
                ra=float(ra),
                dec=float(dec),
                flux=float(flux * on_axis),
                flux_err=float(flux_err * on_axis),
                detsig=float(flux / flux_err),
                err_rad=source.err_rad,
                offaxis=float(np.degrees(np.arctan(np.hypot(source.u, source.v) * scale))),
                new_source=new,
            )
        )
    return tuple(sorted(rows, key=lambda d: -d.detsig))
