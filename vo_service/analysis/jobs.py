"""The analysis job lists of a server process: one UWS job list per analysis, run by worker processes.

``AnalysisJobs`` gathers the plugins (entry points), makes a job kind per analysis and serves

* ``/analysis``: the index of analyses (HTML, JSON, or a VOTable of DataLink service descriptors), chosen by
  ``RESPONSEFORMAT`` (``html``, ``json``, ``votable`` or a media type) or else by the ``Accept`` header;
* ``/analysis/{instrument}/{product}``: the UWS 1.1 job list of each analysis.

Analyses have a UWS runtime of their own (dispatcher, listener, reaper) whose executor is a ``LocalExecutor``
(or a ``DaskExecutor`` when ``Config.dask_scheduler`` names a cluster):
TAP's async queries stay on the thread executor of theirs, and neither takes the other's slots.  Both runtimes
share the tables, the job directories and the notification directory, so recovery, WAIT and the reaper work
alike for both.  Queuing is refused past ``Config.analysis_jobs_per_owner`` (``limits``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Callable

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from instruments.registry import InstrumentRegistry
from tap.handlers import read_params
from uws import KindRegistry, UWSRuntime
from uws.dask_executor import DaskExecutor
from uws.handlers import JobList, OwnerHook, anonymous, job_list_routes
from uws.process_executor import LocalExecutor
from vo_service.analysis.documents import Listing, index_html, index_json, index_votable
from vo_service.analysis.kinds import analysis_kind
from vo_service.analysis.limits import OwnerLimitService
from vo_service.config import Config
from vo_service.errors import UsageError

__all__ = ["AnalysisJobs"]

_FORMATS = {
    "html": "html",
    "text/html": "html",
    "json": "json",
    "application/json": "json",
    "votable": "votable",
    "application/x-votable+xml": "votable",
    "text/xml": "votable",
}


def _format(request: Request) -> str:
    asked = [v for k, v in request.query_params.multi_items() if k.upper() == "RESPONSEFORMAT"]
    if asked:
        chosen = _FORMATS.get(asked[-1].strip().lower())
        if chosen is None:
            raise UsageError(f"RESPONSEFORMAT must be html, json or votable, not {asked[-1]!r}")
        return chosen
    accept = request.headers.get("accept", "")
    return "html" if "text/html" in accept else "json" if "application/json" in accept else "votable"


class AnalysisJobs:
    """The analyses of one server process (see the module docstring).

    ``engine_factory`` builds the workers' engine (picklable: ``functools.partial(make_engine, config)``);
    ``instruments`` defaults to the plugins installed; ``owner`` tells whose jobs a request sees.
    """

    def __init__(
        self,
        *,
        config: Config,
        engine: sa.Engine,
        engine_factory: Callable[[], sa.Engine],
        instruments: InstrumentRegistry | None = None,
        owner: OwnerHook = anonymous,
    ) -> None:
        self.config = config
        self.instruments = instruments if instruments is not None else InstrumentRegistry.discover()
        entries = self.instruments.analyses()
        archive, reuse = config.data_dir / "archive", config.data_dir / "reuse"
        products = config.data_dir / "products"
        kinds = KindRegistry(
            [analysis_kind(e, archive_dir=archive, reuse_dir=reuse, products_dir=products) for e in entries]
        )
        self.executor: LocalExecutor | DaskExecutor
        if config.dask_scheduler:
            self.executor = DaskExecutor(
                config=config,
                engine=engine,
                engine_factory=engine_factory,
                registry=kinds,
                scheduler=config.dask_scheduler,
                capacity=max(config.analysis_workers, 8),
            )
        else:
            self.executor = LocalExecutor(
                config=config,
                engine=engine,
                engine_factory=engine_factory,
                registry=kinds,
                max_workers=config.analysis_workers,
            )
        self.runtime = UWSRuntime(config=config, engine=engine, executor=self.executor)
        self.service = OwnerLimitService(
            store=self.runtime.store,
            files=self.runtime.files,
            settings=self.runtime.service.settings,
            watch=self.runtime.watch,
            kinds=kinds.names(),
            limit=config.analysis_jobs_per_owner,
        )
        reader = functools.partial(read_params, upload_limit=config.upload_limit_bytes)
        self.listings: list[Listing] = []
        self._routes: list[BaseRoute] = []
        for entry in entries:
            kind, path = kinds.get(entry.name), f"/analysis/{entry.name}"
            assert kind is not None
            self.runtime.registry.register(kind)
            self.listings.append(Listing(entry.name, config.url(path), entry.analysis().describe()))
            job_list = JobList(self.service, kind, config.url(path), reader, owner)
            self._routes += job_list_routes(job_list, path)

    def routes(self) -> list[BaseRoute]:
        """The index and every job list, at their absolute paths."""
        return [
            Route("/analysis", self._index, methods=["GET"]),
            Route("/analysis/", self._index, methods=["GET"]),
            *self._routes,
        ]

    async def _index(self, request: Request) -> Response:
        chosen = _format(request)
        if chosen == "html":
            return HTMLResponse(index_html(self.listings))
        if chosen == "json":
            return Response(index_json(self.listings), media_type="application/json")
        return Response(index_votable(self.listings), media_type="application/x-votable+xml")

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[AnalysisJobs]:
        """The runtime's background parts, with worker processes started ahead of the first jobs."""
        async with self.runtime.running():
            # worker processes of this server start ahead of the first jobs; a Dask cluster has its own
            ready = (
                self.executor.warm_up(self.config.analysis_workers)
                if isinstance(self.executor, LocalExecutor)
                else asyncio.sleep(0)
            )
            warming = asyncio.create_task(ready)
            try:
                yield self
            finally:
                warming.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await warming
