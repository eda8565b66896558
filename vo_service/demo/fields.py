"""Targets and campaigns of the simulated INTEGRAL observing plan, and the default choice of revolutions.

Regular revolutions pick fields at random (weights below) among those the solar-aspect constraint allows at
the time; campaign revolutions are given to one target: the early Crab calibration (revolutions 39-45,
February 2003), the Crab in revolution 665 (March 2008, the source of the ScW ``066500220010.001`` used in
MMODA examples), and the Targets of Opportunity on V404 Cyg (June-July 2015) and MAXI J1820+070 (March 2018).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from vo_service.demo.revolutions import LAST_REVOLUTION, revolution_at

__all__ = [
    "CAMPAIGNS",
    "FIELDS",
    "Campaign",
    "Field",
    "campaign_for",
    "default_revolutions",
]

PATTERNS = ("5x5", "HEX", "STARING")


@dataclass(frozen=True, slots=True)
class Field:
    """A pointing target: the centre of its dither patterns and how often regular planning picks it."""

    name: str
    ra: float
    dec: float
    patterns: tuple[str, ...]
    weight: float

    def __post_init__(self) -> None:
        unknown = set(self.patterns) - set(PATTERNS)
        if unknown or not self.patterns:
            raise ValueError(f"field {self.name!r}: bad patterns {self.patterns}")


@dataclass(frozen=True, slots=True)
class Campaign:
    """Whole revolutions devoted to one field; ``obs_type`` is ``CALIBRATION`` or ``TOO``."""

    field: Field
    revolutions: tuple[int, ...]
    obs_type: str


def _revolutions_between(mjd_start: float, mjd_stop: float) -> tuple[int, ...]:
    first, last = (int(r) for r in revolution_at([mjd_start, mjd_stop]))
    return tuple(range(first, last + 1))


_CRAB = Field("Crab", 83.6331, 22.0145, ("5x5", "HEX", "STARING"), 2.0)

FIELDS: tuple[Field, ...] = (
    Field("Galactic Centre", 266.4168, -29.0078, ("5x5", "HEX"), 4.0),
    Field("Galactic Bulge", 268.0, -26.5, ("HEX", "5x5"), 2.0),
    Field("Sco X-1", 244.9795, -15.6402, ("HEX", "5x5"), 1.0),
    _CRAB,
    Field("Cygnus region", 304.0, 38.0, ("5x5",), 2.0),
    Field("Vela region", 135.5286, -40.5547, ("5x5",), 1.5),
    Field("Norma arm", 248.0, -47.5, ("5x5",), 1.5),
    Field("Carina-Crux", 178.5, -61.7, ("5x5",), 1.0),
    Field("GRS 1915+105", 288.7981, 10.9458, ("HEX", "5x5"), 1.0),
    Field("Cen A", 201.3651, -43.0191, ("5x5", "HEX"), 1.0),
    Field("3C 273 / Virgo", 187.2779, 2.0524, ("5x5",), 1.0),
    Field("NGC 4151", 182.6357, 39.4057, ("5x5", "HEX"), 0.5),
    Field("Mrk 421", 166.1138, 38.2088, ("HEX",), 0.3),
    Field("Her X-1", 254.4575, 35.3424, ("HEX",), 0.3),
    Field("Cas A", 350.8500, 58.8150, ("5x5",), 0.5),
)
#: Weight of a random high-latitude field, drawn anew each time.
EXTRAGALACTIC_WEIGHT = 1.5

CAMPAIGNS: tuple[Campaign, ...] = (
    Campaign(_CRAB, tuple(range(39, 46)), "CALIBRATION"),
    Campaign(_CRAB, (665,), "CALIBRATION"),
    Campaign(Field("V404 Cyg", 306.0159, 33.8672, ("HEX",), 0.0), tuple(range(1555, 1561)), "TOO"),
    Campaign(
        Field("MAXI J1820+070", 275.0914, 7.1853, ("HEX", "5x5"), 0.0),
        _revolutions_between(58193.0, 58205.0),  # 2018-03-15 .. 2018-03-27
        "TOO",
    ),
)
#: Revolutions of the ISDC report anchors, kept in the default plan so the dates can be checked.
ANCHOR_REVOLUTIONS = (1559, 1626, 2005, 2025, 2068, 2086, 2119, 2139, 2146)


def _campaign_table() -> dict[int, Campaign]:
    table: dict[int, Campaign] = {}
    for campaign in CAMPAIGNS:
        for rev in campaign.revolutions:
            table[rev] = campaign
    return table


_BY_REVOLUTION = _campaign_table()


def campaign_for(rev: int) -> Campaign | None:
    """The campaign occupying revolution ``rev``, or None for a regular revolution."""
    return _BY_REVOLUTION.get(rev)


def default_revolutions(step: int = 10, *, extra: Iterable[int] = ()) -> tuple[int, ...]:
    """The revolutions of the default demo plan: every ``step``-th one, campaigns, anchors and the last one.

    With ``step=10`` this is about 310 revolutions (some 6 * 10^4 ScWs).  Raises ``ValueError`` for
    ``step < 1`` or revolutions outside 1..2886.
    """
    if step < 1:
        raise ValueError(f"step must be positive, got {step}")
    chosen = set(range(step, LAST_REVOLUTION + 1, step))
    chosen.update(_BY_REVOLUTION, ANCHOR_REVOLUTIONS, (LAST_REVOLUTION,), extra)
    bad = [r for r in chosen if not 1 <= r <= LAST_REVOLUTION]
    if bad:
        raise ValueError(f"revolutions outside 1..{LAST_REVOLUTION}: {sorted(bad)[:5]}")
    return tuple(int(r) for r in np.sort(np.fromiter(chosen, dtype=np.int64)))
