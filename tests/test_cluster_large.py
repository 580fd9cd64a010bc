"""The micro-cluster path for large categories: agreement with the default method, shape of its result, dispatch."""

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from synthesis.cluster import large as cluster_large
from synthesis.cluster.large import cluster_large as cluster_large_fn


def blobs(n_per: int = 200, k: int = 4, d: int = 48, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, d))
    x = np.concatenate([c + 0.35 * rng.normal(size=(n_per, d)) for c in centres])
    words = [("alpha", "beta"), ("gamma", "delta"), ("epsilon", "zeta"), ("eta", "theta")]
    lemmas = [words[i // n_per % len(words)] + (f"mot{i % 7}",) for i in range(len(x))]
    return x, np.repeat(np.arange(k), n_per), lemmas


def test_large_path_never_mixes_separated_themes():
    # The pass over the centres may split a theme (its grain counts centres, not texts: see the issue note),
    # but texts of separated themes never share one.
    x, gold, lemmas = blobs()
    large = cluster_large_fn(x, lemmas, lexical_weight=0.1, n_micro=150)
    for theme in set(large.labels.tolist()) - {-1}:
        members = gold[large.labels == theme]
        assert np.bincount(members).max() >= 0.95 * len(members)
    assert adjusted_rand_score(gold, large.labels) > 0.5
    assert "micro-clusters" in large.method


def test_large_path_result_is_well_formed_and_reproducible():
    x, _, lemmas = blobs(n_per=150, k=3)
    x[0] = -x[1:].mean(axis=0)  # one text far from everything
    first = cluster_large_fn(x, lemmas, lexical_weight=0.1, n_micro=100)
    again = cluster_large_fn(x, lemmas, lexical_weight=0.1, n_micro=100)
    assert np.array_equal(first.labels, again.labels)
    sizes = np.bincount(first.labels[first.labels >= 0])
    assert list(sizes) == sorted(sizes, reverse=True)  # numbered by decreasing size
    assert first.n_themes == len(sizes) >= 3
    assert ((first.fit >= 0) & (first.fit <= 1)).all()
    assert first.labels[0] == -1  # isolated at the level of texts


def test_forced_number_of_themes():
    x, _, lemmas = blobs()
    result = cluster_large_fn(x, lemmas, lexical_weight=0.1, n_themes=2, n_micro=120)
    assert result.n_themes == 2 and (result.labels >= 0).all()


def test_pipeline_switches_path_by_category_size(demo_cards, use_embedder, monkeypatch):
    from synthesis.cards import CardSet
    from synthesis.pipeline import synthesize

    forces = [card for card in demo_cards.cards if card.category == demo_cards.categories[0]]
    small = CardSet(demo_cards.source, forces)
    monkeypatch.setattr(cluster_large, "LARGE_CATEGORY", len(forces) - 1)
    assert "micro-clusters" in synthesize(small).method
    monkeypatch.setattr(cluster_large, "LARGE_CATEGORY", len(forces) + 1)
    assert "micro-clusters" not in synthesize(small).method


@pytest.mark.parametrize("n", [10, 4000, 1_000_000])
def test_number_of_micro_clusters_is_bounded(n):
    assert 2 <= cluster_large.n_micro_clusters(n) <= min(n, cluster_large.MAX_MICRO)
