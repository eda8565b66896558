"""Simulated science windows for the ISGRI validation: a chosen sky, pointings placed relative to it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from instruments.archive.base import ChunkInfo
from instruments.archive.simulated.backend import SimulatedBackend
from instruments.archive.simulated.truth import TruthSource
from instruments.integral.isgri.frame import InstrumentFrame
from instruments.integral.isgri.model import IsgriModel
from instruments.integral.isgri.pif import pif
from instruments.integral.isgri.scw import ScienceWindow, Shadowgram, read_scw, shadowgram
from instruments.integral.spectra import PowerLaw

CRAB_POSITION = (83.6331, 22.0145)
MJD = 54540.0  # March 2008, revolution 665
POSANGLE = 30.0
BAND = (20.0, 40.0)

Simulate = Callable[..., tuple[list[Shadowgram], IsgriModel]]
SimulateScws = Callable[..., tuple[list[ScienceWindow], IsgriModel]]


def pointing_for(target: tuple[float, float], u_deg: float, v_deg: float) -> tuple[float, float]:
    """A pointing axis that puts ``target`` at about (u, v) degrees in the instrument frame."""
    frame = InstrumentFrame(target[0], target[1], POSANGLE)
    ra, dec = frame.to_sky(-np.tan(np.radians(u_deg)), -np.tan(np.radians(v_deg)))
    return float(ra), float(dec)


def expected_rate(
    model: IsgriModel, spectrum: PowerLaw, weight: np.ndarray, band: tuple[float, float] = BAND
) -> float:
    """On-axis equivalent count rate of a spectrum, from the instrument model (what the images should read)."""
    on_axis_open = float((pif(0.0, 0.0) * weight).sum())
    return float(model.channel_rates(spectrum)[model.band_channels(*band)].sum() * on_axis_open)


def scws_in(
    directory: Path,
    truth: Sequence[TruthSource],
    axes: Sequence[tuple[float, float]],
    *,
    exposure: float = 2000.0,
) -> tuple[list[ScienceWindow], IsgriModel]:
    """Science windows of ``exposure`` s at the given pointing axes, 0.05 d apart, on the sky ``truth``."""
    infos = [
        ChunkInfo(
            "isgri",
            f"0665{i:04d}0010.001",
            ra,
            dec,
            POSANGLE,
            MJD + 0.05 * i,
            MJD + 0.05 * i + exposure / 86400,
            exposure,
        )
        for i, (ra, dec) in enumerate(axes)
    ]
    backend = SimulatedBackend(directory, infos, truth=truth)
    return [read_scw(backend.open_chunk(i.chunk_id)) for i in infos], backend.instrument_model(MJD)


@pytest.fixture
def simulate_scws(tmp_path: Path) -> SimulateScws:
    def run(
        truth: Sequence[TruthSource], axes: Sequence[tuple[float, float]], *, exposure: float = 2000.0
    ) -> tuple[list[ScienceWindow], IsgriModel]:
        return scws_in(tmp_path, truth, axes, exposure=exposure)

    return run


@pytest.fixture
def simulate(simulate_scws: SimulateScws) -> Simulate:
    """As ``simulate_scws``, made into shadowgrams of one band."""

    def run(
        truth: Sequence[TruthSource],
        axes: Sequence[tuple[float, float]],
        *,
        exposure: float = 2000.0,
        band: tuple[float, float] = BAND,
    ) -> tuple[list[Shadowgram], IsgriModel]:
        scws, model = simulate_scws(truth, axes, exposure=exposure)
        return [shadowgram(scw, model, band) for scw in scws], model

    return run
