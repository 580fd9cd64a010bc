"""compte-rendu.md: the French workshop report.

Every string that comes from the input (title, file name, category, group,
card text, labels and keywords made of card words, warnings quoting cells) goes
through :func:`escape_markdown`: many viewers render Markdown's inline HTML, so
a category named ``<script>`` must stay text, as it does in the HTML report.
"""

from __future__ import annotations

import re

from synthesis.french import plural
from synthesis.report.wording import all_warnings, category_title, intro, quote_line, theme_facts
from synthesis.result import Synthesis


def render_markdown(synthesis: Synthesis) -> str:
    lines = [f"# {_escape(synthesis.title)}", "", _escape(intro(synthesis)), ""]
    for category in synthesis.categories:
        lines += [f"## {_escape(category_title(category.category))}", "", _escape(category.summary), ""]
        rank = 0
        for theme in category.themes:
            if theme.isolated:
                lines += [f"### {_escape(theme.label)} ({plural(theme.n_cards, 'carte')})", ""]
                lines += [f"- {_escape(quote_line(q.text, q.group))}" for q in theme.quotes]
                lines.append("")
                continue
            rank += 1
            lines += [f"### {rank}. {_escape(theme.label)}", "", f"*{_escape(theme_facts(theme, synthesis.n_groups))}*", ""]
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


#: Characters that open Markdown or HTML syntax inline; CommonMark lets a backslash make each literal.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
#: What opens a block at the start of a line: a list item ("- ", "+ ", "1. ", "1) ") or a setext underline.
_BLOCK_START = re.compile(r"^(\s*(?:\d+(?=[.)]))?)([-+=.)])")
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def escape_markdown(text: str) -> str:
    """Literal text on one line: no Markdown, no raw HTML, no line break (a newline in a file name included)."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", text))
    return _BLOCK_START.sub(r"\1\\\2", escaped, count=1)


_escape = escape_markdown
