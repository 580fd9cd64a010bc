"""Read a workshop card export (CSV, Excel or JSON) into a :class:`CardSet`.

Every problem with the input file is raised as :class:`InputError`, one line
in French that names the file (as the user gave it, on one line) and, where it
applies, the row and column, and says what to do. What was read but looks
doubtful (mixed encodings, title rows, other sheets, uncomputed formulas,
merged cells, a second text column, a repeated header) is said in
``CardSet.warnings``: a card is never dropped or misread silently.

One module per concern: ``source`` (bounded reading, :data:`MAX_INPUT_BYTES`),
``encoding``, ``csv_reader``, ``excel``, ``json_reader``, ``columns`` (header
row and column roles, category and group names), ``build`` (cards, ids, checks).

Rows
----
Row numbers are those a spreadsheet shows (the file's first row = 1; a CSV
``sep=`` line does not count), or the 1-based position in a JSON list. The
header is the row that best matches known column names within the first rows
(see :mod:`synthesis.load.columns`). Rows whose cells are all empty are not
cards and are not reported; rows with content but an empty text cell are
listed in ``CardSet.skipped_rows``.
"""

from __future__ import annotations

from pathlib import Path

from synthesis.cards import CardSet, InputError, display_name
from synthesis.load.build import MAX_CARD_CHARS, build_card_set
from synthesis.load.columns import SYNONYMS, find_header, normalise_category, normalise_group, normalise_key, repeats_header
from synthesis.load.csv_reader import read_csv
from synthesis.load.excel import read_excel
from synthesis.load.json_reader import read_json
from synthesis.load.source import MAX_INPUT_BYTES, read_bytes
from synthesis.load.table import Records, Table, clean_cell, rows_text, shorten

__all__ = ["load_cards", "normalise_category", "normalise_group", "SYNONYMS", "MAX_INPUT_BYTES", "MAX_CARD_CHARS"]


def load_cards(
    path: str | Path,
    *,
    text_column: str | None = None,
    group_column: str | None = None,
    category_column: str | None = None,
    id_column: str | None = None,
    votes_column: str | None = None,
    sheet: str | None = None,
    question_column: str | None = None,
    respondent_column: str | None = None,
    segments: tuple[str, ...] = (),
    questions: tuple[str, ...] = (),
) -> CardSet:
    """Read the cards of a CSV, Excel (.xlsx/.xlsm) or JSON export.

    The format follows the extension (case-insensitive); an unknown extension
    is read as CSV. ``sheet`` picks an Excel sheet by name (default: the sheet
    that has the card columns). The ``*_column`` arguments name a column
    explicitly and win over detection. Raises :class:`InputError` for any
    problem with the file. A survey export (respondents, questions, ``segments`` columns;
    one column per question with ``questions``) is read as :mod:`synthesis.load.survey` says.
    """
    label = display_name(path)
    path = Path(path)
    overrides = {
        "text": text_column,
        "group": group_column,
        "category": category_column,
        "id": id_column,
        "votes": votes_column,
        "question": question_column,
        "respondent": respondent_column,
    }
    explicit = tuple(name for name in overrides.values() if name) + tuple(segments) + tuple(questions)
    data = read_bytes(path, label)
    table = _read_table(path, data, label, sheet, explicit)
    return build_card_set(path, label, table, overrides, segments=tuple(segments), questions=tuple(questions))


def _read_table(path: Path, data: bytes, label: str, sheet: str | None, explicit: tuple[str, ...]) -> Table:
    extension = path.suffix.lower()
    if extension == ".json":
        return read_json(data, label)
    if extension in (".xls", ".ods"):
        raise InputError(
            f"{label} : format {extension} non pris en charge. "
            "Enregistrez le fichier en .xlsx ou exportez-le en CSV."
        )
    if extension in (".xlsx", ".xlsm"):
        records, warnings, sheet_name = read_excel(data, label, sheet, explicit)
        empty = f"la feuille « {sheet_name} » est vide"
    else:
        (records, warnings), empty = read_csv(data, label, explicit), "fichier vide"
    table = _table_from_records(records, label, explicit, empty)
    table.warnings = warnings + table.warnings
    if extension in (".xlsx", ".xlsm"):
        table.extra_cells_hint = "Vérifiez les cellules hors du tableau (une valeur égarée loin à droite ?)."
    return table


def _table_from_records(records: Records, label: str, explicit: tuple[str, ...], empty: str) -> Table:
    """Clean every cell, drop rows with no content, find the header row and drop repeats of it."""
    rows = [(number, [clean_cell(cell) for cell in record]) for number, record in records]
    rows = [(number, cells) for number, cells in rows if any(cells)]
    if not rows:
        raise InputError(f"{label} : {empty}. Exportez à nouveau les cartes.")
    header_index = find_header([cells for _, cells in rows], explicit)
    warnings = []
    if header_index:
        above = rows[:header_index]
        warnings.append(
            f"{label} : en-tête trouvé {rows_text([rows[header_index][0]], 'ligne')} ; "
            f"{rows_text([number for number, _ in above], 'ligne')} au-dessus ignorée{'s' if len(above) > 1 else ''} "
            f"(titre ?) : {' / '.join('« ' + shorten(' '.join(c for c in cells if c)) + ' »' for _, cells in above[:3])}."
        )
    header_row, headers = rows[header_index]
    data_rows, repeated = [], []
    for number, cells in rows[header_index + 1:]:
        if not repeats_header(cells, headers):
            data_rows.append((number, cells))
            continue
        if [normalise_key(cell) for cell in cells[: len(headers)]] != [normalise_key(header) for header in headers]:
            raise InputError(
                f"{label}, ligne {number} : l'en-tête revient avec les colonnes dans un autre ordre "
                "(deux exports collés l'un sous l'autre ?) ; les cartes du dessous seraient mal lues. "
                "Séparez les deux exports ou remettez les colonnes dans le même ordre."
            )
        repeated.append(number)
    if repeated:
        warnings.append(
            f"{label} : l'en-tête revient {rows_text(repeated, 'ligne')} (deux exports collés l'un sous l'autre ?) ; "
            "ligne non lue comme une carte."
        )
    if not data_rows:
        raise InputError(
            f"{label} : aucune ligne de données (seulement l'en-tête). "
            "Vérifiez que l'export contient les cartes."
        )
    return Table(headers=headers, rows=data_rows, header_row=header_row, warnings=warnings)
