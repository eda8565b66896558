"""A tiny application with toy job kinds, served by uvicorn in the UWS tests (``--factory``).

``/toy`` runs ``run_toy``: it sleeps ``DURATION`` seconds in small steps (reporting progress, stopping when
aborted), fails with ``FAIL=message``, publishes a ``partial`` result early with ``PARTIAL=1``, and returns a
text result ``result`` (plus an external one with ``EXTERNAL=url``).  ``/pyvo/async`` answers like a TAP async
endpoint (a VOTable result named ``result``), for pyvo's ``AsyncTAPJob``.  Settings come from ``MMVO_*``
variables plus ``TOY_WORKERS``, ``TOY_SWEEP``, ``TOY_REAP`` and ``TOY_WAIT_CAP`` (seconds) for the background
parts.  The caller is named by the header ``X-Toy-User`` (anonymous without it), to test owners.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tap.handlers import read_params
from tap.params import DaliParams
from uws import JobKind, JobSpec, JobUsageError, ResultSpec, RunContext, UWSRuntime, UWSSettings
from vo_service.config import Config
from vo_service.db import make_engine
from vo_service.errors import UsageError
from vo_service.http_errors import ERROR_HANDLERS

STEP = 0.02
VOTABLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3"><RESOURCE type="results">
<INFO name="QUERY_STATUS" value="OK"/><TABLE><FIELD name="x" datatype="int"/>
<DATA><TABLEDATA><TR><TD>42</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>
"""


def check_toy(params: DaliParams) -> None:
    value = params.get("DURATION")
    if value is None:
        return
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 600:
        raise UsageError(f"DURATION must be a number of seconds between 0 and 600, not {value!r}")


def run_toy(job: JobSpec, ctx: RunContext) -> list[ResultSpec]:
    params = ctx.parameters
    duration = float(params.get("DURATION") or 0)
    steps = max(1, round(duration / STEP))
    if params.get("PARTIAL"):
        (ctx.results_dir / "partial.txt").write_text("partial\n")
        ctx.add_result(ResultSpec("partial", "partial.txt", mime_type="text/plain"))
    for step in range(steps):
        if ctx.aborted():
            return []
        time.sleep(duration / steps)
        ctx.progress((step + 1) / steps, f"step {step + 1} of {steps}")
    failure = params.get("FAIL")
    if failure:
        raise JobUsageError(failure)
    uploads = ",".join(sorted(params.files))
    (ctx.results_dir / "result.txt").write_text(f"{job.job_id} attempt {job.attempt} uploads {uploads}\n")
    results = [ResultSpec("result", "result.txt", mime_type="text/plain")]
    external = params.get("EXTERNAL")
    if external:
        results.append(ResultSpec("external", url=external))
    return results


def run_votable(job: JobSpec, ctx: RunContext) -> list[ResultSpec]:
    (ctx.results_dir / "result.vot").write_bytes(VOTABLE)
    return [ResultSpec("result", "result.vot", mime_type="application/x-votable+xml")]


def toy_user(request: Request) -> str | None:
    return request.headers.get("x-toy-user")


def create_app() -> Starlette:
    config = Config()
    engine = make_engine(config)
    runtime = UWSRuntime(
        config=config,
        engine=engine,
        settings=UWSSettings.from_config(config, wait_cap=float(os.environ.get("TOY_WAIT_CAP", "60"))),
        max_workers=int(os.environ.get("TOY_WORKERS", "2")),
        sweep_interval=float(os.environ.get("TOY_SWEEP", "10")),
        reap_interval=float(os.environ.get("TOY_REAP", "60")),
    )
    reader = functools.partial(read_params, upload_limit=config.upload_limit_bytes)
    toy = JobKind("toy", run_toy, validate=check_toy)
    pyvo = JobKind("pyvo", run_votable)

    async def availability(request: Request) -> Response:
        return Response("ok", media_type="text/plain")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with runtime.running():
            yield
        engine.dispose()

    routes = [
        Route("/availability", availability),
        *runtime.routes(toy, path="/toy", read_params=reader, owner=toy_user),
        *runtime.routes(pyvo, path="/pyvo/async", read_params=reader),
    ]
    return Starlette(routes=routes, exception_handlers=ERROR_HANDLERS, lifespan=lifespan)
