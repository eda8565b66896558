"""Domain objects of the UWS machinery: frozen dataclasses, never ORM rows.

``Job`` is what the store returns and the XML documents show; ``JobRef`` one row of a job list; ``JobSpec`` the
picklable description an executor gets (it may cross a process boundary, so it holds plain values only);
``ResultSpec`` what a run function returns for each result.  All times are timezone-aware UTC datetimes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

from uws.phases import Phase

__all__ = [
    "ErrorInfo",
    "ErrorType",
    "Job",
    "JobFilter",
    "JobRef",
    "JobSpec",
    "Parameter",
    "Progress",
    "Result",
    "ResultSpec",
    "utc_now",
]

ErrorType = Literal["transient", "fatal"]


def utc_now() -> dt.datetime:
    """The current time, UTC, to the millisecond (what the documents show and the database keeps)."""
    now = dt.datetime.now(dt.UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


@dataclass(frozen=True)
class Parameter:
    """One job parameter as received (names lower-cased; a multi-valued parameter repeats its name).

    ``by_reference`` marks a stored blob (an inline upload): ``value`` is then the blob's name, the content lives
    in the job's upload directory and the documents show its URL (``{job}/parameters/{name}``).
    """

    name: str
    value: str
    by_reference: bool = False


@dataclass(frozen=True)
class ResultSpec:
    """A result as a run function reports it: a file in the job's results directory or an external URL.

    Raises:
        ValueError: neither or both of ``path`` and ``url``, or a path leaving the results directory.
    """

    id: str
    path: str | None = None
    url: str | None = None
    mime_type: str | None = None

    def __post_init__(self) -> None:
        if (self.path is None) == (self.url is None):
            raise ValueError(f"result {self.id!r} needs exactly one of path and url")
        if not self.id or "/" in self.id:
            raise ValueError(f"result id {self.id!r} must be a non-empty name without '/'")
        if self.path is not None:
            parts = PurePosixPath(self.path).parts
            if not parts or PurePosixPath(self.path).is_absolute() or ".." in parts:
                raise ValueError(
                    f"result {self.id!r}: {self.path!r} is not a path inside the results directory"
                )


@dataclass(frozen=True)
class Result:
    """A stored result: ``path`` relative to the results directory (``size`` in bytes) or an external ``url``."""

    id: str
    path: str | None
    url: str | None
    mime_type: str | None
    size: int | None


@dataclass(frozen=True)
class ErrorInfo:
    """Why a job ended in ERROR: the short message of ``uws:errorSummary`` and the detail served at ``/error``."""

    type: ErrorType
    message: str
    detail: str | None = None


@dataclass(frozen=True)
class Progress:
    """How far a running job is (``fraction`` in [0, 1]), shown in ``uws:jobInfo``."""

    fraction: float | None
    message: str | None


@dataclass(frozen=True)
class JobRef:
    """One job of a job list (``uws:jobref``)."""

    job_id: str
    phase: Phase
    run_id: str | None
    owner: str | None
    creation_time: dt.datetime


@dataclass(frozen=True)
class Job:
    """The whole state of one job.

    ``attempt`` counts the claims (it guards the outcome of a run: a report carrying an older attempt is refused);
    ``runner`` names the server process executing it (see ``uws.notify``).
    """

    job_id: str
    kind: str
    owner: str | None
    run_id: str | None
    phase: Phase
    creation_time: dt.datetime
    start_time: dt.datetime | None
    end_time: dt.datetime | None
    execution_duration: int
    destruction: dt.datetime | None
    quote: dt.datetime | None = None
    parameters: tuple[Parameter, ...] = ()
    results: tuple[Result, ...] = ()
    error: ErrorInfo | None = None
    progress: Progress | None = None
    attempt: int = 0
    runner: str | None = None

    @property
    def ref(self) -> JobRef:
        return JobRef(self.job_id, self.phase, self.run_id, self.owner, self.creation_time)

    def result(self, result_id: str) -> Result | None:
        return next((r for r in self.results if r.id == result_id), None)


@dataclass(frozen=True)
class JobFilter:
    """Job list filters (UWS 1.1 section 2.2.1.1), combined with AND.

    ``phases`` None lists every phase but ARCHIVED (archived jobs are listed only when asked for by name);
    ``after`` keeps jobs created strictly later; ``last`` keeps the n most recent.
    """

    phases: frozenset[Phase] | None = None
    after: dt.datetime | None = None
    last: int | None = None


@dataclass(frozen=True)
class JobSpec:
    """What an executor needs to run one claimed job; picklable (plain values, no handles).

    ``deadline`` is a wall-clock time (``time.time()`` scale) so it means the same in another process; None when
    the job may run without limit (``execution_duration`` 0).
    """

    job_id: str
    kind: str
    owner: str | None
    run_id: str | None
    parameters: tuple[Parameter, ...]
    attempt: int
    execution_duration: int
    deadline: float | None
