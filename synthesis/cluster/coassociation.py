"""``partition.graph_partition`` for large graphs: the same Leiden consensus, with no n x n structure.

The default consensus settles the disagreement left after its last round by average linkage
on an (a x a) matrix of the share of runs separating two atoms (texts with the same label in
every run), a up to the number of texts. ``sparse_consensus`` gives the same rule, average linkage cut
at 0.5, without that matrix:

- the average linkage of two clusters is computed exactly from each cluster's label
  histogram per run (its count of texts in each (run, label)): the share of runs that put a
  pair together, averaged over all pairs, is the histograms' dot product / (runs x |A| x |B|);
- only clusters joined by an edge of the graph are candidates for a merge (two atoms that
  share a Leiden community in half the runs are almost always joined by a kNN edge), so
  the candidates grow as the edges, not as the pairs.

What it holds is per atom and per pair of atoms joined by an edge (``atom_pairs`` reads the
graph's edges by blocks of rows), and the atoms are few once the consensus rounds have run:
93 for 12,000 grown texts, 196 for 30,000, at most 17 on the eval sets and the demo.
"""

from __future__ import annotations

import heapq
from functools import partial

import numpy as np
from scipy import sparse

from synthesis.cluster.partition import graph_partition

_BLOCK_ENTRIES = 250_000  # graph entries read at once by ``atom_pairs``


def sparse_consensus(runs: np.ndarray, graph: sparse.csr_matrix, threshold: float = 0.5) -> np.ndarray:
    """(R, m) partitions, (m, m) graph -> (m,) labels: average linkage on the share of runs that separate two texts, cut at threshold.

    Atoms (texts with the same label in every run) weigh their size, as in ``partition._consensus``;
    merges follow the graph's edges (see the module docstring).
    """
    n_runs = len(runs)
    profiles, atom_of = np.unique(runs.T, axis=0, return_inverse=True)
    atom_of = atom_of.ravel()
    n_atoms = len(profiles)
    sizes = np.bincount(atom_of, minlength=n_atoms).astype(np.int64)
    width = int(runs.max()) + 1
    keys = profiles + np.arange(n_runs) * width  # (a, R): (run, label) cells, increasing along each row
    histogram = {a: (keys[a], np.full(n_runs, sizes[a], dtype=np.int64)) for a in range(n_atoms)}
    size = dict(enumerate(sizes.tolist()))

    pairs = atom_pairs(graph, atom_of, n_atoms)
    neighbours: dict[int, set[int]] = {a: set() for a in range(n_atoms)}
    for a, b in pairs.tolist():
        neighbours[a].add(b)
        neighbours[b].add(a)
    apart = (profiles[pairs[:, 0]] != profiles[pairs[:, 1]]).mean(axis=1) if len(pairs) else np.zeros(0)
    known = dict(zip(map(tuple, pairs.tolist()), apart.tolist()))  # average linkage of the clusters joined by an edge
    version = dict.fromkeys(range(n_atoms), 0)
    heap = [(float(d), int(a), int(b), 0, 0) for d, (a, b) in zip(apart, pairs) if d <= threshold]
    heapq.heapify(heap)
    merged_into = np.arange(n_atoms)  # each atom points at the cluster it joined (followed at the end)

    def distances(i: int, others: list[int]) -> list[float]:
        """Average linkage of cluster i with each of others, from the histograms (one vectorised pass)."""
        ki, vi = histogram[i]
        kt = np.concatenate([histogram[t][0] for t in others])
        vt = np.concatenate([histogram[t][1] for t in others])
        owner = np.repeat(np.arange(len(others)), [len(histogram[t][0]) for t in others])
        at = np.minimum(np.searchsorted(ki, kt), len(ki) - 1)
        same = ki[at] == kt
        together = np.bincount(owner[same], weights=(vt[same] * vi[at[same]]).astype(np.float64), minlength=len(others))
        pairs_all = n_runs * size[i] * np.array([size[t] for t in others], dtype=np.float64)
        return ((pairs_all - together) / pairs_all).tolist()

    while heap:
        d, i, j, vi, vj = heapq.heappop(heap)
        if d > threshold:
            break
        if i not in size or j not in size or version[i] != vi or version[j] != vj:
            continue  # a cluster has merged since this pair was scored
        (ki, vals_i), (kj, vals_j) = histogram.pop(i), histogram.pop(j)
        cells, where = np.unique(np.concatenate([ki, kj]), return_inverse=True)
        histogram[i] = (cells, np.bincount(where.ravel(), weights=np.concatenate([vals_i, vals_j])).astype(np.int64))
        size_i, size_j = size[i], size.pop(j)
        size[i] = size_i + size_j
        version[i] += 1
        merged_into[j] = i
        known.pop((i, j), None)
        joined = (neighbours[i] | neighbours.pop(j)) - {i, j}
        neighbours[i] = joined
        updated, from_histograms = {}, []
        for t in joined:
            neighbours[t].discard(j)
            neighbours[t].add(i)
            d_i, d_j = known.pop((min(i, t), max(i, t)), None), known.pop((min(j, t), max(j, t)), None)
            if d_i is not None and d_j is not None:  # Lance-Williams: the size-weighted mean of the two linkages
                updated[t] = (size_i * d_i + size_j * d_j) / (size_i + size_j)
            else:  # one of the two had no edge to t: from the histograms
                from_histograms.append(t)
        if from_histograms:
            updated.update(zip(from_histograms, distances(i, from_histograms)))
        for t, d_it in updated.items():
            known[min(i, t), max(i, t)] = d_it
            if d_it <= threshold:
                heapq.heappush(heap, (d_it, min(i, t), max(i, t), version[min(i, t)], version[max(i, t)]))
    cluster_of = merged_into.copy()
    while not np.array_equal(cluster_of, cluster_of[cluster_of]):
        cluster_of = cluster_of[cluster_of]
    _, labels = np.unique(cluster_of, return_inverse=True)
    return labels.ravel()[atom_of]


def atom_pairs(graph: sparse.spmatrix, atom_of: np.ndarray, n_atoms: int) -> np.ndarray:
    """(m, m) symmetric graph, (m,) atom of each text -> (p, 2) pairs of distinct atoms joined by an edge, lower atom first, sorted.

    Each edge is read once, in the upper triangle, by blocks of rows: the atom pairs are few
    (3,302 among 196 atoms for 30,000 grown texts: after the consensus rounds the runs disagree on
    few texts), while taking every edge at once held several arrays as long as the edges (a 40 MiB
    peak there, on top of the graph itself; 11 MiB by blocks).
    """
    graph = graph.tocsr()
    n = graph.shape[0]
    rows_per_block = max(1, _BLOCK_ENTRIES * n // max(graph.nnz, 1))
    keys = [np.zeros(0, dtype=np.int64)]
    for start in range(0, n, rows_per_block):
        block = graph[start : start + rows_per_block].tocoo()
        upper = block.col > block.row + start  # each edge once: the upper triangle
        ends = atom_of[block.row[upper] + start], atom_of[block.col[upper]]
        low, high = np.minimum(*ends), np.maximum(*ends)
        apart = low != high
        keys.append(np.unique(low[apart].astype(np.int64) * n_atoms + high[apart]))  # sorted as the pairs (low, high)
    key = np.unique(np.concatenate(keys))
    return np.column_stack([key // n_atoms, key % n_atoms])


#: ``partition.graph_partition`` with the leftover disagreement settled by ``sparse_consensus``.
graph_partition_sparse = partial(graph_partition, consensus=sparse_consensus)
