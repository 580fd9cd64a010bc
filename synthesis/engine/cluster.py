"""A large category's two-stage clustering over partitions: ``cluster.large``'s micro-cluster method, step by step.

(``cluster.large.cluster_by_micro_clusters``. The single machine's large path is now the graph method, which
agrees with this one at ARI .42-.52 only: spreading its kNN blocks and Leiden runs is left to do.)

The same steps and the same arithmetic as the single-machine large path, with every
pass over the texts run per partition and only aggregates brought to the driver:

1. the lemma vocabulary and its idf from per-partition document counts (the TF-IDF and
   the keyword views then match those fitted on the whole category);
2. micro-cluster centres: k-means++ and Lloyd steps on the same sample of rows the
   single path draws (``MICRO_SAMPLE`` rows per centre: at most 45,000 rows, bounded by
   the number of micro-clusters, not of texts); then the assignment of every text to its
   nearest centre, per partition (the n x k x d part);
3. per-partition sums per micro-cluster -> the centres (mean unit vector, mean TF-IDF
   row, mean keyword views) -> ``cluster_embeddings`` on the driver, unchanged;
4. each text takes its micro-cluster's theme; isolated micro-clusters' texts, small
   themes and the Tukey isolation use theme centroids made of per-partition sums and
   similarities computed per partition.

The driver holds the micro-cluster and theme aggregates, the sample, and one label and
one fit per text (12 bytes a text); never the texts' vectors.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from synthesis.cluster import Clustering, cluster_embeddings
from synthesis.cluster.isolate import MIN_TEXTS, TUKEY, lower_fence, spare_every_theme
from synthesis.cluster.large import MICRO_ITERATIONS, MICRO_SAMPLE, _mean_operator, _nearest, _unit_rows, n_micro_clusters
from synthesis.cluster.partition import dissolve_small, min_theme_size
from synthesis.cluster.partition import renumber as _renumber

#: Added to the granularity of the default method's pass over the centres (as the micro-cluster method had it).
CENTRE_GRANULARITY = 0.0
from synthesis.engine import stages


def cluster_large_category(engine, parts: list, category: str, vocabularies, settings) -> Clustering:
    """``cluster_large`` of one category whose rows lie in ``parts`` (handles of :class:`stages.Part`)."""
    sizes, df, with_lemmas, with_static = _document_counts(engine, parts, category, vocabularies)
    n = int(sum(sizes))
    tfidf_terms = _tfidf_terms(df, n) if settings.lexical_weight > 0 else None
    view_idf = None
    if vocabularies is not None:
        view_idf = (_smooth_idf(df, with_lemmas), _smooth_idf({w: c for w, c in df.items() if w in vocabularies[1]}, with_static))
    shared_vocabularies = engine.share(vocabularies) if vocabularies is not None else None
    catparts = engine.map(stages.category_part, parts, category=category, tfidf_terms=tfidf_terms,
                          vocabularies=shared_vocabularies, view_idf=view_idf)
    weight = settings.lexical_weight if tfidf_terms is not None else 0.0
    offsets = np.concatenate([[0], np.cumsum(sizes)])

    centres = _micro_centres(engine, catparts, offsets, n, settings.seed)
    micro_parts = engine.gather(engine.map(stages.nearest_centres, catparts, centres=centres))
    _, micro = np.unique(np.concatenate(micro_parts), return_inverse=True)  # empty micro-clusters dropped
    micro = micro.ravel()
    k = int(micro.max()) + 1
    on_centres = _cluster_centres(engine, catparts, micro, offsets, k, weight, settings)
    labels = np.asarray(on_centres.labels)[micro]
    space = _PartitionedSpace(engine, catparts, offsets, weight)
    if settings.n_themes is None:
        labels = _reassign_isolated(space, labels)
        labels = dissolve_small(None, labels, min_theme_size(n, settings.granularity), centroid_sims=space.centroid_sims)
    labels, fit = _fit_and_isolate(space, labels, isolate=settings.n_themes is None)
    labels = _renumber(labels)
    method = on_centres.method + f" on {k} k-means micro-clusters"
    method += " + reassign + Tukey isolation" if settings.n_themes is None and "Tukey" not in method else ""
    n_found = int(labels.max() + 1) if (labels >= 0).any() else 0
    return Clustering(labels, fit, n_found, method + f", {len(parts)} partitions", grain=getattr(on_centres, "grain", {}))


def _document_counts(engine, parts, category, vocabularies):
    static_words = frozenset(vocabularies[1]) if vocabularies is not None else frozenset()
    counted = engine.gather(engine.map(stages.lemma_document_counts, parts, category=category, static_words=static_words))
    df: Counter = Counter()
    for _, counts, _, _ in counted:
        df.update(counts)
    return [c[0] for c in counted], df, sum(c[2] for c in counted), sum(c[3] for c in counted)


def _smooth_idf(df: dict[str, int], n_documents: int) -> dict[str, float]:
    """scikit-learn's smooth idf: ln((1 + n) / (1 + df)) + 1."""
    return {word: float(np.log((1 + n_documents) / (1 + count)) + 1.0) for word, count in df.items()}


def _tfidf_terms(df: Counter, n: int):
    """-> (lemma -> column, idf) of ``cluster.large._sparse_tfidf`` (lemmas of at least two texts), or None when none."""
    vocabulary = sorted(word for word, count in df.items() if count >= 2)
    if not vocabulary:
        return None
    idf = _smooth_idf({word: df[word] for word in vocabulary}, n)
    return {word: i for i, word in enumerate(vocabulary)}, np.array([idf[word] for word in vocabulary])


def _micro_centres(engine, catparts, offsets: np.ndarray, n: int, seed: int) -> np.ndarray:
    """The centres ``cluster.large.micro_clusters`` ends with: same sample (same seed), same start and Lloyd steps."""
    from sklearn.cluster import kmeans_plusplus

    rng = np.random.default_rng(seed)
    k = int(min(n_micro_clusters(n), n))
    chosen = np.arange(n) if n <= MICRO_SAMPLE * k else np.sort(rng.choice(n, size=MICRO_SAMPLE * k, replace=False))
    local = [chosen[(chosen >= a) & (chosen < b)] - a for a, b in zip(offsets, offsets[1:])]
    sample = np.concatenate(engine.gather(engine.map(stages.sample_rows, catparts, local)))
    centres, _ = kmeans_plusplus(sample, k, random_state=seed, n_local_trials=1)
    for _ in range(MICRO_ITERATIONS):
        labels = _nearest(sample, centres)
        sums = np.asarray(_mean_operator(labels, k) @ sample, dtype=np.float32)
        filled = np.bincount(labels, minlength=k) > 0
        centres = np.where(filled[:, None], _unit_rows(sums), centres)
    return centres


def _cluster_centres(engine, catparts, micro: np.ndarray, offsets, k: int, weight: float, settings) -> Clustering:
    """The micro-clusters' centres from per-partition sums, clustered by the default method (as ``cluster_large``)."""
    summed = engine.gather(engine.map(stages.micro_sums, catparts, _slices(micro, offsets), k=k))
    sizes = sum(s[0] for s in summed).astype(float)
    centres = _unit_rows(sum(s[1] for s in summed) / sizes[:, None])
    if weight > 0:
        lexical = sum(s[2] for s in summed).toarray() / sizes[:, None]
        centres = np.hstack([np.sqrt(1.0 - weight) * centres, np.sqrt(weight) * lexical])
    views = [sum(s[3][i] for s in summed) / sizes[:, None] for i in range(len(summed[0][3]))]
    return cluster_embeddings(centres, keyword_views=views, n_themes=settings.n_themes,
                              granularity=settings.granularity + CENTRE_GRANULARITY, random_state=settings.seed)


def _slices(values: np.ndarray, offsets: np.ndarray) -> list[np.ndarray]:
    return [values[a:b] for a, b in zip(offsets, offsets[1:])]


class _PartitionedSpace:
    """``cluster.large._LexicalSpace`` whose rows stay in the partitions: centroids from per-partition sums."""

    def __init__(self, engine, catparts, offsets: np.ndarray, weight: float):
        self.engine, self.catparts, self.offsets, self.weight = engine, catparts, offsets, weight

    def centroids(self, labels: np.ndarray, themes: np.ndarray):
        summed = self.engine.gather(self.engine.map(stages.theme_sums, self.catparts, _slices(labels, self.offsets), themes=themes))
        sizes = np.maximum(sum(s[0] for s in summed), 1).astype(float)
        c_emb = sum(s[1] for s in summed) / sizes[:, None] * np.sqrt(1.0 - self.weight)
        c_lex = None
        norms_sq = (c_emb**2).sum(axis=1)
        if self.weight > 0:
            c_lex = sum(s[2] for s in summed).toarray() / sizes[:, None] * np.sqrt(self.weight)
            norms_sq = norms_sq + (c_lex**2).sum(axis=1)
        norms = np.sqrt(norms_sq)
        return c_emb, c_lex, np.where(norms > 0, norms, 1.0), self.weight

    def centroid_sims(self, labels: np.ndarray, themes: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        centroids = self.centroids(labels, themes)
        rows = np.arange(len(labels)) if rows is None else np.asarray(rows)
        local = [rows[(rows >= a) & (rows < b)] - a for a, b in zip(self.offsets, self.offsets[1:])]
        parts = self.engine.gather(self.engine.map(stages.centroid_sims, self.catparts, local, centroids=centroids))
        sims = np.concatenate(parts) if parts else np.zeros((0, len(themes)))
        order = np.argsort(rows, kind="stable")  # rows come back partition by partition, i.e. sorted
        out = np.empty_like(sims)
        out[order] = sims
        return out


def _fit_and_isolate(space: _PartitionedSpace, labels: np.ndarray, isolate: bool) -> tuple[np.ndarray, np.ndarray]:
    """``cluster.large._fit_and_isolate``, each text's fit computed in its partition (no (n, k) matrix on the driver)."""
    themes = np.unique(labels[labels >= 0])
    centroids = space.centroids(labels, themes)
    parts = space.engine.gather(space.engine.map(stages.own_and_best, space.catparts, _slices(labels, space.offsets),
                                                 themes=themes, centroids=centroids))
    own, best = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    return isolate_by_fit(labels, themes, own, best, isolate)


def _reassign_isolated(space: _PartitionedSpace, labels: np.ndarray) -> np.ndarray:
    """Texts of micro-clusters left isolated among the centres go to the nearest theme (as ``assign_to_themes``)."""
    labels = labels.copy()
    lost = np.flatnonzero(labels < 0)
    themes = np.unique(labels[labels >= 0])
    if len(lost) and len(themes):
        labels[lost] = themes[np.argmax(space.centroid_sims(labels, themes, lost), axis=1)]
    elif len(lost):
        labels[:] = 0
    return labels


def isolate_by_fit(labels: np.ndarray, themes: np.ndarray, own: np.ndarray, best: np.ndarray, isolate: bool):
    """From each text's cosine to its own theme's centroid and to the nearest one: Tukey isolation and the fit."""
    labels = labels.copy()
    if isolate and len(labels) >= MIN_TEXTS:
        labels[spare_every_theme(best < lower_fence(own, TUKEY), labels, themes)] = -1
    return labels, np.clip(np.where(labels >= 0, own, best), 0.0, 1.0)
