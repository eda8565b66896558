"""The ISGRI analyses the service runs as jobs: ``image``, ``spectrum`` and ``lightcurve``."""

from instruments.integral.isgri.analyses.common import (
    ImageParameters,
    LightcurveParameters,
    SpectrumParameters,
)
from instruments.integral.isgri.analyses.image import Image
from instruments.integral.isgri.analyses.lightcurve import Lightcurve
from instruments.integral.isgri.analyses.spectrum import Spectrum

__all__ = ["Image", "ImageParameters", "Lightcurve", "LightcurveParameters", "Spectrum", "SpectrumParameters"]
