"""Executors: where claimed jobs run.  The protocol, and ``ThreadExecutor`` (threads of the server process).

The dispatcher (``uws.dispatcher``) claims a job in the store, then awaits ``executor.submit(spec)`` in a task
of its own: the coroutine ends when the work has ended and its outcome is recorded (or refused) in the store.
``abort(job_id)`` asks a running job to stop; it returns at once.  ``capacity`` bounds how many jobs the
dispatcher hands over at a time.

Executors report only through the store (``uws.worker.run_job``), so an executor holds no state that a restart
could lose.  The inputs are picklable (``JobSpec``, a module-level run function, typed picklable errors), which
is what a process-pool executor (``concurrent.futures.ProcessPoolExecutor`` running ``run_job`` with a store
built in the child) or a Dask executor (``client.submit(run_job, ...)``, abort through a Dask ``Variable``)
needs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import Protocol

from uws.files import JobFiles
from uws.kinds import KindRegistry
from uws.models import JobSpec
from uws.store import JobStore
from uws.worker import run_job

__all__ = ["JobExecutor", "ThreadExecutor"]

_log = logging.getLogger("mmvo.uws.executor")


class JobExecutor(Protocol):
    """Runs claimed jobs; see the module docstring."""

    @property
    def capacity(self) -> int:
        """How many jobs may run at once."""
        ...

    async def submit(self, job: JobSpec) -> None:
        """Runs the claimed ``job``; returns when its work has ended and the outcome is in the store."""
        ...

    async def abort(self, job_id: str) -> None:
        """Asks the run of ``job_id`` to stop (nothing if it is not running here); returns at once."""
        ...

    async def shutdown(self) -> None:
        """Stops taking work and asks every run to stop without reporting (recovery picks them up)."""
        ...


class ThreadExecutor:
    """Runs each job in a daemon thread of this process, at most ``max_workers`` at a time.

    No process per job (TAP async queries are often short).  Threads cannot be killed: a run function that
    ignores ``ctx.aborted()`` keeps its thread (and its slot) until it returns, but its job is already ABORTED
    or ERROR in the store and its late outcome is refused.  Daemon threads never hold up the server's exit.
    """

    def __init__(
        self, *, registry: KindRegistry, store: JobStore, files: JobFiles, max_workers: int = 4
    ) -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self._registry = registry
        self._store = store
        self._files = files
        self._max_workers = max_workers
        self._aborts: dict[str, threading.Event] = {}
        self._stopping = threading.Event()

    @property
    def capacity(self) -> int:
        return self._max_workers

    async def submit(self, job: JobSpec) -> None:
        kind = self._registry.get(job.kind)
        if kind is None:
            raise LookupError(f"job {job.job_id}: kind {job.kind!r} is not registered here")
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        abort = self._aborts.setdefault(job.job_id, threading.Event())

        def finished() -> None:
            if not done.done():
                done.set_result(None)

        def work() -> None:
            try:
                run_job(
                    job,
                    kind.run,
                    store=self._store,
                    files=self._files,
                    abort=abort,
                    reported=lambda: not self._stopping.is_set(),
                )
            finally:
                with contextlib.suppress(RuntimeError):  # the loop is closed: the server has stopped
                    loop.call_soon_threadsafe(finished)

        thread = threading.Thread(target=work, name=f"uws-{job.job_id}", daemon=True)
        try:
            thread.start()
            await asyncio.shield(done)
        finally:
            if done.done() or self._stopping.is_set():
                self._aborts.pop(job.job_id, None)

    async def abort(self, job_id: str) -> None:
        # also before the run's thread has started: the dispatcher asks only for jobs it handed over
        self._aborts.setdefault(job_id, threading.Event()).set()

    async def shutdown(self) -> None:
        self._stopping.set()
        for event in self._aborts.values():
            event.set()
