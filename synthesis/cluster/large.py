"""Theme clustering of large categories (thousands to 100,000 texts) without any n x n structure.

The default method (``cluster.cluster_embeddings``) builds kNN graphs and a consensus
over distinct texts; its cost grows faster than the texts (10,000 texts: 2 min 30 s and
4.9 GB; 30,000 did not finish in 17 min at 14 GB). Above ``LARGE_CATEGORY`` texts the
pipeline comes here instead:

1. micro-clusters: mini-batch k-means on the unit sentence embeddings, about
   ``MICRO_SIZE`` texts each, at most ``MAX_MICRO`` of them (memory n x d, time
   n x micro-clusters);
2. the micro-clusters' centres (mean sentence vector, mean lemma TF-IDF row from a
   sparse matrix, mean keyword views) go through the default method unchanged;
3. each text takes its micro-cluster's theme; then, at the level of texts as the
   default method does it: themes below ``max(3, 2 % of n)`` texts are dissolved into
   the nearest centroid (so a theme's weight is its number of texts, not of centres),
   and texts below the Tukey fence of the fit distribution are isolated (-1).

Every step is linear in n (the centres' consensus costs what the default method costs
on ``MAX_MICRO`` texts). Agreement with the default method where both run, and times,
are printed by ``scripts/bench_large_agreement.py`` and ``scripts/bench_speed.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from synthesis.cluster import Clustering, cluster_embeddings
from synthesis.cluster.isolate import TUKEY
from synthesis.cluster.partition import dissolve_small, min_theme_size

#: Categories with more texts than this take the micro-cluster path (see the module docstring). Set where
#: the default method stops being practical (10,000 texts: 2 min 30 s, 4.9 GB) rather than lower: where both
#: run, this path agrees with it at ARI .42-.52 only and loses .05-.07 of ARI against gold labels.
LARGE_CATEGORY = 10_000
#: Texts per micro-cluster aimed at, and the most micro-clusters (the default method's cost on the centres).
MICRO_SIZE = 4
MAX_MICRO = 1500
#: Added to the granularity of the default method's pass over the centres (averaged centres are smoother than texts).
CENTRE_GRANULARITY = 0.0
MICRO_ITERATIONS = 6  # Lloyd steps of the micro-clusters' k-means
MICRO_SAMPLE = 30  # rows per centre those steps run on
_ROW_BLOCK = 8192  # texts scored against the centroids at once


def n_micro_clusters(n: int) -> int:
    return int(min(MAX_MICRO, max(2, n // MICRO_SIZE)))


def cluster_large(
    embeddings: np.ndarray,
    lemmas: Sequence[tuple[str, ...]],
    *,
    lexical_weight: float,
    keyword_views: Sequence[np.ndarray] = (),
    n_themes: int | None = None,
    granularity: float = 0.0,
    random_state: int = 0,
    n_micro: int | None = None,
) -> Clustering:
    """Same result type as ``cluster_embeddings``, from the raw sentence embeddings and each text's content lemmas.

    lexical_weight plays the role of ``cluster.lexical_space``'s weight (the lemma
    TF-IDF is kept sparse here); n_micro overrides the number of micro-clusters (tests
    and the agreement measure).
    """
    emb = _unit_rows(np.asarray(embeddings, dtype=np.float32))
    n = len(emb)
    tfidf = _sparse_tfidf(lemmas) if lexical_weight > 0 else None
    micro = micro_clusters(emb, n_micro or n_micro_clusters(n), random_state)
    mean = _mean_operator(micro)
    centres = _unit_rows(np.asarray(mean @ emb, dtype=np.float64))
    if tfidf is not None:
        centres = np.hstack([np.sqrt(1.0 - lexical_weight) * centres, np.sqrt(lexical_weight) * (mean @ tfidf).toarray()])
    centre_views = [np.asarray(mean @ np.asarray(view, dtype=np.float32), dtype=np.float64) for view in keyword_views]
    on_centres = cluster_embeddings(centres, keyword_views=centre_views, n_themes=n_themes,
                                    granularity=granularity + CENTRE_GRANULARITY, random_state=random_state)
    labels = np.asarray(on_centres.labels)[micro]
    space = _LexicalSpace(emb, tfidf, lexical_weight)
    if n_themes is None:
        labels = _reassign_isolated(space, labels)
        labels = dissolve_small(None, labels, min_theme_size(n, granularity), centroid_sims=space.centroid_sims)
    labels, fit = _fit_and_isolate(space, labels, isolate=n_themes is None)
    labels = _renumber(labels)
    method = on_centres.method + f" on {int(micro.max()) + 1} k-means micro-clusters"
    method += " + reassign + Tukey isolation" if n_themes is None and "Tukey" not in method else ""
    n_found = int(labels.max() + 1) if (labels >= 0).any() else 0
    return Clustering(labels, fit, n_found, method, grain=getattr(on_centres, "grain", {}))  # figures of the pass over the centres


def micro_clusters(x: np.ndarray, k: int, seed: int) -> np.ndarray:
    """(n, d) unit rows -> (n,) micro-cluster of each row, 0..k'-1 (empty ones dropped), reproducible for a seed.

    Spherical k-means on a sample of about ``MICRO_SAMPLE`` rows per centre (k-means++
    start with one trial per centre, Lloyd steps), then one assignment of every row: time
    n x k x d. scikit-learn's MiniBatchKMeans took 288 s for 1,250 centres of 5,000 texts
    on the loaded 2-core machine (this: about 4 s); a random start instead of k-means++
    lowered the agreement with the default path (see scripts/bench_large_agreement.py).
    """
    from sklearn.cluster import kmeans_plusplus

    rng = np.random.default_rng(seed)
    k = int(min(k, len(x)))
    sample = x if len(x) <= MICRO_SAMPLE * k else x[np.sort(rng.choice(len(x), size=MICRO_SAMPLE * k, replace=False))]
    centres, _ = kmeans_plusplus(sample, k, random_state=seed, n_local_trials=1)
    for _ in range(MICRO_ITERATIONS):
        labels = _nearest(sample, centres)
        sums = np.asarray(_mean_operator(labels, k) @ sample, dtype=np.float32)
        filled = np.bincount(labels, minlength=k) > 0
        centres = np.where(filled[:, None], _unit_rows(sums), centres)  # an empty centre stays where it was
    _, labels = np.unique(_nearest(x, centres), return_inverse=True)
    return labels.ravel()


def _nearest(x: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """(n, d), (k, d) unit rows -> (n,) index of each row's most similar centre, in blocks of rows."""
    return np.concatenate([np.argmax(x[start : start + _ROW_BLOCK] @ centres.T, axis=1) for start in range(0, len(x), _ROW_BLOCK)])


class _LexicalSpace:
    """The texts as ``lexical_space`` would make them, without making the TF-IDF part dense.

    A row is [sqrt(1 - w) e, sqrt(w) t] with e the unit embedding and t the unit TF-IDF row.
    """

    def __init__(self, emb: np.ndarray, tfidf: sparse.csr_matrix | None, weight: float):
        self.emb, self.tfidf, self.weight = emb, tfidf, weight if tfidf is not None else 0.0

    def __len__(self) -> int:
        return len(self.emb)

    def centroid_sims(self, labels: np.ndarray, themes: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """-> (rows, k) cosine of each text (all, or ``rows``) to the unit centroid of each theme (labels in themes)."""
        member = np.isin(labels, themes)
        index = np.searchsorted(themes, labels[member])
        op = sparse.csr_matrix((np.ones(member.sum()), (index, np.flatnonzero(member))), shape=(len(themes), len(labels)))
        op = sparse.diags(1.0 / np.maximum(np.asarray(op.sum(axis=1)).ravel(), 1)) @ op
        c_emb = np.asarray(op @ self.emb, dtype=np.float64) * np.sqrt(1.0 - self.weight)
        parts = [c_emb]
        if self.weight > 0:
            c_lex = np.asarray((op @ self.tfidf).toarray()) * np.sqrt(self.weight)
            parts.append(c_lex)
        norms = np.sqrt(sum((part**2).sum(axis=1) for part in parts))
        norms = np.where(norms > 0, norms, 1.0)
        rows = np.arange(len(labels)) if rows is None else rows
        out = np.empty((len(rows), len(themes)))
        for start in range(0, len(rows), _ROW_BLOCK):
            block = rows[start : start + _ROW_BLOCK]
            s = (self.emb[block].astype(np.float64) * np.sqrt(1.0 - self.weight)) @ c_emb.T
            if self.weight > 0:
                s += np.asarray(self.tfidf[block] @ c_lex.T) * np.sqrt(self.weight)
            out[start : start + len(block)] = s / norms
        return out


def _reassign_isolated(space: _LexicalSpace, labels: np.ndarray) -> np.ndarray:
    """Texts of micro-clusters left isolated among the centres go to the nearest theme (isolation is decided per text later)."""
    labels = labels.copy()
    lost = np.flatnonzero(labels < 0)
    themes = np.unique(labels[labels >= 0])
    if len(lost) and len(themes):
        labels[lost] = themes[np.argmax(space.centroid_sims(labels, themes, lost), axis=1)]
    elif len(lost):
        labels[:] = 0
    return labels


def _fit_and_isolate(space: _LexicalSpace, labels: np.ndarray, isolate: bool) -> tuple[np.ndarray, np.ndarray]:
    """-> (labels with isolated texts at -1, fit in [0, 1]): the default method's rule, on texts."""
    themes = np.unique(labels[labels >= 0])
    sims = space.centroid_sims(labels, themes)
    own = sims[np.arange(len(labels)), np.searchsorted(themes, labels)]
    return isolate_by_fit(labels, themes, own, sims.max(axis=1), isolate)


def isolate_by_fit(labels: np.ndarray, themes: np.ndarray, own: np.ndarray, best: np.ndarray, isolate: bool) -> tuple[np.ndarray, np.ndarray]:
    """From each text's cosine to its own theme's centroid and to the nearest one: Tukey isolation and the fit
    (also called by the Dask engine, which computes own and best per partition)."""
    labels = labels.copy()
    if isolate and len(labels) >= 10:
        q1, q3 = np.percentile(own, [25, 75])
        far = best < q1 - TUKEY * (q3 - q1)
        for t in themes:  # never empty a theme by isolation
            members = labels == t
            if far[members].all():
                far[members] = False
        labels[far] = -1
    return labels, np.clip(np.where(labels >= 0, own, best), 0.0, 1.0)


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Themes numbered 0..k-1 by decreasing size, ties by smallest member index; -1 kept."""
    themes = np.unique(labels[labels >= 0])
    counts = np.array([(labels == t).sum() for t in themes])
    firsts = np.array([np.argmax(labels == t) for t in themes])
    order = themes[np.lexsort((firsts, -counts))]
    lookup = np.full(int(labels.max()) + 2 if len(themes) else 1, -1)
    lookup[order] = np.arange(len(order))
    return np.where(labels >= 0, lookup[labels], -1)


def _unit_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


def _sparse_tfidf(lemmas: Sequence[tuple[str, ...]]) -> sparse.csr_matrix | None:
    """The lemma TF-IDF of ``cluster.lexical_space`` (sublinear, lemmas of at least two texts, unit rows), kept sparse."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        return TfidfVectorizer(analyzer=list, sublinear_tf=True, min_df=2).fit_transform(list(lemmas)).tocsr()
    except ValueError:  # no lemma shared by two texts
        return None


def _mean_operator(groups: np.ndarray, n_groups: int | None = None) -> sparse.csr_matrix:
    """(n,) group of each row -> (g, n) sparse operator: operator @ X is the mean row of each group."""
    sizes = np.bincount(groups, minlength=n_groups or 0)
    return sparse.csr_matrix((1.0 / sizes[groups], (groups, np.arange(len(groups)))), shape=(len(sizes), len(groups)))
