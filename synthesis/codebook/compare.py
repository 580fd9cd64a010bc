"""``synth compare``: two runs' themes side by side, per category, ranked by how much their reach changed.

Themes are matched by id when one run was made from the other with ``synth apply`` (or both
from the same codebook): the ids are the codebook's. Otherwise they are matched as a re-run's
are (``corrections.match``: card overlap, here by card text since ids such as « 12 » recur
from export to export, then centre similarity). A theme's reach is its share of the run's
groups (« évoqué par 6 groupes sur 9 »: 67 %), of a survey question's respondents, or of the
category's cards when a run has fewer than two groups; what grew, shrank, appeared and disappeared is ranked by the change.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from synthesis.codebook.apply import run_fingerprint
from synthesis.corrections.match import match_theme_ids
from synthesis.french import plural
from synthesis.result import CategoryResult, Synthesis, Theme

SCHEMA_ID = "synth.compare/1"
GREW, SHRANK, STABLE, APPEARED, DISAPPEARED = "en hausse", "en baisse", "stable", "apparu", "disparu"
#: Least change of share (0.05: five points) for a theme to be said to grow or shrink.
MIN_CHANGE = 0.05
BY_ID, BY_CONTENT = "identifiant", "contenu"
GROUPS, RESPONDENTS, CARDS = "groupes", "répondants", "cartes"


@dataclass(frozen=True)
class ThemeChange:
    theme_id: str
    #: The label in each run ("" where the theme is absent).
    label_a: str
    label_b: str
    status: str
    #: Groups (or cards) that raised the theme, and their share of the run's groups (or of the category's cards).
    reach_a: int
    reach_b: int
    share_a: float
    share_b: float
    cards_a: int
    cards_b: int

    @property
    def label(self) -> str:
        return self.label_b or self.label_a

    @property
    def change(self) -> float:
        return self.share_b - self.share_a


@dataclass(frozen=True)
class CategoryComparison:
    category: str
    n_cards_a: int
    n_cards_b: int
    #: Ranked by the size of the change (appeared and disappeared themes by their share).
    changes: list[ThemeChange]


@dataclass(frozen=True)
class RunSide:
    title: str
    source: str
    n_cards: int
    n_groups: int


@dataclass(frozen=True)
class Comparison:
    run_a: RunSide
    run_b: RunSide
    #: GROUPS, RESPONDENTS or CARDS: what a theme's share is a share of.
    unit: str
    #: BY_ID (one run applied from the other) or BY_CONTENT.
    matched_by: str
    categories: list[CategoryComparison] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return all(change.status == STABLE for category in self.categories for change in category.changes)


def compare_runs(a: Synthesis, b: Synthesis) -> Comparison:
    """B's themes against A's: matched by id when one was applied from the other, by content otherwise."""
    if _share_codebook(a, b):
        matched_by = BY_ID
    else:
        b, _ = match_theme_ids(a, b, by_text=True)
        matched_by = BY_CONTENT
    unit = _unit(a, b)
    categories_a = {c.category: c for c in a.categories}
    categories_b = {c.category: c for c in b.categories}
    names = list(categories_a) + [name for name in categories_b if name not in categories_a]
    return Comparison(
        run_a=_side(a), run_b=_side(b), unit=unit, matched_by=matched_by,
        categories=[_category_comparison(name, categories_a.get(name), categories_b.get(name), a, b, unit) for name in names],
    )


def _unit(a: Synthesis, b: Synthesis) -> str:
    """What a theme's share is a share of: a survey's respondents to the question, a workshop's groups, else the cards."""
    if a.survey is not None and b.survey is not None:
        return RESPONDENTS
    if a.survey is None and b.survey is None and a.n_groups >= 2 and b.n_groups >= 2:
        return GROUPS
    return CARDS


def _share_codebook(a: Synthesis, b: Synthesis) -> bool:
    """One run was applied from the other, or both from the same codebook: their theme ids are the codebook's."""
    if b.codebook is not None and b.codebook.fingerprint == run_fingerprint(a):
        return True
    if a.codebook is not None and a.codebook.fingerprint == run_fingerprint(b):
        return True
    return a.codebook is not None and b.codebook is not None and a.codebook.fingerprint == b.codebook.fingerprint


def _side(run: Synthesis) -> RunSide:
    return RunSide(run.title, run.source.name, len(run.cards), run.n_groups)


def _category_comparison(name: str, in_a: CategoryResult | None, in_b: CategoryResult | None, a: Synthesis, b: Synthesis,
                         unit: str) -> CategoryComparison:
    themes_a = {t.id: t for t in (in_a.themes if in_a else []) if not t.isolated}
    themes_b = {t.id: t for t in (in_b.themes if in_b else []) if not t.isolated}
    changes = []
    for theme_id in list(themes_a) + [i for i in themes_b if i not in themes_a]:
        old, new = themes_a.get(theme_id), themes_b.get(theme_id)
        reach_a, share_a = _reach(old, in_a, a, unit)
        reach_b, share_b = _reach(new, in_b, b, unit)
        cards_a, cards_b = (old.n_cards if old else 0), (new.n_cards if new else 0)
        status = _status(old, new, share_b - share_a, _card_share(new, in_b) - _card_share(old, in_a))
        changes.append(ThemeChange(theme_id, old.label if old else "", new.label if new else "", status,
                                   reach_a, reach_b, round(share_a, 4), round(share_b, 4), cards_a, cards_b))
    changes.sort(key=lambda c: (-abs(c.change), -abs(c.cards_b - c.cards_a), c.label.casefold()))
    return CategoryComparison(name, in_a.n_cards if in_a else 0, in_b.n_cards if in_b else 0, changes)


def _reach(theme: Theme | None, category: CategoryResult | None, run: Synthesis, unit: str) -> tuple[int, float]:
    """(groups or cards that raised the theme, their share): the one place that says what a theme's reach is."""
    if theme is None:
        return 0, 0.0
    if unit == GROUPS:
        return theme.n_groups, theme.n_groups / run.n_groups
    if unit == RESPONDENTS:  # a survey theme's groups are its respondents
        return theme.n_groups, theme.n_groups / max(category.n_respondents, theme.n_groups, 1)
    return theme.n_cards, _card_share(theme, category)


def _card_share(theme: Theme | None, category: CategoryResult | None) -> float:
    return theme.n_cards / category.n_cards if theme is not None and category is not None and category.n_cards else 0.0


def _status(old: Theme | None, new: Theme | None, change: float, card_change: float) -> str:
    if old is None:
        return APPEARED
    if new is None:
        return DISAPPEARED
    # Same groups, more cards: a theme raised more often by the same groups has grown too.
    deciding = change if abs(change) >= MIN_CHANGE else card_change
    if deciding >= MIN_CHANGE:
        return GREW
    if deciding <= -MIN_CHANGE:
        return SHRANK
    return STABLE


# --- what the client reads ------------------------------------------------------------------


def comparison_document(comparison: Comparison) -> dict:
    """The JSON document (schema synth.compare/1)."""
    document = {"schema": SCHEMA_ID, **asdict(comparison), "unchanged": comparison.unchanged}
    for category, data in zip(comparison.categories, document["categories"]):
        for change, item in zip(category.changes, data["changes"]):
            item["change"] = round(change.change, 4)
    return document


def comparison_markdown(comparison: Comparison) -> str:
    from synthesis.report.markdown import escape_markdown as escape
    from synthesis.report.typography import french_spacing
    from synthesis.report.wording import category_title

    a, b = comparison.run_a, comparison.run_b
    lines = ["# Comparaison de deux synthèses", ""]
    for name, side in (("A", a), ("B", b)):
        people = plural(side.n_groups, "répondant") if comparison.unit == RESPONDENTS else plural(side.n_groups, "groupe")
        lines.append(f"- **{name}** : « {escape(side.title, line_start=False)} » (export « {escape(side.source, line_start=False)} », "
                     f"{plural(side.n_cards, 'carte')}, {people})")
    how = ("par leur identifiant : l'un des comptes rendus a été obtenu en appliquant l'autre comme grille de thèmes"
           if comparison.matched_by == BY_ID else
           "par les cartes qu'ils ont en commun, puis par la proximité de sens de leurs cartes")
    share = {GROUPS: "la part des groupes qui l'ont évoqué", RESPONDENTS: "la part des répondants à la question qui l'ont évoqué",
             CARDS: "la part des cartes de la rubrique qu'il réunit"}[comparison.unit]
    lines += ["", f"Les thèmes des deux comptes rendus sont rapprochés {how}. Pour chaque thème, on compare {share} ; "
              f"les thèmes sont classés du plus fort changement au plus faible (en hausse ou en baisse à partir de "
              f"{round(MIN_CHANGE * 100)} points).", ""]
    if comparison.unchanged:
        lines += ["**Aucun changement** : chaque thème se retrouve avec la même part dans les deux comptes rendus.", ""]
    for category in comparison.categories:
        lines += [f"## {escape(category_title(category.category), line_start=False)}", "",
                  _category_sentence(category), ""]
        if not category.changes:
            continue
        reach = {GROUPS: "Groupes", RESPONDENTS: "Répondants", CARDS: "Cartes (part)"}[comparison.unit]
        lines += [f"| Thème | Évolution | {reach} A | {reach} B | Écart | Cartes A | Cartes B |", "|---|---|---:|---:|---:|---:|---:|"]
        for change in category.changes:
            lines.append(f"| {escape(_theme_name(change), line_start=False)} | {change.status} | {_percent(change.reach_a, change.share_a, change.label_a)} "
                         f"| {_percent(change.reach_b, change.share_b, change.label_b)} | {_points(change.change)} | {change.cards_a} | {change.cards_b} |")
        lines.append("")
    return french_spacing("\n".join(lines).rstrip() + "\n")


def _theme_name(change: ThemeChange) -> str:
    if change.label_a and change.label_b and change.label_a != change.label_b:
        return f"{change.label_b} (dans A : « {change.label_a} »)"
    return change.label


def _category_sentence(category: CategoryComparison) -> str:
    if not category.n_cards_a:
        return "Rubrique absente de A : tous ses thèmes sont nouveaux."
    if not category.n_cards_b:
        return "Rubrique absente de B : tous ses thèmes ont disparu."
    counts = {status: sum(c.status == status for c in category.changes) for status in (GREW, SHRANK, APPEARED, DISAPPEARED, STABLE)}
    parts = [plural(counts[GREW], "thème en hausse", "thèmes en hausse"), plural(counts[SHRANK], "thème en baisse", "thèmes en baisse"),
             plural(counts[APPEARED], "thème apparu", "thèmes apparus"), plural(counts[DISAPPEARED], "thème disparu", "thèmes disparus"),
             plural(counts[STABLE], "thème stable", "thèmes stables")]
    return f"{plural(category.n_cards_a, 'carte')} dans A, {category.n_cards_b} dans B : " + ", ".join(parts) + "."


def _percent(reach: int, share: float, label: str) -> str:
    return f"{reach} ({round(share * 100)} %)" if label else "—"


def _points(change: float) -> str:
    points = round(change * 100)
    return "0" if points == 0 else f"{points:+d} points".replace("+1 points", "+1 point").replace("-1 points", "-1 point")
