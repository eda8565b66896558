"""The dispatcher of one server process: claims QUEUED jobs in the store and hands them to the executor.

Dispatch goes through the database, so several server processes (``uvicorn --workers 2``) share the queue:
``PHASE=RUN`` only moves a job to QUEUED; each dispatcher claims queued jobs of the kinds it knows, oldest
first, with a conditional QUEUED -> EXECUTING transition (exactly one claimant wins), up to the executor's
capacity.  It wakes on notifications (``uws.notify``) and, as a safety net against lost datagrams, on a slow
timer that also runs the orphan recovery (``uws.recovery``) and re-checks the jobs running here.

While a job runs, the dispatcher enforces its execution duration: when the deadline passes, the job ends in
ERROR ("time limit reached") in the store at once and the executor is asked to stop it.  A notification about a
running job that is no longer EXECUTING under this run (aborted, deleted) also makes it ask the executor to
stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from anyio import to_thread

from uws.errors import JobNotFoundError, PhaseConflictError
from uws.executor import JobExecutor
from uws.kinds import KindRegistry
from uws.models import ErrorInfo, Job, JobSpec
from uws.phases import Phase
from uws.recovery import recover_orphans
from uws.store import JobStore
from uws.worker import time_limit_error

__all__ = ["Dispatcher"]

_log = logging.getLogger("mmvo.uws.dispatcher")


def _deadline(job: Job) -> float | None:
    if job.execution_duration <= 0 or job.start_time is None:
        return None
    return job.start_time.timestamp() + job.execution_duration


class Dispatcher:
    """Claims, runs and watches jobs for one process (``start`` on the event loop, ``stop`` at shutdown).

    ``token`` names this process as the runner of its jobs (the listener's token); ``alive(token)`` tells
    whether another runner still lives.  ``notify`` is called with a job id whenever this process hears of a
    change (subscribe ``dispatcher.notify`` to the listener).
    """

    def __init__(
        self,
        *,
        store: JobStore,
        executor: JobExecutor,
        registry: KindRegistry,
        token: str,
        alive: Callable[[str], bool],
        sweep_interval: float = 10.0,
    ) -> None:
        self._store = store
        self._executor = executor
        self._registry = registry
        self._token = token
        self._alive = alive
        self._sweep_interval = sweep_interval
        self._running: dict[str, JobSpec] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None

    @property
    def running(self) -> frozenset[str]:
        """Ids of the jobs this process is running."""
        return frozenset(self._running)

    def start(self) -> None:
        """Starts dispatching on the running event loop (recovery first, then the queue)."""
        self._loop_task = asyncio.create_task(self._main(), name="uws-dispatcher")

    async def stop(self) -> None:
        """Stops claiming; running jobs are asked to stop and left to the recovery of the next start."""
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
        await self._executor.shutdown()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def notify(self, job_id: str) -> None:
        """A job changed somewhere: look at the queue, and at the job if it runs here."""
        self._wake.set()
        if job_id in self._running:
            self._spawn(self._check(job_id))

    async def sweep(self) -> None:
        """One full pass: recover orphans, re-check running jobs, claim queued ones (also run on demand)."""
        await to_thread.run_sync(self._recover)
        for job_id in list(self._running):
            await self._check(job_id)
        await self._pump()

    # ------------------------------------------------------------------ internals

    async def _main(self) -> None:
        next_sweep = 0.0
        while True:
            try:
                if time.monotonic() >= next_sweep:
                    await self.sweep()
                    next_sweep = time.monotonic() + self._sweep_interval
                else:
                    await self._pump()
            except Exception:  # a database hiccup must not end dispatching
                _log.exception("dispatching failed; trying again")
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for may swallow a cancellation that arrives
            # just as the event is set, and stop() would wait for ever
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, next_sweep - time.monotonic())):
                    await self._wake.wait()
            self._wake.clear()

    def _recover(self) -> None:
        recover_orphans(self._store, own_token=self._token, alive=self._alive)

    async def _pump(self) -> None:
        kinds = self._registry.names()
        while kinds and len(self._running) < self._executor.capacity:
            free = self._executor.capacity - len(self._running)
            candidates = await to_thread.run_sync(self._store.queued, kinds, free)
            if not candidates:
                return
            for job_id in candidates:
                if len(self._running) >= self._executor.capacity:
                    return
                job = await to_thread.run_sync(self._claim, job_id)
                if job is not None:
                    self._start(job)

    def _claim(self, job_id: str) -> Job | None:
        try:
            return self._store.transition(job_id, Phase.EXECUTING, runner=self._token)
        except (PhaseConflictError, JobNotFoundError):  # another process claimed it first, or it went away
            return None

    def _start(self, job: Job) -> None:
        spec = JobSpec(
            job_id=job.job_id,
            kind=job.kind,
            owner=job.owner,
            run_id=job.run_id,
            parameters=job.parameters,
            attempt=job.attempt,
            execution_duration=job.execution_duration,
            deadline=_deadline(job),
        )
        self._running[job.job_id] = spec
        self._spawn(self._run(spec))

    def _spawn(self, coro: object) -> None:
        assert asyncio.iscoroutine(coro)
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, spec: JobSpec) -> None:
        work = asyncio.ensure_future(self._executor.submit(spec))
        try:
            timeout = None if spec.deadline is None else max(0.0, spec.deadline - time.time())
            await asyncio.wait({work}, timeout=timeout)
            if not work.done():
                await to_thread.run_sync(self._expire, spec)
                await self._executor.abort(spec.job_id)
                await work
            else:
                work.result()
        except asyncio.CancelledError:
            work.cancel()
            raise
        except Exception:  # the executor failed (not the run function, whose errors run_job records)
            _log.exception("running job %s failed", spec.job_id)
            await to_thread.run_sync(self._fail, spec)
        finally:
            if self._running.get(spec.job_id) is spec:
                del self._running[spec.job_id]
            self._wake.set()

    def _fail(self, spec: JobSpec) -> None:
        error = ErrorInfo("transient", "the service could not run the job; it has been logged")
        with contextlib.suppress(PhaseConflictError, JobNotFoundError):
            self._store.transition(spec.job_id, Phase.ERROR, attempt=spec.attempt, error=error)

    def _expire(self, spec: JobSpec) -> None:
        with contextlib.suppress(PhaseConflictError, JobNotFoundError):
            self._store.transition(
                spec.job_id, Phase.ERROR, attempt=spec.attempt, error=time_limit_error(spec)
            )

    async def _check(self, job_id: str) -> None:
        spec = self._running.get(job_id)
        if spec is None:
            return
        job = await to_thread.run_sync(self._store.find, job_id)
        if job is None or job.phase is not Phase.EXECUTING or job.attempt != spec.attempt:
            await self._executor.abort(job_id)
