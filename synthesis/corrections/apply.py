"""Apply the editor's corrections to a run's result: a new ``Synthesis``, the run's own left as it was.

Edits are applied in the order they were made, each to the state the previous
ones left; an edit that no longer applies (its card or theme is gone, or it
names a theme of another category) is skipped and told in one French line,
which the reports list among their warnings. Themes whose cards changed get
their counts, groups, scope and quotes recomputed with the summarise stage's
own rules (keywords too, from the terms the run saved), and each category is ranked
again (pinned ranks last).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from synthesis.corrections.edits import (
    ISOLATED_TARGET, Corrections, Entry, Hide, Merge, Move, Note, Pin, Quotes, Rename, Split, Undo,
)
from synthesis.result import ISOLATED_LABEL, CategoryResult, Placement, Quote, Synthesis, Theme

DEFAULT_QUOTES = 3


class NotApplicable(Exception):
    """Why an edit no longer applies (French, without the edit's name)."""


@dataclass
class _ThemeState:
    theme: Theme
    #: The unit ids the theme had in the run (None for a theme an edit created).
    original_units: list[str] | None
    touched: bool = False
    quote_cards: list[str] | None = None
    hidden: bool = False
    pin: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.theme.id


def apply_corrections(synthesis: Synthesis, corrections: Corrections, *, new_units: frozenset[str] = frozenset()) -> tuple[Synthesis, list[str]]:
    """The corrected result and one line per edit (or file entry) that could not be applied.

    ``new_units`` are units that did not exist when the edits were made (a re-run
    with new cards): each goes to a theme an edit created when it is closer to it.
    """
    problems = list(corrections.problems)
    entries = effective_entries(corrections.entries)
    if not entries and not problems:
        return synthesis, []
    editor = _Editor(synthesis)
    for entry in entries:
        try:
            partial = editor.apply(entry)
        except NotApplicable as reason:
            problems.append(f"{_capitalised(entry.describe())} non appliquée : {reason}.")
            continue
        problems += [f"{_capitalised(entry.describe())} appliquée en partie : {reason}." for reason in partial]
    editor.place_new_units(new_units)
    corrected = editor.result()
    corrected.warnings = list(synthesis.warnings) + problems
    return corrected, problems


def effective_entries(entries: list[Entry]) -> list[Entry]:
    """The entries to apply, in order: undo entries removed, with the entries they cancel.

    Read from the last: an undo that a later undo cancels cancels nothing.
    """
    undone: set[int] = set()
    for entry in reversed(entries):
        if isinstance(entry.edit, Undo) and entry.n not in undone:
            undone.add(entry.edit.edit)
    return [entry for entry in entries if not isinstance(entry.edit, Undo) and entry.n not in undone]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Editor:
    def __init__(self, synthesis: Synthesis) -> None:
        self.synthesis = synthesis
        self.units = {unit.id: unit for unit in synthesis.units}
        self.row = {unit.id: i for i, unit in enumerate(synthesis.units)}
        self.units_of_card: dict[str, list[str]] = {}
        for unit in synthesis.units:
            self.units_of_card.setdefault(unit.card_id, []).append(unit.id)
        self.fit = {unit_id: placement.fit for unit_id, placement in synthesis.placements.items()}
        self.assign = {unit_id: placement.theme_id for unit_id, placement in synthesis.placements.items()}
        self.states: dict[str, _ThemeState] = {}
        for category in synthesis.categories:
            for theme in category.themes + category.hidden_themes:
                state = _ThemeState(dataclasses.replace(theme), list(theme.unit_ids), hidden=theme in category.hidden_themes)
                self.states[theme.id] = state
        self.redirect: dict[str, str] = {}
        self.created: set[str] = set()
        self.refilled: set[str] = set()  # themes whose cards an edit changed: their keywords are computed again
        # The run's quotes carry the text as the reports show it (sentence case for capitals): reused when they can be.
        self.run_quotes = {q.card_id: q for theme in synthesis.themes() for q in theme.quotes}

    # --- lookups -------------------------------------------------------------

    def state(self, theme_id: str) -> _ThemeState:
        seen = set()
        while theme_id in self.redirect and theme_id not in seen:
            seen.add(theme_id)
            theme_id = self.redirect[theme_id]
        if theme_id not in self.states:
            raise NotApplicable(f"le thème « {theme_id} » n'existe plus")
        return self.states[theme_id]

    def card_units(self, card_id: str) -> list[str]:
        if card_id not in self.units_of_card:
            raise NotApplicable(f"la carte « {card_id} » n'existe plus")
        return self.units_of_card[card_id]

    def members(self, theme_id: str) -> list[str]:
        return [unit_id for unit_id in self.row if self.assign.get(unit_id) == theme_id]

    def isolated_bucket(self, category: str, prefix: str) -> _ThemeState:
        for state in self.states.values():
            if state.theme.category == category and state.theme.isolated:
                return state
        bucket = Theme(id=f"{prefix}-isolees", category=category, label=ISOLATED_LABEL, card_ids=[], unit_ids=[],
                       groups=[], n_cards=0, votes=0, quotes=[], isolated=True)
        self.states[bucket.id] = _ThemeState(bucket, None)
        return self.states[bucket.id]

    # --- edits ------------------------------------------------------------------

    def apply(self, entry: Entry) -> list[str]:
        """Apply one edit; returns the reasons it applied only in part. NotApplicable when it does not apply."""
        edit = entry.edit
        if isinstance(edit, Rename):
            state = self.touch(edit.theme)
            state.theme.label = edit.label.strip()
            return []
        if isinstance(edit, Note):
            self.touch(edit.theme).theme.note = edit.text.strip()
            return []
        if isinstance(edit, Hide):
            self.touch(edit.theme).hidden = edit.hidden
            return []
        if isinstance(edit, Pin):
            self.touch(edit.theme).pin = edit.rank
            return []
        if isinstance(edit, Quotes):
            return self.choose_quotes(edit)
        if isinstance(edit, Move):
            return self.move(edit)
        if isinstance(edit, Merge):
            return self.merge(edit)
        if isinstance(edit, Split):
            return self.split(edit, entry.n)
        raise NotApplicable(f"type de correction inconnu {type(edit).__name__}")  # pragma: no cover

    def touch(self, theme_id: str) -> _ThemeState:
        state = self.state(theme_id)
        state.touched = True
        return state

    def choose_quotes(self, edit: Quotes) -> list[str]:
        state = self.touch(edit.theme)
        inside = {self.units[unit_id].card_id for unit_id in self.members(state.id)}
        kept = [card_id for card_id in edit.cards if card_id in inside]
        state.quote_cards = kept
        return [f"la carte « {card_id} » n'est plus dans ce thème" for card_id in edit.cards if card_id not in inside]

    def move(self, edit: Move) -> list[str]:
        units = self.card_units(edit.card)
        if edit.unit:
            units = [edit.unit] if edit.unit in units else units
        category = self.units[units[0]].category
        source = self.state(self.assign[units[0]])
        target = self.target(edit.to, category, source.id)
        for unit_id in units:
            self.state(self.assign[unit_id]).touched = True
            self.assign[unit_id] = target.id
        target.touched = True
        return []

    def target(self, theme_id: str, category: str, current_id: str) -> _ThemeState:
        prefix = current_id.rsplit("-", 1)[0]
        if theme_id == ISOLATED_TARGET:
            return self.isolated_bucket(category, prefix)
        target = self.state(theme_id)
        if target.theme.category != category:
            raise NotApplicable(f"le thème « {target.id} » est dans une autre rubrique ({target.theme.category}) que la carte ({category})")
        return target

    def merge(self, edit: Merge) -> list[str]:
        into = self.touch(edit.into)
        others, partial = self.in_category(edit.themes, self.theme_and_category, into.theme.category, "le thème")
        for other in others:
            if other is into:
                continue
            for unit_id in self.members(other.id):
                self.assign[unit_id] = into.id
            self.redirect[other.id] = into.id
            del self.states[other.id]
        if not others:
            raise NotApplicable("; ".join(partial))
        return partial

    def split(self, edit: Split, n: int) -> list[str]:
        source = self.touch(edit.theme)
        cards, partial = self.in_category(edit.cards, self.card_and_category, source.theme.category, "la carte")
        units = []
        for card_units in cards:
            in_source = [unit_id for unit_id in card_units if self.assign[unit_id] == source.id]
            units += in_source or card_units
        if not units:
            raise NotApplicable("; ".join(partial) or "aucune carte à déplacer")
        new = Theme(id=f"{source.id.rsplit('-', 1)[0]}-e{n}", category=source.theme.category, label=edit.label.strip(),
                    card_ids=[], unit_ids=[], groups=[], n_cards=0, votes=0, quotes=[])
        self.states[new.id] = _ThemeState(new, None, touched=True)
        self.created.add(new.id)
        for unit_id in units:
            self.state(self.assign[unit_id]).touched = True
            self.assign[unit_id] = new.id
        return partial

    def theme_and_category(self, theme_id: str) -> tuple[_ThemeState, str]:
        state = self.state(theme_id)
        return state, state.theme.category

    def card_and_category(self, card_id: str) -> tuple[list[str], str]:
        units = self.card_units(card_id)
        return units, self.units[units[0]].category

    def in_category(self, ids: list[str], lookup, category: str, what: str) -> tuple[list, list[str]]:
        """What ``lookup`` (id -> (item, its category)) finds in ``category``, and why the other ids are left out."""
        found, partial = [], []
        for item_id in ids:
            try:
                item, item_category = lookup(item_id)
            except NotApplicable as reason:
                partial.append(str(reason))
                continue
            if item_category != category:
                partial.append(f"{what} « {item_id} » est dans une autre rubrique")
                continue
            found.append(item)
        return found, partial

    # --- new cards of a re-run ------------------------------------------------------

    def place_new_units(self, new_units: frozenset[str]) -> None:
        """A new card goes to a theme an edit created when it is closer to that theme's centre than to its own."""
        vectors = self.synthesis.unit_vectors
        if vectors is None or not self.created or not new_units:
            return
        centres = {theme_id: self.centre(theme_id, exclude=new_units) for theme_id in self.states}
        for unit_id in (u for u in self.row if u in new_units and u in self.assign):
            current = self.state(self.assign[unit_id])
            if current.theme.isolated or centres[current.id] is None:
                continue  # no card of the edits' time left beside it: the clustering's choice stands
            vector = vectors[self.row[unit_id]]
            best, best_score = current.id, _cosine(vector, centres[current.id])
            for theme_id in self.created:
                state = self.states.get(theme_id)
                if state and state.theme.category == current.theme.category and _cosine(vector, centres[theme_id]) > best_score:
                    best, best_score = theme_id, _cosine(vector, centres[theme_id])
            if best != current.id:
                current.touched = self.states[best].touched = True
                self.assign[unit_id] = best

    def centre(self, theme_id: str, exclude: frozenset[str] = frozenset()) -> np.ndarray | None:
        rows = [self.row[unit_id] for unit_id in self.members(theme_id) if unit_id not in exclude]
        if self.synthesis.unit_vectors is None or not rows:
            return None
        return self.synthesis.unit_vectors[rows].mean(axis=0)

    # --- the corrected result ---------------------------------------------------------

    def result(self) -> Synthesis:
        self.refit_moved_units()
        categories = [self.category_result(category) for category in self.synthesis.categories]
        labels = {theme.id: theme.label for category in categories for theme in category.themes + category.hidden_themes}
        placements = {
            unit_id: Placement(unit_id, self.assign[unit_id], labels[self.assign[unit_id]], self.fit[unit_id], placement.duplicate_of)
            for unit_id, placement in self.synthesis.placements.items()
        }
        corrected = dataclasses.replace(self.synthesis, categories=categories, placements=placements, base=self.synthesis)
        if self.synthesis.unit_vectors is not None and any(new is not old for new, old in zip(categories, self.synthesis.categories)):
            from synthesis.crossread import cross_read, theme_centres

            # The cross reading names themes: read it again on the corrected ones.
            units = [unit.id for unit in self.synthesis.units]
            corrected.cross_reading = cross_read(categories, theme_centres(categories, units, self.synthesis.unit_vectors))
        return corrected

    def refit_moved_units(self) -> None:
        """A moved unit's fit is its closeness to its new theme's centre (when the vectors are known)."""
        if self.synthesis.unit_vectors is None:
            return
        centres: dict[str, np.ndarray | None] = {}
        for unit_id, theme_id in self.assign.items():
            if theme_id != self.synthesis.placements[unit_id].theme_id:
                if theme_id not in centres:
                    centres[theme_id] = self.centre(theme_id)
                similarity = _cosine(self.synthesis.unit_vectors[self.row[unit_id]], centres[theme_id])
                self.fit[unit_id] = round(min(max(similarity, 0.0), 1.0), 4)

    def category_result(self, category: CategoryResult) -> CategoryResult:
        from synthesis.summarise import category_summary, rank_themes
        from synthesis.summarise.counts import cards_in_several_themes

        states = [state for state in self.states.values() if state.theme.category == category.category]
        themes = [self.rebuilt(state) for state in states]
        kept = [(state, theme) for state, theme in zip(states, themes) if theme.unit_ids]
        if not any(state.touched for state in states) and len(kept) == len(category.themes) + len(category.hidden_themes):
            return category
        shown = rank_themes([theme for state, theme in kept if not state.hidden and not theme.isolated])
        for state, theme in sorted(((s, t) for s, t in kept if s.pin is not None and not s.hidden and not t.isolated), key=lambda p: p[0].pin):
            shown.remove(theme)
            shown.insert(min(state.pin, len(shown) + 1) - 1, theme)
        shown += [theme for state, theme in kept if theme.isolated and not state.hidden]
        self.refresh_keywords([theme for state, theme in kept if state.id in self.refilled])
        result = dataclasses.replace(category, themes=shown, hidden_themes=[theme for state, theme in kept if state.hidden],
                                     n_cards_in_several_themes=cards_in_several_themes(shown))
        result.summary = category_summary(result, self.synthesis.n_groups)
        if self.synthesis.survey is not None:  # respondents, segments and profile, as the run computes them
            from synthesis.summarise import refresh_survey_category

            cards = {u.card_id: u.card for u in self.units.values() if u.category == category.category}
            refresh_survey_category(result, list(cards.values()), self.synthesis.survey)
        return result

    def rebuilt(self, state: _ThemeState) -> Theme:
        theme = state.theme
        theme.corrected = theme.corrected or state.touched
        members = self.members(state.id)
        if members == state.original_units and state.quote_cards is None:
            return theme
        from synthesis.summarise import over_represented_group, theme_scope

        if members != state.original_units:
            self.refilled.add(state.id)
        cards = list({self.units[u].card_id: self.units[u].card for u in members}.values())
        theme.unit_ids, theme.card_ids = members, [card.id for card in cards]
        theme.groups = [group for group in self.synthesis.groups if group in {card.group for card in cards}]
        theme.n_cards, theme.votes = len(cards), sum(card.votes or 0 for card in cards)
        category_cards = {u.card_id: u.card for u in self.units.values() if u.category == theme.category}.values()
        if not theme.isolated:
            theme.scope = theme_scope(theme.n_groups, self.synthesis.n_groups)
            theme.over_represented_group = over_represented_group([c.group for c in cards], [c.group for c in category_cards])
        theme.quotes = self.quotes(state, members)
        return theme

    def refresh_keywords(self, themes: list[Theme]) -> None:
        """Keywords of the themes whose cards changed, against the rest of their category, as the run computes them."""
        from synthesis.summarise.keywords import specific_keywords

        terms = self.synthesis.unit_terms
        themes = [theme for theme in themes if not theme.isolated]
        if not themes or not terms:
            return  # a result saved before the terms were: the run's keywords stay
        category = themes[0].category
        index = {unit_id: number for number, theme in enumerate(themes) for unit_id in theme.unit_ids}
        in_category = [unit_id for unit_id, unit in self.units.items() if unit.category == category and unit_id in terms]
        texts = [_Terms(*terms[unit_id]) for unit_id in in_category]
        labels = np.array([index.get(unit_id, -1) for unit_id in in_category])
        keywords = specific_keywords(texts, labels, list(range(len(themes))))
        for number, theme in enumerate(themes):
            theme.keywords = keywords[number]

    def quotes(self, state: _ThemeState, members: list[str]) -> list[Quote]:
        """The editor's choice; else the run's quotes still in the theme, completed by its most central cards."""
        first_unit = {}
        for unit_id in members:
            first_unit.setdefault(self.units[unit_id].card_id, unit_id)
        if state.quote_cards is not None:
            chosen = [first_unit[card_id] for card_id in state.quote_cards if card_id in first_unit]
        elif state.theme.isolated:
            chosen = members
        else:
            wanted = int(self.synthesis.settings.get("n_quotes", DEFAULT_QUOTES))
            kept = [q.card_id for q in state.theme.quotes if q.card_id in first_unit]
            chosen = [first_unit[card_id] for card_id in kept]
            by_fit = sorted((u for u in first_unit.values() if u not in chosen), key=lambda u: (-self.fit[u], self.row[u]))
            chosen += by_fit[: max(wanted - len(chosen), 0)]
        return [self.quote(unit_id) for unit_id in chosen]

    def quote(self, unit_id: str) -> Quote:
        unit = self.units[unit_id]
        known = self.run_quotes.get(unit.card_id)
        if known is not None and len(self.units_of_card[unit.card_id]) == 1:
            return known
        from synthesis.clean import normalise_text

        return Quote(card_id=unit.card_id, group=unit.group, text=unit.text, segment_of=normalise_text(unit.card.text) if unit.segment else "")


class _Terms(NamedTuple):
    """What keyword scoring reads of a cleaned text."""

    lemmas: tuple[str, ...]
    words: tuple[str, ...]


def _cosine(vector: np.ndarray, centre: np.ndarray | None) -> float:
    if centre is None:
        return -1.0
    norm = float(np.linalg.norm(vector) * np.linalg.norm(centre))
    return float(vector @ centre) / norm if norm > 0 else 0.0
