"""``SimulatedBackend``: the ISGRI archive of a list of pointings, generated on first request and cached.

The pointings come from the caller (for instance the rows of the service's ScW index, see
:func:`chunks_from_columns`), so the backend needs no database.  Files live under
``data_dir/archive/isgri/<version>-<fingerprint>/RRRR/<scw_id>.fits``: the fingerprint names the truth and
background settings, so a test sky and the default sky never share a cache.  Each file is drawn from the
stream of (``"isgri"``, ScW id, version), so regenerating it gives the same bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from instruments.archive.base import ChunkInfo, Cone, TimeRange, angular_distance
from instruments.archive.simulated.calibration import model_for_mjd
from instruments.archive.simulated.isgri import write_scw
from instruments.archive.simulated.truth import TruthSource, default_truth
from instruments.integral.isgri.model import IsgriModel

__all__ = ["SIM_VERSION", "SimulatedBackend", "chunks_from_columns"]

SIM_VERSION = "1"
INSTRUMENT = "isgri"


def chunks_from_columns(columns: Mapping[str, Sequence[Any]]) -> list[ChunkInfo]:
    """Pointings with ISGRI good time out of ScW-index columns (scw_id, scw_type, ra, dec, posangle, t_start,
    t_stop, good_isgri), as the service's ``integral.scw`` table or its plan chunks hold them."""
    rows = zip(
        *(
            columns[name]
            for name in ("scw_id", "scw_type", "ra", "dec", "posangle", "t_start", "t_stop", "good_isgri")
        ),
        strict=True,
    )
    return [
        ChunkInfo(INSTRUMENT, str(scw), float(ra), float(dec), float(pa), float(t0), float(t1), float(good))
        for scw, kind, ra, dec, pa, t0, t1, good in rows
        if str(kind) == "POINTING" and float(good) > 0.0
    ]


class SimulatedBackend:
    """The simulated ISGRI archive of ``pointings``; ``truth`` replaces the default hidden sky (tests)."""

    def __init__(
        self,
        data_dir: Path,
        pointings: Iterable[ChunkInfo],
        *,
        truth: Sequence[TruthSource] | None = None,
        sim_version: str = SIM_VERSION,
    ) -> None:
        self._pointings = {p.chunk_id: p for p in pointings}
        self._truth = tuple(default_truth(sim_version) if truth is None else truth)
        self._version = sim_version
        fingerprint = hashlib.sha256(repr(self._truth).encode()).hexdigest()[:12]
        self._root = Path(data_dir) / "archive" / INSTRUMENT / f"{sim_version}-{fingerprint}"

    @classmethod
    def in_archive(
        cls,
        archive_dir: Path,
        pointings: Iterable[ChunkInfo],
        *,
        truth: Sequence[TruthSource] | None = None,
        sim_version: str = SIM_VERSION,
    ) -> SimulatedBackend:
        """The backend caching under ``archive_dir`` itself (an analysis's ``RunContext.archive_dir``, which is
        ``data_dir/archive`` in the service), not under ``archive_dir/archive``."""
        backend = cls(archive_dir, pointings, truth=truth, sim_version=sim_version)
        backend._root = Path(archive_dir) / INSTRUMENT / backend._root.name
        return backend

    def list_chunks(self, time: TimeRange | None = None, region: Cone | None = None) -> list[ChunkInfo]:
        """Pointings overlapping ``time`` whose axis lies within ``region``, in time order."""
        chosen = [
            p
            for p in self._pointings.values()
            if (time is None or time.overlaps(p.t_start, p.t_stop))
            and (region is None or angular_distance(p.ra, p.dec, region.ra, region.dec) <= region.radius)
        ]
        return sorted(chosen, key=lambda p: (p.t_start, p.chunk_id))

    def open_chunk(self, chunk_id: str) -> Path:
        """The FITS file of a ScW, simulated now if not cached; ``KeyError`` for an unknown id."""
        info = self._pointings[chunk_id]
        path = self._root / chunk_id[:4] / f"{chunk_id}.fits"
        if not path.exists():
            write_scw(
                path,
                info,
                truth=self._truth,
                model=self.instrument_model(info.t_start),
                sim_version=self._version,
            )
        return path

    def instrument_model(self, time: float) -> IsgriModel:
        """The calibration valid at MJD (UTC) ``time``."""
        return model_for_mjd(time, self._version)
