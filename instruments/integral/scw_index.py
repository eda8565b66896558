"""The archive's science-window index (``GNRL-SCWG-GRP-IDX``), as the INTEGRAL archive keeps one beside the
data: analysis code chooses its pointings from this file, never from a database, so a core runs the same in a
worker, on a Dask cluster or in a notebook with only the archive directory.

File: ``<archive>/integral/GNRL-SCWG-GRP-IDX.fits``, one binary table of that name with SWID (``RRRRPPPPSSSF.VVV``),
SW_TYPE (``POINTING``, ``SLEW``), REVOL, TSTART and TSTOP (IJD, TT), RA_SCX, DEC_SCX and POSANGLE (deg),
GOOD_ISGRI, GOOD_JEMX1, GOOD_JEMX2 (good time, s) and, when known, DATA_VERS (``NRT`` or ``CONS``).  The service
writes it from its ``integral.scw`` table.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from astropy.io import fits

from instruments.archive.base import ChunkInfo
from instruments.integral.time import ijd_to_mjd_utc, mjd_utc_to_ijd

__all__ = ["GOOD_TIME", "INDEX_EXTENSION", "INDEX_PATH", "read_index", "write_index"]

INDEX_EXTENSION = "GNRL-SCWG-GRP-IDX"
#: Where the index lives, relative to the archive directory.
INDEX_PATH = Path("integral") / f"{INDEX_EXTENSION}.fits"
#: Good-time column of each instrument.
GOOD_TIME = {"isgri": "GOOD_ISGRI", "jemx1": "GOOD_JEMX1", "jemx2": "GOOD_JEMX2"}


def write_index(archive_dir: Path, rows: Mapping[str, Sequence[Any]]) -> Path:
    """Writes the index from ScW-index columns as the service names them (scw_id, scw_type, revolution, ra,
    dec, posangle, t_start, t_stop in MJD UTC, good_isgri, good_jemx1, good_jemx2); atomically, so a reader
    never sees half a file."""
    path = archive_dir / INDEX_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = [
        fits.Column("SWID", "16A", array=np.asarray(rows["scw_id"], dtype="U16")),
        fits.Column("SW_TYPE", "8A", array=np.asarray(rows["scw_type"], dtype="U8")),
        fits.Column("REVOL", "J", array=np.asarray(rows["revolution"], dtype=np.int32)),
        fits.Column("TSTART", "D", unit="d", array=mjd_utc_to_ijd(rows["t_start"])),
        fits.Column("TSTOP", "D", unit="d", array=mjd_utc_to_ijd(rows["t_stop"])),
        *(
            fits.Column(name, "D", unit="deg", array=np.asarray(rows[key], dtype=np.float64))
            for name, key in (("RA_SCX", "ra"), ("DEC_SCX", "dec"), ("POSANGLE", "posangle"))
        ),
        *(
            fits.Column(name, "D", unit="s", array=np.asarray(rows[name.lower()], dtype=np.float64))
            for name in GOOD_TIME.values()
        ),
    ]
    if "data_version" in rows:
        versions = [v or "" for v in rows["data_version"]]
        columns.append(fits.Column("DATA_VERS", "4A", array=np.asarray(versions, dtype="U4")))
    table = fits.BinTableHDU.from_columns(columns, name=INDEX_EXTENSION)
    table.header["TIMESYS"] = ("TT", "TSTART and TSTOP are IJD (TT)")
    table.header["MJDREF"] = (51544.0, "IJD 0 as MJD (TT)")
    table.header["TIMEUNIT"] = "d"
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fits.HDUList([fits.PrimaryHDU(), table]).writeto(temporary, overwrite=True)
    temporary.replace(path)
    return path


def read_index(archive_dir: Path, instrument: str) -> list[ChunkInfo]:
    """The pointings with good time for ``instrument``, times as MJD (UTC), in time order.

    Raises:
        FileNotFoundError: the archive has no index.
        KeyError: an unknown instrument.
    """
    good_column = GOOD_TIME[instrument]
    with fits.open(archive_dir / INDEX_PATH, memmap=False) as hdus:
        data = hdus[INDEX_EXTENSION].data
        good = np.asarray(data[good_column], dtype=np.float64)
        keep = (np.char.strip(np.asarray(data["SW_TYPE"]).astype(str)) == "POINTING") & (good > 0)
        ids = np.char.strip(np.asarray(data["SWID"]).astype(str))[keep]
        start = ijd_to_mjd_utc(np.asarray(data["TSTART"], dtype=np.float64)[keep])
        stop = ijd_to_mjd_utc(np.asarray(data["TSTOP"], dtype=np.float64)[keep])
        ra, dec, pa = (
            np.asarray(data[name], dtype=np.float64)[keep] for name in ("RA_SCX", "DEC_SCX", "POSANGLE")
        )
        exposure = good[keep]
        versions = (
            np.char.strip(np.asarray(data["DATA_VERS"]).astype(str))[keep]
            if "DATA_VERS" in data.columns.names
            else np.full(len(ids), "")
        )
    chunks = [
        ChunkInfo(
            instrument,
            str(ids[i]),
            float(ra[i]),
            float(dec[i]),
            float(pa[i]),
            float(start[i]),
            float(stop[i]),
            float(exposure[i]),
            str(versions[i]) or None,
        )
        for i in range(len(ids))
    ]
    return sorted(chunks, key=lambda c: (c.t_start, c.chunk_id))
