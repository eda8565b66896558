"""``JemxBackend``: the simulated archive of one JEM-X unit over a list of pointings, generated and cached.

Files live under ``archive_dir/jemx<unit>/<version>.<format>-<fingerprint>/RRRR/<scw_id>.fits``, the fingerprint naming
the truth sky (the same hidden sky as ISGRI's by default); each is drawn from the stream of
(``"jemx<unit>"``, ScW id, version), so regenerating it gives the same bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from instruments.archive.base import ChunkInfo, Cone, TimeRange, angular_distance
from instruments.archive.simulated.backend import SIM_VERSION
from instruments.archive.simulated.jemx import FILE_FORMAT, simulated_model, unit_name, write_scw
from instruments.archive.simulated.truth import TruthSource, default_truth
from instruments.integral.jemx.model import JemxModel

__all__ = ["JemxBackend"]


class JemxBackend:
    """The simulated archive of JEM-X ``unit`` (1 or 2) for ``pointings``, cached under ``archive_dir``;
    ``truth`` replaces the default hidden sky (tests)."""

    def __init__(
        self,
        archive_dir: Path,
        pointings: Iterable[ChunkInfo],
        *,
        unit: int,
        truth: Sequence[TruthSource] | None = None,
        sim_version: str = SIM_VERSION,
    ) -> None:
        self.unit = unit
        self._pointings = {p.chunk_id: p for p in pointings}
        self._truth = tuple(default_truth(sim_version) if truth is None else truth)
        self._version = sim_version
        fingerprint = hashlib.sha256(repr(self._truth).encode()).hexdigest()[:12]
        self._root = Path(archive_dir) / unit_name(unit) / f"{sim_version}.{FILE_FORMAT}-{fingerprint}"

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
            write_scw(path, info, unit=self.unit, truth=self._truth, sim_version=self._version)
        return path

    def instrument_model(self, time: float) -> JemxModel:
        """The unit's calibration (the simulation has one for the whole mission)."""
        return simulated_model(self.unit, self._version)
