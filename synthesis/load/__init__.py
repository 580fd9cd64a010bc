"""Read a workshop card export (CSV, Excel or JSON) into a :class:`CardSet`.

Every problem with the input file is raised as :class:`InputError`, one line
in French that names the file (as the user gave it) and, where it applies,
the row and column, and says what to do.

Column detection
----------------
Each role (text, group, category, id, votes) gets at most one column and a
column serves at most one role. For each role, in this order of precedence:

1. the explicit ``*_column`` argument: the header written exactly so, else the
   first header equal to it once normalised; unknown name -> InputError;
2. an exact match: the normalised header equals one of the role's synonyms;
3. a prefix match: the normalised header starts with a synonym of at least
   four characters ("Texte de la carte", "Catégorie (F/Fa/A/C)", "Cartes").

All roles are matched exactly before any role is matched by prefix, so
"Idée" is the text even when an "Id" rule could claim it. Within a step,
roles go in the order text, group, category, id, votes; synonyms in the
order listed in :data:`SYNONYMS` (so "Texte" beats "Carte", which is often a
card number); columns in file order. Headers are normalised by removing
accents, case and every non-alphanumeric character ("N°" -> "n").
Columns named ``theme`` or ``label`` are never detected: they hold the gold
standard used by benchmarks, not the participants' category.
When no text column is found and the file has exactly one named column, that
column is the text.

Rows
----
Row numbers are those a spreadsheet shows (header = 1), or the 1-based
position in a JSON list. The header is the first row with any content.
Rows whose cells are all empty are not cards and are not reported; rows with
content but an empty text cell are listed in ``CardSet.skipped_rows``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import openpyxl

from synthesis.cards import (
    CATEGORIES,
    DEFAULT_CATEGORY,
    DEFAULT_GROUP,
    Card,
    CardSet,
    InputError,
)
from synthesis.french import plural, plural_suffix

__all__ = ["load_cards", "normalise_category", "normalise_group", "SYNONYMS"]

ROLES: tuple[str, ...] = ("text", "group", "category", "id", "votes")

#: Header names tried for each role, most specific first (see module docstring).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "text": ("texte", "carte", "contenu", "idée", "verbatim", "text", "réponse",
             "commentaire", "proposition", "libellé"),
    "group": ("groupe", "atelier", "table", "group", "équipe"),
    "category": ("catégorie", "catégories", "type", "rubrique", "category"),
    "id": ("id", "identifiant", "n°", "no", "num", "numéro", "ref"),
    "votes": ("votes", "vote", "gommettes", "gommette", "points"),
}

#: Shorter synonyms ("id", "no", "ref") would match "idées", "nombre", "réflexion".
_PREFIX_MIN_LENGTH = 4
#: Benchmark gold-standard columns: never mistaken for the category.
_NEVER_DETECTED = frozenset({"theme", "label"})

_CATEGORY_ALIASES: dict[str, str] = {
    alias: canonical
    for canonical, aliases in {
        "forces": ("force", "forces", "f", "pointfort", "pointsforts", "strength", "strengths"),
        "faiblesses": ("faiblesse", "faiblesses", "fa", "pointfaible", "pointsfaibles",
                       "weakness", "weaknesses"),
        "attentes": ("attente", "attentes", "a", "expectation", "expectations"),
        "contributions": ("contribution", "contributions", "c"),
    }.items()
    for alias in aliases
}

_GROUP_NUMBER = re.compile(
    r"(?:(?:groupe|group|grp|gr|g)\s*\.?\s*(?:(?:n°|nº|no|n)\s*\.?\s*)?)?0*(\d+)",
    re.IGNORECASE,
)
_VOTES = re.compile(r"(\d+)(?:[.,]0+)?")
#: Control characters except tab, newline and carriage return (handled apart).
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CSV_DELIMITERS = (";", "\t", ",")
#: Used as "delimiter" for one-column files; control characters are removed
#: from the text before parsing, so it can never split a cell.
_NO_DELIMITER = "\x00"
_SNIFF_SAMPLE_CHARS = 20_000
_MAX_LISTED_ROWS = 10
_ZIP_MAGIC = b"PK\x03\x04"
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass
class _Table:
    """Cells as cleaned strings, before any role is given to a column."""

    headers: list[str]
    #: (row number, cells); rows whose cells are all empty are already removed.
    rows: list[tuple[int, list[str]]]
    #: Word for a row in messages: "ligne" (CSV, Excel) or "élément" (JSON).
    unit: str = "ligne"
    #: (row number, column index) of JSON values that are lists or objects.
    nested: set[tuple[int, int]] = field(default_factory=set)


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def load_cards(
    path: str | Path,
    *,
    text_column: str | None = None,
    group_column: str | None = None,
    category_column: str | None = None,
    id_column: str | None = None,
    votes_column: str | None = None,
    sheet: str | None = None,
) -> CardSet:
    """Read the cards of a CSV, Excel (.xlsx/.xlsm) or JSON export.

    The format follows the extension (case-insensitive); an unknown extension
    is read as CSV. ``sheet`` picks an Excel sheet by name (default: the
    first). The ``*_column`` arguments name a column explicitly and win over
    detection. Raises :class:`InputError` for any problem with the file.
    """
    label = str(path)
    path = Path(path)
    overrides = {
        "text": text_column,
        "group": group_column,
        "category": category_column,
        "id": id_column,
        "votes": votes_column,
    }
    data = _read_bytes(path, label)
    table = _read_table(path, data, label, sheet)
    roles, role_warnings = _resolve_columns(table.headers, overrides, label)
    _reject_nested_values(table, roles, label)
    return _build_card_set(path, label, table, roles, _extra_cell_warnings(table, label) + role_warnings)


def normalise_category(value: str) -> str:
    """Map a category cell to one of :data:`CATEGORIES` when it is a known variant.

    Case, accents, punctuation, singular/plural and "(s)" are ignored
    ("Force", "FAIBLESSES", "Attente(s)" ...); the single letters F, Fa, A, C
    count only when they are the whole value. Any other value is kept,
    stripped, in its original case. An empty value gives DEFAULT_CATEGORY.
    """
    stripped = value.strip()
    if not stripped:
        return DEFAULT_CATEGORY
    return _CATEGORY_ALIASES.get(_normalise_key(stripped), stripped)


def normalise_group(value: str) -> str:
    """Write numbered groups as "Groupe N" ("G3", "g 3", "3", "groupe 03", "Gr. 3").

    Any other value is kept, stripped ("Table rouge"). An empty value gives
    DEFAULT_GROUP.
    """
    stripped = value.strip()
    if not stripped:
        return DEFAULT_GROUP
    match = _GROUP_NUMBER.fullmatch(stripped)
    if match is None:
        return stripped
    return f"Groupe {int(match.group(1))}"


# --------------------------------------------------------------------------
# Reading the file into a table of strings
# --------------------------------------------------------------------------


def _read_bytes(path: Path, label: str) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{label} : fichier introuvable. Vérifiez le chemin et le nom du fichier.") from None
    except IsADirectoryError:
        raise InputError(f"{label} : c'est un dossier, pas un fichier. Indiquez le fichier d'export lui-même.") from None
    except PermissionError:
        if path.is_dir():  # Windows reports a directory as a permission error
            raise InputError(f"{label} : c'est un dossier, pas un fichier. Indiquez le fichier d'export lui-même.") from None
        raise InputError(f"{label} : lecture refusée (droits insuffisants). Vérifiez les droits du fichier.") from None
    except (OSError, ValueError) as error:
        raise InputError(f"{label} : lecture impossible ({type(error).__name__}). Vérifiez le chemin du fichier.") from None
    if not data.removeprefix(_UTF8_BOM).strip():
        raise InputError(f"{label} : fichier vide. Exportez à nouveau les cartes.")
    return data


def _read_table(path: Path, data: bytes, label: str, sheet: str | None) -> _Table:
    extension = path.suffix.lower()
    if extension in (".xlsx", ".xlsm"):
        return _read_excel(data, label, sheet)
    if extension == ".json":
        return _read_json(data, label)
    if extension in (".xls", ".ods"):
        raise InputError(
            f"{label} : format {extension} non pris en charge. "
            "Enregistrez le fichier en .xlsx ou exportez-le en CSV."
        )
    return _read_csv(data, label)


def _table_from_records(records, label: str, unit: str = "ligne", empty: str = "fichier vide") -> _Table:
    """Clean every cell, drop rows with no content and split off the header row."""
    rows = [(number, [_clean_cell(cell) for cell in record]) for number, record in records]
    rows = [(number, cells) for number, cells in rows if any(cells)]
    if not rows:
        raise InputError(f"{label} : {empty}. Exportez à nouveau les cartes.")
    (_, headers), data_rows = rows[0], rows[1:]
    if not data_rows:
        raise InputError(
            f"{label} : aucune ligne de données (seulement l'en-tête). "
            "Vérifiez que l'export contient les cartes."
        )
    return _Table(headers=headers, rows=data_rows, unit=unit)


def _clean_cell(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARS.sub("", value).strip()


# CSV -----------------------------------------------------------------------


def _read_csv(data: bytes, label: str) -> _Table:
    if data.startswith(_ZIP_MAGIC):
        raise InputError(
            f"{label} : ce fichier est un classeur (xlsx ou ods), pas un CSV. "
            "Renommez-le en .xlsx ou exportez-le en CSV."
        )
    text = _decode(data, label)
    # Cleaned before parsing so that a stray NUL before a quote cannot stop it
    # from opening a quoted cell, and so that old Mac "\r" line ends count as lines.
    text = _CONTROL_CHARS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise InputError(f"{label} : fichier vide. Exportez à nouveau les cartes.")
    delimiter = _detect_delimiter(text)
    _check_quotes_closed(text, delimiter, label)
    return _table_from_records(_parse_csv(text, delimiter, label), label)


def _decode(data: bytes, label: str) -> str:
    """UTF-16 (with BOM), UTF-8 (with or without BOM), else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{label} : encodage illisible (UTF-16 invalide). Réenregistrez le fichier en « CSV UTF-8 ».") from None
    data = data.removeprefix(_UTF8_BOM)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            f"{label}, ligne {line} : encodage illisible (ni UTF-8 ni Windows-1252, "
            f"octet 0x{data[error.start]:02X}). Réenregistrez le fichier en « CSV UTF-8 »."
        ) from None


def _detect_delimiter(text: str) -> str:
    """The sniffed delimiter if the header line contains it, else the header's most frequent one.

    The header line is the arbiter because cells often hold commas and
    semicolons that mislead the sniffer, while header names never do.
    A header with none of ``; , tab`` means a one-column file.
    """
    header_line = next(line for line in text.split("\n") if line.strip())
    counts = {delimiter: header_line.count(delimiter) for delimiter in _CSV_DELIMITERS}
    if not any(counts.values()):
        return _NO_DELIMITER
    try:
        sniffed = csv.Sniffer().sniff(text[:_SNIFF_SAMPLE_CHARS], delimiters="".join(_CSV_DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    if sniffed in counts and counts[sniffed]:
        return sniffed
    return max(_CSV_DELIMITERS, key=lambda delimiter: counts[delimiter])


def _check_quotes_closed(text: str, delimiter: str, label: str) -> None:
    """Refuse a quote that opens a cell and never closes.

    The csv module would silently read the rest of the file into that one
    cell, merging every following card.
    """
    opening = rf'(?<![^{re.escape(delimiter)}\n])"'
    quoted_cell = re.compile(opening + r'[^"]*(?:""[^"]*)*("|\Z)')
    for match in quoted_cell.finditer(text):
        if not match.group(1):
            line = text.count("\n", 0, match.start()) + 1
            raise InputError(
                f"{label}, ligne {line} : guillemet ouvrant jamais fermé ; la suite du fichier "
                "serait lue comme une seule cellule. Fermez ce guillemet ou retirez-le."
            )


def _parse_csv(text: str, delimiter: str, label: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True)
    records: list[tuple[int, list[str]]] = []
    try:
        for number, record in enumerate(reader, start=1):
            records.append((number, record))
    except csv.Error:
        raise InputError(
            f"{label}, ligne {reader.line_num} : cellule illisible ou trop longue "
            f"(plus de {csv.field_size_limit()} caractères). Vérifiez les guillemets autour de cette ligne."
        ) from None
    return records


# Excel ---------------------------------------------------------------------


def _read_excel(data: bytes, label: str, sheet: str | None) -> _Table:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            # data_only: the values Excel last displayed, not formula source.
            workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # noqa: BLE001 - a malformed file surfaces as any of a dozen types
        raise InputError(
            f"{label} : ce n'est pas un classeur Excel valide (xlsx). "
            "Enregistrez-le en .xlsx ou exportez-le en CSV."
        ) from None
    try:
        worksheet = _pick_sheet(workbook, sheet, label)
        records = [
            (number, [_excel_cell_text(value) for value in row])
            for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1)
        ]
        return _table_from_records(records, label, empty=f"la feuille « {worksheet.title} » est vide")
    finally:
        workbook.close()


def _pick_sheet(workbook, sheet: str | None, label: str):
    worksheets = workbook.worksheets  # chart sheets excluded: they hold no cells
    if not worksheets:
        raise InputError(f"{label} : le classeur ne contient aucune feuille de calcul.")
    if sheet is None:
        return worksheets[0]
    for worksheet in worksheets:
        if worksheet.title == sheet:
            return worksheet
    names = _quote_list(worksheet.title for worksheet in worksheets)
    raise InputError(f"{label} : feuille « {sheet} » introuvable. Feuilles présentes : {names}.")


def _excel_cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an id typed as 12 must not become "12.0"
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


# JSON ----------------------------------------------------------------------


def _read_json(data: bytes, label: str) -> _Table:
    text = _decode(data, label)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{label}, ligne {error.lineno}, colonne {error.colno} : JSON invalide. "
            "Vérifiez les virgules, guillemets et crochets à cet endroit."
        ) from None
    except RecursionError:
        raise InputError(f"{label} : JSON imbriqué trop profondément. Attendu une liste d'objets, une carte par objet.") from None
    if not isinstance(value, list):
        raise InputError(
            f"{label} : le JSON doit être une liste d'objets (une carte par objet), "
            f"trouvé {_describe_json(value)}."
        )
    return _table_from_json_items(value, label)


def _table_from_json_items(items: list, label: str) -> _Table:
    if not items:
        raise InputError(f"{label} : aucune ligne de données (liste JSON vide). Vérifiez que l'export contient les cartes.")
    headers: list[str] = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InputError(
                f"{label}, élément {position} : attendu un objet {{…}} (une carte), "
                f"trouvé {_describe_json(item)}."
            )
        headers.extend(key for key in item if key not in headers)
    rows: list[tuple[int, list[str]]] = []
    nested: set[tuple[int, int]] = set()
    for position, item in enumerate(items, start=1):
        values = [item.get(key) for key in headers]
        cells = [_clean_cell(_json_cell_text(value)) for value in values]
        if any(cells):
            rows.append((position, cells))
        nested.update((position, index) for index, value in enumerate(values) if isinstance(value, (list, dict)))
    if not rows:
        raise InputError(f"{label} : aucune ligne de données (objets JSON sans valeur). Vérifiez l'export.")
    return _Table(headers=[_clean_cell(key) for key in headers], rows=rows, unit="élément", nested=nested)


def _json_cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _describe_json(value) -> str:
    kinds = {dict: "un objet", list: "une liste", str: "un texte", bool: "un booléen", type(None): "null"}
    for kind, description in kinds.items():
        if isinstance(value, kind):
            return description
    return "un nombre"


def _reject_nested_values(table: _Table, roles: dict[str, int], label: str) -> None:
    """Lists and objects are fine in keys we ignore (positions, metadata), not in a used one."""
    used = set(roles.values())
    for position, column in sorted(table.nested):
        if column in used:
            raise InputError(
                f"{label}, élément {position}, clé « {table.headers[column]} » : valeur composée "
                "(liste ou objet) ; attendu du texte ou un nombre."
            )


# --------------------------------------------------------------------------
# Columns
# --------------------------------------------------------------------------


def _resolve_columns(
    headers: list[str], overrides: dict[str, str | None], label: str
) -> tuple[dict[str, int], list[str]]:
    """Give each role a column index; see the module docstring for the precedence."""
    explicit = {
        role: _find_explicit_column(headers, name, role, label)
        for role, name in overrides.items()
        if name is not None
    }
    roles = dict(explicit)
    normalised = [_normalise_key(header) for header in headers]
    for by_prefix in (False, True):
        for role in ROLES:
            if role not in roles:
                index = _match_synonyms(normalised, role, set(roles.values()), by_prefix)
                if index is not None:
                    roles[role] = index
    if "text" in roles:
        return roles, []
    return _single_column_as_text(headers, roles, explicit, label)


def _find_explicit_column(headers: list[str], name: str, role: str, label: str) -> int:
    wanted = name.strip()
    if wanted in headers:
        return headers.index(wanted)
    key = _normalise_key(wanted)
    normalised = [_normalise_key(header) for header in headers]
    if key and key in normalised:
        return normalised.index(key)
    raise InputError(
        f"{label} : colonne « {name} » introuvable (--{role}-column). "
        f"Colonnes présentes : {_quote_list(headers)}."
    )


def _match_synonyms(normalised: list[str], role: str, taken: set[int], by_prefix: bool) -> int | None:
    for synonym in SYNONYMS[role]:
        key = _normalise_key(synonym)
        if by_prefix and len(key) < _PREFIX_MIN_LENGTH:
            continue
        for index, header in enumerate(normalised):
            if index in taken or header in _NEVER_DETECTED:
                continue
            if header == key or (by_prefix and header.startswith(key)):
                return index
    return None


def _single_column_as_text(
    headers: list[str], roles: dict[str, int], explicit: dict[str, int], label: str
) -> tuple[dict[str, int], list[str]]:
    named = [index for index, header in enumerate(headers) if header]
    if len(named) != 1 or named[0] in explicit.values():
        tried = ", ".join(SYNONYMS["text"])
        raise InputError(
            f"{label} : aucune colonne de texte reconnue parmi {_quote_list(headers)}. "
            f"Noms essayés : {tried}. Indiquez la colonne avec --text-column."
        )
    index = named[0]
    roles = {role: column for role, column in roles.items() if column != index}
    roles["text"] = index
    warning = (
        f"{label} : colonne « {headers[index]} » lue comme texte des cartes (seule colonne du fichier) ; "
        "sa première ligne est prise pour un en-tête, pas pour une carte."
    )
    return roles, [warning]


def _normalise_key(value: str) -> str:
    """Accent-, case-, space- and punctuation-insensitive form ("N°" -> "n")."""
    decomposed = unicodedata.normalize("NFKD", value)
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(char for char in without_accents.casefold() if char.isalnum())


# --------------------------------------------------------------------------
# Cards
# --------------------------------------------------------------------------


@dataclass
class _Draft:
    """A row with text, its cells picked by role but not yet normalised."""

    row: int
    text: str
    id: str
    group: str
    category: str
    votes: str


def _build_card_set(
    path: Path, label: str, table: _Table, roles: dict[str, int], warnings_: list[str]
) -> CardSet:
    drafts: list[_Draft] = []
    skipped: list[int] = []
    for number, cells in table.rows:
        text = _cell(cells, roles["text"])
        if not text:
            skipped.append(number)
            continue
        drafts.append(_Draft(
            row=number,
            text=text,
            id=_cell(cells, roles.get("id")) or f"r{number}",
            group=_cell(cells, roles.get("group")),
            category=_cell(cells, roles.get("category")),
            votes=_cell(cells, roles.get("votes")),
        ))
    if not drafts:
        raise InputError(
            f"{label} : aucune carte avec du texte dans la colonne « {table.headers[roles['text']]} ». "
            "Vérifiez la colonne de texte (option --text-column)."
        )
    cards, duplicate_warnings = _cards_with_unique_ids(drafts, label, table.unit)
    headers = {role: table.headers[roles[role]] for role in ROLES if role in roles}
    return CardSet(
        source=path,
        cards=cards,
        skipped_rows=skipped,
        warnings=warnings_ + _cell_warnings(drafts, headers, label, table.unit) + duplicate_warnings,
        columns=headers,
    )


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def _parse_votes(value: str) -> int | None:
    match = _VOTES.fullmatch(value.strip())
    return int(match.group(1)) if match else None


def _cards_with_unique_ids(drafts: list[_Draft], label: str, unit: str) -> tuple[list[Card], list[str]]:
    """Keep every card; later duplicates get "-2", "-3"... so ids stay unique."""
    holder: dict[str, int] = {}  # final id -> row of the card that has it
    renamed: dict[str, list[tuple[int, str]]] = {}
    cards = []
    for draft in drafts:
        card_id = draft.id
        suffix = 2
        while card_id in holder:
            card_id = f"{draft.id}-{suffix}"
            suffix += 1
        if card_id != draft.id:
            renamed.setdefault(draft.id, []).append((draft.row, card_id))
        holder[card_id] = draft.row
        cards.append(Card(
            id=card_id,
            text=draft.text,
            group=normalise_group(draft.group),
            category=normalise_category(draft.category),
            row=draft.row,
            votes=_parse_votes(draft.votes),
        ))
    messages = [
        f"{label} : identifiant « {card_id} » en double "
        f"({_rows_text([holder[card_id]] + [row for row, _ in copies], unit)}) ; cartes gardées, "
        f"renommée{plural_suffix(len(copies))} {', '.join(f'« {new} »' for _, new in copies)}."
        for card_id, copies in renamed.items()
    ]
    return cards, messages


def _cell_warnings(drafts: list[_Draft], headers: dict[str, str], label: str, unit: str) -> list[str]:
    found: list[str] = []
    if "group" in headers:
        found += _empty_cell_warning([d.row for d in drafts if not d.group], headers["group"],
                                     "groupe", DEFAULT_GROUP, label, unit)
    if "category" in headers:
        found += _empty_cell_warning([d.row for d in drafts if not d.category], headers["category"],
                                     "catégorie", DEFAULT_CATEGORY, label, unit)
        found += _unknown_category_warnings(drafts, headers["category"], label)
    if "votes" in headers:
        unreadable = [d.row for d in drafts if d.votes and _parse_votes(d.votes) is None]
        if unreadable:
            found.append(
                f"{label}, colonne « {headers['votes']} » : {plural(len(unreadable), 'valeur')} de votes "
                f"illisible{plural_suffix(len(unreadable))} ({_rows_text(unreadable, unit)}), "
                f"ignorée{plural_suffix(len(unreadable))} ; attendu un entier positif ou nul."
            )
    return found


def _empty_cell_warning(rows: list[int], header: str, what: str, default: str, label: str, unit: str) -> list[str]:
    if not rows:
        return []
    return [
        f"{label}, colonne « {header} » : {plural(len(rows), 'carte')} sans {what} "
        f"({_rows_text(rows, unit)}), rangée{plural_suffix(len(rows))} dans « {default} »."
    ]


def _unknown_category_warnings(drafts: list[_Draft], header: str, label: str) -> list[str]:
    counts: dict[str, int] = {}
    for draft in drafts:
        category = normalise_category(draft.category)
        if draft.category and category not in CATEGORIES:
            counts[category] = counts.get(category, 0) + 1
    return [
        f"{label}, colonne « {header} » : catégorie « {category} » non reconnue ({plural(count, 'carte')}), "
        f"gardée telle quelle. Catégories reconnues : {', '.join(CATEGORIES)}."
        for category, count in counts.items()
    ]


def _extra_cell_warnings(table: _Table, label: str) -> list[str]:
    """Cells beyond the last header usually mean a wrong delimiter or an unquoted one in a cell."""
    width = len(table.headers)
    rows = [number for number, cells in table.rows if any(cells[width:])]
    if not rows:
        return []
    return [
        f"{label} : {plural(len(rows), table.unit)} avec plus de cellules que d'en-têtes "
        f"({_rows_text(rows, table.unit)}) ; ces cellules sont ignorées. "
        "Vérifiez le séparateur et les guillemets."
    ]


# --------------------------------------------------------------------------
# Message helpers
# --------------------------------------------------------------------------


def _quote_list(names) -> str:
    quoted = [f"« {name} »" for name in names if name]
    return ", ".join(quoted) if quoted else "(aucun nom de colonne)"


def _rows_text(rows: list[int], unit: str) -> str:
    shown = ", ".join(str(row) for row in rows[:_MAX_LISTED_ROWS])
    if len(rows) > _MAX_LISTED_ROWS:
        shown += f"… et {len(rows) - _MAX_LISTED_ROWS} autres"
    return f"{unit}s {shown}" if len(rows) > 1 else f"{unit} {shown}"
