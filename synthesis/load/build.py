"""From a table of strings to the cards: roles, unique ids, length limits, and the warnings about cells.

A card longer than :data:`MAX_CARD_CHARS` is refused with its row: spaCy's
parser needs about 1 GB per 100,000 characters and refuses a text past
1,000,000; no workshop card or survey answer comes near.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from synthesis.cards import CATEGORIES, DEFAULT_CATEGORY, DEFAULT_GROUP, Card, CardSet, InputError
from synthesis.french import plural, plural_suffix
from synthesis.load.columns import ROLES, normalise_category, normalise_group, other_text_columns, resolve_columns
from synthesis.load.table import Table, quote_list, rows_text

#: Longest card text accepted (characters).
MAX_CARD_CHARS = 100_000
#: Longest group, category, id or votes cell accepted: longer means a wrong column.
MAX_LABEL_CHARS = 1_000
_VOTES = re.compile(r"(\d+)(?:[.,]0+)?")
#: Characters XML 1.0 (so Word) cannot hold, left after the loader's cleaning.
REPORT_UNSAFE = re.compile("[\ud800-\udfff\ufffe\uffff]")


@dataclass
class _Draft:
    """A row with text, its cells picked by role but not yet normalised."""

    row: int
    text: str
    id: str
    group: str
    category: str
    votes: str


def build_card_set(path: Path, label: str, table: Table, overrides: dict[str, str | None]) -> CardSet:
    roles, role_warnings = resolve_columns(table.headers, overrides, label)
    _reject_nested_values(table, roles, label)
    drafts, skipped = _drafts(table, roles, label)
    cards, duplicate_warnings = _cards_with_unique_ids(drafts, label, table.unit)
    headers = {role: table.headers[roles[role]] for role in ROLES if role in roles}
    warnings = (
        table.warnings + _extra_cell_warnings(table, label) + role_warnings + _other_text_warnings(table, roles, label)
        + _cell_warnings(drafts, headers, label, table.unit) + duplicate_warnings + _report_unsafe_warnings(drafts, label, table.unit)
    )
    return CardSet(source=path, cards=cards, skipped_rows=skipped, warnings=warnings, columns=headers)


def _drafts(table: Table, roles: dict[str, int], label: str) -> tuple[list[_Draft], list[int]]:
    drafts: list[_Draft] = []
    skipped: list[int] = []
    for number, cells in table.rows:
        text = _cell(cells, roles["text"])
        if not text:
            skipped.append(number)
            continue
        _check_lengths(cells, roles, table, number, label)
        drafts.append(_Draft(
            row=number,
            text=text,
            id=_cell(cells, roles.get("id")) or f"r{number}",
            # Labels on one line: a line break in a group or category cell would split headings and messages.
            group=" ".join(_cell(cells, roles.get("group")).split()),
            category=" ".join(_cell(cells, roles.get("category")).split()),
            votes=_cell(cells, roles.get("votes")),
        ))
    if not drafts:
        raise InputError(
            f"{label} : aucune carte avec du texte dans la colonne « {table.headers[roles['text']]} ». "
            "Vérifiez la colonne de texte (option --text-column)."
        )
    return drafts, skipped


def _check_lengths(cells: list[str], roles: dict[str, int], table: Table, number: int, label: str) -> None:
    for role, index in roles.items():
        limit = MAX_CARD_CHARS if role == "text" else MAX_LABEL_CHARS
        length = len(_cell(cells, index))
        if length > limit:
            raise InputError(
                f"{label}, {table.unit} {number}, colonne « {table.headers[index]} » : {_number(length)} caractères, "
                f"plus que les {_number(limit)} acceptés pour {'une carte' if role == 'text' else 'cette colonne'}. "
                "Vérifiez cette cellule (export tronqué ou colonne mal choisie ?)."
            )


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")  # French thousands separator


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def _parse_votes(value: str) -> int | None:
    match = _VOTES.fullmatch(value.strip())
    return int(match.group(1)) if match else None


def _reject_nested_values(table: Table, roles: dict[str, int], label: str) -> None:
    """Lists and objects are fine in keys we ignore (positions, metadata), not in a used one."""
    used = set(roles.values())
    for position, column in sorted(table.nested):
        if column in used:
            raise InputError(
                f"{label}, élément {position}, clé « {table.headers[column]} » : valeur composée "
                "(liste ou objet) ; attendu du texte ou un nombre."
            )


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
        f"({rows_text([holder[card_id]] + [row for row, _ in copies], unit)}) ; cartes gardées, "
        f"renommée{plural_suffix(len(copies))} {', '.join(f'« {new} »' for _, new in copies)}."
        for card_id, copies in renamed.items()
    ]
    return cards, messages


def _cell_warnings(drafts: list[_Draft], headers: dict[str, str], label: str, unit: str) -> list[str]:
    found: list[str] = []
    if "group" in headers:
        found += _empty_cell_warning(drafts, "group", headers["group"], "groupe", DEFAULT_GROUP, label, unit)
    if "category" in headers:
        found += _empty_cell_warning(drafts, "category", headers["category"], "catégorie", DEFAULT_CATEGORY, label, unit)
        found += _unknown_category_warnings(drafts, headers["category"], label)
    if "votes" in headers:
        unreadable = [d.row for d in drafts if d.votes and _parse_votes(d.votes) is None]
        if unreadable:
            found.append(
                f"{label}, colonne « {headers['votes']} » : {plural(len(unreadable), 'valeur')} de votes "
                f"illisible{plural_suffix(len(unreadable))} ({rows_text(unreadable, unit)}), "
                f"ignorée{plural_suffix(len(unreadable))} ; attendu un entier positif ou nul."
            )
    return found


def _empty_cell_warning(drafts: list[_Draft], role: str, header: str, what: str, default: str, label: str, unit: str) -> list[str]:
    rows = [draft.row for draft in drafts if not getattr(draft, role)]
    if not rows:
        return []
    # Empty cells under a filled one, in a file whose other rows are filled: merged cells flattened by an export.
    follows_value = any(not getattr(draft, role) and getattr(previous, role) for previous, draft in zip(drafts, drafts[1:]))
    hint = " (cellules fusionnées dans le tableur ? remplissez chaque ligne)" if follows_value else ""
    return [
        f"{label}, colonne « {header} » : {plural(len(rows), 'carte')} sans {what} "
        f"({rows_text(rows, unit)}), rangée{plural_suffix(len(rows))} dans « {default} »{hint}."
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


def _extra_cell_warnings(table: Table, label: str) -> list[str]:
    """Cells beyond the last header usually mean a wrong delimiter or an unquoted one in a cell."""
    width = len(table.headers)
    rows = [number for number, cells in table.rows if any(cells[width:])]
    if not rows:
        return []
    return [
        f"{label} : {plural(len(rows), table.unit)} avec plus de cellules que d'en-têtes "
        f"({rows_text(rows, table.unit)}) ; ces cellules sont ignorées. {table.extra_cells_hint}"
    ]


def _other_text_warnings(table: Table, roles: dict[str, int], label: str) -> list[str]:
    """A second column that also holds card text is not read: say so, the user may want it."""
    columns = [index for index in other_text_columns(table.headers, roles) if any(_cell(cells, index) for _, cells in table.rows)]
    if not columns:
        return []
    return [
        f"{label} : {'les colonnes' if len(columns) > 1 else 'la colonne'} {quote_list(table.headers[i] for i in columns)} "
        f"{'ressemblent' if len(columns) > 1 else 'ressemble'} aussi à du texte de carte mais "
        f"{'ne sont pas lues' if len(columns) > 1 else 'n’est pas lue'} (texte lu : « {table.headers[roles['text']]} »). "
        "Pour lire une autre colonne : --text-column NOM."
    ]


def _report_unsafe_warnings(drafts: list[_Draft], label: str, unit: str) -> list[str]:
    rows = [draft.row for draft in drafts if any(REPORT_UNSAFE.search(value) for value in (draft.text, draft.group, draft.category, draft.id))]
    if not rows:
        return []
    return [
        f"{label} : caractère non imprimable (U+FFFE ou U+FFFF) dans {rows_text(rows, unit)} ; "
        "remplacé par « � » dans les comptes rendus, gardé tel quel dans cartes.csv."
    ]
