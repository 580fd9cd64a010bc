"""The result of a synthesis: plain data that every report is a pure function of."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from synthesis.cards import Card, IdeaUnit

#: Label of the bucket holding, per category, the cards that fit no theme.
ISOLATED_LABEL = "Idées isolées"
TRANSVERSAL = "transversal"
SPECIFIC = "spécifique"


@dataclass(frozen=True)
class Quote:
    card_id: str
    group: str
    text: str


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
    #: why this many themes: the clustering's chosen resolution and the figures that chose it (cluster.Grain.as_dict)
    grain: dict = field(default_factory=dict)


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

    def __post_init__(self) -> None:
        if not self.title:
            self.title = f"Compte rendu — {self.source.name}"

    @property
    def n_groups(self) -> int:
        return len(self.groups)

    def themes(self):
        for category in self.categories:
            yield from category.themes
