"""The body of one run, shared by every executor: build the context, call the run function, report the outcome.

``run_job`` is what an executor calls in its worker (a thread here; a pool process or a Dask worker later,
which would build its own ``JobStore`` on the same database and a ``Publisher`` on the same run directory).
It reports only through the store, guarded by the attempt it claimed: when the job was aborted, timed out or
reclaimed meanwhile, the late outcome is refused and its results are discarded (files already written stay
in the results directory; results published early with ``RunContext.add_result`` stay listed).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from tap.params import DaliParams
from uws.errors import JobError, JobFatalError, JobNotFoundError, PhaseConflictError
from uws.files import JobFiles
from uws.kinds import RunFunction
from uws.models import ErrorInfo, ErrorType, JobSpec, Progress, Result, ResultSpec
from uws.phases import Phase
from uws.store import JobStore
from vo_service.errors import QueryTimeoutError, ServiceUnavailableError, VOError

__all__ = ["RunContext", "error_info", "run_job", "time_limit_error"]

_log = logging.getLogger("mmvo.uws.worker")

#: uws:errorSummary type of the service's own error types (anything else is fatal).
_VO_ERROR_TYPES: dict[type[VOError], ErrorType] = {
    ServiceUnavailableError: "transient",
    QueryTimeoutError: "fatal",
}


class RunContext:
    """What a run function gets besides its ``JobSpec`` (see ``uws.kinds`` for the contract)."""

    def __init__(
        self, spec: JobSpec, *, store: JobStore, files: JobFiles, abort: threading.Event | None = None
    ) -> None:
        self.job_id = spec.job_id
        self.deadline = spec.deadline
        self.results_dir = files.results_dir(spec.job_id)
        #: The service's database, for run functions that record what they made (an analysis its products).
        self.engine = store.engine
        self.owner = spec.owner
        self._spec = spec
        self._store = store
        self._files = files
        self._abort = abort or threading.Event()
        self._parameters: DaliParams | None = None

    @property
    def parameters(self) -> DaliParams:
        """The job parameters (names case-insensitive); ``files`` holds the uploaded blobs by name."""
        if self._parameters is None:
            values = [(p.name, p.value) for p in self._spec.parameters if not p.by_reference]
            blobs = {
                p.value: self._files.blob_path(self.job_id, p.value).read_bytes()
                for p in self._spec.parameters
                if p.by_reference
            }
            self._parameters = DaliParams.from_pairs(values, blobs)
        return self._parameters

    def remaining(self) -> float | None:
        """Seconds left before the execution duration is over (None: no limit)."""
        return None if self.deadline is None else self.deadline - time.time()

    def aborted(self) -> bool:
        """True once the job was aborted or its time is over: the run function should stop soon."""
        remaining = self.remaining()
        return self._abort.is_set() or (remaining is not None and remaining <= 0)

    def progress(self, fraction: float | None, message: str | None = None) -> None:
        """Shows how far the run is (``fraction`` clipped to [0, 1]) in the job's ``jobInfo``."""
        if fraction is not None:
            fraction = min(1.0, max(0.0, fraction))
        self._store.record(self.job_id, attempt=self._spec.attempt, progress=Progress(fraction, message))

    def add_result(self, spec: ResultSpec) -> None:
        """Lists a finished result now; it stays listed even if the job is aborted later.

        Raises:
            JobFatalError: the result's file is missing.
        """
        self._store.record(
            self.job_id, attempt=self._spec.attempt, results=[_result(self._files, self._spec, spec)]
        )


def _result(files: JobFiles, job: JobSpec, spec: ResultSpec) -> Result:
    if spec.path is None:
        return Result(spec.id, None, spec.url, spec.mime_type, None)
    path = files.results_dir(job.job_id) / spec.path
    if not path.is_file():
        raise JobFatalError(f"result {spec.id}: the run function did not write {spec.path}")
    return Result(spec.id, spec.path, None, spec.mime_type, path.stat().st_size)


def time_limit_error(spec: JobSpec) -> ErrorInfo:
    """The error of a job stopped at its execution duration."""
    message = f"the job reached its time limit: its execution duration is {spec.execution_duration} s"
    return ErrorInfo("fatal", message)


def error_info(exc: BaseException) -> ErrorInfo:
    """The ``uws:errorSummary`` of an exception raised by a run function; unexpected ones say nothing inside."""
    if isinstance(exc, JobError):
        return ErrorInfo(exc.error_type, exc.message, exc.detail)
    if isinstance(exc, VOError):
        fatal: ErrorType = "fatal"
        kind = next((t for cls, t in _VO_ERROR_TYPES.items() if isinstance(exc, cls)), fatal)
        return ErrorInfo(kind, exc.message)
    return ErrorInfo("fatal", "internal error of the service while running the job; it has been logged")


def run_job(
    spec: JobSpec,
    run: RunFunction,
    *,
    store: JobStore,
    files: JobFiles,
    abort: threading.Event | None = None,
    reported: Callable[[], bool] = lambda: True,
) -> Phase | None:
    """Runs ``spec`` with ``run`` and records COMPLETED (with the results) or ERROR in the store.

    ``abort`` is set by the executor to ask the run to stop; ``reported()`` False (the server is stopping)
    leaves the job EXECUTING for the recovery of the next start.  Returns the phase recorded, or None when the
    outcome was refused (the job had moved on) or not reported.  Never raises.
    """
    ctx = RunContext(spec, store=store, files=files, abort=abort)
    results: list[Result] = []
    error: ErrorInfo | None = None
    try:
        files.prepare(spec.job_id)
        results = [_result(files, spec, s) for s in run(spec, ctx)]
    except Exception as exc:
        if not isinstance(exc, JobError | VOError):
            _log.exception("job %s (%s) failed", spec.job_id, spec.kind)
        error = error_info(exc)
    if not reported():
        return None
    remaining = ctx.remaining()
    if remaining is not None and remaining <= 0:  # whatever the run did, its time was over
        results, error = [], time_limit_error(spec)
    target = Phase.COMPLETED if error is None else Phase.ERROR
    try:
        store.transition(spec.job_id, target, attempt=spec.attempt, error=error, results=results)
    except PhaseConflictError as exc:
        _log.info("outcome %s of job %s discarded: %s", target, spec.job_id, exc)
        return None
    except JobNotFoundError:  # destroyed while it ran: whatever the run wrote since goes too
        files.remove(spec.job_id)
        return None
    except Exception:
        _log.exception("recording the outcome of job %s failed", spec.job_id)
        return None
    return target
