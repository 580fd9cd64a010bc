"""The choice of grain: which Leiden resolution gives a category's themes.

A workshop category holds cards that answer one question and differ by idea, so the
themes should be at the grain of ideas, about one for every CARDS_PER_IDEA cards (one
card per group and idea in a 9-group workshop). Modularity at one fixed resolution does
not follow that: its number of themes grows more slowly than the cards (makeorg idea
draws: 5 themes for 5 ideas at 34 texts, 7.3 for 9.9 at 83, 8.3 for 13.8 at 109).

``choose_grain`` scans the resolutions BASE_RESOLUTION x 2**step, step in GRAIN_STEPS
(coarse to fine, stopping once the target is reached), and keeps the consensus partition
whose number of themes is closest (in ratio) to the target min(n / CARDS_PER_IDEA,
MAX_TARGET_THEMES); ties go to the coarser. The cap keeps a compte rendu readable; above
LARGE_INPUT texts (a whole survey or consultation) only the base resolution is used, the
grain of topics.
``--granularity`` shifts the chosen resolution by 2**granularity.

Measured (scripts/bench_quality.py and the issue-19 note; makeorg idea draws, ARI / themes
found over gold): standard 8-12 ideas x 12 .477 / 0.74 -> .488 / 0.92; 12-15 x 10
.378 / 0.60 -> .430 / 0.87; 4-6 x 8 .656 / 1.02 -> .665 / 1.00. Alternatives measured
and dropped: stability-based choices (agreement of the Leiden runs with their consensus,
pairwise agreement of the runs, PAC, the most stable plateau between neighbouring
resolutions) were no better than a fixed resolution 0.5 finer and pushed sib200 draws to
1.6-1.9x their gold count; a fixed shift of +0.5 over-splits small walls (1.23x).

``forced_partition`` (``--themes N``) bisects the resolution for the coarsest consensus
partition with N themes of minimal size, then merges the closest centroids down to N.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from synthesis.cluster.partition import dissolve_small, graph_partition, merge_to, min_theme_size, n_themes_of

BASE_RESOLUTION = 1.7  # modularity resolution of the coarsest step: calibrated on consultation draws and the workshop demo (see the issue notes)
GRAIN_STEPS = (0.0, 0.25, 0.5, 0.75, 1.0)  # resolution steps tried, in powers of 2 above BASE_RESOLUTION
CARDS_PER_IDEA = 9  # target theme size: the held-out consultation draws have ~9.3 proposals per idea, the demo ~10 cards per theme
MAX_TARGET_THEMES = 11  # no more themes aimed at, whatever the size of the category (12 cost semeval's whole-set NMI .023)
#: above this many texts a category is a collection (a survey, a whole consultation), read at the grain of
#: topics: only the base resolution (the idea grain cost makeorg's whole-set stability .817 -> .760)
LARGE_INPUT = 200
FORCED_BISECTIONS = 3  # resolution bisections for --themes N: the bracket narrows from 1.5x to 1.05x


@dataclass(frozen=True)
class Grain:
    """Why a category has this many themes: the resolution kept and the figures that chose it."""

    resolution: float | None  # None: no partition was searched (one theme, or one per distinct text)
    n_themes: int
    rule: str  # "automatic", "forced" or "too few texts"
    n_texts: int = 0
    target: float | None = None  # themes aimed at (automatic rule)
    granularity: float = 0.0
    #: resolution tried -> themes found there (automatic rule), coarse to fine
    tried: dict[float, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        """Plain data for the result and themes.json, with a French sentence for the editor."""
        automatic = self.rule == "automatic"
        return {
            "rule": self.rule,
            "resolution": None if self.resolution is None else round(self.resolution, 3),
            "n_themes": self.n_themes,
            "n_texts": self.n_texts,
            "target_themes": None if self.target is None else round(self.target, 1),
            "texts_per_theme_aimed_at": CARDS_PER_IDEA if automatic else None,
            "max_themes_aimed_at": MAX_TARGET_THEMES if automatic else None,
            "granularity": self.granularity,
            "tried": [{"resolution": round(r, 3), "n_themes": k} for r, k in self.tried.items()],
            "explanation": self.explanation(),
        }

    def explanation(self) -> str:
        if self.rule == "forced":
            return f"{self.n_themes} thèmes : nombre demandé (--themes)."
        if self.rule != "automatic":
            return f"{self.n_themes} thème(s) : trop peu d'idées distinctes ({self.n_texts}) pour en former davantage."
        if self.n_texts > LARGE_INPUT:
            return (
                f"{self.n_themes} thèmes : au-delà de {LARGE_INPUT} idées, la catégorie est lue au grain des sujets "
                f"(résolution de base {_fr(self.resolution, 2)})."
            )
        tried = ", ".join(f"{_fr(r, 2)} → {k}" for r, k in self.tried.items())
        said = (
            f"{self.n_themes} thèmes : des résolutions essayées (résolution → thèmes : {tried}), celle retenue donne le nombre "
            f"le plus proche de la cible, {_fr(self.target, 1)} thèmes (environ un pour {CARDS_PER_IDEA} idées sur "
            f"{self.n_texts}, au plus {MAX_TARGET_THEMES})"
        )
        if self.granularity:
            said += f", puis décalée par --granularity {_fr(self.granularity, 2)} (résolution {_fr(self.resolution, 2)})"
        return said + "."


def _fr(value: float, digits: int) -> str:
    """2.4 -> '2,4' (French decimal comma, trailing zeros dropped)."""
    return f"{value:.{digits}f}".rstrip("0").rstrip(".").replace(".", ",")


def choose_grain(
    graphs, xs: np.ndarray, inv: np.ndarray, granularity: float, random_state: int, *, partition=graph_partition, centroid_sims=None
) -> tuple[np.ndarray, Grain]:
    """kNN graphs of the distinct rows, (n, d) rows, (n,) row -> distinct row -> ((n,) labels, Grain).

    The partition at the step whose theme count is closest to the target, then shifted by
    granularity (one more consensus when granularity is not 0). The large-category path
    passes its own ``partition`` and ``centroid_sims`` (see ``dissolve_small``) and, as xs,
    an object whose len() is the number of texts.
    """
    n = len(xs)
    target = min(n / CARDS_PER_IDEA, MAX_TARGET_THEMES)

    def partition_at(step: float) -> np.ndarray:
        labels = partition(graphs, BASE_RESOLUTION * 2.0**step, random_state)[inv]
        return dissolve_small(xs, labels, min_theme_size(n, step), centroid_sims=centroid_sims)

    found: dict[float, np.ndarray] = {}
    for step in GRAIN_STEPS if n <= LARGE_INPUT else GRAIN_STEPS[:1]:
        found[step] = partition_at(step)
        if n_themes_of(found[step]) >= target:
            break
    step = min(found, key=lambda s: (abs(np.log(n_themes_of(found[s]) / target)), s))
    labels = found[step] if granularity == 0 else partition_at(step + granularity)
    tried = {BASE_RESOLUTION * 2.0**s: n_themes_of(found[s]) for s in found}
    grain = Grain(BASE_RESOLUTION * 2.0 ** (step + granularity), n_themes_of(labels), "automatic", n, target, granularity, tried)
    return labels, grain


def forced_partition(
    graphs, inv: np.ndarray, xs: np.ndarray, k: int, random_state: int, *, partition=graph_partition, centroid_sims=None, merge=None
) -> tuple[np.ndarray, Grain]:
    """Exactly k themes (k <= distinct rows). graphs: kNN graphs of the distinct rows, inv (n,) row -> distinct row.

    Bisects the Leiden resolution for the coarsest consensus partition with at least k
    themes of minimal size, then merges the closest centroids down to k. Measured against
    merging straight from the default resolution (whole eval sets at their gold k):
    ARI .391 -> .454 on average, workshop draws .330 -> .362. The large-category path passes
    its own ``partition``, ``centroid_sims`` and ``merge(labels, k)`` (see ``choose_grain``).
    """
    merge = merge or (lambda labels, k: merge_to(xs, labels, k))
    if k == 1:
        return np.zeros(len(xs), dtype=int), Grain(None, 1, "forced", len(xs))
    if k >= graphs[0].shape[0]:
        return inv.copy(), Grain(None, k, "forced", len(xs))
    min_size = min_theme_size(len(xs), granularity=0.0)  # --granularity has no say over a forced count
    partitions: dict[float, np.ndarray] = {}

    def n_themes_at(resolution: float) -> int:
        if resolution not in partitions:
            labels = partition(graphs, resolution, random_state)[inv]
            partitions[resolution] = dissolve_small(xs, labels, min_size, centroid_sims=centroid_sims)
        return len(np.unique(partitions[resolution]))

    low, high = _bracket(n_themes_at, k)
    if high is None:  # not reached in practice: high resolutions give singletons
        return merge(inv.copy(), k), Grain(None, k, "forced", len(xs))
    for _ in range(FORCED_BISECTIONS):
        if n_themes_at(high) == k:
            break
        middle = np.sqrt(low * high)
        if n_themes_at(middle) >= k:
            high = middle
        else:
            low = middle
    return merge(partitions[high], k), Grain(high, k, "forced", len(xs))


def _bracket(n_themes_at, k: int) -> tuple[float, float | None]:
    """-> (low, high) resolutions with n_themes_at(low) < k <= n_themes_at(high) (high None: never reached)."""
    step = 1.5
    if n_themes_at(BASE_RESOLUTION) >= k:
        high = BASE_RESOLUTION
        for _ in range(12):
            low = high / step
            if n_themes_at(low) < k:
                return low, high
            high = low
        return high / step, high  # even the coarsest tried gives >= k: merge from there
    low = BASE_RESOLUTION
    for _ in range(12):
        high = low * step
        if n_themes_at(high) >= k:
            return low, high
        low = high
    return low, None
