"""What the job machinery costs: submit → COMPLETED of a no-op analysis, and a queue of no-op jobs drained.

A server on SQLite with a small demo catalogue is started; then, over HTTP as a client sees it:

* overhead: sequential ``noop/sleep`` jobs with ``duration=0`` created with ``PHASE=RUN`` and followed with
  UWS ``WAIT`` until COMPLETED, p50 and p95; the reference in the same run is a TAP async one-row query,
  which runs in a server thread, not in a worker process;
* drain: N jobs created PENDING, then all started; jobs per second from the first start to the last
  COMPLETED (the worker processes of the server run them).

Usage: ``python -m benchmarks.uws_jobs [--jobs 50] [--queue 1000]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

import httpx

from benchmarks.tap_service import BENCH_DIR, _free_port, _server

__all__ = ["main"]


def _follow(client: httpx.Client, url: str) -> str:
    phase = "PENDING"
    while phase not in {"COMPLETED", "ERROR", "ABORTED"}:
        response = client.get(url, params={"WAIT": "30", "PHASE": phase})
        response.raise_for_status()
        phase = response.text.split("<uws:phase>", 1)[1].split("<", 1)[0]
    return phase


def _round_trip(client: httpx.Client, job_list: str, data: dict[str, str]) -> float:
    started = time.perf_counter()
    created = client.post(job_list, data={**data, "PHASE": "RUN"})
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    phase = _follow(client, url)
    elapsed = time.perf_counter() - started
    assert phase == "COMPLETED", f"{url} ended {phase}"
    client.post(url, data={"ACTION": "DELETE"})
    return elapsed


def _percentiles(measure: Callable[[], float], runs: int) -> tuple[float, float]:
    measure()  # warm-up: worker processes, connections
    times = sorted(measure() for _ in range(runs))
    return statistics.median(times), times[max(0, int(0.95 * len(times)) - 1)]


def _drain(client: httpx.Client, job_list: str, count: int) -> float:
    urls = []
    for _ in range(count):
        created = client.post(job_list, data={"duration": "0"})
        assert created.status_code == 303, created.text
        urls.append(created.headers["location"])
    started = time.perf_counter()
    for url in urls:
        client.post(f"{url}/phase", data={"PHASE": "RUN"})
    for url in urls:
        assert _follow(client, url) == "COMPLETED"
    elapsed = time.perf_counter() - started
    for url in urls:
        client.post(url, data={"ACTION": "DELETE"})
    return count / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.uws_jobs")
    parser.add_argument("--jobs", type=int, default=50, help="sequential jobs for the overhead")
    parser.add_argument("--queue", type=int, default=1000, help="queued jobs to drain")
    args = parser.parse_args(argv)
    print("command: python -m benchmarks.uws_jobs " + " ".join(argv or []))
    port = _free_port()
    data_dir = BENCH_DIR / "jobs"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "MMVO_DATA_DIR": str(data_dir),
        "MMVO_BASE_URL": f"http://127.0.0.1:{port}",
        "MMVO_DEMO_SOURCES": "1000",
    }
    env.pop("MMVO_DATABASE_URL", None)
    with _server(env, port) as tap, httpx.Client(timeout=120) as client:
        root = tap.removesuffix("/tap")
        noop = f"{root}/analysis/noop/sleep"
        if client.get(noop).status_code != 200:
            print("  the noop/sleep analysis is not served: nothing to measure")
            return 0
        p50, p95 = _percentiles(lambda: _round_trip(client, noop, {"duration": "0"}), args.jobs)
        tap_p50, tap_p95 = _percentiles(
            lambda: _round_trip(
                client, f"{tap}/async", {"LANG": "ADQL", "QUERY": "SELECT TOP 1 name FROM mmvo.sources"}
            ),
            args.jobs,
        )
        print(f"job overhead, noop/sleep duration=0, submit -> COMPLETED ({args.jobs} jobs, sequential):")
        print(f"  analysis (worker process) p50 {1000 * p50:.1f} ms, p95 {1000 * p95:.1f} ms")
        print(
            f"  reference TAP async TOP 1 query (server thread) p50 {1000 * tap_p50:.1f} ms, p95 {1000 * tap_p95:.1f} ms"
        )
        print(f"  ratio p50 {p50 / tap_p50:.2f}")
        rate = _drain(client, noop, args.queue)
        print(f"{args.queue} queued no-op jobs drained: {rate:.0f} jobs/s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
