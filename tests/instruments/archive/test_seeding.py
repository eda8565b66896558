"""Seeds of the simulated archive: SHA-256 of the chunk's name, stable across processes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from instruments.archive.seeding import chunk_rng, chunk_seed


def test_seed_depends_on_every_part_and_nothing_else() -> None:
    seed = chunk_seed("isgri", "066500220010.001", "1")
    assert seed == chunk_seed("isgri", "066500220010.001", "1")
    assert (
        len(
            {
                seed,
                chunk_seed("jemx", "066500220010.001", "1"),
                chunk_seed("isgri", "066500230010.001", "1"),
                chunk_seed("isgri", "066500220010.001", "2"),
            }
        )
        == 4
    )
    assert 0 <= seed < 2**128


def test_seed_is_the_same_in_another_process() -> None:
    code = "from instruments.archive.seeding import chunk_seed; print(chunk_seed('isgri', 'x', '1'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert int(out) == chunk_seed("isgri", "x", "1")


def test_streams_repeat_and_parts_are_checked() -> None:
    assert (
        chunk_rng("a", "b", "c").integers(0, 2**62, 5).tolist()
        == chunk_rng("a", "b", "c").integers(0, 2**62, 5).tolist()
    )
    with pytest.raises(ValueError):
        chunk_seed("isgri", "", "1")
    with pytest.raises(ValueError):
        chunk_seed("isgri", "a\0b", "1")
