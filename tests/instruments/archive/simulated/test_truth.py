"""The hidden truth catalogue, and the rule that the analysis never reads it."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from instruments.archive.simulated.truth import LightCurve, default_truth
from instruments.integral.spectra import CRAB, band_photon_flux
from instruments.reference import REFERENCE_SOURCES

PACKAGE = Path(__file__).resolve().parents[4] / "instruments"


def test_truth_is_deterministic_and_covers_the_reference_catalogue() -> None:
    truth = default_truth("1")
    assert truth == default_truth.__wrapped__("1")
    names = {s.name for s in truth}
    assert {r.name for r in REFERENCE_SOURCES} <= names
    assert any(not s.in_reference for s in truth)
    crab = next(s for s in truth if s.name == "Crab")
    assert crab.spectrum == CRAB
    cyg = next(s for s in truth if s.name == "Cyg X-1")
    assert band_photon_flux(cyg.spectrum, 20.0, 40.0) == pytest.approx(
        0.8 * band_photon_flux(CRAB, 20.0, 40.0), rel=1e-3
    )


def test_v404_cyg_bursts_in_june_2015() -> None:
    v404 = next(s for s in default_truth("1") if s.name == "V404 Cyg")
    assert float(v404.lightcurve.factor(57199.5)) == pytest.approx(1.0)
    assert float(v404.lightcurve.factor(57100.0)) < 0.01


def test_light_curve_shapes() -> None:
    t = np.linspace(0.0, 10.0, 1001)
    eclipse = LightCurve("eclipse", epoch=0.0, period=2.0, width=0.2).factor(t)
    assert eclipse.min() == pytest.approx(0.03) and np.mean(eclipse < 1) == pytest.approx(0.2, abs=0.01)
    flare = LightCurve("flare", epoch=5.0, width=0.5, amplitude=3.0).factor(t)
    assert flare.max() == pytest.approx(4.0, rel=1e-3)
    with pytest.raises(ValueError):
        LightCurve("nonsense").factor(t)


#: The one module that picks the simulated archive for analyses (a real archive would plug in there).
CHOOSER = Path("archive") / "backends.py"


def test_analysis_code_never_imports_the_truth() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if "simulated" in relative.parts or relative == CHOOSER:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if "simulated" in n]
    assert offenders == []
