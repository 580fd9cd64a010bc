"""XLSX/XLSM: the sheet that holds the cards, read cell by cell.

- Reading is bounded by the cells that hold data, never by the sheet's declared
  dimensions: one stray cell at XFD1048576 made a row-by-row read walk 17
  billion empty cells (minutes, gigabytes); now it costs one cell.
- Without ``--sheet``, the sheet whose header best matches known column names
  is read (visible sheets first, then workbook order); the others are named in
  a warning. A hidden « Paramètres » first sheet no longer hides « Cartes ».
- Formula cells show the value Excel last computed. A file written by a
  program (openpyxl, pandas) has no computed values: the formula's text is
  read instead (pandas writes a card typed « =… » as a formula), with a warning.
- A vertically merged cell (« Groupe 1 » over four rows) gives its value to
  each row it covers, with a warning.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from datetime import date, datetime, time

import openpyxl

from synthesis.cards import InputError
from synthesis.load.columns import HEADER_SEARCH_ROWS, find_header, header_score
from synthesis.load.table import Records, clean_cell, quote_list, rows_text

#: Uncompressed sheet data accepted (a zip bomb or a giant sheet is refused before parsing).
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
_MAX_LISTED_CELLS = 5


def read_excel(data: bytes, label: str, sheet: str | None, explicit: tuple[str, ...] = ()) -> tuple[Records, list[str], str]:
    """The chosen sheet's records (spreadsheet row numbers), warnings, and the sheet's name."""
    has_formulas = _check_archive(data, label)
    values = _open_workbook(data, label, data_only=True)
    formulas = _open_workbook(data, label, data_only=False) if has_formulas else None
    try:
        worksheet, sheet_warnings = _pick_sheet(values, sheet, label, explicit)
        formula_sheet = formulas[worksheet.title] if formulas is not None else None
        records, cell_warnings = _sheet_records(worksheet, formula_sheet, label)
        return records, sheet_warnings + cell_warnings, worksheet.title
    finally:
        values.close()
        if formulas is not None:
            formulas.close()


def _check_archive(data: bytes, label: str) -> bool:
    """Refuse what would not fit in memory once unpacked; say whether any sheet holds formulas."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
                raise InputError(
                    f"{label} : classeur trop volumineux une fois décompressé (plus de "
                    f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} Mo). Exportez les cartes en CSV."
                )
            return any(
                b"<f" in archive.read(entry) for entry in entries if entry.filename.startswith("xl/worksheets/")
            )
    except InputError:
        raise
    except Exception:  # noqa: BLE001 - truncated or corrupt archive (zlib.error, BadZipFile...): openpyxl says it better
        return False


def _open_workbook(data: bytes, label: str, data_only: bool):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            return openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)
    except Exception:  # noqa: BLE001 - a malformed file surfaces as any of a dozen types
        raise InputError(
            f"{label} : ce n'est pas un classeur Excel valide (xlsx). "
            "Enregistrez-le en .xlsx ou exportez-le en CSV."
        ) from None


def _pick_sheet(workbook, sheet: str | None, label: str, explicit: tuple[str, ...]):
    worksheets = workbook.worksheets  # chart sheets excluded: they hold no cells
    if not worksheets:
        raise InputError(f"{label} : le classeur ne contient aucune feuille de calcul.")
    if sheet is not None:
        for worksheet in worksheets:
            if worksheet.title == sheet:
                return worksheet, []
        names = quote_list(worksheet.title for worksheet in worksheets)
        raise InputError(f"{label} : feuille « {sheet} » introuvable. Feuilles présentes : {names}.")
    if len(worksheets) == 1:
        return worksheets[0], []
    scores = [(_sheet_score(worksheet, explicit), worksheet.sheet_state == "visible") for worksheet in worksheets]
    best = max(range(len(worksheets)), key=lambda index: (scores[index][0] > 0, scores[index][1], scores[index][0], -index))
    chosen = worksheets[best]
    others = ", ".join(
        f"« {worksheet.title} »" + ("" if worksheet.sheet_state == "visible" else " (masquée)")
        for worksheet in worksheets if worksheet is not chosen
    )
    return chosen, [
        f"{label} : feuille « {chosen.title} » lue (celle qui a les colonnes des cartes) ; "
        f"autres feuilles non lues : {others}. Pour en lire une autre : --sheet NOM."
    ]


def _sheet_score(worksheet, explicit: tuple[str, ...]) -> int:
    rows = [cells for _, cells in _first_rows(worksheet)]
    if not rows:
        return 0
    return header_score(rows[find_header(rows, explicit)], explicit)


def _first_rows(worksheet) -> list[tuple[int, list[str]]]:
    rows = _cells_by_row(worksheet)
    first = sorted(rows)[:HEADER_SEARCH_ROWS]
    return [(row, [clean_cell(_cell_text(value)) for value in _row_list(rows[row])]) for row in first]


def _cells_by_row(worksheet) -> dict[int, dict[int, object]]:
    """Row -> column -> value, for the cells that exist (``_cells``: the only bounded view openpyxl has)."""
    rows: dict[int, dict[int, object]] = {}
    for (row, column), cell in worksheet._cells.items():
        if cell.value is not None:
            rows.setdefault(row, {})[column] = cell.value
    return rows


def _row_list(cells: dict[int, object]) -> list:
    values = [None] * max(cells)
    for column, value in cells.items():
        values[column - 1] = value
    return values


def _sheet_records(worksheet, formula_sheet, label: str) -> tuple[Records, list[str]]:
    rows = _cells_by_row(worksheet)
    warnings_: list[str] = []
    if formula_sheet is not None:
        uncomputed = _fill_uncomputed_formulas(rows, formula_sheet)
        if uncomputed:
            listed = rows_text(sorted({row for row, _ in uncomputed}), "ligne")
            warnings_.append(
                f"{label}, feuille « {worksheet.title} » : {len(uncomputed)} cellule"
                f"{'s' if len(uncomputed) > 1 else ''} avec une formule jamais calculée ({listed}) ; "
                "le texte de la formule est lu tel quel (« =… »). Pour lire les valeurs calculées, "
                "ouvrez le classeur dans Excel ou LibreOffice et enregistrez-le."
            )
    merged = _fill_merged_cells(rows, worksheet)
    if merged:
        shown = ", ".join(merged[:_MAX_LISTED_CELLS]) + ("…" if len(merged) > _MAX_LISTED_CELLS else "")
        warnings_.append(
            f"{label}, feuille « {worksheet.title} » : cellules fusionnées ({shown}) ; "
            "leur valeur est reportée sur chaque ligne qu'elles couvrent."
        )
    records = [(row, [_cell_text(value) for value in _row_list(rows[row])]) for row in sorted(rows)]
    return records, warnings_


def _fill_uncomputed_formulas(rows: dict[int, dict[int, object]], formula_sheet) -> list[tuple[int, int]]:
    uncomputed = []
    for (row, column), cell in formula_sheet._cells.items():
        formula = cell.value
        if cell.data_type == "f" and isinstance(formula, str) and column not in rows.get(row, {}):
            rows.setdefault(row, {})[column] = formula
            uncomputed.append((row, column))
    return uncomputed


def _fill_merged_cells(rows: dict[int, dict[int, object]], worksheet) -> list[str]:
    """Give a vertically merged cell's value to each row it covers that has other content (bounded by the data)."""
    filled = []
    for merged in worksheet.merged_cells.ranges:
        value = rows.get(merged.min_row, {}).get(merged.min_col)
        span = range(merged.min_row + 1, merged.max_row + 1)
        candidates = span if len(span) < len(rows) else sorted(row for row in rows if row in span)
        covered = [row for row in candidates if row in rows and merged.min_col not in rows[row]]
        if value is None or not covered:
            continue
        for row in covered:
            rows[row][merged.min_col] = value
        filled.append(str(merged.coord))
    return filled


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an id typed as 12 must not become "12.0"
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)
