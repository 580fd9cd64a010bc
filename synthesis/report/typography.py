"""French typography for every human-readable report: non-breaking spaces and French numbers.

French sets a non-breaking space inside « » and before : ; ! ?, and keeps a number with
the word it counts (« 9 groupes », « Groupe 5 ») so that a line never breaks between them.
We use U+00A0 everywhere (not the narrow U+202F that the Imprimerie nationale prefers before
; ! ?): every font Word, LibreOffice and browsers fall back to has it, and it cannot show as
a missing glyph. Only spaces are turned into non-breaking ones; a space is never added where
the participant wrote none (« train/bus: » stays as written), except inside « », which we print.
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
#: Thousands separator of French numbers (« 1 234 »): the narrow non-breaking space.
THIN_NBSP = "\u202f"

_SPACE = r"[ \t\u00a0\u202f]"
_AFTER_OPENING = re.compile(rf"«{_SPACE}*")
_BEFORE_CLOSING = re.compile(rf"{_SPACE}*»")
_BEFORE_HIGH_PUNCTUATION = re.compile(r"(?<=\S) +(?=[:;!?](?:\s|$|[»)\]]))")
#: « Groupe 5 », « 9 groupes », « 12 cartes », « n° 3 »: a number stays with its word.
_NUMBER_AND_WORD = re.compile(r"(?<=\d) (?=[^\W\d_])|(?<=\b[Gg]roupe) (?=\d)|(?<=n°) (?=\d)")


def french_spacing(text: str) -> str:
    """The same text with French non-breaking spaces; idempotent."""
    if not text:
        return text
    text = _AFTER_OPENING.sub("«" + NBSP, text)
    text = _BEFORE_CLOSING.sub(NBSP + "»", text)
    text = _BEFORE_HIGH_PUNCTUATION.sub(NBSP, text)
    return _NUMBER_AND_WORD.sub(NBSP, text)


def french_number(value: float, decimals: int = 0) -> str:
    """1234 -> « 1 234 », 0.625 -> « 0,62 » (with decimals=2): French separators."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", THIN_NBSP).replace(".", ",")
