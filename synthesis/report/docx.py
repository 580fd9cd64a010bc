"""compte-rendu.docx: the report as a Word document editors can rework."""

from __future__ import annotations

from pathlib import Path

from docx import Document

from synthesis.french import plural
from synthesis.report.wording import all_warnings, category_title, editor_note, intro, quote_line, theme_facts
from synthesis.result import Synthesis


def write_docx(synthesis: Synthesis, path: Path) -> None:
    document = Document()
    document.core_properties.title = _docx_safe(synthesis.title)
    document.add_heading(_docx_safe(synthesis.title), level=0)
    document.add_paragraph(intro(synthesis))
    for category in synthesis.categories:
        document.add_heading(category_title(category.category), level=1)
        document.add_paragraph(_docx_safe(category.summary))
        rank = 0
        for theme in category.themes:
            if theme.isolated:
                document.add_heading(f"{theme.label} ({plural(theme.n_cards, 'carte')})", level=2)
                for quote in theme.quotes:
                    document.add_paragraph(_docx_safe(quote_line(quote.text, quote.group)), style="List Bullet")
                continue
            rank += 1
            document.add_heading(_docx_safe(f"{rank}. {theme.label}"), level=2)
            document.add_paragraph().add_run(theme_facts(theme, synthesis.n_groups)).italic = True
            if theme.note:
                document.add_paragraph(_docx_safe(editor_note(theme)))
            if theme.keywords:
                document.add_paragraph(_docx_safe(f"Mots-clés : {', '.join(theme.keywords)}"))
            for quote in theme.quotes:
                document.add_paragraph(_docx_safe(quote_line(quote.text, quote.group)), style="Quote")
    warnings = all_warnings(synthesis)
    if warnings:
        document.add_heading("Avertissements", level=1)
        for warning in warnings:
            document.add_paragraph(_docx_safe(warning), style="List Bullet")
    document.save(str(path))


def _docx_safe(text: str) -> str:
    """XML 1.0 forbids most control characters: Word files with them do not open."""
    return "".join(char for char in text if char in "\t\n" or ord(char) >= 32)
