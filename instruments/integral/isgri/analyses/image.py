"""``isgri/image``: a variance-weighted mosaic of the chosen science windows and the sources found in it.

Per science window the IROS-like search (``search``) fits the reference sources in the field, finds new
ones down to ``detection_threshold`` and removes the whole shadowgram of each, which is the only way to rid a
coded-mask image of the ghosts and sidelobes of bright sources.  What goes into the mosaic is that cleaned
image with the found sources put back where they are (their own decoded peaks, within ``RESTORE_PIXELS``), as
OSA's mosaics hold cleaned images.  The source list then combines three steps:

1. the per-ScW detections, grouped into sources (by reference name, else by position), their positions
   averaged with inverse-variance weights;
2. peaks of the mosaic's significance above the threshold that are no such source: sources too faint to
   show in any one ScW, placed by a Gaussian fit to the mosaic;
3. forced photometry of all of them in every ScW that sees them (one shadowgram fit with all sources
   together), combined with inverse-variance weights.  Step 3 keeps the fluxes free of the bias of counting
   only the ScWs where a source happened to be detected; a source stays in the list when its combined
   significance reaches the threshold.

Names come from the reference catalogue (within a few arcmin); other sources are ``NEW_n`` and flagged new.

The per-ScW parts of steps 1 (read, decode, search, clean: ``image_scw``) and 3 (``_measure_scw``) are
independent tasks, one per science window, that the run's context may spread over other processes
(``common.per_scw``: on the service's Dask cluster, its workers); their results are added in the order of the
pointings, so the products do not depend on where the tasks ran.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

import numpy as np
from pydantic import BaseModel

from instruments.archive.base import ChunkInfo, angular_distance
from instruments.base import AnalysisBase, ProductFile, RunContext
from instruments.errors import InstrumentUsageError
from instruments.integral.describe import catalog_description, image_description
from instruments.integral.isgri.analyses.common import (
    ImageParameters,
    ScwRef,
    open_archive,
    per_scw,
)
from instruments.integral.isgri.decode import SkyImage
from instruments.integral.isgri.fit import ShadowgramFit, on_axis_open, source_shadow
from instruments.integral.isgri.locate import R90_PER_SIGMA, gaussian_peak
from instruments.integral.isgri.mask import SKY_PIXEL_DEG
from instruments.integral.isgri.mosaic import Mosaic, mosaic_wcs
from instruments.integral.isgri.products import CatalogSource, write_catalog, write_image, write_region
from instruments.integral.isgri.scw import shadowgram
from instruments.integral.isgri.search import (
    MATCH_FLOOR_ARCMIN,
    Detection,
    SearchResult,
    name_source,
    search_scw,
)
from instruments.integral.isgri.spectrum import Target, in_field
from instruments.integral.previews import significance_preview
from instruments.reference import REFERENCE_SOURCES

__all__ = ["Image", "ScwImage", "ScwTask", "choose_band", "image_scw"]

#: Around a found source the mosaic takes the uncleaned image (its own peak), within this many pixels.
RESTORE_PIXELS = 5.0
#: Mosaic peaks closer than this (pixels) to a known source are its residuals, not new sources.
EXCLUSION_PIXELS = 6.0
#: The mosaic reaches this far (deg) beyond the pointing axis farthest from its centre (half the 29 deg field).
FIELD_HALF_WIDTH = 14.5
MAX_MOSAIC_PIXELS = 1201
MAX_MOSAIC_PEAKS = 20
PSF_SIGMA_ARCMIN = 12.0 / 2.3548


class _Channels(Protocol):
    @property
    def channel_edges(self) -> np.ndarray: ...


def choose_band(model: _Channels, e1: float, e2: float, *, instrument: str = "ISGRI") -> tuple[float, float]:
    """The band of whole channels nearest to [e1, e2] keV (images are sums of the archive's channels), for
    any instrument model with ``channel_edges`` (ISGRI's and JEM-X's).

    Raises:
        InstrumentUsageError: no channel lies in the band, naming E1_keV and E2_keV.
    """
    edges = model.channel_edges
    lo, hi = (float(edges[int(np.argmin(np.abs(edges - e)))]) for e in (e1, e2))
    if hi <= lo:
        raise InstrumentUsageError(
            f"parameters E1_keV and E2_keV: the band {e1:g}-{e2:g} keV holds no whole {instrument} energy "
            f"channel; the channels of the archive are bounded by {', '.join(f'{e:g}' for e in edges)} keV"
        )
    return lo, hi


@dataclass
class _Candidate:
    """A source of the final list in the making: position, name if known, forced-photometry sums."""

    ra: float
    dec: float
    err_rad: float
    name: str | None
    weighted: float = 0.0
    inverse: float = 0.0
    members: list[Detection] = field(default_factory=list)


def _mosaic_grid(ra: float, dec: float, pointings: Sequence[ChunkInfo]) -> Mosaic:
    farthest = max(angular_distance(p.ra, p.dec, ra, dec) for p in pointings)
    if farthest > 2.0 * FIELD_HALF_WIDTH:  # a scw_list far from the target: centre on the pointings
        vectors = np.array([_unit(p.ra, p.dec) for p in pointings]).sum(axis=0)
        ra, dec = _radec(vectors)
        farthest = max(angular_distance(p.ra, p.dec, ra, dec) for p in pointings)
    size = min(MAX_MOSAIC_PIXELS, 2 * int((farthest + FIELD_HALF_WIDTH) / SKY_PIXEL_DEG) + 1)
    return Mosaic(mosaic_wcs(ra, dec, size=size))


def _unit(ra: float, dec: float) -> np.ndarray:
    a, d = np.radians(ra), np.radians(dec)
    return np.array([np.cos(d) * np.cos(a), np.cos(d) * np.sin(a), np.sin(d)])


def _radec(vector: np.ndarray) -> tuple[float, float]:
    x, y, z = vector / np.linalg.norm(vector)
    return float(np.degrees(np.arctan2(y, x)) % 360.0), float(np.degrees(np.arcsin(z)))


def _restored(result: SearchResult) -> SkyImage:
    """The cleaned image with each found source's own decoded peak put back."""
    image, residual = result.image, result.residual
    near = np.zeros(image.flux.shape, dtype=bool)
    rows, cols = np.indices(image.flux.shape)
    for detection in result.detections:
        x, y = image.wcs.world_to_pixel_values(detection.ra, detection.dec)
        near |= np.hypot(rows - float(y), cols - float(x)) <= RESTORE_PIXELS
    return SkyImage(
        np.where(near, image.flux, residual.flux), image.variance, image.exposure, image.wcs, image.band
    )


@dataclass(frozen=True)
class ScwTask:
    """What ``image_scw`` needs (picklable): the ScW, the band and the detection threshold."""

    scw: ScwRef
    band: tuple[float, float]
    detection_threshold: float


@dataclass(frozen=True, eq=False)
class ScwImage:
    """One ScW's share of the mosaic: its detections, its restored image, its time span (ScW file's scale)."""

    detections: tuple[Detection, ...]
    image: SkyImage
    t_start: float
    t_stop: float


def image_scw(task: ScwTask) -> ScwImage:
    """Reads, decodes, searches and cleans one science window (runs wherever the context sends it)."""
    observation = task.scw.read()
    result = search_scw(
        shadowgram(observation.scw, observation.model, task.band),
        detection_threshold=task.detection_threshold,
    )
    return ScwImage(result.detections, _restored(result), observation.scw.t_start, observation.scw.t_stop)


def _group(detections: Sequence[Detection]) -> list[_Candidate]:
    """Per-ScW detections as sources: by reference name, else within the match radius of one another."""
    groups: list[_Candidate] = []
    for detection in sorted(detections, key=lambda d: -d.detsig):
        radius = max(MATCH_FLOOR_ARCMIN, 3.0 * detection.err_rad)
        home = next(
            (
                g
                for g in groups
                if (g.name is not None and g.name == detection.name)
                or (
                    detection.new_source
                    and g.name is None
                    and angular_distance(g.ra, g.dec, detection.ra, detection.dec) * 60.0 <= radius
                )
            ),
            None,
        )
        if home is None:
            name = None if detection.new_source else detection.name
            home = _Candidate(detection.ra, detection.dec, detection.err_rad, name)
            groups.append(home)
        home.members.append(detection)
    for group in groups:
        weights = np.array([1.0 / max(d.err_rad, 1e-3) ** 2 for d in group.members])
        vectors = np.array([_unit(d.ra, d.dec) for d in group.members])
        group.ra, group.dec = _radec((weights[:, None] * vectors).sum(axis=0))
        group.err_rad = float(1.0 / np.sqrt(weights.sum()))
    return groups


def _mosaic_peaks(image: SkyImage, known: Sequence[_Candidate], threshold: float) -> list[_Candidate]:
    """Peaks of the mosaic's significance above ``threshold`` away from ``known`` sources."""
    significance = np.where(np.isfinite(image.variance), image.significance, 0.0)
    rows, cols = np.indices(significance.shape)

    def exclude(x: float, y: float) -> None:
        significance[np.hypot(rows - y, cols - x) < EXCLUSION_PIXELS] = 0.0

    for source in known:
        exclude(*(float(p) for p in image.wcs.world_to_pixel_values(source.ra, source.dec)))
    found: list[_Candidate] = []
    while len(found) < MAX_MOSAIC_PEAKS:
        peak = np.unravel_index(int(np.argmax(significance)), significance.shape)
        snr = float(significance[peak])
        if snr < threshold:
            break
        r, c = gaussian_peak(significance, (int(peak[0]), int(peak[1])))
        ra, dec = image.wcs.pixel_to_world_values(c, r)
        found.append(_Candidate(float(ra) % 360.0, float(dec), R90_PER_SIGMA * PSF_SIGMA_ARCMIN / snr, None))
        exclude(c, r)
    return found


@dataclass(frozen=True)
class _PhotometryTask:
    """What ``_measure_scw`` needs (picklable): the ScW, the band and every candidate's position."""

    scw: ScwRef
    band: tuple[float, float]
    targets: tuple[Target, ...]


#: Forced photometry of one ScW: (candidate index, flux, error) of each candidate it sees and the on-axis
#: open fraction that scales them; None when the sources are too close to fit apart.
_Measured = tuple[tuple[tuple[int, float, float], ...], float] | None


def _measure_scw(task: _PhotometryTask) -> _Measured:
    """Fits all candidates the ScW sees together (runs wherever the context sends it)."""
    observation = task.scw.read()
    shadow = shadowgram(observation.scw, observation.model, task.band)
    placed = [
        (i, p)
        for i, t in enumerate(task.targets)
        if (p := in_field(observation.scw, t, shadow.weight)) is not None
    ]
    if not placed:
        return (), 1.0
    try:
        coef, err, _ = ShadowgramFit(shadow).solve([source_shadow(*p) for _, p in placed])
    except np.linalg.LinAlgError:
        return None
    fits = zip(placed, coef[2:], err[2:], strict=True)
    return tuple((i, float(flux), float(sigma)) for (i, _), flux, sigma in fits), on_axis_open(shadow.weight)


def _forced_photometry(
    ctx: RunContext,
    pointings: Sequence[ChunkInfo],
    candidates: Sequence[_Candidate],
    band: tuple[float, float],
) -> None:
    """Fits all candidates together in every ScW that sees them and sums their fluxes (inverse variance)."""
    targets = tuple(Target(c.name or "", c.ra, c.dec) for c in candidates)
    tasks = [_PhotometryTask(ScwRef(ctx.archive_dir, p), band, targets) for p in pointings]
    measured = per_scw(ctx, _measure_scw, tasks, pointings, doing="measuring", progress=(0.8, 0.15))
    for info, result in zip(pointings, measured, strict=True):
        if result is None:
            ctx.logger.warning("sources too close to fit apart in %s; ScW left out", info.chunk_id)
            continue
        fluxes, k = result
        for i, flux, sigma in fluxes:
            inverse = 1.0 / (sigma * k) ** 2
            candidates[i].weighted += flux * k * inverse
            candidates[i].inverse += inverse


def _catalogue(candidates: Sequence[_Candidate], threshold: float) -> list[CatalogSource]:
    rows: list[tuple[_Candidate, float, float]] = []
    for c in candidates:
        if c.inverse > 0.0:
            flux, error = c.weighted / c.inverse, 1.0 / np.sqrt(c.inverse)
            if flux / error >= threshold:
                rows.append((c, float(flux), float(error)))
    sources: list[CatalogSource] = []
    new_names: list[str] = []
    for candidate, flux, error in sorted(rows, key=lambda r: -r[1] / r[2]):
        name, new = name_source(
            candidate.name, candidate.ra, candidate.dec, candidate.err_rad, REFERENCE_SOURCES, new_names
        )
        sources.append(
            CatalogSource(
                name, candidate.ra, candidate.dec, flux, error, flux / error, candidate.err_rad, new
            )
        )
    return sources


class Image(AnalysisBase):
    """ISGRI mosaic image and source catalogue (see the module docstring)."""

    title = "ISGRI image"
    description = (
        "Variance-weighted mosaic of the chosen IBIS/ISGRI science windows in the energy band (whole archive "
        "channels nearest to E1_keV-E2_keV), with the sources found above detection_threshold: FITS image "
        "(flux, variance, significance, exposure), VOTable catalogue and PNG preview"
    )
    Parameters: ClassVar[type[BaseModel]] = ImageParameters

    def run(self, params: BaseModel, ctx: RunContext) -> list[ProductFile]:
        assert isinstance(params, ImageParameters)
        backend, pointings = open_archive(params, ctx)
        band = choose_band(backend.instrument_model(pointings[0].t_start), params.E1_keV, params.E2_keV)
        mosaic = _mosaic_grid(params.RA, params.DEC, pointings)
        detections: list[Detection] = []
        times = (np.inf, -np.inf)
        tasks = [ScwTask(ScwRef(ctx.archive_dir, p), band, params.detection_threshold) for p in pointings]
        for scw in per_scw(ctx, image_scw, tasks, pointings, doing="imaging", progress=(0.0, 0.8)):
            detections += scw.detections
            mosaic.add(scw.image)
            times = (min(times[0], scw.t_start), max(times[1], scw.t_stop))
        image = mosaic.result()
        candidates = _group(detections)
        candidates += _mosaic_peaks(image, candidates, params.detection_threshold)
        _forced_photometry(ctx, pointings, candidates, band)
        sources = _catalogue(candidates, params.detection_threshold)
        ctx.progress(0.95, f"{len(sources)} sources found; writing the products")
        workdir = ctx.workdir
        write_image(workdir / "isgri_image.fits", image, params=params, times=times, n_scw=len(pointings))
        write_catalog(workdir / "isgri_catalog.xml", sources, band=band)
        significance_preview(workdir / "isgri_image.png", image, sources, instrument="ISGRI")
        write_region(workdir / "isgri_sources.reg", sources, instrument="ISGRI")
        what = f"{band[0]:g}-{band[1]:g} keV, {len(pointings)} science windows"
        described = image_description(
            workdir / "isgri_image.fits", instrument="ISGRI", pointings=pointings, target_name=params.src_name
        )
        return [
            ProductFile(
                "image",
                workdir / "isgri_image.fits",
                "application/fits",
                f"mosaic image, {what}",
                product=described,
            ),
            ProductFile(
                "catalog",
                workdir / "isgri_catalog.xml",
                "application/x-votable+xml",
                f"sources, {what}",
                product=catalog_description(described, n_sources=len(sources), image_id="image"),
            ),
            ProductFile(
                "preview",
                workdir / "isgri_image.png",
                "image/png",
                f"significance mosaic, {what}",
                of="image",
            ),
            ProductFile(
                "region",
                workdir / "isgri_sources.reg",
                "text/plain",
                f"DS9 regions of the sources, {what}",
                of="image",
            ),
        ]
