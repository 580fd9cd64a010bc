"""cartes.csv: every input card exactly once, with its theme and fit score.

A survey's file names its columns respondent and question (for group and category) and
adds one column per segment, under the export's own header.
"""

from __future__ import annotations

import csv
import io

from synthesis.result import Synthesis

COLUMNS = ["id", "group", "category", "text", "theme_id", "theme_label", "fit", "duplicate_of", "row", "votes", "segments"]
#: A survey's columns: respondent and question in place of group and category, then one column per --segment.
SURVEY_COLUMNS = ["id", "respondent", "question", *COLUMNS[3:]]
#: Separates the segments of a split card in the ``segments`` column.
SEGMENT_SEPARATOR = " | "

#: A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: str) -> str:
    """Prefix a quote so that spreadsheets show the cell as text (OWASP's advice)."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def card_rows(synthesis: Synthesis) -> list[list[str]]:
    """One row per input card; a split card shows its first segment's theme and all segments."""
    units_by_card: dict[str, list] = {}
    for unit in synthesis.units:
        units_by_card.setdefault(unit.card_id, []).append(unit)
    rows = []
    for card in synthesis.cards:
        units = units_by_card[card.id]
        placement = synthesis.placements[units[0].id]
        values = [
            card.id, card.group, card.category, card.text, placement.theme_id, placement.theme_label,
            f"{placement.fit:.3f}", placement.duplicate_of or "", str(card.row),
            "" if card.votes is None else str(card.votes), _segments(units, synthesis.placements),
        ]
        if synthesis.survey is not None:
            values += [card.segment(segment) for segment in synthesis.survey.segments]
        rows.append([neutralise_formula(value) for value in values])
    return rows


def _segments(units, placements) -> str:
    """"formation → attentes-02 | mutualisation → attentes-04" for a split card, empty otherwise."""
    if len(units) == 1:
        return ""
    return SEGMENT_SEPARATOR.join(f"{unit.text} → {placements[unit.id].theme_id}" for unit in units)


def render_cards_csv(synthesis: Synthesis) -> str:
    """``;``-separated, for French spreadsheets (written with a UTF-8 BOM by the output stage)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    survey = synthesis.survey
    writer.writerow(COLUMNS if survey is None else SURVEY_COLUMNS + [neutralise_formula(name) for name in survey.segments])
    writer.writerows(card_rows(synthesis))
    return buffer.getvalue()
