"""The UWS operations of the job lists, independent of HTTP: ``UWSService``.

Handlers translate requests into these calls; the methods are coroutines that run the blocking store in worker
threads.  Every method taking ``(kind, job_id, owner)`` checks that the job belongs to that job list (else
``JobNotFoundError``, 404) and to that owner (else ``JobForbiddenError``, 403).  Limits come from
``UWSSettings``: the default and hard execution duration (a request for 0, unlimited, gets the hard cap when
there is one), the lifetime (destruction is at most that long after creation) and the WAIT cap.

Client phase changes follow the transitions table; beyond its idempotent targets, ``PHASE=RUN`` on a job that
already runs or ran, and ``PHASE=ABORT`` on a finished job, change nothing and succeed (a client racing the
job's end gets no error).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from anyio import to_thread

from tap.params import DaliParams
from uws.errors import JobForbiddenError, JobNotFoundError, PhaseConflictError
from uws.files import JobFiles
from uws.kinds import JobKind
from uws.models import Job, JobFilter, JobRef, Result, utc_now
from uws.notify import JobWatch
from uws.parsing import NewJob, dali_params, job_parameters
from uws.phases import ACTIVE, FINAL, Actor, Phase
from uws.store import JobStore
from vo_service.config import Config

__all__ = ["UWSService", "UWSSettings"]

#: Phases in which a client request to reach a target is accepted without any change.
_CLIENT_NOOPS: Mapping[Phase, frozenset[Phase]] = {
    Phase.QUEUED: frozenset({Phase.EXECUTING, Phase.COMPLETED}),
    Phase.ABORTED: frozenset({Phase.COMPLETED, Phase.ERROR, Phase.ARCHIVED}),
}
#: Phases in which the execution duration may still change (it is fixed when the job starts).
_DURATION_PHASES = frozenset({Phase.PENDING, Phase.QUEUED, Phase.HELD})


@dataclass(frozen=True)
class UWSSettings:
    """Limits of the job lists (seconds unless said otherwise; ``execution_duration_hard`` 0: no cap)."""

    execution_duration: int = 3600
    execution_duration_hard: int = 86_400
    lifetime: dt.timedelta = dt.timedelta(days=7)
    wait_cap: float = 60.0
    #: A blocked WAIT re-reads the job this often even without notification (lost datagrams).
    wait_recheck: float = 10.0

    @classmethod
    def from_config(cls, config: Config, **overrides: Any) -> UWSSettings:
        """The settings from ``Config.job_*`` (other fields from ``overrides`` or the defaults)."""
        settings = cls(
            execution_duration=config.job_execution_duration,
            execution_duration_hard=config.job_execution_duration_hard,
            lifetime=dt.timedelta(days=config.job_destruction_days),
        )
        return replace(settings, **overrides)

    def cap_duration(self, seconds: int) -> int:
        hard = self.execution_duration_hard
        return hard if hard > 0 and (seconds == 0 or seconds > hard) else seconds


class UWSService:
    """Jobs of every job list of one application (see the module docstring)."""

    def __init__(self, *, store: JobStore, files: JobFiles, settings: UWSSettings, watch: JobWatch) -> None:
        self.store = store
        self.files = files
        self.settings = settings
        self.watch = watch

    # -------------------------------------------------------------- reading

    async def job(self, kind: JobKind, job_id: str, owner: str | None) -> Job:
        """The job.

        Raises:
            JobNotFoundError: no such job in this job list.
            JobForbiddenError: the job belongs to someone else.
        """
        job = await to_thread.run_sync(self.store.find, job_id)
        if job is None or job.kind != kind.name:
            raise JobNotFoundError(f"no job {job_id}")
        if job.owner != owner:
            raise JobForbiddenError(f"job {job_id} belongs to another user")
        return job

    async def jobs(self, kind: JobKind, owner: str | None, filter: JobFilter) -> list[JobRef]:
        """The caller's jobs in this job list passing ``filter``, most recent first."""
        return await to_thread.run_sync(
            lambda: self.store.list_jobs(kind=kind.name, owner=owner, filter=filter)
        )

    async def wait(
        self, kind: JobKind, job_id: str, owner: str | None, *, timeout: float, phase: Phase | None = None
    ) -> Job:
        """The job once its phase differs from ``phase`` (default: its phase now), or after ``timeout`` s.

        Returns at once when the job is not active (PENDING, QUEUED, EXECUTING) or not in ``phase``; wakes on
        the notification of any change, from any process.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(timeout, self.settings.wait_cap)
        start = phase
        while True:
            with self.watch.watch(job_id) as changed:
                job = await self.job(kind, job_id, owner)
                start = start or job.phase
                remaining = deadline - loop.time()
                if job.phase not in ACTIVE or job.phase is not start or remaining <= 0:
                    return job
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(min(remaining, self.settings.wait_recheck)):
                        await changed.wait()

    async def blob(self, kind: JobKind, job_id: str, owner: str | None, name: str) -> Path:
        """The file of the by-reference parameter ``name``.

        Raises:
            JobNotFoundError: no such job or parameter.
        """
        job = await self.job(kind, job_id, owner)
        if not any(p.by_reference and p.name == name for p in job.parameters):
            raise JobNotFoundError(f"job {job_id} has no uploaded parameter {name}")
        return self.files.blob_path(job_id, name)

    async def result(
        self, kind: JobKind, job_id: str, owner: str | None, result_id: str
    ) -> tuple[Result, Path | None]:
        """The result ``result_id`` and its file (None for an external URL).

        Raises:
            JobNotFoundError: no such job or result, or its file is gone.
        """
        job = await self.job(kind, job_id, owner)
        result = job.result(result_id)
        if result is None:
            raise JobNotFoundError(f"job {job_id} has no result {result_id}")
        if result.path is None:
            return result, None
        return result, self.files.result_path(job_id, result.path)

    # -------------------------------------------------------------- changing

    async def create(self, kind: JobKind, owner: str | None, request: NewJob) -> Job:
        """Creates a PENDING job (QUEUED when ``request.run``) after the kind's validation.

        Raises:
            UsageError: the kind's validator refused the parameters.
        """
        if kind.validate is not None:
            await to_thread.run_sync(kind.validate, dali_params(request.parameters, request.blobs))
        now = utc_now()
        duration = (
            self.settings.execution_duration
            if request.execution_duration is None
            else request.execution_duration
        )
        latest = now + self.settings.lifetime
        destruction = latest if request.destruction is None else min(request.destruction, latest)
        job_id = secrets.token_hex(8)

        def create() -> Job:
            for name, content in request.blobs.items():
                self.files.store_blob(job_id, name, content)
            return self.store.create(
                kind=kind.name,
                owner=owner,
                run_id=request.run_id,
                parameters=request.parameters,
                execution_duration=self.settings.cap_duration(duration),
                destruction=destruction,
                job_id=job_id,
                creation_time=now,
            )

        try:
            job = await to_thread.run_sync(create)
        except BaseException:
            await to_thread.run_sync(self.files.remove, job_id)
            raise
        if request.run:
            job = await self.change_phase(kind, job.job_id, owner, Phase.QUEUED)
        return job

    async def change_phase(self, kind: JobKind, job_id: str, owner: str | None, target: Phase) -> Job:
        """A client's ``PHASE=RUN`` (target QUEUED) or ``PHASE=ABORT`` (target ABORTED).

        Returns once the store has the job in ``target`` or later, so a following read never sees PENDING.

        Raises:
            PhaseConflictError: the job's phase does not allow it (RUN on an aborted job, for instance).
        """
        job = await self.job(kind, job_id, owner)
        try:
            return await to_thread.run_sync(
                lambda: self.store.transition(job.job_id, target, by=Actor.CLIENT)
            )
        except PhaseConflictError as exc:
            if exc.phase in _CLIENT_NOOPS.get(target, frozenset()):
                return await self.job(kind, job_id, owner)
            raise

    async def set_execution_duration(
        self, kind: JobKind, job_id: str, owner: str | None, seconds: int
    ) -> Job:
        """Changes the execution duration (capped) before the job starts.

        Raises:
            PhaseConflictError: the job has started.
        """
        await self.job(kind, job_id, owner)
        capped = self.settings.cap_duration(seconds)
        return await to_thread.run_sync(
            lambda: self.store.update_times(job_id, execution_duration=capped, phases=_DURATION_PHASES)
        )

    async def set_destruction(self, kind: JobKind, job_id: str, owner: str | None, when: dt.datetime) -> Job:
        """Changes the destruction time, at most ``lifetime`` after the job's creation."""
        job = await self.job(kind, job_id, owner)
        capped = min(when, job.creation_time + self.settings.lifetime)
        return await to_thread.run_sync(lambda: self.store.update_times(job_id, destruction=capped))

    async def update_parameters(
        self, kind: JobKind, job_id: str, owner: str | None, params: DaliParams
    ) -> Job:
        """Adds or replaces parameters of a PENDING job (after the kind's validation of the whole set).

        Raises:
            PhaseConflictError: the job is no longer PENDING.
            UsageError: the kind's validator refused the parameters.
        """
        job = await self.job(kind, job_id, owner)
        if job.phase is not Phase.PENDING:
            raise PhaseConflictError(
                f"job {job_id} is {job.phase}: parameters can change only while it is PENDING",
                job_id=job_id,
                phase=job.phase,
            )
        update = job_parameters(params)
        if kind.validate is not None:
            names = {p.name for p in update.parameters}
            merged = tuple(p for p in job.parameters if p.name not in names and not p.by_reference)
            await to_thread.run_sync(kind.validate, dali_params(merged + update.parameters, update.blobs))

        def apply() -> Job:
            changed = self.store.update_parameters(job_id, update.parameters)
            for name, content in update.blobs.items():
                self.files.store_blob(job_id, name, content)
            return changed

        return await to_thread.run_sync(apply)

    async def delete(self, kind: JobKind, job_id: str, owner: str | None) -> None:
        """Destroys the caller's job (aborting it first if it is still to run or running)."""
        await self.job(kind, job_id, owner)
        await self.destroy(job_id)

    async def destroy(self, job_id: str) -> bool:
        """Aborts the job if needed, then forgets it and deletes its files; False when it was already gone."""
        return await to_thread.run_sync(self.destroy_now, job_id)

    def destroy_now(self, job_id: str) -> bool:
        """``destroy`` for blocking callers (the reaper's thread)."""
        job = self.store.find(job_id)
        if job is None:
            return False
        if job.phase not in FINAL:
            with contextlib.suppress(PhaseConflictError, JobNotFoundError):
                self.store.transition(job_id, Phase.ABORTED)
        gone = self.store.delete(job_id)
        self.files.remove(job_id)
        return gone
