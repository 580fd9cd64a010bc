"""Bad and hostile input through the whole CLI: clear errors, nothing lost, nothing injected."""

import csv
import json
import re

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synthesis.cli import main


def run(path, out, *extra):
    return CliRunner().invoke(main, ["cluster", str(path), "-o", str(out), "--quiet", *extra])


def cards_csv(out):
    with (out / "cartes.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def write_csv(path, rows, delimiter=";", encoding="utf-8"):
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("vide.csv", b"", "vide"),
        ("entete.csv", "Groupe;Catégorie;Texte\n".encode(), "aucune"),
        ("colonnes.csv", "Nom;Prénom\nA;B\n".encode(), "--text-column"),
        ("binaire.csv", bytes(range(128, 256)) * 4, "encodage"),
        ("faux.xlsx", "Texte\nune carte\n".encode(), "xlsx"),
        ("objet.json", json.dumps({"cartes": ["a"]}).encode(), "liste"),
        ("syntaxe.json", b'[{"texte": "a"', "JSON"),
    ],
)
def test_each_bad_file_gets_one_line_naming_it_and_exit_code_2(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    result = run(path, tmp_path / "out")
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert name in lines[0] and expected.lower() in lines[0].lower()
    assert not (tmp_path / "out" / "cartes.csv").exists()


def test_missing_file_is_exit_code_2(tmp_path):
    result = run(tmp_path / "absent.csv", tmp_path / "out")
    assert result.exit_code == 2 and "absent.csv" in result.output and "Traceback" not in result.output


def test_empty_text_rows_are_counted_and_listed_with_their_row_numbers(tmp_path):
    path = write_csv(tmp_path / "trous.csv", [["Groupe", "Texte"], ["1", "Formations communes"], ["2", ""], ["3", "Réseau solidaire"], ["4", "  "]])
    result = run(path, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "Cartes lues : 4 · placées : 2 · ignorées (sans texte) : 2" in result.output
    assert "lignes 3, 5" in result.output
    assert "lignes 3, 5" in (tmp_path / "out" / "journal.txt").read_text(encoding="utf-8")  # not in the client's report


def test_duplicate_ids_keep_both_cards_and_warn(tmp_path):
    path = write_csv(tmp_path / "doublons.csv", [["id", "Texte"], ["7", "Formations communes"], ["7", "Mutualiser les outils"], ["8", "Réseau"]])
    result = run(path, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert len(cards_csv(tmp_path / "out")) == 3
    assert "7" in result.output and "Attention" in result.output


@pytest.mark.parametrize(
    "rows",
    [
        [["Texte"], ["Une seule carte"]],
        [["Catégorie", "Texte"], ["Forces", "Réseau solidaire"], ["Forces", "Entraide entre OT"], ["Attentes", "Formations communes"]],
        [["Texte"], ["x" * 10_000], ["Formations communes"]],
        [["Texte"], ["🙂🚀"], ["The network is great"], ["Das Netzwerk ist gut"], ["网络很好"]],
        [["Texte"], ["nul\x00byte"], ["bip\x07"], ["tab\tinside"]],
    ],
    ids=["single-card", "one-card-category", "10k-characters", "emoji-and-other-languages", "control-characters"],
)
def test_edge_case_exports_run_and_place_every_card(tmp_path, rows):
    path = write_csv(tmp_path / "cas.csv", rows)
    result = run(path, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert len(cards_csv(tmp_path / "out")) == len(rows) - 1


HOSTILE = ["<script>alert('x')</script>", "=HYPERLINK(\"http://x\")", "+33 6 00", "-moins de moyens", "@tous", "<img src=x onerror=alert(1)>"]


def test_hostile_cells_are_escaped_in_html_and_neutralised_in_csv(tmp_path):
    rows = [["Groupe", "Texte"]] + [[f"Groupe {i % 3 + 1}", text] for i, text in enumerate(HOSTILE * 2)]
    result = run(write_csv(tmp_path / "hostile.csv", rows), tmp_path / "out")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "compte-rendu.html").read_text(encoding="utf-8")
    assert not re.search(r"<(script|img)\b", html)
    assert "&lt;script&gt;" in html
    for row in cards_csv(tmp_path / "out"):
        assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in row.values())


def test_output_file_names_never_come_from_the_input(tmp_path):
    path = write_csv(tmp_path / "..%2F..%2Fevil.csv", [["Texte"], ["Formations communes"], ["Réseau solidaire"]])
    result = run(path, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        ["compte-rendu.md", "compte-rendu.html", "compte-rendu.docx", "themes.json", "cartes.csv", "journal.txt",
         "synth-resultat.json"]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, "out"])


cell_text = st.one_of(
    st.sampled_from(["Formations communes", "Réseau solidaire", "Apidae", "", "  ", "=1+1", "<b>gras</b>", "a;b", 'dit "oui"', "l1\nl2"]),
    st.text(alphabet=st.characters(codec="cp1252", exclude_categories=("Cs",)), max_size=40),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    texts=st.lists(cell_text, min_size=1, max_size=12),
    delimiter=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    header=st.sampled_from(["Texte", "carte", "IDÉE", "verbatim"]),
)
def test_generated_exports_never_crash_and_never_lose_a_card(tmp_path_factory, texts, delimiter, encoding, header):
    folder = tmp_path_factory.mktemp("fuzz")
    rows = [["id", header]] + [[f"c{i}", text] for i, text in enumerate(texts)]
    path = write_csv(folder / "export.csv", rows, delimiter=delimiter, encoding=encoding)
    result = run(path, folder / "out")
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    visible = {f"c{i}" for i, text in enumerate(texts) if re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text).strip()}
    if result.exit_code == 0:
        assert {row["id"] for row in cards_csv(folder / "out")} == visible
    else:
        assert not visible or len(result.output.strip().splitlines()) == 1


# --- issue 13: real exports that broke synth --------------------------------------------


def one_line_error(result, *expected):
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Erreur : ") and "Traceback" not in result.output, result.output
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def test_the_input_is_never_overwritten_whatever_its_name(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    export = write_csv(folder / "cartes.csv", [["Texte"], ["Formations communes"], ["Réseau solidaire"]])
    before = export.read_bytes()
    one_line_error(run(export, folder), "fichier d'entrée", "-o")
    assert export.read_bytes() == before and sorted(p.name for p in folder.iterdir()) == ["cartes.csv"]


def test_an_endless_stream_fails_fast_and_leaves_no_folder_behind(tmp_path):
    one_line_error(run("/dev/zero", tmp_path / "out"), "/dev/zero", "Mo")
    assert not (tmp_path / "out").exists()


def test_a_previous_output_that_cannot_be_replaced_stops_the_run_before_any_file_is_written(tmp_path):
    out = tmp_path / "out"
    (out / "cartes.csv").mkdir(parents=True)
    (out / "cartes.csv" / "ouvert-dans-excel").write_text("x")
    (out / "compte-rendu.md").write_text("ancien")
    path = write_csv(tmp_path / "export.csv", [["Texte"], ["Formations communes"]])
    one_line_error(run(path, out), "cartes.csv", "dossier")
    assert sorted(p.name for p in out.iterdir()) == ["cartes.csv", "compte-rendu.md"]
    assert (out / "compte-rendu.md").read_text() == "ancien"


def test_a_second_run_into_the_same_folder_is_told_to_wait(tmp_path):
    from test_report_output import hold_lock

    out = tmp_path / "out"
    out.mkdir()
    other = hold_lock(out)
    try:
        path = write_csv(tmp_path / "export.csv", [["Texte"], ["Formations communes"]])
        one_line_error(run(path, out), "autre exécution de synth", str(other.pid))
    finally:
        other.kill()
        other.wait()


def test_a_giant_cell_is_an_input_error_naming_its_row(tmp_path):
    path = tmp_path / "geant.json"
    path.write_text(json.dumps([{"texte": "Formations"}, {"texte": "x" * 5_000_000}]), encoding="utf-8")
    one_line_error(run(path, tmp_path / "out"), "geant.json", "élément 2")


HOSTILE_CATEGORIES = ["Points +", "Points -", "Points –", "?", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "نقاط القوة", "优点",
                      'x" onmouseover="alert(1)']


def test_hostile_names_unique_ids_and_characters_a_report_cannot_hold(tmp_path, use_embedder):
    items = []
    for i, category in enumerate(HOSTILE_CATEGORIES):
        items.append({"id": f"c{i}", "Groupe": "<b>G1</b>\n# titre", "Catégorie": category, "Texte": f"Formations communes {i}"})
        items.append({"id": f"d{i}", "groupe": "G2", "catégorie": category, "texte": f"Réseau solidaire {i} \ud800 \uffff"})
    items += [
        {"id": "a", "Texte": "- formation des agents\n- mutualisation des outils", "Catégorie": "forces"},
        {"id": "a#1", "Texte": "Marque Occitanie reconnue", "Catégorie": "forces"},
        {"id": "x", "Texte": "Apidae partagé", "Catégorie": "forces"},
    ]
    path = tmp_path / "ex\nport <b>.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    out = tmp_path / "out"
    result = run(path, out, "--no-cache")
    assert result.exit_code == 0, result.output
    assert all(line.startswith(("Attention : ", "Cartes lues", "  ", "Fichiers écrits")) for line in result.output.splitlines())
    rows = cards_csv(out)
    # 8: one theme id names one theme of one category; segment ids never collide with a card id
    category_of = {}
    for row in rows:
        assert category_of.setdefault(row["theme_id"], row["category"]) == row["category"], row
    assert len({row["theme_id"] for row in rows if row["category"] in HOSTILE_CATEGORIES}) == len(HOSTILE_CATEGORIES)
    themes = json.loads((out / "themes.json").read_text(encoding="utf-8"))
    unit_ids = [unit for category in themes["categories"] for theme in category["themes"] for unit in theme["segment_ids"]]
    assert len(unit_ids) == len(set(unit_ids)) and {"a#1", "a#1-2", "a#2"} <= set(unit_ids)
    # 10: cartes.csv keeps U+FFFF, the reports replace it; the lone surrogate is replaced everywhere
    assert all("\uffff" in row["text"] for row in rows if row["id"].startswith("d"))
    from docx import Document

    docx_text = " ".join(p.text for p in Document(str(out / "compte-rendu.docx")).paragraphs)
    assert "\uffff" not in docx_text and "\ufffd" in docx_text
    # 11: no raw markup in the Markdown; the title (with the file name's newline) stays one line
    markdown = (out / "compte-rendu.md").read_text(encoding="utf-8")
    assert not re.search(r"(?<!\\)<(script|img|b)\b", markdown)
    assert markdown.splitlines()[0] == "# Compte rendu — ex port \\<b\\>.json"
    assert "## \\<script\\>alert(1)\\</script\\>" in markdown
    html = (out / "compte-rendu.html").read_text(encoding="utf-8")
    assert not re.search(r"<(script|img|b)\b", html) and 'onmouseover="' not in html
