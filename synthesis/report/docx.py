"""compte-rendu.docx: the report as a consultant hands it to the client, on synth's Word template.

Cover, table of contents, one-page summary, one section per category (charts, then the
themes in rank order with their quotes), « Des constats aux engagements », the method
note, and an annex with every card by category and theme. Run warnings are not here:
they go to journal.txt and the run summary.
"""

from __future__ import annotations

import io
from copy import deepcopy
import zipfile
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from synthesis.french import plural
from synthesis.report import charts, wording
from synthesis.report.typography import french_spacing
from synthesis.report.word_template import (
    add_table_of_contents,
    keep_with_next,
    new_document,
    new_section,
    rule_below,
    set_running_header,
)
from synthesis.report.codebook_section import CODEBOOK_TITLE, codebook_categories, codebook_intro
from synthesis.result import CategoryResult, Synthesis

CHART_WIDTH = Cm(16.4)  # the text width: charts at 1:1 (charts.WIDTH_INCHES)
TABLE_TEXT = "Texte de tableau"  # word_template: 9 pt, no space after
SUMMARY, METHOD, ANNEX = "Synthèse", "Méthode", "Annexe : toutes les cartes"


def write_docx(synthesis: Synthesis, path: Path) -> None:
    cover = synthesis.cover
    document = new_document(_text(synthesis.title), author=_text(cover.author), date=cover.date)
    _cover(document, synthesis)
    set_running_header(new_section(document), _text(synthesis.title))
    document.add_paragraph("Sommaire", style="TOC Heading")
    add_table_of_contents(document, _contents(synthesis))
    _page_break(document)
    _summary(document, synthesis)
    figure = 0
    for category in synthesis.categories:
        figure = _category(document, synthesis, category, figure)
    if synthesis.cross_reading:
        _cross_reading(document, synthesis)
    _codebook_section(document, synthesis)
    _heading(document, METHOD, 1, page_break=True)
    for paragraph in wording.method_paragraphs(synthesis):
        document.add_paragraph(_text(paragraph))
    _annex(document, synthesis)
    _save_reproducibly(document, path)


def _codebook_section(document, synthesis: Synthesis) -> None:
    """« Grille de thèmes appliquée » (synth apply only)."""
    sections = codebook_categories(synthesis)
    if not sections:
        return
    _heading(document, CODEBOOK_TITLE, 1, page_break=True)
    document.add_paragraph(_text(codebook_intro(synthesis)))
    for category, counts, items in sections:
        _heading(document, wording.category_title(category.category), 2)
        document.add_paragraph(_text(counts + "."))
        for item in items:
            document.add_paragraph(_text(item), style="List Bullet")


def _save_reproducibly(document, path: Path) -> None:
    """python-docx stamps each zip member with the time of saving: same Synthesis, same bytes needs a fixed one."""
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            fixed = zipfile.ZipInfo(member.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(member.filename))


def _cover(document, synthesis: Synthesis) -> None:
    cover = synthesis.cover
    for _ in range(5):
        document.add_paragraph()
    document.add_paragraph(_text(synthesis.title), style="Title")
    rule_below(document.add_paragraph(wording.subtitle(synthesis), style="Subtitle"))
    if cover.question:
        question = document.add_paragraph()
        question.add_run("Question posée : ").bold = True
        question.add_run(_text(f"« {cover.question} »")).italic = True
        question.paragraph_format.space_after = Pt(24)
    for name, value in (("Client", cover.client), ("Date", cover.date), ("Lieu", cover.place),
                        ("Animation", cover.facilitator), ("Rédaction", cover.author)):
        if value:
            line = document.add_paragraph()
            line.add_run(f"{name} : ").bold = True
            line.add_run(_text(value))
            line.paragraph_format.space_after = Pt(2)
    for _ in range(6):
        document.add_paragraph()
    note = document.add_paragraph(style="Caption")
    note.add_run(_text(f"{wording.intro(synthesis)} Document préparé avec synth à partir de l'export « {synthesis.source.name} »."))


def _contents(synthesis: Synthesis) -> list[tuple[int, str]]:
    """The headings the TOC field lists, in order: what the document holds before Word first updates it."""
    entries = [(1, SUMMARY)]
    for category in synthesis.categories:
        entries.append((1, wording.category_title(category.category)))
        entries += [(2, _text(title)) for _, title in wording.theme_titles(category)]
    if synthesis.cross_reading:
        entries.append((1, wording.CROSS_TITLE))
    if synthesis.codebook is not None:
        entries.append((1, CODEBOOK_TITLE))
    entries += [(1, METHOD), (1, wording.annex_title(synthesis))]
    entries += [(2, wording.category_title(category.category)) for category in synthesis.categories]
    return entries


def _summary(document, synthesis: Synthesis) -> None:
    _heading(document, SUMMARY, 1)
    document.add_paragraph(_text(wording.intro(synthesis)))
    for category in synthesis.categories:
        document.add_paragraph(_text(wording.category_digest(category, synthesis.n_groups)), style="List Bullet")
    if synthesis.cross_reading:
        _heading(document, wording.CROSS_TITLE, 3)
        for link in synthesis.cross_reading[:3]:
            document.add_paragraph(_text(wording.cross_sentence(link)), style="List Bullet")
        document.add_paragraph(_text(f"Le détail est dans la partie « {wording.CROSS_TITLE} »."))


def _category(document, synthesis: Synthesis, category: CategoryResult, figure: int) -> int:
    _heading(document, wording.category_title(category.category), 1, page_break=True)
    document.add_paragraph(_text(wording.category_paragraph(category)))
    for chart in charts.category_charts(synthesis, category, "png"):
        figure += 1
        picture = document.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        shape = picture.add_run().add_picture(io.BytesIO(chart.data), width=CHART_WIDTH)
        shape._inline.docPr.set("descr", _text(chart.description))  # alt text, read out by screen readers
        keep_with_next(picture)
        document.add_paragraph(_text(f"Figure {figure} — {wording.category_title(category.category)} : {chart.title}"), style="Caption")
    for theme, title in wording.theme_titles(category):
        _heading(document, title, 2)
        if theme.isolated:
            for quote in theme.quotes:
                document.add_paragraph(_text(wording.quote_line(quote.text, quote.group, segment_of=quote.segment_of)), style="List Bullet")
            continue
        facts = document.add_paragraph()
        facts.add_run(_text(wording.theme_facts(theme, synthesis.n_groups, category))).italic = True
        keep_with_next(facts)
        if theme.profile:
            keep_with_next(document.add_paragraph(_text(wording.profile_line(theme))))
        if theme.note:
            keep_with_next(document.add_paragraph(_text(wording.editor_note(theme))))
        if theme.keywords:
            keywords = document.add_paragraph()
            keywords.add_run("Mots-clés : ").bold = True
            keywords.add_run(_text(", ".join(theme.keywords)))
            keep_with_next(keywords)
        for quote in theme.quotes:
            document.add_paragraph(_text(wording.quote_line(quote.text, quote.group, segment_of=quote.segment_of)), style="Quote")
    return figure


def _cross_reading(document, synthesis: Synthesis) -> None:
    _heading(document, wording.CROSS_TITLE, 1, page_break=True)
    document.add_paragraph(_text(
        "Pour chaque faiblesse principale, les attentes qui y répondent et les contributions que les groupes "
        "proposent, rapprochées par le sens de leurs cartes et par les groupes qui les ont écrites. La force "
        "de chaque liaison est expliquée : proximité de sens (de 0 à 1) et groupes en commun."))
    for link in synthesis.cross_reading:
        _heading(document, f"« {link.label} » ({plural(len(link.groups), 'groupe')})", 3)
        for name, matches in (("Attentes qui y répondent", link.answers), ("Contributions proposées", link.offers)):
            lead = document.add_paragraph()
            lead.add_run(f"{name} : ").bold = True
            if not matches:
                lead.add_run("aucune ne se rapproche nettement.")
                continue
            keep_with_next(lead)
            for match in matches:
                item = document.add_paragraph(style="List Bullet")
                item.add_run(_text(f"« {match.label} »"))
                item.add_run(_text(f" — {wording.match_explanation(match)}")).italic = True


def _annex(document, synthesis: Synthesis) -> None:
    _heading(document, wording.annex_title(synthesis), 1, page_break=True)
    document.add_paragraph(_text(
        "Toutes les réponses, par question et par thème, telles que les répondants les ont écrites. Une réponse qui abordait "
        "plusieurs sujets apparaît dans le thème de chacun, marquée « extrait »." if synthesis.survey is not None else
        "Toutes les cartes, par rubrique et par thème, telles que les groupes les ont écrites. Une carte qui portait "
        "plusieurs idées apparaît dans le thème de chacune, marquée « extrait »."))
    units = {unit.id: unit for unit in synthesis.units}
    with_votes = any(card.votes is not None for card in synthesis.cards)  # no empty column for an export without votes
    for category in synthesis.categories:
        _heading(document, wording.category_title(category.category), 2)
        for theme, title in wording.theme_titles(category):
            _heading(document, title, 3)
            rows, n_more = wording.listed_units(theme, units)
            _card_table(document, rows, with_votes, survey=synthesis.survey is not None)
            if n_more:
                document.add_paragraph(_text(wording.more_cards_line(n_more)))


def _card_table(document, units, with_votes: bool, *, survey: bool = False) -> None:
    """N°, card, group (and votes when the export had them): one row per card or extract.

    Widths are set on the grid before the rows, which copy them (LibreOffice reads the grid,
    Word the cells); 3,800 rows take about 4 s.
    """
    columns = [("N°", Cm(2.2)), ("Réponse" if survey else "Carte", Cm(10.4 if with_votes else 11.8)), ("Répondant" if survey else "Groupe", Cm(2.3))] + ([("Gom.", Cm(1.4))] if with_votes else [])
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.autofit = False
    for column, (_, width) in zip(table.columns, columns):
        column.width = width
        for cell in column.cells:
            cell.width = width
    # The style id set on the XML: python-docx's paragraph.style searches all styles per cell (3,800 rows: 19 s).
    style = document.styles[TABLE_TEXT].style_id
    header = table.rows[0]
    _repeat_as_header(header)
    for cell, (name, _) in zip(header.cells, columns):
        cell.paragraphs[0]._p.style = style
        cell.paragraphs[0].add_run(name).bold = True
        _shade(cell)
    # One row built through python-docx, then copied as XML for each card: add_row and add_run per cell
    # took 10 of the 27 s of a 30,000-card run's reports (9,900 listed cards).
    prototype = table.add_row()
    for cell in prototype.cells:
        cell.paragraphs[0]._p.style = style
        cell.paragraphs[0].add_run("·")
    for unit in units:
        values = [unit.card_id, _text(unit.text) + (" (extrait)" if unit.segment else ""), _text(unit.group)]
        row = deepcopy(prototype._tr)
        for text, value in zip(row.iter(qn("w:t")), values + ([str(unit.card.votes or "")] if with_votes else [])):
            text.text = value
            text.set(qn("xml:space"), "preserve")
        table._tbl.append(row)
    table._tbl.remove(prototype._tr)
    document.add_paragraph()


def _repeat_as_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _shade(cell) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), "E6E6E6")
    cell._tc.get_or_add_tcPr().append(shading)


def _heading(document, text: str, level: int, *, page_break: bool = False):
    heading = document.add_heading(_text(text), level=level)
    heading.paragraph_format.page_break_before = page_break
    return heading


def _page_break(document) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _text(text: str) -> str:
    """XML 1.0 forbids most control characters (Word would not open the file); then French spacing."""
    return french_spacing("".join(char for char in text if char in "\t\n" or ord(char) >= 32))
