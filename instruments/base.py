"""The instrument plugin protocol: what an instrument offers, what an analysis is, what a run gets and returns.

An instrument is a class with a ``name`` and its ``products`` (analysis classes by product name).  A package
publishes it under the entry-point group ``mmvo.instruments`` (``instruments.registry``), so a third party adds
an instrument without any change to the service.  An analysis has a pydantic ``Parameters`` model
(``instruments.parameters``), says what it is (``describe``) and runs (``run(params, ctx)``): plain
numpy/astropy code that writes its products into ``ctx.workdir`` and returns them as ``ProductFile``s.

Nothing here knows about HTTP, UWS or databases: the service runs an analysis in a worker process through a
``RunContext`` of its own, a notebook with ``instruments.local.run_analysis``.  Runs fail by raising the errors
of ``instruments.errors``; anything else is a bug of the core, reported to the user as an internal error.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel

from instruments.description import ProductDescription
from instruments.errors import (
    InstrumentError,
    InstrumentFatalError,
    InstrumentTransientError,
    InstrumentUsageError,
)
from instruments.parameters import ParameterInfo, describe_parameters

__all__ = [
    "NAME",
    "Analysis",
    "AnalysisBase",
    "AnalysisInfo",
    "Instrument",
    "InstrumentError",
    "InstrumentFatalError",
    "InstrumentTransientError",
    "InstrumentUsageError",
    "ParallelRunContext",
    "ParameterInfo",
    "ProductFile",
    "RunContext",
]

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")

#: Instrument and product names: they are path segments of the service (``/analysis/isgri/image``).
NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")


@dataclass(frozen=True)
class ProductFile:
    """One product of a run: a file in the run's work directory.

    ``result_id`` names it among the run's products (``image``, ``catalog``, ``spectrum``, ``preview``...);
    ``path`` is relative to ``RunContext.workdir`` (or absolute inside it); ``content_type`` its media type.
    A file the service should publish as a product of its own (a row of ``ivoa.obscore``) carries its
    ``product`` description; a file that goes with one (a preview, a response matrix) names it in ``of``
    (a ``result_id``); other files are only results of the job.

    Raises:
        ValueError: an empty ``result_id`` or one containing ``/``.
    """

    result_id: str
    path: Path
    content_type: str
    description: str = ""
    product: ProductDescription | None = None
    of: str | None = None

    def __post_init__(self) -> None:
        if not self.result_id or "/" in self.result_id:
            raise ValueError(f"product id {self.result_id!r} must be a non-empty name without '/'")
        if self.product is not None and self.of is not None:
            raise ValueError(f"{self.result_id} is either a product or a file of one, not both")


@dataclass(frozen=True)
class AnalysisInfo:
    """What an analysis is, for its users: a title, a description and its parameters."""

    title: str
    description: str
    parameters: tuple[ParameterInfo, ...]


@runtime_checkable
class RunContext(Protocol):
    """What a run gets besides its parameters.

    ``workdir`` is where products (and scratch files) go; ``archive_dir`` the root of the archive caches;
    ``deadline`` a wall-clock time (``time.time()`` scale) or None; ``aborted()`` turns true once the run
    should stop (its time is over, or it was aborted); ``progress(fraction, message)`` shows how far it is.
    The service may also stop a run by killing its process: products must be written atomically enough that a
    half-written file is never listed (it is listed only once ``run`` returns).

    A context may also spread independent pieces of a run over other processes (``ParallelRunContext``); runs
    ask for that through ``instruments.parallel.parallel_map``, which loops in place when the context cannot.
    """

    job_id: str
    workdir: Path
    archive_dir: Path
    deadline: float | None
    logger: logging.Logger

    def progress(self, fraction: float | None, message: str | None = None) -> None: ...

    def aborted(self) -> bool: ...


@runtime_checkable
class ParallelRunContext(RunContext, Protocol):
    """A ``RunContext`` that can run independent pieces of a run elsewhere (the service's, on a Dask cluster,
    runs them as tasks of that cluster).  Optional: call it through ``instruments.parallel.parallel_map``."""

    def map(self, function: Callable[[_Item], _Result], items: Sequence[_Item]) -> Iterator[_Result]:
        """``function(item)`` for every item, yielded in the order of ``items`` as they are needed, possibly
        computed in other processes or machines ahead of that: ``function`` must be a module-level function
        and the items and results picklable, and ``function`` must need nothing of the run but its item
        (files it reads must be where every process sees them, such as ``archive_dir``).  Closing the
        iterator early cancels what is left.

        Raises:
            InstrumentFatalError: the run was stopped (``aborted()``) while waiting, or the process computing
                an item died; whatever ``function`` raised for an item, when that item's turn comes.
        """
        ...


@runtime_checkable
class Analysis(Protocol):
    """One analysis (``isgri/image``): built without arguments, then ``describe``d or ``run``.

    Optional class attributes (``AnalysisBase`` has them): ``reusable`` (True: products depend only on the
    parameters, code and data, so the service may hand the products of an identical earlier request instead of
    running again), ``version`` (change it when the products of a request change) and ``data_version``.
    """

    Parameters: ClassVar[type[BaseModel]]

    def describe(self) -> AnalysisInfo: ...

    def run(self, params: BaseModel, ctx: RunContext) -> list[ProductFile]:
        """Runs with validated ``params`` (an instance of ``Parameters``) and returns the products.

        Raises:
            InstrumentUsageError, InstrumentFatalError, InstrumentTransientError: the run failed; the message
                is for the user.
        """
        ...


@runtime_checkable
class Instrument(Protocol):
    """An instrument plugin: its name (``isgri``) and its analyses by product name (``image``...)."""

    name: ClassVar[str]
    products: ClassVar[Mapping[str, type[Analysis]]]


class AnalysisBase:
    """Convenience base of analyses: ``describe`` from the class attributes ``title``, ``description`` and
    ``Parameters``; subclasses implement ``run``."""

    title: ClassVar[str] = ""
    description: ClassVar[str] = ""
    Parameters: ClassVar[type[BaseModel]]
    reusable: ClassVar[bool] = False
    version: ClassVar[str] = ""
    data_version: ClassVar[str] = ""

    def describe(self) -> AnalysisInfo:
        return AnalysisInfo(
            title=self.title or type(self).__name__,
            description=self.description,
            parameters=describe_parameters(self.Parameters),
        )
