"""Cross-process notification through datagram sockets: delivery, dead sockets, long paths, waiters."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from uws.notify import JobWatch, Listener, Publisher


def _dead_socket(run_dir: Path, token: str) -> Path:
    """A socket file whose process is gone: bound, then closed without removing it."""
    path = run_dir / f"{token}.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.close()
    return path


async def _heard(listener: Listener, publish: list[str], publisher: Publisher) -> list[str]:
    heard: list[str] = []
    got = asyncio.Event()

    def hear(job_id: str) -> None:
        heard.append(job_id)
        if len(heard) == len(publish):
            got.set()

    listener.subscribe(hear)

    def send_all() -> None:
        for job_id in publish:
            publisher.publish(job_id)

    await asyncio.to_thread(send_all)
    await asyncio.wait_for(got.wait(), 5)
    return heard


def test_delivery_and_dead_sockets(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    publisher = Publisher(run_dir)
    dead = _dead_socket(run_dir, "deadbeef")

    async def main() -> list[str]:
        listener = Listener(run_dir)
        listener.start()
        try:
            assert publisher.alive(listener.token) and not publisher.alive("deadbeef")
            return await _heard(listener, ["a", "b", "c"], publisher)
        finally:
            listener.close()

    assert sorted(asyncio.run(main())) == ["a", "b", "c"]
    assert not dead.exists()  # removed by the first publication
    assert list(run_dir.iterdir()) == []  # a closed listener removes its socket
    assert not publisher.alive("never-was")
    publisher.close()


def test_long_directory_paths(tmp_path: Path) -> None:
    run_dir = tmp_path.joinpath(*["a-rather-long-directory-name"] * 5, "run")
    assert len(str(run_dir)) > 110
    publisher = Publisher(run_dir)

    async def main() -> list[str]:
        listener = Listener(run_dir)
        listener.start()
        try:
            return await _heard(listener, ["x"], publisher)
        finally:
            listener.close()

    assert asyncio.run(main()) == ["x"]
    publisher.close()


def test_a_burst_is_not_lost(tmp_path: Path) -> None:
    """More datagrams than a socket queues by default (10): senders wait briefly for room."""
    publisher = Publisher(tmp_path)

    async def main() -> set[str]:
        listener = Listener(tmp_path)
        listener.start()
        try:
            ids = [f"job{i}" for i in range(200)]
            return set(await _heard(listener, ids, publisher))
        finally:
            listener.close()

    assert len(asyncio.run(main())) == 200
    publisher.close()


def test_job_watch_wakes_only_its_job() -> None:
    async def main() -> None:
        watch = JobWatch()
        with watch.watch("a") as a, watch.watch("b") as b:
            watch("a")
            assert a.is_set() and not b.is_set()
        watch("a")  # nobody waits: nothing happens
        assert watch._events == {}

    asyncio.run(main())
