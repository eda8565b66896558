"""ObsCore descriptions of the INTEGRAL products (``instruments.description``), from the files just written.

The files already say most of it (WCS, E_MIN/E_MAX, TSTART/TSTOP in IJD, EXPOSURE, EBOUNDS), so the
descriptions are read back from them rather than passed around the analyses; the pointings give the inputs and
the data version (NRT when any input is near-real-time).  Calibration levels follow ObsCore: a mosaic or a
spectrum summed over science windows is level 3 (enhanced), a source list level 4 (analysis product).
Spectra and light curves of a source cover the instrument's angular resolution around it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from astropy.io import fits
from astropy.wcs import WCS

from instruments.archive.base import ChunkInfo, angular_distance
from instruments.base import ProductFile
from instruments.description import InputData, ProductDescription, circle_footprint
from instruments.integral.time import ijd_to_mjd_utc

__all__ = [
    "RESOLUTION_ARCMIN",
    "catalog_description",
    "image_description",
    "lightcurve_description",
    "scw_inputs",
    "spectrum_description",
    "spectrum_files",
]

FACILITY = "INTEGRAL"
#: Angular resolution (FWHM, arcmin) by instrument label.
RESOLUTION_ARCMIN = {"ISGRI": 12.0, "JEM-X1": 3.35, "JEM-X2": 3.35}


def scw_inputs(pointings: Sequence[ChunkInfo]) -> tuple[InputData, ...]:
    """The science windows as inputs: id with version (``RRRRPPPPSSSF.VVV``), version, NRT or CONS."""
    return tuple(
        InputData("scw", p.chunk_id, p.chunk_id.partition(".")[2], p.data_version) for p in pointings
    )


def _data_version(pointings: Sequence[ChunkInfo]) -> str:
    return "NRT" if any(p.data_version == "NRT" for p in pointings) else "CONS"


def _times(header: fits.Header) -> tuple[float, float]:
    start, stop = ijd_to_mjd_utc([float(header["TSTART"]), float(header["TSTOP"])])
    return float(start), float(stop)


def _good_time(pointings: Sequence[ChunkInfo]) -> float:
    return float(sum(p.exposure for p in pointings))


def image_description(
    path: Path, *, instrument: str, pointings: Sequence[ChunkInfo], target_name: str | None
) -> ProductDescription:
    """A mosaic (``FLUX`` extension with its WCS): the footprint is the grid's outline."""
    with fits.open(path) as hdus:
        header = hdus["FLUX"].header
        wcs = WCS(header)
        ny, nx = int(header["NAXIS2"]), int(header["NAXIS1"])
        band = (float(header["E_MIN"]), float(header["E_MAX"]))
        t_min, t_max = _times(header)
    corners = wcs.calc_footprint(axes=(nx, ny))
    ra, dec = (float(v) for v in wcs.wcs.crval)
    radius = max(angular_distance(ra, dec, float(c[0]), float(c[1])) for c in corners)
    return ProductDescription(
        dataproduct_type="image",
        dataproduct_subtype="mosaic",
        calib_level=3,
        title=f"{instrument} {band[0]:g}-{band[1]:g} keV mosaic of {len(pointings)} science windows",
        target_name=target_name,
        s_ra=ra,
        s_dec=dec,
        footprint=tuple((float(c[0]) % 360.0, float(c[1])) for c in corners),
        s_fov=2.0 * radius,
        s_xel1=nx,
        s_xel2=ny,
        t_min=t_min,
        t_max=t_max,
        exposure=_good_time(pointings),
        energy_min=band[0],
        energy_max=band[1],
        em_xel=1,
        o_ucd="phot.count;em.X-ray",
        facility=FACILITY,
        instrument=instrument,
        data_version=_data_version(pointings),
        inputs=scw_inputs(pointings),
        s_resolution=RESOLUTION_ARCMIN[instrument] * 60.0,
    )


def catalog_description(image: ProductDescription, *, n_sources: int, image_id: str) -> ProductDescription:
    """The source list of a mosaic (the run's product ``image_id``): its coverage, as measurements (level 4)."""
    return ProductDescription(
        facility=image.facility,
        instrument=image.instrument,
        dataproduct_type="measurements",
        dataproduct_subtype="source-list",
        calib_level=4,
        title=f"{n_sources} sources of the {image.title}",
        target_name=image.target_name,
        s_ra=image.s_ra,
        s_dec=image.s_dec,
        footprint=image.footprint,
        s_fov=image.s_fov,
        s_resolution=image.s_resolution,
        t_min=image.t_min,
        t_max=image.t_max,
        exposure=image.exposure,
        energy_min=image.energy_min,
        energy_max=image.energy_max,
        data_version=image.data_version,
        inputs=image.inputs,
        derived_from=(image_id,),
        o_ucd="phot.count;em.X-ray",
    )


def _of_source(
    instrument: str, pointings: Sequence[ChunkInfo], target: tuple[str, float, float], **specific: Any
) -> ProductDescription:
    """A product of one source (name, ra, dec): it covers the instrument's resolution (FWHM) around it."""
    name, ra, dec = target
    radius = RESOLUTION_ARCMIN[instrument] / 60.0
    return ProductDescription(
        facility=FACILITY,
        instrument=instrument,
        data_version=_data_version(pointings),
        inputs=scw_inputs(pointings),
        s_resolution=RESOLUTION_ARCMIN[instrument] * 60.0,
        target_name=name,
        s_ra=ra,
        s_dec=dec,
        footprint=circle_footprint(ra, dec, radius),
        s_fov=2.0 * radius,
        o_ucd="phot.count;em.X-ray",
        **specific,
    )


def spectrum_description(
    pha: Path,
    rmf: Path,
    *,
    instrument: str,
    pointings: Sequence[ChunkInfo],
    target: tuple[str, float, float],
) -> ProductDescription:
    """A source's PHA spectrum: channels from the RMF's EBOUNDS, time and exposure from the PHA header."""
    with fits.open(pha) as hdus:
        header = hdus["SPECTRUM"].header
        t_min, t_max = _times(header)
        exposure = float(header["EXPOSURE"])
    with fits.open(rmf) as hdus:
        bounds = hdus["EBOUNDS"].data
        e_min, e_max = float(np.min(bounds["E_MIN"])), float(np.max(bounds["E_MAX"]))
        n_channels = len(bounds)
    name = target[0]
    return _of_source(
        instrument,
        pointings,
        target,
        dataproduct_type="spectrum",
        calib_level=3,
        title=f"{instrument} spectrum of {name}, {exposure / 1000.0:.1f} ks",
        t_min=t_min,
        t_max=t_max,
        exposure=exposure,
        energy_min=e_min,
        energy_max=e_max,
        em_xel=n_channels,
        em_res_power=math.sqrt(e_min * e_max) / ((e_max - e_min) / n_channels),
    )


def lightcurve_description(
    path: Path,
    *,
    instrument: str,
    pointings: Sequence[ChunkInfo],
    target: tuple[str, float, float],
    time_bin: float,
) -> ProductDescription:
    """A source's OGIP light curve (``RATE``): its band, its bins, the good time of its science windows."""
    with fits.open(path) as hdus:
        header = hdus["RATE"].header
        band = (float(header["E_MIN"]), float(header["E_MAX"]))
        t_min, t_max = _times(header)
        n_bins = len(hdus["RATE"].data)
    name = target[0]
    return _of_source(
        instrument,
        pointings,
        target,
        dataproduct_type="timeseries",
        dataproduct_subtype="light-curve",
        calib_level=3,
        title=f"{instrument} {band[0]:g}-{band[1]:g} keV light curve of {name}, {time_bin:g} s bins",
        t_min=t_min,
        t_max=t_max,
        exposure=_good_time(pointings),
        t_resolution=time_bin,
        t_xel=n_bins,
        energy_min=band[0],
        energy_max=band[1],
        em_xel=1,
    )


def spectrum_files(
    pha: Path, arf: Path, rmf: Path, preview: Path, *, what: str, described: ProductDescription
) -> list[ProductFile]:
    """The results of a spectrum run: the PHA file as the product, its responses and preview with it."""
    return [
        ProductFile("spectrum", pha, "application/fits", f"OGIP PHA spectrum of {what}", product=described),
        ProductFile(
            "arf", arf, "application/fits", "OGIP ancillary response (effective area)", of="spectrum"
        ),
        ProductFile("rmf", rmf, "application/fits", "OGIP redistribution matrix", of="spectrum"),
        ProductFile("preview", preview, "image/png", f"spectrum of {what}", of="spectrum"),
    ]
