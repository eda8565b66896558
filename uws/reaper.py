"""The reaper: destroys jobs whose destruction time has passed (their rows and their directory).

It runs every ``interval`` seconds in each server process (destroying is idempotent, so processes sharing a
database may race harmlessly) and on demand (``reap``).  A job still running at its destruction time is aborted
first, which stops its run wherever it executes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from anyio import to_thread

from uws.models import utc_now
from uws.service import UWSService

__all__ = ["Reaper"]

_log = logging.getLogger("mmvo.uws.reaper")


class Reaper:
    """Periodic destruction of expired jobs (``start`` on the event loop, ``stop`` at shutdown)."""

    def __init__(self, service: UWSService, *, interval: float = 60.0) -> None:
        self._service = service
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    def reap_now(self) -> list[str]:
        """Destroys every job past its destruction time now (blocking); returns their ids."""
        destroyed = [
            job_id for job_id in self._service.store.expired(utc_now()) if self._service.destroy_now(job_id)
        ]
        if destroyed:
            _log.info("destroyed %d expired jobs", len(destroyed))
        return destroyed

    async def reap(self) -> list[str]:
        """``reap_now`` from async code."""
        return await to_thread.run_sync(self.reap_now)

    def start(self) -> None:
        self._task = asyncio.create_task(self._main(), name="uws-reaper")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _main(self) -> None:
        while True:
            try:
                await self.reap()
            except Exception:
                _log.exception("reaping expired jobs failed; trying again later")
            await asyncio.sleep(self._interval)
