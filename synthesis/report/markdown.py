"""compte-rendu.md: the French workshop report."""

from __future__ import annotations

from synthesis.french import plural
from synthesis.report.wording import all_warnings, category_title, editor_note, intro, quote_line, theme_facts
from synthesis.result import Synthesis


def render_markdown(synthesis: Synthesis) -> str:
    lines = [f"# {_escape(synthesis.title)}", "", intro(synthesis), ""]
    for category in synthesis.categories:
        lines += [f"## {category_title(category.category)}", "", _escape(category.summary), ""]
        rank = 0
        for theme in category.themes:
            if theme.isolated:
                lines += [f"### {theme.label} ({plural(theme.n_cards, 'carte')})", ""]
                lines += [f"- {_escape(quote_line(q.text, q.group))}" for q in theme.quotes]
                lines.append("")
                continue
            rank += 1
            lines += [f"### {rank}. {_escape(theme.label)}", "", f"*{theme_facts(theme, synthesis.n_groups)}*", ""]
            lines += [_escape(editor_note(theme)), ""] if theme.note else []
            if theme.keywords:
                lines += [f"Mots-clés : {_escape(', '.join(theme.keywords))}", ""]
            lines += [f"> {_escape(quote_line(q.text, q.group))}" for q in theme.quotes]
            lines.append("")
    warnings = all_warnings(synthesis)
    if warnings:
        lines += ["## Avertissements", ""] + [f"- {_escape(w)}" for w in warnings] + [""]
    return "\n".join(_separate_quotes(lines)).rstrip() + "\n"


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
