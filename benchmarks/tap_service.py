"""Cone latency and concurrent throughput of the served TAP service, per engine and catalogue size.

A server is started per (engine, rows) on a catalogue built by ``mmvo load-demo --sources N`` (kept under
``build/bench`` and in a PostgreSQL database ``mmvo_bench_<N>`` between runs, since building 10^7 rows takes
minutes), then measured over HTTP as a client would see it:

* cone: ``SELECT * ... WHERE 1=CONTAINS(POINT(ra, dec), CIRCLE(ra0, dec0, 0.5))`` at seeded random positions,
  p50 and p95 over sequential requests on one kept-alive connection;
* concurrent: 20 client threads sending such cones; queries per second.

Usage: ``python -m benchmarks.tap_service [--rows 1000000 10000000] [--engines sqlite postgresql]``.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "build" / "bench"
PG_ADMIN = os.environ.get("MMVO_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
CONE = (
    "SELECT * FROM mmvo.sources WHERE 1 = CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', {ra}, {dec}, 0.5))"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_database(rows: int) -> str | None:
    """URL of the benchmark database for ``rows`` (created with pg_sphere if missing), None without a server."""
    try:
        import psycopg

        name = f"mmvo_bench_{rows}"
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as admin:
            exists = admin.execute("select 1 from pg_database where datname = %s", (name,)).fetchone()
            if not exists:
                admin.execute(f'create database "{name}"')
        base = PG_ADMIN.rsplit("/", 1)[0]
        with psycopg.connect(f"{base}/{name}", autocommit=True) as conn:
            conn.execute("create extension if not exists pg_sphere")
        return f"postgresql+psycopg://{base.removeprefix('postgresql://')}/{name}"
    except Exception as exc:  # any failure means: no PostgreSQL to measure
        print(f"  postgresql unavailable: {exc}")
        return None


def _environment(engine: str, rows: int, port: int) -> dict[str, str] | None:
    data_dir = BENCH_DIR / f"{engine}-{rows}"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "MMVO_DATA_DIR": str(data_dir),
        "MMVO_BASE_URL": f"http://127.0.0.1:{port}",
        "MMVO_DEMO_SOURCES": str(rows),
    }
    env.pop("MMVO_DATABASE_URL", None)
    if engine == "postgresql":
        url = _pg_database(rows)
        if url is None:
            return None
        env["MMVO_DATABASE_URL"] = url
    return env


@contextmanager
def _server(env: dict[str, str], port: int) -> Iterator[str]:
    mmvo = [sys.executable, "-m", "vo_service.cli"]
    started = time.monotonic()
    subprocess.run([*mmvo, "load-demo"], env=env, check=True)
    print(f"  data ready in {time.monotonic() - started:.0f} s")
    process = subprocess.Popen(
        [*mmvo, "serve", "--no-demo", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/availability", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield f"{url}/tap"
    finally:
        process.terminate()
        process.wait(timeout=30)


def _positions(n: int, seed: int) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    return [(rng.uniform(0, 360), rng.uniform(-60, 60)) for _ in range(n)]


def _cone(client: httpx.Client, tap: str, ra: float, dec: float) -> float:
    started = time.perf_counter()
    response = client.get(f"{tap}/sync", params={"LANG": "ADQL", "QUERY": CONE.format(ra=ra, dec=dec)})
    elapsed = time.perf_counter() - started
    if response.status_code != 200 or b'value="ERROR"' in response.content:
        raise RuntimeError(f"cone failed: {response.status_code} {response.text[:300]}")
    return elapsed


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure_cones(tap: str, runs: int = 200) -> tuple[float, float]:
    with httpx.Client(timeout=60) as client:
        for ra, dec in _positions(10, 1):
            _cone(client, tap, ra, dec)
        times = [_cone(client, tap, ra, dec) for ra, dec in _positions(runs, 2)]
    return _percentile(times, 50), _percentile(times, 95)


def measure_concurrent(tap: str, clients: int = 20, queries: int = 600) -> float:
    positions = _positions(queries, 3)
    lock = threading.Lock()

    def worker() -> None:
        with httpx.Client(timeout=120) as client:
            while True:
                with lock:
                    if not positions:
                        return
                    ra, dec = positions.pop()
                _cone(client, tap, ra, dec)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return queries / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tap_service")
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args(argv)
    print("command: python -m benchmarks.tap_service " + " ".join(argv or []))
    for engine in args.engines:
        for rows in args.rows:
            port = _free_port()
            env = _environment(engine, rows, port)
            if env is None:
                continue
            print(f"{engine}, {rows:,} rows:")
            with _server(env, port) as tap:
                p50, p95 = measure_cones(tap)
                print(f"  cone 0.5 deg: p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
                if rows == min(args.rows):
                    qps = measure_concurrent(tap)
                    print(f"  20 concurrent clients: {qps:.1f} queries/s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
