"""``LocalExecutor``: jobs in worker processes of their own, which an abort or a time limit kills.

Each running job has a worker process (``uws.process_worker``) to itself; idle workers are kept and reused, so a
job pays for starting Python, SQLAlchemy and its plugin only when no idle worker is left.  A worker runs
``uws.worker.run_job`` and reports through the store exactly as ``ThreadExecutor`` does; it gets the job as its
picklable ``JobSpec`` and the kind's run function (which must therefore be picklable: a module-level function
or an instance of a module-level class), which is also what a Dask executor would need.

Stopping: ``abort(job_id)`` kills the job's worker with SIGKILL (with every process it started: each worker
leads a process group of its own) and reaps it, so the work is gone within milliseconds, whatever it was doing;
other workers are untouched.  The store already says why (the client's ABORT, the dispatcher's time limit),
so nothing is reported.  A worker that dies on its own (a crash, the kernel's OOM killer, a plugin calling
``os._exit``) ends its job in ERROR with the reason.  ``shutdown`` kills every worker and reports nothing:
their jobs stay EXECUTING under this process's token and are re-queued by the recovery of the next start.
Workers end by themselves when this process dies (they watch their connection).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

import sqlalchemy as sa
from anyio import to_thread

from uws.errors import JobNotFoundError, PhaseConflictError
from uws.kinds import KindRegistry
from uws.models import ErrorInfo, JobSpec
from uws.notify import Publisher
from uws.phases import Phase
from uws.process_worker import WorkerSetup
from uws.store import JobStore
from vo_service.config import Config

__all__ = ["LocalExecutor"]

_log = logging.getLogger("mmvo.uws.process_executor")
#: How long an abort request is remembered for a job whose run has not reached its worker yet.
_ABORT_MEMORY = 300.0


class _Worker:
    """One worker process and the server's end of its connection."""

    def __init__(self, setup: WorkerSetup) -> None:
        ours, theirs = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uws.process_worker", str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: killed with whatever it started
            )
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        self.conn.send(list(sys.path))
        self.conn.send(setup)
        self.killed = False
        self.ending = False  # the run function has returned: only the outcome is being recorded

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return not self.killed and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the worker's process group (returns at once; ``reap`` waits for the end)."""
        self.killed = True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def reap(self) -> int:
        """Waits for the process to end (killing it if it lingers) and closes the connection; the exit status."""
        try:
            status = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            status = self.process.wait()
        self.conn.close()
        return status


def _how_it_ended(status: int) -> str:
    if status < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-status).name}"
        return f"killed by signal {-status}"
    return f"exit status {status}"


class LocalExecutor:
    """Runs each job in a worker process, at most ``max_workers`` at a time (see the module docstring).

    ``registry`` gives the run function of each kind.  Workers reach the database through
    ``engine_factory()`` (picklable: ``functools.partial(make_engine, config)``) and use the directories of
    ``config.data_dir`` as the runtime does; this process records the end of jobs whose worker died through
    ``engine``.
    """

    def __init__(
        self,
        *,
        config: Config,
        engine: sa.Engine,
        engine_factory: Callable[[], sa.Engine],
        registry: KindRegistry,
        max_workers: int = 2,
    ) -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        run_dir, jobs_dir = config.data_dir / "run", config.data_dir / "jobs"
        self._registry = registry
        self._publisher = Publisher(run_dir)
        self._store = JobStore(engine, on_change=self._publisher.publish)
        level = logging.getLogger().getEffectiveLevel()
        self._setup = WorkerSetup(engine_factory, run_dir, jobs_dir, log_level=level)
        self._max_workers = max_workers
        self._workers: set[_Worker] = set()  # every process not reaped yet, busy, idle or being killed
        self._idle: list[_Worker] = []
        self._busy: dict[str, _Worker] = {}
        self._aborts: dict[str, float] = {}
        self._stopping = False

    @property
    def capacity(self) -> int:
        return self._max_workers

    @property
    def workers(self) -> dict[str, int]:
        """The process id of the worker of each running job (for tests and monitoring)."""
        return {job_id: worker.pid for job_id, worker in self._busy.items()}

    async def warm_up(self, count: int = 1) -> None:
        """Starts idle workers (up to ``count`` and the capacity) and waits until they are ready, so that the
        first jobs do not spend their execution duration starting a process."""
        while not self._stopping and len(self._workers) < min(count, self._max_workers):
            worker = await to_thread.run_sync(self._spawn)
            if await self._next(worker) == ("ready",):
                self._idle.append(worker)
            else:
                await self._end(worker)

    async def submit(self, job: JobSpec) -> None:
        kind = self._registry.get(job.kind)
        if kind is None:
            raise LookupError(f"job {job.job_id}: kind {job.kind!r} is not registered here")
        payload = pickle.dumps((job, kind.run))  # not picklable: the dispatcher fails the job
        try:
            if self._stopping or self._aborted(job.job_id):
                return
            worker = await self._acquire()
            if self._stopping or self._aborted(job.job_id):
                self._idle.append(worker)
                return
            self._busy[job.job_id] = worker
            try:
                worker.ending = False
                worker.conn.send_bytes(payload)
                reply = await self._reply(worker)
            except BaseException:
                worker.kill()  # cancelled: no one waits for the run any more; recovery re-queues the job
                await self._end(worker)
                raise
            finally:
                del self._busy[job.job_id]
            await self._settle(job, worker, reply)
        finally:
            self._aborts.pop(job.job_id, None)

    async def abort(self, job_id: str) -> None:
        worker = self._busy.get(job_id)
        if worker is not None:
            # a run that has returned is recording its outcome (refused if the job moved on): the process is
            # kept for the next job; the notification of that very outcome also brings the dispatcher here
            if not worker.ending:
                worker.kill()
            return
        # not handed to a worker yet: the dispatcher asks only for jobs it is starting or running here
        now = time.monotonic()
        self._aborts = {j: t for j, t in self._aborts.items() if now - t < _ABORT_MEMORY}
        self._aborts[job_id] = now

    async def shutdown(self) -> None:
        self._stopping = True
        self._idle.clear()
        workers = list(self._workers)
        for worker in workers:
            worker.kill()
        for worker in workers:
            await self._end(worker)
        self._publisher.close()

    # ------------------------------------------------------------------ internals

    def _aborted(self, job_id: str) -> bool:
        return job_id in self._aborts

    def _spawn(self) -> _Worker:
        """A new worker (in a worker thread: starting a process blocks), known to ``shutdown`` at once."""
        worker = _Worker(self._setup)
        self._workers.add(worker)
        if self._stopping:
            worker.kill()
        return worker

    async def _end(self, worker: _Worker) -> int:
        """Waits for the end of the worker's process; its exit status."""
        try:
            return await to_thread.run_sync(worker.reap)
        finally:
            self._workers.discard(worker)

    async def _acquire(self) -> _Worker:
        while self._idle:
            worker = self._idle.pop()
            if worker.alive():
                return worker
            await self._end(worker)
        return await to_thread.run_sync(self._spawn)

    async def _next(self, worker: _Worker) -> Any:
        """The worker's next message, or None when its process has ended."""
        loop = asyncio.get_running_loop()
        message: asyncio.Future[Any] = loop.create_future()
        fd = worker.conn.fileno()

        def readable() -> None:
            if message.done():
                return
            try:
                message.set_result(worker.conn.recv())
            except (EOFError, OSError):
                message.set_result(None)

        loop.add_reader(fd, readable)
        try:
            return await message
        finally:
            loop.remove_reader(fd)

    async def _reply(self, worker: _Worker) -> Any:
        """The worker's answer to the job sent (``done`` or ``broken``), or None when its process ended first."""
        while True:
            message = await self._next(worker)
            if message == ("ending",):
                worker.ending = True
            elif message != ("ready",):
                return message

    async def _settle(self, job: JobSpec, worker: _Worker, reply: Any) -> None:
        """Takes the worker back, or reaps it and reports a death nobody asked for."""
        if self._stopping:
            worker.kill()
        if reply is not None and not self._stopping:
            if reply[0] == "broken":
                error = ErrorInfo("fatal", f"the service could not load the job's code: {reply[1]}")
                await to_thread.run_sync(self._fail, job, error)
            self._idle.append(worker)
            return
        status = await self._end(worker)
        if reply is None and not worker.killed and not self._stopping:
            how = _how_it_ended(status)
            _log.error("the worker process %d of job %s ended unexpectedly (%s)", worker.pid, job.job_id, how)
            message = f"the process running the job ended unexpectedly ({how}); it may have run out of memory"
            await to_thread.run_sync(self._fail, job, ErrorInfo("fatal", message))

    def _fail(self, job: JobSpec, error: ErrorInfo) -> None:
        with contextlib.suppress(PhaseConflictError, JobNotFoundError):
            self._store.transition(job.job_id, Phase.ERROR, attempt=job.attempt, error=error)
