"""Real exports that used to be misread silently (issue 13): each class built from a small generated file."""

from __future__ import annotations

import json
import time

import openpyxl
import pytest

from synthesis.cards import InputError
from synthesis.load import MAX_CARD_CHARS, MAX_INPUT_BYTES, load_cards
from synthesis.load.encoding import decode

from test_load import load_error, texts, write_bytes, write_json

UTF8_EXPORT = "N°;Groupe;Catégorie;Texte\n1;G1;Forces;Réseau très solidaire\n2;G2;Faiblesses;Manque de moyens\n"


def save_workbook(workbook, path):
    workbook.save(path)
    return path


def cards_workbook(rows=40):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Cartes"
    sheet.append(["Groupe", "Texte"])
    for i in range(rows):
        sheet.append([f"G{i % 3 + 1}", f"Carte numéro {i}"])
    return workbook


# --- 2: bounded reading -------------------------------------------------------


def test_a_stray_cell_far_out_in_a_sheet_costs_one_cell_not_the_declared_dimensions(tmp_path):
    workbook = cards_workbook()
    workbook.active["XFD1048576"] = "x"
    path = save_workbook(workbook, tmp_path / "loin.xlsx")
    start = time.perf_counter()
    card_set = load_cards(path)
    assert time.perf_counter() - start < 10  # was minutes and gigabytes
    assert len(card_set.cards) == 40
    assert card_set.skipped_rows == [1048576]  # the stray cell is said, not hidden


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_endless_streams_fail_fast_with_the_size_limit(device):
    start = time.perf_counter()
    message = load_error(device)
    assert time.perf_counter() - start < 10
    assert f"{MAX_INPUT_BYTES // (1024 * 1024)} Mo" in message


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "enorme.csv"
    with path.open("wb") as handle:
        handle.truncate(MAX_INPUT_BYTES + 1)  # sparse: no disk used
    assert "trop volumineux" in load_error(path)


# --- 4: encodings decided with evidence -----------------------------------------


def test_one_windows_1252_line_in_a_utf8_export_keeps_every_accent_and_is_named(tmp_path):
    data = UTF8_EXPORT.encode() + "3;G3;Attentes;Formation aux métiers\n".encode("cp1252")
    card_set = load_cards(write_bytes(tmp_path, data))
    assert texts(card_set) == ["Réseau très solidaire", "Manque de moyens", "Formation aux métiers"]
    assert [card.category for card in card_set.cards] == ["forces", "faiblesses", "attentes"]
    assert [card.id for card in card_set.cards] == ["1", "2", "3"]
    assert any("encodages mélangés" in w and "ligne 4" in w for w in card_set.warnings)


@pytest.mark.parametrize(
    ("codec", "prefix"), [("utf-16-le", b""), ("utf-16-be", b""), ("utf-16", b""), ("iso-8859-15", b""), ("cp1252", b"")]
)
def test_utf16_without_bom_and_iso_8859_15_are_read_right(tmp_path, codec, prefix):
    text = "Groupe;Texte\nG1;Œuvre commune à 5 € pour le cœur de ville\n"
    if codec.startswith("utf-16"):
        text += "G2;Réseau 🙂\n"
    card_set = load_cards(write_bytes(tmp_path, prefix + text.encode(codec)))
    assert texts(card_set)[0] == "Œuvre commune à 5 € pour le cœur de ville"
    if codec.startswith("utf-16"):
        assert texts(card_set)[1] == "Réseau 🙂"


def test_utf8_decoded_twice_is_repaired_and_named(tmp_path):
    mojibake = "Groupe;Texte\nG1;Réseau très solidaire\n".encode().decode("cp1252").encode()
    card_set = load_cards(write_bytes(tmp_path, mojibake))
    assert texts(card_set) == ["Réseau très solidaire"]
    assert any("décodé deux fois" in w for w in card_set.warnings)


def test_clean_files_get_no_encoding_warning():
    for data in (UTF8_EXPORT.encode(), UTF8_EXPORT.encode("cp1252"), UTF8_EXPORT.encode("utf-16")):
        assert decode(data, "f.csv")[1] == []


# --- 5: header row --------------------------------------------------------------


def test_excel_sep_line_is_honoured_and_is_not_a_row(tmp_path):
    card_set = load_cards(write_bytes(tmp_path, "sep=;\nGroupe;Texte\nG1;un, deux, trois\nG2;quatre, cinq\n".encode()))
    assert texts(card_set) == ["un, deux, trois", "quatre, cinq"]
    assert [card.row for card in card_set.cards] == [2, 3]


def test_title_lines_above_a_csv_header_are_skipped_and_named(tmp_path):
    data = "Atelier OGD du 12 mars\n\nGroupe;Catégorie;Texte\nG1;Forces;Réseau, entraide\nG2;Attentes;Formations\n"
    card_set = load_cards(write_bytes(tmp_path, data.encode()))
    assert texts(card_set) == ["Réseau, entraide", "Formations"]
    assert [card.group for card in card_set.cards] == ["Groupe 1", "Groupe 2"]
    assert any("en-tête trouvé ligne 3" in w and "Atelier OGD" in w for w in card_set.warnings)


def test_title_row_above_an_xlsx_header(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in (["Compte rendu de l'atelier"], [], ["Groupe", "Catégorie", "Texte"], ["G1", "Forces", "Réseau"], ["G2", "Forces", "Entraide"]):
        sheet.append(row)
    card_set = load_cards(save_workbook(workbook, tmp_path / "titre.xlsx"))
    assert texts(card_set) == ["Réseau", "Entraide"]
    assert [card.row for card in card_set.cards] == [4, 5]


def test_no_header_row_is_said(tmp_path):
    message = load_error(write_bytes(tmp_path, "Nom;Prénom\nDupont;Marie\n".encode()))
    assert "ne ressemble à un en-tête" in message


# --- 6: sheets ------------------------------------------------------------------


def test_the_sheet_with_the_card_columns_is_read_and_the_others_are_named(tmp_path):
    workbook = cards_workbook()
    settings = workbook.create_sheet("Paramètres", 0)
    settings.append(["Date", "12/03/2023"])
    settings.append(["Animateur", "Marie"])
    settings.sheet_state = "hidden"
    card_set = load_cards(save_workbook(workbook, tmp_path / "feuilles.xlsx"))
    assert len(card_set.cards) == 40
    assert any("« Cartes » lue" in w and "« Paramètres » (masquée)" in w for w in card_set.warnings)


# --- 7: cards that are not empty ----------------------------------------------------


def test_formula_cells_without_computed_values_are_read_as_their_text_with_a_warning(tmp_path):
    workbook = cards_workbook(3)
    workbook.active["B3"] = "=> plus de moyens"  # pandas/openpyxl store a text typed « = » as a formula
    workbook.active["B4"] = '=CONCAT("a";"b")'
    card_set = load_cards(save_workbook(workbook, tmp_path / "formules.xlsx"))
    assert texts(card_set) == ["Carte numéro 0", "=> plus de moyens", '=CONCAT("a";"b")']
    assert card_set.skipped_rows == []
    assert any("formule jamais calculée" in w and "lignes 3, 4" in w for w in card_set.warnings)


def test_json_keys_that_vary_in_case_between_objects_are_one_column(tmp_path):
    items = [{"Texte": "Réseau", "Groupe": "1"}, {"texte": "Entraide", "groupe": "2"}, {"TEXTE": "Formations", "GROUPE": "3"}]
    card_set = load_cards(write_json(tmp_path, items))
    assert texts(card_set) == ["Réseau", "Entraide", "Formations"]
    assert [card.group for card in card_set.cards] == ["Groupe 1", "Groupe 2", "Groupe 3"]
    assert card_set.skipped_rows == []


# --- 9: what is not read is said ----------------------------------------------------


def test_a_header_starting_with_texte_is_the_text_before_a_weaker_exact_synonym(tmp_path):
    card_set = load_cards(write_bytes(tmp_path, "Commentaire;Texte de la carte\nÀ revoir;Réseau\n".encode()))
    assert texts(card_set) == ["Réseau"]
    assert any("« Commentaire »" in w for w in card_set.warnings)


def test_a_second_text_column_is_named(tmp_path):
    card_set = load_cards(write_bytes(tmp_path, "Groupe;Texte;Commentaire\nG1;Réseau;À développer\n".encode()))
    assert any("« Commentaire »" in w and "--text-column" in w for w in card_set.warnings)


def test_a_second_header_row_is_not_a_card(tmp_path):
    data = "Groupe;Texte\nG1;Réseau\nGroupe;Texte\nG2;Entraide\n"
    card_set = load_cards(write_bytes(tmp_path, data.encode()))
    assert texts(card_set) == ["Réseau", "Entraide"]
    assert any("l'en-tête revient ligne 3" in w for w in card_set.warnings)


def test_a_second_header_in_another_column_order_is_refused(tmp_path):
    data = "Groupe;Texte\nG1;Réseau\nTexte;Groupe\nEntraide;G2\n"
    assert "autre ordre" in load_error(write_bytes(tmp_path, data.encode()))


def test_merged_group_cells_give_their_group_to_every_row(tmp_path):
    workbook = cards_workbook(6)
    sheet = workbook.active
    sheet.merge_cells("A2:A4")
    card_set = load_cards(save_workbook(workbook, tmp_path / "fusion.xlsx"))
    assert [card.group for card in card_set.cards][:3] == ["Groupe 1", "Groupe 1", "Groupe 1"]
    assert any("cellules fusionnées (A2:A4)" in w for w in card_set.warnings)


def test_groups_left_empty_under_a_filled_one_hint_at_merged_cells(tmp_path):
    card_set = load_cards(write_bytes(tmp_path, "Groupe;Texte\nG1;Réseau\n;Entraide\n;Formations\n".encode()))
    assert any("cellules fusionnées" in w and "lignes 3, 4" in w for w in card_set.warnings)


# --- 10: input problems told in French ------------------------------------------------


def test_a_lone_surrogate_in_json_is_replaced_and_named(tmp_path):
    path = write_bytes(tmp_path, b'[{"texte": "a\\ud800b"}, {"texte": "ok"}]', name="demi.json")
    card_set = load_cards(path)
    assert texts(card_set) == ["a\ufffdb", "ok"]
    assert any("élément 1" in w and "demi-paire" in w for w in card_set.warnings)


def test_a_noncharacter_is_kept_and_announced(tmp_path):
    card_set = load_cards(write_json(tmp_path, [{"texte": "a\uffffb"}]))
    assert texts(card_set) == ["a\uffffb"]
    assert any("U+FFFF" in w and "élément 1" in w for w in card_set.warnings)


def test_a_giant_cell_names_its_row_instead_of_reaching_spacy(tmp_path):
    path = write_json(tmp_path, [{"texte": "court"}, {"texte": "x" * (MAX_CARD_CHARS + 1)}])
    message = load_error(path)
    assert "élément 2" in message and "« texte »" in message


def test_a_newline_in_the_file_name_never_splits_a_message(tmp_path):
    path = write_bytes(tmp_path, b"Nom\n", name="ex\nport.csv")
    with pytest.raises(InputError) as caught:
        load_cards(path)
    assert "\n" not in str(caught.value) and "ex\\x0aport.csv" in str(caught.value)
