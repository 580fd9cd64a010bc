"""The summarise stage: labels, keywords, quotes, ranking, consensus flags."""

import numpy as np
import pytest

from synthesis.cards import Card, IdeaUnit
from synthesis.clean import clean_texts
from synthesis.summarise import (
    CategoryInput,
    find_near_duplicates,
    log_likelihood,
    over_represented_group,
    summarise_category,
    theme_scope,
)

FUNCTION_WORDS = {"le", "la", "les", "l'", "de", "des", "du", "d'", "un", "une", "et", "ou", "à", "au", "aux", "en", "pour", "par", "sur", "avec", "entre"}

CARDS = [
    ("Manque de communication entre OT et ADT", "Groupe 1", 0),
    ("Pas assez de communication entre les OT et l'ADT", "Groupe 2", 0),
    ("La communication entre échelons est insuffisante", "Groupe 3", 0),
    ("Communication interne au réseau à améliorer", "Groupe 4", 0),
    ("Formations communes pour les conseillers en séjour", "Groupe 1", 1),
    ("Des formations communes entre OT", "Groupe 2", 1),
    ("Formations communes !!", "Groupe 5", 1),
    ("formations communes", "Groupe 6", 1),
    ("Un robot pour l'accueil", "Groupe 7", -1),
]


@pytest.fixture(scope="module")
def category(use_embedder):
    cards = [Card(id=f"c{i}", text=t, group=g, category="attentes", row=i + 2, votes=i % 3) for i, (t, g, _) in enumerate(CARDS)]
    cards = [IdeaUnit(id=card.id, card=card, text=card.text) for card in cards]
    vectors = use_embedder.encode([c.text for c in cards])
    labels = np.array([label for _, _, label in CARDS])
    fit = np.array([0.9, 0.8, 0.7, 0.6, 0.9, 0.8, 0.7, 0.6, 0.3])
    data = CategoryInput("attentes", cards, clean_texts([c.text for c in cards]), vectors, labels, fit)
    result, duplicates = summarise_category(data, all_groups=[f"Groupe {i}" for i in range(1, 10)], encode=use_embedder.encode)
    return data, result, duplicates


def test_every_card_is_in_exactly_one_theme_and_isolated_cards_come_last(category):
    data, result, _ = category
    ids = [card_id for theme in result.themes for card_id in theme.card_ids]
    assert sorted(ids) == sorted(card.id for card in data.units)
    assert result.themes[-1].isolated and result.themes[-1].card_ids == ["c8"]


def test_labels_are_distinct_short_and_do_not_end_on_a_function_word(category):
    _, result, _ = category
    labels = [theme.label for theme in result.themes if not theme.isolated]
    assert len({label.casefold() for label in labels}) == len(labels)
    for label in labels:
        words = label.split()
        assert 2 <= len(words) <= 7, label
        assert words[-1].lower() not in FUNCTION_WORDS, label


def test_labels_come_from_the_theme_cards(category):
    data, result, _ = category
    by_label = {theme.label: theme for theme in result.themes if not theme.isolated}
    for label, theme in by_label.items():
        texts = [card.text.casefold() for card in data.units if card.id in theme.card_ids]
        assert any(label.casefold() in text for text in texts), label


def test_quotes_are_verbatim_from_several_groups_and_never_repeat_a_duplicate(category):
    data, result, duplicates = category
    texts = {card.id: card.text for card in data.units}
    for theme in result.themes:
        for quote in theme.quotes:
            assert quote.text == texts[quote.card_id]
        if not theme.isolated and theme.n_groups >= 2:
            assert len({quote.group for quote in theme.quotes}) >= 2
        quoted = [quote.card_id for quote in theme.quotes]
        assert not any(duplicates[card_id] in quoted for card_id in quoted)


def test_near_identical_cards_are_spotted_but_paraphrases_are_not(use_embedder):
    texts = ["Formations communes !!", "formations communes", "Former ensemble les conseillers", "Apidae"]
    duplicates = find_near_duplicates(clean_texts(texts), use_embedder.encode(texts))
    assert duplicates == [None, 0, None, None]


def test_themes_are_ranked_by_groups_then_cards(category):
    _, result, _ = category
    ranked = [theme for theme in result.themes if not theme.isolated]
    keys = [(theme.n_groups, theme.n_cards) for theme in ranked]
    assert keys == sorted(keys, reverse=True)


def test_summary_names_the_leading_theme_with_its_counts(category):
    _, result, _ = category
    leader = result.themes[0]
    assert f"« {leader.label} »" in result.summary
    assert f"{leader.n_groups} groupes sur 9" in result.summary


@pytest.mark.parametrize(("n_groups", "total", "scope"), [(6, 9, "transversal"), (9, 9, "transversal"), (5, 9, ""), (2, 9, "spécifique"), (1, 9, "spécifique"), (1, 2, "")])
def test_scope_follows_the_two_thirds_and_two_groups_rules(n_groups, total, scope):
    assert theme_scope(n_groups, total) == scope


def test_over_representation_needs_a_significant_excess():
    category = [f"Groupe {g}" for g in range(1, 10) for _ in range(10)]
    concentrated = ["Groupe 3"] * 8 + ["Groupe 1", "Groupe 2"]
    spread = [f"Groupe {g}" for g in range(1, 10)]
    assert over_represented_group(concentrated, category) == "Groupe 3"
    assert over_represented_group(spread, category) is None


def test_log_likelihood_is_positive_for_over_represented_lemmas_only():
    assert log_likelihood(8, 10, 2, 90) > 10
    assert log_likelihood(1, 10, 20, 90) < 0
    assert log_likelihood(0, 0, 5, 90) == 0
