"""A survey end to end: the demo survey corpus and small files through the pipeline, the reports and the CLI."""

import csv
import io
import json
import zipfile

import jsonschema
import pytest
from click.testing import CliRunner

from synthesis.cli import main
from synthesis.load import load_cards
from synthesis.report.cards_csv import render_cards_csv
from synthesis.report.markdown import render_markdown
from synthesis.report.themes_json import themes_document
from synthesis.report.wording import journal_text
from synthesis.store import from_data, to_data
from synthesis.result import Synthesis

from conftest import REPO

SURVEY_CSV = REPO / "corpora" / "enquete-ot-2024" / "reponses.csv"
SCHEMA = REPO / "synthesis" / "report" / "themes.schema.json"
SEGMENTS = ("Département", "Type de structure")

SMALL = """Répondant;Département;Taille;Question;Réponse
OT A;Aude;petite;Difficultés;Le recrutement des saisonniers est très difficile cette année. Nous manquons aussi cruellement de saisonniers qualifiés pour l'accueil.
OT B;Aude;grande;Difficultés;Recruter des saisonniers pour l'accueil estival devient impossible.
OT C;Gard;petite;Difficultés;Trop peu de candidats saisonniers pour nos bureaux d'accueil en été.
OT D;Gard;grande;Difficultés;Aucun bus ne dessert nos villages le dimanche. Les visiteurs sans voiture ne peuvent pas venir.
OT E;Lot;petite;Difficultés;Les transports en commun manquent pour rejoindre les sites touristiques.
OT F;Lot;grande;Difficultés;Pas de train ni de car pour venir chez nous sans voiture.
"""


@pytest.fixture(scope="module")
def survey_synthesis(use_embedder):
    from synthesis.pipeline import synthesize

    return synthesize(load_cards(SURVEY_CSV, segments=SEGMENTS))


def test_answers_are_split_and_each_respondent_counts_once_per_theme(survey_synthesis):
    split = [unit for unit in survey_synthesis.units if unit.segment]
    assert len({unit.card_id for unit in split}) >= 30  # multi-sentence answers feed several units
    respondent_of = {card.id: card.respondent for card in survey_synthesis.cards}
    for category in survey_synthesis.categories:
        for theme in category.themes:
            respondents = {respondent_of[card_id] for card_id in theme.card_ids}
            assert theme.n_groups == len(respondents) == len(theme.groups)
            assert theme.n_groups <= category.n_respondents


def test_one_respondent_with_two_sentences_on_one_theme_counts_once(tmp_path, use_embedder):
    from synthesis.pipeline import Settings, synthesize

    path = tmp_path / "enquete.csv"
    path.write_text(SMALL, encoding="utf-8")
    result = synthesize(load_cards(path, segments=("Département", "Taille")), Settings(n_themes=2))
    units_of_a = [unit.id for unit in result.units if unit.card.respondent == "OT A"]
    assert len(units_of_a) == 2
    theme = next(t for t in result.categories[0].themes if units_of_a[0] in t.unit_ids)
    assert units_of_a[1] in theme.unit_ids  # both sentences about seasonal staff
    assert theme.groups.count("OT A") == 1 and theme.n_groups == len(theme.card_ids) == 3
    assert result.categories[0].n_respondents == 6


def test_coverage_is_out_of_the_question_respondents_and_segments(survey_synthesis):
    first, _, third = survey_synthesis.categories
    assert (first.n_respondents, third.n_respondents) == (59, 32)  # not the 60 respondents of the survey
    assert len(first.segment_values["Département"]) == 13
    markdown = render_markdown(survey_synthesis)
    assert "cité par" in markdown.lower() and "répondants sur 59, dans" in markdown and "départements sur 13" in markdown
    assert "types de structure sur 3" in markdown and "Profil —" in markdown
    own_words = [line for line in markdown.splitlines() if not line.startswith((">", "- «", "Mots-clés", "###"))]
    assert not [line for line in own_words if "groupe" in line.lower().replace("regroup", "")]  # no workshop wording left


def test_the_planted_seasonal_staff_effect_is_found(survey_synthesis):
    """Stations raise seasonal staff far more than the other offices (13 of 15 against 6 of 44, see the corpus README)."""
    gold = {row["Réponse"]: row["theme"] for row in csv.DictReader(SURVEY_CSV.open(encoding="utf-8"), delimiter=";")}
    text_of = {card.id: card.text for card in survey_synthesis.cards}
    flagged = [theme for theme in survey_synthesis.categories[0].themes
               if any(s.value == "Office de tourisme de station" and s.direction == "+" for s in theme.profile)]
    assert flagged
    seasonal = sum("saisonniers" in gold[text_of[card_id]] for card_id in flagged[0].card_ids)
    assert seasonal > len(flagged[0].card_ids) / 2
    line = render_markdown(survey_synthesis)
    assert "plus présent chez Office de tourisme de station (" in line and "attendus)" in line


def test_machine_readable_outputs(survey_synthesis):
    document = themes_document(survey_synthesis)
    jsonschema.validate(json.loads(json.dumps(document)), json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert document["survey"]["segments"] == list(SEGMENTS) and document["survey"]["n_respondents"] == 60
    theme = document["categories"][0]["themes"][0]
    assert theme["n_respondents"] == theme["n_groups"] and set(theme["segments"]) == set(SEGMENTS)
    assert all(share["p_value"] is None for share in theme["profile"] if share["test"] == "")
    rows = list(csv.reader(io.StringIO(render_cards_csv(survey_synthesis)), delimiter=";"))
    assert rows[0][:3] == ["id", "respondent", "question"] and rows[0][-2:] == list(SEGMENTS)
    assert len(rows) == 150
    assert journal_text(survey_synthesis).splitlines()[2].startswith("Réponses lues : 149 · placées : 149")


def test_saved_result_keeps_the_survey(survey_synthesis):
    loaded = from_data(Synthesis, json.loads(json.dumps(to_data(survey_synthesis))))
    assert loaded.survey == survey_synthesis.survey
    assert loaded.cards[0].segments == survey_synthesis.cards[0].segments
    assert loaded.categories[0].themes[0].profile == survey_synthesis.categories[0].themes[0].profile


def test_cli_survey_run_and_unknown_segment(tmp_path):
    path = tmp_path / "enquete.csv"
    path.write_text(SMALL, encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(main, ["cluster", str(path), "-o", str(out), "--segment", "Département", "--segment", "Taille", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Réponses lues : 6 · placées : 6" in result.output and "répondants : 6" in result.output
    html = (out / "compte-rendu.html").read_text(encoding="utf-8")
    assert "Synthèse des réponses à l" in html and "Cité par" in html
    with zipfile.ZipFile(out / "compte-rendu.docx") as docx:
        assert "Cité par" in docx.read("word/document.xml").decode("utf-8")

    bad = runner.invoke(main, ["cluster", str(path), "-o", str(tmp_path / "bad"), "--segment", "Région", "--quiet"])
    assert bad.exit_code == 2
    error = bad.output.strip().splitlines()
    assert len(error) == 1 and "« Région » introuvable (--segment)" in error[0] and str(path) in error[0]
    assert "Traceback" not in bad.output
    assert not (tmp_path / "bad" / "compte-rendu.md").exists()


def test_an_editors_merge_recounts_respondents_segments_and_profile(survey_synthesis):
    from synthesis.corrections import Corrections, Entry, apply_corrections
    from synthesis.corrections.edits import Merge

    first = [theme for theme in survey_synthesis.categories[0].themes if not theme.isolated]
    into, other = first[0], first[1]
    corrected, problems = apply_corrections(survey_synthesis, Corrections([Entry(1, "2026-01-01T00:00:00Z", Merge(into.id, [other.id]))]))
    assert problems == []
    merged = next(theme for theme in corrected.categories[0].themes if theme.id == into.id)
    respondents = set(into.groups) | set(other.groups)
    assert merged.n_groups == len(respondents) and merged.over_represented_group is None
    assert sum(share.observed for share in merged.profile if share.segment == "Type de structure") == len(respondents)
    assert set(merged.segments["Département"]) == set(into.segments["Département"]) | set(other.segments["Département"])
    assert "répondants sur 59" in corrected.categories[0].summary


def test_the_review_page_counts_respondents_out_of_those_who_answered(survey_synthesis, tmp_path):
    from synthesis.corrections.folder import Rendered
    from synthesis.review.server import page_state

    state = page_state(Rendered(survey_synthesis, []), tmp_path)
    for category, shown in zip(survey_synthesis.categories, state["categories"]):
        assert (shown["who"], shown["n_who"], shown["item"]) == ("répondant", category.n_respondents, "réponse")
        assert category.n_respondents < survey_synthesis.n_groups  # not every office answered every question
