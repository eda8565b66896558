"""Random streams of a simulated archive: one per (instrument, chunk, simulation version).

Each chunk is generated lazily and possibly in another process, so its stream must depend on nothing but its
name: the seed is the first 16 bytes of the SHA-256 of the three parts.  Python's ``hash()`` is salted per
process and would give different data on every run.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["chunk_rng", "chunk_seed"]


def chunk_seed(instrument: str, chunk_id: str, sim_version: str) -> int:
    """The 128-bit seed of one chunk; raises ``ValueError`` when a part is empty or holds a NUL separator."""
    parts = (instrument, chunk_id, sim_version)
    if any(not part or "\0" in part for part in parts):
        raise ValueError(f"seed parts must be non-empty strings without NUL: {parts!r}")
    digest = hashlib.sha256("\0".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:16], "little")


def chunk_rng(instrument: str, chunk_id: str, sim_version: str) -> np.random.Generator:
    """``Generator(PCG64(chunk_seed(...)))``: the stream that makes one chunk."""
    return np.random.Generator(np.random.PCG64(chunk_seed(instrument, chunk_id, sim_version)))
