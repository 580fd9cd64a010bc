"""Theme clustering of sentence embeddings.

Default method (chosen by measurement, see ``scripts/bench_quality.py``):

0. The pipeline passes sentence embeddings with 10 % of lemma TF-IDF similarity mixed
   in (``lexical_space``): shared jargon counts, the sentence model does the rest; and
   two keyword views (``keyword_view``: the card's content words, embedded one by one
   by the sentence model, and looked up in spaCy's static word vectors), each mixed
   half and half with the first into a view of its own.
1. kNN graph on cosine similarity over the distinct texts, one per view,
   k = round(sqrt(n)) neighbours (at most 30), edge weight = cosine.
2. Leiden modularity communities (igraph; resolution 1.7 x 2**granularity), run
   with 60 seeds, shared evenly among the views' graphs; the runs are combined by
   iterated consensus on the union of the graphs (edges reweighted by the share of
   runs that agree, up to 2 rounds; leftover disagreement: pairs grouped together in
   at least half of the runs, average linkage), which removes most of the seed-to-seed
   noise of a single run and keeps a grouping where the views support it. The first
   keyword view took semeval's stability from .76 to .81 and its themes from 13 to 11
   for 6 gold labels; the second (with 60 runs instead of 30) took makeorg's stability
   from .79 to .82 and sib200's draws from .33 to .38 (see the issue notes).
3. Themes smaller than ``max(3, 2 % of n)`` are dissolved and their texts moved to
   the nearest theme centroid.
4. Isolated ideas: a text whose best cosine to any theme centroid falls below the
   lower Tukey fence (Q1 - 1.5 IQR) of all texts' cosine to their own centroid is
   labelled -1.

``n_themes`` (``--themes N``) replaces 2-4: the resolution is bisected for the coarsest
partition with N themes of minimal size, then the closest centroids are merged (``_forced``).

Rows are put in a canonical (lexicographic) order first, so the partition does not
depend on the input order.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import igraph
import numpy as np
from scipy import sparse

BASE_RESOLUTION = 1.7  # modularity resolution at granularity 0: calibrated on consultation draws and the workshop demo (see the issue notes)
N_RUNS = 60  # Leiden runs per consensus round, shared among the views (cheap with igraph; fewer leave seed noise in the consensus)
CONSENSUS_ROUNDS = 2
MAX_NEIGHBOURS = 30  # sqrt(n) neighbours, capped: keeps thousands of texts fast (and themes finer there)
MIN_THEME_FRACTION = 0.02  # themes below 2 % of the texts (and below 3 texts) are dissolved
MIN_THEME_SIZE = 3
FORCED_BISECTIONS = 3  # resolution bisections for --themes N: the bracket narrows from 1.5x to 1.05x
KNN_BLOCK = 1024  # rows of the similarity matrix held at once when building the kNN graph
TUKEY = 1.5  # isolation fence: Q1 - TUKEY * IQR of the fit distribution
# share of lemma (TF-IDF) similarity mixed into the embeddings' (see lexical_space and the issue notes)
LEXICAL_WEIGHT = 0.1
# share of a keyword view in its view's cosine, the rest being the embeddings' (see keyword_view and the issue notes)
KEYWORD_WEIGHT = 0.5


@dataclass
class Clustering:
    labels: np.ndarray  # (n,) int, 0..k-1 by decreasing size, -1 = isolated idea
    fit: np.ndarray  # (n,) float in [0, 1]: cosine to own theme centroid (isolated: best centroid)
    n_themes: int
    method: str


def _normalise(x: np.ndarray) -> np.ndarray:
    """(n, d) -> (n, d) float64 rows of unit norm (zero rows stay zero)."""
    x = np.asarray(x, dtype=np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


def _knn_graph(x: np.ndarray, k: int) -> sparse.csr_matrix:
    """(n, d) unit rows -> (n, n) symmetric sparse kNN graph weighted by cosine (clipped at 0).

    Rows are done in blocks, so memory grows as n x KNN_BLOCK, not n x n.
    """
    n = len(x)
    rows, cols, weights = [], [], []
    for start in range(0, n, KNN_BLOCK):
        s = x[start : start + KNN_BLOCK] @ x.T
        s[np.arange(len(s)), np.arange(start, start + len(s))] = -np.inf
        nn = _top_k(s, k)
        rows.append(np.repeat(np.arange(start, start + len(s)), k))
        cols.append(nn.ravel())
        weights.append(np.take_along_axis(s, nn, axis=1).ravel())
    w = np.clip(np.concatenate(weights), 1e-6, None)  # keep every edge, even between unrelated texts
    g = sparse.csr_matrix((w, (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    return g.maximum(g.T).tocsr()


def _top_k(s: np.ndarray, k: int) -> np.ndarray:
    """(b, n) similarities -> (b, k) column indices of each row's k largest, ties to the smallest index.

    argpartition finds each row's k-th value; only the candidates at or above it are
    sorted, so the choice among ties stays canonical (not left to the partition).
    """
    kth = -np.partition(-s, k - 1, axis=1)[:, k - 1]
    out = np.empty((len(s), k), dtype=np.int64)
    for i, row in enumerate(s):
        candidates = np.flatnonzero(row >= kth[i])
        out[i] = candidates[np.lexsort((candidates, -row[candidates]))][:k]
    return out


def _igraph(g: sparse.csr_matrix) -> igraph.Graph:
    """Symmetric sparse weighted graph -> undirected igraph graph with a "weight" edge attribute."""
    e = sparse.triu(g, k=1).tocoo()
    return igraph.Graph(n=g.shape[0], edges=np.column_stack([e.row, e.col]).tolist(), edge_attrs={"weight": e.data.tolist()})


def _leiden(graph: igraph.Graph, resolution: float, seed: int) -> np.ndarray:
    """igraph graph of n nodes -> (n,) Leiden modularity communities, reproducible for a seed."""
    # igraph draws from one process-wide generator: give it a seeded one for this run only
    igraph.set_random_number_generator(random.Random(seed))
    try:
        partition = graph.community_leiden(objective_function="modularity", weights="weight", resolution=resolution, n_iterations=-1)
    finally:
        igraph.set_random_number_generator(random)
    return np.asarray(partition.membership)


def _consensus(runs: list[np.ndarray]) -> np.ndarray:
    """R partitions of n items -> (n,) labels grouping pairs together in >= half of the runs.

    Average linkage on the share of runs that separate two items, cut at 0.5. Items
    with the same labels in every run are one weighted atom: fewer rows, and no
    exact-zero ties, on which scipy's linkage (1.17) returned an invalid tree.
    """
    runs_arr = np.stack(runs)  # (R, n)
    profiles, atom_of = np.unique(runs_arr.T, axis=0, return_inverse=True)
    atom_of = atom_of.ravel()
    dist = np.zeros((len(profiles), len(profiles)))
    for run in profiles.T:  # one run at a time: an (a, a, R) array would not fit for thousands of texts
        dist += run[:, None] != run[None, :]
    dist /= len(runs_arr)
    sizes = np.bincount(atom_of).astype(float)
    return _average_linkage_cut(dist, sizes, threshold=0.5)[atom_of]


def _average_linkage_cut(dist: np.ndarray, sizes: np.ndarray, threshold: float) -> np.ndarray:
    """(a, a) distances between weighted atoms -> (a,) flat clusters of UPGMA cut at threshold.

    Merges the closest pair while its distance is <= threshold; average linkage never
    decreases, so this equals cutting the full tree. Each row keeps its nearest
    neighbour, so a merge costs O(a) instead of a full O(a^2) search.
    """
    dist = np.array(dist, dtype=float)  # a copy: the caller's matrix is left alone
    np.fill_diagonal(dist, np.inf)
    sizes = np.array(sizes, dtype=float)
    cluster_of = np.arange(len(dist))
    nearest = np.argmin(dist, axis=1)
    nearest_d = dist[np.arange(len(dist)), nearest]
    while True:
        i = int(np.argmin(nearest_d))
        j = int(nearest[i])
        if not nearest_d[i] <= threshold:  # also stops when one cluster is left (inf)
            break
        i, j = min(i, j), max(i, j)
        merged = (sizes[i] * dist[i] + sizes[j] * dist[j]) / (sizes[i] + sizes[j])
        merged[[i, j]] = np.inf
        dist[i, :] = dist[:, i] = merged
        dist[j, :] = dist[:, j] = np.inf
        sizes[i] += sizes[j]
        cluster_of[cluster_of == j] = i
        nearest_d[j] = np.inf
        stale = np.flatnonzero((nearest == i) | (nearest == j) | (dist[:, i] < nearest_d))
        stale = np.union1d(stale, [i])
        nearest[stale] = np.argmin(dist[stale], axis=1)
        nearest_d[stale] = dist[stale, nearest[stale]]
    _, labels = np.unique(cluster_of, return_inverse=True)
    return labels.ravel()


def _centroids(x: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """-> (themes (k,), unit centroids (k, d)) for labels >= 0."""
    themes = np.unique(labels[labels >= 0])
    cents = np.stack([x[labels == t].mean(0) for t in themes]) if len(themes) else np.zeros((0, x.shape[1]))
    return themes, _normalise(cents)


def _min_theme_size(n: int, granularity: float) -> int:
    """Themes below this many of n texts are dissolved: max(3, 2 % of n), scaled like the resolution."""
    return max(MIN_THEME_SIZE, int(np.ceil(MIN_THEME_FRACTION * n * 2.0 ** (-granularity))))


def _dissolve_small(x: np.ndarray, labels: np.ndarray, min_size: int) -> np.ndarray:
    """Move the texts of the smallest themes (< min_size) to the nearest other centroid, one size level at a time."""
    labels = labels.copy()
    while True:
        themes, counts = np.unique(labels, return_counts=True)
        if len(themes) <= 1 or counts.min() >= min_size:
            return labels
        small = themes[counts == counts.min()]
        keep = themes[~np.isin(themes, small)]
        if len(keep) == 0:  # everything is small: one theme
            return np.zeros_like(labels)
        _, cents = _centroids(x, np.where(np.isin(labels, keep), labels, -1))
        moved = np.isin(labels, small)
        labels[moved] = keep[np.argmax(x[moved] @ cents.T, axis=1)]


def _merge_to(x: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Merge the two themes with the most similar centroids until k themes remain."""
    labels = labels.copy()
    while len(np.unique(labels)) > k:
        themes, cents = _centroids(x, labels)
        s = cents @ cents.T
        np.fill_diagonal(s, -np.inf)
        i, j = np.unravel_index(np.argmax(s), s.shape)
        labels[labels == themes[max(i, j)]] = themes[min(i, j)]
    return labels


def _view_graphs(views: list[np.ndarray]) -> list[sparse.csr_matrix]:
    """(n, d) unit-row views of the same texts -> their kNN graphs, k = round(sqrt(n)) (at most 30)."""
    n = len(views[0])
    k = int(min(n - 1, max(3, round(np.sqrt(n))), MAX_NEIGHBOURS))
    return [_knn_graph(view, k) for view in views]


def _graph_partition(graphs: list[sparse.csr_matrix], resolution: float, random_state: int) -> np.ndarray:
    """kNN graphs of one or more views of the same texts -> (n,) consensus Leiden labels.

    Iterated consensus (Lancichinetti & Fortunato 2012): the first round runs Leiden
    N_RUNS times, shared among the views' graphs; every edge of their union is
    reweighted by the share of runs that put its two ends together, and later rounds run
    on that graph; it stops when all runs agree. Much more stable than a single run, and
    a grouping is kept only where the views support it.
    """
    g = graphs[0]
    for other in graphs[1:]:
        g = g.maximum(other).tocsr()
    per_view = N_RUNS // len(graphs)
    view_graphs = [_igraph(graph) for graph in graphs]
    runs = np.stack([_leiden(graph, resolution, random_state * 1000 + s) for graph in view_graphs for s in range(per_view)])
    for _ in range(CONSENSUS_ROUNDS - 1):
        if (runs == runs[0]).all():
            return runs[0]
        e = g.tocoo()
        agree = (runs[:, e.row] == runs[:, e.col]).mean(axis=0)
        g = sparse.csr_matrix((e.data * agree + 1e-6, (e.row, e.col)), shape=g.shape)
        graph = _igraph(g)
        runs = np.stack([_leiden(graph, resolution, seed=random_state * 1000 + s) for s in range(N_RUNS)])
    return runs[0] if (runs == runs[0]).all() else _consensus(list(runs))


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Themes numbered 0..k-1 by decreasing size, ties by smallest member index; -1 kept."""
    out = np.full_like(labels, -1)
    themes = [t for t in np.unique(labels) if t >= 0]
    order = sorted(themes, key=lambda t: (-(labels == t).sum(), np.flatnonzero(labels == t)[0]))
    for new, t in enumerate(order):
        out[labels == t] = new
    return out


def _fit_and_isolate(x: np.ndarray, labels: np.ndarray, isolate: bool) -> tuple[np.ndarray, np.ndarray]:
    """-> (labels with isolated ideas at -1, fit (n,) in [0, 1])."""
    themes, cents = _centroids(x, labels)
    sims = x @ cents.T  # (n, k)
    own = sims[np.arange(len(x)), np.searchsorted(themes, labels)]
    best = sims.max(axis=1)
    labels = labels.copy()
    if isolate and len(x) >= 10:  # a fence needs a distribution; below 10 texts nobody is isolated
        q1, q3 = np.percentile(own, [25, 75])
        fence = q1 - TUKEY * (q3 - q1)
        far = best < fence
        # never empty a theme by isolation
        for t in themes:
            members = labels == t
            if far[members].all():
                far[members] = False
        labels[far] = -1
    fit = np.where(labels >= 0, own, best)
    return labels, np.clip(fit, 0.0, 1.0)


def lexical_space(embeddings: np.ndarray, lemmas: list[tuple[str, ...]], weight: float = LEXICAL_WEIGHT) -> np.ndarray:
    """(n, d) sentence embeddings + each text's content lemmas -> (n, d + v) clustering vectors.

    The cosine of two rows is about (1 - weight) x the embeddings' cosine + weight x the
    cosine of their lemma TF-IDF (sublinear, lemmas of at least two texts): cards that share
    the network's jargon ("OT", "taxe de séjour", "Apidae") come closer, which a
    multilingual sentence model does not know. weight 0 returns the embeddings unchanged.
    """
    emb = np.asarray(embeddings, dtype=np.float64)
    if weight <= 0 or len(emb) < 2:
        return emb
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=list, sublinear_tf=True, min_df=2)
    try:
        tfidf = vectorizer.fit_transform(lemmas).toarray()
    except ValueError:  # no lemma shared by two texts: nothing lexical to add
        return emb
    return np.hstack([np.sqrt(1.0 - weight) * _normalise(emb), np.sqrt(weight) * tfidf])


def keyword_view(lemmas: list[tuple[str, ...]], word_vectors: dict[str, np.ndarray], fallback: np.ndarray) -> np.ndarray:
    """Each text's content lemmas -> (n, d) unit vectors: the TF-IDF-weighted mean of the lemmas' vectors.

    A view of the texts for ``cluster_embeddings``: what the card is about, without its
    phrasing, tone or sentiment, which weigh on a sentence embedding (restaurant reviews
    group by praise instead of by dish or service). Unlike exact lemma matching, related
    words meet ("serveur", "service"). word_vectors maps lemmas to vectors (the sentence
    model's, or static word vectors); lemmas it lacks are left out, and texts with none
    of its lemmas keep their row of fallback (n, d) (zero rows: no keyword evidence).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    out = _normalise(fallback)
    known = [tuple(word for word in text_lemmas if word in word_vectors) for text_lemmas in lemmas]
    has_words = np.array([len(words) > 0 for words in known])
    if not has_words.any():
        return out
    vectorizer = TfidfVectorizer(analyzer=list, sublinear_tf=True)
    tfidf = vectorizer.fit_transform([words for words, keep in zip(known, has_words) if keep])
    vectors = _normalise(np.stack([word_vectors[word] for word in vectorizer.get_feature_names_out()]))
    out[has_words] = _normalise(np.asarray(tfidf @ vectors))
    return out


def cluster_embeddings(
    embeddings: np.ndarray,
    *,
    keyword_views: Sequence[np.ndarray] = (),
    n_themes: int | None = None,
    granularity: float = 0.0,
    random_state: int = 0,
) -> Clustering:
    """Group texts by theme.

    embeddings: (n, d) sentence embeddings (cosine geometry; rows need not be normalised).
    keyword_views: (n, d') keyword views of the same texts (see ``keyword_view``), any
        number: each adds a view, the embeddings mixed half and half with it, and the
        first consensus round's runs are shared evenly among the views' kNN graphs.
    n_themes: force exactly this many themes (capped at the number of distinct texts);
        no isolated bucket then.
    granularity: 0 = default; -1 roughly halves, +1 roughly doubles the number of themes.
    random_state: seed of the Leiden runs (results are deterministic for a given seed).
    """
    emb = np.asarray(embeddings)
    n = emb.shape[0] if emb.ndim == 2 else 0
    setting = f"forced k={n_themes}" if n_themes is not None else f"r={BASE_RESOLUTION}x2^{granularity:g}"
    views_said = {0: "", 1: " + keyword view"}.get(len(keyword_views), f" + {len(keyword_views)} keyword views")
    method = f"knn-leiden consensus {setting}{views_said}"
    if n == 0:
        return Clustering(np.zeros(0, dtype=int), np.zeros(0), 0, method)
    x = _normalise(emb)
    if n == 1:
        return Clustering(np.zeros(1, dtype=int), np.ones(1), 1, method)

    # canonical order: the result does not depend on the order of the input rows
    order = np.lexsort(x.T[::-1])
    xs = x[order]
    # the graph is built on distinct rows (sorted, so still canonical): duplicated texts
    # always share a theme and cannot form a theme of copies; sizes count every copy
    uniq, first, inv = np.unique(xs, axis=0, return_index=True, return_inverse=True)
    inv = inv.ravel()
    m = len(uniq)
    views = [uniq]
    for keyword_vectors in keyword_views:  # one more view each: half sentence, half keywords
        keywords = _normalise(keyword_vectors)[order][first]
        views.append(np.hstack([np.sqrt(1.0 - KEYWORD_WEIGHT) * uniq, np.sqrt(KEYWORD_WEIGHT) * keywords]))

    resolution = BASE_RESOLUTION * 2.0**granularity
    min_size = _min_theme_size(n, granularity)
    if n_themes is not None:
        k = int(max(1, min(n_themes, m)))  # at most one theme per distinct text
        labels = _forced(views, inv, xs, k, random_state)
    elif m < 2 * MIN_THEME_SIZE:  # too few distinct texts for two themes of minimal size
        labels = np.zeros(n, dtype=int)
    else:
        labels = _dissolve_small(xs, _graph_partition(_view_graphs(views), resolution, random_state)[inv], min_size)

    labels, fit = _fit_and_isolate(xs, labels, isolate=n_themes is None)
    inverse = np.empty(n, dtype=int)
    inverse[order] = np.arange(n)
    labels, fit = _renumber(labels[inverse]), fit[inverse]
    return Clustering(labels, fit, int(labels.max() + 1), method + (" + reassign + Tukey isolation" if n_themes is None else ""))


def _forced(views: list[np.ndarray], inv: np.ndarray, xs: np.ndarray, k: int, random_state: int) -> np.ndarray:
    """Exactly k themes (k <= distinct rows). views: (m, d) distinct rows, inv (n,) row -> distinct row.

    Bisects the Leiden resolution for the coarsest consensus partition with at least k
    themes of minimal size, then merges the closest centroids down to k. Measured against
    merging straight from the default resolution (whole eval sets at their gold k):
    ARI .391 -> .454 on average, workshop draws .330 -> .362.
    """
    if k == 1:
        return np.zeros(len(xs), dtype=int)
    if k >= len(views[0]):
        return inv.copy()
    min_size = _min_theme_size(len(xs), granularity=0.0)  # --granularity has no say over a forced count
    graphs = _view_graphs(views)  # the same for every resolution tried
    partitions: dict[float, np.ndarray] = {}

    def n_themes_at(resolution: float) -> int:
        if resolution not in partitions:
            labels = _graph_partition(graphs, resolution, random_state)[inv]
            partitions[resolution] = _dissolve_small(xs, labels, min_size)
        return len(np.unique(partitions[resolution]))

    low, high = _bracket(n_themes_at, k)
    if high is None:  # not reached in practice: high resolutions give singletons
        return _merge_to(xs, inv.copy(), k)
    for _ in range(FORCED_BISECTIONS):
        if n_themes_at(high) == k:
            break
        middle = np.sqrt(low * high)
        if n_themes_at(middle) >= k:
            high = middle
        else:
            low = middle
    return _merge_to(xs, partitions[high], k)


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
