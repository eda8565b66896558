"""The per-owner limit on analysis jobs: a job is queued only while its owner has fewer than ``limit`` analysis
jobs queued or executing.

Checked where a client asks for a run (``PHASE=RUN`` at creation or later), so a refused job is never queued
and the client learns why at once (403, the UWS answer to a refused request); counted across every analysis
job list, from the store, so it holds across server processes.  Two requests racing may both pass: the limit
is there to share the workers, not as an exact quota.  Anonymous callers share one owner (``None``).
"""

from __future__ import annotations

from collections.abc import Iterable

from anyio import to_thread

from uws.files import JobFiles
from uws.kinds import JobKind
from uws.models import Job, JobFilter
from uws.notify import JobWatch
from uws.parsing import NewJob
from uws.phases import Phase
from uws.service import UWSService, UWSSettings
from uws.store import JobStore
from vo_service.errors import VOError

__all__ = ["JobLimitError", "OwnerLimitService"]

_ACTIVE = JobFilter(phases=frozenset({Phase.QUEUED, Phase.EXECUTING}))


class JobLimitError(VOError):
    """The owner already has as many active jobs as allowed."""

    http_status = 403
    vo_code = "UsageFault"


class OwnerLimitService(UWSService):
    """``UWSService`` refusing to queue a job past the owner's limit among the job kinds ``kinds`` (0: none)."""

    def __init__(
        self,
        *,
        store: JobStore,
        files: JobFiles,
        settings: UWSSettings,
        watch: JobWatch,
        kinds: Iterable[str],
        limit: int,
    ) -> None:
        super().__init__(store=store, files=files, settings=settings, watch=watch)
        self.kinds = frozenset(kinds)
        self.limit = limit

    async def create(self, kind: JobKind, owner: str | None, request: NewJob) -> Job:
        """As ``UWSService.create``, refusing a job created with ``PHASE=RUN`` past the limit.

        Raises:
            JobLimitError: the owner has ``limit`` jobs queued or executing.
        """
        if request.run:
            await self._check(owner)
        return await super().create(kind, owner, request)

    async def change_phase(self, kind: JobKind, job_id: str, owner: str | None, target: Phase) -> Job:
        """As ``UWSService.change_phase``, refusing to queue a PENDING job past the limit.

        Raises:
            JobLimitError: the owner has ``limit`` jobs queued or executing.
        """
        if target is Phase.QUEUED and (await self.job(kind, job_id, owner)).phase is Phase.PENDING:
            await self._check(owner)
        return await super().change_phase(kind, job_id, owner, target)

    async def _check(self, owner: str | None) -> None:
        if self.limit <= 0:
            return

        def active() -> int:
            return sum(len(self.store.list_jobs(kind=k, owner=owner, filter=_ACTIVE)) for k in self.kinds)

        count = await to_thread.run_sync(active)
        if count >= self.limit:
            who = "anonymous users have" if owner is None else f"{owner} has"
            raise JobLimitError(
                f"{who} {count} analysis jobs queued or executing already, the most allowed at once "
                f"is {self.limit}: wait for one to end, or abort one"
            )
