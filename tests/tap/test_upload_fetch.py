"""Uploads given by URL: fetched from a local HTTP server with the size limit, the time limit and errors."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tap.uploads import fetch_url
from tests.local_http import QuietHandler, serving
from vo_service.errors import UsageError

BODY = b"<VOTABLE/>" * 100


class _Handler(QuietHandler):
    def do_GET(self) -> None:
        if self.path == "/missing":
            self.send_error(404)
            return
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/table.vot")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-votable+xml")
        self.end_headers()
        if self.path == "/slow":
            for _ in range(20):
                self.wfile.write(b"<!-- -->")
                self.wfile.flush()
                time.sleep(0.1)
            return
        self.wfile.write(BODY)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving(_Handler) as url:
        yield url


def test_a_url_on_loopback_is_fetched_and_redirects_followed(server: str) -> None:
    assert fetch_url(f"{server}/table.vot", len(BODY)) == BODY
    assert fetch_url(f"{server}/moved", len(BODY)) == BODY


def test_larger_than_the_limit_is_refused(server: str) -> None:
    with pytest.raises(UsageError, match=f"larger than {len(BODY) - 1} bytes"):
        fetch_url(f"{server}/table.vot", len(BODY) - 1)


def test_error_status_is_refused(server: str) -> None:
    with pytest.raises(UsageError, match="answered with HTTP status 404"):
        fetch_url(f"{server}/missing", 1000)


def test_slow_downloads_are_stopped(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(UsageError, match=r"took longer than 0.5 s"):
        fetch_url(f"{server}/slow", 1000, timeout=0.5)
    assert time.monotonic() - started < 1.5


def test_unreachable_hosts_are_refused(server: str) -> None:
    with pytest.raises(UsageError, match="could not be fetched"):
        fetch_url("http://127.0.0.1:9/nothing", 1000, timeout=2)
