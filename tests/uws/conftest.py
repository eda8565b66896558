"""Fixtures of the UWS tests: stores on both engines and the toy application served by uvicorn."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from tests.conftest import create_pg_database
from uws.store import JobStore
from vo_service.config import Config
from vo_service.db import make_engine

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def pg_uws_url(pg_dsn: str) -> Iterator[str]:
    """One fresh PostgreSQL database for the UWS tests (each test starts without the ``uws`` schema)."""
    url, drop = create_pg_database(pg_dsn)
    try:
        yield url
    finally:
        drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """A write engine on a fresh SQLite file, or on PostgreSQL without any job table yet."""
    if request.param == "postgresql":
        config = Config(data_dir=tmp_path, database_url=request.getfixturevalue("pg_uws_url"))
    else:
        config = Config(data_dir=tmp_path, database_url=None)
    engine = make_engine(config)
    if request.param == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS uws CASCADE"))
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def store(engine: sa.Engine) -> JobStore:
    store = JobStore(engine)
    store.create_tables()
    return store


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[JobStore]:
    engine = make_engine(Config(data_dir=tmp_path, database_url=None))
    store = JobStore(engine)
    store.create_tables()
    try:
        yield store
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ToyServer:
    """``tests.uws.toy_app`` in a uvicorn subprocess on loopback; restartable on the same data directory."""

    def __init__(self, data_dir: Path, *, database_url: str | None = None, **env: str) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "MMVO_DATA_DIR": str(data_dir), "MMVO_BASE_URL": self.url, **env}
        self.env.pop("MMVO_DATABASE_URL", None)
        if database_url:
            self.env["MMVO_DATABASE_URL"] = database_url
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir / "server.log"

    @property
    def database_url(self) -> str:
        return self.env.get("MMVO_DATABASE_URL") or Config(data_dir=self.data_dir).sqlalchemy_url

    def start(self) -> ToyServer:
        command = [sys.executable, "-m", "uvicorn", "--factory", "tests.uws.toy_app:create_app"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the toy server exited:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/availability", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"the toy server did not start:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: the process dies at once, with jobs queued and running."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ToyServer]:
    """The toy application on SQLite, shared by the tests of a module."""
    server = ToyServer(tmp_path_factory.mktemp("toy"), TOY_WORKERS="4", TOY_REAP="0.3", TOY_WAIT_CAP="1.5")
    server.start()
    try:
        yield server
    finally:
        server.stop()
