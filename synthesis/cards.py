"""Plain data passed between the pipeline stages, and the input error type.

Every stage takes and returns these dataclasses (or numpy arrays), never a
library object, so each stage can be used, tested and replaced on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

#: The four canonical workshop categories, in report order.
CATEGORIES: tuple[str, ...] = ("forces", "faiblesses", "attentes", "contributions")

#: Category given to every card of a file that has no category column.
DEFAULT_CATEGORY = "cartes"
#: Group given to every card of a file that has no group column.
DEFAULT_GROUP = "Groupe unique"


class InputError(ValueError):
    """A problem with the user's input, told in one line.

    The message names the file and, where it applies, the row and column,
    and says what to do. The CLI prints it and exits with status 2.
    """


def display_name(path) -> str:
    """A path as the user gave it, on one line, for messages: control characters (a newline in a
    file name) and undecodable bytes are written as ``\\xNN`` instead of splitting or breaking the line."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]", lambda match: f"\\x{ord(match.group()):02x}", str(path))


@dataclass(frozen=True)
class Card:
    """One card (or one survey answer) as written by a participant."""

    id: str
    text: str
    group: str
    category: str
    #: Row number as a spreadsheet shows it (header row = 1), or the 1-based
    #: position in a JSON list; used in error messages and warnings.
    row: int
    votes: int | None = None
    #: Survey answers: who answered (also in ``group``, which counts them), "" for workshop cards.
    respondent: str = ""
    #: Survey answers: (segment column, value) pairs, in the order of --segment ("Département", "Hérault").
    segments: tuple[tuple[str, str], ...] = ()

    def segment(self, column: str) -> str:
        return dict(self.segments).get(column, "")


#: Category of every answer of a survey export that has no question column.
DEFAULT_QUESTION = "réponses"
#: Segment value of an answer whose segment cell is empty.
UNKNOWN_SEGMENT = "non renseigné"


@dataclass
class Survey:
    """How a survey export was read: respondents in place of groups, questions in place of categories."""

    #: Header of the respondent column ("" when each row is its own respondent).
    respondent_column: str = ""
    #: Header of the question column ("" for a wide export or a single question).
    question_column: str = ""
    #: Headers of the segment columns (--segment), in the order given.
    segments: list[str] = field(default_factory=list)
    #: True when the export had one column per question (one row per respondent).
    wide: bool = False


@dataclass
class CardSet:
    """The cards read from one export, with what was skipped and why."""

    source: Path
    cards: list[Card]
    #: Row numbers of rows skipped because their text cell was empty.
    skipped_rows: list[int] = field(default_factory=list)
    #: Human-readable warnings (French), one line each.
    warnings: list[str] = field(default_factory=list)
    #: Role ("text", "group", "category", "id", "votes") -> header found in the file.
    columns: dict[str, str] = field(default_factory=dict)
    #: Set when the export is a survey (respondents, questions, segments) rather than a workshop.
    survey: Survey | None = None

    @property
    def groups(self) -> list[str]:
        return sorted({card.group for card in self.cards}, key=group_sort_key)

    @property
    def categories(self) -> list[str]:
        if self.survey is not None:  # a survey's questions in the questionnaire's order
            return list(dict.fromkeys(card.category for card in self.cards))
        return sorted({card.category for card in self.cards}, key=category_sort_key)


def group_sort_key(group: str) -> tuple[int, int, str]:
    """Order "Groupe 2" before "Groupe 10", and named groups after numbered ones."""
    tail = group.rsplit(" ", 1)[-1]
    if group.startswith("Groupe ") and tail.isdigit():
        return (0, int(tail), group)
    return (1, 0, group.casefold())


def category_sort_key(category: str) -> tuple[int, str]:
    """Canonical categories in workshop order, then any other category by name."""
    if category in CATEGORIES:
        return (CATEGORIES.index(category), category)
    return (len(CATEGORIES), category.casefold())


@dataclass(frozen=True)
class IdeaUnit:
    """What is clustered: a whole card, or one idea segment of a card that holds several."""

    #: The card id, or "<card id>#<k>" for the k-th segment of a split card.
    id: str
    card: Card
    #: Verbatim: the card's text, or a substring of it.
    text: str
    #: 0 for a whole card, k >= 1 for the k-th segment.
    segment: int = 0

    @property
    def card_id(self) -> str:
        return self.card.id

    @property
    def group(self) -> str:
        return self.card.group

    @property
    def category(self) -> str:
        return self.card.category
