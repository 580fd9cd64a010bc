"""Saved clusterings (synthesis.cluster.saved): the same texts give the saved themes; a large category with a
few new texts keeps the earlier themes and places the new texts; anything else is clustered anew."""

import dataclasses
import hashlib

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

import synthesis.pipeline as pipeline
from conftest import eval_file
from synthesis.clean import clean_texts
from synthesis.cluster.saved import NEW, SavedClusterings, place_new_texts
from synthesis.pipeline import Settings, synthesize


@pytest.fixture(scope="module")
def makeorg_space(use_embedder):
    """12 proposals of each of the 14 makeorg ideas that have as many: vectors, lemmas, and the default clustering of them."""
    table = pd.read_csv(eval_file("makeorg_themes_fr.csv"))
    ideas = sorted(table["tag_primary"].value_counts().loc[lambda counts: counts >= 12].index)
    texts = table[table["tag_primary"].isin(ideas)].groupby("tag_primary", sort=True).head(12)["text"].tolist()
    vectors = use_embedder.encode(texts)
    lemmas = [text.lemmas for text in clean_texts(texts)]
    clustering = pipeline.default_clustering("propositions", vectors, lemmas, None, Settings(keyword_clustering=False))
    return texts, vectors, lemmas, clustering


def test_new_texts_join_their_nearest_theme_and_earlier_texts_keep_theirs(makeorg_space, use_embedder):
    texts, vectors, lemmas, clustering = makeorg_space
    copies = list(range(0, len(texts), 6))  # 28 proposals written again, lightly edited: new texts for the cache
    new_texts = [texts[i].rstrip(".!") + " !" for i in copies]
    all_vectors = np.vstack([vectors, use_embedder.encode(new_texts)])
    all_lemmas = lemmas + [text.lemmas for text in clean_texts(new_texts)]
    earlier = np.concatenate([clustering.labels, np.full(len(copies), NEW)])

    labels, fit = place_new_texts(all_vectors, all_lemmas, earlier, lexical_weight=Settings().lexical_weight)

    n = len(texts)
    assert adjusted_rand_score(clustering.labels, labels[:n]) == 1.0
    assert np.array_equal(labels[:n] == -1, clustering.labels == -1)
    in_theme = [k for k, i in enumerate(copies) if clustering.labels[i] >= 0]
    assert np.mean([labels[n + k] == labels[i] for k, i in enumerate(copies) if k in in_theme]) >= 0.9
    assert ((fit >= 0) & (fit <= 1)).all()


def test_a_text_far_from_every_theme_is_set_aside(makeorg_space, use_embedder):
    texts, vectors, lemmas, clustering = makeorg_space
    far = ["Le service était lent mais le dessert au chocolat était délicieux.", "Batterie du téléphone qui chauffe"]
    all_vectors = np.vstack([vectors, use_embedder.encode(far)])
    all_lemmas = lemmas + [text.lemmas for text in clean_texts(far)]
    earlier = np.concatenate([clustering.labels, np.full(len(far), NEW)])
    labels, _ = place_new_texts(all_vectors, all_lemmas, earlier, lexical_weight=Settings().lexical_weight)
    assert (labels[-2:] == -1).all()


def _edited(card_set, category: str, every: int):
    """(the cards with one card in ``every`` of a category written again (new texts for the cache), the ids of those cards)."""
    seen, cards, edited = 0, [], set()
    for card in card_set.cards:
        if card.category == category:
            seen += 1
            if seen % every == 0:
                card = dataclasses.replace(card, text=card.text.rstrip(".!") + " !")
                edited.add(card.id)
        cards.append(card)
    return dataclasses.replace(card_set, cards=cards, warnings=list(card_set.warnings)), edited


def _partition(synthesis, category: str) -> dict[str, str]:
    return {unit_id: placement.theme_id for unit_id, placement in synthesis.placements.items()
            if synthesis.units[[u.id for u in synthesis.units].index(unit_id)].category == category}


def test_reruns_reuse_saved_themes_and_place_a_few_new_cards(demo_cards, use_embedder, tmp_path, monkeypatch):
    # Workshop categories hold about 100 cards, far below REUSE_FROM: lowered here so the demo stands for a large category.
    monkeypatch.setattr(pipeline, "REUSE_FROM", 50)
    first = synthesize(demo_cards, cache_dir=tmp_path)
    again = synthesize(demo_cards, cache_dir=tmp_path)
    assert again.placements == first.placements and again.method == first.method

    edited, edited_ids = _edited(demo_cards, "forces", every=25)  # 4 of 103 cards
    placed = synthesize(edited, cache_dir=tmp_path)
    assert any("forces : thèmes repris du run précédent" in line and "4 idées nouvelles" in line for line in placed.warnings)
    before, after = _partition(first, "forces"), _partition(placed, "forces")
    card_of = {unit.id: unit.card.id for unit in placed.units}
    kept = sorted(unit for unit in before if unit in after and card_of[unit] not in edited_ids)
    assert len(kept) >= 95
    assert adjusted_rand_score([before[u] for u in kept], [after[u] for u in kept]) == 1.0
    assert not any("thèmes repris" in line and not line.startswith("forces") for line in placed.warnings)

    fresh = synthesize(edited, cache_dir=None)
    assert not any("thèmes repris" in line for line in fresh.warnings)
    other_grain = synthesize(edited, Settings(granularity=1.0), cache_dir=tmp_path)
    assert not any("thèmes repris" in line for line in other_grain.warnings)


def test_too_many_new_texts_cluster_anew_and_an_unreadable_file_is_ignored(demo_cards, use_embedder, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "REUSE_FROM", 50)
    first = synthesize(demo_cards, cache_dir=tmp_path)
    many = synthesize(_edited(demo_cards, "forces", every=5)[0], cache_dir=tmp_path)  # 20 % new
    assert not any("thèmes repris" in line for line in many.warnings)
    for saved in (tmp_path / "clusterings").rglob("*.npz"):
        saved.write_bytes(b"PK\x03\x04 broken")
    again = synthesize(demo_cards, cache_dir=tmp_path)
    assert again.placements == first.placements
    assert SavedClusterings(None, "x").same("y") is None


def test_a_category_finds_its_earlier_themes_whatever_the_other_categories_saved(tmp_path):
    # A survey of many questions saves a clustering per question and run: the earlier themes of one question
    # are sought among that question's own from-scratch clusterings, not among the last files of every question.
    from synthesis.cluster import Clustering
    from synthesis.cluster.saved import MAX_CANDIDATES

    def digests(*texts: str) -> list[bytes]:  # text keys are SHA-256 digests, as the embedding cache makes them
        return [hashlib.sha256(text.encode()).digest() for text in texts]

    def clustering(n: int) -> Clustering:
        labels = np.arange(n) % 3
        return Clustering(labels, np.full(n, 0.5), 3, "test", {})

    saved = SavedClusterings(tmp_path, "settings")
    keys = digests(*(f"réponse {i}" for i in range(200)))
    saved.save("q1-first", keys, clustering(200), from_scratch=True, category="Question 1")
    for run in range(2 * MAX_CANDIDATES):  # later runs: other questions, and placed runs of this one
        saved.save(f"other-{run}", digests(*(f"autre {run} {i}" for i in range(50))), clustering(50), from_scratch=True, category=f"Question {run + 2}")
        saved.save(f"q1-placed-{run}", keys[:-1], clustering(199), from_scratch=False)

    grown = keys + digests("nouvelle")
    found = saved.earlier("Question 1", grown)
    assert found is not None and set(found[0]) == set(keys)
    assert saved.earlier("Question 99", grown) is None
    for run in range(2 * MAX_CANDIDATES):
        saved.save(f"q1-again-{run}", digests(*(f"q1 {run} {i}" for i in range(200))), clustering(200), from_scratch=True, category="Question 1")
    # one earlier clustering for each other question, and the MAX_CANDIDATES most recent of question 1
    assert len(list((tmp_path / "clusterings" / "settings" / "earlier").rglob("*.npz"))) == 2 * MAX_CANDIDATES + MAX_CANDIDATES
    assert saved.earlier("Question 1", grown) is None  # the first run's themes left the window of MAX_CANDIDATES
