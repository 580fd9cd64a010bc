"""The whole pipeline on the demo corpus: agreement with the gold themes, reproducibility, options."""

import csv

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from synthesis.pipeline import Settings, synthesize
from synthesis.report.themes_json import render_themes_json

from conftest import DEMO_CSV

#: Mean ARI over the four categories against the gold `theme` column. Measured at 0.30
#: (default settings: USE-m3 + 10 % lemma TF-IDF, with the two keyword views; 0.29 with
#: the sentence model's only, 0.27 without them, 0.23 without either); KMeans given the true number of themes reaches 0.20 on the same
#: vectors, so this corpus is hard on purpose (varied wording, typos, capitals).
ARI_FLOOR = 0.25


def gold_themes() -> dict[str, str]:
    with DEMO_CSV.open(encoding="utf-8-sig", newline="") as handle:
        return {row["N°"]: row["theme"] for row in csv.DictReader(handle, delimiter=";")}


def category_ari(synthesis, category: str) -> float:
    gold = gold_themes()
    first_units = {}
    for unit in synthesis.units:
        if unit.category == category:
            first_units.setdefault(unit.card_id, unit)
    truth = [gold[card_id] for card_id in first_units]
    found = [synthesis.placements[unit.id].theme_id for unit in first_units.values()]
    return adjusted_rand_score(truth, found)


def test_themes_agree_with_the_facilitators_gold_themes(demo_synthesis):
    scores = [category_ari(demo_synthesis, c.category) for c in demo_synthesis.categories]
    assert np.mean(scores) >= ARI_FLOOR, scores
    assert min(scores) > 0.05, scores


def test_number_of_themes_is_what_a_facilitator_would_write(demo_synthesis):
    for category in demo_synthesis.categories:
        n_themes = sum(not theme.isolated for theme in category.themes)
        assert 5 <= n_themes <= 15, (category.category, n_themes)
        isolated = sum(theme.n_cards for theme in category.themes if theme.isolated)
        assert isolated <= 0.1 * category.n_cards


def test_same_input_gives_identical_themes_json(demo_cards, demo_synthesis):
    again = synthesize(demo_cards)
    assert render_themes_json(again) == render_themes_json(demo_synthesis)


@pytest.mark.parametrize("n_themes", [3, 8])
def test_forced_number_of_themes(demo_cards, n_themes):
    forced = synthesize(demo_cards, Settings(n_themes=n_themes))
    for category in forced.categories:
        assert sum(not theme.isolated for theme in category.themes) == n_themes


def test_granularity_moves_the_number_of_themes(demo_cards, demo_synthesis):
    def counts(synthesis):
        return sum(sum(not theme.isolated for theme in c.themes) for c in synthesis.categories)

    coarser = counts(synthesize(demo_cards, Settings(granularity=-1)))
    finer = counts(synthesize(demo_cards, Settings(granularity=1)))
    assert coarser < counts(demo_synthesis) < finer


def test_split_cards_keep_their_parent_and_can_be_switched_off(demo_cards, demo_synthesis):
    split_units = [unit for unit in demo_synthesis.units if unit.segment]
    assert split_units, "the demo corpus has cards holding several ideas"
    assert all(unit.text in unit.card.text for unit in split_units)
    whole = synthesize(demo_cards, Settings(split=False))
    assert len(whole.units) == len(demo_cards.cards)


@pytest.mark.parametrize("bad", [{"lexical_weight": -0.1}, {"lexical_weight": 1.5}, {"n_themes": 0}])
def test_settings_out_of_range_are_refused(bad):
    with pytest.raises(ValueError):
        Settings(**bad)


def test_keyword_view_can_be_switched_off(demo_cards, demo_synthesis):
    assert "keyword view" in demo_synthesis.method
    plain = synthesize(demo_cards, Settings(keyword_clustering=False))
    assert "keyword view" not in plain.method
    scores = [category_ari(plain, c.category) for c in plain.categories]
    assert np.mean(scores) >= ARI_FLOOR - 0.04, scores


def test_theme_id_prefixes_are_unique_in_a_run():
    from synthesis.pipeline import theme_id_prefixes

    categories = ["Points +", "Points -", "Points –", "?", "¿", "نقاط القوة", "优点", "forces", "Points 2"]
    prefixes = theme_id_prefixes(categories)
    assert len(set(prefixes.values())) == len(categories)
    assert prefixes["forces"] == "forces" and prefixes["Points +"] == "points" and prefixes["优点"] == "优点"
