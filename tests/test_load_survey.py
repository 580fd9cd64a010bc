"""Reading survey exports: long and wide layouts, respondents, segments, and workshops left alone."""

import pytest

from synthesis.cards import DEFAULT_QUESTION, UNKNOWN_SEGMENT, InputError
from synthesis.load import load_cards

from conftest import DEMO_CSV, REPO

SURVEY_CSV = REPO / "corpora" / "enquete-ot-2024" / "reponses.csv"

LONG = """Répondant;Département;Type de structure;Question;Réponse
OT Lunel;Hérault;Intercommunal;Difficultés;Le recrutement des saisonniers est très difficile. Les logements manquent.
OT Mende;Lozère;Communal;Difficultés;Pas de transport en commun pour venir chez nous.
OT Lunel;Hérault;Intercommunal;Besoins;Des formations au numérique pour l'équipe.
OT Foix;;Communal;Besoins;Une mutualisation des outils de réservation
"""

WIDE = """ID répondant;Département;Type de structure;Quelles difficultés rencontrez-vous ?;Quels besoins d'accompagnement ?
R1;Hérault;Intercommunal;Le recrutement des saisonniers est très difficile.;Des formations au numérique pour l'équipe.
R2;Lozère;Communal;Pas de transport en commun pour venir chez nous.;
R3;Aude;Communal;;
R4;Aude;Communal;Trop de paperasse pour la taxe de séjour;Un outil commun de réservation en ligne
"""


def write(tmp_path, text, name="enquete.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_long_survey_reads_respondents_questions_and_segments(tmp_path):
    card_set = load_cards(write(tmp_path, LONG), segments=("Département", "type de structure"))
    survey = card_set.survey
    assert survey is not None and not survey.wide
    assert (survey.respondent_column, survey.question_column) == ("Répondant", "Question")
    assert survey.segments == ["Département", "Type de structure"]  # the export's own headers
    first = card_set.cards[0]
    assert (first.group, first.respondent, first.category) == ("OT Lunel", "OT Lunel", "Difficultés")
    assert first.segments == (("Département", "Hérault"), ("Type de structure", "Intercommunal"))
    assert card_set.categories == ["Difficultés", "Besoins"]  # questionnaire order, not alphabetical
    assert card_set.groups == ["OT Foix", "OT Lunel", "OT Mende"]
    foix = card_set.cards[3]
    assert foix.segment("Département") == UNKNOWN_SEGMENT
    assert any("1 réponse sans valeur (ligne 5)" in warning for warning in card_set.warnings)


def test_type_de_structure_is_never_taken_for_a_category_in_a_survey(tmp_path):
    card_set = load_cards(write(tmp_path, LONG))  # no --segment: still a survey (respondent and question columns)
    assert card_set.survey is not None and card_set.survey.segments == []
    assert "category" not in card_set.columns
    assert {card.category for card in card_set.cards} == {"Difficultés", "Besoins"}


def test_a_respondent_with_two_values_keeps_the_first_and_is_warned_about(tmp_path):
    text = LONG.replace("OT Lunel;Hérault;Intercommunal;Besoins", "OT Lunel;Gard;Intercommunal;Besoins")
    card_set = load_cards(write(tmp_path, text), segments=("Département",))
    assert {card.segment("Département") for card in card_set.cards if card.respondent == "OT Lunel"} == {"Hérault"}
    assert any("« OT Lunel » a plusieurs valeurs (« Gard », « Hérault »)" in warning for warning in card_set.warnings)


def test_wide_survey_is_recognised_and_made_long(tmp_path):
    card_set = load_cards(write(tmp_path, WIDE), segments=("Département",))
    assert card_set.survey.wide and card_set.survey.respondent_column == "ID répondant"
    assert [card.id for card in card_set.cards] == ["R1-q1", "R1-q2", "R2-q1", "R4-q1", "R4-q2"]
    assert card_set.categories == ["Quelles difficultés rencontrez-vous ?", "Quels besoins d'accompagnement ?"]
    assert [card.row for card in card_set.cards] == [2, 2, 3, 5, 5]  # rows as the spreadsheet shows them
    assert card_set.skipped_rows == [4]  # R3 answered nothing
    assert card_set.cards[2].segments == (("Département", "Lozère"),)


def test_wide_columns_can_be_named_with_questions(tmp_path):
    text = WIDE.replace("ID répondant", "Code")  # no respondent column recognised: not guessed as wide
    with pytest.raises(InputError):
        load_cards(write(tmp_path, text))
    one_option = load_cards(write(tmp_path, text), questions=("Quelles difficultés rencontrez-vous ?,Quels besoins d'accompagnement ?",))
    repeated = load_cards(write(tmp_path, text), questions=("Quelles difficultés rencontrez-vous ?", "Quels besoins d'accompagnement ?"))
    assert [c.text for c in one_option.cards] == [c.text for c in repeated.cards]
    assert len(repeated.cards) == 5 and repeated.survey.wide
    assert {card.group for card in repeated.cards} == {"ligne 2", "ligne 3", "ligne 5"}  # each row is a respondent


def test_question_header_is_matched_exactly_only(tmp_path):
    """« Question 1 : … » heads a column of answers in a wide export, not the question column."""
    text = "Répondant;Question 1 : vos difficultés ?;Question 2 : vos besoins ?\nOT A;Pas assez de personnel pour l'été;Des formations en ligne pour tous\nOT B;Trop de démarches administratives à faire;Un outil commun de réservation\n"
    card_set = load_cards(write(tmp_path, text))
    assert card_set.survey.wide and card_set.survey.question_column == ""
    assert card_set.categories == ["Question 1 : vos difficultés ?", "Question 2 : vos besoins ?"]


def test_unknown_segment_is_a_one_line_error_naming_file_and_column(tmp_path):
    path = write(tmp_path, LONG)
    with pytest.raises(InputError) as error:
        load_cards(path, segments=("Région",))
    message = str(error.value)
    assert "\n" not in message and str(path) in message and "« Région »" in message and "--segment" in message


def test_a_workshop_export_is_never_read_as_a_survey(demo_cards, tmp_path):
    assert demo_cards.survey is None
    assert all(card.respondent == "" and card.segments == () for card in demo_cards.cards)
    # A group column wins over a « Structure » column: still a workshop.
    text = "Groupe;Structure;Catégorie;Texte\nG1;OT Foix;Forces;Une équipe motivée\nG2;OT Albi;Faiblesses;Pas assez de moyens\n"
    card_set = load_cards(write(tmp_path, text))
    assert card_set.survey is None and card_set.groups == ["Groupe 1", "Groupe 2"]


def test_survey_without_question_column_has_one_question(tmp_path):
    card_set = load_cards(write(tmp_path, "Répondant;Réponse\nA;Plus de formations\nB;Moins de paperasse\n"))
    assert card_set.survey is not None and card_set.categories == [DEFAULT_QUESTION]


def test_demo_survey_corpus():
    card_set = load_cards(SURVEY_CSV, segments=("Département", "Type de structure"))
    assert len(card_set.cards) == 149 and len(card_set.groups) == 60 and len(card_set.categories) == 3
    assert card_set.categories[0].startswith("Quelles sont les principales difficultés")
    assert not card_set.warnings
    assert "theme" not in card_set.columns.values()  # the gold column is never read


def test_demo_workshop_still_loads_the_same():
    card_set = load_cards(DEMO_CSV)
    assert card_set.columns == {"text": "Carte", "group": "Groupe", "category": "Catégorie", "id": "N°", "votes": "Gommettes"}
    assert len(card_set.cards) == 375
