"""The synth command through click's CliRunner: help, a full run, errors without tracebacks."""

import csv

import pytest
from click.testing import CliRunner

from synthesis import __version__
from synthesis.cli import Granularity, main

from conftest import DEMO_CSV, eval_file


@pytest.fixture()
def runner():
    return CliRunner()


@pytest.mark.parametrize("args", [["--help"], ["cluster", "--help"], ["report", "--help"], ["review", "--help"], ["models"]])
def test_help_and_models_list(runner, args):
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output.strip()


def test_version(runner):
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_cluster_on_the_demo_corpus_writes_the_report_and_a_run_summary(runner, tmp_path, use_embedder):
    title = "Journée du réseau — <test>"
    result = runner.invoke(main, ["cluster", str(DEMO_CSV), "-o", str(tmp_path), "--quiet", "--title", title])
    assert result.exit_code == 0, result.output
    assert {"compte-rendu.md", "themes.json", "cartes.csv"} <= {p.name for p in tmp_path.iterdir()}
    assert "Cartes lues : 380 · placées : 375 · ignorées (sans texte) : 5" in result.output
    assert (tmp_path / "compte-rendu.md").read_text(encoding="utf-8").startswith("# Journée du réseau — \\<test\\>\n")
    assert "<h1>Journée du réseau — &lt;test&gt;</h1>" in (tmp_path / "compte-rendu.html").read_text(encoding="utf-8")


def test_forced_number_of_themes_is_honoured(runner, tmp_path, use_embedder):
    result = runner.invoke(main, ["cluster", str(DEMO_CSV), "-o", str(tmp_path), "--themes", "4", "--quiet"])
    assert result.exit_code == 0, result.output
    for line in result.output.splitlines():
        if line.startswith("  ") and "cartes," in line:
            assert ", 4 thèmes," in line, line


def test_more_themes_than_ideas_and_an_ignored_granularity_are_said(runner, tmp_path, use_embedder):
    cards = tmp_path / "cartes.csv"
    cards.write_text("groupe;catégorie;texte\n1;forces;Accueil chaleureux\n2;forces;Bonne entente\n3;forces;Outils partagés\n",
                     encoding="utf-8")
    result = runner.invoke(main, ["cluster", str(cards), "-o", str(tmp_path / "out"), "--themes", "5", "--granularity", "finer", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "--granularity est sans effet" in result.output
    assert "forces : 5 thèmes demandés, 3 seulement" in result.output
    assert "5 thèmes demandés" in (tmp_path / "out" / "journal.txt").read_text(encoding="utf-8")


def test_eval_set_with_text_and_id_only_gets_a_theme_for_every_row(runner, tmp_path, use_embedder):
    path = eval_file("makeorg_themes_fr.csv")
    result = runner.invoke(main, ["cluster", str(path), "-o", str(tmp_path), "--text-column", "text", "--id-column", "id", "--quiet"])
    assert result.exit_code == 0, result.output
    with (tmp_path / "cartes.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    with path.open(encoding="utf-8", newline="") as handle:
        source_ids = [row["id"] for row in csv.DictReader(handle)]
    assert sorted(row["id"] for row in rows) == sorted(source_ids)
    assert all(row["theme_id"] for row in rows)


def test_a_local_sentence_transformers_model_can_replace_the_default(runner, tmp_path):
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import BoW

    model_dir = tmp_path / "bow"
    SentenceTransformer(modules=[BoW(vocab=["ot", "adt", "formation", "communication", "données", "marque"])], device="cpu").save(str(model_dir))
    result = runner.invoke(main, ["cluster", str(DEMO_CSV), "-o", str(tmp_path / "out"), "--model", str(model_dir), "--quiet"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "themes.json").is_file()


@pytest.mark.parametrize(("value", "expected"), [("finer", 1.0), ("0.5", 0.5), ("0,5", 0.5), ("-1,5", -1.5)])
def test_granularity_takes_words_and_french_or_english_decimals(value, expected):
    assert Granularity().convert(value, None, None) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["cluster", "absent.csv"], "absent.csv"),
        (["cluster", str(DEMO_CSV), "--text-column", "Nope"], "Nope"),
        (["cluster", str(DEMO_CSV), "--model", "/nowhere/model"], "/nowhere/model"),
        (["cluster", str(DEMO_CSV), "--granularity", "huge"], "huge"),
    ],
)
def test_bad_input_is_one_line_with_exit_code_2_and_no_traceback(runner, tmp_path, args, expected):
    result = runner.invoke(main, args + ["-o", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "themes.json").exists()


def test_every_command_is_documented_in_the_readme():
    readme = (DEMO_CSV.parents[2] / "README.md").read_text(encoding="utf-8")
    for name in main.commands:
        assert f"synth {name}" in readme, name


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["cluster"], "argument manquant : FICHIER"),
        (["cluster", "x.csv", "--foo"], "option inconnue : --foo"),
        (["cluster", "x.csv", "--sed", "1"], "vouliez-vous dire"),
        (["cluster", "x.csv", "--quotes", "50"], "valeur invalide pour --quotes : 50 n'est pas dans l'intervalle"),
        (["cluster", "x.csv", "--seed"], "l'option --seed attend une valeur"),
        (["cluster", "x.csv", "y.csv"], "argument en trop : y.csv"),
        (["inconnue"], "commande inconnue : inconnue"),
    ],
)
def test_usage_errors_are_one_french_line_with_exit_code_2(runner, args, expected):
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Erreur : ") and expected in lines[0], result.output
    assert "--help" in lines[0] and "Usage" not in result.output and "Error" not in result.output


def test_an_output_path_that_is_a_file_is_refused_in_french(runner, tmp_path):
    a_file = tmp_path / "sortie.txt"
    a_file.write_text("x")
    for output in (a_file, a_file / "sous-dossier"):
        result = runner.invoke(main, ["cluster", str(DEMO_CSV), "-o", str(output)])
        assert result.exit_code == 2, result.output
        assert result.output.startswith("Erreur : ") and len(result.output.strip().splitlines()) == 1
        assert str(output) in result.output


def test_report_rerenders_the_folder_with_its_corrections_and_names_what_did_not_apply(runner, tmp_path, demo_synthesis):
    from synthesis.corrections.file import format_corrections
    from synthesis.report import write_outputs

    write_outputs(demo_synthesis, tmp_path)
    edits = [
        {"n": 1, "at": "2026-01-01T00:00:00Z", "type": "rename", "theme": "forces-02", "label": "Relations de confiance"},
        {"n": 2, "at": "2026-01-01T00:00:00Z", "type": "hide", "theme": "forces-99"},
        {"n": 3, "at": "2026-01-01T00:00:00Z", "type": "move"},
    ]
    (tmp_path / "corrections.json").write_text(format_corrections(edits), encoding="utf-8")
    result = runner.invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Corrections de l'éditeur : 1 thème corrigé, 2 corrections non appliquées" in result.output
    assert "Correction n° 2 (masquer, 2026-01-01T00:00:00Z) non appliquée : le thème « forces-99 » n'existe plus." in result.output
    assert "corrections.json, entrée 3 : move : champ « card » manquant" in result.output
    report = (tmp_path / "compte-rendu.md").read_text(encoding="utf-8")
    assert "### 2. Relations de confiance" in report and "forces-99" not in report  # warnings go to journal.txt
    assert "forces-99" in (tmp_path / "journal.txt").read_text(encoding="utf-8").split("Avertissements :")[1]


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda out: None, "aucun résultat enregistré"),
        (lambda out: (out / "synth-resultat.json").write_text("{", encoding="utf-8"), "fichier illisible"),
    ],
)
def test_report_on_a_folder_without_a_readable_result_is_one_line(runner, tmp_path, setup, expected):
    setup(tmp_path)
    result = runner.invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 2 and expected in result.output and "Traceback" not in result.output


def test_cluster_stops_at_once_on_a_broken_corrections_file_and_leaves_it_as_it_was(runner, tmp_path):
    broken = '{"schema": "synth.corrections/1", "edits": [\n  {"n": 1,\n]}'
    (tmp_path / "corrections.json").write_text(broken, encoding="utf-8")
    result = runner.invoke(main, ["cluster", str(DEMO_CSV), "-o", str(tmp_path), "--quiet"])
    assert result.exit_code == 2 and "corrections.json, ligne 3, colonne 1 : JSON invalide" in result.output
    assert (tmp_path / "corrections.json").read_text(encoding="utf-8") == broken
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corrections.json"]
    missing = runner.invoke(main, ["cluster", str(DEMO_CSV), "-o", str(tmp_path), "--edits", str(tmp_path / "absent.json")])
    assert missing.exit_code == 2 and "absent.json" in missing.output


def test_review_serves_the_folder_until_interrupted(runner, tmp_path, demo_synthesis, monkeypatch):
    import time as time_module

    from synthesis.report import write_outputs

    write_outputs(demo_synthesis, tmp_path)

    def interrupt(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(time_module, "sleep", interrupt)
    result = runner.invoke(main, ["review", str(tmp_path), "--no-open"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:" in result.output and "Relecture terminée" in result.output


def test_a_folder_s_corrections_are_not_applied_to_another_export(runner, tmp_path, demo_synthesis):
    from synthesis.report import write_outputs

    out = tmp_path / "out"
    write_outputs(demo_synthesis, out)
    (out / "corrections.json").write_text('{"schema": "synth.corrections/1", "edits": []}\n', encoding="utf-8")
    other = tmp_path / "autre.csv"
    other.write_text("id;groupe;catégorie;texte\nG1-F-01;1;forces;Accueil chaleureux\nG1-F-02;2;forces;Bonne entente\n", encoding="utf-8")
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    result = runner.invoke(main, ["cluster", str(other), "-o", str(out), "--quiet"])
    assert result.exit_code == 2 and "contient les corrections d'un autre export (0% des cartes en commun)" in result.output
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
    assert "--edits" in result.output and "Traceback" not in result.output


def test_report_keeps_drawn_charts_in_the_cache_folder_and_a_new_run_writes_the_same_files(runner, tmp_path, demo_synthesis, monkeypatch):
    from synthesis.report import chart_cache, charts, write_outputs

    monkeypatch.setattr(chart_cache, "_directory", chart_cache._directory)  # the command turns it on: restored after
    out, cache = tmp_path / "sortie", tmp_path / "cache"
    write_outputs(demo_synthesis, out)
    charts._drawn.clear()
    assert runner.invoke(main, ["report", str(out)], env={"SYNTH_CACHE_DIR": str(cache)}).exit_code == 0
    first = (out / "compte-rendu.docx").read_bytes(), (out / "compte-rendu.html").read_text(encoding="utf-8")
    assert len(list((cache / "charts").glob("*.json"))) == 2 * len(demo_synthesis.categories)  # Word's PNG, the page's SVG
    charts._drawn.clear()  # as in a new process
    assert runner.invoke(main, ["report", str(out)], env={"SYNTH_CACHE_DIR": str(cache)}).exit_code == 0
    assert ((out / "compte-rendu.docx").read_bytes(), (out / "compte-rendu.html").read_text(encoding="utf-8")) == first
