"""Splitting cards that hold several ideas, conservatively, keeping text verbatim."""

import pytest

from synthesis.cards import Card
from synthesis.split import answer_segments, split_cards, split_text


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


# --- survey answers: sentences ------------------------------------------------------


def test_survey_answers_are_cut_into_sentences_each_verbatim():
    text = "Le recrutement des saisonniers devient très difficile. La desserte ferroviaire a encore été réduite cette année."
    segments = answer_segments([text])[0]
    assert segments == ["Le recrutement des saisonniers devient très difficile.", "La desserte ferroviaire a encore été réduite cette année."]
    assert all(segment in text for segment in segments)


@pytest.mark.parametrize("text", [
    "Négocier ensemble les contrats de logiciels et de sites internet. Merci pour cette enquête.",
    "Merci d'avance. La desserte ferroviaire a encore été réduite cette année.",
    "Pas de navette estivale vers les gorges cette année. C'est notre principal souci.",
])
def test_asides_stay_with_their_sentence(text):
    assert answer_segments([text]) == [[text]]


def test_a_sentence_ends_where_the_writer_ended_it_not_inside_a_clause():
    # spaCy's parser cuts this answer after « saturés »: a boundary without . ! ? … or a line break is not kept.
    text = ("Les plateformes de location ne nous transmettent pas les données dont nous aurions besoin pour suivre l'offre. "
            "Certains sites sont saturés l'été, avec des problèmes de stationnement et de déchets.")
    assert answer_segments([text]) == [[text[: text.index(" Certains")], text[text.index("Certains"):]]]


def test_sentences_then_multi_idea_rules():
    text = "- formation des saisonniers\n- mutualisation des outils de réservation. Et aussi plus de visibilité régionale sur les salons."
    assert answer_segments([text]) == [["formation des saisonniers", "mutualisation des outils de réservation.", "Et aussi plus de visibilité régionale sur les salons."]]


def test_sentences_only_for_surveys():
    card = Card(id="a", text="Accueil chaleureux des équipes locales. Une vraie force du réseau régional.", group="G1", category="forces", row=2)
    assert [unit.text for unit in split_cards([card])] == [card.text]  # a workshop card stays whole
    units = split_cards([card], sentences=True)
    assert [unit.id for unit in units] == ["a#1", "a#2"] and all(unit.card is card for unit in units)
    assert split_cards([card], enabled=False, sentences=True)[0].text == card.text  # --no-split wins
