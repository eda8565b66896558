"""The ISGRI and JEM-X image analyses on a service whose jobs run on a Dask cluster (``MMVO_DASK_SCHEDULER``, a real
scheduler and two one-thread workers): ten Crab pointings of revolution 665 to COMPLETED with the Crab within
1 arcmin, and a mosaic of 100 Crab pointings of revolutions 39-40, each with its per-ScW work spread over both
workers, as the scheduler's task stream shows; and a JEM-X mosaic of the Crab spread the same way."""

from __future__ import annotations

import io
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from astropy.io import fits
from astropy.io.votable import parse
from lxml import etree

from tests.dask_cluster import cluster
from tests.e2e.conftest import free_port, load_demo, service_environment, start_server, stop_server
from tests.e2e.test_isgri import NS, REQUEST, _job, _phase, _separation_arcmin
from tests.e2e.test_jemx import REQUEST as JEMX_REQUEST

pytest.importorskip("distributed")
pytestmark = pytest.mark.e2e

__all__ = ["cluster"]  # the fixture, imported


@pytest.fixture(scope="module")
def image(cluster: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    data_dir: Path = tmp_path_factory.mktemp("isgri-dask-service")
    port = free_port()
    env = {**service_environment(data_dir, port, None), "MMVO_DASK_SCHEDULER": cluster}
    load_demo(env)
    process = start_server(env, port, data_dir / "server.log")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/analysis/isgri/image", timeout=60) as client:
            yield client
    finally:
        stop_server(process)


def _run_on_cluster(
    cluster: str, image: httpx.Client, request: dict[str, str], timeout: float
) -> tuple[etree._Element, Counter[str]]:
    """The job of ``request`` run to COMPLETED on the service; its document and its per-ScW tasks counted by
    the worker that ran them, from the scheduler's task stream."""
    from distributed import Client

    with Client(cluster, timeout=30) as dask:
        dask.get_task_stream()  # the scheduler records the task stream from now on
        started = time.time()
        created = image.post("", data={**request, "PHASE": "RUN"})
        assert created.status_code == 303, created.text
        job_url = str(created.headers["location"])
        job_id = job_url.rstrip("/").rsplit("/", 1)[1]
        job = _job(image, job_url)
        deadline = time.monotonic() + timeout
        while _phase(job) not in {"COMPLETED", "ERROR", "ABORTED"} and time.monotonic() < deadline:
            job = _job(image, job_url, WAIT="10")
        assert _phase(job) == "COMPLETED", (
            image.get(f"{job_url}/error").text if _phase(job) == "ERROR" else _phase(job)
        )
        print(
            f"{image.base_url.path.strip('/')} of {request['max_pointings']} ScWs on the cluster: COMPLETED "
            f"{time.time() - started:.1f} s after creation"
        )
        stream = dask.get_task_stream(start=started - 1.0)
        workers = set(dask.scheduler_info()["workers"])
    assert len(workers) == 2
    per_scw = Counter(str(t["worker"]) for t in stream if str(t["key"]).startswith(f"image_scw-{job_id}-"))
    print(f"per-ScW tasks by worker: {dict(per_scw)}")
    assert set(per_scw) == workers
    return job, per_scw


def test_crab_image_with_science_windows_on_both_workers(cluster: str, image: httpx.Client) -> None:
    job, per_scw = _run_on_cluster(cluster, image, REQUEST, timeout=180)
    assert sum(per_scw.values()) == 10

    results = {
        r.get("id"): r.get(f"{{{NS['xlink']}}}href") or "" for r in job.findall("uws:results/uws:result", NS)
    }
    assert set(results) == {"image", "catalog", "preview", "region"}
    catalog = image.get(results["catalog"])
    rows = parse(io.BytesIO(catalog.content), verify="exception").get_first_table().to_table()
    crab = rows[rows["name"] == "Crab"]
    assert len(crab) == 1
    offset = _separation_arcmin(float(crab["ra"][0]), float(crab["dec"][0]))
    print(f"Crab found {offset:.3f} arcmin from its position, at {float(crab['significance'][0]):.0f} sigma")
    assert offset < 1.0


def test_a_100_scw_mosaic_runs_on_both_workers(cluster: str, image: httpx.Client) -> None:
    # Revolutions 39 and 40 (2003 February) give 160 pointings within 5 deg of the Crab; the 100 nearest.
    request = {**REQUEST, "T_format": "mjd", "T1": "52678.0", "T2": "52683.6", "max_pointings": "100"}
    job, per_scw = _run_on_cluster(cluster, image, request, timeout=900)
    assert sum(per_scw.values()) == 100
    # Both workers took a real share, not a token task each.
    assert min(per_scw.values()) >= 20, per_scw
    results = {
        r.get("id"): r.get(f"{{{NS['xlink']}}}href") or "" for r in job.findall("uws:results/uws:result", NS)
    }
    with fits.open(io.BytesIO(image.get(results["image"]).content)) as hdus:
        assert hdus[0].header["NSCW"] == 100


def test_jemx_image_with_science_windows_on_both_workers(cluster: str, image: httpx.Client) -> None:
    url = str(image.base_url).replace("/isgri/image", "/jemx/image")
    with httpx.Client(base_url=url, timeout=60) as jemx:
        job, per_scw = _run_on_cluster(cluster, jemx, {**JEMX_REQUEST, "max_pointings": "8"}, timeout=300)
        assert sum(per_scw.values()) == 8
        results = {
            r.get("id"): r.get(f"{{{NS['xlink']}}}href") or ""
            for r in job.findall("uws:results/uws:result", NS)
        }
        rows = parse(io.BytesIO(jemx.get(results["catalog"]).content), verify="exception")
    table = rows.get_first_table().to_table()
    crab = table[table["name"] == "Crab"]
    offset = _separation_arcmin(float(crab["ra"][0]), float(crab["dec"][0]))
    print(f"JEM-X2 Crab found {offset:.3f} arcmin from its position on the cluster")
    assert offset < 1.0


def test_an_abort_stops_the_science_windows_in_flight(cluster: str, image: httpx.Client) -> None:
    from distributed import Client

    created = image.post("", data={**REQUEST, "PHASE": "RUN"})
    job_url = str(created.headers["location"])
    job_id = job_url.rstrip("/").rsplit("/", 1)[1]
    deadline = time.monotonic() + 60
    message = ""
    while "imaging ScW" not in message and time.monotonic() < deadline:
        job = _job(image, job_url)
        message = job.findtext("uws:jobInfo/{*}progress", namespaces=NS) or ""
        time.sleep(0.05)
    assert "imaging ScW" in message, message
    aborted = time.monotonic()
    assert image.post(f"{job_url}/phase", data={"PHASE": "ABORT"}).status_code == 303
    job = _job(image, job_url)
    while _phase(job) != "ABORTED" and time.monotonic() - aborted < 10:
        job = _job(image, job_url, WAIT="1")
    assert _phase(job) == "ABORTED"
    with Client(cluster, timeout=30) as dask:
        while time.monotonic() - aborted < 10:
            left = [k for keys in dask.processing().values() for k in keys if job_id in str(k)]
            if not left:
                break
            time.sleep(0.1)
        assert left == [], f"tasks of the aborted job still running: {left}"
        print(f"aborted while {message!r}; its tasks gone {time.monotonic() - aborted:.1f} s after ABORT")
