"""Large inputs read in partitions (CSV past 50 MB, Parquet): the same cards as the whole-file loader."""

import csv

import pytest

from conftest import DEMO_CSV
from synthesis.cards import InputError
from synthesis.load import load_cards
from synthesis.load.partitions import load_cards_in_partitions, needs_partitions


def _fields(card_set):
    return [(c.id, c.text, c.group, c.category, c.row, c.votes) for c in card_set.cards]


def test_demo_read_in_slices_of_rows_gives_the_same_cards(demo_cards):
    sliced = load_cards_in_partitions(DEMO_CSV, rows_per_partition=37)
    assert _fields(sliced) == _fields(demo_cards)
    assert sliced.columns == demo_cards.columns and sliced.skipped_rows == demo_cards.skipped_rows


def test_parquet_is_read_in_batches_with_spreadsheet_rows(demo_cards, tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    with DEMO_CSV.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream, delimiter=";"))
    table = pa.table({header: [row[i] for row in rows[1:]] for i, header in enumerate(rows[0])})
    path = tmp_path / "cartes.parquet"
    pq.write_table(table, path, row_group_size=50)
    assert needs_partitions(path)
    assert _fields(load_cards_in_partitions(path, rows_per_partition=64)) == _fields(demo_cards)


def test_ids_stay_unique_across_slices_and_a_slice_without_text_is_skipped(tmp_path):
    path = tmp_path / "reponses.csv"
    lines = ["id;texte"] + [f"a;réponse {i}" for i in range(5)] + [f"b{i};" for i in range(4)] + ["c;dernière"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cards = load_cards_in_partitions(path, rows_per_partition=3)
    assert [c.id for c in cards.cards] == ["a", "a-2", "a-3", "a-4", "a-5", "c"]
    assert cards.skipped_rows == [7, 8, 9, 10]
    assert any("identifiant « a » en double (lignes 3, 4, 5, 6)" in warning for warning in cards.warnings), cards.warnings


def test_bad_large_inputs_are_one_french_line(tmp_path):
    broken = tmp_path / "cassé.parquet"
    broken.write_bytes(b"PAR1 pas du parquet")
    with pytest.raises(InputError, match="cassé.parquet : fichier Parquet illisible"):
        load_cards_in_partitions(broken)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("texte\nréponse\n".encode("latin-1"))
    with pytest.raises(InputError, match="latin.csv : texte hors UTF-8"):
        load_cards_in_partitions(latin)
    assert not needs_partitions(DEMO_CSV) and not needs_partitions(tmp_path / "absent.csv")
