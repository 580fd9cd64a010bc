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
        ["compte-rendu.md", "compte-rendu.html", "compte-rendu.docx", "themes.json", "cartes.csv", "journal.txt"]
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
