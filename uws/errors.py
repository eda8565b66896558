"""Errors of the UWS machinery, in two families.

Request errors (``JobNotFoundError``, ``JobForbiddenError``, ``PhaseConflictError``) are ``vo_service.errors``
types: the application's single error handler renders them with their HTTP status.

Run errors (``JobUsageError``, ``JobFatalError``, ``JobTransientError``) are what a run function raises to end
its job in ERROR with a message for the client.  They are plain picklable exceptions (a process-pool or Dask
executor sends them back across a process boundary), and they carry the ``uws:errorSummary`` type.
"""

from __future__ import annotations

from typing import ClassVar

from uws.models import ErrorType
from uws.phases import Phase
from vo_service.errors import NotFoundError, UsageError, VOError

__all__ = [
    "JobError",
    "JobFatalError",
    "JobForbiddenError",
    "JobNotFoundError",
    "JobTransientError",
    "JobUsageError",
    "PhaseConflictError",
]


class JobNotFoundError(NotFoundError):
    """No job (or no such child of a job: result, parameter, error) by that name."""


class JobForbiddenError(VOError):
    """The job belongs to another owner."""

    http_status = 403
    vo_code = "AuthorizationFault"


class PhaseConflictError(UsageError):
    """The job's phase does not allow the change (parameters after PENDING, a refused transition).

    ``phase`` is the job's phase when the change was refused, ``target`` the phase asked for (None for changes
    other than phase changes).  Answered 409 Conflict: the request is well formed but comes at the wrong time.
    """

    http_status = 409

    def __init__(self, message: str, *, job_id: str, phase: Phase, target: Phase | None = None) -> None:
        super().__init__(message)
        self.job_id = job_id
        self.phase = phase
        self.target = target


class JobError(Exception):
    """Base of the errors a run function raises to fail its job with a client-readable message.

    ``message`` goes to ``uws:errorSummary``; ``detail`` (default: the message) is served at ``{job}/error``.
    """

    error_type: ClassVar[ErrorType] = "fatal"

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[type[JobError], tuple[str, str | None]]:
        return (type(self), (self.message, self.detail))


class JobUsageError(JobError):
    """The job's parameters are wrong (found when it runs); fatal: running it again gives the same answer."""


class JobFatalError(JobError):
    """The job failed for good (bad data, an internal limit)."""


class JobTransientError(JobError):
    """The job failed for a reason that may go away (a backend down); the client may try again later."""

    error_type: ClassVar[ErrorType] = "transient"
