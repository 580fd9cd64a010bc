"""French wording shared by every human-readable report."""

from __future__ import annotations

from synthesis.cards import CATEGORIES
from synthesis.french import plural
from synthesis.result import SPECIFIC, TRANSVERSAL, Synthesis, Theme

CATEGORY_TITLES = {
    "forces": "Forces",
    "faiblesses": "Faiblesses",
    "attentes": "Attentes",
    "contributions": "Contributions",
    "cartes": "Cartes",
}


def category_title(category: str) -> str:
    return CATEGORY_TITLES.get(category, category[:1].upper() + category[1:])


def theme_facts(theme: Theme, total_groups: int) -> str:
    """"Évoqué par 8 groupes sur 9 · 23 cartes · transversal · 12 gommettes"."""
    facts = [
        f"évoqué par {plural(theme.n_groups, 'groupe')} sur {total_groups}",
        plural(theme.n_cards, "carte"),
    ]
    if theme.scope == TRANSVERSAL:
        facts.append("thème transversal")
    elif theme.scope == SPECIFIC:
        facts.append("thème spécifique")
    if theme.votes:
        facts.append(plural(theme.votes, "gommette"))
    if theme.over_represented_group:
        facts.append(f"surtout porté par {theme.over_represented_group}")
    text = " · ".join(facts)
    return text[:1].upper() + text[1:]


def quote_line(text: str, group: str, *, segment_of: str = "") -> str:
    """« text » (group), with « extrait de … » when the quote is a segment of a longer card."""
    line = f"« {' '.join(text.split())} » ({group})"
    if segment_of:
        line += f", extrait de « {' '.join(segment_of.split())} »"
    return line


def run_summary(synthesis: Synthesis) -> dict[str, int]:
    placed = len({unit.card_id for unit in synthesis.units if unit.id in synthesis.placements})
    return {
        "cards_read": len(synthesis.cards) + len(synthesis.skipped_rows),
        "cards_placed": placed,
        "rows_skipped": len(synthesis.skipped_rows),
    }


def intro(synthesis: Synthesis) -> str:
    counts = run_summary(synthesis)
    categories = [category_title(c.category) for c in synthesis.categories]
    known = [c for c in synthesis.categories if c.category in CATEGORIES]
    rubriques = plural(len(categories), "rubrique")
    text = (
        f"{plural(counts['cards_placed'], 'carte')} de {plural(synthesis.n_groups, 'groupe')}, "
        f"{rubriques} ({', '.join(categories)})."
    )
    if known and len(known) < len(synthesis.categories):
        text += " Les rubriques hors des quatre catégories habituelles sont présentées telles quelles."
    return text


def skipped_warning(rows: list[int]) -> str:
    listed = ", ".join(str(row) for row in rows[:50])
    more = f" (et {len(rows) - 50} autres)" if len(rows) > 50 else ""
    return f"{plural(len(rows), 'ligne ignorée', 'lignes ignorées')} car sans texte : ligne{'s' if len(rows) > 1 else ''} {listed}{more}."


def all_warnings(synthesis: Synthesis) -> list[str]:
    warnings = list(synthesis.warnings)
    if synthesis.skipped_rows:
        warnings.append(skipped_warning(synthesis.skipped_rows))
    return warnings
