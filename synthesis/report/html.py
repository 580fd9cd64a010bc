"""compte-rendu.html: the report as one self-contained page (inline CSS and SVG, nothing fetched).

Table of contents with anchors, the charts, every theme's cards in <details>, the cross
reading, the method note; a print stylesheet (A4, no stranded headings, lists unfolded)
and a viewport tag for phones. Everything participants wrote is escaped.
"""

from __future__ import annotations

import re
import unicodedata

from jinja2 import Environment, PackageLoader, select_autoescape

from synthesis.french import plural
from synthesis.report import charts
from synthesis.report.codebook_section import CODEBOOK_TITLE, codebook_categories, codebook_intro
from synthesis.report.typography import french_spacing
from synthesis.report.wording import (
    CROSS_TITLE,
    category_digest,
    category_paragraph,
    category_title,
    cross_sentence,
    editor_note,
    intro,
    listed_units,
    match_explanation,
    method_paragraphs,
    more_cards_line,
    profile_line,
    quote_line,
    theme_facts,
    theme_titles,
    unit_word,
)
from synthesis.result import CategoryResult, Synthesis

_environment = Environment(
    loader=PackageLoader("synthesis.report", "templates"),
    # Everything participants wrote is escaped: a card can never inject markup or script.
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["fr"] = french_spacing
_environment.globals.update(
    category_title=category_title, plural=plural, theme_facts=theme_facts, quote_line=quote_line,
    category_digest=category_digest, cross_sentence=cross_sentence, match_explanation=match_explanation,
    titled=theme_titles, cross_title=CROSS_TITLE, category_paragraph=category_paragraph, editor_note=editor_note,
    profile_line=profile_line, unit_word=unit_word,
)


def render_html(synthesis: Synthesis) -> str:
    template = _environment.get_template("compte-rendu.html.j2")
    units = {unit.id: unit for unit in synthesis.units}
    cover = synthesis.cover
    return template.render(
        synthesis=synthesis,
        intro=intro(synthesis),
        method=method_paragraphs(synthesis),
        cover_facts=[(name, value) for name, value in (("Client", cover.client), ("Date", cover.date), ("Lieu", cover.place),
                     ("Animation", cover.facilitator), ("Rédaction", cover.author)) if value],
        charts=lambda category: charts.category_charts(synthesis, category, "svg"),
        theme_units=lambda theme: listed_units(theme, units)[0],
        more_cards=lambda theme: listed_units(theme, units)[1],
        more_cards_line=more_cards_line,
        category_anchor=category_anchor,
        codebook=codebook_categories(synthesis), codebook_title=CODEBOOK_TITLE, codebook_intro=codebook_intro(synthesis),
    )


def category_anchor(category: CategoryResult) -> str:
    """An id safe in a URL fragment, from a category name (which may come from the input file)."""
    plain = unicodedata.normalize("NFKD", category.category.casefold()).encode("ascii", "ignore").decode()
    return "rubrique-" + (re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "cartes")
