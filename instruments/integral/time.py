"""INTEGRAL Julian Date: IJD = MJD(TT) - 51544, so IJD 0 is 2000-01-01T00:00:00 TT.

IJD runs in TT, not UTC: converting through astropy keeps the leap seconds right (about 64-69 s between the
two scales over the mission).  Only the bundled leap-second table is needed, never a download.
"""

from __future__ import annotations

import numpy as np
from astropy.time import Time
from numpy.typing import ArrayLike, NDArray

__all__ = ["IJD_MJDREF", "ijd_to_mjd_utc", "ijd_to_time", "mjd_utc_to_ijd", "time_to_ijd"]

#: MJD (TT) of IJD 0; the MJDREF of INTEGRAL FITS files.
IJD_MJDREF = 51544.0


def ijd_to_time(ijd: ArrayLike) -> Time:
    """An astropy ``Time`` (scale TT) for IJD values."""
    return Time(np.asarray(ijd, dtype=np.float64) + IJD_MJDREF, format="mjd", scale="tt")


def time_to_ijd(time: Time) -> NDArray[np.float64]:
    """IJD of any astropy ``Time`` (converted to TT first)."""
    return np.asarray(time.tt.mjd - IJD_MJDREF, dtype=np.float64)


def mjd_utc_to_ijd(mjd: ArrayLike) -> NDArray[np.float64]:
    """IJD of MJD (UTC) values, as stored in the service's ScW index."""
    return time_to_ijd(Time(np.asarray(mjd, dtype=np.float64), format="mjd", scale="utc"))


def ijd_to_mjd_utc(ijd: ArrayLike) -> NDArray[np.float64]:
    """MJD (UTC) of IJD values."""
    return np.asarray(ijd_to_time(ijd).utc.mjd, dtype=np.float64)
