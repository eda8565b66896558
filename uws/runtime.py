"""``UWSRuntime``: the UWS machinery of one server process, assembled from its parts.

An application builds one runtime in its factory, registers a kind per job list and adds the routes, and runs
the background parts in its lifespan::

    runtime = UWSRuntime(config=config, engine=database.engine, max_workers=4)
    reader = functools.partial(read_params, upload_limit=config.upload_limit_bytes)
    toy = JobKind("toy", run_toy, validate=check_toy)
    routes = runtime.routes(toy, path="/toy", read_params=reader)   # or prefix="/async", path="/tap/async"

    @asynccontextmanager
    async def lifespan(app):
        async with runtime.running():     # tables, listener, recovery, dispatcher, reaper
            yield

Pieces: ``JobStore`` (the truth, notifying through ``Publisher``), ``JobFiles`` (``data_dir/jobs``),
``Listener`` (``data_dir/run``, this process's socket and runner token) feeding ``JobWatch`` (WAIT) and the
``Dispatcher`` (claims, time limits, aborts, recovery), a ``ThreadExecutor`` and the ``Reaper``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import sqlalchemy as sa
from anyio import to_thread
from starlette.routing import BaseRoute

from uws.dispatcher import Dispatcher
from uws.executor import JobExecutor, ThreadExecutor
from uws.files import JobFiles
from uws.handlers import JobList, OwnerHook, ParamReader, anonymous, job_list_routes
from uws.kinds import JobKind, KindRegistry
from uws.notify import JobWatch, Listener, Publisher
from uws.reaper import Reaper
from uws.service import UWSService, UWSSettings
from uws.store import JobStore
from vo_service.config import Config

__all__ = ["UWSRuntime"]


class UWSRuntime:
    """Store, service, notification, dispatcher, executor and reaper of one process (see the module docstring).

    ``executor`` replaces the default ``ThreadExecutor(max_workers)``; it must report through ``self.store``.
    """

    def __init__(
        self,
        *,
        config: Config,
        engine: sa.Engine,
        settings: UWSSettings | None = None,
        max_workers: int = 4,
        executor: JobExecutor | None = None,
        sweep_interval: float = 10.0,
        reap_interval: float = 60.0,
    ) -> None:
        self.config = config
        self.registry = KindRegistry()
        run_dir = config.data_dir / "run"
        self.publisher = Publisher(run_dir)
        self.listener = Listener(run_dir)
        self.store = JobStore(engine, on_change=self.publisher.publish)
        self.files = JobFiles(config.data_dir / "jobs")
        self.watch = JobWatch()
        self.service = UWSService(
            store=self.store,
            files=self.files,
            settings=settings or UWSSettings.from_config(config),
            watch=self.watch,
        )
        self.executor: JobExecutor = executor or ThreadExecutor(
            registry=self.registry, store=self.store, files=self.files, max_workers=max_workers
        )
        self.dispatcher = Dispatcher(
            store=self.store,
            executor=self.executor,
            registry=self.registry,
            token=self.listener.token,
            alive=self.publisher.alive,
            sweep_interval=sweep_interval,
        )
        self.reaper = Reaper(self.service, interval=reap_interval)

    def job_list(
        self, kind: JobKind, *, path: str, read_params: ParamReader, owner: OwnerHook = anonymous
    ) -> JobList:
        """Registers ``kind`` and describes its job list, published at ``path`` under ``Config.base_url``."""
        self.registry.register(kind)
        return JobList(self.service, kind, self.config.url(path), read_params, owner)

    def routes(
        self,
        kind: JobKind,
        *,
        path: str,
        read_params: ParamReader,
        owner: OwnerHook = anonymous,
        prefix: str | None = None,
    ) -> list[BaseRoute]:
        """Registers ``kind`` and returns the routes of its job list.

        ``path`` is the list's public path (for its URLs); ``prefix`` where the routes sit relative to their
        parent (default ``path``: routes added at the application's top level).
        """
        job_list = self.job_list(kind, path=path, read_params=read_params, owner=owner)
        return job_list_routes(job_list, path if prefix is None else prefix)

    async def start(self) -> None:
        """Creates the tables, binds the listener, then starts the dispatcher (recovery first) and the reaper."""
        await to_thread.run_sync(self.store.create_tables)
        self.listener.start()
        self.listener.subscribe(self.watch)
        self.listener.subscribe(self.dispatcher.notify)
        self.dispatcher.start()
        self.reaper.start()

    async def stop(self) -> None:
        """Stops the background parts; running jobs stay EXECUTING for the recovery of the next start."""
        await self.reaper.stop()
        await self.dispatcher.stop()
        self.listener.close()
        self.publisher.close()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[UWSRuntime]:
        """``start`` ... ``stop`` as an async context manager, for an application's lifespan."""
        await self.start()
        try:
            yield self
        finally:
            await self.stop()
