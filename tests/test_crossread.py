"""« Des constats aux engagements »: weaknesses matched to expectations and contributions by theme centres."""

import numpy as np

from synthesis.crossread import MAX_MATCHES, N_WEAKNESSES, cross_read, match_strength, strength_level
from synthesis.result import CategoryResult, Theme


def theme(theme_id, category, groups):
    return Theme(theme_id, category, theme_id, [theme_id], [theme_id], groups, 1, 0, [])


def test_the_closest_expectation_and_contribution_answer_each_weakness():
    weakness_a, weakness_b = theme("manque-donnees", "faiblesses", ["G1", "G2"]), theme("roles-flous", "faiblesses", ["G3"])
    categories = [
        CategoryResult("faiblesses", [weakness_a, weakness_b], 2),
        CategoryResult("attentes", [theme("partager-donnees", "attentes", ["G1"]), theme("clarifier", "attentes", ["G3"])], 2),
        CategoryResult("contributions", [theme("ouvrir-donnees", "contributions", ["G2"]), theme("animer", "contributions", ["G4"])], 2),
    ]
    axis = {"donnees": np.array([1.0, 0, 0]), "roles": np.array([0, 1.0, 0])}
    centres = {
        "manque-donnees": axis["donnees"], "partager-donnees": axis["donnees"], "ouvrir-donnees": axis["donnees"],
        "roles-flous": axis["roles"], "clarifier": axis["roles"], "animer": np.array([0, 0.8, 0.6]),
    }
    links = cross_read(categories, centres)
    assert [link.theme_id for link in links] == ["manque-donnees", "roles-flous"]
    assert [m.theme_id for m in links[0].answers] == ["partager-donnees"] and links[0].answers[0].shared_groups == ["G1"]
    assert [m.theme_id for m in links[0].offers] == ["ouvrir-donnees"]
    assert [m.theme_id for m in links[1].answers] == ["clarifier"] and [m.theme_id for m in links[1].offers] == ["animer"]
    assert links[0].answers[0].level == "forte"


def test_no_weaknesses_no_reading():
    assert cross_read([CategoryResult("forces", [theme("a", "forces", ["G1"])], 1)], {"a": np.ones(3)}) == []


def test_strength_is_similarity_plus_a_bounded_group_bonus():
    assert match_strength(0.5, ["G1"], ["G2"]) == 0.5
    assert 0.5 < match_strength(0.5, ["G1", "G2"], ["G1", "G2"]) <= 0.65
    assert [strength_level(s) for s in (0.9, 0.6, 0.3)] == ["forte", "moyenne", "faible"]


def test_demo_reading_links_leading_weaknesses_to_their_answers(demo_synthesis):
    links = demo_synthesis.cross_reading
    weaknesses = [t for c in demo_synthesis.categories if c.category == "faiblesses" for t in c.themes if not t.isolated]
    assert [link.theme_id for link in links] == [t.id for t in weaknesses[:N_WEAKNESSES]]
    for link in links:
        assert len(link.answers) <= MAX_MATCHES and len(link.offers) <= MAX_MATCHES
        assert all(m.category == "attentes" for m in link.answers) and all(m.category == "contributions" for m in link.offers)
        strengths = [m.strength for m in link.answers]
        assert strengths == sorted(strengths, reverse=True)
    assert sum(bool(link.answers) for link in links) >= 4  # most leading weaknesses find an answer on the demo
    labels = {(link.label, m.label) for link in links for m in link.answers}
    assert ("Données non partagées", "Partage des données d'observation") in labels or not any(
        link.label == "Données non partagées" for link in links)
