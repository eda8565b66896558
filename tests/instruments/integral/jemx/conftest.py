"""Simulated JEM-X science windows for the validation: a chosen sky, pointings placed relative to it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from instruments.archive.base import ChunkInfo
from instruments.archive.simulated.jemx_backend import JemxBackend
from instruments.archive.simulated.truth import TruthSource
from instruments.integral.isgri.scw import Shadowgram
from instruments.integral.jemx.model import JemxModel
from instruments.integral.jemx.pif import pif
from instruments.integral.jemx.scw import JemxScienceWindow, read_scw, shadowgram
from instruments.integral.spectra import PowerLaw

CRAB_POSITION = (83.6331, 22.0145)
MJD = 54540.0  # March 2008, revolution 665
BAND = (3.0, 35.0)

Simulate = Callable[..., tuple[list[Shadowgram], JemxModel]]


def infos_at(
    axes: Sequence[tuple[float, float]], *, exposure: float = 2000.0, posangle: float = 30.0
) -> list[ChunkInfo]:
    return [
        ChunkInfo(
            "jemx1",
            f"0665{i:04d}0010.001",
            ra,
            dec,
            posangle,
            MJD + 0.05 * i,
            MJD + 0.05 * i + exposure / 86400,
            exposure,
        )
        for i, (ra, dec) in enumerate(axes)
    ]


def expected_rate(
    model: JemxModel, spectrum: PowerLaw, weight: np.ndarray, band: tuple[float, float] = BAND
) -> float:
    """On-axis equivalent count rate of a spectrum, from the instrument model (what the images should read)."""
    on_axis_open = float((pif(0.0, 0.0) * weight).sum())
    return float(model.channel_rates(spectrum)[model.band_channels(*band)].sum() * on_axis_open)


def scws_in(
    directory: Path, truth: Sequence[TruthSource], axes: Sequence[tuple[float, float]], *, unit: int = 1
) -> tuple[list[JemxScienceWindow], JemxModel]:
    backend = JemxBackend(directory, infos_at(axes), unit=unit, truth=truth)
    scws = [read_scw(backend.open_chunk(info.chunk_id)) for info in backend.list_chunks()]
    return scws, backend.instrument_model(MJD)


@pytest.fixture
def simulate(tmp_path: Path) -> Simulate:
    def run(
        truth: Sequence[TruthSource], axes: Sequence[tuple[float, float]], *, band: tuple[float, float] = BAND
    ) -> tuple[list[Shadowgram], JemxModel]:
        scws, model = scws_in(tmp_path, truth, axes)
        return [shadowgram(scw, model, band) for scw in scws], model

    return run
