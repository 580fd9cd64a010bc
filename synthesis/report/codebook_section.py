"""French wording of the « Grille de thèmes appliquée » section: what ``synth apply`` did with the codebook.

Per category, how many new cards joined each codebook theme (none included), and the new
themes; a category the codebook lacks is said to be built from scratch. Pure functions of
``Synthesis.codebook`` and the categories; empty for a run that did not use a codebook.
"""

from __future__ import annotations

from synthesis.french import plural
from synthesis.report.wording import category_title
from synthesis.result import CategoryResult, Synthesis

CODEBOOK_TITLE = "Grille de thèmes appliquée"
METHOD_WORDS = {
    "knn": "auquel appartiennent la plupart des cartes de la grille les plus proches d'elle par le sens",
    "centre": "de la grille dont elle est la plus proche par le sens",
}


def codebook_intro(synthesis: Synthesis) -> str:
    use = synthesis.codebook
    if use is None:
        return ""
    how = METHOD_WORDS.get(use.method, METHOD_WORDS["knn"])
    share = f" (le seuil de chaque thème écarterait {round(use.quantile * 100)} % de ses propres cartes)" if use.quantile else ""
    return (
        f"Les cartes de cet export ont été classées dans les thèmes d'une grille déjà relue : « {use.title} » "
        f"(export « {use.source} »). Chaque carte rejoint le thème {how}, si elle lui ressemble au moins autant que "
        f"la plupart des cartes de ce thème entre elles{share}. Les cartes qui ne rejoignent aucun thème de la grille "
        "forment de nouveaux thèmes, marqués « nouveau », ou restent des idées isolées."
    )


def category_counts_line(synthesis: Synthesis, category: CategoryResult, *, titled: bool = True) -> str:
    """« Forces : 40 cartes, 31 dans 9 thèmes de la grille, 2 nouveaux thèmes (6 cartes), 3 idées isolées »."""
    title = category_title(category.category) + " : " if titled else ""
    themes = category.themes + category.hidden_themes
    isolated = sum(t.n_cards for t in themes if t.isolated)
    new = [t for t in themes if t.new]
    head = f"{title}{plural(category.n_cards, 'carte')}"
    head = head[:1].upper() + head[1:]
    if synthesis.codebook is not None and category.category in synthesis.codebook.new_categories:
        return (f"{head}, rubrique absente de la grille : {plural(len(new), 'thème construit', 'thèmes construits')} "
                f"à partir de zéro, {plural(isolated, 'idée isolée', 'idées isolées')}")
    joined = [t for t in themes if not t.isolated and not t.new]
    return (
        f"{head}, {sum(t.n_cards for t in joined)} dans {plural(len(joined), 'thème')} de la grille, "
        f"{plural(len(new), 'nouveau thème', 'nouveaux thèmes')} ({plural(sum(t.n_cards for t in new), 'carte')}), "
        f"{plural(isolated, 'idée isolée', 'idées isolées')}"
    )


def codebook_lines(synthesis: Synthesis, category: CategoryResult) -> list[str]:
    """One line per codebook theme of the category (how many new cards joined it), then one per new theme."""
    use = synthesis.codebook
    if use is None:
        return []
    lines = []
    for theme in (t for t in use.themes if t.category == category.category):
        joined = plural(theme.joined, "nouvelle carte", "nouvelles cartes") if theme.joined else "aucune nouvelle carte"
        hidden = ", thème masqué dans la grille" if theme.hidden else ""
        lines.append(f"« {theme.label} » : {joined} ({plural(theme.codebook_cards, 'carte')} dans la grille{hidden})")
    for theme in (t for t in category.themes + category.hidden_themes if t.new):
        people = plural(theme.n_groups, "répondant") if synthesis.survey is not None else plural(theme.n_groups, "groupe")
        lines.append(f"Nouveau : « {theme.label} » ({plural(theme.n_cards, 'carte')}, {people})")
    return lines


def codebook_categories(synthesis: Synthesis) -> list[tuple[CategoryResult, str, list[str]]]:
    """(category, its counts line, its lines) for every category, when the run used a codebook; else []."""
    if synthesis.codebook is None:
        return []
    return [(category, category_counts_line(synthesis, category, titled=False), codebook_lines(synthesis, category)) for category in synthesis.categories]
