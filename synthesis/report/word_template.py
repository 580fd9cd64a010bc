"""synth's own Word template, built in code (no binary to keep in step): A4, French, sober styles.

python-docx's default template is US Letter, en-US (Word spell-checks French as English),
with Heading 1 and 2 at 14 and 13 pt. This module starts from it and sets what a French
deliverable needs: A4 page and margins; fr-FR on the document defaults and every style;
Arial (metric twin: Liberation Sans) at 10.5 pt; headings 20 / 14 / 11.5 pt, each kept
with the paragraph after it; the title in the header and « page N sur M » in the footer
(none on the cover); TOC 1-2 styles and a TOC field Word updates on opening; document
properties from the run, with no python-docx stamp and no made-up date.
"""

from __future__ import annotations

import datetime as dt
import re

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from synthesis import __version__

LANGUAGE = "fr-FR"
FONT = "Arial"
PAGE_WIDTH, MARGIN = Cm(21), Cm(2.3)
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
INK, ACCENT, MUTED = RGBColor(0x1A, 0x1A, 0x1A), RGBColor(0x1F, 0x3A, 0x5F), RGBColor(0x59, 0x59, 0x59)

#: style name -> (size pt, bold, italic, colour, space before pt, space after pt)
_HEADINGS = {
    "Title": (28, True, False, ACCENT, 0, 12),
    "Subtitle": (14, False, False, MUTED, 0, 24),
    "Heading 1": (20, True, False, ACCENT, 0, 12),
    "Heading 2": (14, True, False, ACCENT, 18, 6),
    "Heading 3": (11.5, True, False, INK, 12, 4),
}


def new_document(title: str, *, author: str = "", date: str = ""):
    """An empty document on synth's template, its properties set from the run."""
    document = Document()
    _page(document.sections[0])
    _styles(document)
    _properties(document, title, author, date)
    return document


def set_running_header(section, title: str) -> None:
    """Title in the header, « page N sur M » in the footer, on every page of the section (not the cover's)."""
    section.header.is_linked_to_previous = False  # else writing here would write the cover's header
    section.footer.is_linked_to_previous = False
    header = section.header.paragraphs[0]
    header.text = title
    header.style = "Header"
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.style = "Footer"
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("page ")
    add_field(footer, "PAGE", "1")
    footer.add_run(" sur ")
    add_field(footer, "NUMPAGES", "1")


def add_field(paragraph, instruction: str, shown: str = "") -> None:
    """A Word field (PAGE, NUMPAGES, TOC…) with the text shown until Word updates it."""
    run = paragraph.add_run()
    run._r.append(_field_char("begin", dirty=True))
    code = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    code._r.append(text)
    paragraph.add_run()._r.append(_field_char("separate"))
    paragraph.add_run(shown)
    paragraph.add_run()._r.append(_field_char("end"))


def add_table_of_contents(document, entries: list[tuple[int, str]]) -> None:
    """A TOC field over Heading 1-2, pre-filled with the headings (no page numbers) until Word updates it.

    Word refreshes it on opening (updateFields in settings.xml); a viewer that does not
    update fields still shows the list of sections instead of an empty box.
    """
    begin = document.add_paragraph(style="TOC 1")
    begin.add_run()._r.append(_field_char("begin", dirty=True))
    code = begin.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = ' TOC \\o "1-2" \\h \\z \\u '
    code._r.append(text)
    begin.add_run()._r.append(_field_char("separate"))
    paragraph = begin
    for index, (level, heading) in enumerate(entries):
        if index:
            paragraph = document.add_paragraph(style=f"TOC {level}")
        else:
            paragraph.style = f"TOC {level}"
        paragraph.add_run(heading)
    paragraph.add_run()._r.append(_field_char("end"))
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def new_section(document) -> object:
    """A new page-starting section (the cover's header and footer stay empty)."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.different_first_page_header_footer = False
    return section


def rule_below(paragraph, colour: str = "1F3A5F", size: int = 12) -> None:
    """A horizontal rule under a paragraph (a bottom border), as on the cover."""
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "6"), ("w:color", colour)):
        bottom.set(qn(key), value)
    borders.append(bottom)
    properties.append(borders)


def keep_with_next(paragraph) -> None:
    paragraph.paragraph_format.keep_with_next = True


def _field_char(kind: str, *, dirty: bool = False):
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    if dirty:
        element.set(qn("w:dirty"), "true")
    return element


def _page(section) -> None:
    section.page_width, section.page_height = PAGE_WIDTH, Cm(29.7)
    section.left_margin = section.right_margin = MARGIN
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.2)
    section.header_distance = section.footer_distance = Cm(1.1)


def _styles(document) -> None:
    styles = document.styles
    _language_and_font(styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")))
    normal = styles["Normal"]
    normal.font.name, normal.font.size, normal.font.color.rgb = FONT, Pt(10.5), INK
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for name, (size, bold, italic, colour, before, after) in _HEADINGS.items():
        style = styles[name]
        style.font.name, style.font.size, style.font.bold, style.font.italic = FONT, Pt(size), bold, italic
        style.font.color.rgb = colour
        style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(before), Pt(after)
        style.paragraph_format.keep_with_next = True
        _strip_theme_fonts(style)
    title = styles["Title"].element.pPr
    if title is not None:  # python-docx's Title carries a blue bottom border: not ours
        for border in title.findall(qn("w:pBdr")):
            title.remove(border)
    quote = styles["Quote"]
    quote.font.name, quote.font.size, quote.font.italic, quote.font.color.rgb = FONT, Pt(10.5), True, INK
    quote.paragraph_format.left_indent = Cm(0.8)
    quote.paragraph_format.space_after = Pt(4)
    _strip_theme_fonts(quote)
    for name, indent in (("TOC 1", 0), ("TOC 2", 0.6)):  # compact: some fifty lines fit on one page
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH) if name not in [s.name for s in styles] else styles[name]
        style.base_style = normal
        style.paragraph_format.left_indent = Cm(indent)
        style.paragraph_format.space_before = Pt(0 if indent else 3)
        style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.line_spacing = 1.0
        style.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        style.font.bold = not indent
        style.font.size = Pt(10)
    table_text = styles.add_style("Texte de tableau", WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    table_text.font.size = Pt(9)
    table_text.paragraph_format.space_after = Pt(0)
    table_text.paragraph_format.line_spacing = 1.0
    for name in ("Caption", "Header", "Footer"):
        style = styles[name]
        style.font.name, style.font.size, style.font.color.rgb = FONT, Pt(8.5), MUTED
        style.font.bold = False
    for style in styles:
        if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER):
            _language_and_font(style.element.get_or_add_rPr(), font=None)


def _language_and_font(rpr, font: str | None = FONT) -> None:
    for lang in rpr.findall(qn("w:lang")):
        rpr.remove(lang)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
    lang.set(qn("w:bidi"), "ar-SA")
    rpr.append(lang)
    if font:
        for fonts in rpr.findall(qn("w:rFonts")):
            rpr.remove(fonts)
        fonts = OxmlElement("w:rFonts")
        for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attribute), font)
        rpr.insert(0, fonts)


def _strip_theme_fonts(style) -> None:
    """Heading styles name the theme's fonts (Calibri Light…), which win over w:ascii: drop them."""
    fonts = style.element.rPr.find(qn("w:rFonts")) if style.element.rPr is not None else None
    if fonts is not None:
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attribute), None)


def _properties(document, title: str, author: str, date: str) -> None:
    properties = document.core_properties
    properties.title = title
    properties.author = author
    properties.last_modified_by = author
    properties.comments = f"Produit par synth {__version__}"
    properties.language = LANGUAGE
    properties.revision = 1
    when = _parse_date(date)
    core = properties._element
    for name in ("dcterms:created", "dcterms:modified"):
        for element in core.findall(qn(name)):
            core.remove(element)  # python-docx's template says 2013: better no date than a false one
    if when:
        properties.created = properties.modified = when


def _parse_date(text: str) -> dt.datetime | None:
    """« 2023-10-12 » or « 12/10/2023 » -> a datetime; anything else (« octobre 2023 ») -> None."""
    text = text.strip()
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text) or re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if not match:
        return None
    a, b, c = (int(part) for part in match.groups())
    year, month, day = (a, b, c) if a > 31 else (c, b, a)
    try:
        return dt.datetime(year, month, day)
    except ValueError:
        return None
