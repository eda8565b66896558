"""The ``jemx`` instrument plugin (entry point ``mmvo.instruments``: ``jemx``): JEM-X mosaic images with their
source lists and source spectra, for unit 1 or 2 (``jemx_num``), computed from the archive's science windows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from instruments.base import Analysis
from instruments.integral.jemx.analyses import Image, Spectrum

__all__ = ["Jemx"]


class Jemx:
    """The ``jemx`` instrument: products ``image`` and ``spectrum``."""

    name: ClassVar[str] = "jemx"
    products: ClassVar[Mapping[str, type[Analysis]]] = {"image": Image, "spectrum": Spectrum}
