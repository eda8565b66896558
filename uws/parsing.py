"""UWS request parameters: from DALI parameters to typed values, with errors naming the parameter.

Parameter names are case-insensitive (``tap.params.DaliParams`` upper-cases them).  At creation the UWS control
parameters (``PHASE``, ``RUNID``, ``EXECUTIONDURATION``, ``DESTRUCTION``) are taken out; every other parameter
is a job parameter, stored with its name lower-cased; each uploaded file part becomes a by-reference parameter
named as its part (``UPLOAD=t1,param:t1`` with a part ``t1``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from tap.params import DaliParams
from uws.models import JobFilter, Parameter
from uws.phases import Phase
from vo_service.errors import UsageError

__all__ = [
    "CONTROL_PARAMETERS",
    "NewJob",
    "dali_params",
    "job_parameters",
    "new_job",
    "parse_action",
    "parse_duration",
    "parse_filter",
    "parse_time",
    "parse_wait",
]

CONTROL_PARAMETERS = frozenset({"PHASE", "RUNID", "EXECUTIONDURATION", "DESTRUCTION"})
_ACTIONS = {"RUN": Phase.QUEUED, "ABORT": Phase.ABORTED}
_MAX_RUN_ID = 64


@dataclass(frozen=True)
class NewJob:
    """What a creation request asks for."""

    parameters: tuple[Parameter, ...]
    blobs: Mapping[str, bytes] = field(default_factory=dict)
    run_id: str | None = None
    run: bool = False
    execution_duration: int | None = None
    destruction: dt.datetime | None = None


def parse_time(name: str, value: str) -> dt.datetime:
    """An ISO 8601 time (``Z`` or an offset; UTC when none) as an aware datetime.

    Raises:
        UsageError: not an ISO 8601 time, naming the parameter.
    """
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(
            f"{name} must be an ISO 8601 time such as 2030-01-31T12:00:00Z, not {value!r}"
        ) from None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def parse_duration(value: str) -> int:
    """EXECUTIONDURATION: a non-negative number of seconds (0: unlimited).

    Raises:
        UsageError: not a non-negative integer.
    """
    try:
        seconds = int(value.strip())
    except ValueError:
        seconds = -1
    if seconds < 0:
        raise UsageError(f"EXECUTIONDURATION must be a non-negative integer (seconds), not {value!r}")
    return seconds


def parse_action(value: str | None) -> Phase:
    """PHASE of a phase change: RUN (-> QUEUED) or ABORT (-> ABORTED), case-insensitive.

    Raises:
        UsageError: missing or another value.
    """
    target = _ACTIONS.get((value or "").strip().upper())
    if target is None:
        raise UsageError(f"PHASE must be RUN or ABORT, not {value!r}")
    return target


def job_parameters(params: DaliParams, *, skip: frozenset[str] = frozenset()) -> NewJob:
    """The job parameters of ``params`` (names in ``skip`` left out), uploaded parts as blobs."""
    values = tuple(
        Parameter(name.lower(), value)
        for name, values in params.values.items()
        if name not in skip
        for value in values
    )
    blobs = tuple(Parameter(name, name, by_reference=True) for name in params.files)
    return NewJob(values + blobs, dict(params.files))


def new_job(params: DaliParams) -> NewJob:
    """The creation request in ``params``.

    Raises:
        UsageError: a bad control parameter (PHASE other than RUN, a repeated or too long RUNID, a bad
            EXECUTIONDURATION or DESTRUCTION).
    """
    phase = params.get("PHASE")
    if phase is not None and phase.strip().upper() != "RUN":
        raise UsageError(f"PHASE at job creation may only be RUN, not {phase!r}")
    run_id = params.get("RUNID")
    if run_id is not None and len(run_id) > _MAX_RUN_ID:
        raise UsageError(f"RUNID must be at most {_MAX_RUN_ID} characters long")
    duration = params.get("EXECUTIONDURATION")
    destruction = params.get("DESTRUCTION")
    found = job_parameters(params, skip=CONTROL_PARAMETERS)
    return NewJob(
        parameters=found.parameters,
        blobs=found.blobs,
        run_id=run_id,
        run=phase is not None,
        execution_duration=None if duration is None else parse_duration(duration),
        destruction=None if destruction is None else parse_time("DESTRUCTION", destruction),
    )


def dali_params(parameters: tuple[Parameter, ...], blobs: Mapping[str, bytes]) -> DaliParams:
    """Job parameters back as ``DaliParams`` (what validators and run functions read)."""
    pairs = [(p.name, p.value) for p in parameters if not p.by_reference]
    return DaliParams.from_pairs(pairs, blobs)


def parse_filter(params: DaliParams) -> JobFilter:
    """The job list filters PHASE (repeatable), AFTER and LAST.

    Raises:
        UsageError: an unknown phase, a bad time, LAST not a positive integer.
    """
    phases: set[Phase] = set()
    for value in params.getlist("PHASE"):
        try:
            phases.add(Phase(value.strip().upper()))
        except ValueError:
            raise UsageError(f"PHASE must be a UWS phase such as COMPLETED, not {value!r}") from None
    after = params.get("AFTER")
    last = params.get("LAST")
    count = None
    if last is not None:
        count = int(last) if last.strip().isdigit() else 0
        if count <= 0:
            raise UsageError(f"LAST must be a positive integer, not {last!r}")
    return JobFilter(
        phases=frozenset(phases) if phases else None,
        after=None if after is None else parse_time("AFTER", after),
        last=count,
    )


def parse_wait(params: DaliParams, cap: float) -> tuple[float | None, Phase | None]:
    """WAIT (seconds, -1: as long as allowed; capped at ``cap``) and the PHASE it is relative to.

    Returns (None, None) when there is no WAIT.

    Raises:
        UsageError: WAIT not an integer >= -1, or PHASE not a UWS phase.
    """
    wait = params.get("WAIT")
    if wait is None:
        return None, None
    try:
        seconds = float(int(wait.strip()))
    except ValueError:
        seconds = -2.0
    if seconds < -1:
        raise UsageError(f"WAIT must be a number of seconds, or -1, not {wait!r}")
    phase_value = params.get("PHASE")
    phase = None
    if phase_value is not None:
        try:
            phase = Phase(phase_value.strip().upper())
        except ValueError:
            raise UsageError(f"PHASE must be a UWS phase such as EXECUTING, not {phase_value!r}") from None
    return (cap if seconds < 0 else min(seconds, cap)), phase
