"""JEM-X source spectra: per channel, the target and its neighbours fitted together, with OGIP files.

As for ISGRI (``instruments.integral.isgri.spectrum``, whose ``SourceSpectrum`` and forward-folded power-law
fit serve here unchanged), every channel of a science window is fitted with the background terms and the
shadows (PIF x collimator) of all the given sources at once; fluxes become on-axis equivalent count rates.
The ARF is the on-axis open area times the xenon efficiency, the RMF the unit's Gaussian redistribution,
both on the unit's own true-energy grid (1.5-60 keV), which is why the OGIP files are written here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from astropy.io import fits
from numpy.typing import NDArray

from instruments.integral.isgri.fit import BASE_TERMS, ShadowgramFit
from instruments.integral.isgri.spectrum import SourceSpectrum, Target
from instruments.integral.jemx.mask import SKY_PIXEL_DEG
from instruments.integral.jemx.model import TRUE_ENERGY_GRID, JemxModel
from instruments.integral.jemx.pif import pif, source_shadow
from instruments.integral.jemx.scw import JemxScienceWindow, shadowgram
from instruments.integral.jemx.search import on_axis_open
from instruments.integral.spectra import energy_edges

__all__ = ["MIN_RESPONSE", "extract_spectra", "in_field", "write_ogip_spectrum"]

F64 = NDArray[np.float64]

#: Smallest response (coded fraction x collimator, relative to on axis) for a source to count as in the field.
MIN_RESPONSE = 0.05
#: Systematic error (fraction of the rate) stated in the PHA file.
SYSTEMATIC = 0.02


def in_field(scw: JemxScienceWindow, target: Target) -> tuple[float, float] | None:
    """(u, v) sky pixels of the target in this ScW, or None when the unit hardly sees it."""
    u, v = scw.frame.to_instrument(target.ra, target.dec)
    if not (np.isfinite(u) and np.isfinite(v)):
        return None
    scale = np.radians(SKY_PIXEL_DEG)
    position = (float(u) / scale, float(v) / scale)
    seen = source_shadow(*position).sum() / pif(0.0, 0.0).sum()
    return position if seen >= MIN_RESPONSE else None


def extract_spectra(
    scw: JemxScienceWindow, model: JemxModel, targets: Sequence[Target]
) -> dict[str, SourceSpectrum]:
    """One spectrum per target the ScW sees (the others are left out)."""
    placed = [(t, p) for t in targets if (p := in_field(scw, t)) is not None]
    if not placed:
        return {}
    shadows = [source_shadow(*p) for _, p in placed]
    good = (~model.bad & (model.pixel_efficiency > 0.0)).astype(np.float64)
    k = on_axis_open(good)
    rates, errors = np.zeros((2, len(placed), model.n_channels))
    for channel in range(model.n_channels):
        band = (float(model.channel_edges[channel]), float(model.channel_edges[channel + 1]))
        coef, err, _ = ShadowgramFit(shadowgram(scw, model, band)).solve(shadows)
        rates[:, channel], errors[:, channel] = coef[BASE_TERMS:] * k, err[BASE_TERMS:] * k
    return {
        target.name: SourceSpectrum(
            target.name, rates[i], errors[i], scw.exposure, k * model.arf_pixel, model
        )
        for i, (target, _) in enumerate(placed)
    }


def _table(
    name: str, columns: Sequence[fits.Column], classes: tuple[str, ...], unit: int
) -> fits.BinTableHDU:
    table = fits.BinTableHDU.from_columns(list(columns), name=name)
    header = table.header
    header["TELESCOP"] = "INTEGRAL"
    header["INSTRUME"] = f"JMX{unit}"
    header["FILTER"] = "NONE"
    header["HDUCLASS"] = "OGIP"
    for i, value in enumerate(classes, start=1):
        header[f"HDUCLAS{i}"] = value
    return table


def write_ogip_spectrum(spectrum: SourceSpectrum, directory: Path, *, unit: int) -> tuple[Path, Path, Path]:
    """``jemx_spectrum_pha.fits``, ``_rmf.fits`` and ``_arf.fits`` in ``directory``; returns their paths."""
    pha, rmf, arf = (directory / f"jemx_spectrum_{kind}.fits" for kind in ("pha", "rmf", "arf"))
    model = spectrum.model
    n = model.n_channels
    channels = np.arange(n, dtype=np.int32)
    edges = energy_edges(*TRUE_ENERGY_GRID)
    lo, hi = edges[:-1], edges[1:]
    spectrum_hdu = _table(
        "SPECTRUM",
        [
            fits.Column("CHANNEL", "J", array=channels),
            fits.Column("RATE", "E", unit="count/s", array=spectrum.rate),
            fits.Column("STAT_ERR", "E", unit="count/s", array=spectrum.error),
            fits.Column("SYS_ERR", "E", array=np.full(n, SYSTEMATIC)),
        ],
        ("SPECTRUM", "TOTAL", "RATE", "TYPE:I"),
        unit,
    )
    header = spectrum_hdu.header
    header["OBJECT"] = spectrum.name
    header["EXPOSURE"] = (spectrum.exposure, "[s] summed good time of the ScWs")
    for key, value in (("AREASCAL", 1.0), ("BACKSCAL", 1.0), ("CORRSCAL", 0.0), ("BACKFILE", "NONE")):
        header[key] = value
    header["CORRFILE"] = "NONE"
    header["RESPFILE"] = rmf.name
    header["ANCRFILE"] = arf.name
    header["CHANTYPE"] = "PI"
    header["DETCHANS"] = n
    header["POISSERR"] = False
    header["HDUVERS"] = "1.2.1"
    fits.HDUList([fits.PrimaryHDU(), spectrum_hdu]).writeto(pha, overwrite=True)
    energies = [
        fits.Column("ENERG_LO", "E", unit="keV", array=lo),
        fits.Column("ENERG_HI", "E", unit="keV", array=hi),
    ]
    matrix = _table(
        "MATRIX",
        [
            *energies,
            fits.Column("N_GRP", "I", array=np.ones(lo.size, dtype=np.int16)),
            fits.Column("F_CHAN", "J", array=np.zeros(lo.size, dtype=np.int32)),
            fits.Column("N_CHAN", "J", array=np.full(lo.size, n, dtype=np.int32)),
            fits.Column("MATRIX", f"{n}E", array=model.rmf.T),
        ],
        ("RESPONSE", "RSP_MATRIX", "REDIST"),
        unit,
    )
    ebounds = _table(
        "EBOUNDS",
        [
            fits.Column("CHANNEL", "J", array=channels),
            fits.Column("E_MIN", "E", unit="keV", array=model.channel_edges[:-1]),
            fits.Column("E_MAX", "E", unit="keV", array=model.channel_edges[1:]),
        ],
        ("RESPONSE", "EBOUNDS"),
        unit,
    )
    for hdu in (matrix, ebounds):
        hdu.header["DETCHANS"] = n
        hdu.header["CHANTYPE"] = "PI"
    fits.HDUList([fits.PrimaryHDU(), matrix, ebounds]).writeto(rmf, overwrite=True)
    specresp = _table(
        "SPECRESP",
        [*energies, fits.Column("SPECRESP", "E", unit="cm**2", array=spectrum.arf)],
        ("RESPONSE", "SPECRESP"),
        unit,
    )
    fits.HDUList([fits.PrimaryHDU(), specresp]).writeto(arf, overwrite=True)
    return pha, rmf, arf
