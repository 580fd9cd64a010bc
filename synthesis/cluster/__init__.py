"""Theme clustering of sentence embeddings: ``cluster_embeddings``.

Default method (chosen by measurement, see ``scripts/bench_quality.py`` and the issue notes):

0. The views (``views``): sentence embeddings with 10 % of lemma TF-IDF similarity
   mixed in, and two keyword views each mixed half and half with them; a kNN graph per
   view, k = round(sqrt(n)) neighbours (at most 30), edge weight = cosine.
1. The graph partition (``partition``): Leiden modularity consensus over 60 seeds shared
   among the views' graphs; themes below max(3, 2 % of n) texts are dissolved.
2. The choice of grain (``grain``): a few resolutions are scanned and the one whose
   number of themes is closest to one theme per 9 texts (at most 12) is kept;
   ``--granularity`` shifts it, ``--themes N`` replaces it by a search for N themes.
3. Isolation (``isolate``): asides, far from every theme, shared by no other text, or
   lonely with words off the export's topic, are labelled -1 (not with ``--themes N``).

Rows are put in a canonical (lexicographic) order first, so the partition does not
depend on the input order; the result records its grain (why this many themes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from synthesis.cluster.grain import BASE_RESOLUTION, Grain, choose_grain, forced_partition
from synthesis.cluster.isolate import fit_and_isolate
from synthesis.cluster.partition import MIN_THEME_SIZE, _average_linkage_cut, _consensus, renumber
from synthesis.cluster.views import LEXICAL_WEIGHT, keyword_view, lexical_space, mixed_views, normalise, top_k, view_graphs

__all__ = [
    "BASE_RESOLUTION",
    "LEXICAL_WEIGHT",
    "Clustering",
    "Grain",
    "cluster_embeddings",
    "keyword_view",
    "lexical_space",
    "_average_linkage_cut",
    "_consensus",
    "_top_k",
]

_top_k = top_k  # the name the tests know


@dataclass
class Clustering:
    labels: np.ndarray  # (n,) int, 0..k-1 by decreasing size, -1 = isolated idea
    fit: np.ndarray  # (n,) float in [0, 1]: cosine to own theme centroid (isolated: best centroid)
    n_themes: int
    method: str
    #: why this many themes: the resolution kept and the figures that chose it (``Grain.as_dict``)
    grain: dict = field(default_factory=dict)


def cluster_embeddings(
    embeddings: np.ndarray,
    *,
    keyword_views: Sequence[np.ndarray] = (),
    n_themes: int | None = None,
    granularity: float = 0.0,
    random_state: int = 0,
    topicality: np.ndarray | None = None,
) -> Clustering:
    """Group texts by theme.

    embeddings: (n, d) sentence embeddings (cosine geometry; rows need not be normalised).
    keyword_views: (n, d') keyword views of the same texts (see ``keyword_view``), any
        number: each adds a view, the embeddings mixed half and half with it, and the
        first consensus round's runs are shared evenly among the views' kNN graphs.
    n_themes: force exactly this many themes (capped at the number of distinct texts);
        no isolated bucket then.
    granularity: 0 = the automatic grain; -1 roughly halves, +1 roughly doubles the number of themes.
    random_state: seed of the Leiden runs (results are deterministic for a given seed).
    topicality: (n,) how close each text's words are to the export's vocabulary
        (``isolate.topicality``; NaN: no word to judge by): lets isolation set aside a
        lonely text whose words are off the export's topic. None: that rule is off.
    """
    emb = np.asarray(embeddings)
    n = emb.shape[0] if emb.ndim == 2 else 0
    setting = f"forced k={n_themes}" if n_themes is not None else f"r={BASE_RESOLUTION}x2^(grain step{granularity:+g})"
    views_said = {0: "", 1: " + keyword view"}.get(len(keyword_views), f" + {len(keyword_views)} keyword views")
    method = f"knn-leiden consensus {setting}{views_said}"
    if n == 0:
        return Clustering(np.zeros(0, dtype=int), np.zeros(0), 0, method, Grain(None, 0, "too few texts", 0).as_dict())
    x = normalise(emb)
    if n == 1:
        return Clustering(np.zeros(1, dtype=int), np.ones(1), 1, method, Grain(None, 1, "too few texts", 1).as_dict())

    # canonical order: the result does not depend on the order of the input rows
    order = np.lexsort(x.T[::-1])
    xs = x[order]
    # the graph is built on distinct rows (sorted, so still canonical): duplicated texts
    # always share a theme and cannot form a theme of copies; sizes count every copy
    uniq, first, inv = np.unique(xs, axis=0, return_index=True, return_inverse=True)
    inv = inv.ravel()
    views = mixed_views(uniq, [np.asarray(keywords)[order][first] for keywords in keyword_views])

    if n_themes is not None:
        k = int(max(1, min(n_themes, len(uniq))))  # at most one theme per distinct text
        labels, grain = forced_partition(view_graphs(views), inv, xs, k, random_state)
    elif len(uniq) < 2 * MIN_THEME_SIZE:  # too few distinct texts for two themes of minimal size
        labels, grain = np.zeros(n, dtype=int), Grain(None, 1, "too few texts", n)
    else:
        labels, grain = choose_grain(view_graphs(views), xs, inv, granularity, random_state)

    topical = None if topicality is None else np.asarray(topicality, dtype=float)[order]
    labels, fit = fit_and_isolate(xs, labels, isolate=n_themes is None, topical=topical)
    inverse = np.empty(n, dtype=int)
    inverse[order] = np.arange(n)
    labels, fit = renumber(labels[inverse]), fit[inverse]
    method += " + reassign + Tukey isolation" if n_themes is None else ""
    return Clustering(labels, fit, int(labels.max() + 1), method, grain.as_dict())
