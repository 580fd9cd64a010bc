"""The Word deliverable on the demo run, read back with python-docx: template, structure, and every figure and card."""

import json

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm

NBSP = "\u00a0"


def plain(text: str) -> str:
    return text.replace(NBSP, " ").replace("\u202f", " ")


@pytest.fixture(scope="module")
def document(demo_output):
    return Document(str(demo_output / "compte-rendu.docx"))


@pytest.fixture(scope="module")
def themes_json(demo_output):
    return json.loads((demo_output / "themes.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def paragraphs(document):
    return [(p.style.name, plain(p.text)) for p in document.paragraphs]


def test_our_template_a4_french_distinct_headings_and_run_properties(document):
    section = document.sections[-1]
    assert abs(section.page_width - Cm(21)) < Cm(0.05) and abs(section.page_height - Cm(29.7)) < Cm(0.05)
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:lang")).get(qn("w:val")) == "fr-FR"
    for name in ("Normal", "Heading 1", "Heading 2", "Quote"):
        assert document.styles[name].element.rPr.find(qn("w:lang")).get(qn("w:val")) == "fr-FR", name
    sizes = [document.styles[f"Heading {level}"].font.size.pt for level in (1, 2, 3)]
    assert sizes[0] >= sizes[1] + 4 and sizes[1] >= sizes[2] + 2
    assert all(document.styles[f"Heading {level}"].paragraph_format.keep_with_next for level in (1, 2, 3))
    properties = document.core_properties
    assert properties.title.startswith("Compte rendu") and properties.language == "fr-FR"
    assert "python-docx" not in (properties.author + properties.comments)
    assert properties.created is None or properties.created.year != 2013


def test_cover_toc_field_page_numbers_and_title_in_the_header(document, paragraphs):
    assert paragraphs[5][0] == "Title"  # the cover: title low on the first page
    instructions = [element.text for element in document.element.body.iter(qn("w:instrText"))]
    assert any(text.strip().startswith('TOC \\o "1-2"') for text in instructions)
    assert document.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"
    cover, body = document.sections[0], document.sections[1]
    assert not "".join(p.text for p in cover.header.paragraphs).strip()
    assert body.header.paragraphs[0].text.startswith("Compte rendu")
    footer_fields = [element.text.strip() for element in body.footer._element.iter(qn("w:instrText"))]
    assert footer_fields == ["PAGE", "NUMPAGES"]


def test_headings_in_reading_order(paragraphs):
    top = [text for style, text in paragraphs if style == "Heading 1"]
    assert top == ["Synthèse", "Forces", "Faiblesses", "Attentes", "Contributions", "Des constats aux engagements",
                   "Méthode", "Annexe : toutes les cartes"]


def test_themes_counts_and_quotes_match_themes_json(paragraphs, themes_json):
    from synthesis.report.wording import quote_line

    texts = [text for _, text in paragraphs]
    quotes = {text for style, text in paragraphs if style == "Quote"}
    for category in themes_json["categories"]:
        for theme in category["themes"]:
            if theme["isolated"]:
                continue
            heading = f"{theme['rank']}. {theme['label']}"
            assert ("Heading 2", plain(heading)) in paragraphs, heading
            facts = f"Évoqué par {theme['n_groups']} groupe{'s' if theme['n_groups'] > 1 else ''} sur 9 · {theme['n_cards']} carte"
            assert any(text.startswith(facts) for text in texts), facts
            for quote in theme["quotes"]:
                assert plain(quote_line(quote["text"], quote["group"], segment_of=quote["segment_of"] or "")) in quotes


def test_every_card_is_in_the_annex(document, demo_cards):
    in_annex = {plain(row.cells[0].text) for table in document.tables for row in table.rows[1:]}
    assert in_annex == {card.id for card in demo_cards.cards}
    assert all(table.rows[0].cells[1].text == "Carte" for table in document.tables)


def test_charts_are_in_the_document(document, demo_synthesis):
    pictures = document.inline_shapes
    assert len(pictures) == 2 * len(demo_synthesis.categories)
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption" and p.text.startswith("Figure")]
    assert len(captions) == len(pictures)


def test_same_synthesis_same_bytes(demo_synthesis, demo_output, tmp_path):
    from synthesis.report.docx import write_docx

    write_docx(demo_synthesis, tmp_path / "again.docx")
    assert (tmp_path / "again.docx").read_bytes() == (demo_output / "compte-rendu.docx").read_bytes()


def test_charts_have_alt_text(document):
    descriptions = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert all(descriptions) and "Nombre de groupes" in descriptions[0]
