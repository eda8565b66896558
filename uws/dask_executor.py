"""``DaskExecutor``: jobs run as tasks of a Dask distributed cluster (a scheduler address such as
``tcp://10.0.0.5:8786``), for deployments where analyses need more machines than the server's.

The contract is the one of every executor (``uws.executor``): the store is the truth.  The task is
``uws.worker.run_job`` inside a Dask worker, which builds its own ``JobStore`` on the same database and its own
``Publisher`` on the same run directory from a picklable ``WorkerSetup`` (so the workers must share the
database and the data directory with the server, as a Kubernetes deployment mounts them).  A restart of the
server loses nothing: the recovery of the next start re-claims what was running, and the old attempt's late
report is refused by the store.

Abort: the run function is asked first (a cluster-wide ``distributed.Event`` sets the run's abort flag, which
``ctx.aborted()`` reads); a run that has not returned :data:`ABORT_GRACE` seconds later has its worker process
killed (SIGKILL from its nanny, which starts a new one), so the work is killed, not abandoned.  A worker that
dies under a job (out of memory, a crash) ends that job in ERROR with the reason; the scheduler should run
with ``allowed-failures`` 0 so that such a task is not retried on the other workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import signal
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from anyio import to_thread

from uws.errors import JobNotFoundError, PhaseConflictError
from uws.files import JobFiles
from uws.kinds import KindRegistry
from uws.models import ErrorInfo, JobSpec
from uws.notify import Publisher
from uws.phases import Phase
from uws.process_worker import WorkerSetup
from uws.store import JobStore
from vo_service.config import Config

__all__ = ["ABORT_GRACE", "DaskExecutor", "run_on_dask_worker"]

_log = logging.getLogger("mmvo.uws.dask")

#: Seconds a run has to return after an abort before its worker process is restarted.
ABORT_GRACE = 1.0
#: How often a running task looks at its abort event (a scheduler round trip each time).
_ABORT_POLL = 0.25
#: Store and files of this worker process, per setup (a worker process serves many jobs).
_REPORTING: dict[bytes, tuple[JobStore, JobFiles]] = {}
_REPORTING_LOCK = threading.Lock()


def _abort_event(job: JobSpec) -> str:
    return f"mmvo-abort-{job.job_id}-{job.attempt}"


def _cluster_event(name: str, client: Any) -> Any:
    """A ``distributed.Event`` (the package has no type hints)."""
    import distributed

    factory: Any = distributed.Event
    return factory(name, client=client)


def _reporting(setup: WorkerSetup) -> tuple[JobStore, JobFiles]:
    key = pickle.dumps(setup)
    with _REPORTING_LOCK:
        if key not in _REPORTING:
            publisher = Publisher(setup.run_dir)
            _REPORTING[key] = (
                JobStore(setup.engine_factory(), on_change=publisher.publish),
                JobFiles(setup.jobs_dir),
            )
        return _REPORTING[key]


def _watch_abort(event: Any, abort: threading.Event, finished: threading.Event) -> None:
    while not finished.is_set():
        try:
            if event.wait(timeout=_ABORT_POLL):
                abort.set()
                return
        except Exception:  # the scheduler is gone: the run's report will be refused or recovered anyway
            finished.wait(_ABORT_POLL)


def _kill_worker_process(dask_worker: Any) -> int | None:
    """Run by a nanny: SIGKILL to its worker process (the nanny starts a new one).  A graceful restart would
    wait for the very task that does not stop."""
    process = getattr(getattr(dask_worker, "process", None), "process", None)
    pid = getattr(process, "pid", None)
    if pid is not None:
        os.kill(pid, signal.SIGKILL)
    return pid


def run_on_dask_worker(payload: bytes, setup: WorkerSetup, abort_event: str) -> str | None:
    """The task: runs the pickled ``(JobSpec, run function)`` and records its outcome; the final phase
    recorded (None when the store refused it)."""
    from distributed import get_client

    from uws.worker import run_job

    spec, run = pickle.loads(payload)
    store, files = _reporting(setup)
    abort, finished = threading.Event(), threading.Event()
    watcher = threading.Thread(
        target=_watch_abort,
        args=(_cluster_event(abort_event, get_client()), abort, finished),
        name=f"uws-abort-{spec.job_id}",
        daemon=True,
    )
    watcher.start()
    try:
        phase = run_job(spec, run, store=store, files=files, abort=abort)
    finally:
        finished.set()
    return None if phase is None else phase.value


class DaskExecutor:
    """Runs each job as a task on the Dask cluster at ``scheduler`` (see the module docstring).

    ``capacity`` is how many jobs are handed to the cluster at once (the cluster queues beyond its threads).
    """

    def __init__(
        self,
        *,
        config: Config,
        engine: sa.Engine,
        engine_factory: Callable[[], sa.Engine],
        registry: KindRegistry,
        scheduler: str,
        capacity: int = 8,
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        run_dir, jobs_dir = config.data_dir / "run", config.data_dir / "jobs"
        self._registry = registry
        self._scheduler = scheduler
        self._capacity = capacity
        self._publisher = Publisher(run_dir)
        self._store = JobStore(engine, on_change=self._publisher.publish)
        level = logging.getLogger().getEffectiveLevel()
        self._setup = WorkerSetup(engine_factory, run_dir, jobs_dir, log_level=level)
        self._client: Any = None
        self._connecting = asyncio.Lock()
        self._running: dict[str, tuple[JobSpec, Any]] = {}
        self._aborted: set[str] = set()

    @property
    def capacity(self) -> int:
        return self._capacity

    async def client(self) -> Any:
        """The asynchronous ``distributed.Client`` (connected on first use, in the server's event loop)."""
        async with self._connecting:
            if self._client is None:
                import distributed

                connect: Any = distributed.Client  # untyped package
                self._client = await connect(self._scheduler, asynchronous=True, set_as_default=False)
            return self._client

    async def submit(self, job: JobSpec) -> None:
        kind = self._registry.get(job.kind)
        if kind is None:
            raise LookupError(f"job {job.job_id}: kind {job.kind!r} is not registered here")
        payload = pickle.dumps((job, kind.run))  # not picklable: the dispatcher fails the job
        if job.job_id in self._aborted:
            return
        client = await self.client()
        future = client.submit(
            run_on_dask_worker,
            payload,
            self._setup,
            _abort_event(job),
            key=f"mmvo-job-{job.job_id}-{job.attempt}",
            pure=False,
        )
        self._running[job.job_id] = (job, future)
        try:
            await future
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if job.job_id not in self._aborted:
                _log.error("job %s failed on the Dask cluster: %r", job.job_id, exc)
                reason = f"the Dask worker running the job failed ({type(exc).__name__}: {exc})"
                await to_thread.run_sync(self._fail, job, ErrorInfo("fatal", reason))
        finally:
            self._running.pop(job.job_id, None)
            self._aborted.discard(job.job_id)
            with contextlib.suppress(Exception):
                await _cluster_event(_abort_event(job), client).clear()

    async def abort(self, job_id: str) -> None:
        self._aborted.add(job_id)
        running = self._running.get(job_id)
        if running is None:
            return
        job, future = running
        client = await self.client()
        await _cluster_event(_abort_event(job), client).set()
        asyncio.get_running_loop().create_task(self._kill_if_still_running(future))

    async def _kill_if_still_running(self, future: Any) -> None:
        await asyncio.sleep(ABORT_GRACE)
        if future.done():
            return
        client = await self.client()
        processing: dict[str, list[str]] = await client.processing()
        workers = [address for address, keys in processing.items() if future.key in keys]
        if workers:
            _log.warning("killing Dask worker %s: its job did not stop when aborted", workers)
            with contextlib.suppress(Exception):
                await client.run(_kill_worker_process, workers=workers, nanny=True)

    async def shutdown(self) -> None:
        # running tasks are left to the cluster: the next start's recovery re-claims their jobs, and the old
        # attempt's report is refused
        if self._client is not None:
            with contextlib.suppress(Exception):
                await self._client.close()
            self._client = None
        self._publisher.close()

    def _fail(self, job: JobSpec, error: ErrorInfo) -> None:
        with contextlib.suppress(PhaseConflictError, JobNotFoundError):
            self._store.transition(job.job_id, Phase.ERROR, attempt=job.attempt, error=error)
