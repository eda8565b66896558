"""Job kinds: what each job list runs, and the registry of the kinds a server process executes.

An application registers one ``JobKind`` per job list (``tap`` for TAP async, ``isgri/image`` for an analysis)
and mounts the list's routes with it (``uws.handlers.job_list_routes``).  The kind's name is stored with each
job, so a dispatcher claims only jobs it knows how to run.

The run function contract (``RunFunction``): ``run(job, ctx) -> list[ResultSpec]``, blocking, called in a
worker (a thread of the server process for ``ThreadExecutor``; later possibly another process, so keep it a
module-level function with picklable inputs).  It reads its parameters from ``ctx.parameters`` (a
``DaliParams`` whose ``files`` are the uploaded blobs), writes its files into ``ctx.results_dir``, reports
``ctx.progress(fraction, message)``, checks ``ctx.aborted()`` between steps (abort or time limit), may publish a
result early with ``ctx.add_result`` (kept if the job is aborted later) and returns the results.  It fails the
job by raising ``JobUsageError``/``JobFatalError``/``JobTransientError`` (or any ``vo_service.errors`` type);
anything else is logged and reported as an internal error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tap.params import DaliParams

if TYPE_CHECKING:
    from uws.models import JobSpec, ResultSpec
    from uws.worker import RunContext

__all__ = ["ErrorDocument", "JobKind", "KindRegistry", "RunFunction", "Validator", "plain_text_error"]

RunFunction = Callable[["JobSpec", "RunContext"], Sequence["ResultSpec"]]
#: Checks the parameters of a new job (or of a parameter change); raises ``UsageError`` naming the parameter.
Validator = Callable[[DaliParams], None]
#: Renders the detailed error message served at ``{job}/error``: (body, media type).
ErrorDocument = Callable[[str], tuple[bytes, str]]


def plain_text_error(message: str) -> tuple[bytes, str]:
    """The default error document: the message as UTF-8 text."""
    return message.encode(), "text/plain; charset=utf-8"


@dataclass(frozen=True)
class JobKind:
    """One kind of job.

    ``validate`` runs at creation and on every parameter change, so bad input is refused with 400 before the
    job exists (analyses); without it, checks happen when the job runs and end it in ERROR (TAP async).
    ``error_document`` renders ``{job}/error`` (TAP passes a VOTable error document).
    """

    name: str
    run: RunFunction
    validate: Validator | None = None
    error_document: ErrorDocument = plain_text_error


class KindRegistry:
    """The job kinds this process knows, by name."""

    def __init__(self, kinds: Sequence[JobKind] = ()) -> None:
        self._kinds: dict[str, JobKind] = {}
        for kind in kinds:
            self.register(kind)

    def register(self, kind: JobKind) -> JobKind:
        """Adds ``kind`` and returns it.

        Raises:
            ValueError: another kind has that name.
        """
        if kind.name in self._kinds and self._kinds[kind.name] is not kind:
            raise ValueError(f"a job kind named {kind.name!r} is already registered")
        self._kinds[kind.name] = kind
        return kind

    def get(self, name: str) -> JobKind | None:
        return self._kinds.get(name)

    def names(self) -> frozenset[str]:
        return frozenset(self._kinds)

    def __iter__(self) -> Iterator[JobKind]:
        return iter(self._kinds.values())
