"""Reproducible random streams for the simulated demo data.

Every chunk of simulated rows draws from its own ``PCG64`` generator whose seed is the SHA-256 of the base seed
and the chunk's name, so a chunk can be regenerated alone, in any order and in any process, and the same base
seed always gives byte-identical rows.  Python's ``hash()`` is salted per process and is never used.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["derive_seed", "rng_for"]


def derive_seed(*parts: str | int) -> int:
    """A 128-bit integer seed from the SHA-256 of ``parts`` (joined with an ASCII unit separator).

    Raises ``TypeError`` for parts that are neither ``str`` nor ``int`` (``bool`` included), because their
    text form would not be stable enough to name a random stream.
    """
    for part in parts:
        if isinstance(part, bool) or not isinstance(part, str | int):
            raise TypeError(f"seed parts must be str or int, not {type(part).__name__}")
    text = "\x1f".join(str(part) for part in parts)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:16], "big")


def rng_for(*parts: str | int) -> np.random.Generator:
    """The generator of one named chunk: ``Generator(PCG64(derive_seed(*parts)))``."""
    return np.random.Generator(np.random.PCG64(derive_seed(*parts)))
