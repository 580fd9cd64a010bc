"""themes.json: the machine-readable result, versioned (schema in themes.schema.json)."""

from __future__ import annotations

import json
from dataclasses import asdict

from synthesis import __version__
from synthesis.report.wording import all_warnings, run_summary
from synthesis.result import Synthesis, Theme

SCHEMA_ID = "synth.themes/1"


def themes_document(synthesis: Synthesis) -> dict:
    """The document; a survey's keys (``survey``, respondents, segments, profile) appear only for a survey."""
    survey = synthesis.survey is not None
    document = {
        "schema": SCHEMA_ID,
        "generator": {"name": "synth", "version": __version__},
        "source": synthesis.source.name,
        "title": synthesis.title,
        "embedder": synthesis.embedder,
        "method": synthesis.method,
        "settings": synthesis.settings,
        "totals": {**run_summary(synthesis), "groups": list(synthesis.groups)},
        "categories": [
            {
                "category": category.category,
                "n_cards": category.n_cards,
                "summary": category.summary,
                "n_cards_in_several_themes": category.n_cards_in_several_themes,
                "flags": [{"card_id": f.card_id, "segment_id": f.unit_id, "text": f.text, "reason": f.reason} for f in category.flags],
                "grain": category.grain,
                "themes": [_theme(theme, rank, survey) for rank, theme in enumerate(category.themes, start=1)],
                "hidden_themes": [_theme(theme, None, survey) for theme in category.hidden_themes],
                **({"n_respondents": category.n_respondents, "segment_values": category.segment_values} if survey else {}),
            }
            for category in synthesis.categories
        ],
        "warnings": all_warnings(synthesis),
        "skipped_rows": list(synthesis.skipped_rows),
    }
    if survey:
        document["survey"] = {**asdict(synthesis.survey), "n_respondents": synthesis.n_groups}
    return document


def _theme(theme: Theme, rank: int | None, survey: bool = False) -> dict:
    document = {
        "id": theme.id,
        "rank": None if theme.isolated else rank,
        "corrected": theme.corrected,
        "note": theme.note or None,
        "label": theme.label,
        "isolated": theme.isolated,
        "n_cards": theme.n_cards,
        "n_groups": theme.n_groups,
        "groups": theme.groups,
        "votes": theme.votes,
        "scope": theme.scope or None,
        "over_represented_group": theme.over_represented_group,
        "keywords": theme.keywords,
        "card_ids": theme.card_ids,
        "segment_ids": theme.unit_ids,
        "label_support": round(theme.label_support, 3),
        "quotes": [{"card_id": q.card_id, "group": q.group, "text": q.text, "segment_of": q.segment_of or None} for q in theme.quotes],
    }
    if survey:
        document.update(n_respondents=theme.n_groups, segments=theme.segments, profile=[asdict(share) for share in theme.profile])
    return document


def render_themes_json(synthesis: Synthesis) -> str:
    return json.dumps(themes_document(synthesis), ensure_ascii=False, indent=2) + "\n"
