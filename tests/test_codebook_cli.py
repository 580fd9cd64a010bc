"""synth apply and synth compare through click's CliRunner: a reviewed demo run as codebook, a small new export, bad inputs."""

import csv
import json
import shutil

import pytest
from click.testing import CliRunner

from synthesis.cli import main
from synthesis.corrections import CORRECTIONS_FILE, append_edit
from synthesis.corrections.edits import Rename

from test_codebook import NEW_TOPIC, ODD


@pytest.fixture()
def runner():
    return CliRunner()


@pytest.fixture(scope="module")
def codebook(demo_output, demo_cards, tmp_path_factory):
    """The demo's output folder, reviewed: the theme of the first forces card (the new export's first) renamed by an editor."""
    folder = tmp_path_factory.mktemp("grille") / "grille"
    shutil.copytree(demo_output, folder)
    first_card = next(card for card in demo_cards.cards if card.category == demo_cards.categories[0])
    with (folder / "cartes.csv").open(encoding="utf-8-sig") as stream:
        theme_id = next(row["theme_id"] for row in csv.DictReader(stream, delimiter=";") if row["id"] == first_card.id)
    themes = json.loads((folder / "themes.json").read_text(encoding="utf-8"))["categories"][0]["themes"]
    first = next(theme for theme in themes if theme["id"] == theme_id)
    append_edit(folder / CORRECTIONS_FILE, "rename", Rename(first["id"], "Intitulé relu par l'éditeur"))
    return folder, first


@pytest.fixture(scope="module")
def new_export(demo_cards, tmp_path_factory):
    """A small export: ten demo cards per category, one odd card and four on a topic the demo never raised."""
    path = tmp_path_factory.mktemp("annee-2") / "cartes-2024.csv"
    rows = []
    for category in demo_cards.categories:
        rows += [(c.group, category, c.id, c.text) for c in demo_cards.cards if c.category == category][:10]
    rows += [("Groupe 2", "forces", f"N-{i}", text) for i, text in enumerate([ODD] + NEW_TOPIC)]
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(["Groupe", "Catégorie", "N°", "Carte"])
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def applied_folder(codebook, new_export, tmp_path_factory, use_embedder):
    out = tmp_path_factory.mktemp("applique") / "sortie"
    result = CliRunner().invoke(main, ["apply", str(codebook[0]), str(new_export), "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_apply_writes_the_usual_reports_with_the_codebooks_corrected_themes(codebook, applied_folder):
    out, output = applied_folder
    assert {"compte-rendu.md", "compte-rendu.html", "compte-rendu.docx", "themes.json", "cartes.csv", "synth-resultat.json"} <= {
        p.name for p in out.iterdir()}
    document = json.loads((out / "themes.json").read_text(encoding="utf-8"))
    themes = {t["id"]: t for c in document["categories"] for t in c["themes"]}
    _, first = codebook
    assert themes[first["id"]]["label"] == "Intitulé relu par l'éditeur"  # the editor's label, not the run's
    assert "dans" in output and "de la grille" in output and "nouveau" in output
    markdown = (out / "compte-rendu.md").read_text(encoding="utf-8").replace("\xa0", " ")
    assert "## Grille de thèmes appliquée" in markdown and "aucune nouvelle carte" in markdown
    html = (out / "compte-rendu.html").read_text(encoding="utf-8")
    assert 'id="grille"' in html


def test_synth_report_rerenders_an_applied_folder(runner, applied_folder):
    out, _ = applied_folder
    result = runner.invoke(main, ["report", str(out)])
    assert result.exit_code == 0, result.output
    assert "Grille de thèmes appliquée" in (out / "compte-rendu.md").read_text(encoding="utf-8")


def test_compare_after_apply_matches_by_id_and_writes_markdown_and_json(runner, codebook, applied_folder, tmp_path):
    out, _ = applied_folder
    result = runner.invoke(main, ["compare", str(codebook[0]), str(out), "-o", str(tmp_path / "evolution.md")])
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "evolution.json").read_text(encoding="utf-8"))
    assert document["matched_by"] == "identifiant" and not document["unchanged"]
    statuses = {c["status"] for category in document["categories"] for c in category["changes"]}
    assert {"en baisse", "apparu"} <= statuses  # ten cards a category instead of a hundred; the yoga theme is new
    text = (tmp_path / "evolution.md").read_text(encoding="utf-8").replace("\xa0", " ")
    assert text.startswith("# Comparaison de deux synthèses") and "par leur identifiant" in text
    assert "Intitulé relu par l'éditeur" in text


def test_compare_of_a_run_with_itself_prints_that_nothing_changed(runner, codebook):
    result = runner.invoke(main, ["compare", str(codebook[0]), str(codebook[0])])
    assert result.exit_code == 0, result.output
    assert "**Aucun changement**" in result.output.replace("\xa0", " ")


@pytest.mark.parametrize("case", ["apply-no-result", "apply-other-model", "apply-into-codebook", "compare-no-result", "compare-over-report"])
def test_bad_inputs_are_one_french_line_with_exit_code_2(runner, codebook, new_export, tmp_path, case):
    folder = codebook[0]
    empty = tmp_path / "vide"
    empty.mkdir()
    args, expected = {
        "apply-no-result": (["apply", str(empty), str(new_export), "-o", str(tmp_path / "o")], "synth-resultat.json"),
        "apply-other-model": (["apply", str(folder), str(new_export), "--model", "autre-modele", "-o", str(tmp_path / "o")], "modèle"),
        "apply-into-codebook": (["apply", str(folder), str(new_export), "-o", str(folder)], "entrée"),
        "compare-no-result": (["compare", str(folder), str(empty)], "synth-resultat.json"),
        "compare-over-report": (["compare", str(folder), str(folder), "-o", str(folder / "compte-rendu.md")], "compte rendu comparé"),
    }[case]
    before = (folder / "compte-rendu.md").read_bytes()
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Erreur : ") and expected in lines[0], result.output
    assert (folder / "compte-rendu.md").read_bytes() == before
    assert not (tmp_path / "o" / "themes.json").exists()


@pytest.mark.parametrize("command", ["apply", "compare"])
def test_help(runner, command):
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0 and result.output.strip()


def test_a_survey_codebook_applied_to_a_survey_and_compared_by_respondents(runner, tmp_path, use_embedder):
    from test_survey import SEGMENTS, SURVEY_CSV

    segments = [arg for segment in SEGMENTS for arg in ("--segment", segment)]
    grid, out = tmp_path / "enquete-2024", tmp_path / "enquete-2025"
    assert runner.invoke(main, ["cluster", str(SURVEY_CSV), "-o", str(grid), "--quiet", *segments]).exit_code == 0
    result = runner.invoke(main, ["apply", str(grid), str(SURVEY_CSV), "-o", str(out), "--quiet", *segments])
    assert result.exit_code == 0, result.output
    applied = json.loads((out / "themes.json").read_text(encoding="utf-8"))
    codebook = json.loads((grid / "themes.json").read_text(encoding="utf-8"))
    assert [c["category"] for c in applied["categories"]] == [c["category"] for c in codebook["categories"]]
    result = runner.invoke(main, ["compare", str(grid), str(out), "-o", str(tmp_path / "evolution.md")])
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "evolution.json").read_text(encoding="utf-8"))
    assert document["matched_by"] == "identifiant" and document["unit"] == "répondants"
    shares = [c["share_b"] for category in document["categories"] for c in category["changes"]]
    assert shares and all(0 <= share <= 1 for share in shares)
    assert "| Répondants A |" in (tmp_path / "evolution.md").read_text(encoding="utf-8")
