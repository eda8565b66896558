"""One UWS job kind per analysis: parameters checked at creation, the plugin run in a worker process.

The kind of ``isgri/image`` is named ``isgri/image``.  Its validator reads the job parameters into the
analysis's pydantic model, so bad input is refused with 400 before the job exists, with the message naming the
parameter and its limits.  Its run function (``AnalysisRun``, picklable: it travels to the worker process with
the job) reads them again, calls ``analysis.run(params, ctx)`` with a plugin ``RunContext`` over the UWS one,
and turns the ``ProductFile``s into UWS results (or reuses those of an identical earlier request), registering
the products it described in the product store.  Plugin errors become job errors of the same kind; whatever
only the run can find out (no data in the selection) thus ends the job in ERROR with its message.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from instruments.base import Analysis, ProductFile
from instruments.errors import (
    InstrumentError,
    InstrumentFatalError,
    InstrumentTransientError,
    InstrumentUsageError,
)
from instruments.parameters import parse_parameters
from instruments.registry import AnalysisEntry
from tap.formats import votable_error_document
from tap.params import DaliParams
from uws import JobKind, JobSpec, ResultSpec, RunContext
from uws.errors import JobError, JobFatalError, JobTransientError, JobUsageError
from vo_service.analysis.fanout import in_dask_worker, map_in_process, map_on_cluster
from vo_service.analysis.reuse import ProductIndex, code_version, request_key
from vo_service.errors import UsageError
from vo_service.products import Activity, ProductStore, product_records

__all__ = ["AnalysisRun", "analysis_kind", "read_parameters"]

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")

VOTABLE = "application/x-votable+xml"
_JOB_ERRORS: Mapping[type[InstrumentError], type[JobError]] = {
    InstrumentUsageError: JobUsageError,
    InstrumentFatalError: JobFatalError,
    InstrumentTransientError: JobTransientError,
}


def read_parameters(analysis: type[Analysis], params: DaliParams) -> BaseModel:
    """The job parameters as the analysis's model.

    Raises:
        UsageError: an unknown, repeated, missing or bad parameter (named, with what it allows), or an upload.
    """
    if params.files:
        raise UsageError(f"analyses take no uploaded files, not {', '.join(sorted(params.files))}")
    try:
        return parse_parameters(analysis.Parameters, params.values)
    except InstrumentUsageError as exc:
        raise UsageError(exc.message) from None


class _PluginContext:
    """The plugin's ``RunContext`` over the UWS one: products go to the job's results directory; ``map``
    spreads pieces over the Dask cluster when the job is a Dask task (``vo_service.analysis.fanout``)."""

    def __init__(self, ctx: RunContext, *, archive_dir: Path, logger: logging.Logger) -> None:
        self._ctx = ctx
        self.job_id = ctx.job_id
        self.workdir = ctx.results_dir
        self.archive_dir = archive_dir
        self.deadline = ctx.deadline
        self.logger = logger

    def progress(self, fraction: float | None, message: str | None = None) -> None:
        self._ctx.progress(fraction, message)

    def aborted(self) -> bool:
        return self._ctx.aborted()

    def map(self, function: Callable[[_Item], _Result], items: Sequence[_Item]) -> Iterator[_Result]:
        if in_dask_worker():
            name = f"{getattr(function, '__name__', 'piece').strip('_')}-{self.job_id}"
            return map_on_cluster(function, items, aborted=self.aborted, name=name)
        return map_in_process(function, items, aborted=self.aborted)


def _result(product: ProductFile, workdir: Path) -> ResultSpec:
    path = product.path if product.path.is_absolute() else workdir / product.path
    try:
        relative = path.resolve().relative_to(workdir.resolve())
    except ValueError:
        raise JobFatalError(f"product {product.result_id} was written outside the job's directory") from None
    return ResultSpec(product.result_id, path=relative.as_posix(), mime_type=product.content_type)


@dataclass(frozen=True)
class AnalysisRun:
    """The run function of one analysis (a picklable object: the class travels by its import path).

    A ``reusable`` analysis first looks for the products of an identical earlier request in ``reuse_dir``
    (``vo_service.analysis.reuse``) and, when they are there, takes them and says so in the job's ``jobInfo``.
    """

    name: str
    analysis: type[Analysis]
    archive_dir: Path
    reuse_dir: Path
    products_dir: Path

    def __call__(self, job: JobSpec, ctx: RunContext) -> list[ResultSpec]:
        started = dt.datetime.now(dt.UTC)
        try:
            params = parse_parameters(self.analysis.Parameters, ctx.parameters.values)
        except InstrumentUsageError as exc:  # checked at creation; the analysis may have changed since
            raise JobUsageError(exc.message) from None
        ctx.results_dir.mkdir(parents=True, exist_ok=True)
        index = ProductIndex(self.reuse_dir)
        key = (
            request_key(self.name, self.analysis, params)
            if getattr(self.analysis, "reusable", False)
            else None
        )
        reused = None if key is None else index.reuse(key, ctx.results_dir)
        if reused is not None:
            assert key is not None
            index.keep(key, reused.job_id, ctx.results_dir, reused.products)  # this copy lives on
            ctx.progress(
                1.0, f"products reused from job {reused.job_id}, an identical request (same code and data)"
            )
            return [_result(p, ctx.results_dir) for p in reused.products]
        logger = logging.getLogger(f"mmvo.analysis.{self.name.replace('/', '.')}")
        plugin_ctx = _PluginContext(ctx, archive_dir=self.archive_dir, logger=logger)
        try:
            products = self.analysis().run(params, plugin_ctx)
        except InstrumentError as exc:
            error = next((job for cls, job in _JOB_ERRORS.items() if isinstance(exc, cls)), JobFatalError)
            raise error(exc.message, exc.detail) from None
        ids = [p.result_id for p in products]
        if len(set(ids)) != len(ids):
            raise JobFatalError(f"the analysis returned two products of one id: {', '.join(ids)}")
        results = [_result(p, ctx.results_dir) for p in products]
        self._register(job, ctx, params, products, started)
        if key is not None:
            kept = [replace(p, path=Path(r.path or "")) for p, r in zip(products, results, strict=True)]
            index.keep(key, job.job_id, ctx.results_dir, kept)
        return results

    def _register(
        self,
        job: JobSpec,
        ctx: RunContext,
        params: BaseModel,
        products: Sequence[ProductFile],
        started: dt.datetime,
    ) -> None:
        """Publishes the described products (``vo_service.products``) before the job is recorded COMPLETED,
        so a completed job's products are always in the store; a re-run replaces them."""
        activity = Activity(
            job_id=job.job_id,
            analysis=self.name,
            parameters=params.model_dump(mode="json"),
            code_version=code_version(self.analysis),
            owner=job.owner,
            started=started,
            finished=dt.datetime.now(dt.UTC),
        )
        try:
            records = product_records(activity, products)
        except ValueError as exc:
            raise JobFatalError(f"the analysis described its products wrongly: {exc}") from None
        ProductStore(ctx.engine, self.products_dir).register(records)


def _error_document(message: str) -> tuple[bytes, str]:
    return votable_error_document(message), VOTABLE


def analysis_kind(entry: AnalysisEntry, *, archive_dir: Path, reuse_dir: Path, products_dir: Path) -> JobKind:
    """The job kind of ``entry``, named ``instrument/product``; its products are kept under ``products_dir``."""

    def validate(params: DaliParams) -> None:
        read_parameters(entry.analysis, params)

    run = AnalysisRun(entry.name, entry.analysis, archive_dir, reuse_dir, products_dir)
    return JobKind(entry.name, run, validate=validate, error_document=_error_document)
