"""The result of a synthesis: plain data that every report is a pure function of."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from synthesis.cards import Card, IdeaUnit, Survey

#: Label of the bucket holding, per category, the cards that fit no theme.
ISOLATED_LABEL = "Idées isolées"
TRANSVERSAL = "transversal"
SPECIFIC = "spécifique"


@dataclass(frozen=True)
class Quote:
    card_id: str
    group: str
    #: As a report shows it: verbatim, or in sentence case when the card was typed in capitals.
    text: str
    #: The whole card's text when the quote is one segment of a longer card (« extrait de … »), else "".
    segment_of: str = ""


@dataclass(frozen=True)
class SegmentShare:
    """How often one segment value (« Département » = « Hérault ») raised a survey theme (synthesis.summarise.profile)."""

    segment: str
    value: str
    #: Respondents of the theme with this value, and how many the value's share of the question's respondents predicts.
    observed: int
    expected: float
    #: Respondents of the question with this value.
    respondents: int = 0
    #: "chi2", "fisher", or "" when the counts are too small for any test to conclude (no p-value then).
    test: str = ""
    p_value: float | None = None
    #: Benjamini–Hochberg adjusted p-value over all the question's tests.
    q_value: float | None = None
    #: "+" over-represented, "-" under-represented (adjusted p-value below the profile's alpha), "" neither.
    direction: str = ""


@dataclass(frozen=True)
class EditorFlag:
    """A unit worth an editor's look: a segment whose content contradicts its card's category."""

    unit_id: str
    card_id: str
    #: The segment's text, and why it is flagged (French, one line).
    text: str
    reason: str


@dataclass
class Theme:
    id: str
    category: str
    label: str
    #: Ids of the cards in the theme, each once (a split card may also be in another theme).
    card_ids: list[str]
    #: Ids of the idea units clustered: card ids, or "<card id>#<k>" for card segments.
    unit_ids: list[str]
    groups: list[str]
    n_cards: int
    votes: int
    quotes: list[Quote]
    keywords: list[str] = field(default_factory=list)
    #: TRANSVERSAL, SPECIFIC or "" (neither, or too few groups to say).
    scope: str = ""
    #: The group that raised this theme significantly more than the others, if any.
    over_represented_group: str | None = None
    isolated: bool = False
    #: Share of the theme's idea units that carry the label's content words (see summarise.labels).
    label_support: float = 0.0
    #: An editor corrected this theme (synth review): the reports say so, discreetly.
    corrected: bool = False
    #: The editor's note on this theme, printed under it ("" for none).
    note: str = ""
    #: Surveys: segment column -> the values of the theme's respondents (« Département » -> [« Aude », « Gard »]).
    segments: dict[str, list[str]] = field(default_factory=dict)
    #: Surveys: every (segment, value) of the question with its count in the theme and its test (summarise.profile).
    profile: list[SegmentShare] = field(default_factory=list)
    #: A theme that ``synth apply`` found among the new cards, not in the codebook (« nouveau »).
    new: bool = False

    @property
    def n_groups(self) -> int:
        return len(self.groups)


@dataclass
class CategoryResult:
    category: str
    #: Ranked themes; the isolated bucket, when not empty, comes last.
    themes: list[Theme]
    n_cards: int
    summary: str = ""
    #: Cards split into segments that sit in more than one theme: by how much the themes' card counts add up past n_cards.
    n_cards_in_several_themes: int = 0
    flags: list[EditorFlag] = field(default_factory=list)
    #: why this many themes: the clustering's chosen resolution and the figures that chose it (cluster.Grain.as_dict)
    grain: dict = field(default_factory=dict)
    #: Themes an editor hid from the reports; their cards keep their theme in cartes.csv.
    hidden_themes: list[Theme] = field(default_factory=list)
    #: Surveys: segment column -> the values among the question's respondents, for « dans 9 départements sur 13 ».
    segment_values: dict[str, list[str]] = field(default_factory=dict)
    #: Surveys: respondents who answered this question (0 for a workshop).
    n_respondents: int = 0


@dataclass(frozen=True)
class Placement:
    """Where one idea unit (a card, or a segment of a card) landed."""

    unit_id: str
    theme_id: str
    theme_label: str
    #: How central the card is to its theme, in [0, 1].
    fit: float
    #: Id of an earlier unit with near-identical wording, if any.
    duplicate_of: str | None = None


@dataclass(frozen=True)
class Match:
    """A theme of another category that answers a weakness (attente) or offers to meet it (contribution)."""

    theme_id: str
    label: str
    category: str
    #: Cosine of the two themes' centres (mean sentence vectors of their cards), in [-1, 1].
    similarity: float
    #: Groups that raised both themes.
    shared_groups: list[str]
    #: similarity plus a small bonus for shared groups (see synthesis.crossread); ranks the matches.
    strength: float
    #: "forte", "moyenne" or "faible": the strength in words, for the reader.
    level: str


@dataclass(frozen=True)
class CrossLink:
    """One leading weakness, with the expectations that answer it and the contributions offered."""

    theme_id: str
    label: str
    groups: list[str]
    answers: list[Match]
    offers: list[Match]


@dataclass(frozen=True)
class Cover:
    """What the cover page of the Word report says; blank fields are left out."""

    client: str = ""
    date: str = ""
    place: str = ""
    facilitator: str = ""
    author: str = ""
    question: str = ""


@dataclass(frozen=True)
class CodebookTheme:
    """One theme of the codebook that ``synth apply`` classified new cards into."""

    theme_id: str
    category: str
    label: str
    #: Cards the theme held in the codebook.
    codebook_cards: int
    #: Cards of the new export that joined it.
    joined: int
    #: Least similarity to the theme's centre for a new card to join it (calibrated on the codebook's cards).
    threshold: float
    #: An editor hid it in the codebook: new cards that join it stay hidden.
    hidden: bool = False


@dataclass
class CodebookUse:
    """How a run of ``synth apply`` used its codebook: what the report says per codebook theme."""

    #: The codebook run's export file name and title.
    source: str
    title: str
    #: The codebook run's fingerprint (synthesis.codebook.run_fingerprint): tells ``synth compare`` that ids are shared.
    fingerprint: str
    themes: list[CodebookTheme]
    #: Categories of the new export the codebook lacks: their themes were built from scratch.
    new_categories: list[str] = field(default_factory=list)
    #: How new cards were classified: synthesis.codebook.assign's method ("knn" or "centre") and quantile.
    method: str = ""
    quantile: float = 0.0


@dataclass
class Synthesis:
    source: Path
    cards: list[Card]
    units: list[IdeaUnit]
    categories: list[CategoryResult]
    #: Unit id -> placement, for every unit.
    placements: dict[str, Placement]
    groups: list[str]
    embedder: str
    method: str
    skipped_rows: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    settings: dict = field(default_factory=dict)
    #: Report title; by default "Compte rendu — <file name>".
    title: str = ""
    #: « Des constats aux engagements »: the leading weaknesses with their answers (synthesis.crossread).
    cross_reading: list[CrossLink] = field(default_factory=list)
    cover: Cover = field(default_factory=Cover)
    #: One unit-norm row per unit (same order as ``units``): what matches theme ids across runs
    #: and places moved cards. None when unknown (a result saved without them).
    unit_vectors: np.ndarray | None = field(default=None, repr=False, compare=False)
    #: Theme ids of earlier runs that this run no longer has: never given to a new theme,
    #: so that an old correction cannot land on the wrong theme.
    former_theme_ids: list[str] = field(default_factory=list)
    #: Unit id -> its content lemmas and the words as written (one per lemma): what the keywords of a
    #: theme that an editor merged, split or filled again are computed from, without spaCy.
    unit_terms: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict, repr=False, compare=False)
    #: The run's own result, when this one is that result with an editor's corrections applied.
    #: What is saved (synthesis.store) is always the run's own result.
    base: Synthesis | None = field(default=None, repr=False, compare=False, metadata={"saved": False})
    #: Set when the export is a survey: respondents in place of groups, questions in place of categories, segments.
    survey: Survey | None = None
    #: Set by ``synth apply``: the codebook these themes come from, and how many new cards joined each of its themes.
    codebook: CodebookUse | None = None

    def __post_init__(self) -> None:
        if not self.title:
            self.title = f"Compte rendu — {self.source.name}"

    @property
    def n_groups(self) -> int:
        return len(self.groups)

    def themes(self):
        for category in self.categories:
            yield from category.themes
