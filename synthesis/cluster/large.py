"""Theme clustering of large categories (thousands to 100,000 texts) without any n x n structure.

The default method (``cluster.cluster_embeddings``) makes the lemma TF-IDF dense and settles
the consensus's leftover disagreement on a matrix over the distinct run profiles (up to
n x n): 10,000 texts took 2 min 30 s and 4.9 GB, 30,000 did not finish in 17 min at 14 GB.
Above ``LARGE_CATEGORY`` texts the pipeline calls ``cluster_large``: the same method on the
same graphs, built so that nothing is n x n:

1. ``space.TextSpace``: the default method's rows (embedding, sparse lemma TF-IDF, keyword
   views), distinct and in its canonical order; exact kNN graphs of its three views by
   blocks of rows against all rows (time n^2 d / block, memory n x k);
2. the same Leiden runs, seeds, rounds and choice of grain (``grain.choose_grain``), the
   last disagreement settled by ``coassociation.sparse_consensus`` (average linkage from
   per-run label histograms, merges along the graph's edges);
3. the same dissolution of small themes and isolation, on the sparse space.

Where both run, it gives the default method's themes (``scripts/bench_large_agreement.py``):
ARI 1.000 on the three eval sets and the four demo categories, with the same ARI against
gold (the default method against itself across seeds: .968); .953 and .989 on 2,000 and
5,000 grown texts, where float32 near-ties change a few kNN edges. Its cost is the n^2 d of
the exact kNN, done by matrix products, and the Leiden runs (100 of 134 s at 10,000 texts).

Past 20,000 distinct texts (``FEWER_RUNS_FROM`` = ``space.APPROXIMATE_FROM``) it trades exactness
for linear time: 24 Leiden runs per round instead of 60, each of 2 iterations instead of
until stable, and the kNN searched among the candidates of each row's k-means cell
(``space.NeighbourIndex``, exact similarities re-ranked). Below that size nothing changed:
same graphs, same runs, byte-identical themes.

For engines that spread the work (issue 18), the space may be built apart (``cluster_space``
takes it built, and its kNN blocks may read a copy kept elsewhere), the graph method's row
blocks are independent (``TextSpace.knn_block`` then ``TextSpace.join_blocks``), and so are its
Leiden runs (``coassociation.graph_partition_sparse``). ``micro_clusters`` (spherical k-means of the rows)
cuts the rows into the approximate index's cells (``space.NeighbourIndex``). An earlier method
clustered the centres of such micro-clusters and gave each text its micro-cluster's theme; it
agreed with the default method at ARI .42-.52 only, lost .05-.07 against gold labels, and was
removed once the Dask engine ran the graph method.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np
from scipy import sparse

from synthesis.cluster import Clustering
from synthesis.cluster.coassociation import graph_partition_sparse
from synthesis.cluster.grain import BASE_RESOLUTION, Grain, choose_grain, forced_partition
from synthesis.cluster.partition import MIN_THEME_SIZE, N_RUNS, renumber
from synthesis.cluster.space import TextSpace
from synthesis.cluster.views import n_neighbours

#: Categories with more texts than this take ``cluster_large`` (see the module docstring). Measured on grown inputs
#: (scripts/bench_large_agreement.py --sizes, loaded 2-core machine), seconds and peak MiB default / large:
#: 1,000 texts 7.0 / 5.0 s, 126 / 33 MiB; 2,000 18.1 / 11.7 s, 401 / 106 MiB; 5,000 119.6 / 47.6 s, 1444 / 421 MiB
#: (ARI between them 1.000, .953, .989). The large path is faster from there down; the small categories of a
#: workshop (tens to hundreds of cards) keep the default method's float64 arithmetic and their outputs.
LARGE_CATEGORY = 1_000
#: Leiden runs per consensus round on graphs of more than FEWER_RUNS_FROM distinct texts, instead of
#: ``partition.N_RUNS`` (60): a run takes about 0.8 s at 10,000 texts and grows faster than the texts (the 120
#: runs took 100 of the 134 s of a 10,000-text category on the loaded machine). At 5,000 grown texts, against 60
#: runs: 24 runs ARI .961 (seed 1 vs 0: .942, 21.6 s), 12 runs .943 (seed 1 vs 0: .891, 15.0 s); 60 runs seed 1
#: vs 0: .962 (47.0 s).
FEWER_RUNS_FROM = 20_000
LARGE_RUNS = 24
#: Leiden iterations per run past FEWER_RUNS_FROM (-1 below: until stable). On 10,000 grown texts one run took
#: 1.8-2.2 s until stable, 0.7 s with 2 iterations (ARI .955 / .900 with the until-stable run of seed 0, whose own
#: seed 1 gives .920): the consensus of the runs absorbs the difference.
LARGE_ITERATIONS = 2
MICRO_ITERATIONS = 6  # Lloyd steps of the micro-clusters' k-means
MICRO_SAMPLE = 30  # rows per centre those steps run on
_ROW_BLOCK = 8192  # texts scored against the centroids at once


def cluster_large(
    embeddings: np.ndarray,
    lemmas: Sequence[tuple[str, ...]],
    *,
    lexical_weight: float,
    keyword_views: Sequence[np.ndarray] = (),
    n_themes: int | None = None,
    granularity: float = 0.0,
    random_state: int = 0,
    approximate: bool | None = None,
    map_calls=None,
    topicality: np.ndarray | None = None,
) -> Clustering:
    """``cluster_embeddings(lexical_space(embeddings, lemmas, lexical_weight), keyword_views=...)`` without n x n structures.

    Same arguments (the raw sentence embeddings and each text's content lemmas instead of the
    dense lexical space), same result type and figures. approximate: kNN among candidates
    (``space.NeighbourIndex``); None: past ``space.APPROXIMATE_FROM`` distinct texts.
    ``map_calls(function, *iterables, **shared) -> results`` (an engine's map then gather; None:
    here, in order) runs the kNN row blocks and the Leiden runs, which are independent: the result
    does not depend on where they run.
    """
    space = TextSpace.build(embeddings, lemmas, lexical_weight, keyword_views, approximate=approximate, topicality=topicality)
    return cluster_space(space, n_themes=n_themes, granularity=granularity, random_state=random_state, map_calls=map_calls)


def cluster_space(
    space: TextSpace,
    *,
    n_themes: int | None = None,
    granularity: float = 0.0,
    random_state: int = 0,
    map_calls=None,
    knn_space=None,
) -> Clustering:
    """``cluster_large`` from its ``TextSpace``, built here or elsewhere.

    knn_space: what the kNN row blocks read when ``space`` is only the whole space's bookkeeping
    part (``TextSpace.bookkeeping``): an engine's handle to the whole space, built and kept on its
    workers (``engine.partitioned``), passed to every ``map_calls`` call; None: ``space``.
    """
    setting = f"forced k={n_themes}" if n_themes is not None else f"r={BASE_RESOLUTION}x2^(grain step{granularity:+g})"
    views = len(space.keywords)
    views_said = {0: "", 1: " + keyword view"}.get(views, f" + {views} keyword views")
    method = f"knn-leiden consensus {setting}{views_said} (blockwise kNN, sparse consensus)"
    n = len(space)
    if n <= 1:
        return Clustering(np.zeros(n, dtype=int), np.ones(n), n, method, Grain(None, n, "too few texts", n).as_dict())
    m = space.n_rows
    if space.index is not None:
        method = method.replace("blockwise kNN", "kNN among k-means cells' candidates")
    if m >= 2:
        graphs, nearest = knn_graphs(space, n_neighbours(m), map_calls, knn_space=knn_space)
    else:  # one distinct text, copied
        graphs, nearest = [], (np.zeros((1, 0), dtype=int), np.zeros((1, 0)))
    runs = {"n_runs": N_RUNS} if m <= FEWER_RUNS_FROM else {"n_runs": LARGE_RUNS, "n_iterations": LARGE_ITERATIONS}
    hooks = {"partition": partial(graph_partition_sparse, **runs, map_calls=map_calls), "centroid_sims": space.centroid_sims}
    if n_themes is not None:
        k = int(max(1, min(n_themes, m)))  # at most one theme per distinct text
        labels, grain = forced_partition(graphs, space.inv, space, k, random_state, merge=space.merge_to, **hooks)
    elif m < 2 * MIN_THEME_SIZE:  # too few distinct texts for two themes of minimal size
        labels, grain = np.zeros(n, dtype=int), Grain(None, 1, "too few texts", n)
    else:
        labels, grain = choose_grain(graphs, space, space.inv, granularity, random_state, **hooks)
    labels, fit = space.fit_and_isolate(labels, n_themes is None, nearest)
    inverse = np.empty(n, dtype=int)
    inverse[space.order] = np.arange(n)
    labels, fit = renumber(labels[inverse]), fit[inverse]
    method += " + reassign + Tukey isolation" if n_themes is None else ""
    return Clustering(labels, fit, int(labels.max() + 1), method, grain.as_dict())


def knn_graphs(space: TextSpace, k: int, map_calls=None, *, knn_space=None):
    """``space.knn_graphs(k)``, its row blocks run by ``map_calls`` when given (the space, or ``knn_space`` when given
    (see ``cluster_space``), is shared with every call once).

    A block's float32 products depend on the number of BLAS threads (OpenBLAS: 1.6 M of 50 M
    similarities differ by up to 5e-7 between 1 and 2 threads, enough to swap near-tied
    neighbours: ARI .942 with this process's graphs at 30,000 texts), and Dask workers run one
    thread each. Every block therefore runs with this process's BLAS thread count: the same
    graphs as ``space.knn_graphs`` here (on the same kind of processor).
    """
    whole = space if knn_space is None else knn_space
    if map_calls is None:
        return whole.knn_graphs(k)
    starts = list(range(0, space.n_rows, space.block_size()))
    stops = [min(space.n_rows, start + space.block_size()) for start in starts]
    return space.join_blocks(map_calls(_knn_block, starts, stops, space=whole, k=k, blas_threads=blas_threads()))


def _knn_block(start: int, stop: int, *, space: TextSpace, k: int, blas_threads: int | None = None):
    from threadpoolctl import threadpool_limits

    with threadpool_limits(blas_threads, user_api="blas"):
        return space.knn_block(start, stop, k)


def blas_threads() -> int | None:
    """This process' BLAS thread count (None: no BLAS found): work sent elsewhere runs with it (``knn_graphs``)."""
    from threadpoolctl import threadpool_info

    return max((pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"), default=None)


# --- k-means micro-clusters (the approximate index's cells) ---------------------------------------


def micro_clusters(x: np.ndarray, k: int, seed: int) -> np.ndarray:
    """(n, d) unit rows -> (n,) micro-cluster of each row, 0..k'-1 (empty ones dropped), reproducible for a seed.

    Spherical k-means on a sample of about ``MICRO_SAMPLE`` rows per centre (k-means++
    start with one trial per centre, Lloyd steps), then one assignment of every row: time
    n x k x d. scikit-learn's MiniBatchKMeans took 288 s for 1,250 centres of 5,000 texts
    on the loaded 2-core machine (this: about 4 s); a random start instead of k-means++
    lowered the agreement with the default path when the micro-clusters carried the themes.
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


def _unit_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


def _mean_operator(groups: np.ndarray, n_groups: int | None = None) -> sparse.csr_matrix:
    """(n,) group of each row -> (g, n) sparse operator: operator @ X is the mean row of each group."""
    sizes = np.bincount(groups, minlength=n_groups or 0)
    return sparse.csr_matrix((1.0 / sizes[groups], (groups, np.arange(len(groups)))), shape=(len(sizes), len(groups)))
