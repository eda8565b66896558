"""XML text and attribute escaping that can never produce an invalid document, and FIELD IDs.

Not ``xml.sax.saxutils.escape``: it leaves characters XML 1.0 cannot carry at all (most C0 controls, lone
surrogates, U+FFFE/U+FFFF) in place, which would make a whole result unreadable because of one bad cell.
Here those are dropped (controls) or replaced by ``?`` (the others), and CR is written as a character
reference so that it survives XML line-end normalisation.  The work is done by one regular expression whose
fast path (nothing to do) is a single C-level scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["needs_xml_escape", "unique_xml_ids", "xml_attr", "xml_text"]

_TEXT_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTR_SPECIAL = re.compile('[&<>"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')
_REPLACEMENTS = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "\t": "&#9;",
    "\n": "&#10;",
    "\r": "&#13;",
}


def _replace(match: re.Match[str]) -> str:
    char = match.group()
    replacement = _REPLACEMENTS.get(char)
    if replacement is not None:
        return replacement
    return "" if char < " " else "?"


def needs_xml_escape(text: str) -> bool:
    """True if :func:`xml_text` would change ``text`` (lets callers test a whole joined column at once)."""
    return _TEXT_SPECIAL.search(text) is not None


def xml_text(text: str) -> str:
    """Character data for element content."""
    return _TEXT_SPECIAL.sub(_replace, text)


def xml_attr(text: str) -> str:
    """An attribute value for double quotes; tabs and newlines survive attribute normalisation."""
    return _ATTR_SPECIAL.sub(_replace, text)


_NOT_NAME_CHAR = re.compile(r"[^A-Za-z0-9_.\-]")


def unique_xml_ids(names: Iterable[str], *, reserved: Iterable[str] = ()) -> list[str]:
    """One valid, document-unique ``xs:ID`` per name, as close to the name as possible.

    ASCII only (letters, digits, ``_ . -``; anything else becomes ``_``), starting with a letter or ``_``;
    collisions (case-sensitive, with each other and with ``reserved``) get a numeric suffix.
    """
    taken = set(reserved)
    result: list[str] = []
    for name in names:
        base = _NOT_NAME_CHAR.sub("_", name) or "_"
        if not (base[0].isalpha() or base[0] == "_"):
            base = "_" + base
        candidate = base
        counter = 1
        while candidate in taken:
            counter += 1
            candidate = f"{base}_{counter}"
        taken.add(candidate)
        result.append(candidate)
    return result
