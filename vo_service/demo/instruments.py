"""``integral.instruments``: the four INTEGRAL instruments whose footprints the pointing plan describes.

The same records drive the simulated ScW index (field-of-view circles per pointing) and the ``ivoa.obsplan``
view (one row per pointing and instrument), so a field of view or an energy band is written down once.
Fields of view are zero-response sizes, approximated by circles of that diameter (what ObsLocTAP suggests
when the exact footprint is not given); SPI's size and the timing of JEM-X and SPI are approximate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tap.schema import Column, Table

__all__ = ["HC_EV_M", "INSTRUMENTS", "INSTRUMENTS_TABLE", "Instrument", "instrument_chunks", "kev_to_metres"]

#: Planck constant times the speed of light, eV m (lambda = hc / E).
HC_EV_M = 1.239842e-6


def kev_to_metres(energy_kev: float) -> float:
    """Vacuum wavelength in metres of a photon of ``energy_kev`` keV (raises ZeroDivisionError for 0)."""
    return HC_EV_M / (energy_kev * 1.0e3)


@dataclass(frozen=True, slots=True)
class Instrument:
    """Static characteristics of one instrument, and the ScW columns holding its good time and footprint."""

    name: str
    energy_min: float  # keV
    energy_max: float  # keV
    fov: float  # deg, zero-response diameter
    resolution: float  # arcsec FWHM
    time_resolution: float  # s
    res_power: float  # E / dE
    good_column: str
    fov_column: str
    note: str


INSTRUMENTS: tuple[Instrument, ...] = (
    Instrument(
        "ISGRI",
        15.0,
        1000.0,
        29.0,
        720.0,
        6.1e-5,
        12.5,
        "good_isgri",
        "fov_isgri",
        "IBIS/ISGRI coded-mask imager; 29 deg square zero-response field, 12 arcmin resolution",
    ),
    Instrument(
        "JEM-X1",
        3.0,
        35.0,
        13.2,
        180.0,
        1.22e-4,
        6.0,
        "good_jemx1",
        "fov_jemx",
        "JEM-X unit 1 X-ray monitor; 13.2 deg zero-response field, 3 arcmin resolution",
    ),
    Instrument(
        "JEM-X2",
        3.0,
        35.0,
        13.2,
        180.0,
        1.22e-4,
        6.0,
        "good_jemx2",
        "fov_jemx",
        "JEM-X unit 2 X-ray monitor; 13.2 deg zero-response field, 3 arcmin resolution",
    ),
    Instrument(
        "SPI",
        20.0,
        8000.0,
        30.0,
        9000.0,
        1.29e-4,
        530.0,
        "good_spi",
        "fov_spi",
        "SPI germanium spectrometer; 16 deg fully coded, about 30 deg zero-response field (approximate)",
    ),
)

INSTRUMENTS_TABLE = Table(
    schema="integral",
    name="instruments",
    description=(
        "INTEGRAL instruments of the pointing plan with their energy band, field of view (zero-response "
        "diameter), angular, time and spectral resolution; values are approximate where noted."
    ),
    columns=(
        Column(
            "instrument_name",
            "char",
            "*",
            ucd="meta.id;instr",
            principal=True,
            nullable=False,
            description="Instrument name as used in ivoa.obsplan",
        ),
        Column(
            "facility_name",
            "char",
            "*",
            ucd="meta.id;instr.tel",
            nullable=False,
            description="Observatory (INTEGRAL)",
        ),
        Column(
            "energy_min",
            "double",
            unit="keV",
            ucd="em.energy;stat.min",
            principal=True,
            description="Lower end of the energy band",
        ),
        Column(
            "energy_max",
            "double",
            unit="keV",
            ucd="em.energy;stat.max",
            principal=True,
            description="Upper end of the energy band",
        ),
        Column(
            "em_min",
            "double",
            unit="m",
            ucd="em.wl;stat.min",
            description="Shortest wavelength (hc / energy_max)",
        ),
        Column(
            "em_max",
            "double",
            unit="m",
            ucd="em.wl;stat.max",
            description="Longest wavelength (hc / energy_min)",
        ),
        Column("em_res_power", "double", ucd="spect.resolution", description="Typical resolving power E/dE"),
        Column(
            "s_fov",
            "double",
            unit="deg",
            ucd="phys.angSize;instr.fov",
            description="Diameter of the zero-response field of view",
        ),
        Column(
            "s_resolution",
            "double",
            unit="arcsec",
            ucd="pos.angResolution",
            description="Angular resolution (FWHM)",
        ),
        Column(
            "t_resolution",
            "double",
            unit="s",
            ucd="time.resolution",
            description="Time resolution of the events",
        ),
        Column("o_ucd", "char", "*", ucd="meta.ucd", description="UCD of the observable (photon counts)"),
        Column("note", "char", "*", ucd="meta.note", description="Short description of the instrument"),
    ),
    primary_key=("instrument_name",),
)


def instrument_chunks() -> Iterator[dict[str, NDArray[np.generic]]]:
    """The four rows of ``integral.instruments`` as one column chunk."""
    inst = INSTRUMENTS

    def values(get: Callable[[Instrument], float]) -> NDArray[np.float64]:
        return np.array([get(i) for i in inst], dtype=np.float64)

    yield {
        "instrument_name": np.array([i.name for i in inst], dtype=object),
        "facility_name": np.array(["INTEGRAL"] * len(inst), dtype=object),
        "energy_min": values(lambda i: i.energy_min),
        "energy_max": values(lambda i: i.energy_max),
        "em_min": values(lambda i: kev_to_metres(i.energy_max)),
        "em_max": values(lambda i: kev_to_metres(i.energy_min)),
        "em_res_power": values(lambda i: i.res_power),
        "s_fov": values(lambda i: i.fov),
        "s_resolution": values(lambda i: i.resolution),
        "t_resolution": values(lambda i: i.time_resolution),
        "o_ucd": np.array(["phot.count"] * len(inst), dtype=object),
        "note": np.array([i.note for i in inst], dtype=object),
    }
