"""Charts: one bar per theme, one heat-map row per theme, French labels, same bytes on every run."""

import re

import pytest

from synthesis.report import charts
from synthesis.report.charts import category_charts, ranked_themes


@pytest.fixture(scope="module")
def svg_charts(demo_synthesis):
    return {category.category: category_charts(demo_synthesis, category, "svg") for category in demo_synthesis.categories}


def test_one_bar_per_theme_in_each_bar_chart(svg_charts, demo_synthesis):
    for category in demo_synthesis.categories:
        bars, heatmap = svg_charts[category.category]
        themes = ranked_themes(category)
        assert sorted(re.findall(r'id="bar-([^"]+)"', bars.data)) == sorted(theme.id for theme in themes)
        assert "Nombre de groupes" in bars.data
        for rank, theme in enumerate(themes, start=1):  # labels as text, wrapped on spaces only
            first_word = f"{rank}. {theme.label}".split()[1]
            assert first_word.replace("'", "&#39;") in bars.data or first_word in bars.data
        assert heatmap.kind == "carte" and "Groupe" in heatmap.data


@pytest.fixture
def no_disk_cache():
    """Charts drawn for real: a CLI test earlier in the session may have turned the disk cache on."""
    from synthesis.report import chart_cache

    before = chart_cache._directory
    chart_cache.use_directory(None)
    yield
    chart_cache.use_directory(before)


def test_charts_are_deterministic_and_png_for_word(demo_synthesis, no_disk_cache):
    category = demo_synthesis.categories[1]
    first = category_charts(demo_synthesis, category, "svg")
    charts._drawn.clear()  # drawn again, not served from the process's memo
    second = category_charts(demo_synthesis, category, "svg")
    assert [chart.data for chart in first] == [chart.data for chart in second]
    assert "<dc:date>" not in first[0].data
    png = category_charts(demo_synthesis, category, "png")[0].data
    assert png.startswith(b"\x89PNG") and b"matplotlib" not in png


def test_a_survey_without_groups_charts_cards_and_caps_the_themes():
    from pathlib import Path

    from synthesis.cards import Card
    from synthesis.report.charts import MAX_THEMES
    from synthesis.report.wording import category_digest
    from synthesis.result import CategoryResult, Synthesis, Theme

    themes = [Theme(f"cartes-{i:02d}", "cartes", f"Thème numéro {i}", [str(i)], [str(i)], ["Groupe unique"], 40 - i, 0, [])
              for i in range(1, 31)]
    cards = [Card(str(i), "texte", "Groupe unique", "cartes", i + 1) for i in range(1, 31)]
    synthesis = Synthesis(Path("enquete.csv"), cards, [], [CategoryResult("cartes", themes, 30)], {}, ["Groupe unique"], "use-m3", "")
    charts = category_charts(synthesis, synthesis.categories[0], "svg")
    assert [chart.kind for chart in charts] == ["barres"]  # no heat map of a single group
    assert len(re.findall(r'id="bar-', charts[0].data)) == MAX_THEMES and "Nombre de cartes" in charts[0].data
    assert "(25 premiers)" in charts[0].title
    assert category_digest(synthesis.categories[0], 1).startswith("Cartes — 30 thèmes, en tête « Thème numéro 1 » (39 cartes)")


def test_a_renamed_theme_is_drawn_again_and_an_untouched_category_is_not(demo_synthesis):
    from dataclasses import replace

    category = demo_synthesis.categories[0]
    before = category_charts(demo_synthesis, category, "svg")
    renamed = [replace(theme, label="Un intitulé revu par l'éditeur") if i == 0 else theme for i, theme in enumerate(category.themes)]
    after = category_charts(demo_synthesis, replace(category, themes=renamed), "svg")
    assert "revu" in after[0].data and "revu" not in before[0].data
    assert category_charts(demo_synthesis, category, "svg")[0] is before[0]  # the memo served it


def test_a_new_process_reads_unchanged_charts_from_disk_and_redraws_a_damaged_file(demo_synthesis, tmp_path, monkeypatch):
    from synthesis.report import chart_cache

    category = demo_synthesis.categories[0]
    monkeypatch.setattr(chart_cache, "_directory", tmp_path)
    charts._drawn.clear()
    first = category_charts(demo_synthesis, category, "png")
    stored = list(tmp_path.glob("*.json"))
    assert len(stored) == 1

    drawn = []
    real_draw = charts._draw_category_charts
    monkeypatch.setattr(charts, "_draw_category_charts", lambda *args: drawn.append(1) or real_draw(*args))
    charts._drawn.clear()  # as a new process starts: only the disk holds the charts
    assert category_charts(demo_synthesis, category, "png") == first and drawn == []

    stored[0].write_text('[{"kind": "barres", "data": {"png": "pas du base64 !"}}]', encoding="utf-8")
    charts._drawn.clear()
    assert category_charts(demo_synthesis, category, "png") == first and drawn == [1]  # redrawn, same bytes
    charts._drawn.clear()
    assert category_charts(demo_synthesis, category, "png") == first and drawn == [1]  # and the file replaced
