"""The graph partition: Leiden consensus on the views' kNN graphs, and the theme bookkeeping around it.

Leiden modularity communities (igraph) are run with N_RUNS seeds, shared evenly among
the views' graphs, and combined by iterated consensus on the union of the graphs (edges
reweighted by the share of runs that agree, up to 2 rounds; leftover disagreement: pairs
grouped together in at least half of the runs, average linkage). This removes most of
the seed-to-seed noise of a single run and keeps a grouping where the views support it.
The first keyword view took semeval's stability from .76 to .81 and its themes from 13
to 11 for 6 gold labels; the second (with 60 runs instead of 30) took makeorg's
stability from .79 to .82 and sib200's draws from .33 to .38 (see the issue notes).
Themes smaller than ``max(3, 2 % of n)`` are dissolved and their texts moved to the
nearest theme centroid.
"""

from __future__ import annotations

import random

import igraph
import numpy as np
from scipy import sparse

from synthesis.cluster.views import normalise

N_RUNS = 60  # Leiden runs per consensus round, shared among the views (cheap with igraph; fewer leave seed noise in the consensus)
CONSENSUS_ROUNDS = 2
MIN_THEME_FRACTION = 0.02  # themes below 2 % of the texts (and below 3 texts) are dissolved
MIN_THEME_SIZE = 3
#: Leiden runs per task when an engine spreads them (``leiden_runs``): each task builds its igraph graph once.
RUNS_PER_TASK = 4
_EDGE_CHUNK = 1_000_000  # edges compared at once, one run at a time (see ``edge_agreement``)


def graph_partition(
    graphs: list[sparse.csr_matrix], resolution: float, random_state: int, *, n_runs: int = N_RUNS, consensus=None,
    n_iterations: int = -1, map_calls=None,
) -> np.ndarray:
    """kNN graphs of one or more views of the same texts -> (n,) consensus Leiden labels.

    Iterated consensus (Lancichinetti & Fortunato 2012): the first round runs Leiden
    N_RUNS times, shared among the views' graphs; every edge of their union is
    reweighted by the share of runs that put its two ends together, and later rounds run
    on that graph; it stops when all runs agree. Much more stable than a single run, and
    a grouping is kept only where the views support it. The large-category path passes fewer
    runs, its own ``consensus(runs, graph)`` for the leftover disagreement and, on the largest
    graphs, fewer Leiden iterations per run (``n_iterations``; -1: until stable). An engine may pass
    ``map_calls`` to run the Leiden runs elsewhere (``leiden_runs``: each run depends on its seed only).
    """
    g = graphs[0]
    for other in graphs[1:]:
        g = g.maximum(other).tocsr()
    per_view = n_runs // len(graphs)
    runs = leiden_runs(graphs, resolution, [random_state * 1000 + s for s in range(per_view)], map_calls, n_iterations)
    for _ in range(CONSENSUS_ROUNDS - 1):
        if (runs == runs[0]).all():
            return runs[0]
        g = reweighted(g, runs)
        runs = leiden_runs([g], resolution, [random_state * 1000 + s for s in range(n_runs)], map_calls, n_iterations)
    if (runs == runs[0]).all():
        return runs[0]
    return consensus(runs, g) if consensus is not None else _consensus(list(runs))


def leiden_runs(graphs: list[sparse.csr_matrix], resolution: float, seeds: list[int], map_calls=None, n_iterations: int = -1) -> np.ndarray:
    """-> (len(graphs) x len(seeds), n) Leiden partitions: every seed on the first graph, then on the next...

    ``map_calls(function, *iterables, **shared) -> results`` (an engine's map then gather) runs them
    in chunks of RUNS_PER_TASK seeds; each run depends on its graph, seed and ``n_iterations`` only, so
    the partitions are the same wherever they run.
    """
    if map_calls is None:
        return np.concatenate([
            _leiden_chunk(0, seeds, graphs=[graph], resolution=resolution, n_iterations=n_iterations) for graph in graphs
        ])
    chunks = [(view, seeds[a : a + RUNS_PER_TASK]) for view in range(len(graphs)) for a in range(0, len(seeds), RUNS_PER_TASK)]
    done = map_calls(
        _leiden_chunk, [view for view, _ in chunks], [chunk for _, chunk in chunks], graphs=graphs, resolution=resolution,
        n_iterations=n_iterations,
    )
    return np.concatenate(done)


def _leiden_chunk(view: int, seeds: list[int], *, graphs: list[sparse.csr_matrix], resolution: float, n_iterations: int = -1) -> np.ndarray:
    graph = _igraph(graphs[view])
    return np.stack([_leiden(graph, resolution, seed, n_iterations) for seed in seeds])


def reweighted(g: sparse.csr_matrix, runs: np.ndarray) -> sparse.csr_matrix:
    """Each edge's weight times the share of the runs that put its two ends together (+1e-6: no edge is lost).

    Its own function so that the edge list goes as soon as the graph is built, not after the next round's runs.
    """
    e = g.tocoo()
    return sparse.csr_matrix((e.data * edge_agreement(runs, e.row, e.col) + 1e-6, (e.row, e.col)), shape=g.shape)


def edge_agreement(runs: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """(R, m) partitions, edges -> (edges,) share of the runs that put each edge's two ends together.

    Counted one run and one chunk of edges at a time: comparing all the runs at once gathered two
    (R, edges) label arrays, 714 MiB for 60 runs and 744,000 edges (12,000 texts on the Dask
    engine's driver), and that was most of the driver's rise while a large category clustered.
    The count over R is the mean the whole comparison gave, to the last bit.
    """
    together = np.zeros(len(rows), dtype=np.int64)
    for start in range(0, len(rows), _EDGE_CHUNK):
        r, c = rows[start : start + _EDGE_CHUNK], cols[start : start + _EDGE_CHUNK]
        count = together[start : start + len(r)]  # a view: the counts add up in place
        for run in runs:
            count += run[r] == run[c]
    return together / len(runs)


def _igraph(g: sparse.csr_matrix) -> igraph.Graph:
    """Symmetric sparse weighted graph -> undirected igraph graph with a "weight" edge attribute."""
    e = sparse.triu(g, k=1).tocoo()
    return igraph.Graph(n=g.shape[0], edges=np.column_stack([e.row, e.col]).tolist(), edge_attrs={"weight": e.data.tolist()})


def _leiden(graph: igraph.Graph, resolution: float, seed: int, n_iterations: int = -1) -> np.ndarray:
    """igraph graph of n nodes -> (n,) Leiden modularity communities, reproducible for a seed."""
    # igraph draws from one process-wide generator: give it a seeded one for this run only
    igraph.set_random_number_generator(random.Random(seed))
    try:
        partition = graph.community_leiden(objective_function="modularity", weights="weight", resolution=resolution, n_iterations=n_iterations)
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


def centroids(x: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """-> (themes (k,), unit centroids (k, d)) for labels >= 0."""
    themes = np.unique(labels[labels >= 0])
    cents = np.stack([x[labels == t].mean(0) for t in themes]) if len(themes) else np.zeros((0, x.shape[1]))
    return themes, normalise(cents)


def min_theme_size(n: int, granularity: float) -> int:
    """Themes below this many of n texts are dissolved: max(3, 2 % of n), scaled like the resolution."""
    return max(MIN_THEME_SIZE, int(np.ceil(MIN_THEME_FRACTION * n * 2.0 ** (-granularity))))


def dissolve_small(x: np.ndarray | None, labels: np.ndarray, min_size: int, *, centroid_sims=None) -> np.ndarray:
    """Move the texts of the smallest themes (< min_size) to the nearest other centroid, one size level at a time.

    ``centroid_sims(labels, themes, rows)`` gives the rows' similarities to those themes' centroids; by
    default on the dense vectors ``x`` (the large-category path passes one on a sparse space).
    """
    centroid_sims = centroid_sims or (lambda labels, themes, rows: _dense_centroid_sims(x, labels, themes, rows))
    labels = labels.copy()
    while True:
        themes, counts = np.unique(labels, return_counts=True)
        if len(themes) <= 1 or counts.min() >= min_size:
            return labels
        small = themes[counts == counts.min()]
        keep = themes[~np.isin(themes, small)]
        if len(keep) == 0:  # everything is small: one theme
            return np.zeros_like(labels)
        moved = np.flatnonzero(np.isin(labels, small))
        labels[moved] = keep[np.argmax(centroid_sims(labels, keep, moved), axis=1)]


def _dense_centroid_sims(x: np.ndarray, labels: np.ndarray, themes: np.ndarray, rows: np.ndarray) -> np.ndarray:
    _, cents = centroids(x, np.where(np.isin(labels, themes), labels, -1))
    return x[rows] @ cents.T


def merge_to(x: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Merge the two themes with the most similar centroids until k themes remain."""
    labels = labels.copy()
    while len(np.unique(labels)) > k:
        themes, cents = centroids(x, labels)
        s = cents @ cents.T
        np.fill_diagonal(s, -np.inf)
        i, j = np.unravel_index(np.argmax(s), s.shape)
        labels[labels == themes[max(i, j)]] = themes[min(i, j)]
    return labels


def renumber(labels: np.ndarray) -> np.ndarray:
    """Themes numbered 0..k-1 by decreasing size, ties by smallest member index; -1 kept."""
    out = np.full_like(labels, -1)
    themes = [t for t in np.unique(labels) if t >= 0]
    order = sorted(themes, key=lambda t: (-(labels == t).sum(), np.flatnonzero(labels == t)[0]))
    for new, t in enumerate(order):
        out[labels == t] = new
    return out


def n_themes_of(labels: np.ndarray) -> int:
    return len(np.unique(labels[labels >= 0]))
