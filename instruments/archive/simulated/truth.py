"""The HIDDEN truth of the simulated archive: which sources shine, with which spectra and light curves.

Only the simulation reads this module; the analysis sees the archive data, the instrument model and the
public reference catalogue, and the tests compare its results with what is written here.  The catalogue is
SIMULATED, seeded by the reference catalogue: each real source keeps its position and typical 20-40 keV flux
and gets a spectrum of its class (Crab: Roques & Jourdain 2018; black-hole hard states Gamma 1.7 with a
100 keV cut-off; neutron-star low-mass binaries soft, Gamma 2.7; accreting pulsars Gamma 1 cut off at
20 keV; AGN Gamma 1.8) and a light curve (red-noise-like wander, eclipses of Cen X-3 and Vela X-1,
outbursts of the transients, the June 2015 outburst of V404 Cyg).  A few transients absent from the
reference catalogue exercise the search for new sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from instruments.archive.seeding import chunk_rng
from instruments.integral.spectra import CRAB, PowerLaw, mcrab_norm
from instruments.reference import REFERENCE_SOURCES, ReferenceSource

__all__ = ["LightCurve", "TruthSource", "default_truth"]

F64 = NDArray[np.float64]

#: Sources with black-hole hard-state spectra in the simulation.
_BLACK_HOLES = frozenset(
    {
        "Cyg X-1",
        "GRS 1915+105",
        "GX 339-4",
        "1E 1740.7-2942",
        "GRS 1758-258",
        "GRO J1655-40",
        "H 1743-322",
        "Swift J1753.5-0127",
        "V404 Cyg",
        "MAXI J1820+070",
    }
)
#: Orbital period (d) and eclipse fraction of the eclipsing binaries.
_ECLIPSES = {"Cen X-3": (2.08704, 0.22), "Vela X-1": (8.964, 0.19)}
#: Peak MJD, rise and decay (d) of outbursts fixed by history; the other transients get seeded dates.
_OUTBURSTS = {"V404 Cyg": (57199.5, 3.0, 3.0), "MAXI J1820+070": (58200.0, 8.0, 60.0)}
_TRANSIENT_PEAK_DEFAULT = 300.0  # mCrab, when the reference table has no value
_MISSION = (52600.0, 60700.0)  # MJD range over which seeded outbursts are spread


@dataclass(frozen=True, slots=True)
class LightCurve:
    """Flux multiplier against MJD.

    ``kind`` is "steady"; "wander" (a sum of slow sinusoids, ``amplitude`` rms, never below 5 %);
    "eclipse" (``period``, ``epoch``, ``width`` as a phase fraction at 3 % flux); "outburst"
    (fast-rise exponential-decay peaking at ``epoch`` with ``rise``/``decay`` days above a ``floor``);
    or "flare" (a Gaussian bump of relative ``amplitude`` and sigma ``width`` days at ``epoch``).
    """

    kind: str = "steady"
    epoch: float = 0.0
    period: float = 1.0
    width: float = 0.0
    rise: float = 1.0
    decay: float = 1.0
    floor: float = 0.0
    amplitude: float = 0.0
    phases: tuple[float, ...] = ()
    periods: tuple[float, ...] = ()

    def factor(self, mjd: ArrayLike) -> F64:
        t = np.asarray(mjd, dtype=np.float64)
        if self.kind == "steady":
            return np.ones_like(t)
        if self.kind == "wander":
            waves = sum(
                (np.sin(2 * np.pi * t / p + ph) for p, ph in zip(self.periods, self.phases, strict=True)),
                start=np.zeros_like(t),
            )
            scale = self.amplitude * np.sqrt(2.0 / max(1, len(self.periods)))
            return np.asarray(np.maximum(0.05, 1.0 + scale * waves), dtype=np.float64)
        if self.kind == "eclipse":
            phase = ((t - self.epoch) / self.period + 0.5) % 1.0 - 0.5
            return np.where(np.abs(phase) < self.width / 2.0, 0.03, 1.0)
        if self.kind == "outburst":
            dt = t - self.epoch
            shape = np.where(
                dt < 0.0, np.exp(np.minimum(dt, 0.0) / self.rise), np.exp(-np.maximum(dt, 0.0) / self.decay)
            )
            return np.asarray(self.floor + (1.0 - self.floor) * shape, dtype=np.float64)
        if self.kind == "flare":
            return np.asarray(
                1.0 + self.amplitude * np.exp(-0.5 * ((t - self.epoch) / self.width) ** 2), dtype=np.float64
            )
        raise ValueError(f"unknown light-curve kind {self.kind!r}")


@dataclass(frozen=True, slots=True)
class TruthSource:
    """A simulated source: ICRS position (deg), photon spectrum at light-curve factor 1, light curve."""

    name: str
    ra: float
    dec: float
    spectrum: PowerLaw
    lightcurve: LightCurve = field(default_factory=LightCurve)
    in_reference: bool = True


def _spectrum(source: ReferenceSource, flux: float) -> PowerLaw:
    if source.name == "Crab":
        return CRAB.scaled(flux / 1000.0)
    if source.name in _BLACK_HOLES:
        return PowerLaw(mcrab_norm(flux, 1.7, cutoff=100.0), 1.7, 100.0)
    if source.cls in {"Seyfert1", "Seyfert2", "Blazar", "BLLac"}:
        return PowerLaw(mcrab_norm(flux, 1.8, cutoff=200.0), 1.8, 200.0)
    if source.cls == "HighMassXBin":
        return PowerLaw(mcrab_norm(flux, 1.0, cutoff=20.0), 1.0, 20.0)
    if source.cls == "Pulsar":
        return PowerLaw(mcrab_norm(flux, 1.7), 1.7)
    return PowerLaw(mcrab_norm(flux, 2.7), 2.7)


def _lightcurve(source: ReferenceSource, rng: np.random.Generator) -> LightCurve:
    if source.name in _ECLIPSES:
        period, width = _ECLIPSES[source.name]
        return LightCurve(
            "eclipse", epoch=float(rng.uniform(0, period)) + 52000.0, period=period, width=width
        )
    if source.name in _OUTBURSTS:
        peak, rise, decay = _OUTBURSTS[source.name]
        return LightCurve("outburst", epoch=peak, rise=rise, decay=decay, floor=1e-3)
    if source.transient:
        return LightCurve(
            "outburst",
            epoch=float(rng.uniform(*_MISSION)),
            rise=float(rng.uniform(2.0, 10.0)),
            decay=float(rng.uniform(10.0, 60.0)),
            floor=1e-3,
        )
    if source.name == "Crab":
        return LightCurve()
    periods = tuple(float(p) for p in rng.uniform(3.0, 300.0, 4))
    phases = tuple(float(p) for p in rng.uniform(0.0, 2 * np.pi, 4))
    return LightCurve("wander", amplitude=0.3, periods=periods, phases=phases)


#: Transients absent from the reference catalogue: name, ra, dec, peak mCrab, peak MJD, decay (d).
_UNKNOWN = (
    ("SIM J1746-2853", 266.62, -28.89, 150.0, 57300.0, 20.0),
    ("SIM J1833-0832", 278.35, -8.53, 80.0, 58700.0, 30.0),
    ("SIM J0535+2623", 83.9, 26.39, 40.0, 55000.0, 15.0),
)


@cache
def default_truth(sim_version: str) -> tuple[TruthSource, ...]:
    """The truth catalogue of a simulation version (deterministic: each source has its own stream)."""
    sources = []
    for ref in REFERENCE_SOURCES:
        rng = chunk_rng("truth", ref.name, sim_version)
        flux = ref.flux if ref.flux is not None else _TRANSIENT_PEAK_DEFAULT
        sources.append(TruthSource(ref.name, ref.ra, ref.dec, _spectrum(ref, flux), _lightcurve(ref, rng)))
    for name, ra, dec, peak, epoch, decay in _UNKNOWN:
        curve = LightCurve("outburst", epoch=epoch, rise=2.0, decay=decay, floor=0.0)
        sources.append(
            TruthSource(name, ra, dec, PowerLaw(mcrab_norm(peak, 2.0), 2.0), curve, in_reference=False)
        )
    return tuple(sources)
