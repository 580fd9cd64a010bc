"""The large-category path: the default method's themes without n x n structures; the k-means micro-clusters of its index."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from synthesis.cluster import _consensus, cluster_embeddings, lexical_space
from synthesis.cluster import large as cluster_large
from synthesis.cluster.coassociation import sparse_consensus
from synthesis.cluster.space import TextSpace
from synthesis.cluster.views import knn_graph, mixed_views, normalise
from tests.conftest import eval_file


@pytest.fixture(scope="module")
def makeorg(use_embedder):
    """-> (embeddings, lemmas, keyword views) of 150 makeorg proposals and 12 copies of some of them, as the pipeline makes them."""
    import pandas as pd

    from synthesis import pipeline
    from synthesis.clean import clean_texts, normalise_text

    texts = pd.read_csv(eval_file("makeorg_themes_fr.csv"))["text"].head(150).tolist()
    vectors = use_embedder.encode([normalise_text(text) for text in texts])
    # copies (the pipeline embeds a text once, so copies have the same vector): one distinct row each in the
    # graphs, counted in theme sizes and in the isolation rule
    texts += texts[:4] * 3
    vectors = np.concatenate([vectors, np.tile(vectors[:4], (3, 1))])
    cleaned = clean_texts(texts)
    lemmas = [text.lemmas for text in cleaned]
    views = pipeline._keyword_views(lemmas, vectors, pipeline._keyword_vocabularies(cleaned, use_embedder.encode))
    return vectors, lemmas, views


def default_method(vectors, lemmas, views, **options):
    return cluster_embeddings(lexical_space(vectors, lemmas, 0.1), keyword_views=views, **options)


@pytest.mark.parametrize("options", [{}, {"n_themes": 5}, {"granularity": 1.0}])
def test_large_path_gives_the_default_methods_themes(makeorg, options):
    # Same graphs, same Leiden runs: only the last consensus step differs, and on real texts it gives the same themes.
    vectors, lemmas, views = makeorg
    default = default_method(vectors, lemmas, views, **options)
    large = cluster_large.cluster_large(vectors, lemmas, lexical_weight=0.1, keyword_views=views, **options)
    assert np.array_equal(default.labels, large.labels)
    assert np.allclose(default.fit, large.fit, atol=1e-5)
    assert large.grain == default.grain
    assert "blockwise kNN" in large.method


def test_large_path_sets_aside_as_the_default_method_with_topicality(makeorg):
    # the off-topic rule (lonely and far from the vocabulary) reads the same closeness on both paths
    from synthesis.clean import static_word_vectors
    from synthesis.cluster.isolate import topicality

    vectors, lemmas, views = makeorg
    topical = topicality(lemmas, static_word_vectors(sorted({lemma for text in lemmas for lemma in text}))[0])
    default = default_method(vectors, lemmas, views, topicality=topical)
    large = cluster_large.cluster_large(vectors, lemmas, lexical_weight=0.1, keyword_views=views, topicality=topical)
    assert np.array_equal(default.labels, large.labels)
    assert np.allclose(default.fit, large.fit, atol=1e-5)


@pytest.mark.parametrize("rows", [[], [0], [0, 1], [0, 1, 2, 3], [5] * 30, [5] * 12 + [0, 1]])
def test_tiny_and_copied_inputs_as_the_default_method(makeorg, rows):
    vectors, lemmas, views = makeorg
    part = (vectors[rows], [lemmas[i] for i in rows], [view[rows] for view in views])
    default, large = default_method(*part), cluster_large.cluster_large(*part[:2], lexical_weight=0.1, keyword_views=part[2])
    assert np.array_equal(default.labels, large.labels) and default.n_themes == large.n_themes
    assert np.allclose(default.fit, large.fit, atol=1e-5)


def test_large_path_does_not_depend_on_input_order(makeorg):
    vectors, lemmas, views = makeorg
    first = cluster_large.cluster_large(vectors, lemmas, lexical_weight=0.1, keyword_views=views)
    shuffle = np.random.default_rng(3).permutation(len(vectors))
    again = cluster_large.cluster_large(vectors[shuffle], [lemmas[i] for i in shuffle], lexical_weight=0.1,
                                        keyword_views=[view[shuffle] for view in views])
    assert adjusted_rand_score(first.labels[shuffle], again.labels) == 1.0
    assert np.array_equal(first.labels[shuffle] < 0, again.labels < 0)


def test_knn_graphs_equal_the_default_methods(makeorg):
    vectors, lemmas, views = makeorg
    space = TextSpace.build(vectors, lemmas, 0.1, views)
    x = normalise(lexical_space(vectors, lemmas, 0.1))[space.order]
    _, first = np.unique(x, axis=0, return_index=True)
    assert space.n_rows == len(first) == 150
    expected = [knn_graph(view, 12) for view in mixed_views(x[first], [view[space.order][first] for view in views])]
    graphs, (nearest, best) = space.knn_graphs(12, block=64)  # several blocks
    for ours, theirs in zip(graphs, expected):
        assert (ours != 0).sum() == (theirs != 0).sum() and abs(ours - theirs).max() < 1e-5
    assert (np.diff(best, axis=1) <= 0).all() and best.shape == nearest.shape == (150, 12)


def test_sparse_consensus_is_average_linkage_when_every_pair_is_an_edge():
    rng = np.random.default_rng(0)
    truth = np.repeat(np.arange(6), 15)
    runs = np.stack([np.where(rng.random(90) < 0.3, rng.integers(0, 6, 90), truth) for _ in range(40)])
    complete = np.ones((90, 90)) - np.eye(90)
    from scipy import sparse

    ours = sparse_consensus(runs, sparse.csr_matrix(complete))
    assert adjusted_rand_score(_consensus(list(runs)), ours) == 1.0
    assert adjusted_rand_score(truth, ours) > 0.8


def test_sparse_consensus_merges_only_along_edges():
    from scipy import sparse

    runs = np.zeros((10, 6), dtype=int)  # every run puts all six together...
    chain = sparse.csr_matrix(np.eye(6, k=1) + np.eye(6, k=-1))
    chain[2, 3] = chain[3, 2] = 0  # ...but nothing links the first three to the last three
    chain.eliminate_zeros()
    labels = sparse_consensus(runs + np.arange(6) * (np.arange(10)[:, None] == 0), chain)  # run 0 splits them all
    assert len(set(labels[:3])) == 1 and len(set(labels[3:])) == 1 and labels[0] != labels[3]


def test_atom_pairs_read_by_blocks_are_the_pairs_of_all_the_edges(makeorg, monkeypatch):
    # atom_pairs reads the graph by blocks of rows (about 20 here): the pairs of atoms that its
    # edges join, each once, as reading every edge at once gives them
    from scipy import sparse

    from synthesis.cluster import coassociation, partition

    graph = knn_graph(normalise(makeorg[0][:150]), 10)
    runs = partition.leiden_runs([graph], 3.4, list(range(8)))  # a fine resolution: runs that disagree, many atoms
    _, atom_of = np.unique(runs.T, axis=0, return_inverse=True)
    atom_of = atom_of.ravel()
    monkeypatch.setattr(coassociation, "_BLOCK_ENTRIES", 100)
    pairs = coassociation.atom_pairs(graph, atom_of, int(atom_of.max()) + 1)
    e = sparse.triu(graph, k=1).tocoo()
    expected = {(min(a, b), max(a, b)) for a, b in zip(atom_of[e.row].tolist(), atom_of[e.col].tolist()) if a != b}
    assert len(expected) > 20
    assert pairs.tolist() == sorted(map(list, expected))


def test_pipeline_switches_path_by_category_size(demo_cards, use_embedder, monkeypatch):
    from synthesis.cards import CardSet
    from synthesis.pipeline import synthesize

    forces = [card for card in demo_cards.cards if card.category == demo_cards.categories[0]]
    small = CardSet(demo_cards.source, forces)
    monkeypatch.setattr(cluster_large, "LARGE_CATEGORY", len(forces) + 1)
    default = synthesize(small)
    monkeypatch.setattr(cluster_large, "LARGE_CATEGORY", len(forces) - 1)
    large = synthesize(small)
    assert "blockwise kNN" in large.method and "blockwise kNN" not in default.method
    assert [theme.unit_ids for theme in large.categories[0].themes] == [theme.unit_ids for theme in default.categories[0].themes]


# --- k-means micro-clusters (the cells of space.NeighbourIndex) ---------------------------------------


def blobs(n_per: int = 200, k: int = 4, d: int = 48, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, d))
    x = np.concatenate([c + 0.35 * rng.normal(size=(n_per, d)) for c in centres])
    return x, np.repeat(np.arange(k), n_per)


def test_micro_clusters_are_numbered_reproducible_and_never_mix_separated_blobs():
    x, gold = blobs()
    unit = normalise(x).astype(np.float32)
    micro = cluster_large.micro_clusters(unit, 150, seed=0)
    assert len(micro) == len(x) and micro.max() < 150
    assert np.array_equal(np.unique(micro), np.arange(micro.max() + 1))  # empty micro-clusters dropped, no gap
    assert np.array_equal(micro, cluster_large.micro_clusters(unit, 150, seed=0))
    for cell in range(micro.max() + 1):  # a cell may hold part of a blob, never two blobs
        assert len(np.unique(gold[micro == cell])) == 1
