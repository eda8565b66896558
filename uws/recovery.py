"""Recovery of runs orphaned by a dead server process.

Policy: a job found EXECUTING whose runner process is gone (its notification socket refuses datagrams, see
``uws.notify``) is queued again once, keeping its parameters; its next claim runs it from the start.  A job
orphaned a second time (its attempt number exceeds ``retries``) ends in ERROR with the reason, so a job that
kills its server cannot crash it forever.  QUEUED jobs need no recovery: a dispatcher claims them.

The sweep runs at start-up and then on the dispatcher's safety timer, so the jobs of a process that dies while
others keep serving are taken over without waiting for a restart.  Both changes are transitions by
``Actor.RECOVERY`` guarded by the attempt, so of several processes sweeping at once exactly one acts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from uws.errors import PhaseConflictError
from uws.models import ErrorInfo
from uws.phases import Actor, Phase
from uws.store import JobStore, RunningJob

__all__ = ["RESTART_MESSAGE", "recover_orphans"]

_log = logging.getLogger("mmvo.uws.recovery")

RESTART_MESSAGE = (
    "the service restarted while the job was running, and again after it was queued again; "
    "it was given up: submit it anew"
)


def _orphaned(job: RunningJob, own_token: str, alive: Callable[[str], bool]) -> bool:
    if job.runner == own_token:
        return False
    return job.runner is None or not alive(job.runner)


def recover_orphans(
    store: JobStore, *, own_token: str, alive: Callable[[str], bool], retries: int = 1
) -> list[str]:
    """Re-queues (or fails, past ``retries``) the EXECUTING jobs whose runner is dead; returns their ids."""
    recovered: list[str] = []
    for job in store.executing():
        if not _orphaned(job, own_token, alive):
            continue
        if job.attempt <= retries:
            target, error = Phase.QUEUED, None
        else:
            target, error = Phase.ERROR, ErrorInfo("transient", RESTART_MESSAGE)
        try:
            store.transition(job.job_id, target, by=Actor.RECOVERY, attempt=job.attempt, error=error)
        except PhaseConflictError:  # another process recovered it, or it finished meanwhile
            continue
        _log.warning("job %s was orphaned by the death of %s: now %s", job.job_id, job.runner, target)
        recovered.append(job.job_id)
    return recovered
