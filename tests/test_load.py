"""Tests for synthesis.load: every case reads a real file written to tmp_path."""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from openpyxl.styles import Font

from synthesis.cards import CATEGORIES, DEFAULT_CATEGORY, DEFAULT_GROUP, InputError
from synthesis.load import load_cards, normalise_category, normalise_group

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

HEADER = ["Texte", "Groupe", "Catégorie"]


def csv_bytes(rows, delimiter=";", encoding="utf-8", lineterminator="\r\n") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator).writerows(rows)
    return buffer.getvalue().encode(encoding)


def write_csv(tmp_path: Path, rows, name="cartes.csv", **options) -> Path:
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows, **options))
    return path


def write_bytes(tmp_path: Path, data: bytes, name="cartes.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def write_xlsx(tmp_path: Path, sheets: dict[str, list[list]], name="cartes.xlsx") -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for row in rows:
            worksheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def write_json(tmp_path: Path, value, name="cartes.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return path


def texts(card_set) -> list[str]:
    return [card.text for card in card_set.cards]


def load_error(path, **options) -> str:
    """The InputError message, checked to be one line starting with the path."""
    with pytest.raises(InputError) as caught:
        load_cards(path, **options)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return message


# --------------------------------------------------------------------------
# Formats, delimiters and encodings
# --------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_delimiter_is_detected(tmp_path, delimiter):
    rows = [HEADER, ["Bien, vraiment; oui\tnon", "G1", "Force"], ["Deux", "G2", "Attentes"]]
    card_set = load_cards(write_csv(tmp_path, rows, delimiter=delimiter))
    assert texts(card_set) == ["Bien, vraiment; oui\tnon", "Deux"]
    assert [card.group for card in card_set.cards] == ["Groupe 1", "Groupe 2"]
    assert card_set.columns == {"text": "Texte", "group": "Groupe", "category": "Catégorie"}


def test_header_decides_when_cells_are_full_of_other_delimiters(tmp_path):
    rows = [["Texte", "Groupe"]] + [[f"a;b;c;{n}", "G1"] for n in range(5)]
    card_set = load_cards(write_csv(tmp_path, rows, delimiter=","))
    assert texts(card_set) == [f"a;b;c;{n}" for n in range(5)]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_csv_encoding_is_detected(tmp_path, encoding):
    text = "L’été, l’œuvre « à 5 € »… ça marche"
    card_set = load_cards(write_csv(tmp_path, [HEADER, [text, "G1", "Forces"]], encoding=encoding))
    assert texts(card_set) == [text]
    assert card_set.columns["text"] == "Texte"  # no BOM left in the first header


@pytest.mark.parametrize("name", ["cartes.CSV", "cartes.txt", "cartes.tsv", "cartes.dat", "cartes"])
def test_csv_read_for_csv_and_unknown_extensions(tmp_path, name):
    card_set = load_cards(write_csv(tmp_path, [HEADER, ["Une idée", "G1", "F"]], name=name))
    assert texts(card_set) == ["Une idée"]


def test_cells_are_read_as_written(tmp_path):
    rows = [["Texte", "Id", "Groupe"], ["NA", "0012", "NA"], ["=SUM(A1)", "007", "+1"], ["1e5", "", "@a"]]
    card_set = load_cards(write_csv(tmp_path, rows))
    assert texts(card_set) == ["NA", "=SUM(A1)", "1e5"]
    assert [card.id for card in card_set.cards] == ["0012", "007", "r4"]
    assert [card.group for card in card_set.cards] == ["NA", "+1", "@a"]


@pytest.mark.parametrize("name", ["cartes.xlsx", "CARTES.XLSM"])
def test_xlsx_first_sheet(tmp_path, name):
    sheets = {
        "Cartes": [["N°", "Texte", "Groupe", "Votes"], [12, "Première", "G1", 3], [13, "Deuxième", 2, 0.0]],
        "Autre": [["Texte"], ["Pas celle-ci"]],
    }
    card_set = load_cards(write_xlsx(tmp_path, sheets, name=name))
    assert texts(card_set) == ["Première", "Deuxième"]
    assert [card.id for card in card_set.cards] == ["12", "13"]
    assert [card.group for card in card_set.cards] == ["Groupe 1", "Groupe 2"]
    assert [card.votes for card in card_set.cards] == [3, 0]


def test_xlsx_sheet_by_name(tmp_path):
    sheets = {"Résumé": [["Note"], ["rien"]], "Cartes G2": [["Idée"], ["Celle-ci"]]}
    card_set = load_cards(write_xlsx(tmp_path, sheets), sheet="Cartes G2")
    assert texts(card_set) == ["Celle-ci"]


def test_xlsx_row_numbers_as_excel_shows_them_and_blank_rows_ignored(tmp_path):
    path = write_xlsx(tmp_path, {"Feuil1": [[None], ["Texte", "Groupe"], ["Un", "G1"], [], [None, "G2"], ["Deux"]]})
    workbook = openpyxl.load_workbook(path)
    workbook.active.cell(row=40, column=1).font = Font(bold=True)  # formatted but empty trailing row
    workbook.active.cell(row=41, column=2, value="   ")
    workbook.save(path)
    card_set = load_cards(path)
    assert [(card.row, card.text) for card in card_set.cards] == [(3, "Un"), (6, "Deux")]
    assert card_set.skipped_rows == [5]


def test_json_list_of_objects(tmp_path):
    items = [
        {"texte": "Première", "groupe": "G1", "catégorie": "Force", "votes": 2, "meta": {"x": 1}},
        {"texte": 42, "groupe": 3, "id": 7.5},
        {},
        {"texte": "", "groupe": "G2"},
    ]
    card_set = load_cards(write_json(tmp_path, items))
    assert [(card.row, card.text, card.group) for card in card_set.cards] == [
        (1, "Première", "Groupe 1"),
        (2, "42", "Groupe 3"),
    ]
    assert [card.id for card in card_set.cards] == ["r1", "7.5"]
    assert card_set.cards[0].votes == 2
    assert card_set.skipped_rows == [4]


# --------------------------------------------------------------------------
# Column detection and overrides
# --------------------------------------------------------------------------

BASE_HEADERS = {"text": "Texte", "group": "Groupe", "category": "Catégorie", "id": "Id", "votes": "Votes"}


@pytest.mark.parametrize(
    ("role", "header"),
    [("text", spelling) for spelling in [
        "texte", "TEXTE", " Texte ", "Carte", "Cartes", "Contenu", "Idée", "idee", "IDÉES", "Verbatim", "Text",
        "Réponse", "Réponse à la question 1", "Commentaire", "Proposition", "Libellé", "Texte de la carte",
    ]]
    + [("group", spelling) for spelling in ["groupe", "Atelier", "Table", "Group", "Équipe", "equipe", "Groupe de travail"]]
    + [("category", spelling) for spelling in [
        "catégorie", "Catégories", "CATEGORIE", "Type", "Rubrique", "Category", "Catégorie (F/Fa/A/C)",
    ]]
    + [("id", spelling) for spelling in [
        "id", "ID", "N°", "Nº", "n", "No", "Num", "Numéro", "numero", "Identifiant", "Ref", "Numéro de carte",
    ]]
    + [("votes", spelling) for spelling in ["votes", "Vote", "Gommettes", "gommette", "Points", "Votes (gommettes)"]],
)
def test_header_synonyms(tmp_path, role, header):
    headers = {**BASE_HEADERS, role: header}
    rows = [list(headers.values()), ["Une idée", "G1", "Force", "c1", "2"]]
    card_set = load_cards(write_csv(tmp_path, rows))
    assert card_set.columns == {key: value.strip() for key, value in headers.items()}
    assert card_set.cards[0].text == "Une idée"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["Id", "Idée"], {"text": "Idée", "id": "Id"}),  # exact matches beat the "id" prefix
        (["Idées", "N°"], {"text": "Idées", "id": "N°"}),
        (["Carte", "Texte"], {"text": "Texte"}),  # "texte" comes before "carte"
        (["Texte de la carte", "Texte"], {"text": "Texte"}),  # exact beats prefix
        (["Texte", "Thème", "label"], {"text": "Texte"}),  # benchmark gold columns are not categories
        (["Texte", "Nom", "Réflexion", "Identité"], {"text": "Texte"}),  # short synonyms never prefix-match
    ],
)
def test_detection_precedence(tmp_path, headers, expected):
    card_set = load_cards(write_csv(tmp_path, [headers, [f"v{n}" for n in range(len(headers))]]))
    assert card_set.columns == expected


def test_theme_column_never_becomes_category(tmp_path):
    card_set = load_cards(write_csv(tmp_path, [["Texte", "theme"], ["Une idée", "forces"]]))
    assert card_set.cards[0].category == DEFAULT_CATEGORY


@pytest.mark.parametrize(
    ("option", "header"),
    [
        ("text_column", "Résumé"),
        ("text_column", "résumé"),  # normalised match when not written exactly
        ("group_column", "Salle"),
        ("category_column", "theme"),  # explicit choice wins over the gold-column rule
        ("id_column", "Code"),
        ("votes_column", "Étoiles"),
    ],
)
def test_explicit_column_wins(tmp_path, option, header):
    rows = [["Texte", "Résumé", "Salle", "theme", "Code", "Étoiles"], ["T", "R", "3", "Fa", "K1", "4"]]
    card_set = load_cards(write_csv(tmp_path, rows), **{option: header})
    role = option.removesuffix("_column")
    assert card_set.columns[role].casefold() == header.casefold()
    card = card_set.cards[0]
    actual = {"text": card.text, "group": card.group, "category": card.category, "id": card.id, "votes": card.votes}
    assert actual[role] == {"text": "R", "group": "Groupe 3", "category": "faiblesses", "id": "K1", "votes": 4}[role]


def test_explicit_column_missing_lists_columns(tmp_path):
    path = write_csv(tmp_path, [["Texte", "Groupe"], ["a", "b"]])
    message = load_error(path, group_column="Atelier")
    assert "« Atelier »" in message and "« Texte », « Groupe »" in message


def test_single_unnamed_column_is_the_text(tmp_path):
    path = write_bytes(tmp_path, "Mes idées du jour\nPlus de bancs, moins de voitures\nUn marché; le samedi\n".encode())
    card_set = load_cards(path)
    assert texts(card_set) == ["Plus de bancs, moins de voitures", "Un marché; le samedi"]
    assert card_set.columns == {"text": "Mes idées du jour"}
    assert any("Mes idées du jour" in warning for warning in card_set.warnings)


def test_missing_group_and_category_columns_give_defaults(tmp_path):
    card_set = load_cards(write_csv(tmp_path, [["Texte"], ["Une"], ["Deux"]]))
    assert {(card.group, card.category) for card in card_set.cards} == {(DEFAULT_GROUP, DEFAULT_CATEGORY)}
    assert card_set.columns == {"text": "Texte"}
    assert card_set.warnings == []


# --------------------------------------------------------------------------
# Category and group normalisation
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Force", "forces"), ("forces", "forces"), ("Force(s)", "forces"), ("F", "forces"), ("Points forts", "forces"),
        ("FAIBLESSES", "faiblesses"), ("Faiblesse", "faiblesses"), ("fa", "faiblesses"), ("Weaknesses", "faiblesses"),
        ("Attente(s)", "attentes"), ("attente", "attentes"), ("A", "attentes"), ("Expectations", "attentes"),
        ("contribution", "contributions"), (" Contributions ", "contributions"), ("c", "contributions"),
        ("  Idées en vrac ", "Idées en vrac"), ("Fo", "Fo"), ("F/Fa", "F/Fa"), ("", DEFAULT_CATEGORY),
    ],
)
def test_normalise_category(value, expected):
    assert normalise_category(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Groupe 3", "Groupe 3"), ("G3", "Groupe 3"), ("g 3", "Groupe 3"), ("3", "Groupe 3"),
        ("groupe 03", "Groupe 3"), ("Gr. 3", "Groupe 3"), ("groupe 3 ", "Groupe 3"), ("GROUPE 12", "Groupe 12"),
        ("Groupe n°4", "Groupe 4"), ("Group 5", "Groupe 5"), ("Table rouge", "Table rouge"),
        ("  Table rouge ", "Table rouge"), ("Groupe A", "Groupe A"), ("", DEFAULT_GROUP),
    ],
)
def test_normalise_group(value, expected):
    assert normalise_group(value) == expected


def test_empty_group_and_category_cells_get_defaults_with_warnings(tmp_path):
    rows = [HEADER, ["Un", "", "Force"], ["Deux", "G2", ""], ["Trois", "", ""]]
    card_set = load_cards(write_csv(tmp_path, rows))
    assert [(card.group, card.category) for card in card_set.cards] == [
        (DEFAULT_GROUP, "forces"), ("Groupe 2", DEFAULT_CATEGORY), (DEFAULT_GROUP, DEFAULT_CATEGORY),
    ]
    group_warning, category_warning = card_set.warnings
    assert "2 cartes sans groupe" in group_warning and "lignes 2, 4" in group_warning
    assert "2 cartes sans catégorie" in category_warning and "lignes 3, 4" in category_warning


def test_unknown_categories_are_kept_with_one_warning_each(tmp_path):
    rows = [HEADER, ["Un", "G1", "Idées"], ["Deux", "G1", " Idées "], ["Trois", "G1", "Risques"], ["Q", "G1", "F"]]
    card_set = load_cards(write_csv(tmp_path, rows))
    assert [card.category for card in card_set.cards] == ["Idées", "Idées", "Risques", "forces"]
    assert card_set.categories == ["forces", "Idées", "Risques"]
    assert len(card_set.warnings) == 2
    assert "« Idées »" in card_set.warnings[0] and "2 cartes" in card_set.warnings[0]
    assert "« Risques »" in card_set.warnings[1] and "1 carte" in card_set.warnings[1]
    assert all(category in card_set.warnings[0] for category in CATEGORIES)


# --------------------------------------------------------------------------
# Rows, ids and votes
# --------------------------------------------------------------------------


def test_empty_text_rows_are_skipped_and_blank_rows_ignored(tmp_path):
    data = "Texte;Groupe\r\nUn;G1\r\n;G1\r\n\r\n;;\r\n  ;G2\r\nDeux;G2\r\n\r\n\r\n".encode()
    card_set = load_cards(write_bytes(tmp_path, data))
    assert [(card.row, card.text) for card in card_set.cards] == [(2, "Un"), (7, "Deux")]
    assert card_set.skipped_rows == [3, 6]


def test_duplicate_ids_are_made_unique(tmp_path):
    rows = [["Id", "Texte"], ["7", "a"], ["8", "b"], ["7", "c"], ["r7", "d"], ["7", "e"], ["", "f"]]
    card_set = load_cards(write_csv(tmp_path, rows))
    # Row 7 has no id: its generated "r7" collides with the id written on row 5.
    assert [card.id for card in card_set.cards] == ["7", "8", "7-2", "r7", "7-3", "r7-2"]
    assert [card.text for card in card_set.cards] == ["a", "b", "c", "d", "e", "f"]
    seven, r7 = card_set.warnings
    assert "« 7 »" in seven and "lignes 2, 4, 6" in seven and "« 7-3 »" in seven
    assert "« r7 »" in r7 and "lignes 5, 7" in r7


def test_ids_generated_from_row_numbers_without_id_column(tmp_path):
    card_set = load_cards(write_csv(tmp_path, [["Texte"], ["a"], [""], ["b"]]))
    assert [card.id for card in card_set.cards] == ["r2", "r4"]


@pytest.mark.parametrize(
    ("cell", "votes"),
    [("3", 3), (" 3 ", 3), ("3.0", 3), ("3,0", 3), ("0", 0), ("12", 12), ("", None),
     ("-1", None), ("trois", None), ("2.5", None), ("+3", None)],
)
def test_votes_parsing(tmp_path, cell, votes):
    card_set = load_cards(write_csv(tmp_path, [["Texte", "Gommettes"], ["Une idée", cell]]))
    assert card_set.cards[0].votes == votes
    unreadable = [warning for warning in card_set.warnings if "votes" in warning]
    assert len(unreadable) == (1 if cell.strip() and votes is None else 0)


def test_unreadable_votes_counted_in_one_warning(tmp_path):
    rows = [["Texte", "Gommettes"], ["a", "x"], ["b", "2"], ["c", "-4"], ["d", ""]]
    (warning,) = load_cards(write_csv(tmp_path, rows)).warnings
    assert "2 valeurs" in warning and "lignes 2, 4" in warning and "« Gommettes »" in warning


def test_extra_cells_beyond_header_give_a_warning(tmp_path):
    data = "Texte;Groupe\r\nUn;G1\r\nDeux; vraiment;G2\r\n".encode()
    card_set = load_cards(write_bytes(tmp_path, data))
    assert texts(card_set) == ["Un", "Deux"]
    assert any("ligne 3" in warning and "séparateur" in warning for warning in card_set.warnings)


# --------------------------------------------------------------------------
# Cell content
# --------------------------------------------------------------------------


def test_multiline_quoted_cells(tmp_path):
    data = 'Texte;Groupe\r\n"Ligne un\r\nligne deux; encore\n""cité"""; G1\r\nSuivante;G2\r\n'.encode()
    card_set = load_cards(write_bytes(tmp_path, data))
    assert texts(card_set) == ['Ligne un\nligne deux; encore\n"cité"', "Suivante"]
    assert [card.row for card in card_set.cards] == [2, 3]


def test_control_characters_are_stripped_but_tab_and_newline_kept(tmp_path):
    data = "Texte;Groupe\r\nA\x00B\x07C\tD\x1b;G\x001\r\n\x00\x00;G2\r\n".encode()
    card_set = load_cards(write_bytes(tmp_path, data))
    assert texts(card_set) == ["ABC\tD"]
    assert card_set.cards[0].group == "Groupe 1"
    assert card_set.skipped_rows == [3]


@pytest.mark.parametrize(
    "text",
    ["é" * 10_000, "Super 🎉👍🏽 atelier", "日本語のカード", "Ελληνικά και русский", "مرحبا بالجميع", "NA"],
)
@pytest.mark.parametrize("writer", ["csv", "xlsx", "json"])
def test_unusual_text_loaded_unchanged(tmp_path, text, writer):
    if writer == "csv":
        path = write_csv(tmp_path, [["Texte"], [text]])
    elif writer == "xlsx":
        path = write_xlsx(tmp_path, {"Feuil1": [["Texte"], [text]]})
    else:
        path = write_json(tmp_path, [{"texte": text}])
    assert texts(load_cards(path)) == [text]


def test_cards_keep_file_order(tmp_path):
    rows = [HEADER] + [[f"carte {n}", f"G{n % 3}", "F"] for n in range(30, 0, -1)]
    assert texts(load_cards(write_csv(tmp_path, rows))) == [f"carte {n}" for n in range(30, 0, -1)]


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


def test_missing_file(tmp_path):
    assert "fichier introuvable" in load_error(tmp_path / "absent.csv")


def test_directory(tmp_path):
    assert "dossier" in load_error(tmp_path)


@pytest.mark.parametrize("name", ["vide.csv", "vide.xlsx", "vide.json"])
@pytest.mark.parametrize("content", [b"", b"  \r\n\t\n", b"\xef\xbb\xbf\r\n"])
def test_empty_file(tmp_path, name, content):
    assert "fichier vide" in load_error(write_bytes(tmp_path, content, name=name))


@pytest.mark.parametrize(
    "path_of",
    [
        lambda tmp: write_csv(tmp, [HEADER]),
        lambda tmp: write_csv(tmp, [HEADER, ["", "", ""], []]),
        lambda tmp: write_xlsx(tmp, {"Feuil1": [HEADER]}),
        lambda tmp: write_json(tmp, []),
    ],
)
def test_header_only(tmp_path, path_of):
    assert "aucune ligne de données" in load_error(path_of(tmp_path))


def test_no_card_with_text(tmp_path):
    message = load_error(write_csv(tmp_path, [HEADER, ["", "G1", "F"], [" ", "G2", "A"]]))
    assert "aucune carte avec du texte" in message and "« Texte »" in message


def test_no_text_column(tmp_path):
    message = load_error(write_csv(tmp_path, [["A", "B"], ["1", "2"]], name="export.csv"))
    assert "« A », « B »" in message
    assert "texte, carte" in message and "--text-column" in message


def test_undecodable_bytes_name_the_line(tmp_path):
    path = write_bytes(tmp_path, b"Texte\r\nok\r\nbad \x81\x8d byte\r\n")
    message = load_error(path)
    assert "encodage illisible" in message and "ligne 3" in message


def test_unclosed_quote_names_the_line(tmp_path):
    path = write_bytes(tmp_path, 'Texte;Groupe\r\nUn;G1\r\n"Deux;G2\r\nTrois;G3\r\n'.encode())
    message = load_error(path)
    assert "guillemet" in message and "ligne 3" in message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("cartes.xlsx", b"Texte;Groupe\r\nUn;G1\r\n"),
        ("cartes.xlsx", bytes(range(256)) * 4),
        ("cartes.xlsm", b"PK\x03\x04 not really a zip"),
    ],
)
def test_invalid_xlsx(tmp_path, name, content):
    assert "classeur Excel valide" in load_error(write_bytes(tmp_path, content, name=name))


def test_xlsx_renamed_to_csv(tmp_path):
    path = write_xlsx(tmp_path, {"Feuil1": [HEADER, ["Un", "G1", "F"]]})
    assert "classeur" in load_error(path.rename(tmp_path / "cartes.csv"))


def test_old_excel_format(tmp_path):
    assert "non pris en charge" in load_error(write_bytes(tmp_path, b"\xd0\xcf\x11\xe0 xls", name="cartes.xls"))


def test_unknown_sheet_lists_sheets(tmp_path):
    path = write_xlsx(tmp_path, {"Feuil1": [["Texte"], ["a"]], "Atelier B": [["Texte"], ["b"]]})
    message = load_error(path, sheet="Atelier C")
    assert "« Atelier C »" in message and "« Feuil1 », « Atelier B »" in message


def test_json_syntax_error_gives_line_and_column(tmp_path):
    path = write_bytes(tmp_path, b'[\n  {"texte": "a"},\n  {"texte": "b",}\n]', name="cartes.json")
    assert re.search(r"ligne 3, colonne \d+", load_error(path))


@pytest.mark.parametrize(
    ("value", "found"),
    [({"cards": [{"texte": "a"}]}, "un objet"), ("texte", "un texte"), (3, "un nombre"), (None, "null")],
)
def test_json_top_level_must_be_a_list(tmp_path, value, found):
    assert found in load_error(write_json(tmp_path, value))


def test_json_item_not_an_object(tmp_path):
    message = load_error(write_json(tmp_path, [{"texte": "a"}, "b"]))
    assert "élément 2" in message and "un texte" in message


def test_json_nested_value_in_text_column(tmp_path):
    message = load_error(write_json(tmp_path, [{"texte": "a"}, {"texte": ["b", "c"]}]))
    assert "élément 2" in message and "« texte »" in message


# --------------------------------------------------------------------------
# Property: any generated export loads every card once, unchanged
# --------------------------------------------------------------------------

HEADER_SPELLINGS = {
    "text": ["Texte", "texte", "CARTE", "Idée", "Contenu", "Verbatim", "Réponse", "Texte de la carte"],
    "group": ["Groupe", "Atelier", "Équipe", "table"],
    "category": ["Catégorie", "Type", "Rubrique", "catégories"],
    "id": ["Id", "N°", "Numéro", "Identifiant"],
    "votes": ["Votes", "Gommettes", "Points"],
}
HOSTILE_CELLS = [
    "", " ", "=SUM(A1)", "+1", "-x", "@a", '"', '""', 'il a dit "oui"', ";", ",", "\t", "a;b,c\td",
    "ligne 1\nligne 2", "ligne 1\r\nligne 2", "\r", "NA", "0012", "\x00", "x\x00y", "\x07bip", "  espacé  ",
    "L’été « ça » œuvre…",
]
CP1252_CHARS = list("abcXYZ 019;,\t\n\r\"'=+-@éèàçœ’«»€…") + ["\x00", "\x1b"]
UTF8_ONLY_CHARS = ["🙂", "中", "Ж", "\u2028", "\x85", "\ufeff"]


def expected_text(cell: str) -> str:
    cell = cell.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(char for char in cell if char in "\n\t" or not _is_control(char)).strip()


def _is_control(char: str) -> bool:
    return ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F


@st.composite
def exports(draw):
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    optional = draw(st.lists(st.sampled_from(["group", "category", "id", "votes"]), unique=True))
    roles = draw(st.permutations(["text", *optional]))
    header = [draw(st.sampled_from(HEADER_SPELLINGS[role])) for role in roles]
    alphabet = CP1252_CHARS + ([] if encoding == "cp1252" else UTF8_ONLY_CHARS)
    hostile = [cell for cell in HOSTILE_CELLS if encoding != "cp1252" or cell.isascii() or "’" in cell]
    cell = st.one_of(st.sampled_from(hostile), st.text(st.sampled_from(alphabet), max_size=12))
    rows = draw(st.lists(st.lists(cell, min_size=len(roles), max_size=len(roles)), max_size=8))
    data = csv_bytes([header, *rows], delimiter=delimiter, encoding=encoding)
    # cp1252 bytes that also form valid UTF-8 are read as UTF-8, as documented.
    assume(encoding != "cp1252" or data.isascii() or not _is_utf8(data))
    return data, rows, roles.index("text")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@settings(max_examples=60, deadline=None)
@given(exports())
def test_generated_exports_load_every_card_once(export):
    data, rows, text_index = export
    numbered = [(number, row) for number, row in enumerate(rows, start=2) if any(map(expected_text, row))]
    expected_cards = [(number, expected_text(row[text_index])) for number, row in numbered]
    expected_skipped = [number for number, text in expected_cards if not text]
    expected_cards = [(number, text) for number, text in expected_cards if text]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        path.write_bytes(data)
        if not expected_cards:
            reason = "aucune carte avec du texte" if numbered else "aucune ligne de données"
            with pytest.raises(InputError, match=reason):
                load_cards(path)
            return
        card_set = load_cards(path)
    assert [(card.row, card.text) for card in card_set.cards] == expected_cards
    assert card_set.skipped_rows == expected_skipped
    assert len({card.id for card in card_set.cards}) == len(card_set.cards)
