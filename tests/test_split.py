"""Splitting cards that hold several ideas, conservatively, keeping text verbatim."""

import pytest

from synthesis.cards import Card
from synthesis.split import split_cards, split_text


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("- formation / - mutualisation", ["formation", "mutualisation"]),
        ("observation ; données partagées", ["observation", "données partagées"]),
        ("Accueil chaleureux mais manque de personnel l'été", ["Accueil chaleureux", "manque de personnel l'été"]),
        ("- Apidae\n- taxe de séjour\n- formation", ["Apidae", "taxe de séjour", "formation"]),
        ("Partage d'expérience\n+ présenter nos projets réussis", ["Partage d'expérience", "présenter nos projets réussis"]),
    ],
)
def test_cards_with_clearly_separated_ideas_are_split(text, segments):
    assert split_text(text) == segments


@pytest.mark.parametrize(
    "text",
    [
        "Marque Occitanie / Sud de France reconnue",  # a slash inside one idea
        "Rôles flous entre OT, ADT et CRTL",  # "et" and commas join parts of one idea
        "Bien mais",  # nothing stands after "mais"
        "a;b",  # segments too thin to be ideas
        "Flux Vision : on paie mais rien",
        "Manque de communication entre OT et ADT",
    ],
)
def test_cards_holding_one_idea_stay_whole(text):
    assert split_text(text) == [text]


def test_segments_are_verbatim_and_keep_their_parent_card():
    card = Card(id="G1-A-03", text="- formation / - mutualisation", group="Groupe 1", category="attentes", row=4)
    whole = Card(id="G1-A-04", text="Rencontres régulières", group="Groupe 1", category="attentes", row=5)
    units = split_cards([card, whole])
    assert [unit.id for unit in units] == ["G1-A-03#1", "G1-A-03#2", "G1-A-04"]
    assert all(unit.text in unit.card.text for unit in units)
    assert {unit.card_id for unit in units[:2]} == {"G1-A-03"}
    assert [unit.segment for unit in units] == [1, 2, 0]


def test_splitting_can_be_switched_off():
    card = Card(id="c1", text="- formation / - mutualisation", group="Groupe 1", category="attentes", row=2)
    assert [unit.text for unit in split_cards([card], enabled=False)] == [card.text]


def test_segment_ids_never_collide_with_a_card_named_like_a_segment():
    cards = [
        Card(id="a", text="- formation des agents\n- mutualisation des outils", group="G1", category="forces", row=2),
        Card(id="a#1", text="Marque reconnue", group="G1", category="forces", row=3),
    ]
    ids = [unit.id for unit in split_cards(cards)]
    assert ids == ["a#1-2", "a#2", "a#1"]
    assert len(set(ids)) == len(ids)
