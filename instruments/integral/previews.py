"""PNG previews of the INTEGRAL products (ISGRI and JEM-X), for galleries and job pages: a look, not the data.

Figures are built with matplotlib's object API on the Agg canvas (``Figure`` without pyplot), so nothing
touches a display or pyplot's global state, and worker processes can draw side by side.  The mosaic is shown
in significance with sky axes from its WCS and the found sources circled and named; spectra and light curves
with their errors.  ``instrument`` is the label of the titles (``ISGRI``, ``JEM-X1``, ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from instruments.integral.isgri.decode import SkyImage
from instruments.integral.isgri.lightcurve import LightCurve
from instruments.integral.isgri.products import CatalogSource
from instruments.integral.isgri.spectrum import PowerLawFit, SourceSpectrum
from instruments.integral.spectra import PowerLaw

__all__ = ["PNG_SIGNATURE", "lightcurve_preview", "significance_preview", "spectrum_preview"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_DPI = 100


def _save(figure: Figure, path: Path) -> Path:
    FigureCanvasAgg(figure)
    temporary = path.with_name(f".{path.name}.part")
    figure.savefig(temporary, format="png", dpi=_DPI)
    temporary.replace(path)
    return path


def significance_preview(
    path: Path, image: SkyImage, sources: Sequence[CatalogSource], *, instrument: str
) -> Path:
    """The mosaic's significance on sky axes (ICRS), sources circled: reference ones in white, new in red."""
    figure = Figure(figsize=(7.5, 6.5))
    axes = figure.add_subplot(projection=image.wcs)
    covered = np.isfinite(image.variance) & (image.exposure > 0.0)
    significance = np.where(covered, image.significance, np.nan)
    shown = axes.imshow(significance, origin="lower", cmap="viridis", vmin=-3.0, vmax=10.0)
    figure.colorbar(shown, ax=axes, label="significance (sigma)")
    world = axes.get_transform("icrs")
    for source in sources:
        colour = "red" if source.new_source else "white"
        axes.scatter([source.ra], [source.dec], transform=world, s=160, facecolors="none", edgecolors=colour)
        axes.text(source.ra, source.dec, f"  {source.name}", transform=world, color=colour, fontsize=8)
    axes.set_xlabel("RA (ICRS)")
    axes.set_ylabel("Dec (ICRS)")
    axes.set_title(f"{instrument} {image.band[0]:g}-{image.band[1]:g} keV significance mosaic")
    return _save(figure, path)


def spectrum_preview(
    path: Path, spectrum: SourceSpectrum, fit: PowerLawFit | None, *, instrument: str
) -> Path:
    """Count-rate spectrum per keV with errors, and the folded power law when there is a fit."""
    edges = spectrum.model.channel_edges
    centres, widths = np.sqrt(edges[:-1] * edges[1:]), np.diff(edges)
    figure = Figure(figsize=(7.0, 5.0))
    axes = figure.add_subplot()
    axes.errorbar(
        centres,
        spectrum.rate / widths,
        xerr=[centres - edges[:-1], edges[1:] - centres],
        yerr=spectrum.error / widths,
        fmt="o",
        markersize=3,
        label=spectrum.name,
    )
    if fit is not None:
        folded = spectrum.predicted(PowerLaw(fit.norm, fit.index)) / widths
        axes.step(
            edges, np.append(folded, folded[-1]), where="post", label=f"power law, index {fit.index:.2f}"
        )
    axes.set_xscale("log")
    positive = spectrum.rate > 0.0
    if positive.any():
        axes.set_yscale("log")
    axes.set_xlabel("Energy (keV)")
    axes.set_ylabel("Rate (counts s$^{-1}$ keV$^{-1}$, on-axis equivalent)")
    axes.set_title(f"{instrument} spectrum of {spectrum.name}, {spectrum.exposure / 1000.0:.1f} ks")
    axes.legend()
    return _save(figure, path)


def lightcurve_preview(path: Path, curve: LightCurve, *, instrument: str) -> Path:
    """Rate against time (IJD) with errors."""
    figure = Figure(figsize=(8.0, 4.5))
    axes = figure.add_subplot()
    axes.errorbar(curve.time, curve.rate, xerr=curve.timedel / 2.0, yerr=curve.error, fmt="o", markersize=3)
    axes.set_xlabel("Time (IJD, TT)")
    axes.set_ylabel("Rate (counts s$^{-1}$, on-axis equivalent)")
    axes.set_title(f"{instrument} {curve.band[0]:g}-{curve.band[1]:g} keV light curve of {curve.name}")
    return _save(figure, path)
