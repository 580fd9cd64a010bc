"""The HTML deliverable: self-contained, navigable, every card in a <details> list, card text escaped."""

import copy
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from synthesis.report.html import render_html

EVIL = '<script>alert("carte")</script> & <img src=x onerror=alert(1)>'


class Page(HTMLParser):
    """Ids, links, <details> blocks with the card ids they list, and every external reference."""

    def __init__(self):
        super().__init__()
        self.ids, self.links, self.external, self.tags = set(), [], [], []
        self.details: list[list[str]] = []
        self._in_details = 0
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        href = attrs.get("href") or attrs.get("src") or attrs.get("xlink:href")
        if href and href.startswith("#"):
            self.links.append(href[1:])
        elif href:
            self.external.append(href)
        if tag == "details":
            self._in_details += 1
            self.details.append([])
        if tag == "span" and attrs.get("class") == "card-id" and self._in_details:
            self._text = []

    def handle_endtag(self, tag):
        if tag == "details":
            self._in_details -= 1
        if tag == "span" and self._in_details and self._text is not None and self.details:
            text = "".join(self._text).strip()
            if text:
                self.details[-1].append(text)
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


@pytest.fixture(scope="module")
def html(demo_output):
    return (demo_output / "compte-rendu.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(html):
    parser = Page()
    parser._text = None
    parser.feed(html)
    return parser


def test_self_contained_with_a_viewport_and_a_print_stylesheet(html, page):
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "@media print" in html and "@page { size: A4" in html and "break-after: avoid" in html
    assert page.external == []  # nothing fetched: no src, no external href
    assert "<link" not in html


def test_table_of_contents_anchors_all_resolve(page, demo_synthesis):
    assert set(page.links) <= page.ids
    for theme in demo_synthesis.themes():
        assert theme.id in page.ids and theme.id in page.links
    assert {"synthese", "constats", "methode"} <= page.ids


def test_every_theme_lists_all_its_cards_in_details(page, demo_synthesis):
    listed = page.details
    themes = list(demo_synthesis.themes())
    assert len(listed) == len(themes)
    for theme, card_ids in zip(themes, listed):
        assert card_ids == [unit_id.split("#")[0] for unit_id in theme.unit_ids], theme.label
    assert {card_id for ids in listed for card_id in ids} == {card.id for card in demo_synthesis.cards}


def test_one_inline_svg_per_chart(html, demo_synthesis):
    assert html.count("<svg ") == 2 * len(demo_synthesis.categories)
    assert "<?xml" not in html


def test_card_text_and_labels_are_escaped(demo_synthesis):
    synthesis = copy.deepcopy(demo_synthesis)
    synthesis.categories = synthesis.categories[:1]  # one category's charts are enough here
    theme = synthesis.categories[0].themes[0]
    theme.label = EVIL
    theme.quotes[0] = replace(theme.quotes[0], text=EVIL)
    target = theme.unit_ids[0]
    synthesis.units = [replace(unit, text=EVIL) if unit.id == target else unit for unit in synthesis.units]
    html = render_html(synthesis)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;carte&#34;)&lt;/script&gt; &amp; &lt;img" in html
    assert "<script" not in html  # the page runs no script of its own either


def test_card_lists_are_capped_with_a_pointer_to_cartes_csv(demo_synthesis, monkeypatch):
    from synthesis.report import wording
    from synthesis.report.html import render_html

    monkeypatch.setattr(wording, "MAX_LISTED_CARDS", 2)
    html = render_html(demo_synthesis)
    capped = [t for c in demo_synthesis.categories for t in c.themes if len(t.unit_ids) > 2]
    assert html.count("la liste complète est dans cartes.csv") == len(capped) > 0
    assert html.count('<li class="more">') == len(capped)
