"""compte-rendu.md: the French workshop report, for editors who work in plain text.

Same reading order as the Word and HTML reports (summary, categories, « Des constats aux
engagements », method); the full card lists stay in cartes.csv, the run warnings in journal.txt.
"""

from __future__ import annotations

from synthesis.report.typography import french_spacing
from synthesis.report import wording
from synthesis.result import Synthesis


def render_markdown(synthesis: Synthesis) -> str:
    lines = [f"# {_escape(synthesis.title)}", "", wording.intro(synthesis), "", "## Synthèse", ""]
    lines += [f"- {_escape(wording.category_digest(category, synthesis.n_groups))}" for category in synthesis.categories]
    lines.append("")
    if synthesis.cross_reading:
        lines += [f"**{wording.CROSS_TITLE}**", ""]
        lines += [f"- {_escape(wording.cross_sentence(link))}" for link in synthesis.cross_reading[:3]]
        lines.append("")
    for category in synthesis.categories:
        lines += [f"## {wording.category_title(category.category)}", "", _escape(wording.category_paragraph(category)), ""]
        for theme, title in wording.theme_titles(category):
            lines += [f"### {_escape(title)}", ""]
            if theme.isolated:
                lines += [f"- {_escape(wording.quote_line(q.text, q.group, segment_of=q.segment_of))}" for q in theme.quotes]
                lines.append("")
                continue
            lines += [f"*{wording.theme_facts(theme, synthesis.n_groups)}*", ""]
            if theme.keywords:
                lines += [f"Mots-clés : {_escape(', '.join(theme.keywords))}", ""]
            lines += [f"> {_escape(wording.quote_line(q.text, q.group, segment_of=q.segment_of))}" for q in theme.quotes]
            lines.append("")
    if synthesis.cross_reading:
        lines += [f"## {wording.CROSS_TITLE}", ""]
        for link in synthesis.cross_reading:
            lines += [f"### « {_escape(link.label)} »", ""]
            for name, matches in (("Attentes qui y répondent", link.answers), ("Contributions proposées", link.offers)):
                lines += [f"{name} :", ""]
                lines += [f"- « {_escape(m.label)} » — *{wording.match_explanation(m)}*" for m in matches] or ["- aucune ne se rapproche nettement"]
                lines.append("")
    lines += ["## Méthode", ""]
    for paragraph in wording.method_paragraphs(synthesis):
        lines += [_escape(paragraph), ""]
    text = "\n".join(_separate_quotes(lines)).rstrip() + "\n"
    return french_spacing(text)


def _separate_quotes(lines: list[str]) -> list[str]:
    """Consecutive ``>`` lines would merge into one paragraph: put a blank quote line between them."""
    out: list[str] = []
    for line in lines:
        if line.startswith("> ") and out and out[-1].startswith("> "):
            out.append(">")
        out.append(line)
    return out


def _escape(text: str) -> str:
    """Keep card text literal: no Markdown or raw HTML interpretation of what participants wrote."""
    text = text.replace("\\", "\\\\")
    for char in "`*_[]<>#|":
        text = text.replace(char, "\\" + char)
    return text
