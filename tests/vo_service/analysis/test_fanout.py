"""The service's fan-out of a plugin's pieces: in the job's process outside Dask; on the same cluster, both
workers taking pieces, from inside a Dask task, results in order, an abort stopping the wait."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from instruments.base import ParallelRunContext
from instruments.errors import InstrumentFatalError
from tests.dask_cluster import cluster
from tests.uws import conftest as uws_fixtures
from uws.files import JobFiles
from uws.models import JobSpec
from uws.store import JobStore
from uws.worker import RunContext as JobContext
from vo_service.analysis.fanout import in_dask_worker, map_in_process, map_on_cluster
from vo_service.analysis.kinds import _PluginContext

__all__ = ["cluster"]  # the fixture, imported
shared_store = uws_fixtures.sqlite_store


def _where(i: int) -> tuple[int, int]:
    time.sleep(0.2)
    return i, os.getpid()


def _spread(count: int) -> tuple[bool, list[tuple[int, int]]]:
    """A task: whether it runs in a Dask worker, and its pieces' results."""
    return in_dask_worker(), list(map_on_cluster(_where, range(count), aborted=lambda: False, name="where"))


def _abort_after_one() -> str:
    started = time.monotonic()
    results = map_on_cluster(_where, range(6), aborted=lambda: time.monotonic() - started > 0.1, name="stop")
    try:
        list(results)
    except InstrumentFatalError as exc:
        return exc.message
    return "not stopped"


def test_outside_dask_pieces_run_in_this_process_until_aborted() -> None:
    assert not in_dask_worker()
    stop = [False]
    results = map_in_process(_where, [0, 1, 2], aborted=lambda: stop[0])
    assert next(results) == (0, os.getpid())
    stop[0] = True
    with pytest.raises(InstrumentFatalError, match="stopped after 1 of 3 pieces"):
        next(results)


def test_outside_dask_the_question_does_not_import_distributed() -> None:
    code = (
        "import sys; from vo_service.analysis.fanout import in_dask_worker; "
        "print(in_dask_worker(), 'distributed' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_the_plugin_context_of_a_job_maps(shared_store: JobStore, tmp_path: Path) -> None:
    spec = JobSpec("j1", "noop/sleep", None, None, (), 1, 60, None)
    ctx = _PluginContext(
        JobContext(spec, store=shared_store, files=JobFiles(tmp_path)),
        archive_dir=tmp_path,
        logger=logging.getLogger("test"),
    )
    assert isinstance(ctx, ParallelRunContext)
    assert list(ctx.map(_where, [1, 2])) == [(1, os.getpid()), (2, os.getpid())]


def test_on_the_cluster_pieces_go_to_both_workers_in_order(cluster: str) -> None:
    from distributed import Client

    with Client(cluster, timeout=30) as client:
        inside, results = client.submit(_spread, 12, pure=False).result(timeout=120)
        assert inside
        assert [i for i, _ in results] == list(range(12))
        worker_pids = set(client.run(os.getpid).values())
        assert {pid for _, pid in results} == worker_pids and len(worker_pids) == 2
        assert "stopped after" in client.submit(_abort_after_one, pure=False).result(timeout=60)
