"""INTEGRAL revolutions: the revolution <-> date model and the ``integral.revolutions`` table.

Two linear models (instruments brief, section 1): before the 2015 orbit manoeuvres a revolution lasted
2.990 d from 2002-10-17.2; afterwards MJD_UTC(start of n) = 53058.345 + 2.659127 n, which matches the ISDC
end-of-revolution reports within 30 min.  The lines cross between revolutions 1502 and 1503, so taking the
earlier of the two predictions switches models there without a gap or a step backwards.  The early model is
good to about 1-2 revolutions (3-6 days); the late one to about 30 minutes.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tap.schema import Column, Table
from vo_service.demo.sky import mjd_to_iso

__all__ = [
    "EARLY_PERIOD",
    "FIRST_REVOLUTION",
    "LAST_REVOLUTION",
    "LATE_PERIOD",
    "MODEL_SWITCH",
    "REVOLUTIONS",
    "revolution_at",
    "revolution_chunks",
    "revolution_start",
    "science_window",
]

FIRST_REVOLUTION = 1
#: Science observations ended on 2025-02-28, in revolution 2886.
LAST_REVOLUTION = 2886
EARLY_EPOCH = 52564.2  # 2002-10-17.2 UTC, start of revolution 1 in the early model
EARLY_PERIOD = 2.990
LATE_EPOCH = 53058.345  # the late model's MJD of (extrapolated) revolution 0
LATE_PERIOD = 2.659127
#: First revolution computed with the late model (where the two lines cross).
MODEL_SWITCH = int(np.ceil((LATE_EPOCH - EARLY_EPOCH + EARLY_PERIOD) / (EARLY_PERIOD - LATE_PERIOD)))
#: Days after perigee before the science window opens, and before the next perigee when it closes (simulated).
BELT_MARGIN = 0.2
_EARLY_UNCERTAINTY = 1.5 * EARLY_PERIOD
_LATE_UNCERTAINTY = 30.0 / 1440.0


def revolution_start(rev: ArrayLike) -> NDArray[np.float64]:
    """MJD (UTC) of the perigee passage that starts revolution ``rev`` (any real number, vectorised)."""
    n = np.asarray(rev, dtype=np.float64)
    early = EARLY_EPOCH + (n - 1.0) * EARLY_PERIOD
    late = LATE_EPOCH + n * LATE_PERIOD
    return np.asarray(np.minimum(early, late), dtype=np.float64)


def revolution_at(mjd: ArrayLike) -> NDArray[np.int64]:
    """The revolution running at UTC MJD ``mjd`` (the inverse of :func:`revolution_start`, vectorised).

    Times before revolution 1 give 0; times after the mission are extrapolated with the late model.
    """
    t = np.asarray(mjd, dtype=np.float64)
    early = np.floor((t - EARLY_EPOCH) / EARLY_PERIOD) + 1.0
    late = np.floor((t - LATE_EPOCH) / LATE_PERIOD)
    rev = np.where(t < revolution_start(MODEL_SWITCH), early, late)
    return np.asarray(np.maximum(rev, 0.0), dtype=np.int64)


def science_window(rev: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(start, stop) MJD of the science part of a revolution, outside the radiation belts (simulated margins)."""
    n = np.asarray(rev, dtype=np.float64)
    return revolution_start(n) + BELT_MARGIN, revolution_start(n + 1.0) - BELT_MARGIN


def _utc(description: str) -> str:
    return f"{description}, UTC"


REVOLUTIONS = Table(
    schema="integral",
    name="revolutions",
    description=(
        "INTEGRAL revolutions (orbits, perigee to perigee) 1-2886, from a linear model of the ISDC revolution "
        "reports: 2.990 d per revolution from 2002-10-17.2 until revolution "
        f"{MODEL_SWITCH - 1} (uncertain by 1-2 revolutions), then MJD = 53058.345 + 2.659127 n (within 30 "
        "min of the reports).  The science windows (outside the radiation belts) are simulated."
    ),
    columns=(
        Column(
            "revolution",
            "int",
            ucd="meta.id;meta.main",
            principal=True,
            indexed=True,
            nullable=False,
            description="Revolution number",
        ),
        Column(
            "t_start",
            "double",
            unit="d",
            ucd="time.start",
            principal=True,
            indexed=True,
            nullable=False,
            description=_utc("Start (perigee passage) as MJD"),
        ),
        Column(
            "t_stop",
            "double",
            unit="d",
            ucd="time.end",
            principal=True,
            nullable=False,
            description=_utc("End (next perigee passage) as MJD"),
        ),
        Column(
            "start_utc",
            "char",
            "*",
            xtype="timestamp",
            ucd="time.start",
            nullable=False,
            description=_utc("Start as an ISO 8601 timestamp"),
        ),
        Column(
            "stop_utc",
            "char",
            "*",
            xtype="timestamp",
            ucd="time.end",
            nullable=False,
            description=_utc("End as an ISO 8601 timestamp"),
        ),
        Column(
            "science_start",
            "double",
            unit="d",
            ucd="time.start;obs.exposure",
            description=_utc("Opening of the science window after the radiation belts, MJD (simulated)"),
        ),
        Column(
            "science_stop",
            "double",
            unit="d",
            ucd="time.end;obs.exposure",
            description=_utc("Closing of the science window before the radiation belts, MJD (simulated)"),
        ),
        Column("duration", "double", unit="d", ucd="time.duration", description="Length of the revolution"),
        Column(
            "start_err",
            "double",
            unit="d",
            ucd="stat.error;time.start",
            description="Estimated uncertainty of t_start (model accuracy)",
        ),
        Column(
            "model",
            "char",
            "*",
            ucd="meta.code",
            description="Date model used: 'early' (2.990 d period) or 'late' (after the 2015 manoeuvres)",
        ),
    ),
    primary_key=("revolution",),
)


def revolution_chunks(
    first: int = FIRST_REVOLUTION, last: int = LAST_REVOLUTION
) -> Iterator[dict[str, NDArray[np.generic]]]:
    """The rows of ``integral.revolutions`` for revolutions ``first``..``last`` as one column chunk.

    Raises ``ValueError`` for an empty or negative range.
    """
    if first < 0 or last < first:
        raise ValueError(f"bad revolution range {first}..{last}")
    rev = np.arange(first, last + 1, dtype=np.int32)
    start = revolution_start(rev)
    stop = revolution_start(rev + 1)
    sci_start, sci_stop = science_window(rev)
    late = rev >= MODEL_SWITCH
    yield {
        "revolution": rev,
        "t_start": start,
        "t_stop": stop,
        "start_utc": np.array(mjd_to_iso(start), dtype=object),
        "stop_utc": np.array(mjd_to_iso(stop), dtype=object),
        "science_start": sci_start,
        "science_stop": sci_stop,
        "duration": stop - start,
        "start_err": np.where(late, _LATE_UNCERTAINTY, _EARLY_UNCERTAINTY),
        "model": np.where(late, "late", "early").astype(object),
    }
