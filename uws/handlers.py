"""HTTP handlers of one UWS 1.1 job list: ``job_list_routes(job_list, prefix)``.

The routes cover the whole resource tree under ``prefix`` (``/toy`` or, inside ``Mount("/tap")``, ``/async``):

=============================  ==========================================================================
``{jobs}``                     GET ``uws:jobs`` (PHASE, AFTER, LAST filters); POST creates -> 303 job
``{jobs}/{id}``                GET ``uws:job`` (``WAIT``, ``PHASE``); POST ACTION=DELETE or DELETE -> 303
``…/phase``                    GET text; POST PHASE=RUN / PHASE=ABORT -> 303 job
``…/executionduration``        GET seconds; POST EXECUTIONDURATION -> 303 job
``…/destruction``              GET ISO 8601; POST DESTRUCTION -> 303 job
``…/error``                    GET the error document (the kind's format), 404 without error
``…/quote``, ``…/owner``       GET text (empty when unknown / anonymous)
``…/parameters``               GET ``uws:parameters``; POST while PENDING -> 303 job
``…/parameters/{name}``        GET an uploaded (by-reference) parameter
``…/results``                  GET ``uws:results``
``…/results/{id}``             GET the result file, or 303 to its external URL
=============================  ==========================================================================

Handlers only translate HTTP; errors propagate as ``vo_service.errors`` types to the application's single error
handler.  Request parameters come from ``JobList.read_params`` (the application passes
``tap.handlers.read_params`` with its upload limit), so DALI rules (case-insensitive names, single-valued
checks, inline upload parts) are applied in one place.  The caller's identity comes from ``JobList.owner``
(anonymous by default).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from tap.params import DaliParams
from uws.errors import JobNotFoundError
from uws.kinds import JobKind
from uws.models import Job
from uws.parsing import new_job, parse_action, parse_duration, parse_filter, parse_time, parse_wait
from uws.service import UWSService
from uws.xml import JobUrls, iso_time, job_document, jobs_document, parameters_document, results_document
from vo_service.errors import UsageError

__all__ = ["JobList", "OwnerHook", "ParamReader", "anonymous", "job_list_routes"]

XML = "text/xml"
TEXT = "text/plain; charset=utf-8"

OwnerHook = Callable[[Request], str | None]
ParamReader = Callable[[Request], Awaitable[DaliParams]]


def anonymous(request: Request) -> str | None:
    """The default owner hook: every caller is anonymous (``ownerId`` nil)."""
    return None


@dataclass(frozen=True)
class JobList:
    """One mounted job list: its kind, its public URL and how to read callers and parameters."""

    service: UWSService
    kind: JobKind
    base_url: str
    read_params: ParamReader
    owner: OwnerHook = anonymous

    @property
    def urls(self) -> JobUrls:
        return JobUrls(self.base_url)


def _required(params: DaliParams, name: str) -> str:
    value = params.get(name)
    if value is None or not value.strip():
        raise UsageError(f"parameter {name} is required")
    return value


def job_list_routes(job_list: JobList, prefix: str) -> list[BaseRoute]:
    """The routes of ``job_list`` at ``prefix`` (relative to where the application places them)."""
    service, kind, urls = job_list.service, job_list.kind, job_list.urls
    prefix = "/" + prefix.strip("/")

    def ident(request: Request) -> tuple[str, str | None]:
        return request.path_params["job_id"], job_list.owner(request)

    def see_job(job: Job) -> Response:
        return RedirectResponse(urls.job(job.job_id), status_code=303)

    def text(value: str) -> Response:
        return Response(value, media_type=TEXT)

    async def job_list_get(request: Request) -> Response:
        params = await job_list.read_params(request)
        refs = await service.jobs(kind, job_list.owner(request), parse_filter(params))
        return Response(jobs_document(refs, urls), media_type=XML)

    async def job_list_post(request: Request) -> Response:
        params = await job_list.read_params(request)
        return see_job(await service.create(kind, job_list.owner(request), new_job(params)))

    async def job_get(request: Request) -> Response:
        job_id, owner = ident(request)
        timeout, phase = parse_wait(await job_list.read_params(request), service.settings.wait_cap)
        if timeout is None:
            job = await service.job(kind, job_id, owner)
        else:
            job = await service.wait(kind, job_id, owner, timeout=timeout, phase=phase)
        return Response(job_document(job, urls), media_type=XML)

    async def job_post(request: Request) -> Response:
        action = (await job_list.read_params(request)).get("ACTION")
        if (action or "").strip().upper() != "DELETE":
            raise UsageError(f"a POST to a job takes ACTION=DELETE, not ACTION={action!r}")
        return await job_delete(request)

    async def job_delete(request: Request) -> Response:
        await service.delete(kind, *ident(request))
        return RedirectResponse(urls.base, status_code=303)

    async def phase_get(request: Request) -> Response:
        return text((await service.job(kind, *ident(request))).phase.value)

    async def phase_post(request: Request) -> Response:
        target = parse_action((await job_list.read_params(request)).get("PHASE"))
        return see_job(await service.change_phase(kind, *ident(request), target))

    async def duration_get(request: Request) -> Response:
        return text(str((await service.job(kind, *ident(request))).execution_duration))

    async def duration_post(request: Request) -> Response:
        seconds = parse_duration(_required(await job_list.read_params(request), "EXECUTIONDURATION"))
        return see_job(await service.set_execution_duration(kind, *ident(request), seconds))

    async def destruction_get(request: Request) -> Response:
        job = await service.job(kind, *ident(request))
        return text("" if job.destruction is None else iso_time(job.destruction))

    async def destruction_post(request: Request) -> Response:
        when = parse_time("DESTRUCTION", _required(await job_list.read_params(request), "DESTRUCTION"))
        return see_job(await service.set_destruction(kind, *ident(request), when))

    async def error_get(request: Request) -> Response:
        job = await service.job(kind, *ident(request))
        if job.error is None:
            raise JobNotFoundError(f"job {job.job_id} has no error")
        body, media_type = kind.error_document(job.error.detail or job.error.message)
        return Response(body, media_type=media_type)

    async def quote_get(request: Request) -> Response:
        job = await service.job(kind, *ident(request))
        return text("" if job.quote is None else iso_time(job.quote))

    async def owner_get(request: Request) -> Response:
        return text((await service.job(kind, *ident(request))).owner or "")

    async def parameters_get(request: Request) -> Response:
        job = await service.job(kind, *ident(request))
        return Response(parameters_document(job, urls), media_type=XML)

    async def parameters_post(request: Request) -> Response:
        params = await job_list.read_params(request)
        return see_job(await service.update_parameters(kind, *ident(request), params))

    async def parameter_get(request: Request) -> Response:
        path = await service.blob(kind, *ident(request), request.path_params["name"])
        return FileResponse(path, media_type="application/octet-stream")

    async def results_get(request: Request) -> Response:
        job = await service.job(kind, *ident(request))
        return Response(results_document(job, urls), media_type=XML)

    async def result_get(request: Request) -> Response:
        result, path = await service.result(kind, *ident(request), request.path_params["result_id"])
        if path is None:
            assert result.url is not None
            return RedirectResponse(result.url, status_code=303)
        media_type = result.mime_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return FileResponse(path, media_type=media_type)

    async def unknown(request: Request) -> Response:
        await service.job(kind, *ident(request))  # 404 or 403 for the job itself first
        raise JobNotFoundError(f"a job has no resource {request.path_params['rest']}")

    job = prefix + "/{job_id}"
    return [
        Route(prefix, job_list_get, methods=["GET"]),
        Route(prefix, job_list_post, methods=["POST"]),
        Route(prefix + "/", job_list_get, methods=["GET"]),
        Route(prefix + "/", job_list_post, methods=["POST"]),
        Route(job, job_get, methods=["GET"]),
        Route(job, job_post, methods=["POST"]),
        Route(job, job_delete, methods=["DELETE"]),
        Route(job + "/phase", phase_get, methods=["GET"]),
        Route(job + "/phase", phase_post, methods=["POST"]),
        Route(job + "/executionduration", duration_get, methods=["GET"]),
        Route(job + "/executionduration", duration_post, methods=["POST"]),
        Route(job + "/destruction", destruction_get, methods=["GET"]),
        Route(job + "/destruction", destruction_post, methods=["POST"]),
        Route(job + "/error", error_get, methods=["GET"]),
        Route(job + "/quote", quote_get, methods=["GET"]),
        Route(job + "/owner", owner_get, methods=["GET"]),
        Route(job + "/parameters", parameters_get, methods=["GET"]),
        Route(job + "/parameters", parameters_post, methods=["POST"]),
        Route(job + "/parameters/{name}", parameter_get, methods=["GET"]),
        Route(job + "/results", results_get, methods=["GET"]),
        Route(job + "/results/{result_id}", result_get, methods=["GET"]),
        Route(job + "/{rest:path}", unknown, methods=["GET", "POST", "DELETE"]),
    ]
