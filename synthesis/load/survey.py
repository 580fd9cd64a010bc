"""Survey exports: respondents in place of groups, questions in place of categories, segment columns.

A workshop export has one card per row with its group and category. A survey export has
one answer per row with its question and respondent (*long* layout), or one row per
respondent and one column per question (*wide* layout, what most form tools export).
Either may carry segment columns (département, type de structure, taille…), named with
``--segment`` and never guessed: any column could be one.

When is a file a survey?
------------------------
When ``--segment``, ``--questions``, ``--question-column`` or ``--respondent-column`` is
given; else when a question column (header exactly « Question ») or a respondent column
(« Répondant », « ID répondant », « Structure », « Office »…) is recognised and no group
column is. A workshop export (a group column) is never read as a survey unless asked.

Which layout?
-------------
Wide when ``--questions`` names the answer columns (repeatable; a value that is not a
header is split on commas), or, without a question column, when at least
:data:`MIN_WIDE_QUESTIONS` columns hold long text (most non-empty cells of at least
:data:`LONG_TEXT_WORDS` words) beside the respondent column. The wide table is turned
into the long one: one row per non-empty answer, the question being the column's header,
the id ``<id>-q<k>`` (the respondent in place of the id when there is no id column,
``r<row>-q<k>`` without either). Long otherwise.

In a survey the category column is used only when named with ``--category-column`` or
when its header is exactly a category name: « Type de structure » starts like « type »
but is a segment, not a question.
"""

from __future__ import annotations

from dataclasses import dataclass

from synthesis.cards import Survey
from synthesis.load.columns import SYNONYMS, find_column, match_roles, normalise_key
from synthesis.load.table import Table

#: A column of answers: at least this share of its non-empty cells have LONG_TEXT_WORDS words or more.
LONG_TEXT_WORDS, LONG_TEXT_SHARE = 4, 0.5
#: Columns of long text needed to read a survey as wide without --questions.
MIN_WIDE_QUESTIONS = 2
_CATEGORY_KEYS = frozenset(normalise_key(name) for name in SYNONYMS["category"])


@dataclass
class SurveyLayout:
    """A survey export made long, with the overrides that point at its columns."""

    table: Table
    overrides: dict[str, str | None]
    #: Column indices of the segments in ``table`` (reserved: they play no other role).
    segment_indices: frozenset[int]
    survey: Survey
    #: Keep the category column (named explicitly, or headed exactly « Catégorie », « Type »…).
    keep_category: bool


def survey_layout(
    table: Table, overrides: dict[str, str | None], label: str, segments: tuple[str, ...] = (), questions: tuple[str, ...] = ()
) -> SurveyLayout | None:
    """The survey reading of ``table``, or None for a workshop export (see the module docstring)."""
    segment_indices = _segment_columns(table.headers, segments, label)
    roles = match_roles(table.headers, overrides, label, frozenset(segment_indices))
    asked = bool(segments or questions or overrides.get("question") or overrides.get("respondent"))
    recognised = ("question" in roles or "respondent" in roles) and "group" not in roles
    if not (asked or recognised):
        return None
    keep_category = overrides.get("category") is not None or (
        "category" in roles and "question" not in roles and normalise_key(table.headers[roles["category"]]) in _CATEGORY_KEYS
    )
    answer_columns = _answer_columns(table, roles, segment_indices, label, questions, keep_category)
    segment_names = [table.headers[index] for index in segment_indices]
    respondent = roles.get("respondent", roles.get("group"))
    overrides = {**overrides, "respondent": table.headers[respondent] if respondent is not None else None}
    if answer_columns:
        table, overrides = _long_table(table, answer_columns, roles, overrides)
        segment_indices = [table.headers.index(name) for name in segment_names]
    survey = Survey(
        respondent_column=overrides["respondent"] or "",
        question_column="" if answer_columns else (table.headers[roles["question"]] if "question" in roles else ""),
        segments=segment_names,
        wide=bool(answer_columns),
    )
    return SurveyLayout(table, overrides, frozenset(segment_indices), survey, keep_category and not answer_columns)


def _segment_columns(headers: list[str], segments: tuple[str, ...], label: str) -> list[int]:
    indices: list[int] = []
    for name in segments:
        index = find_column(headers, name, "--segment", label)
        if index not in indices:
            indices.append(index)
    return indices


def _answer_columns(table: Table, roles: dict[str, int], segments: list[int], label: str, questions: tuple[str, ...], keep_category: bool) -> list[int]:
    """The columns of a wide export (one per question), or [] for a long one."""
    if questions:
        names = [part.strip() for name in questions for part in ([name] if name in table.headers else name.split(",")) if part.strip()]
        return list(dict.fromkeys(find_column(table.headers, name, "--questions", label) for name in names))
    if "question" in roles or keep_category:
        return []
    used = {index for role, index in roles.items() if role != "text"} | set(segments)
    long_text = [index for index in range(len(table.headers)) if index not in used and table.headers[index] and _holds_long_text(table, index)]
    return long_text if len(long_text) >= MIN_WIDE_QUESTIONS else []


def _holds_long_text(table: Table, index: int) -> bool:
    cells = [cells[index] for _, cells in table.rows if index < len(cells) and cells[index]]
    if normalise_key(table.headers[index]) in ("theme", "label") or not cells:
        return False
    return sum(len(cell.split()) >= LONG_TEXT_WORDS for cell in cells) >= LONG_TEXT_SHARE * len(cells)


def _long_table(table: Table, answer_columns: list[int], roles: dict[str, int], overrides: dict[str, str | None]) -> tuple[Table, dict[str, str | None]]:
    """One row per non-empty answer: the other columns, then the question (its header), the answer, an answer id.

    A row with no answer at all stays once, with an empty answer, so that it is reported as skipped.
    """
    kept = [index for index in range(len(table.headers)) if index not in answer_columns]
    question, answer, answer_id = (_free_name(table.headers, wanted) for wanted in ("Question", "Réponse", "Identifiant de réponse"))
    id_column = roles.get("id", roles.get("respondent"))
    rows = []
    for number, cells in table.rows:
        base = [cells[index] if index < len(cells) else "" for index in kept]
        own_id = (cells[id_column] if id_column is not None and id_column < len(cells) else "") or f"r{number}"
        answered = [(k, index) for k, index in enumerate(answer_columns, start=1) if index < len(cells) and cells[index]]
        for k, index in answered:
            rows.append((number, base + [table.headers[index], cells[index], f"{own_id}-q{k}"]))
        if not answered:
            rows.append((number, base + ["", "", f"{own_id}-q0"]))
    headers = [table.headers[index] for index in kept] + [question, answer, answer_id]
    long = Table(headers=headers, rows=rows, unit=table.unit, header_row=table.header_row, warnings=list(table.warnings),
                 extra_cells_hint=table.extra_cells_hint)
    return long, {**overrides, "text": answer, "question": question, "id": answer_id, "category": None}


def _free_name(headers: list[str], wanted: str) -> str:
    name, suffix = wanted, 2
    while name in headers:
        name, suffix = f"{wanted} ({suffix})", suffix + 1
    return name
