"""The ``mmvo`` command as an operator uses it: ingest a file, then find it published."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from astropy.table import Table as AstropyTable

from instruments.integral.scw_index import read_index
from vo_service.config import Config
from vo_service.db import load_catalog, make_engine


def _mmvo(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MMVO_DATA_DIR": str(data_dir)}
    env.pop("MMVO_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "vo_service.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_ingest_publishes_a_votable_with_its_metadata(tmp_path: Path) -> None:
    source = AstropyTable(
        {"RA": [10.0, 20.0, 30.0], "Dec": [-5.0, 0.0, 5.0], "mag": [12.5, 13.0, 14.25]},
    )
    source["RA"].unit = "deg"
    source["Dec"].unit = "deg"
    source["mag"].unit = "mag"
    path = tmp_path / "stars.vot"
    source.write(path, format="votable")

    done = _mmvo("ingest", str(path), "--table", "mycat.stars", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "mycat.stars: 3 rows" in done.stdout

    engine = make_engine(Config(data_dir=tmp_path))
    try:
        table = load_catalog(engine).table("mycat", "stars")
    finally:
        engine.dispose()
    assert table is not None and table.nrows == 3
    assert table.position == ("ra", "dec")
    assert table.column("mag") is not None and table.column("mag").unit == "mag"  # type: ignore[union-attr]


def test_ingest_refuses_a_bad_table_name_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n")
    done = _mmvo("ingest", str(path), "--table", "not a name", data_dir=tmp_path)
    assert done.returncode == 1
    assert "not a name" in done.stderr and "Traceback" not in done.stderr


def test_archive_warm_generates_the_science_windows_once(tmp_path: Path) -> None:
    loaded = subprocess.run(
        [sys.executable, "-m", "vo_service.cli", "load-demo", "--sources", "200"],
        env={**os.environ, "MMVO_DATA_DIR": str(tmp_path), "MMVO_DATABASE_URL": ""},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert loaded.returncode == 0, loaded.stderr
    first = _mmvo("archive", "warm", "--revolutions", "665", "--workers", "2", data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    files = sorted((tmp_path / "archive").rglob("0665*.fits"))
    assert files and first.stdout.startswith(f"{len(files)} ISGRI science windows ready")
    indexed = {c.chunk_id for c in read_index(tmp_path / "archive", "isgri")}  # written by load-demo
    assert {f.stem for f in files} <= indexed
    stamps = [f.stat().st_mtime_ns for f in files]
    again = _mmvo("archive", "warm", "--revolutions", "665", data_dir=tmp_path)
    assert again.returncode == 0 and [f.stat().st_mtime_ns for f in files] == stamps  # cached, not redone
    nothing = _mmvo("archive", "warm", "--revolutions", "2999", data_dir=tmp_path)
    assert nothing.returncode == 1 and "no ISGRI pointing" in nothing.stderr
