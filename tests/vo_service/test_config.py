"""The configuration: a relative data directory is made absolute once, against the directory the service
starts in, so that worker processes and the paths of job results and products never depend on theirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from vo_service.config import Config


def test_a_relative_data_directory_becomes_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = Config(data_dir=Path("data"))
    assert config.data_dir == tmp_path.resolve() / "data"
    assert config.sqlalchemy_url == f"sqlite:///{tmp_path.resolve() / 'data' / 'mmvo.sqlite'}"
