"""``mmvo serve`` without a configured public URL names the port it serves (``make serve PORT=...``)."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.e2e.conftest import free_port, service_environment, start_server, stop_server


def test_links_name_the_port_served_when_no_base_url_is_configured(tmp_path: Path) -> None:
    port = free_port()
    env = service_environment(tmp_path, port, None)
    del env["MMVO_BASE_URL"]
    process = start_server(env, port, tmp_path / "server.log")
    try:
        capabilities = httpx.get(f"http://127.0.0.1:{port}/tap/capabilities", timeout=10).text
        assert f"http://127.0.0.1:{port}/tap" in capabilities
        job = httpx.post(
            f"http://127.0.0.1:{port}/tap/async",
            data={"LANG": "ADQL", "QUERY": "SELECT 1 AS one"},
            timeout=10,
            follow_redirects=False,
        )
        assert job.status_code == 303
        assert job.headers["location"].startswith(f"http://127.0.0.1:{port}/tap/async/")
    finally:
        stop_server(process)
