"""Split cards that clearly hold several ideas into idea segments, conservatively.

"- formation / - mutualisation", one idea per line, "observation ; données
partagées" or "Accueil chaleureux mais manque de personnel l'été" become one
segment per idea, each keeping its parent card. Anything less clear stays whole:
a wrong split scatters one idea over two themes, a missed one only blurs a quote.
"""

from __future__ import annotations

import re

from synthesis.cards import Card, IdeaUnit
from synthesis.clean import french_stop_words

_BULLET = r"(?:[-–—•*·▪►+]|\d{1,2}[.)])"
_BULLET_START = re.compile(rf"^\s*{_BULLET}\s+")
_SLASHED_BULLETS = re.compile(rf"\s+/\s+(?={_BULLET}\s)")
_SEMICOLON = re.compile(r"\s*;\s*")
# "mais" opposes two statements ("chaleureux mais manque de personnel"); "et",
# "ou" and commas join parts of one idea too often to be split on. Even "mais"
# mostly qualifies one idea ("correct mais pas exceptionnel", "non pas aux grandes
# entreprises mais aux petites"): it splits only a short card whose second part
# opens on a content word, i.e. states something new ("mais manque de personnel").
_BUT = re.compile(r"(?<![.!?])\s*,?\s+mais\s+", re.IGNORECASE)
_BUT_MAX_WORDS = 15
#: "mais trop cher", "mais pas assez": the second part grades the first idea.
_DEGREE_WORDS = frozenset({"trop", "très", "peu", "assez", "plus", "moins", "bien", "mal", "pas", "parfois", "souvent", "toujours", "jamais"})
_SEMICOLON_MAX_WORDS = 25
#: Words of three letters or more a segment needs to stand alone: one where the
#: writer separated the ideas (line, bullet, ";"), two around "mais".
_EXPLICIT_MIN_WORDS, _CONJUNCTION_MIN_WORDS = 1, 2


def split_text(text: str) -> list[str]:
    """The idea segments of one card, each a verbatim substring of it (one segment if no clear split)."""
    splitters = (
        (_split_lines, _EXPLICIT_MIN_WORDS),
        (_split_slashed_bullets, _EXPLICIT_MIN_WORDS),
        (_split_semicolons, _EXPLICIT_MIN_WORDS),
        (_split_but, _CONJUNCTION_MIN_WORDS),
    )
    for splitter, min_words in splitters:
        parts = splitter(text)
        if len(parts) > 1 and all(_substantial(part, min_words) for part in parts):
            return parts
    return [text.strip()]


def split_cards(cards: list[Card], *, enabled: bool = True) -> list[IdeaUnit]:
    """Idea units with ids unique in the run: segment k of card ``a`` is ``a#k``, or
    ``a#k-2`` when a card is itself named ``a#k``."""
    units = []
    taken = {card.id for card in cards}
    for card in cards:
        segments = split_text(card.text) if enabled else [card.text]
        if len(segments) == 1:
            units.append(IdeaUnit(id=card.id, card=card, text=card.text))
            continue
        for k, part in enumerate(segments, start=1):
            unit_id = _free_id(f"{card.id}#{k}", taken)
            taken.add(unit_id)
            units.append(IdeaUnit(id=unit_id, card=card, text=part, segment=k))
    return units


def _free_id(wanted: str, taken: set[str]) -> str:
    unit_id, suffix = wanted, 2
    while unit_id in taken:
        unit_id, suffix = f"{wanted}-{suffix}", suffix + 1
    return unit_id


def _split_lines(text: str) -> list[str]:
    return [_strip_bullet(line) for line in text.splitlines() if line.strip()]


def _split_slashed_bullets(text: str) -> list[str]:
    return [_strip_bullet(part) for part in _SLASHED_BULLETS.split(text) if part.strip()]


def _split_semicolons(text: str) -> list[str]:
    # In long prose a semicolon joins two clauses of one statement; on a card it lists ideas.
    if len(text.split()) > _SEMICOLON_MAX_WORDS:
        return [text]
    return [part.strip() for part in _SEMICOLON.split(text) if part.strip()]


def _split_but(text: str) -> list[str]:
    parts = [part.strip() for part in _BUT.split(text)]
    if len(parts) != 2 or not all(parts) or len(text.split()) > _BUT_MAX_WORDS:
        return [text]
    return parts if _opens_on_content_word(parts[1]) else [text]


def _opens_on_content_word(text: str) -> bool:
    """Not a function word ("pour", "ce", "très") nor an adverb in -ment ("légèrement")."""
    first = re.split(r"[\s'’]+", text.casefold(), maxsplit=1)[0]
    return first not in french_stop_words() and first not in _DEGREE_WORDS and not first.endswith("ment")


def _strip_bullet(part: str) -> str:
    return _BULLET_START.sub("", part, count=1).strip()


def _substantial(part: str, min_words: int) -> bool:
    acronym = re.fullmatch(r"[A-ZÀ-Ý]{2,6}", part.strip()) is not None  # "OT", "CRTL"
    return acronym or len(re.findall(r"\w{3,}", part)) >= min_words
