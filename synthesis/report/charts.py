"""Charts of one category: themes by number of groups (bars), and themes × groups (heat map).

Rendered with matplotlib's Agg backend, as PNG for Word and as SVG for the HTML page.
Readable in black and white: grey levels and hatching, never colour alone; numbers are
written on the marks. Labels are wrapped, the figure grows with the number of themes, and
the right margin holds the cards and votes column, so no text overlaps.

Deterministic: the SVG ids come from a fixed hash salt and carry no date; the PNG
carries no software stamp. Same Synthesis, same bytes.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections import OrderedDict
from dataclasses import dataclass

from synthesis.french import plural, segment_plural
from synthesis.report import chart_cache
from synthesis.report.typography import NBSP
from synthesis.result import TRANSVERSAL, CategoryResult, Synthesis, Theme

#: The Word page's text width (16.4 cm): charts print at 1:1, their 9 pt text as large as the captions.
WIDTH_INCHES = 6.5
LABEL_WIDTH = 30  # characters per line of a theme label
_STYLE = {
    "font.family": "DejaVu Sans",  # ships with matplotlib: same metrics everywhere
    "font.size": 9,
    "svg.fonttype": "none",  # text stays text in the HTML page: selectable, searchable, small
    "svg.hashsalt": "synth",
    "hatch.linewidth": 0.6,
}
DARK, LIGHT = "#4d4d4d", "#d9d9d9"


@dataclass(frozen=True)
class Chart:
    """One rendered chart: what the reader sees, and a sentence saying the same for screen readers."""

    kind: str  # "barres" or "carte"
    title: str
    description: str
    data: bytes | str  # PNG bytes or SVG text


@dataclass(frozen=True)
class _Words:
    """What the charts count, in words: a workshop's groups and cards, or a survey's respondents and answers."""

    counted: str = "groupes"
    axis: str = "Nombre de groupes qui ont évoqué le thème"
    side: str = "Cartes"
    transversal: str = "transversal (au moins deux tiers des groupes)"
    heat_axis: str = "Groupes"
    heat_note: str = "Nombre de cartes de chaque groupe dans chaque thème ; case vide : aucune."


WORKSHOP_WORDS = _Words()


def _survey_words(segment: str | None) -> _Words:
    among = f"des {segment_plural(segment)}" if segment else "des répondants"
    return _Words("répondants", "Nombre de répondants qui citent le thème", "Réponses", f"transversal (au moins deux tiers {among})",
                  segment or "", f"Nombre de répondants de chaque {segment.lower() if segment else ''} qui citent chaque thème ; case vide : aucun.")


def _pyplot():
    """matplotlib's pyplot on the Agg backend, imported when a chart is drawn: a re-render whose charts all
    come from the cache (synth report after a review) does not pay its 0.2 s import."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def ranked_themes(category: CategoryResult) -> list[Theme]:
    return [theme for theme in category.themes if not theme.isolated]


#: Themes charted per category: past this, bars and rows get too thin to read (the text lists them all).
MAX_THEMES = 25
#: Groups a heat map can show as readable columns on the page's width.
MAX_GROUPS = 30


#: Charts already drawn in this process, by everything they show: the review server re-renders the
#: reports after each edit, and only the charts of the category it touched need drawing again.
_drawn: OrderedDict[tuple, list[Chart]] = OrderedDict()
_MAX_DRAWN = 64


def category_charts(synthesis: Synthesis, category: CategoryResult, fmt: str) -> list[Chart]:
    """The bar chart and the heat map of one category, as "png" or "svg".

    None for a category without themes; no heat map for fewer than two groups (a survey
    without groups) or more than MAX_GROUPS; the first MAX_THEMES themes only.
    """
    key = _chart_key(synthesis, category, fmt)
    if key not in _drawn:
        stored = chart_cache.read(key, Chart)
        if stored is None:
            stored = _draw_category_charts(synthesis, category, fmt)
            chart_cache.write(key, stored)
        _drawn[key] = stored
        if len(_drawn) > _MAX_DRAWN:
            _drawn.popitem(last=False)
    _drawn.move_to_end(key)
    return list(_drawn[key])


def _chart_key(synthesis: Synthesis, category: CategoryResult, fmt: str) -> tuple:
    """What the two charts of a category depend on, and nothing else."""
    group_of = {card.id: card.group for card in synthesis.cards}
    themes = tuple(
        (theme.id, theme.label, theme.n_groups, theme.n_cards, theme.votes, theme.scope,
         tuple(sorted((group_of.get(card_id), card_id) for card_id in theme.card_ids)))
        for theme in ranked_themes(category)
    )
    survey = None
    if synthesis.survey is not None:  # a survey's heat map shows its respondents' segment values
        segments_of = {card.id: card.segments for card in synthesis.cards}
        survey = (category.n_respondents, tuple(synthesis.survey.segments),
                  tuple((segment, tuple(values)) for segment, values in category.segment_values.items()),
                  tuple(tuple(sorted((card_id, segments_of.get(card_id, ())) for card_id in theme.card_ids)) for theme in ranked_themes(category)))
    return (fmt, _svg_key(category), synthesis.n_groups, tuple(synthesis.groups), themes, survey)


def _draw_category_charts(synthesis: Synthesis, category: CategoryResult, fmt: str) -> list[Chart]:
    themes = ranked_themes(category)[:MAX_THEMES]
    if not themes:
        return []
    shown = "" if len(themes) == len(ranked_themes(category)) else f" ({len(themes)} premiers)"
    if synthesis.survey is not None:
        return _survey_charts(synthesis, category, themes, shown, fmt)
    by_groups = synthesis.n_groups >= 2
    charts = [Chart("barres", f"Thèmes par nombre de {'groupes' if by_groups else 'cartes'}{shown}",
                    _bars_description(themes, synthesis.n_groups, by_groups),
                    _render(_bars_figure(themes, synthesis.n_groups, by_groups), fmt, f"{_svg_key(category)}-barres"))]
    if 2 <= synthesis.n_groups <= MAX_GROUPS:
        charts.append(Chart("carte", f"Qui a évoqué quoi : thèmes × groupes{shown}", _heatmap_description(themes, synthesis.groups),
                            _render(_heatmap_figure(themes, synthesis), fmt, f"{_svg_key(category)}-carte")))
    return charts


def _survey_charts(synthesis: Synthesis, category: CategoryResult, themes: list[Theme], shown: str, fmt: str) -> list[Chart]:
    """Bars by respondents; the heat map crosses themes with the first segment's values (respondents counted once)."""
    segment = synthesis.survey.segments[0] if synthesis.survey.segments else None
    words = _survey_words(segment)
    charts = [Chart("barres", f"Thèmes par nombre de répondants{shown}",
                    f"Nombre de répondants qui citent chaque thème. {' ; '.join(f'{t.label} : {t.n_groups} sur {category.n_respondents}' for t in themes)}.",
                    _render(_bars_figure(themes, category.n_respondents, True, words), fmt, f"{_svg_key(category)}-barres"))]
    values = category.segment_values.get(segment, []) if segment else []
    if 2 <= len(values) <= MAX_GROUPS:
        segment_of = {card.id: (card.group, card.segment(segment)) for card in synthesis.cards}
        counts = [[len({segment_of[c][0] for c in theme.card_ids if c in segment_of and segment_of[c][1] == value}) for value in values]
                  for theme in themes]
        charts.append(Chart("carte", f"Qui cite quoi : thèmes × {segment.lower()}{shown}",
                            f"Nombre de répondants de chacune des {len(values)} valeurs de « {segment} » dans chacun des "
                            f"{plural(len(themes), 'thème')}, en niveaux de gris.",
                            _render(_heatmap_drawing(themes, counts, [textwrap.shorten(v, 22, placeholder="…") for v in values], words, ""),
                                    fmt, f"{_svg_key(category)}-carte")))
    return charts


def _bars_figure(themes: list[Theme], total_groups: int, by_groups: bool, words: _Words = WORKSHOP_WORDS):
    """Bars by number of groups (cards and votes in a side column); by cards when there are no groups to count."""
    values = [theme.n_groups if by_groups else theme.n_cards for theme in themes]
    top = total_groups if by_groups else max(values)
    any_votes = any(theme.votes for theme in themes)
    labels = [_wrap(f"{rank}. {theme.label}") for rank, theme in enumerate(themes, start=1)]
    lines = sum(label.count("\n") + 1 for label in labels)
    from matplotlib.patches import Patch
    from matplotlib.transforms import blended_transform_factory

    plt = _pyplot()
    with plt.rc_context(_STYLE):
        figure, axes = plt.subplots(figsize=(WIDTH_INCHES, max(2.6, 1.2 + 0.3 * lines + 0.12 * len(themes))))
        positions = list(range(len(themes)))
        for y, theme, value in zip(positions, themes, values):
            transversal = theme.scope == TRANSVERSAL
            bar = axes.barh(y, value, height=0.62, color=DARK if transversal else LIGHT,
                            edgecolor="black", linewidth=0.6, hatch=None if transversal else "///")[0]
            bar.set_gid(f"bar-{theme.id}")
            axes.text(value + top * 0.012, y, str(value), va="center", ha="left", fontsize=8, fontweight="bold")
        side_title = (f"{words.side} · gommettes" if any_votes else words.side) if by_groups else ("Gommettes" if any_votes else "")
        side = blended_transform_factory(axes.transAxes, axes.transData)
        if side_title:
            axes.text(1.03, -0.8, side_title, transform=side, ha="left", va="center", fontsize=7.5, style="italic")
        for y, theme in zip(positions, themes):
            cells = ([str(theme.n_cards)] if by_groups else []) + ([str(theme.votes) if theme.votes else "–"] if any_votes else [])
            if cells:
                axes.text(1.03, y, " · ".join(cells), transform=side, ha="left", va="center", fontsize=8)
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()
        axes.set_xlim(0, top * 1.09)
        if top <= 15:
            axes.set_xticks(range(0, top + 1))
        else:
            axes.xaxis.get_major_locator().set_params(integer=True)
        axes.set_xlabel(f"{words.axis} (sur{NBSP}{total_groups})" if by_groups
                        else "Nombre de cartes du thème")
        axes.spines[["top", "right"]].set_visible(False)
        axes.grid(axis="x", color="#bbbbbb", linewidth=0.4)
        axes.set_axisbelow(True)
        figure.legend(handles=[Patch(facecolor=DARK, edgecolor="black", label=words.transversal),
                               Patch(facecolor=LIGHT, edgecolor="black", hatch="///", label="moins partagé")],
                      loc="lower center", ncol=2, frameon=False, fontsize=8)
        figure.tight_layout(rect=(0, 0.32 / figure.get_figheight(), 1, 1))  # the legend's strip, at the bottom
    return figure


def _heatmap_figure(themes: list[Theme], synthesis: Synthesis):
    groups = synthesis.groups
    group_of = {card.id: card.group for card in synthesis.cards}
    counts = [[sum(group_of.get(card_id) == group for card_id in theme.card_ids) for group in groups] for theme in themes]
    columns, axis_title = _group_columns(groups)
    return _heatmap_drawing(themes, counts, columns, WORKSHOP_WORDS, axis_title)


def _heatmap_drawing(themes: list[Theme], counts: list[list[int]], columns: list[str], words: _Words, axis_title: str | None = None):
    """Themes × columns, the count written in each cell. ``axis_title``: columns are short numbers under it."""
    axis_title = words.heat_axis if axis_title is None else axis_title
    groups = columns
    peak = max((value for row in counts for value in row), default=1) or 1
    labels = [_wrap(f"{rank}. {theme.label}") for rank, theme in enumerate(themes, start=1)]
    lines = sum(label.count("\n") + 1 for label in labels)
    plt = _pyplot()
    with plt.rc_context(_STYLE):
        figure, axes = plt.subplots(figsize=(WIDTH_INCHES, max(2.2, 1.0 + 0.26 * lines + 0.08 * len(themes))))
        # Vector cells (not imshow's embedded bitmap): crisp in print, one <path> per cell in the SVG.
        axes.pcolormesh(counts, cmap="Greys", vmin=0, vmax=peak * 1.15, edgecolors="white", linewidth=1.5)
        for row, values in enumerate(counts):
            for column, value in enumerate(values):
                if value:
                    axes.text(column + 0.5, row + 0.5, str(value), ha="center", va="center", fontsize=8,
                              color="white" if value > peak * 0.55 else "black")
        axes.set_xlim(0, len(groups))
        axes.set_ylim(len(themes), 0)
        axes.set_yticks([y + 0.5 for y in range(len(themes))], labels)
        axes.set_xticks([x + 0.5 for x in range(len(groups))], columns, rotation=0 if axis_title else 45,
                        ha="center" if axis_title else "left")
        axes.xaxis.set_ticks_position("top")
        axes.xaxis.set_label_position("top")
        axes.set_xlabel(axis_title or words.heat_axis)
        axes.tick_params(length=0)
        for spine in axes.spines.values():
            spine.set_visible(False)
        figure.text(0.99, 0.01, words.heat_note,
                    ha="right", va="bottom", fontsize=7.5, style="italic")
        figure.tight_layout(rect=(0, 0.03, 1, 1))
    return figure


def _group_columns(groups: list[str]) -> tuple[list[str], str]:
    """« Groupe 1 » … « Groupe 9 » -> "1" … "9" under the title « Groupe »; other names as they are."""
    numbers = [re.fullmatch(r"Groupe (\d+)", group) for group in groups]
    if groups and all(numbers):
        return [match.group(1) for match in numbers], "Groupe"
    return [textwrap.shorten(group, 18, placeholder="…") for group in groups], ""


def _wrap(label: str) -> str:
    return "\n".join(textwrap.wrap(label, LABEL_WIDTH, break_long_words=False, break_on_hyphens=False)) or label


def _svg_key(category: CategoryResult) -> str:
    """The category's theme id prefix: unique in the run and safe inside an SVG id attribute.

    Never the category's name: a participant wrote it, and a quote in it would end the
    attribute (« x" onmouseover="… »).
    """
    return category.themes[0].id.rsplit("-", 1)[0] if category.themes else re.sub(r"[^\w-]", "-", category.category)


def _render(figure, fmt: str, salt: str) -> bytes | str:
    plt = _pyplot()
    buffer = io.BytesIO()
    with plt.rc_context({**_STYLE, "svg.hashsalt": f"synth-{salt}"}):
        if fmt == "svg":
            figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        else:
            figure.savefig(buffer, format="png", dpi=200, metadata={"Software": None})
    plt.close(figure)
    if fmt == "png":
        return buffer.getvalue()
    return _inline_svg(buffer.getvalue().decode("utf-8"), salt)


def _inline_svg(svg: str, salt: str) -> str:
    """An <svg> element to put inside HTML: no XML prolog, scalable, ids unique to this chart."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'(<svg[^>]*?) width="[^"]*" height="[^"]*"', r"\1", svg, count=1)
    # Clip-path ids repeat across charts of the same geometry: prefix them with the chart's name.
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{salt}-{m.group(1)}"' if not m.group(1).startswith("bar-") else m.group(0), svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{salt}-\1)", svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{salt}-\1"', svg)
    return svg.replace("<svg ", '<svg aria-hidden="true" ', 1)  # the HTML wrapper carries the description


def _bars_description(themes: list[Theme], total_groups: int, by_groups: bool) -> str:
    if not by_groups:
        parts = [f"{theme.label} : {plural(theme.n_cards, 'carte')}" for theme in themes]
        return f"Nombre de cartes de chaque thème. {' ; '.join(parts)}."
    parts = [f"{theme.label} : {theme.n_groups} sur {total_groups}" for theme in themes]
    return f"Nombre de groupes qui ont évoqué chaque thème. {' ; '.join(parts)}."


def _heatmap_description(themes: list[Theme], groups: list[str]) -> str:
    return (f"Nombre de cartes de chacun des {plural(len(groups), 'groupe')} dans chacun des "
            f"{plural(len(themes), 'thème')}, en niveaux de gris.")
