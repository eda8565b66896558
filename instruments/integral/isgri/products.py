"""The files the ISGRI analyses hand to their users: FITS images, a VOTable source list, OGIP spectra and light
curves, each carrying the parameters of the request that made it.

Images follow the OSA mosaic layout: one image extension per quantity (flux, variance, significance,
exposure) with the mosaic's WCS and units, pixels outside the coverage NaN.  Times are IJD: TIMESYS TT,
MJDREF 51544, TSTART/TSTOP the first start and last stop of the science windows used.  The parameters go in
as ``HIERARCH MMVO PARAM <name>`` cards (names keep their case; long values continue over several cards), so a
file found later still says how it was made.  The source list is a VOTable written by astropy with a unit
and a UCD per column, the form TOPCAT and pyvo read directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from astropy.io import fits
from astropy.io.votable import from_table
from astropy.table import Table
from pydantic import BaseModel

from instruments.integral.isgri.decode import SkyImage
from instruments.integral.isgri.lightcurve import LightCurve, write_ogip_lightcurve
from instruments.integral.isgri.ogip import write_ogip_spectrum
from instruments.integral.isgri.spectrum import PowerLawFit, SourceSpectrum
from instruments.integral.time import IJD_MJDREF

__all__ = [
    "CatalogSource",
    "add_parameters",
    "spectrum_cards",
    "write_catalog",
    "write_image",
    "write_lightcurve",
    "write_region",
    "write_spectrum",
]

PARAMETER_PREFIX = "HIERARCH MMVO PARAM"
#: Catalogue columns: name, unit, UCD, description.
_COLUMNS: tuple[tuple[str, str | None, str, str], ...] = (
    ("name", None, "meta.id;meta.main", "Reference-catalogue name, or NEW_n for a source not in it"),
    ("ra", "deg", "pos.eq.ra;meta.main", "Right ascension (ICRS)"),
    ("dec", "deg", "pos.eq.dec;meta.main", "Declination (ICRS)"),
    ("flux", "ct/s", "arith.rate;phot.count", "Count rate in the band, on-axis equivalent"),
    ("flux_err", "ct/s", "stat.error;phot.count", "1-sigma error of flux"),
    ("significance", None, "stat.snr", "Detection significance (sigma)"),
    ("err_rad", "arcmin", "stat.error;pos.eq", "90 % error radius of the position"),
    ("new_source", None, "meta.code", "True when no reference source lies within the match radius"),
)


@dataclass(frozen=True, slots=True)
class CatalogSource:
    """One row of the source list (see ``_COLUMNS`` for units)."""

    name: str
    ra: float
    dec: float
    flux: float
    flux_err: float
    significance: float
    err_rad: float
    new_source: bool


def _card_value(value: object) -> str | int | float | bool:
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def add_parameters(header: fits.Header, params: BaseModel) -> None:
    """Writes the request's parameters into ``header`` (unset ones left out)."""
    for name, value in params.model_dump(mode="json").items():
        if value is not None:
            header[f"{PARAMETER_PREFIX} {name}"] = _card_value(value)


def _time_cards(header: fits.Header, t_start: float, t_stop: float) -> None:
    header["TIMESYS"] = ("TT", "INTEGRAL Julian Date (IJD) is TT")
    header["MJDREF"] = (IJD_MJDREF, "MJD (TT) of IJD 0")
    # The same epoch as a date, so WCS readers need not fix the header (and warn) to find it.
    header["DATEREF"] = ("2000-01-01T00:00:00", "IJD 0 (TT)")
    header["TIMEUNIT"] = "d"
    header["TSTART"] = (t_start, "[d] IJD start of the first science window")
    header["TSTOP"] = (t_stop, "[d] IJD stop of the last science window")


def _instrument_cards(header: fits.Header) -> None:
    header["TELESCOP"] = "INTEGRAL"
    header["INSTRUME"] = "IBIS"
    header["DETNAM"] = "ISGRI"


def _atomic(path: Path, hdus: fits.HDUList) -> Path:
    temporary = path.with_name(f".{path.name}.part")
    hdus.writeto(temporary, overwrite=True)
    temporary.replace(path)
    return path


def write_image(
    path: Path,
    image: SkyImage,
    *,
    params: BaseModel,
    times: tuple[float, float],
    n_scw: int,
) -> Path:
    """The mosaic as FITS: extensions FLUX, VARIANCE, SIGNIFICANCE and EXPOSURE on the mosaic's WCS;
    ``times`` (IJD) are the first start and last stop of the ``n_scw`` science windows."""
    covered = np.isfinite(image.variance) & (image.exposure > 0.0)
    planes = {
        "FLUX": (np.where(covered, image.flux, np.nan), "count/s", "on-axis equivalent count rate"),
        "VARIANCE": (np.where(covered, image.variance, np.nan), "count2/s2", "variance of FLUX"),
        "SIGNIFICANCE": (np.where(covered, image.significance, np.nan), "", "FLUX / sqrt(VARIANCE)"),
        "EXPOSURE": (image.exposure, "s", "effective exposure (time times coded fraction)"),
    }
    primary = fits.PrimaryHDU()
    _instrument_cards(primary.header)
    _time_cards(primary.header, *times)
    primary.header["NSCW"] = (n_scw, "science windows in the mosaic")
    add_parameters(primary.header, params)
    hdus = fits.HDUList([primary])
    for name, (data, unit, comment) in planes.items():
        hdu = fits.ImageHDU(np.asarray(data, dtype=np.float32), header=image.wcs.to_header(), name=name)
        header = hdu.header
        header["BUNIT"] = (unit, comment)
        header["E_MIN"] = (image.band[0], "[keV] lower end of the band")
        header["E_MAX"] = (image.band[1], "[keV] upper end of the band")
        _instrument_cards(header)
        _time_cards(header, *times)
        add_parameters(header, params)
        hdus.append(hdu)
    return _atomic(path, hdus)


def write_catalog(path: Path, sources: Sequence[CatalogSource], *, band: tuple[float, float]) -> Path:
    """The source list as a VOTable (one TABLE, columns as ``_COLUMNS`` say), strongest source first."""
    table = Table()
    for name, unit, ucd, description in _COLUMNS:
        values = [getattr(s, name) for s in sources]
        kind = str if name == "name" else bool if name == "new_source" else float
        table[name] = np.array(values, dtype=kind) if values else np.array([], dtype=kind)
        table[name].unit = unit
        table[name].description = description
        table[name].meta["ucd"] = ucd
    votable = from_table(table)
    resource_table = votable.get_first_table()
    resource_table.name = "sources"
    resource_table.description = f"ISGRI sources found in the mosaic, {band[0]:g}-{band[1]:g} keV"
    temporary = path.with_name(f".{path.name}.part")
    votable.to_xml(str(temporary))
    temporary.replace(path)
    return path


def write_spectrum(
    spectrum: SourceSpectrum,
    directory: Path,
    *,
    params: BaseModel,
    times: tuple[float, float],
    fit: PowerLawFit | None,
) -> tuple[Path, Path, Path]:
    """OGIP PHA, RMF and ARF files of ``spectrum`` (see ``ogip``), the PHA with the request's parameters,
    the time range (IJD) and, when there is one, the forward-folded power-law fit."""
    pha, rmf, arf = write_ogip_spectrum(spectrum, directory, "isgri_spectrum")
    with fits.open(pha, mode="update") as hdus:
        spectrum_cards(hdus["SPECTRUM"].header, params=params, times=times, fit=fit)
    return pha, rmf, arf


def spectrum_cards(
    header: fits.Header, *, params: BaseModel, times: tuple[float, float], fit: PowerLawFit | None
) -> None:
    """What a PHA header says beyond OGIP's keywords: time system and range (IJD), the forward-folded
    power-law fit when there is one, and the request's parameters (for JEM-X's PHA files too)."""
    _time_cards(header, *times)
    if fit is not None:
        header["PL_INDEX"] = (fit.index, "power-law photon index (forward-folded fit)")
        header["PL_IDXER"] = (fit.index_err, "1-sigma error of PL_INDEX")
        header["PL_NORM"] = (fit.norm, "[ph/cm2/s/keV] power-law flux at 100 keV")
        header["PL_NRMER"] = (fit.norm_err, "1-sigma error of PL_NORM")
        header["PL_CHI2"] = (fit.chi2, "chi-square of the fit")
        header["PL_DOF"] = (fit.dof, "degrees of freedom of the fit")
    add_parameters(header, params)


def write_lightcurve(curve: LightCurve, path: Path, *, params: BaseModel, times: tuple[float, float]) -> Path:
    """The OGIP light curve (see ``lightcurve``) with the request's parameters and time range (IJD)."""
    write_ogip_lightcurve(curve, path)
    with fits.open(path, mode="update") as hdus:
        header = hdus["RATE"].header
        header["TSTART"] = (times[0], "[d] IJD start of the first science window")
        header["TSTOP"] = (times[1], "[d] IJD stop of the last science window")
        add_parameters(header, params)
    return path


def write_region(path: Path, sources: Sequence[CatalogSource], *, instrument: str) -> Path:
    """The source list as a DS9 region file (ICRS circles of the 90 % error radius, at least 0.5 arcmin, named;
    new sources in red), for DS9 and Aladin overlays."""
    lines = [
        "# Region file format: DS9 version 4.1",
        f"# {instrument} sources found by MMVO",
        "icrs",
    ]
    for source in sources:
        colour = "red" if source.new_source else "green"
        radius = max(source.err_rad, 0.5) * 60.0
        name = source.name.replace("}", ")").replace("{", "(")
        lines.append(
            f'circle({source.ra:.6f},{source.dec:.6f},{radius:.2f}") # color={colour} text={{{name}}}'
        )
    temporary = path.with_name(f".{path.name}.part")
    temporary.write_text("\n".join(lines) + "\n")
    temporary.replace(path)
    return path
