"""From a table of strings to the cards: roles, unique ids, length limits, and the warnings about cells.

A card longer than :data:`MAX_CARD_CHARS` is refused with its row: spaCy's
parser needs about 1 GB per 100,000 characters and refuses a text past
1,000,000; no workshop card or survey answer comes near.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from synthesis.cards import CATEGORIES, DEFAULT_CATEGORY, DEFAULT_GROUP, DEFAULT_QUESTION, UNKNOWN_SEGMENT, Card, CardSet, InputError
from synthesis.french import plural, plural_suffix
from synthesis.load.columns import ROLES, normalise_category, normalise_group, other_text_columns, resolve_columns
from synthesis.load.survey import SurveyLayout, survey_layout
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
    respondent: str = ""
    question: str = ""
    segments: tuple[tuple[str, str], ...] = ()


def build_card_set(
    path: Path, label: str, table: Table, overrides: dict[str, str | None], *, segments: tuple[str, ...] = (), questions: tuple[str, ...] = ()
) -> CardSet:
    """``segments`` and ``questions`` (--segment, --questions) read the export as a survey (see synthesis.load.survey)."""
    layout = survey_layout(table, overrides, label, segments, questions)
    if layout is not None:
        table, overrides = layout.table, layout.overrides
    roles, role_warnings = resolve_columns(table.headers, overrides, label, layout.segment_indices if layout else frozenset())
    if layout is not None:
        roles = _survey_roles(roles, layout)
    _reject_nested_values(table, roles, label)
    drafts, skipped = _drafts(table, roles, label, layout)
    segment_warnings = _settle_segments(drafts, label, table.unit) if layout is not None else []
    cards, duplicate_warnings = _cards_with_unique_ids(drafts, label, table.unit, survey=layout is not None)
    headers = {role: table.headers[roles[role]] for role in ROLES if role in roles}
    warnings = (
        table.warnings + _extra_cell_warnings(table, label) + role_warnings + _other_text_warnings(table, roles, label)
        + _cell_warnings(drafts, headers, label, table.unit) + duplicate_warnings + _report_unsafe_warnings(drafts, label, table.unit)
        + segment_warnings
    )
    return CardSet(source=path, cards=cards, skipped_rows=skipped, warnings=warnings, columns=headers,
                   survey=layout.survey if layout is not None else None)


def _survey_roles(roles: dict[str, int], layout: SurveyLayout) -> dict[str, int]:
    """In a survey the question is the category and the respondent the group (see synthesis.load.survey)."""
    roles = dict(roles)
    if not layout.keep_category or "question" in roles:
        roles.pop("category", None)
    if "respondent" in roles:
        roles.pop("group", None)
    return roles


def _drafts(table: Table, roles: dict[str, int], label: str, layout: SurveyLayout | None = None) -> tuple[list[_Draft], list[int]]:
    drafts: list[_Draft] = []
    skipped: list[int] = []
    for number, cells in table.rows:
        text = _cell(cells, roles["text"])
        if not text:
            skipped.append(number)
            continue
        _check_lengths(cells, roles, table, number, label)
        fields = dict(
            row=number,
            text=text,
            id=_cell(cells, roles.get("id")) or f"r{number}",
            # Labels on one line: a line break in a group or category cell would split headings and messages.
            group=" ".join(_cell(cells, roles.get("group")).split()),
            category=" ".join(_cell(cells, roles.get("category")).split()),
            votes=_cell(cells, roles.get("votes")),
        )
        drafts.append(_Draft(**fields, **(_survey_cells(cells, roles, layout, table, number) if layout is not None else {})))
    if not drafts:
        raise InputError(
            f"{label} : aucune carte avec du texte dans la colonne « {table.headers[roles['text']]} ». "
            "Vérifiez la colonne de texte (option --text-column)."
        )
    return drafts, skipped


def _survey_cells(cells: list[str], roles: dict[str, int], layout: SurveyLayout, table: Table, number: int) -> dict:
    """A survey row's respondent (the row itself when there is no respondent column), question and segments."""
    if "question" in roles:
        question = " ".join(_cell(cells, roles["question"]).split()) or DEFAULT_QUESTION
    else:
        question = normalise_category(_cell(cells, roles["category"])) if "category" in roles else DEFAULT_QUESTION
    return {
        "respondent": " ".join(_cell(cells, roles.get("respondent", roles.get("group"))).split()) or f"{table.unit} {number}",
        "question": question,
        "segments": tuple((name, " ".join(_cell(cells, table.headers.index(name)).split())) for name in layout.survey.segments),
    }


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


def _settle_segments(drafts: list[_Draft], label: str, unit: str) -> list[str]:
    """One value per respondent and segment: an empty cell reads « non renseigné »; a respondent whose
    rows disagree keeps their first value (counting them in two départements would count them twice)."""
    first: dict[tuple[str, str], str] = {}
    empty: dict[str, list[int]] = {}
    disagree: dict[tuple[str, str], set[str]] = {}
    for draft in drafts:
        settled = []
        for name, value in draft.segments:
            if not value:
                empty.setdefault(name, []).append(draft.row)
                value = UNKNOWN_SEGMENT
            kept = first.setdefault((draft.respondent, name), value)
            if kept != value:
                disagree.setdefault((draft.respondent, name), {kept}).add(value)
            settled.append((name, kept))
        draft.segments = tuple(settled)
    messages = [
        f"{label}, colonne « {name} » : {plural(len(rows), 'réponse')} sans valeur ({rows_text(rows, unit)}), "
        f"comptée{plural_suffix(len(rows))} dans « {UNKNOWN_SEGMENT} »."
        for name, rows in empty.items()
    ]
    messages += [
        f"{label}, colonne « {name} » : le répondant « {respondent} » a plusieurs valeurs ({quote_list(sorted(values))}) ; "
        f"la première, « {first[(respondent, name)]} », est retenue pour toutes ses réponses."
        for (respondent, name), values in disagree.items()
    ]
    return messages


def _cards_with_unique_ids(drafts: list[_Draft], label: str, unit: str, *, survey: bool = False) -> tuple[list[Card], list[str]]:
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
            # A survey counts respondents where a workshop counts groups: the respondent is the group, verbatim.
            group=draft.respondent if survey else normalise_group(draft.group),
            category=draft.question if survey else normalise_category(draft.category),
            row=draft.row,
            votes=_parse_votes(draft.votes),
            respondent=draft.respondent,
            segments=draft.segments,
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
