"""cartes.csv: every input card exactly once, with its theme and fit score."""

from __future__ import annotations

import csv
import io

from synthesis.result import Synthesis

COLUMNS = ["id", "group", "category", "text", "theme_id", "theme_label", "fit", "duplicate_of", "row", "votes"]

#: A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: str) -> str:
    """Prefix a quote so that spreadsheets show the cell as text (OWASP's advice)."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def card_rows(synthesis: Synthesis) -> list[list[str]]:
    rows = []
    for card in synthesis.cards:
        placement = synthesis.placements[card.id]
        values = [
            card.id, card.group, card.category, card.text, placement.theme_id, placement.theme_label,
            f"{placement.fit:.3f}", placement.duplicate_of or "", str(card.row),
            "" if card.votes is None else str(card.votes),
        ]
        rows.append([neutralise_formula(value) for value in values])
    return rows


def render_cards_csv(synthesis: Synthesis) -> str:
    """``;``-separated, for French spreadsheets (written with a UTF-8 BOM by the output stage)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(card_rows(synthesis))
    return buffer.getvalue()
