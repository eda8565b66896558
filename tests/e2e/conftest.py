"""The running service: ``mmvo`` loads the demo data and uvicorn serves it on loopback, once per engine.

Tests here talk HTTP to a real server process, exactly as TOPCAT or pyvo would; nothing is imported from the
application's internals except to describe expectations.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import create_pg_database

DEMO_SOURCES = 5000


@dataclass(frozen=True)
class LiveService:
    """A server process: its root URL, engine and environment."""

    url: str
    engine: str
    env: dict[str, str]

    @property
    def tap(self) -> str:
        return f"{self.url}/tap"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/availability", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not start:\n{log.read_text()[-3000:]}")


MMVO = [sys.executable, "-m", "vo_service.cli"]


def service_environment(data_dir: Path, port: int, database_url: str | None) -> dict[str, str]:
    """The environment of a service on ``data_dir`` (SQLite) or ``database_url`` (PostgreSQL)."""
    env = {
        **os.environ,
        "MMVO_DATA_DIR": str(data_dir),
        "MMVO_BASE_URL": f"http://127.0.0.1:{port}",
        "MMVO_DEMO_SOURCES": str(DEMO_SOURCES),
    }
    env.pop("MMVO_DATABASE_URL", None)
    if database_url is not None:
        env["MMVO_DATABASE_URL"] = database_url
    return env


def load_demo(env: dict[str, str]) -> None:
    subprocess.run([*MMVO, "load-demo"], env=env, check=True, capture_output=True, timeout=600)


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """``mmvo serve`` on ``port`` (one worker), returned once it answers."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            [*MMVO, "serve", "--no-demo", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_ready(f"http://127.0.0.1:{port}", process, log)
    except BaseException:
        process.kill()
        raise
    return process


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=20)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    """The service with the demo data, on SQLite or on PostgreSQL+pgSphere."""
    data_dir = tmp_path_factory.mktemp(f"live-{request.param}")
    port = free_port()
    drop = None
    database_url = None
    if request.param == "postgresql":
        database_url, drop = create_pg_database(request.getfixturevalue("pg_dsn"))
    env = service_environment(data_dir, port, database_url)
    try:
        load_demo(env)
        process = start_server(env, port, data_dir / "server.log")
        try:
            yield LiveService(f"http://127.0.0.1:{port}", request.param, env)
        finally:
            stop_server(process)
    finally:
        if drop is not None:
            drop()
