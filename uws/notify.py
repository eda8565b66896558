"""Cross-process notification of job changes, through Unix datagram sockets in ``data_dir/run/``.

Every server process binds one socket, ``run/{token}.sock`` (``Listener``); the token also names the process as
the runner of the jobs it executes.  Whoever changes a job (any process, any thread, a command-line tool)
sends a tiny datagram carrying the job id to every socket there (``Publisher.publish``); sockets of dead
processes refuse the datagram and are removed.  Inside a process the listener hands each job id to its
subscribers on the event loop: ``JobWatch`` wakes the requests blocked in ``WAIT``, the dispatcher claims newly
queued jobs and stops aborted runs.

The mechanism is the same on SQLite and PostgreSQL (the processes share ``data_dir`` anyway: job results live
there).  It is an accelerator, not the truth: a datagram may be lost when a receiver is stuck, so readers
re-check the store on a slow safety timer.  A socket that refuses datagrams also tells that its process is dead
(``Publisher.alive``), which the recovery sweep uses to find runs orphaned by a crash.

Sockets are addressed by path; a path longer than ``sun_path`` allows is reached through the
``/proc/self/fd/{dirfd}/`` link of the directory (Linux).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import secrets
import socket
import struct
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["JobWatch", "Listener", "Publisher"]

_log = logging.getLogger("mmvo.uws.notify")
_SUFFIX = ".sock"
_MAX_PATH = 100
#: How long a sender waits for room in a busy receiver's queue before dropping the datagram.
_SEND_TIMEOUT = 0.2
_DEAD = frozenset({errno.ECONNREFUSED, errno.ENOENT, errno.ENOTSOCK})


class _RunDir:
    """The socket directory, with a descriptor kept open to reach long paths through ``/proc/self/fd``."""

    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)

    def address(self, name: str) -> str:
        full = str(self.path / name)
        return full if len(full.encode()) <= _MAX_PATH else f"/proc/self/fd/{self._fd}/{name}"

    def sockets(self) -> list[str]:
        return [entry.name for entry in os.scandir(self.path) if entry.name.endswith(_SUFFIX)]

    def unlink(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.path / name).unlink()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)


class Publisher:
    """Sends job ids to every listening process; thread-safe, blocking for at most a fraction of a second."""

    def __init__(self, run_dir: Path) -> None:
        self._dir = _RunDir(run_dir)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        timeout = struct.pack("ll", 0, int(_SEND_TIMEOUT * 1_000_000))
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeout)

    def publish(self, job_id: str) -> None:
        """Tells every listener that ``job_id`` changed; removes the sockets of dead processes."""
        payload = job_id.encode()
        for name in self._dir.sockets():
            try:
                self._sock.sendto(payload, self._dir.address(name))
            except OSError as exc:
                if exc.errno in _DEAD:
                    self._dir.unlink(name)
                else:  # a stuck receiver: it re-reads the store on its safety timer
                    _log.debug("notification of %s to %s dropped: %s", job_id, name, exc)

    def alive(self, token: str) -> bool:
        """Whether the process that bound ``token``'s socket still runs (its socket accepts datagrams)."""
        try:
            self._sock.sendto(b"", socket.MSG_DONTWAIT, self._dir.address(token + _SUFFIX))
        except OSError as exc:
            return exc.errno not in _DEAD
        return True

    def close(self) -> None:
        self._sock.close()
        self._dir.close()


Subscriber = Callable[[str], None]


class Listener:
    """This process's socket: receives job ids and calls the subscribers on the event loop."""

    def __init__(self, run_dir: Path, token: str | None = None) -> None:
        self.token = token or secrets.token_hex(6)
        self._run_dir = run_dir
        self._dir: _RunDir | None = None
        self._sock: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Calls ``subscriber(job_id)`` on the event loop for every notification; returns the unsubscriber."""
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber)

    def start(self) -> None:
        """Binds the socket and starts reading it on the running event loop."""
        self._dir = _RunDir(self._run_dir)
        name = self.token + _SUFFIX
        self._dir.unlink(name)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(self._dir.address(name))
        sock.setblocking(False)
        self._sock = sock
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(sock.fileno(), self._readable)

    def close(self) -> None:
        """Stops reading and removes the socket, so publishers stop sending to it."""
        if self._sock is not None and self._loop is not None:
            self._loop.remove_reader(self._sock.fileno())
            self._sock.close()
        if self._dir is not None:
            self._dir.unlink(self.token + _SUFFIX)
            self._dir.close()
        self._sock = None
        self._dir = None

    def _readable(self) -> None:
        assert self._sock is not None
        job_ids: set[str] = set()
        while True:
            try:
                payload = self._sock.recv(512)
            except (BlockingIOError, InterruptedError):
                break
            if payload:  # empty datagrams are liveness probes
                job_ids.add(payload.decode(errors="replace"))
        for job_id in job_ids:
            for subscriber in list(self._subscribers):
                try:
                    subscriber(job_id)
                except Exception:
                    _log.exception("a subscriber failed on the notification of job %s", job_id)


class JobWatch:
    """In-process waiters per job id, woken by the listener (subscribe the instance to a ``Listener``)."""

    def __init__(self) -> None:
        self._events: dict[str, set[asyncio.Event]] = {}

    def __call__(self, job_id: str) -> None:
        for event in self._events.get(job_id, ()):
            event.set()

    @contextlib.contextmanager
    def watch(self, job_id: str) -> Iterator[asyncio.Event]:
        """An event set at the next notification about ``job_id``; register it *before* reading the job."""
        event = asyncio.Event()
        self._events.setdefault(job_id, set()).add(event)
        try:
            yield event
        finally:
            waiting = self._events.get(job_id)
            if waiting is not None:
                waiting.discard(event)
                if not waiting:
                    del self._events[job_id]
