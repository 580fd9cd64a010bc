"""Counts a reader can check: split cards counted once per theme, and segments at odds with their category.

A card split into segments counts once in each theme its segments sit in, so the
themes of a category may add up past its number of cards; ``cards_in_several_themes``
says by how much, for the report to say so. A segment keeps its card's category
(the participant chose it), but a weakness written on a strength card (« Accueil
chaleureux mais manque de personnel l'été ») is flagged for the editor.
"""

from __future__ import annotations

from collections.abc import Sequence

from synthesis.cards import IdeaUnit
from synthesis.clean import CleanText
from synthesis.result import EditorFlag, Theme

#: Lemmas and words that mark a weakness or a strength (on the segment's own lemmas and words).
_WEAKNESS_MARKS = frozenset({
    "manque", "manquer", "insuffisant", "insuffisance", "difficile", "difficulté", "problème", "faible", "faiblesse",
    "absence", "lourd", "lourdeur", "frein", "freiner", "perte", "précarité", "précaire", "flou", "compliqué",
    "dépendance", "pénurie", "mauvais", "isolement", "saturé", "cher", "lent", "lenteur", "retard", "pas", "peu", "trop", "sans",
})
_STRENGTH_MARKS = frozenset({
    "atout", "force", "richesse", "riche", "réussite", "dynamisme", "dynamique", "motivé", "efficace", "reconnu",
    "excellent", "solide", "qualité", "chaleureux", "soudé", "bon", "bien",
})
_NEGATIONS = frozenset({"pas", "peu", "manque", "sans", "ne", "n'", "trop"})
_CONTRADICTIONS = {
    "forces": (_WEAKNESS_MARKS, "décrit une faiblesse alors que la carte est rangée dans les forces"),
    "faiblesses": (_STRENGTH_MARKS, "décrit une force alors que la carte est rangée dans les faiblesses"),
}


def cards_in_several_themes(themes: Sequence[Theme]) -> int:
    """By how much the themes' card counts add up past the category's cards (a card in k themes adds k - 1)."""
    placed: dict[str, int] = {}
    for theme in themes:
        for card_id in theme.card_ids:
            placed[card_id] = placed.get(card_id, 0) + 1
    return sum(count - 1 for count in placed.values())


def contradicting_segments(units: Sequence[IdeaUnit], cleaned: Sequence[CleanText], category: str) -> list[EditorFlag]:
    """Segments of split cards whose words say the opposite of their category (forces and faiblesses only)."""
    if category not in _CONTRADICTIONS:
        return []
    marks, reason = _CONTRADICTIONS[category]
    flags = []
    for unit, text in zip(units, cleaned):
        if not unit.segment:
            continue
        words = {word.casefold() for word in text.text.replace("'", "' ").split()} | set(text.lemmas)
        found = words & marks
        if category == "faiblesses" and words & _NEGATIONS:
            found = set()  # « pas assez de bonnes pratiques » is still a weakness
        if found:
            flags.append(EditorFlag(unit.id, unit.card_id, unit.text, f"« {unit.text} » {reason}"))
    return flags
