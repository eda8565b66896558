"""``isgri/spectrum``: the target's count spectrum over every channel, with its OGIP response.

In every science window the target and the reference sources the pointing can see are fitted together per
channel (``spectrum.extract_spectra``), so a neighbour's photons are not counted in the target's spectrum.
Science windows are read one at a time and their spectra summed with inverse-variance weights, with the
effective area averaged over exposure, which is what ``extract_spectra`` does over a list; doing it here per
ScW keeps one ScW in memory and lets calibration epochs change between ScWs.  A forward-folded power law is
fitted for the preview and the PHA header; a spectrum it cannot describe simply has no fit.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import BaseModel

from instruments.archive.base import ChunkInfo
from instruments.base import AnalysisBase, ProductFile, RunContext
from instruments.integral.describe import spectrum_description, spectrum_files
from instruments.integral.isgri.analyses.common import (
    SpectrumParameters,
    field_sources,
    observations,
    open_archive,
    target_not_seen,
)
from instruments.integral.isgri.products import write_spectrum
from instruments.integral.isgri.spectrum import (
    PowerLawFit,
    SourceSpectrum,
    Target,
    extract_spectra,
    fit_power_law,
)
from instruments.integral.previews import spectrum_preview

__all__ = ["Spectrum"]


class Spectrum(AnalysisBase):
    """ISGRI spectrum of the target (see the module docstring)."""

    title = "ISGRI spectrum"
    description = (
        "Count spectrum of the target (src_name at RA, DEC) from the chosen IBIS/ISGRI science windows, "
        "fitted together with the reference sources in the field: OGIP PHA with RMF and ARF, and a PNG "
        "preview with a forward-folded power law"
    )
    Parameters: ClassVar[type[BaseModel]] = SpectrumParameters

    def run(self, params: BaseModel, ctx: RunContext) -> list[ProductFile]:
        assert isinstance(params, SpectrumParameters)
        backend, pointings = open_archive(params, ctx)
        target = Target(params.src_name, params.RA, params.DEC)
        sources = [target, *field_sources(target, pointings)]
        sums: np.ndarray | None = None
        exposure = 0.0
        area: np.ndarray | float = 0.0
        last: SourceSpectrum | None = None
        times = (np.inf, -np.inf)
        used: list[ChunkInfo] = []
        for observation in observations(ctx, backend, pointings, doing="extracting", progress=(0.0, 0.9)):
            found = extract_spectra([observation.scw], observation.model, sources).get(target.name)
            if found is None:
                continue
            used.append(observation.info)
            inverse = found.error**-2
            part = np.stack([found.rate * inverse, inverse])
            sums = part if sums is None else sums + part
            exposure += found.exposure
            area = area + found.arf * found.exposure
            last = found
            times = (min(times[0], observation.scw.t_start), max(times[1], observation.scw.t_stop))
        if sums is None or last is None:
            raise target_not_seen(params, len(pointings))
        spectrum = SourceSpectrum(
            name=target.name,
            rate=sums[0] / sums[1],
            error=1.0 / np.sqrt(sums[1]),
            exposure=exposure,
            arf=np.asarray(area, dtype=np.float64) / exposure,
            model=last.model,
        )
        ctx.progress(0.9, "fitting a power law; writing the products")
        fit: PowerLawFit | None
        try:
            fit = fit_power_law(spectrum)
        except ValueError as exc:
            ctx.logger.info("no power-law fit: %s", exc)
            fit = None
        pha, rmf, arf = write_spectrum(spectrum, ctx.workdir, params=params, times=times, fit=fit)
        preview = spectrum_preview(ctx.workdir / "isgri_spectrum.png", spectrum, fit, instrument="ISGRI")
        what = f"{target.name}, {exposure / 1000.0:.1f} ks"
        described = spectrum_description(
            pha, rmf, instrument="ISGRI", pointings=used, target=(target.name, target.ra, target.dec)
        )
        return spectrum_files(pha, arf, rmf, preview, what=what, described=described)
