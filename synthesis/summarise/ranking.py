"""Theme order and consensus: groups, cards, votes; transversal and specific themes; over-represented groups."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from scipy.stats import hypergeom

from synthesis.cards import group_sort_key
from synthesis.french import plural, segment_plural
from synthesis.result import SPECIFIC, TRANSVERSAL, CategoryResult, Theme

#: Family-wise error rate of the over-representation test over a theme's groups.
OVER_REPRESENTATION_ALPHA = 0.05


def rank_themes(themes: list[Theme]) -> list[Theme]:
    """By number of distinct groups, then cards, then votes (ties: label)."""
    return sorted(themes, key=lambda t: (-t.n_groups, -t.n_cards, -t.votes, t.label.casefold()))


def theme_scope(n_groups: int, total_groups: int) -> str:
    if total_groups < 3:
        return ""
    if n_groups >= math.ceil(2 * total_groups / 3):
        return TRANSVERSAL
    if n_groups <= 2:
        return SPECIFIC
    return ""


def over_represented_group(theme_groups: Sequence[str], category_groups: Sequence[str]) -> str | None:
    """The group whose share of the theme's cards is significantly above its share of the category.

    One-sided hypergeometric test per group, Bonferroni-corrected over the
    groups present in the theme, at OVER_REPRESENTATION_ALPHA.
    """
    in_theme = Counter(theme_groups)
    in_category = Counter(category_groups)
    if len(in_category) < 2 or len(in_theme) == 0:
        return None
    n_category, n_theme = len(category_groups), len(theme_groups)
    threshold = OVER_REPRESENTATION_ALPHA / len(in_theme)
    best = None
    for group, k in sorted(in_theme.items(), key=lambda item: group_sort_key(item[0])):
        p_value = hypergeom.sf(k - 1, n_category, in_category[group], n_theme)
        if p_value < threshold and (best is None or p_value < best[0]):
            best = (p_value, group)
    return best[1] if best else None


def category_summary(result: CategoryResult, total_groups: int, *, survey: bool = False) -> str:
    """One French paragraph on the leading themes, built from labels and counts only (``survey``: respondents, answers)."""
    ranked = [theme for theme in result.themes if not theme.isolated]
    if not ranked:
        return (f"Aucun thème commun ne se dégage des {plural(result.n_cards, 'réponse')} à cette question." if survey
                else f"Aucun thème commun ne se dégage des {result.n_cards} cartes de cette rubrique.")
    parts = [f"« {t.label} » ({_count_phrase(t, total_groups, survey)})" for t in ranked[:4]]
    if len(parts) == 1:
        text = f"Un thème se dégage : {parts[0]}."
    else:
        text = f"Les thèmes les plus partagés sont {', '.join(parts[:-1])} et {parts[-1]}."
    transversal = [t for t in ranked if t.scope == TRANSVERSAL]
    if transversal:
        among = f"des {segment_plural(next(iter(result.segment_values)))}" if survey else "des groupes"
        text += f" {plural(len(transversal), 'thème transversal', 'thèmes transversaux')} (au moins deux tiers {among})."
    isolated = next((t for t in result.themes if t.isolated), None)
    if isolated:
        text += f" {plural(isolated.n_cards, 'idée isolée', 'idées isolées')}."
    return text


def _count_phrase(theme: Theme, total_groups: int, survey: bool = False) -> str:
    if survey:
        return f"{plural(theme.n_groups, 'répondant')} sur {total_groups}, {plural(theme.n_cards, 'réponse')}"
    return f"{plural(theme.n_groups, 'groupe')} sur {total_groups}, {plural(theme.n_cards, 'carte')}"
