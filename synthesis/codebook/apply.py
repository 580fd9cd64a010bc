"""``synth apply``: a reviewed run is the codebook; a new export's cards are classified into its themes.

The new cards go through the pipeline's own stages (split, clean, embed, summarise); only
the clustering of each category is replaced: a unit joins the codebook theme it is closest
to when its score clears that theme's calibrated threshold (``assign``), and the units
that join none are clustered by the usual method into new themes, marked « nouveau ». A
category the codebook lacks is clustered from scratch. Codebook themes keep their ids and
labels (the editor's, corrections applied); new themes get ids no codebook theme has had.
"""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np

from synthesis.cards import CardSet, InputError
from synthesis.cluster import Clustering
from synthesis.cluster.partition import MIN_THEME_SIZE
from synthesis.codebook.assign import KNN, QUANTILE, CategoryCodebook, category_codebook, classify
from synthesis.corrections.match import _fresh_id
from synthesis.pipeline import Settings, default_clustering, synthesize, theme_id_prefixes
from synthesis.result import ISOLATED_LABEL, CodebookTheme, CodebookUse, Synthesis, Theme


def run_fingerprint(synthesis: Synthesis) -> str:
    """A run's identity, from its cards' ids and texts: tells ``synth compare`` that a run was applied from another."""
    digest = hashlib.sha1()
    for card_id, text in sorted((card.id, card.text) for card in synthesis.cards):
        digest.update(f"{card_id}\x1f{text}\x1e".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:16]


def check_codebook(codebook: Synthesis, model: str | None, where: str) -> None:
    """A codebook that cannot classify new cards with this model: one French line (InputError)."""
    if model is not None and model != codebook.embedder:
        raise InputError(
            f"{where} : la grille a été construite avec le modèle « {codebook.embedder} », pas « {model} » ; "
            f"relancez sans --model ou avec --model {codebook.embedder}"
        )
    if codebook.unit_vectors is None or len(codebook.unit_vectors) != len(codebook.units):
        raise InputError(f"{where} : le résultat enregistré n'a pas les vecteurs des cartes ; relancez synth cluster sur ce dossier")


def apply_codebook(codebook: Synthesis, card_set: CardSet, settings: Settings | None = None, *, method: str = KNN,
                   quantile: float = QUANTILE, **run_options) -> Synthesis:
    """The new cards' synthesis, in the codebook's themes where they fit (``run_options`` go to ``synthesize``).

    ``codebook`` is a run's result with its editor's corrections applied; ``settings.model``
    must be the codebook's model (by default it is).
    """
    settings = settings or Settings(model=codebook.embedder)
    check_codebook(codebook, settings.model, str(codebook.source))
    grids = codebook_grids(codebook, method=method, quantile=quantile)
    classifier = _Classifier(grids)
    run = synthesize(card_set, settings, cluster_category=classifier, **run_options)
    return _in_codebook_themes(run, codebook, classifier, method, quantile)


@dataclasses.dataclass(frozen=True)
class Grid:
    """A category of the codebook: what to classify into, and the themes' labels and states."""

    classifier: CategoryCodebook
    themes: list[Theme]
    hidden: frozenset[str]
    #: (a, d) unit vectors of the category's isolated ideas: a new card like one of them is an aside again.
    asides: np.ndarray | None = None


def codebook_grids(codebook: Synthesis, *, method: str = KNN, quantile: float = QUANTILE) -> dict[str, Grid]:
    """Category -> its grid: every theme with cards (hidden ones too), isolated buckets left out."""
    row = {unit.id: i for i, unit in enumerate(codebook.units)}
    vectors = np.asarray(codebook.unit_vectors, dtype=float)
    grids = {}
    for category in codebook.categories:
        themes = [t for t in category.themes + category.hidden_themes if not t.isolated and t.unit_ids]
        members = [vectors[[row[u] for u in theme.unit_ids]] for theme in themes]
        asides = [row[u] for t in category.themes if t.isolated for u in t.unit_ids]
        grids[category.category] = Grid(category_codebook([t.id for t in themes], members, method=method, quantile=quantile),
                                        themes, frozenset(t.id for t in category.hidden_themes), vectors[asides] if asides else None)
    return grids


class _Classifier:
    """The pipeline's clustering seam: per category, codebook themes first, new themes for the rest.

    Remembers, per category, the theme id (None: a new theme) behind each label it gave,
    and the labels in the order of the category's units.
    """

    def __init__(self, grids: dict[str, Grid]) -> None:
        self.grids = grids
        self.origins: dict[str, dict[int, str | None]] = {}
        self.labels: dict[str, np.ndarray] = {}

    def __call__(self, category, vectors, lemmas, vocabularies, settings) -> Clustering:
        grid = self.grids.get(category)
        if grid is None or not grid.themes:
            clustering = default_clustering(category, vectors, lemmas, vocabularies, settings)
            self.origins[category] = {label: None for label in set(clustering.labels.tolist()) - {-1}}
            self.labels[category] = np.asarray(clustering.labels)
            return clustering
        found = classify(vectors, grid.classifier)
        aside = _like_an_aside(vectors, grid)
        labels = np.where(found.accepted & ~aside, found.best, -1)
        fit = np.clip(found.score, 0.0, 1.0)
        rest = np.flatnonzero(~found.accepted & ~aside)
        k = len(grid.themes)
        method = f"codebook: {grid.classifier.method}"
        grain: dict = {}
        if len(rest):
            new = default_clustering(category, vectors[rest], [lemmas[i] for i in rest], vocabularies, settings)
            sizes = np.bincount(new.labels[new.labels >= 0], minlength=1)
            # A « new theme » of one or two cards is an aside, not a theme the codebook missed.
            kept = np.array([label >= 0 and sizes[label] >= MIN_THEME_SIZE for label in new.labels], dtype=bool)
            labels[rest] = np.where(kept, k + new.labels, -1)
            fit[rest] = new.fit
            method += f" + new themes by {new.method}"
            grain = new.grain
        self.origins[category] = {label: (grid.themes[label].id if label < k else None) for label in set(labels.tolist()) - {-1}}
        self.labels[category] = labels
        return Clustering(labels, fit, len(self.origins[category]), method, grain)


def _like_an_aside(vectors: np.ndarray, grid: Grid) -> np.ndarray:
    """(n,) bool: closer to one of the codebook's isolated ideas than to any theme's card, and as close as a
    theme asks of a newcomer (its lowest threshold): the codebook already set that idea aside."""
    if grid.asides is None or not len(vectors):
        return np.zeros(len(vectors), dtype=bool)
    x = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    to_asides = (x @ grid.asides.T).max(axis=1)
    to_themes = (x @ grid.classifier.member_vectors.T).max(axis=1)
    return (to_asides > to_themes) & (to_asides >= grid.classifier.thresholds.min())


def _in_codebook_themes(run: Synthesis, codebook: Synthesis, classifier: _Classifier, method: str, quantile: float) -> Synthesis:
    """The run with codebook themes under their codebook id and label, new themes marked and numbered apart."""
    from synthesis.crossread import cross_read, theme_centres

    prefixes = _prefixes(codebook, run)
    used = set(codebook.former_theme_ids) | {t.id for c in codebook.categories for t in c.themes + c.hidden_themes}
    renames: dict[str, Theme] = {}
    categories = []
    for category in run.categories:
        grid = classifier.grids.get(category.category)
        order = {unit.id: i for i, unit in enumerate(u for u in run.units if u.category == category.category)}
        labels, origins = classifier.labels[category.category], classifier.origins[category.category]
        shown, hidden = [], []
        for theme in category.themes:
            renamed = _renamed_theme(theme, origins.get(int(labels[order[theme.unit_ids[0]]])) if not theme.isolated else None,
                                     grid, prefixes[category.category], used)
            used.add(renamed.id)
            renames[theme.id] = renamed
            (hidden if grid is not None and renamed.id in grid.hidden else shown).append(renamed)
        categories.append(_category_result(category, shown, hidden, run.n_groups, survey=run.survey is not None))
    placements = {
        unit_id: dataclasses.replace(p, theme_id=renames[p.theme_id].id, theme_label=renames[p.theme_id].label)
        for unit_id, p in run.placements.items()
    }
    joined = {theme.id: theme.n_cards for category in categories for theme in category.themes + category.hidden_themes}
    use = CodebookUse(
        source=codebook.source.name,
        title=codebook.title,
        fingerprint=run_fingerprint(codebook),
        themes=[
            CodebookTheme(theme.id, category, theme.label, theme.n_cards, joined.get(theme.id, 0),
                          round(float(grid.classifier.thresholds[i]), 4), theme.id in grid.hidden)
            for category, grid in classifier.grids.items() if category in {c.category for c in run.categories}
            for i, theme in enumerate(grid.themes)
        ],
        new_categories=[c.category for c in run.categories if c.category not in classifier.grids],
        method=method,
        quantile=quantile,
    )
    units = [unit.id for unit in run.units]
    return dataclasses.replace(
        run,
        categories=categories,
        placements=placements,
        cross_reading=cross_read(categories, theme_centres(categories, units, run.unit_vectors)),
        former_theme_ids=sorted(used - set(joined)),
        codebook=use,
    )


def _renamed_theme(theme: Theme, origin: str | None, grid: Grid | None, prefix: str, used: set[str]) -> Theme:
    if theme.isolated:
        return dataclasses.replace(theme, id=f"{prefix}-isolees", label=ISOLATED_LABEL)
    if origin is not None:
        source = next(t for t in grid.themes if t.id == origin)
        # The codebook's label is the editor's; the keywords and quotes are the new cards', and so is any
        # note an editor adds (a note on last year's cards is left with them).
        return dataclasses.replace(theme, id=source.id, label=source.label, label_support=0.0)
    return dataclasses.replace(theme, id=_fresh_id(f"{prefix}-00", used), new=True)


def _category_result(category, shown: list[Theme], hidden: list[Theme], n_groups: int, *, survey: bool = False):
    """The category with its themes ranked again and its summary naming the codebook's labels (a survey's: respondents)."""
    from synthesis.summarise import category_summary, rank_themes

    ranked = rank_themes([t for t in shown if not t.isolated]) + [t for t in shown if t.isolated]
    result = dataclasses.replace(category, themes=ranked, hidden_themes=hidden)
    result.summary = category_summary(result, result.n_respondents, survey=True) if survey else category_summary(result, n_groups)
    return result


def _prefixes(codebook: Synthesis, run: Synthesis) -> dict[str, str]:
    """Category -> theme id prefix: the codebook's own for its categories, one it does not use for the others."""
    prefixes = {c.category: (c.themes + c.hidden_themes)[0].id.rsplit("-", 1)[0]
                for c in codebook.categories if c.themes + c.hidden_themes}
    for category, prefix in theme_id_prefixes([c.category for c in run.categories]).items():
        if category not in prefixes:
            base, suffix = prefix, 2
            while prefix in prefixes.values():
                prefix, suffix = f"{base}-{suffix}", suffix + 1
            prefixes[category] = prefix
    return prefixes
