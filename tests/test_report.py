"""The report stage on the demo run: every card once, valid JSON, verbatim quotes, atomic writes."""

import csv
import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from synthesis.clean import comparison_key
from synthesis.report import OUTPUT_FILES, write_outputs

SCHEMA = Path(__file__).resolve().parents[1] / "synthesis" / "report" / "themes.schema.json"


def read_cards_csv(out: Path) -> list[dict]:
    with (out / "cartes.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_all_outputs_are_written(demo_output):
    assert sorted(path.name for path in demo_output.iterdir()) == sorted(OUTPUT_FILES)


def test_every_input_card_appears_exactly_once_in_cartes_csv(demo_output, demo_cards):
    rows = read_cards_csv(demo_output)
    assert sorted(row["id"] for row in rows) == sorted(card.id for card in demo_cards.cards)
    texts = {card.id: card.text for card in demo_cards.cards}
    assert all(row["text"].lstrip("'") == texts[row["id"]] for row in rows)
    assert all(row["theme_id"] and row["theme_label"] for row in rows)
    assert all(0.0 <= float(row["fit"]) <= 1.0 for row in rows)


def test_themes_json_follows_its_schema_and_accounts_for_every_card(demo_output, demo_cards):
    document = json.loads((demo_output / "themes.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, json.loads(SCHEMA.read_text(encoding="utf-8")))
    segment_ids = [unit for category in document["categories"] for theme in category["themes"] for unit in theme["segment_ids"]]
    assert len(segment_ids) == len(set(segment_ids))
    card_ids = {card_id for category in document["categories"] for theme in category["themes"] for card_id in theme["card_ids"]}
    assert card_ids == {card.id for card in demo_cards.cards}
    assert {unit.split("#")[0] for unit in segment_ids} == card_ids
    assert document["totals"]["cards_placed"] == len(demo_cards.cards)
    assert document["totals"]["rows_skipped"] == len(demo_cards.skipped_rows)


def test_every_category_has_ranked_themes(demo_synthesis):
    assert [c.category for c in demo_synthesis.categories] == ["forces", "faiblesses", "attentes", "contributions"]
    for category in demo_synthesis.categories:
        ranked = [theme for theme in category.themes if not theme.isolated]
        assert len(ranked) >= 3
        keys = [(theme.n_groups, theme.n_cards, theme.votes) for theme in ranked]
        assert keys == sorted(keys, reverse=True)


def test_quotes_are_verbatim_and_multi_group_themes_quote_two_groups(demo_synthesis, demo_cards):
    texts = {card.id: card.text for card in demo_cards.cards}
    for theme in demo_synthesis.themes():
        # Verbatim, except that a card typed in capitals is quoted in sentence case (accents restored).
        assert all(quote.text and comparison_key(quote.text) in comparison_key(texts[quote.card_id]) for quote in theme.quotes)
        if not theme.isolated and theme.n_groups >= 2 and len(theme.quotes) >= 2:
            assert len({quote.group for quote in theme.quotes}) >= 2, theme.label


def test_labels_are_unique_per_category_two_to_seven_words_and_end_on_a_content_word(demo_synthesis):
    from spacy.lang.fr.stop_words import STOP_WORDS

    for category in demo_synthesis.categories:
        labels = [theme.label.casefold() for theme in category.themes]
        assert len(labels) == len(set(labels))
        for theme in category.themes:
            words = theme.label.split()
            assert 1 <= len(words) <= 7, theme.label  # one word only when no longer phrase is supported
            assert words[-1].casefold().strip("'’") not in STOP_WORDS, theme.label


def test_markdown_report_tells_how_many_groups_raised_each_theme(demo_output, demo_synthesis):
    report = (demo_output / "compte-rendu.md").read_text(encoding="utf-8")
    titles = ["## Synthèse", "## Forces", "## Faiblesses", "## Attentes", "## Contributions", "## Des constats aux engagements",
              "## Méthode"]
    positions = [report.index(title + "\n") for title in titles]
    assert positions == sorted(positions)
    first = demo_synthesis.categories[0].themes[0]
    assert f"Évoqué par {first.n_groups}\u00a0groupes sur 9" in report  # French spacing: the number stays with its word
    # The demo corpus has empty rows: they are listed in journal.txt, not in the client's report.
    assert "ignorées" not in report and "Avertissements" not in report
    journal = (demo_output / "journal.txt").read_text(encoding="utf-8")
    assert "5 lignes ignorées car sans texte : lignes 79, 134, 201, 223, 356." in journal


def test_word_and_html_reports_open_and_hold_the_themes(demo_output, demo_synthesis):
    from docx import Document

    label = demo_synthesis.categories[0].themes[0].label
    paragraphs = [p.text for p in Document(str(demo_output / "compte-rendu.docx")).paragraphs]
    assert any(label in text for text in paragraphs)
    html = (demo_output / "compte-rendu.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<h2>Forces</h2>" in html
    for report in ("\n".join(paragraphs), html):
        assert "ignorées" not in report and "lignes 79" not in report


def test_a_failed_write_leaves_the_previous_outputs_intact(demo_synthesis, tmp_path):
    write_outputs(demo_synthesis, tmp_path)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    broken = replace(demo_synthesis, placements={})  # cartes.csv cannot be rendered without placements
    with pytest.raises(KeyError):
        write_outputs(broken, tmp_path)
    after = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert after == before


def test_split_cards_are_explained_and_flagged_for_the_editor_not_the_client(demo_output, demo_synthesis):
    markdown = (demo_output / "compte-rendu.md").read_text(encoding="utf-8")
    journal = (demo_output / "journal.txt").read_text(encoding="utf-8")
    document = json.loads((demo_output / "themes.json").read_text(encoding="utf-8"))
    for category, entry in zip(demo_synthesis.categories, document["categories"]):
        extra = sum(t.n_cards for t in category.themes) - category.n_cards
        assert category.n_cards_in_several_themes == extra == entry["n_cards_in_several_themes"]
    assert any(c.n_cards_in_several_themes for c in demo_synthesis.categories)
    assert "compte dans chacun de leurs thèmes" in markdown
    segment_quotes = [q for t in demo_synthesis.themes() for q in t.quotes if q.segment_of]
    assert segment_quotes
    for quote in segment_quotes:
        assert quote.text.casefold() in quote.segment_of.casefold()  # both open on a capital, as printed
        assert f"extrait de « {' '.join(quote.segment_of.split())}".replace(" ", "") in markdown.replace("\u00a0", "").replace(" ", "").replace("\\", "")
    flags = [flag for category in demo_synthesis.categories for flag in category.flags]
    assert flags
    for flag in flags:
        assert flag.card_id in journal and flag.card_id not in markdown
