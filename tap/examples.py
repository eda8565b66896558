"""The DALI examples document of the TAP service (``/tap/examples``): working queries, marked up in RDFa.

Every example runs against the demo tables (a test runs each one on both engines), so a user who copies one
into TOPCAT gets a result, and taplint's EXA stage can execute them.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

__all__ = ["EXAMPLES", "Example", "examples_document"]

_XHTML = "http://www.w3.org/1999/xhtml"
_VOCAB = "http://www.ivoa.net/rdf/examples#"


@dataclass(frozen=True)
class Example:
    """One example query: ``key`` becomes the HTML id, ``tables`` are the tables it reads."""

    key: str
    name: str
    description: str
    query: str
    tables: tuple[str, ...]


EXAMPLES: tuple[Example, ...] = (
    Example(
        key="cone",
        name="Sources around the Crab",
        description="A cone search: catalogue sources within 2 degrees of the Crab, nearest first.",
        query=(
            "SELECT source_id, name, ra, dec, flux,\n"
            "       DISTANCE(POINT('ICRS', ra, dec), POINT('ICRS', 83.6331, 22.0145)) AS dist\n"
            "FROM mmvo.sources\n"
            "WHERE 1 = CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', 83.6331, 22.0145, 2))\n"
            "ORDER BY dist"
        ),
        tables=("mmvo.sources",),
    ),
    Example(
        key="brightest",
        name="The brightest hard X-ray sources",
        description="The twenty brightest catalogue sources in the 20-40 keV band.",
        query="SELECT TOP 20 name, class, ra, dec, flux\nFROM mmvo.sources\nORDER BY flux DESC",
        tables=("mmvo.sources",),
    ),
    Example(
        key="classes",
        name="Sources per class",
        description="How many catalogue sources of each SIMBAD class, with their mean flux.",
        query=(
            "SELECT class, COUNT(*) AS n, AVG(flux) AS mean_flux\n"
            "FROM mmvo.sources\nGROUP BY class\nORDER BY n DESC"
        ),
        tables=("mmvo.sources",),
    ),
    Example(
        key="crab-scw",
        name="Science windows pointing near the Crab",
        description=(
            "INTEGRAL pointings whose axis lies within 10 degrees of the Crab, with their revolution "
            "and exposure: the input of an ISGRI analysis."
        ),
        query=(
            "SELECT TOP 100 scw_id, revolution, ra, dec, t_start, t_stop, exposure, data_version\n"
            "FROM integral.scw\n"
            "WHERE DISTANCE(POINT('ICRS', ra, dec), POINT('ICRS', 83.6331, 22.0145)) < 10\n"
            "ORDER BY t_start"
        ),
        tables=("integral.scw",),
    ),
    Example(
        key="revolution-exposure",
        name="Exposure per revolution",
        description="Total pointing exposure and number of science windows per revolution, with its dates.",
        query=(
            "SELECT r.revolution AS rev, r.t_start, r.t_stop, COUNT(*) AS n_scw, SUM(s.exposure) AS exposure\n"
            "FROM integral.revolutions AS r\n"
            "JOIN integral.scw AS s ON s.revolution = r.revolution\n"
            "GROUP BY r.revolution, r.t_start, r.t_stop\n"
            "ORDER BY rev"
        ),
        tables=("integral.revolutions", "integral.scw"),
    ),
    Example(
        key="obsplan",
        name="What INTEGRAL observed near Cyg X-1",
        description="ObsLocTAP: performed ISGRI observations whose field centre is within 5 degrees of Cyg X-1.",
        query=(
            "SELECT TOP 50 obs_id, instrument_name, t_min, t_max, t_exptime, execution_status\n"
            "FROM ivoa.obsplan\n"
            "WHERE instrument_name = 'ISGRI'\n"
            "  AND 1 = CONTAINS(POINT('ICRS', s_ra, s_dec), CIRCLE('ICRS', 299.5903, 35.2016, 5))\n"
            "ORDER BY t_min"
        ),
        tables=("ivoa.obsplan",),
    ),
)


def examples_document(examples: tuple[Example, ...] = EXAMPLES) -> bytes:
    """The XHTML+RDFa document (well-formed XML, readable without scripts or styles)."""
    html = etree.Element(f"{{{_XHTML}}}html", nsmap={None: _XHTML})  # type: ignore[dict-item]
    head = etree.SubElement(html, "head")
    etree.SubElement(head, "title").text = "MMVO TAP examples"
    body = etree.SubElement(html, "body", vocab=_VOCAB)
    etree.SubElement(body, "h1").text = "Example queries for the MMVO TAP service"
    for example in examples:
        div = etree.SubElement(body, "div", typeof="example", id=example.key, resource=f"#{example.key}")
        etree.SubElement(div, "h2", property="name").text = example.name
        etree.SubElement(div, "p").text = example.description
        etree.SubElement(div, "pre", property="query").text = example.query
        tables = etree.SubElement(div, "p")
        tables.text = "Tables: "
        for i, name in enumerate(example.tables):
            span = etree.SubElement(tables, "span", property="table")
            span.text = name
            if i < len(example.tables) - 1:
                span.tail = ", "
    return bytes(etree.tostring(html, xml_declaration=True, encoding="UTF-8", doctype="<!DOCTYPE html>"))
