"""The worker process of ``uws.process_executor.LocalExecutor``: runs one job at a time, reports through the store.

Started as ``python -m uws.process_worker FD`` where ``FD`` is its end of a socket pair with the server process.
Messages (pickled, ``multiprocessing.connection`` framing): first the server's ``sys.path``, then a
``WorkerSetup``, answered by ``("ready",)`` once the worker can take jobs; then per job the pickled ``(JobSpec, run function)``, answered by ``("ending",)`` when the run
function has returned, then ``("done", phase or None)`` once ``uws.worker.run_job`` has recorded the outcome in
the store; or by ``("broken", reason)`` when the job could not even be unpickled (a plugin that fails to
import).

The process ends at once when the server's end closes (the server died or let it go): a thread watches the
connection, so a killed server leaves no run behind, and the recovery of the next start re-queues the job.
Nothing is reported to the server beyond those answers: the store is the truth.
"""

from __future__ import annotations

import logging
import os
import pickle
import queue
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

if TYPE_CHECKING:
    from uws.kinds import RunFunction
    from uws.models import JobSpec, ResultSpec
    from uws.worker import RunContext

__all__ = ["WorkerSetup", "main"]


@dataclass(frozen=True)
class WorkerSetup:
    """What a worker needs to report like the server: an engine on the same database, the same directories.

    ``engine_factory`` must be picklable (a module-level function or a ``functools.partial`` of one).
    """

    engine_factory: Callable[[], sa.Engine]
    run_dir: Path
    jobs_dir: Path
    log_level: int = logging.INFO


def _watch(conn: Connection, jobs: queue.SimpleQueue[bytes]) -> None:
    """Hands job messages to the main thread; ends the process when the server's end is closed."""
    while True:
        try:
            jobs.put(conn.recv_bytes())
        except (EOFError, OSError):
            os._exit(0)


def _announcing(run: RunFunction, conn: Connection) -> RunFunction:
    """``run``, telling the server when it has returned: from then on only the outcome is left to record
    (refused by the store if the job has moved on), so a late abort must not kill the reusable process."""

    def announced(spec: JobSpec, ctx: RunContext) -> Sequence[ResultSpec]:
        try:
            return run(spec, ctx)
        finally:
            conn.send(("ending",))

    return announced


def main(fd: int) -> None:
    """Serves jobs over the connection ``fd`` until the server closes it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when its workers stop
    conn = Connection(fd)
    os.set_inheritable(fd, False)  # processes a run starts must not keep the server's connection open
    sys.path[:] = conn.recv()
    setup: WorkerSetup = conn.recv()
    logging.basicConfig(level=setup.log_level, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    from uws.files import JobFiles
    from uws.notify import Publisher
    from uws.store import JobStore
    from uws.worker import run_job

    publisher = Publisher(setup.run_dir)
    store = JobStore(setup.engine_factory(), on_change=publisher.publish)
    files = JobFiles(setup.jobs_dir)
    jobs: queue.SimpleQueue[bytes] = queue.SimpleQueue()
    threading.Thread(target=_watch, args=(conn, jobs), name="uws-worker-watch", daemon=True).start()
    conn.send(("ready",))
    while True:
        message = jobs.get()
        try:
            spec, run = pickle.loads(message)
        except Exception as exc:
            logging.getLogger("mmvo.uws.process_worker").exception("a job could not be unpickled")
            conn.send(("broken", f"{type(exc).__name__}: {exc}"))
            continue
        phase = run_job(spec, _announcing(run, conn), store=store, files=files)
        conn.send(("done", None if phase is None else phase.value))


if __name__ == "__main__":
    main(int(sys.argv[1]))
