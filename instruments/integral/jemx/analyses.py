"""``jemx/image``, and what the JEM-X analyses share: parameters, pointings, the ScWs read in turn.

``jemx/image`` is a variance-weighted mosaic of one JEM-X unit's science windows and the sources found in it.

The unit (``jemx_num``) chooses the pointings with good time of JMX1 or JMX2 from the archive's ScW index and
the simulated archive of that unit.  Per science window the IROS-like search (``search``) fits the reference
sources in the field, finds new ones down to ``detection_threshold`` and removes the whole shadowgram of each;
the mosaic takes that cleaned image with each found source's own decoded peak put back.  Science windows are
imaged as tasks of the run's context (``image_scw`` through ``per_scw``: on the service's Dask cluster, its
workers) and added to the mosaic in the order of the pointings.  The source list
groups the per-ScW detections (by reference name, else by position), with positions and fluxes averaged with
inverse-variance weights, and keeps a source whose combined significance reaches the threshold.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
from astropy.io import fits
from astropy.io.votable import parse
from pydantic import BaseModel

from instruments.archive.backends import jemx_archive
from instruments.archive.base import ArchiveBackend, ChunkInfo, angular_distance
from instruments.base import AnalysisBase, ProductFile, RunContext
from instruments.errors import InstrumentFatalError, InstrumentUsageError
from instruments.integral.describe import catalog_description, image_description
from instruments.integral.isgri.analyses.common import per_scw
from instruments.integral.isgri.analyses.image import ScwImage, choose_band
from instruments.integral.isgri.decode import SkyImage
from instruments.integral.isgri.mosaic import Mosaic, mosaic_wcs
from instruments.integral.isgri.products import CatalogSource, write_catalog, write_image, write_region
from instruments.integral.isgri.search import Detection, SearchResult
from instruments.integral.isgri.selection import choose_pointings
from instruments.integral.isgri.spectrum import Target as SpectralTarget
from instruments.integral.jemx.mask import SKY_PIXEL_DEG
from instruments.integral.jemx.model import JemxModel
from instruments.integral.jemx.scw import JemxScienceWindow, read_scw, shadowgram
from instruments.integral.jemx.search import search_scw
from instruments.integral.previews import significance_preview
from instruments.integral.scw_index import INDEX_PATH, read_index
from instruments.parameters import (
    EnergyBand,
    JemxUnit,
    OsaVersion,
    ScwSelection,
    SourceDetection,
    Target,
    TimeBinning,
    TimeWindow,
    param,
)
from instruments.reference import REFERENCE_SOURCES

__all__ = [
    "FIELD_HALF_WIDTH",
    "Image",
    "ImageParameters",
    "JemxBand",
    "LightcurveParameters",
    "ScwTask",
    "SpectrumParameters",
    "choose_band",
    "chosen_pointings",
    "field_targets",
    "image_scw",
    "science_windows",
]

#: Around a found source the mosaic takes the uncleaned image (its own peak), within this many pixels.
RESTORE_PIXELS = 4.0
#: The mosaic reaches this far (deg) beyond the pointing axis farthest from its centre (the zero response).
FIELD_HALF_WIDTH = 6.6
MAX_MOSAIC_PIXELS = 1201
#: A reference source this close to a spectrum's target is the target itself (half the 3 arcmin PSF).
SAME_SOURCE_ARCMIN = 1.5


class JemxBand(EnergyBand):
    """JEM-X sees 3-35 keV; the archive's channels set the band actually used."""

    E1_keV: float = param(
        3.0, description="Lower end of the energy band", unit="keV", ucd="em.energy", ge=3, lt=35
    )
    E2_keV: float = param(
        20.0, description="Upper end of the energy band", unit="keV", ucd="em.energy", gt=3, le=35
    )


class ImageParameters(Target, TimeWindow, JemxBand, ScwSelection, SourceDetection, OsaVersion, JemxUnit):
    """Parameters of ``jemx/image``."""


class SpectrumParameters(Target, TimeWindow, ScwSelection, OsaVersion, JemxUnit):
    """Parameters of ``jemx/spectrum`` (the spectrum covers every channel of the archive, 3-35 keV)."""


class LightcurveParameters(Target, TimeWindow, JemxBand, ScwSelection, TimeBinning, OsaVersion, JemxUnit):
    """Parameters of ``jemx/lightcurve``."""


def chosen_pointings(
    params: ImageParameters | SpectrumParameters | LightcurveParameters, archive_dir: Path
) -> list[ChunkInfo]:
    """The pointings of unit ``jemx_num`` with good time that the parameters choose (``InstrumentUsageError``
    naming the parameters to change when none; ``InstrumentFatalError`` when the archive has no index)."""
    unit = f"jemx{params.jemx_num}"
    try:
        index = read_index(archive_dir, unit)
    except FileNotFoundError:
        raise InstrumentFatalError(
            f"the archive has no science-window index ({INDEX_PATH.as_posix()}); it is written when the "
            "archive is loaded (mmvo load-demo)"
        ) from None
    try:
        return choose_pointings(
            index,
            ra=params.RA,
            dec=params.DEC,
            mjd_range=params.mjd_range,
            radius=params.radius,
            max_pointings=params.max_pointings,
            scw_list=params.scw_list,
        )
    except InstrumentUsageError as exc:  # the selection speaks of ISGRI; these are the unit's pointings
        name = f"JEM-X{params.jemx_num}"
        raise InstrumentUsageError(exc.message.replace("ISGRI", name), exc.detail) from None


@dataclass
class _Group:
    name: str | None
    members: list[Detection] = field(default_factory=list)


def _group(detections: Sequence[Detection]) -> list[_Group]:
    groups: list[_Group] = []
    for d in sorted(detections, key=lambda d: -d.detsig):
        radius = max(1.0, 3.0 * d.err_rad)
        home = next(
            (
                g
                for g in groups
                if (not d.new_source and g.name == d.name)
                or (
                    d.new_source
                    and g.name is None
                    and angular_distance(g.members[0].ra, g.members[0].dec, d.ra, d.dec) * 60.0 <= radius
                )
            ),
            None,
        )
        if home is None:
            home = _Group(None if d.new_source else d.name)
            groups.append(home)
        home.members.append(d)
    return groups


def _catalogue(groups: Sequence[_Group], threshold: float) -> list[CatalogSource]:
    rows: list[CatalogSource] = []
    for i, group in enumerate(groups):
        position_weight = np.array([1.0 / max(d.err_rad, 1e-3) ** 2 for d in group.members])
        a, dd = np.radians([d.ra for d in group.members]), np.radians([d.dec for d in group.members])
        vector = (
            position_weight[:, None]
            * np.column_stack([np.cos(dd) * np.cos(a), np.cos(dd) * np.sin(a), np.sin(dd)])
        ).sum(axis=0)
        ra = float(np.degrees(np.arctan2(vector[1], vector[0])) % 360.0)
        dec = float(np.degrees(np.arcsin(vector[2] / np.linalg.norm(vector))))
        inverse = np.array([1.0 / d.flux_err**2 for d in group.members])
        flux = float((inverse * [d.flux for d in group.members]).sum() / inverse.sum())
        error = float(1.0 / np.sqrt(inverse.sum()))
        if flux / error >= threshold:
            name = group.name or f"NEW_{i + 1}"
            err_rad = float(1.0 / np.sqrt(position_weight.sum()))
            rows.append(CatalogSource(name, ra, dec, flux, error, flux / error, err_rad, group.name is None))
    return sorted(rows, key=lambda s: -s.significance)


def _restored(result: SearchResult) -> SkyImage:
    image, residual = result.image, result.residual
    near = np.zeros(image.flux.shape, dtype=bool)
    rows, cols = np.indices(image.flux.shape)
    for detection in result.detections:
        x, y = image.wcs.world_to_pixel_values(detection.ra, detection.dec)
        near |= np.hypot(rows - float(y), cols - float(x)) <= RESTORE_PIXELS
    flux = np.where(near, image.flux, residual.flux)
    return SkyImage(flux, image.variance, image.exposure, image.wcs, image.band)


def _mosaic(ra: float, dec: float, pointings: Sequence[ChunkInfo]) -> Mosaic:
    farthest = max(angular_distance(p.ra, p.dec, ra, dec) for p in pointings)
    size = min(MAX_MOSAIC_PIXELS, 2 * int((farthest + FIELD_HALF_WIDTH) / SKY_PIXEL_DEG) + 1)
    return Mosaic(mosaic_wcs(ra, dec, size=size, pixel_deg=SKY_PIXEL_DEG))


def _relabel(image_path: Path, catalog_path: Path, unit: int, band: tuple[float, float]) -> None:
    """The shared ISGRI writers label their files ISGRI: say JEM-X instead."""
    with fits.open(image_path, mode="update") as hdus:
        for hdu in hdus:
            hdu.header["INSTRUME"] = f"JMX{unit}"
            hdu.header["DETNAM"] = "JEM-X"
            hdu.header["ORIGIN"] = ("MMVO", "from a SIMULATED archive")
    votable = parse(str(catalog_path))
    table = votable.get_first_table()
    table.description = f"JEM-X{unit} sources found in the mosaic, {band[0]:g}-{band[1]:g} keV"
    votable.to_xml(str(catalog_path))


@dataclass(frozen=True)
class ScwTask:
    """What ``image_scw`` needs (picklable): where the archive is, the ScW, the unit, band and threshold."""

    archive_dir: Path
    info: ChunkInfo
    unit: int
    band: tuple[float, float]
    detection_threshold: float


def image_scw(task: ScwTask) -> ScwImage:
    """Reads, decodes, searches and cleans one science window of the unit (runs wherever the context sends
    it: on the service's Dask cluster, its workers).

    Raises:
        InstrumentFatalError: the science window cannot be read.
    """
    backend = jemx_archive(task.archive_dir, [task.info], unit=task.unit)
    try:
        scw = read_scw(backend.open_chunk(task.info.chunk_id))
    except (OSError, KeyError, ValueError) as exc:
        raise InstrumentFatalError(f"science window {task.info.chunk_id} cannot be read: {exc}") from None
    model = backend.instrument_model(task.info.t_start)
    result = search_scw(shadowgram(scw, model, task.band), detection_threshold=task.detection_threshold)
    return ScwImage(tuple(result.detections), _restored(result), scw.t_start, scw.t_stop)


class Image(AnalysisBase):
    """JEM-X mosaic image and source catalogue (see the module docstring)."""

    title = "JEM-X image"
    description = (
        "Variance-weighted mosaic of the chosen science windows of JEM-X unit jemx_num in the energy band "
        "(whole archive channels nearest to E1_keV-E2_keV, within 3-35 keV), with the sources found above "
        "detection_threshold: FITS image (flux, variance, significance, exposure), VOTable catalogue and PNG "
        "preview"
    )
    Parameters: ClassVar[type[BaseModel]] = ImageParameters

    def run(self, params: BaseModel, ctx: RunContext) -> list[ProductFile]:
        assert isinstance(params, ImageParameters)
        unit = params.jemx_num
        pointings = chosen_pointings(params, ctx.archive_dir)
        ctx.logger.info("%d JEM-X%d science windows chosen", len(pointings), unit)
        backend = jemx_archive(ctx.archive_dir, pointings, unit=unit)
        model = backend.instrument_model(pointings[0].t_start)
        band = choose_band(model, params.E1_keV, params.E2_keV, instrument="JEM-X")
        mosaic = _mosaic(params.RA, params.DEC, pointings)
        detections: list[Detection] = []
        times = (np.inf, -np.inf)
        tasks = [ScwTask(ctx.archive_dir, p, unit, band, params.detection_threshold) for p in pointings]
        for scw in per_scw(ctx, image_scw, tasks, pointings, doing="imaging", progress=(0.0, 0.9)):
            detections += scw.detections
            mosaic.add(scw.image)
            times = (min(times[0], scw.t_start), max(times[1], scw.t_stop))
        image = mosaic.result()
        sources = _catalogue(_group(detections), params.detection_threshold)
        ctx.progress(0.95, f"{len(sources)} sources found; writing the products")
        workdir = ctx.workdir
        image_path, catalog_path, preview_path = (
            workdir / "jemx_image.fits",
            workdir / "jemx_catalog.xml",
            workdir / "jemx_image.png",
        )
        write_image(image_path, image, params=params, times=times, n_scw=len(pointings))
        write_catalog(catalog_path, sources, band=band)
        _relabel(image_path, catalog_path, unit, band)
        significance_preview(preview_path, image, sources, instrument=f"JEM-X{unit}")
        write_region(workdir / "jemx_sources.reg", sources, instrument=f"JEM-X{unit}")
        what = f"JEM-X{unit}, {band[0]:g}-{band[1]:g} keV, {len(pointings)} science windows"
        described = image_description(
            image_path, instrument=f"JEM-X{unit}", pointings=pointings, target_name=params.src_name
        )
        listed = catalog_description(described, n_sources=len(sources), image_id="image")
        return [
            ProductFile("image", image_path, "application/fits", f"mosaic image, {what}", product=described),
            ProductFile(
                "catalog", catalog_path, "application/x-votable+xml", f"sources, {what}", product=listed
            ),
            ProductFile("preview", preview_path, "image/png", f"significance mosaic, {what}", of="image"),
            ProductFile(
                "region",
                workdir / "jemx_sources.reg",
                "text/plain",
                f"DS9 regions of the sources, {what}",
                of="image",
            ),
        ]


def science_windows(
    ctx: RunContext, backend: ArchiveBackend[JemxModel], pointings: Sequence[ChunkInfo]
) -> Iterator[JemxScienceWindow]:
    """The chosen ScWs read one by one, with progress; ``InstrumentFatalError`` when the run is stopped or a
    ScW cannot be read."""
    for i, info in enumerate(pointings):
        if ctx.aborted():
            raise InstrumentFatalError(f"the run was stopped after {i} of {len(pointings)} science windows")
        ctx.progress(0.9 * i / len(pointings), f"ScW {info.chunk_id} ({i + 1}/{len(pointings)})")
        try:
            yield read_scw(backend.open_chunk(info.chunk_id))
        except (OSError, KeyError, ValueError) as exc:
            raise InstrumentFatalError(f"science window {info.chunk_id} cannot be read: {exc}") from None


def field_targets(params: Target, pointings: Sequence[ChunkInfo]) -> list[SpectralTarget]:
    """The target, then the reference sources any pointing sees (not the target itself, within 1.5 arcmin)."""
    others = [
        SpectralTarget(ref.name, ref.ra, ref.dec)
        for ref in REFERENCE_SOURCES
        if angular_distance(ref.ra, ref.dec, params.RA, params.DEC) * 60.0 > SAME_SOURCE_ARCMIN
        and any(angular_distance(ref.ra, ref.dec, p.ra, p.dec) < FIELD_HALF_WIDTH for p in pointings)
    ]
    return [SpectralTarget(params.src_name, params.RA, params.DEC), *others]
