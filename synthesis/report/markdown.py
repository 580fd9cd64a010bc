"""compte-rendu.md: the French workshop report, for editors who work in plain text.

Same reading order as the Word and HTML reports (summary, categories, « Des constats aux
engagements », method); the full card lists stay in cartes.csv, the run warnings in journal.txt.

Every string that comes from the input (title, file name, category, group, card text,
labels and keywords made of card words, explanations naming groups) goes through
:func:`escape_markdown`: many viewers render Markdown's inline HTML, so a category named
``<script>`` must stay text, as it does in the HTML report.
"""

from __future__ import annotations

import re

from synthesis.report.typography import french_spacing
from synthesis.report import wording
from synthesis.report.codebook_section import CODEBOOK_TITLE, codebook_categories, codebook_intro
from synthesis.result import Synthesis


def render_markdown(synthesis: Synthesis) -> str:
    lines = [f"# {_heading(synthesis.title)}", "", _escape(wording.intro(synthesis)), "", "## Synthèse", ""]
    lines += [f"- {_escape(wording.category_digest(category, synthesis.n_groups))}" for category in synthesis.categories]
    lines.append("")
    if synthesis.cross_reading:
        lines += [f"**{wording.CROSS_TITLE}**", ""]
        lines += [f"- {_escape(wording.cross_sentence(link))}" for link in synthesis.cross_reading[:3]]
        lines.append("")
    for category in synthesis.categories:
        lines += [f"## {_heading(wording.category_title(category.category))}", "", _escape(wording.category_paragraph(category)), ""]
        for theme, title in wording.theme_titles(category):
            lines += [f"### {_heading(title)}", ""]
            if theme.isolated:
                lines += [f"- {_escape(wording.quote_line(q.text, q.group, segment_of=q.segment_of))}" for q in theme.quotes]
                lines.append("")
                continue
            lines += [f"*{_heading(wording.theme_facts(theme, synthesis.n_groups, category))}*", ""]
            lines += [_escape(wording.profile_line(theme)), ""] if theme.profile else []
            lines += [_escape(wording.editor_note(theme)), ""] if theme.note else []
            if theme.keywords:
                lines += [f"Mots-clés : {_escape(', '.join(theme.keywords))}", ""]
            lines += [f"> {_escape(wording.quote_line(q.text, q.group, segment_of=q.segment_of))}" for q in theme.quotes]
            lines.append("")
    if synthesis.cross_reading:
        lines += [f"## {wording.CROSS_TITLE}", ""]
        for link in synthesis.cross_reading:
            lines += [f"### « {_heading(link.label)} »", ""]
            for name, matches in (("Attentes qui y répondent", link.answers), ("Contributions proposées", link.offers)):
                lines += [f"{name} :", ""]
                lines += [f"- « {_heading(m.label)} » — *{_heading(wording.match_explanation(m))}*" for m in matches] or ["- aucune ne se rapproche nettement"]
                lines.append("")
    lines += _codebook_section(synthesis)
    lines += ["## Méthode", ""]
    for paragraph in wording.method_paragraphs(synthesis):
        lines += [_escape(paragraph), ""]
    text = "\n".join(_separate_quotes(lines)).rstrip() + "\n"
    return french_spacing(text)


def _codebook_section(synthesis: Synthesis) -> list[str]:
    """« Grille de thèmes appliquée » (synth apply only): per category, the new cards each codebook theme received."""
    sections = codebook_categories(synthesis)
    if not sections:
        return []
    lines = [f"## {CODEBOOK_TITLE}", "", _escape(codebook_intro(synthesis)), ""]
    for category, counts, items in sections:
        lines += [f"### {_heading(wording.category_title(category.category))}", "", _escape(counts) + ".", ""]
        lines += [f"- {_escape(item)}" for item in items] + ([""] if items else [])
    return lines


def _separate_quotes(lines: list[str]) -> list[str]:
    """Consecutive ``>`` lines would merge into one paragraph: put a blank quote line between them."""
    out: list[str] = []
    for line in lines:
        if line.startswith("> ") and out and out[-1].startswith("> "):
            out.append(">")
        out.append(line)
    return out


#: Characters that open Markdown or HTML syntax inline; CommonMark lets a backslash make each literal.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
#: What opens a block at the start of a line: a list item ("- ", "+ ", "1. ", "1) ") or a setext underline.
_BLOCK_START = re.compile(r"^(\s*(?:\d+(?=[.)]))?)([-+=.)])")
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def escape_markdown(text: str, *, line_start: bool = True) -> str:
    """Literal text on one line: no Markdown, no raw HTML, no line break (a newline in a file name included).

    ``line_start``: the text opens a line, so a leading "- ", "1. " or "=" is escaped too
    (not needed after "### " or inside a line).
    """
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", text))
    return _BLOCK_START.sub(r"\1\\\2", escaped, count=1) if line_start else escaped


_escape = escape_markdown


def _heading(text: str) -> str:
    return escape_markdown(text, line_start=False)
