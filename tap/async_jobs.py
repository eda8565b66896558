"""TAP async: the UWS job kind whose run function executes one ADQL query into a result file.

The query goes through the same ``TapService.prepare``/``start`` as a sync query, so parameters, MAXREC,
uploads and output formats behave identically; only the bytes go to ``results/result`` instead of the HTTP
response.  Parameters are checked when the job runs (TAP 1.1: async parameters are validated at run time), so a
bad query ends the job in ERROR with the same message a sync query would get.  Jobs run in threads of the server
process (``uws.ThreadExecutor``): no process is spawned per query.
"""

from __future__ import annotations

from collections.abc import Sequence

from tap.formats import votable_error_document
from tap.service import TapService
from uws import JobKind, JobSpec, ResultSpec, RunContext
from vo_service.errors import QueryTimeoutError

__all__ = ["RESULT_ID", "tap_job_kind"]

#: TAP 1.1 requires the result at ``{job}/results/result``.
RESULT_ID = "result"
VOTABLE = "application/x-votable+xml"


def _error_document(message: str) -> tuple[bytes, str]:
    return votable_error_document(message), VOTABLE


def tap_job_kind(service: TapService) -> JobKind:
    """The ``tap`` job kind running queries with ``service``."""

    def run(job: JobSpec, ctx: RunContext) -> Sequence[ResultSpec]:
        prepared = service.prepare(ctx.parameters)
        remaining = ctx.remaining()
        timeout = service.settings.timeout if remaining is None else min(service.settings.timeout, remaining)
        if timeout <= 0:
            raise QueryTimeoutError("the job reached its execution duration before the query started")
        rows = service.start(prepared, timeout=timeout)
        name = f"{RESULT_ID}{prepared.output.extension}"
        ctx.results_dir.mkdir(parents=True, exist_ok=True)
        blocks = prepared.stream(rows)
        try:
            with (ctx.results_dir / name).open("wb") as out:
                for block in blocks:
                    out.write(block)
                    if ctx.aborted():
                        break
        finally:
            close = getattr(blocks, "close", None)
            if close is not None:
                close()
        return [ResultSpec(RESULT_ID, path=name, mime_type=prepared.output.mime)]

    return JobKind("tap", run, error_document=_error_document)
