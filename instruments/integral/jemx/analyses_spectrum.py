"""``jemx/spectrum``: the target's count spectrum from one JEM-X unit's science windows, as OGIP PHA, RMF, ARF.

In every chosen ScW the target and the reference sources the unit sees are fitted together in every channel
(``spectrum.extract_spectra``); the ScWs are summed with inverse-variance weights and a forward-folded power
law is fitted for the PHA header and the preview.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from astropy.io import fits
from pydantic import BaseModel

from instruments.archive.backends import jemx_archive
from instruments.archive.base import ChunkInfo
from instruments.base import AnalysisBase, ProductFile, RunContext
from instruments.errors import InstrumentUsageError
from instruments.integral.describe import spectrum_description, spectrum_files
from instruments.integral.isgri.products import spectrum_cards
from instruments.integral.isgri.spectrum import PowerLawFit, SourceSpectrum, fit_power_law
from instruments.integral.jemx.analyses import (
    SpectrumParameters,
    chosen_pointings,
    field_targets,
    science_windows,
)
from instruments.integral.jemx.spectrum import extract_spectra, write_ogip_spectrum
from instruments.integral.previews import spectrum_preview

__all__ = ["Spectrum"]


class Spectrum(AnalysisBase):
    """JEM-X spectrum of the target (see the module docstring)."""

    title = "JEM-X spectrum"
    description = (
        "Count spectrum of the target (src_name at RA, DEC) from the chosen science windows of JEM-X unit "
        "jemx_num, fitted together with the reference sources in the field: OGIP PHA with RMF and ARF, with "
        "a forward-folded power law in the PHA header, and a PNG preview"
    )
    Parameters: ClassVar[type[BaseModel]] = SpectrumParameters

    def run(self, params: BaseModel, ctx: RunContext) -> list[ProductFile]:
        assert isinstance(params, SpectrumParameters)
        pointings = chosen_pointings(params, ctx.archive_dir)
        backend = jemx_archive(ctx.archive_dir, pointings, unit=params.jemx_num)
        model = backend.instrument_model(pointings[0].t_start)
        targets = field_targets(params, pointings)
        weighted, inverse = np.zeros(model.n_channels), np.zeros(model.n_channels)
        exposure, area = 0.0, np.zeros_like(model.arf_pixel)
        times = (np.inf, -np.inf)
        used: list[ChunkInfo] = []
        for info, scw in zip(pointings, science_windows(ctx, backend, pointings), strict=True):
            found = extract_spectra(scw, model, targets).get(params.src_name)
            if found is None:
                continue
            used.append(info)
            weighted += found.rate * found.error**-2
            inverse += found.error**-2
            exposure += found.exposure
            area += found.arf * found.exposure
            times = (min(times[0], scw.t_start), max(times[1], scw.t_stop))
        if exposure <= 0.0:
            raise InstrumentUsageError(
                f"the target (RA={params.RA:g}, DEC={params.DEC:g}) is in the field of none of the "
                f"{len(pointings)} JEM-X{params.jemx_num} science windows chosen: change RA and DEC, radius "
                "or scw_list"
            )
        spectrum = SourceSpectrum(
            params.src_name, weighted / inverse, inverse**-0.5, exposure, area / exposure, model
        )
        ctx.progress(0.9, "fitting a power law; writing the products")
        fit: PowerLawFit | None
        try:
            fit = fit_power_law(spectrum)
        except ValueError as exc:
            ctx.logger.info("no power-law fit: %s", exc)
            fit = None
        pha, rmf, arf = write_ogip_spectrum(spectrum, ctx.workdir, unit=params.jemx_num)
        with fits.open(pha, mode="update") as hdus:
            header = hdus["SPECTRUM"].header
            header["ORIGIN"] = ("MMVO", "from a SIMULATED archive")
            spectrum_cards(header, params=params, times=times, fit=fit)
        instrument = f"JEM-X{params.jemx_num}"
        preview = spectrum_preview(ctx.workdir / "jemx_spectrum.png", spectrum, fit, instrument=instrument)
        what = f"{params.src_name}, {instrument}, {exposure / 1000.0:.1f} ks"
        described = spectrum_description(
            pha, rmf, instrument=instrument, pointings=used, target=(params.src_name, params.RA, params.DEC)
        )
        return spectrum_files(pha, arf, rmf, preview, what=what, described=described)
