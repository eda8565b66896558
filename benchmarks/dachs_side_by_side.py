"""MMVO and GAVO DaCHS side by side on the same 10^6-row table, in the same run, with the same client.

The reference peer (``../shared/peer-dachs``: ``setup.sh`` then ``import-catalogue.sh``) serves
``synthcat.sources`` at http://127.0.0.1:8080/tap.  This module ingests the very same FITS file into MMVO
(``mmvo ingest``, once per engine, kept under ``build/bench``), starts MMVO on it, runs the peer's client
benchmark ``bench.py`` against both services one after the other, and prints both columns and the ratios the
project targets: cone p50 <= 0.3x, full BINARY2 download >= 5x faster, async round trip <= 0.1x, concurrent
throughput >= 4x.

Usage: ``python -m benchmarks.dachs_side_by_side [--engines sqlite postgresql] [--dachs URL]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

from benchmarks.tap_service import BENCH_DIR, ROOT, _environment, _free_port, _server

__all__ = ["main"]

PEER = ROOT.parent / "shared" / "peer-dachs"
ROWS = 1_000_000


def _catalogue() -> Path | None:
    """The peer's catalogue, made by the peer's own generator with its default seed (the same rows)."""
    local = BENCH_DIR / "synthcat.fits"
    if local.exists():
        return local
    generator = PEER / "gen_catalogue.py"
    if not generator.exists():
        return None
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(generator), str(local), "--rows", str(ROWS)], check=True)
    return local


def _ingest(env: dict[str, str], fits: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "vo_service.cli", "load-demo"], env=env, check=True, capture_output=True
    )
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from vo_service.config import Config; from vo_service.db import "
            "make_engine, load_catalog; t = load_catalog(make_engine(Config())).table('synthcat', 'sources'); "
            f"sys.exit(0 if t is not None and t.nrows == {ROWS} else 1)",
        ],
        env=env,
    )
    if check.returncode != 0:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "vo_service.cli",
                "ingest",
                str(fits),
                "--table",
                "synthcat.sources",
                "--replace",
            ],
            env=env,
            check=True,
        )


def _bench(url: str, out: Path) -> Any:
    subprocess.run([sys.executable, str(PEER / "bench.py"), url, "--json", str(out)], check=True)
    return json.loads(out.read_text())


def _figures(data: Any) -> dict[str, float]:
    """cone p50 (ms), full BINARY2 identity (s), async WAIT round trip (ms), concurrent (queries/s)."""
    return {
        "cone_p50_ms": float(data["cone"]["median_ms"]),
        "full_binary2_s": float(data["full"]["BINARY2/identity"]["median_s"]),
        "async_ms": float(data["async"]["wait"]["median_ms"]),
        "concurrent_qps": float(data["concurrent"]["median_qps"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dachs_side_by_side")
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--dachs", default="http://127.0.0.1:8080/tap")
    args = parser.parse_args(argv)
    print("command: python -m benchmarks.dachs_side_by_side " + " ".join(argv or []))
    try:
        httpx.get(f"{args.dachs}/capabilities", timeout=5).raise_for_status()
    except httpx.HTTPError:
        print(
            f"  DaCHS does not answer at {args.dachs}: run ../shared/peer-dachs/setup.sh and import-catalogue.sh"
        )
        return 0
    fits = _catalogue()
    if fits is None or not (PEER / "bench.py").exists():
        print("  the peer's benchmark files are not available")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        dachs = _figures(_bench(args.dachs, Path(tmp) / "dachs.json"))
        for engine in args.engines:
            port = _free_port()
            env = _environment(engine, ROWS, port)
            if env is None:
                continue
            _ingest(env, fits)
            with _server(env, port) as tap:
                ours = _figures(_bench(tap, Path(tmp) / f"{engine}.json"))
            print(f"MMVO ({engine}) vs DaCHS, synthcat.sources ({ROWS:,} rows), same run, bench.py:")
            rows = [
                ("cone p50", "cone_p50_ms", "ms", "<= 0.3x", ours["cone_p50_ms"] / dachs["cone_p50_ms"]),
                (
                    "full BINARY2",
                    "full_binary2_s",
                    "s",
                    ">= 5x faster",
                    dachs["full_binary2_s"] / ours["full_binary2_s"],
                ),
                ("async round trip", "async_ms", "ms", "<= 0.1x", ours["async_ms"] / dachs["async_ms"]),
                (
                    "20 clients",
                    "concurrent_qps",
                    "q/s",
                    ">= 4x",
                    ours["concurrent_qps"] / dachs["concurrent_qps"],
                ),
            ]
            for label, key, unit, target, ratio in rows:
                print(
                    f"  {label:17s} MMVO {ours[key]:9.2f} {unit:3s}  DaCHS {dachs[key]:9.2f} {unit:3s}  "
                    f"ratio {ratio:6.3f} (target {target})"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
