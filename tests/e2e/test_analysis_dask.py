"""Analysis jobs of the running service executed on a Dask distributed cluster (``MMVO_DASK_SCHEDULER``): a
real scheduler and two workers on loopback sharing the service's SQLite file and data directory."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.dask_cluster import cluster
from tests.e2e.conftest import free_port, load_demo, service_environment, start_server, stop_server
from tests.e2e.test_analysis import _final, _job, _phase, _worker_pid

pytest.importorskip("distributed")

__all__ = ["cluster"]  # the fixture, imported


@pytest.fixture(scope="module")
def noop(cluster: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    data_dir: Path = tmp_path_factory.mktemp("dask-service")
    port = free_port()
    env = {**service_environment(data_dir, port, None), "MMVO_DASK_SCHEDULER": cluster}
    load_demo(env)
    process = start_server(env, port, data_dir / "server.log")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/analysis/noop/sleep", timeout=60) as client:
            yield client
    finally:
        stop_server(process)


def _parent_command(pid: int) -> bytes:
    """The command line of the process that started ``pid`` (a Dask nanny for a Dask worker)."""
    status = Path(f"/proc/{pid}/status").read_text()
    parent = next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:"))
    return Path(f"/proc/{parent}/cmdline").read_bytes()


def test_a_job_runs_on_a_worker_of_the_cluster(noop: httpx.Client) -> None:
    created = noop.post("", data={"duration": "1", "PHASE": "RUN"})
    assert created.status_code == 303
    url = str(created.headers["location"])
    pid = _worker_pid(noop, url)
    assert b"dask" in _parent_command(pid), "not run by a Dask worker"
    job = _final(noop, url, limit=60)
    assert _phase(job) == "COMPLETED", _job(noop, f"{url}/error").text if _phase(job) == "ERROR" else ""


def test_abort_and_the_time_limit_end_runs_on_the_cluster(noop: httpx.Client) -> None:
    url = str(noop.post("", data={"duration": "600", "PHASE": "RUN"}).headers["location"])
    _worker_pid(noop, url)
    started = time.monotonic()
    assert noop.post(f"{url}/phase", data={"PHASE": "ABORT"}).status_code == 303
    assert _phase(_final(noop, url, limit=10)) == "ABORTED" and time.monotonic() - started < 2
    limited = str(
        noop.post("", data={"duration": "600", "EXECUTIONDURATION": "2", "PHASE": "RUN"}).headers["location"]
    )
    job = _final(noop, limited, limit=30)
    assert _phase(job) == "ERROR"
    assert "time limit" in (job.findtext("{*}errorSummary/{*}message") or "")
