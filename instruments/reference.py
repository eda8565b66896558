"""The reference catalogue: real bright hard-X-ray sources, public knowledge shared by the service and the cores.

They seed ``mmvo.sources`` in the service, the hidden truth of the simulated archive, and the catalogue the
source searches fit first and match their detections against.

Positions are J2000/ICRS degrees (SIMBAD), classes SIMBAD main types, fluxes typical long-term 20-40 keV values
in mCrab, good to about +-50 %; for transients the flux is the peak of the outbursts seen by INTEGRAL.  Where
the class or the value is uncertain, or the source strongly variable, ``note`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["REFERENCE_SOURCES", "ReferenceSource"]


@dataclass(frozen=True, slots=True)
class ReferenceSource:
    """One catalogue entry; ``flux`` is None where no representative value is known."""

    name: str
    ra: float
    dec: float
    cls: str
    flux: float | None
    transient: bool = False
    note: str | None = None


_S = ReferenceSource
REFERENCE_SOURCES: tuple[ReferenceSource, ...] = (
    _S("Crab", 83.6331, 22.0145, "SNRemnant", 1000.0, note="pulsar wind nebula with pulsar; flux standard"),
    _S("Cyg X-1", 299.5903, 35.2016, "HighMassXBin", 800.0),
    _S("Sco X-1", 244.9795, -15.6402, "LowMassXBin", 600.0),
    _S("GRS 1915+105", 288.7981, 10.9458, "LowMassXBin", 300.0, note="faded after 2018"),
    _S("Vela X-1", 135.5286, -40.5547, "HighMassXBin", 280.0, note="eclipsing"),
    _S("Cyg X-3", 308.1074, 40.9578, "HighMassXBin", 200.0),
    _S("4U 1700-377", 255.9866, -37.8441, "HighMassXBin", 200.0),
    _S("GX 301-2", 186.6565, -62.7703, "HighMassXBin", 150.0),
    _S("Cen X-3", 170.3129, -60.6238, "HighMassXBin", 80.0, note="eclipsing"),
    _S("Her X-1", 254.4575, 35.3424, "LowMassXBin", 90.0, note="class uncertain"),
    _S("GX 1+4", 263.0090, -24.7456, "LowMassXBin", 80.0),
    _S("4U 1728-34", 262.9906, -33.8340, "LowMassXBin", 80.0),
    _S("GS 1826-24", 277.3675, -23.7969, "LowMassXBin", 80.0),
    _S("GX 339-4", 255.7058, -48.7898, "LowMassXBin", 1000.0, True, "recurrent transient; peak flux"),
    _S("GX 5-1", 270.2843, -25.0783, "LowMassXBin", 70.0),
    _S("1E 1740.7-2942", 265.9785, -29.7452, "XrayBin", 60.0, note="class uncertain"),
    _S("GRS 1758-258", 270.3017, -25.7434, "XrayBin", 60.0, note="class uncertain"),
    _S("GX 17+2", 274.0058, -14.0363, "LowMassXBin", 60.0),
    _S("GX 349+2", 256.4354, -36.4231, "LowMassXBin", 50.0),
    _S("4U 1820-30", 275.9185, -30.3611, "LowMassXBin", 50.0),
    _S("OAO 1657-415", 255.2038, -41.6560, "HighMassXBin", 45.0),
    _S("4U 1636-53", 250.2315, -53.7515, "LowMassXBin", 40.0),
    _S("Cen A", 201.3651, -43.0191, "Seyfert2", 40.0, note="radio galaxy; class uncertain"),
    _S("GX 340+0", 251.4488, -45.6111, "LowMassXBin", 35.0),
    _S("X Per", 58.8462, 31.0458, "HighMassXBin", 35.0),
    _S("NGC 4151", 182.6357, 39.4057, "Seyfert1", 35.0),
    _S("4U 1705-44", 257.2270, -44.1021, "LowMassXBin", 30.0),
    _S("GX 3+1", 266.9833, -26.5636, "LowMassXBin", 30.0),
    _S("4U 0614+091", 94.2806, 9.1371, "LowMassXBin", 30.0),
    _S("GX 9+1", 270.3846, -20.5294, "LowMassXBin", 25.0),
    _S("4U 1538-52", 235.5973, -52.3861, "HighMassXBin", 25.0),
    _S("IGR J16318-4848", 247.952, -48.817, "HighMassXBin", 25.0),
    _S("4U 1626-67", 248.0700, -67.4609, "LowMassXBin", 20.0),
    _S("NGC 4945", 196.3645, -49.4682, "Seyfert2", 20.0),
    _S("4U 1907+09", 287.4079, 9.8292, "HighMassXBin", 20.0),
    _S("Cir X-1", 230.1702, -57.1667, "XrayBin", 20.0, note="variable; class uncertain"),
    _S("GX 13+1", 273.6296, -17.1572, "LowMassXBin", 15.0),
    _S("Ser X-1", 279.9898, 5.0360, "LowMassXBin", 15.0),
    _S("PSR B1509-58", 228.4818, -59.1358, "Pulsar", 15.0),
    _S("3C 273", 187.2779, 2.0524, "Blazar", 10.0, note="quasar; class uncertain"),
    _S("Mrk 421", 166.1138, 38.2088, "BLLac", 10.0, note="flares"),
    _S("Vela pulsar", 128.8359, -45.1764, "Pulsar", 10.0),
    _S("MCG-6-30-15", 203.9741, -34.2956, "Seyfert1", 5.0),
    _S("Aql X-1", 287.8169, 0.5850, "LowMassXBin", 300.0, True, "recurrent transient; peak flux"),
    _S("A 0535+26", 84.7274, 26.3158, "HighMassXBin", 5000.0, True, "Be/X-ray binary; peak flux"),
    _S("4U 0115+63", 19.6332, 63.7400, "HighMassXBin", 1000.0, True, "Be/X-ray binary; peak flux"),
    _S("GRO J1655-40", 253.5006, -39.8458, "LowMassXBin", None, True, "transient; peak flux not tabulated"),
    _S(
        "H 1743-322",
        266.5650,
        -32.2336,
        "LowMassXBin",
        None,
        True,
        "recurrent transient; peak flux not tabulated",
    ),
    _S("Swift J1753.5-0127", 268.3679, -1.4518, "LowMassXBin", 100.0, True, "outburst 2005-2016"),
    _S(
        "V404 Cyg",
        306.0159,
        33.8672,
        "LowMassXBin",
        10000.0,
        True,
        "2015 outburst, peak well above 10 Crab (lower bound)",
    ),
    _S("MAXI J1820+070", 275.0914, 7.1853, "LowMassXBin", 3000.0, True, "2018 outburst, several Crab"),
)
