"""ADQL 2.1 tokens: the lexical rules of section 2.1 of the standard, nothing more.

The lexer is strict so that everything later can be: only ADQL's characters and operators exist (no ``::``,
``[``, ``$1``, ``%``, backticks or ``E'...'`` strings), regular identifiers start with a letter, and a
reserved word is recognised whatever its case.  Keywords are not separate token kinds: the parser compares the
upper-cased text of ``ident`` tokens, which lets ``TOP`` or ``OFFSET`` be keywords where the grammar wants
them and keeps reserved words out of identifier positions.

Raises :class:`~tap.adql.errors.AdqlSyntaxError` with the line and column of the offending character.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Final, Literal

from tap.adql.errors import AdqlSyntaxError
from tap.reserved import RESERVED_WORDS

__all__ = ["MAX_NESTING", "RESERVED", "Token", "TokenKind", "tokenize"]

TokenKind = Literal["ident", "qident", "string", "number", "op", "eof"]

#: Reserved words in upper case: SQL-92's and ADQL 2.1's (:mod:`tap.reserved`, the single list).
RESERVED: Final[frozenset[str]] = frozenset(w.upper() for w in RESERVED_WORDS)
#: Deeper parenthesis nesting is refused: no real query needs it, and it would exhaust the parser's stack.
MAX_NESTING: Final = 64


@dataclass(frozen=True, slots=True)
class Token:
    """One token.  ``text`` is the value: an identifier as written (delimited ones unescaped), a string's
    content without quotes, a number's digits, an operator; ``upper`` is its upper-case form for keyword tests.
    """

    kind: TokenKind
    text: str
    upper: str
    line: int
    column: int

    @property
    def position(self) -> tuple[int, int]:
        return (self.line, self.column)

    def describe(self) -> str:
        """The token as an error message shows it."""
        if self.kind == "eof":
            return "the end of the query"
        if self.kind == "string":
            shown = self.text if len(self.text) <= 30 else self.text[:30] + "..."
            return "'" + shown.replace("'", "''") + "'"
        if self.kind == "qident":
            return '"' + self.text.replace('"', '""') + '"'
        return repr(self.text)

    def is_keyword(self, *words: str) -> bool:
        return self.kind == "ident" and self.upper in words


_TOKEN_RE: Final = re.compile(
    r"""
     (?P<ws>[ \t\r\n\f\v]+)
    |(?P<comment>--[^\n]*)
    |(?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
    |(?P<ident>[A-Za-z][A-Za-z0-9_]*)
    |(?P<qident>"(?:[^"]|"")*")
    |(?P<string>'(?:[^']|'')*')
    |(?P<op>\|\||<>|!=|<=|>=|[(),.*+\-/=<>;])
    """,
    re.VERBOSE,
)


class _Lines:
    """Turns character offsets into (line, column), both from 1."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1


def _unexpected(text: str, offset: int, lines: _Lines) -> AdqlSyntaxError:
    line, column = lines.position(offset)
    char = text[offset]
    if char == '"':
        message = "unterminated delimited identifier (a double quote without its closing quote)"
    elif char == "'":
        message = "unterminated string literal (a single quote without its closing quote)"
    elif char == "_" or char.isalpha():
        message = (
            f"found {char!r}: regular identifiers are ASCII letters, digits and '_', starting with a letter"
        )
    else:
        message = f"found {char!r}, which is not an ADQL character or operator"
    return AdqlSyntaxError(message, line, column)


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` (comments and whitespace dropped), ending with an ``eof`` token.

    Raises:
        AdqlSyntaxError: a character ADQL does not know, an unterminated string or delimited identifier, an
            empty delimited identifier, or a NUL character.
    """
    lines = _Lines(text)
    tokens: list[Token] = []
    offset = 0
    end = len(text)
    match = _TOKEN_RE.match
    newline = False  # whether the gap since the previous token holds a line break
    depth = 0
    while offset < end:
        m = match(text, offset)
        if m is None:
            raise _unexpected(text, offset, lines)
        kind = m.lastgroup
        raw = m.group()
        if kind in ("ws", "comment"):
            newline = newline or "\n" in raw
        else:
            if "\x00" in raw:
                line, column = lines.position(offset + raw.index("\x00"))
                raise AdqlSyntaxError("NUL characters are not allowed", line, column)
            line, column = lines.position(offset)
            token = _token(kind, raw, line, column)
            if token.kind == "string" and newline and tokens and tokens[-1].kind == "string":
                # SQL-92: 'abc'<newline>'def' is one literal, 'abcdef'
                previous = tokens.pop()
                value = previous.text + token.text
                token = Token("string", value, value, previous.line, previous.column)
            tokens.append(token)
            newline = False
            if token.kind == "op" and token.text in "()":
                depth += 1 if token.text == "(" else -1
                if depth > MAX_NESTING:
                    raise AdqlSyntaxError(f"parentheses nested more than {MAX_NESTING} deep", line, column)
        offset = m.end()
    line, column = lines.position(end)
    tokens.append(Token("eof", "", "", line, column))
    return tokens


def _token(kind: str | None, raw: str, line: int, column: int) -> Token:
    if kind == "qident":
        name = raw[1:-1].replace('""', '"')
        if not name:
            raise AdqlSyntaxError('empty delimited identifier ""', line, column)
        return Token("qident", name, name, line, column)
    if kind == "string":
        value = raw[1:-1].replace("''", "'")
        return Token("string", value, value, line, column)
    if kind == "ident":
        return Token("ident", raw, raw.upper(), line, column)
    if kind == "number":
        return Token("number", raw, raw.upper(), line, column)
    return Token("op", raw, raw, line, column)
