"""The simulated INTEGRAL pointing plan: science windows (pointings and slews) of chosen revolutions.

Each revolution is planned independently from its own random stream, so any selection of revolutions gives
the same ScWs for the revolutions it shares with another.  Within the science window (outside the radiation
belts) the plan strings observation blocks together: a target, a dither pattern (5x5 with 2.17 deg steps,
hexagonal with 2 deg steps, or staring), pointings of 1800-3600 s (mostly 2000 s) and slews of a few minutes
in between.  ScW ids are ``RRRRPPPPSSSF.VVV``: pointing ``p`` is ``RRRR pppp 001 0``, the slew that leads to it
``RRRR (p-1) 002 1`` (so a revolution opens with slew ``RRRR00000021``); version 000 for near-real-time data
(``NRT``, the most recent revolutions) and 001 for consolidated ones (``CONS``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vo_service.demo.fields import EXTRAGALACTIC_WEIGHT, FIELDS, Field, campaign_for
from vo_service.demo.instruments import INSTRUMENTS
from vo_service.demo.revolutions import science_window
from vo_service.demo.seeding import rng_for
from vo_service.demo.sky import (
    dali_circle,
    icrs_to_galactic,
    midpoint,
    position_angle,
    separation,
    sun_radec,
    tangent_offset,
)

__all__ = ["NRT_FROM", "plan_revolution", "scw_chunks"]

Chunk = dict[str, NDArray[np.generic]]

#: Revolutions from this one on are only available as near-real-time (NRT) data.
NRT_FROM = 2820
DITHER_STEP_5X5 = 2.17
DITHER_STEP_HEX = 2.0
#: Solar aspect: the pointing axis must stay between these angles (deg) from the Sun.
SUN_ANGLE = (50.0, 130.0)
SLEW_OVERHEAD = 180.0  # s
SLEW_RATE = 6.0  # s per degree
FIRST_SLEW_DEG = 30.0  # from the perigee attitude to the first target
MIN_POINTING = 1000.0  # s; a shorter remainder of the window is left unused
_DAY = 86_400.0
_GOOD_FRACTIONS = {
    "good_isgri": (0.90, 0.99),
    "good_jemx1": (0.85, 0.98),
    "good_jemx2": (0.85, 0.98),
    "good_spi": (0.88, 0.97),
}


@dataclass(frozen=True, slots=True)
class _Block:
    target: str
    obs_type: str
    pattern: str
    ra: NDArray[np.float64]
    dec: NDArray[np.float64]
    duration: NDArray[np.float64]
    posangle: float


def _random_extragalactic(rng: np.random.Generator, sun: tuple[float, float]) -> Field:
    while True:
        ra = float(rng.uniform(0.0, 360.0))
        dec = float(np.degrees(np.arcsin(rng.uniform(-1.0, 1.0))))
        glat = float(icrs_to_galactic(ra, dec)[1])
        angle = float(separation(ra, dec, *sun))
        if abs(glat) > 20.0 and SUN_ANGLE[0] <= angle <= SUN_ANGLE[1]:
            hours = ra / 15.0
            name = f"Field J{int(hours):02d}{int(hours % 1 * 60):02d}{'-' if dec < 0 else '+'}{int(abs(dec)):02d}"
            return Field(name, ra, dec, ("5x5", "HEX"), EXTRAGALACTIC_WEIGHT)


def _choose_field(rng: np.random.Generator, mjd: float) -> Field:
    sun = tuple(float(x) for x in sun_radec(mjd))
    angles = separation([f.ra for f in FIELDS], [f.dec for f in FIELDS], sun[0], sun[1])
    visible = (angles >= SUN_ANGLE[0]) & (angles <= SUN_ANGLE[1])
    weights = np.append(np.where(visible, [f.weight for f in FIELDS], 0.0), EXTRAGALACTIC_WEIGHT)
    pick = int(rng.choice(weights.size, p=weights / weights.sum()))
    return FIELDS[pick] if pick < len(FIELDS) else _random_extragalactic(rng, (sun[0], sun[1]))


def _pattern_offsets(
    pattern: str, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    if pattern == "5x5":
        steps = np.arange(-2, 3) * DITHER_STEP_5X5
        east = np.concatenate([steps if j % 2 == 0 else steps[::-1] for j in range(5)])
        north = np.repeat(steps, 5)
        return east, north
    if pattern == "HEX":
        repeats = int(rng.integers(1, 4))
        angles = np.radians(np.arange(6) * 60.0)
        east = np.tile(np.concatenate([[0.0], DITHER_STEP_HEX * np.sin(angles)]), repeats)
        north = np.tile(np.concatenate([[0.0], DITHER_STEP_HEX * np.cos(angles)]), repeats)
        return east, north
    n = int(rng.integers(4, 13))
    return np.zeros(n), np.zeros(n)


def _durations(pattern: str, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
    if pattern == "5x5":
        nominal = (
            2000.0 if rng.uniform() < 0.7 else float(rng.choice([1800.0, 2200.0, 2400.0, 2600.0, 3000.0]))
        )
    elif pattern == "HEX":
        nominal = float(rng.choice([1800.0, 2000.0, 2000.0, 2200.0, 2500.0, 3000.0, 3600.0]))
    else:
        nominal = float(rng.choice([2000.0, 3000.0, 3600.0, 3600.0]))
    jitter = rng.integers(-20, 21, n).astype(np.float64)
    return np.minimum(nominal + jitter, 3600.0)


def _next_block(rng: np.random.Generator, rev: int, mjd: float) -> _Block:
    campaign = campaign_for(rev)
    field = campaign.field if campaign else _choose_field(rng, mjd)
    obs_type = campaign.obs_type if campaign else "GENERAL"
    pattern = field.patterns[int(rng.integers(len(field.patterns)))]
    east, north = _pattern_offsets(pattern, rng)
    sun_ra, sun_dec = sun_radec(mjd)
    posangle = float((position_angle(field.ra, field.dec, sun_ra, sun_dec) + 90.0) % 360.0)
    turn = np.radians(posangle)
    ra, dec = tangent_offset(
        field.ra,
        field.dec,
        east * np.cos(turn) + north * np.sin(turn),
        north * np.cos(turn) - east * np.sin(turn),
    )
    return _Block(field.name, obs_type, pattern, ra, dec, _durations(pattern, east.size, rng), posangle)


def _block_rows(
    rev: int,
    block: _Block,
    number: int,
    first_pointing: int,
    t0: float,
    t_end: float,
    came_from: tuple[float, float] | None,
) -> tuple[Chunk, bool]:
    """Interleaved slew and pointing rows of one block cut to the window; also whether the window is full."""
    src_ra = np.concatenate([[came_from[0] if came_from else block.ra[0]], block.ra[:-1]])
    src_dec = np.concatenate([[came_from[1] if came_from else block.dec[0]], block.dec[:-1]])
    dist = separation(src_ra, src_dec, block.ra, block.dec)
    if came_from is None:
        dist[0] = FIRST_SLEW_DEG
    slew = np.rint(SLEW_OVERHEAD + SLEW_RATE * dist)
    duration = block.duration.copy()
    pointing_start = t0 * _DAY + np.cumsum(slew + duration) - duration
    room = t_end * _DAY - pointing_start
    keep = int(np.count_nonzero(room >= MIN_POINTING))
    full = keep < duration.size
    duration = np.minimum(duration[:keep], room[:keep])
    slew, pointing_start = slew[:keep], pointing_start[:keep]
    numbers = np.arange(first_pointing, first_pointing + keep)
    starts = np.column_stack([pointing_start - slew, pointing_start]).ravel() / _DAY
    stops = np.column_stack([pointing_start, pointing_start + duration]).ravel() / _DAY
    mid_ra, mid_dec = midpoint(src_ra[:keep], src_dec[:keep], block.ra[:keep], block.dec[:keep])
    ids = [
        f"{rev:04d}{n - 1:04d}0021" if k == 1 else f"{rev:04d}{n:04d}0010"
        for n in numbers.tolist()
        for k in (1, 0)
    ]
    rows: Chunk = {
        "scw_id": np.array(ids, dtype=object),
        "scw_type": np.tile(np.array(["SLEW", "POINTING"], dtype=object), keep),
        "ra": np.column_stack([mid_ra, block.ra[:keep]]).ravel(),
        "dec": np.column_stack([mid_dec, block.dec[:keep]]).ravel(),
        "t_start": starts,
        "t_stop": stops,
        "exposure": np.column_stack([slew, duration]).ravel(),
        "posangle": np.full(2 * keep, block.posangle),
        "target": np.full(2 * keep, block.target, dtype=object),
        "obs_id": np.full(2 * keep, f"{rev:04d}{number:03d}", dtype=object),
        "obs_type": np.full(2 * keep, block.obs_type, dtype=object),
        "pattern": np.full(2 * keep, block.pattern, dtype=object),
    }
    return rows, full


def plan_revolution(rev: int, *, seed: int) -> Chunk:
    """All ScWs (slews and pointings, in time order) of revolution ``rev`` as a column chunk.

    Deterministic for (seed, rev).  Raises ``ValueError`` for a revolution that has no science window.
    """
    win_start, win_stop = (float(t) for t in science_window(rev))
    if rev < 1 or win_stop <= win_start:
        raise ValueError(f"revolution {rev} has no science window")
    rng = rng_for(seed, "integral.scw", rev)
    parts: list[Chunk] = []
    t, pointing, came_from, number = win_start, 1, None, 0
    while True:
        block = _next_block(rng, rev, t)
        rows, full = _block_rows(rev, block, number, pointing, t, win_stop, came_from)
        if rows["scw_id"].size:
            parts.append(rows)
            t = float(rows["t_stop"][-1])
            pointing += rows["scw_id"].size // 2
            came_from = (float(rows["ra"][-1]), float(rows["dec"][-1]))
        number += 1
        if full:
            break
    chunk = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    return _add_derived(rev, chunk, rng)


def _add_derived(rev: int, chunk: Chunk, rng: np.random.Generator) -> Chunk:
    n = chunk["scw_id"].size
    nrt = rev >= NRT_FROM
    chunk["scw_id"] = np.array([f"{s}.{'000' if nrt else '001'}" for s in chunk["scw_id"]], dtype=object)
    chunk["revolution"] = np.full(n, rev, dtype=np.int32)
    chunk["data_version"] = np.full(n, "NRT" if nrt else "CONS", dtype=object)
    pointing = chunk["scw_type"] == "POINTING"
    exposure = np.asarray(chunk["exposure"], dtype=np.float64)
    for column, (low, high) in _GOOD_FRACTIONS.items():
        good = np.round(exposure * rng.uniform(low, high, n), 1)
        instrument_off = rng.uniform(0.0, 1.0, n) < 0.02
        chunk[column] = np.where(pointing & ~instrument_off, good, 0.0)
    ra, dec = np.asarray(chunk["ra"]), np.asarray(chunk["dec"])
    for fov_column in dict.fromkeys(i.fov_column for i in INSTRUMENTS):
        radius = next(i.fov for i in INSTRUMENTS if i.fov_column == fov_column) / 2.0
        chunk[fov_column] = np.array(dali_circle(ra, dec, radius), dtype=object)
    return chunk


def scw_chunks(revolutions: Iterable[int], *, seed: int, per_chunk: int = 20) -> Iterator[Chunk]:
    """The ScW index of the given revolutions, ``per_chunk`` revolutions per column chunk, in time order.

    Raises ``ValueError`` for ``per_chunk < 1`` or a revolution without a science window.
    """
    if per_chunk < 1:
        raise ValueError(f"per_chunk must be positive, got {per_chunk}")
    revs = sorted(set(revolutions))
    for i in range(0, len(revs), per_chunk):
        plans = [plan_revolution(rev, seed=seed) for rev in revs[i : i + per_chunk]]
        yield {name: np.concatenate([p[name] for p in plans]) for name in plans[0]}
