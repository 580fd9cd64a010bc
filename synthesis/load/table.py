"""The table every reader produces (cells as cleaned strings), and the wording shared by load messages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Control characters except tab, newline and carriage return (handled apart).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_MAX_LISTED_ROWS = 10

#: (row number, cells) as read, before any cleaning.
Records = list[tuple[int, list[str]]]


@dataclass
class Table:
    """Cells as cleaned strings, before any role is given to a column."""

    headers: list[str]
    #: (row number, cells); rows whose cells are all empty are already removed.
    rows: list[tuple[int, list[str]]]
    #: Word for a row in messages: "ligne" (CSV, Excel) or "élément" (JSON).
    unit: str = "ligne"
    #: (row number, column index) of JSON values that are lists or objects.
    nested: set[tuple[int, int]] = field(default_factory=set)
    #: Row number of the header (1 unless title rows stand above it).
    header_row: int = 1
    #: What the reader noticed (encoding, sheets, formulas, title rows), one French line each.
    warnings: list[str] = field(default_factory=list)
    #: What to check when a row has more cells than the header.
    extra_cells_hint: str = "Vérifiez le séparateur et les guillemets."


def clean_cell(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL_CHARS.sub("", value).strip()


def quote_list(names) -> str:
    quoted = [f"« {name} »" for name in names if name]
    return ", ".join(quoted) if quoted else "(aucun nom de colonne)"


def rows_text(rows: list[int], unit: str) -> str:
    shown = ", ".join(str(row) for row in rows[:_MAX_LISTED_ROWS])
    if len(rows) > _MAX_LISTED_ROWS:
        shown += f"… et {len(rows) - _MAX_LISTED_ROWS} autres"
    return f"{unit}s {shown}" if len(rows) > 1 else f"{unit} {shown}"


def shorten(text: str, length: int = 60) -> str:
    """A cell quoted in a message: one line, at most ``length`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"
