"""Running an analysis outside the service: in a notebook, a script or a test, in the current process.

``run_analysis(Image, workdir, RA=83.6, DEC=22.0)`` reads the parameters exactly as the service does
(``parse_parameters``), runs the analysis with a ``LocalRunContext`` and returns its products.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from instruments.base import Analysis, ProductFile
from instruments.parameters import parse_parameters

__all__ = ["LocalRunContext", "run_analysis"]


class LocalRunContext:
    """A ``RunContext`` of the current process: progress is logged and kept in ``reports``."""

    def __init__(
        self,
        workdir: Path,
        *,
        archive_dir: Path | None = None,
        job_id: str = "local",
        deadline: float | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        self.job_id = job_id
        self.workdir = workdir
        self.archive_dir = archive_dir if archive_dir is not None else workdir / "archive"
        self.deadline = deadline
        self.logger = logger or logging.getLogger(f"mmvo.analysis.{job_id}")
        self.reports: list[tuple[float | None, str | None]] = []

    def progress(self, fraction: float | None, message: str | None = None) -> None:
        self.reports.append((fraction, message))
        self.logger.info("progress %s: %s", fraction, message)

    def aborted(self) -> bool:
        return self.deadline is not None and time.time() >= self.deadline


def run_analysis(
    analysis: type[Analysis] | Analysis, workdir: Path, /, **values: object
) -> list[ProductFile]:
    """Runs ``analysis`` with ``values`` (names as in the service) into ``workdir``, created if needed.

    Raises:
        InstrumentUsageError: a bad parameter; or whatever the analysis raises.
    """
    instance = analysis() if isinstance(analysis, type) else analysis
    params = parse_parameters(instance.Parameters, values)
    workdir.mkdir(parents=True, exist_ok=True)
    return instance.run(params, LocalRunContext(workdir))
