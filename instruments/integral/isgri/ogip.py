"""OGIP files of a spectrum: PHA (type I, count rates), RMF and ARF, readable by XSPEC, Sherpa and 3ML.

Rates are on-axis equivalent counts s^-1 with their statistical errors (POISSERR = F, since they come from
fits, not counts) and a 1 % systematic error, the flux systematics quoted for OSA 11.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from astropy.io import fits

from instruments.integral.isgri.spectrum import SourceSpectrum
from instruments.integral.spectra import energy_edges

__all__ = ["SYSTEMATIC", "write_ogip_spectrum"]

SYSTEMATIC = 0.01


def _common(header: fits.Header, hduclas: tuple[str, ...]) -> None:
    header["TELESCOP"] = "INTEGRAL"
    header["INSTRUME"] = "IBIS"
    header["DETNAM"] = "ISGRI"
    header["FILTER"] = "NONE"
    header["HDUCLASS"] = "OGIP"
    for i, value in enumerate(hduclas, start=1):
        header[f"HDUCLAS{i}"] = value


def write_ogip_spectrum(spectrum: SourceSpectrum, directory: Path, stem: str) -> tuple[Path, Path, Path]:
    """Write ``stem``_pha.fits, ``stem``_rmf.fits and ``stem``_arf.fits into ``directory``; returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    pha, rmf, arf = (directory / f"{stem}_{kind}.fits" for kind in ("pha", "rmf", "arf"))
    model = spectrum.model
    n = model.n_channels
    channels = np.arange(n, dtype=np.int32)
    edges = energy_edges()

    table = fits.BinTableHDU.from_columns(
        [
            fits.Column("CHANNEL", "J", array=channels),
            fits.Column("RATE", "E", unit="count/s", array=spectrum.rate),
            fits.Column("STAT_ERR", "E", unit="count/s", array=spectrum.error),
            fits.Column("SYS_ERR", "E", array=np.full(n, SYSTEMATIC)),
        ],
        name="SPECTRUM",
    )
    _common(table.header, ("SPECTRUM", "TOTAL", "RATE", "TYPE:I"))
    header = table.header
    header["OBJECT"] = spectrum.name
    header["EXPOSURE"] = (spectrum.exposure, "[s] summed good time of the ScWs")
    header["AREASCAL"] = 1.0
    header["BACKSCAL"] = 1.0
    header["CORRSCAL"] = 0.0
    header["BACKFILE"] = "NONE"
    header["CORRFILE"] = "NONE"
    header["RESPFILE"] = rmf.name
    header["ANCRFILE"] = arf.name
    header["CHANTYPE"] = "PI"
    header["DETCHANS"] = n
    header["POISSERR"] = False
    header["HDUVERS"] = "1.2.1"
    fits.HDUList([fits.PrimaryHDU(), table]).writeto(pha, overwrite=True)

    matrix = fits.BinTableHDU.from_columns(
        [
            fits.Column("ENERG_LO", "E", unit="keV", array=edges[:-1]),
            fits.Column("ENERG_HI", "E", unit="keV", array=edges[1:]),
            fits.Column("N_GRP", "I", array=np.ones(edges.size - 1, dtype=np.int16)),
            fits.Column("F_CHAN", "J", array=np.zeros(edges.size - 1, dtype=np.int32)),
            fits.Column("N_CHAN", "J", array=np.full(edges.size - 1, n, dtype=np.int32)),
            fits.Column("MATRIX", f"{n}E", array=model.rmf.T),
        ],
        name="MATRIX",
    )
    _common(matrix.header, ("RESPONSE", "RSP_MATRIX", "REDIST"))
    matrix.header["DETCHANS"] = n
    matrix.header["CHANTYPE"] = "PI"
    matrix.header["TLMIN4"] = 0
    matrix.header["HDUVERS"] = "1.3.0"
    ebounds = fits.BinTableHDU.from_columns(
        [
            fits.Column("CHANNEL", "J", array=channels),
            fits.Column("E_MIN", "E", unit="keV", array=model.channel_edges[:-1]),
            fits.Column("E_MAX", "E", unit="keV", array=model.channel_edges[1:]),
        ],
        name="EBOUNDS",
    )
    _common(ebounds.header, ("RESPONSE", "EBOUNDS"))
    ebounds.header["DETCHANS"] = n
    ebounds.header["CHANTYPE"] = "PI"
    fits.HDUList([fits.PrimaryHDU(), matrix, ebounds]).writeto(rmf, overwrite=True)

    specresp = fits.BinTableHDU.from_columns(
        [
            fits.Column("ENERG_LO", "E", unit="keV", array=edges[:-1]),
            fits.Column("ENERG_HI", "E", unit="keV", array=edges[1:]),
            fits.Column("SPECRESP", "E", unit="cm**2", array=spectrum.arf),
        ],
        name="SPECRESP",
    )
    _common(specresp.header, ("RESPONSE", "SPECRESP"))
    specresp.header["HDUVERS"] = "1.1.0"
    fits.HDUList([fits.PrimaryHDU(), specresp]).writeto(arf, overwrite=True)
    return pha, rmf, arf
