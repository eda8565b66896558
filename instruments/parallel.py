"""``parallel_map``: the independent pieces of a run (one per science window, say) computed where the run's
context can spread them (``ParallelRunContext.map``: the service on a Dask cluster), else one after the other
in the current process (a notebook, ``instruments.local``, a service worker process of its own).

Either way the results come in the order of the items and only as the caller takes them, so a run that checks
``ctx.aborted()`` between two results stops there, and a run over hundreds of items need not hold them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from instruments.base import ParallelRunContext, RunContext

__all__ = ["parallel_map"]

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


def parallel_map(
    ctx: RunContext, function: Callable[[_Item], _Result], items: Sequence[_Item]
) -> Iterator[_Result]:
    """``function(item)`` for every item, in order: through ``ctx.map`` when the context has it, else lazily
    in this process (each item computed when its result is taken).

    ``function`` must be a module-level function and the items and results picklable (see
    ``ParallelRunContext.map``), even though the fallback would not need it: the same run may be spread later.

    Raises:
        whatever ``function`` or ``ctx.map`` raises, when the result concerned is taken.
    """
    if isinstance(ctx, ParallelRunContext):
        return ctx.map(function, items)
    return (function(item) for item in items)
