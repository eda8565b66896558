"""The ``jemx`` instrument plugin (entry point ``mmvo.instruments``: ``jemx``): JEM-X mosaic images with their
source lists, source spectra and light curves, for unit 1 or 2 (``jemx_num``), computed from the archive's science windows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from instruments.base import Analysis
from instruments.integral.jemx.analyses import Image
from instruments.integral.jemx.analyses_lightcurve import Lightcurve
from instruments.integral.jemx.analyses_spectrum import Spectrum

__all__ = ["Jemx"]


class Jemx:
    """The ``jemx`` instrument: products ``image``, ``spectrum`` and ``lightcurve``."""

    name: ClassVar[str] = "jemx"
    products: ClassVar[Mapping[str, type[Analysis]]] = {
        "image": Image,
        "spectrum": Spectrum,
        "lightcurve": Lightcurve,
    }
