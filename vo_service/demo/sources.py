"""``mmvo.sources``: the reference catalogue plus a simulated faint population, generated in chunks.

The simulated part follows a Euclidean logN-logS (N(>S) proportional to S^-1.5) between 0.5 and 5 mCrab and
three spatial components: a Galactic disc concentrated towards the inner Galaxy, a bulge around the Galactic
Centre, and isotropic extragalactic sources.  Each chunk of ``chunk_size`` rows has its own random stream
(SHA-256 of the seed, the table name and the chunk number), so a 10^7-row table is produced chunk by chunk in
constant memory and any prefix of it does not depend on the total.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from tap.schema import Column, Table, position_columns
from vo_service.demo.reference import REFERENCE_SOURCES
from vo_service.demo.seeding import rng_for
from vo_service.demo.sky import galactic_to_icrs, icrs_to_galactic

__all__ = ["DEFAULT_CHUNK_SIZE", "FLUX_UNIT", "SOURCES", "igr_names", "source_chunks"]

Chunk = dict[str, NDArray[np.generic]]

DEFAULT_CHUNK_SIZE = 100_000
#: VOUnit form of milli-Crab: a quoted (non-standard) unit, spelt as ``vo_service.ingest`` writes ingested
#: "mCrab" columns, so both kinds of table carry the same unit string.
FLUX_UNIT = "'mCrab'"
_FLUX_MIN, _FLUX_MAX = 0.5, 5.0
_BAND = "20-40 keV"

#: (fraction, classes, class probabilities) of the simulated components: disc, bulge, extragalactic.
_COMPONENTS = (
    (0.45, ("HighMassXBin", "LowMassXBin", "CataclyV*", "Pulsar", "X"), (0.35, 0.20, 0.20, 0.05, 0.20)),
    (0.20, ("LowMassXBin", "CataclyV*", "XrayBin", "X"), (0.50, 0.15, 0.10, 0.25)),
    (0.35, ("Seyfert1", "Seyfert2", "AGN", "Blazar", "BLLac", "QSO"), (0.30, 0.30, 0.20, 0.08, 0.06, 0.06)),
)
_TRANSIENT_FRACTION = 0.05

SOURCES = Table(
    schema="mmvo",
    name="sources",
    description=(
        "Hard-X-ray source catalogue of the demo service.  The first rows are real bright sources (SIMBAD "
        f"positions and main types, typical {_BAND} fluxes to about 50 %, transients flagged, peak flux for "
        "them); all rows with simulated = true are SIMULATED: a faint population (0.5-5 mCrab, Euclidean "
        "logN-logS) concentrated towards the Galactic plane and centre plus isotropic extragalactic sources, "
        "named IGR Jhhmmm+ddmm after their simulated positions (names need not be unique)."
    ),
    columns=(
        Column(
            "source_id",
            "long",
            ucd="meta.id",
            description="Row identifier, stable for a given seed",
            indexed=True,
            principal=True,
            nullable=False,
        ),
        Column(
            "name",
            "char",
            "*",
            ucd="meta.id;meta.main",
            principal=True,
            indexed=True,
            nullable=False,
            description="Source name (reference sources: usual name; simulated: IGR Jhhmmm+ddmm, truncated)",
        ),
        *position_columns(
            "Right ascension, ICRS (J2000)",
            "Declination, ICRS (J2000)",
        ),
        Column("glon", "double", unit="deg", ucd="pos.galactic.lon", description="Galactic longitude"),
        Column("glat", "double", unit="deg", ucd="pos.galactic.lat", description="Galactic latitude"),
        Column(
            "class",
            "char",
            "*",
            ucd="src.class",
            principal=True,
            description="SIMBAD main object type (HighMassXBin, LowMassXBin, Seyfert1, ...; X = unidentified)",
        ),
        Column(
            "flux",
            "float",
            unit=FLUX_UNIT,
            ucd="phot.flux;em.X-ray",
            principal=True,
            description=f"Typical {_BAND} flux in mCrab; for transients the outburst peak; NULL if unknown",
        ),
        Column(
            "flux_err",
            "float",
            unit=FLUX_UNIT,
            ucd="stat.error;phot.flux;em.X-ray",
            description="Flux uncertainty (reference sources: half the flux, the typical variability range)",
        ),
        Column(
            "transient",
            "boolean",
            ucd="meta.code;src.var",
            nullable=False,
            description="True for transient sources (outbursts separated by quiescence)",
        ),
        Column(
            "simulated",
            "boolean",
            ucd="meta.code;meta.modelled",
            principal=True,
            nullable=False,
            description="True for simulated sources, false for the real reference sources",
        ),
        Column("note", "char", "*", ucd="meta.note", description="Remarks on class, flux or variability"),
    ),
    position=("ra", "dec"),
    primary_key=("source_id",),
)


def igr_names(ra: NDArray[np.float64], dec: NDArray[np.float64]) -> NDArray[np.object_]:
    """IAU-style ``IGR Jhhmmm+ddmm`` names: RA in hours, minutes and tenths, Dec in degrees and arcminutes.

    Both coordinates are truncated, not rounded, as the IAU recommends, so a name never points outside its
    source's cell.
    """
    tenths = np.floor(np.asarray(ra) / 15.0 * 600.0).astype(np.int64) % 14_400
    arcmin = np.floor(np.abs(np.asarray(dec)) * 60.0).astype(np.int64)
    signs = np.where(np.asarray(dec) < 0.0, "-", "+")
    names = [
        f"IGR J{t // 600:02d}{t % 600 // 10:02d}{t % 10}{s}{m // 60:02d}{m % 60:02d}"
        for t, s, m in zip(tenths.tolist(), signs.tolist(), arcmin.tolist(), strict=True)
    ]
    return np.array(names, dtype=object)


def _reference_chunk() -> Chunk:
    ref = REFERENCE_SOURCES
    ra = np.array([s.ra for s in ref])
    dec = np.array([s.dec for s in ref])
    glon, glat = icrs_to_galactic(ra, dec)
    unknown = np.array([s.flux is None for s in ref])
    flux = np.ma.masked_array([s.flux or 0.0 for s in ref], mask=unknown, dtype=np.float32)
    return {
        "source_id": np.arange(1, len(ref) + 1, dtype=np.int64),
        "name": np.array([s.name for s in ref], dtype=object),
        "ra": ra,
        "dec": dec,
        "glon": glon,
        "glat": glat,
        "class": np.array([s.cls for s in ref], dtype=object),
        "flux": flux,
        "flux_err": flux * np.float32(0.5),
        "transient": np.array([s.transient for s in ref]),
        "simulated": np.zeros(len(ref), dtype=bool),
        "note": np.array([s.note for s in ref], dtype=object),
    }


def _galactic_positions(
    rng: np.random.Generator, component: NDArray[np.int64]
) -> tuple[NDArray[np.float64], ...]:
    n = component.size
    # Disc: longitude falling off exponentially from the centre (scale 40 deg), thin in latitude.
    disc_l = rng.laplace(0.0, 40.0, n)
    disc_b = rng.normal(0.0, 2.5, n)
    # Bulge: a compact Gaussian around the Galactic Centre.
    bulge_l = rng.normal(0.0, 6.0, n)
    bulge_b = rng.normal(0.0, 4.0, n)
    # Extragalactic: uniform on the sphere.
    iso_l = rng.uniform(0.0, 360.0, n)
    iso_b = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n)))
    glon = np.choose(component, (disc_l, bulge_l, iso_l)) % 360.0
    glat = np.clip(np.choose(component, (disc_b, bulge_b, iso_b)), -90.0, 90.0)
    return glon, glat


def _simulated_chunk(seed: int, index: int, size: int, first_id: int) -> Chunk:
    rng = rng_for(seed, "mmvo.sources", index)
    fractions = np.array([c[0] for c in _COMPONENTS])
    component = rng.choice(len(_COMPONENTS), size=size, p=fractions / fractions.sum())
    glon, glat = _galactic_positions(rng, component)
    ra, dec = galactic_to_icrs(glon, glat)
    glon, glat = icrs_to_galactic(ra, dec)  # normalised exactly as the reference rows are
    # Inverse transform of N(>S) ~ S^-1.5 truncated to [S_min, S_max].
    u = rng.uniform(0.0, 1.0, size)
    ratio = (_FLUX_MIN / _FLUX_MAX) ** 1.5
    flux = _FLUX_MIN * (1.0 - u * (1.0 - ratio)) ** (-1.0 / 1.5)
    flux_err = np.hypot(0.15, 0.08 * flux) * rng.uniform(0.8, 1.2, size)
    classes = np.empty(size, dtype=object)
    draws = rng.uniform(0.0, 1.0, size)
    for k, (_, names, probs) in enumerate(_COMPONENTS):
        edges = np.cumsum(probs) / np.sum(probs)
        picked = np.minimum(np.searchsorted(edges, draws, side="right"), len(names) - 1)
        mask = component == k
        classes[mask] = np.array(names, dtype=object)[picked[mask]]
    transient = (component < 2) & (rng.uniform(0.0, 1.0, size) < _TRANSIENT_FRACTION)
    return {
        "source_id": np.arange(first_id, first_id + size, dtype=np.int64),
        "name": igr_names(ra, dec),
        "ra": ra,
        "dec": dec,
        "glon": glon,
        "glat": glat,
        "class": classes,
        "flux": flux.astype(np.float32),
        "flux_err": flux_err.astype(np.float32),
        "transient": transient,
        "simulated": np.ones(size, dtype=bool),
        "note": np.full(size, None, dtype=object),
    }


def source_chunks(total: int, *, seed: int, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[Chunk]:
    """The rows of ``mmvo.sources`` as column chunks: the reference sources first, then simulated ones.

    ``total`` counts every row; the ids run from 1 to ``total``.  Simulated chunk ``k`` is drawn in full from
    its own stream and cut to what is needed, so the first N simulated rows are the same for every total.
    Raises ``ValueError`` if ``total`` is smaller than the reference catalogue or ``chunk_size`` < 1.
    """
    n_ref = len(REFERENCE_SOURCES)
    if total < n_ref:
        raise ValueError(f"mmvo.sources needs at least {n_ref} rows (the reference catalogue), got {total}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be positive, got {chunk_size}")
    yield _reference_chunk()
    remaining, index, next_id = total - n_ref, 0, n_ref + 1
    while remaining > 0:
        chunk = _simulated_chunk(seed, index, chunk_size, next_id)
        take = min(remaining, chunk_size)
        yield chunk if take == chunk_size else {k: v[:take] for k, v in chunk.items()}
        remaining -= take
        next_id += take
        index += 1
