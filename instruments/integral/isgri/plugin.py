"""The ``isgri`` instrument plugin (entry point ``mmvo.instruments``: ``isgri``): IBIS/ISGRI mosaic images with
their source lists, spectra and light curves, as MMODA offers them, computed from the archive's science
windows by the cores of this package."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from instruments.base import Analysis
from instruments.integral.isgri.analyses import Image, Lightcurve, Spectrum

__all__ = ["Isgri"]


class Isgri:
    """The ``isgri`` instrument: products ``image``, ``spectrum`` and ``lightcurve``."""

    name: ClassVar[str] = "isgri"
    products: ClassVar[Mapping[str, type[Analysis]]] = {
        "image": Image,
        "spectrum": Spectrum,
        "lightcurve": Lightcurve,
    }
