"""Large inputs read in partitions: Parquet files, and CSV files past :data:`MAX_INPUT_BYTES`.

``load_cards`` reads a whole export at once (at most 50 MB: a survey of 100,000
answers). A national consultation (two million answers: about 600 MB of CSV, or a
Parquet export) is read here instead, ``ROWS_PER_PARTITION`` rows at a time: each
slice of rows becomes cards by the same code as a small export (``build_card_set``:
column roles, ids, length limits, warnings), so memory holds the cards, never the
file's bytes or a data frame of it.

- Parquet (``.parquet``, ``.pq``): record batches of pyarrow; a row is its 1-based
  position + 1 (as if a header row came first, like a spreadsheet).
- CSV: UTF-8 (a BOM is allowed), the header on the first line, the delimiter detected on
  it (``;``, tab or ``,``); a row is the record's number (header = 1). Title rows,
  other encodings and Excel's ``sep=`` line are only handled by the whole-file loader.

Card ids stay unique over the whole file (a later duplicate gets "-2", "-3"...).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from synthesis.cards import CardSet, InputError, display_name
from synthesis.load.build import build_card_set
from synthesis.load.columns import resolve_columns
from synthesis.load.csv_reader import _detect_delimiter
from synthesis.load.source import MAX_INPUT_BYTES
from synthesis.load.table import Table, clean_cell, rows_text

ROWS_PER_PARTITION = 50_000
PARQUET_EXTENSIONS = (".parquet", ".pq")
_SNIFF_CHARS = 20_000


def needs_partitions(path: Path) -> bool:
    """Whether ``load_cards_in_partitions`` reads this file (Parquet, or a CSV too large for ``load_cards``)."""
    path = Path(path)
    if path.suffix.lower() in PARQUET_EXTENSIONS:
        return True
    try:
        return path.suffix.lower() not in (".json", ".xlsx", ".xlsm", ".xls", ".ods") and path.stat().st_size > MAX_INPUT_BYTES
    except OSError:
        return False  # the whole-file loader says what is wrong with the path


def load_cards_in_partitions(path: str | Path, *, text_column: str | None = None, group_column: str | None = None,
                             category_column: str | None = None, id_column: str | None = None,
                             votes_column: str | None = None, rows_per_partition: int = ROWS_PER_PARTITION, **_) -> CardSet:
    """The cards of a large CSV or Parquet file, read ``rows_per_partition`` rows at a time (see module docstring)."""
    path = Path(path)
    label = display_name(path)
    overrides = {"text": text_column, "group": group_column, "category": category_column, "id": id_column, "votes": votes_column}
    tables = _parquet_tables(path, label, rows_per_partition) if path.suffix.lower() in PARQUET_EXTENSIONS \
        else _csv_tables(path, label, rows_per_partition, tuple(name for name in overrides.values() if name))
    merged = CardSet(source=path, cards=[])
    taken: set[str] = set()
    renamed: dict[str, list[tuple[int, str]]] = {}
    for table in tables:
        roles, _ = resolve_columns(table.headers, overrides, label)
        if not any(_cell(cells, roles["text"]) for _, cells in table.rows):
            merged.skipped_rows += [number for number, _ in table.rows]  # a slice of rows without text
            continue
        if "id" in roles:
            _unique_ids(table, roles, taken, renamed)
        part = build_card_set(path, label, table, overrides)
        merged.cards += part.cards
        merged.skipped_rows += part.skipped_rows
        merged.warnings += [warning for warning in part.warnings if warning not in merged.warnings]
        merged.columns = merged.columns or part.columns
    if not merged.cards:
        raise InputError(f"{label} : aucune carte avec du texte. Vérifiez la colonne de texte (option --text-column).")
    merged.warnings += [
        f"{label} : identifiant « {card_id} » en double ({rows_text([row for row, _ in copies], 'ligne')}) ; cartes gardées, "
        f"renommées {', '.join(f'« {new} »' for _, new in copies[:10])}{' …' if len(copies) > 10 else ''}."
        for card_id, copies in renamed.items()
    ]
    return merged


def _cell(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def _unique_ids(table: Table, roles: dict[str, int], taken: set[str], renamed: dict) -> None:
    """Ids unique over the whole file, as the whole-file loader makes them (a later duplicate gets "-2", "-3"...):
    the slice's id cells are rewritten before its cards are built."""
    column = roles["id"]
    for number, cells in table.rows:
        if not _cell(cells, roles["text"]):
            continue
        wanted = _cell(cells, column) or f"r{number}"
        card_id, suffix = wanted, 2
        while card_id in taken:
            card_id, suffix = f"{wanted}-{suffix}", suffix + 1
        if card_id != wanted:
            renamed.setdefault(wanted, []).append((number, card_id))
            cells.extend([""] * (column + 1 - len(cells)))
            cells[column] = card_id
        taken.add(card_id)


def _table(headers: list[str], rows: list[tuple[int, list[str]]]) -> Table:
    cleaned = [(number, [clean_cell(cell) for cell in cells]) for number, cells in rows]
    return Table(headers=[clean_cell(header) for header in headers], rows=[(n, cells) for n, cells in cleaned if any(cells)])


def _parquet_tables(path: Path, label: str, rows_per_partition: int) -> Iterator[Table]:
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(path)
    except FileNotFoundError:
        raise InputError(f"{label} : fichier introuvable. Vérifiez le chemin et le nom du fichier.") from None
    except Exception as error:  # pyarrow's errors: not Parquet, truncated
        raise InputError(f"{label} : fichier Parquet illisible ({type(error).__name__}). Exportez-le à nouveau.") from None
    headers = list(source.schema_arrow.names)
    number = 1
    for batch in source.iter_batches(batch_size=rows_per_partition):
        columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
        rows = [(number + 1 + i, ["" if value is None else str(value) for value in values]) for i, values in enumerate(zip(*columns))]
        number += batch.num_rows
        yield _table(headers, rows)


def _csv_tables(path: Path, label: str, rows_per_partition: int, explicit: tuple[str, ...]) -> Iterator[Table]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            delimiter = _detect_delimiter(stream.read(_SNIFF_CHARS).replace("\r\n", "\n"), explicit)
            stream.seek(0)
            reader = csv.reader(stream, delimiter=delimiter)
            headers = next(reader, None)
            if not headers:
                raise InputError(f"{label} : fichier vide. Exportez à nouveau les cartes.")
            rows, number = [], 1
            for cells in reader:
                number += 1
                rows.append((number, cells))
                if len(rows) == rows_per_partition:
                    yield _table(headers, rows)
                    rows = []
            if rows:
                yield _table(headers, rows)
    except UnicodeDecodeError:
        raise InputError(f"{label} : texte hors UTF-8 ; un export de cette taille doit être en UTF-8. "
                         "Enregistrez-le en UTF-8 (ou en Parquet).") from None
    except csv.Error as error:
        raise InputError(f"{label} : CSV illisible ({error}).") from None
    except FileNotFoundError:
        raise InputError(f"{label} : fichier introuvable. Vérifiez le chemin et le nom du fichier.") from None

