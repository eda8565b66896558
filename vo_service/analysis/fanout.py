"""The plugin's fan-out (``ParallelRunContext.map``) where its job runs.

A job run by ``DaskExecutor`` is a task of a Dask cluster: its pieces become tasks of the same cluster,
submitted through ``distributed.worker_client()``, which takes the job's task out of its worker's thread pool
while it waits (so a one-thread worker still computes pieces, its own job's included).  At most
:data:`AHEAD_PER_THREAD` pieces per thread of the cluster are submitted ahead of the one being waited for, so
the results of a long run do not pile up in the workers' memory.  Elsewhere (a ``LocalExecutor`` worker is one
process per job) the pieces are computed one after the other in the job's process.  In both, ``aborted()`` is
read between results (and while waiting for one, on the cluster) and stops the run.
"""

from __future__ import annotations

import sys
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from instruments.errors import InstrumentFatalError

__all__ = ["AHEAD_PER_THREAD", "in_dask_worker", "map_in_process", "map_on_cluster"]

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")

#: Pieces submitted ahead per thread of the cluster.
AHEAD_PER_THREAD = 2
#: How often a wait for a piece looks at ``aborted()`` (seconds).
_POLL = 0.25


def in_dask_worker() -> bool:
    """True inside a task of a Dask worker (where ``distributed.worker_client()`` works)."""
    distributed = sys.modules.get("distributed")
    if distributed is None:  # a Dask worker has imported it; importing it elsewhere would only cost time
        return False
    try:
        distributed.get_worker()
    except ValueError:
        return False
    return True


def _stopped(done: int, total: int) -> InstrumentFatalError:
    return InstrumentFatalError(f"the run was stopped after {done} of {total} pieces")


def map_in_process(
    function: Callable[[_Item], _Result], items: Sequence[_Item], *, aborted: Callable[[], bool]
) -> Iterator[_Result]:
    """``function(item)`` in this process, each when its result is taken."""
    for done, item in enumerate(items):
        if aborted():
            raise _stopped(done, len(items))
        yield function(item)


def _wait(future: Any, aborted: Callable[[], bool], done: int, total: int) -> Any:
    from distributed import KilledWorker

    while True:
        if aborted():
            raise _stopped(done, total)
        try:
            return future.result(timeout=_POLL)
        except TimeoutError:
            continue
        except KilledWorker:
            raise InstrumentFatalError(
                f"the Dask worker computing piece {done + 1} of {total} of the run died"
            ) from None


def map_on_cluster(
    function: Callable[[_Item], _Result],
    items: Sequence[_Item],
    *,
    aborted: Callable[[], bool],
    name: str,
) -> Iterator[_Result]:
    """``function(item)`` as tasks of the cluster of the current Dask task, keyed ``name-<random>-<index>``
    (the scheduler's task stream shows where each ran); results in the order of ``items``."""
    from distributed import worker_client

    total = len(items)
    prefix = f"{name}-{uuid.uuid4().hex[:8]}"
    with worker_client() as client:
        ahead = max(2, AHEAD_PER_THREAD * sum(client.nthreads().values()))
        pending: deque[Any] = deque()
        submitted = 0
        try:
            for done in range(total):
                while submitted < total and len(pending) < ahead:
                    pending.append(
                        client.submit(function, items[submitted], key=f"{prefix}-{submitted}", pure=False)
                    )
                    submitted += 1
                future = pending[0]
                result = _wait(future, aborted, done, total)
                pending.popleft()
                yield result
        finally:
            if pending:
                client.cancel(list(pending))
