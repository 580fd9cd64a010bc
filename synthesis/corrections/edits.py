"""The editor's corrections as data: one small record per kind of edit.

An entry of corrections.json is ``{"n": 3, "at": "2026-…Z", "type": "rename", …}``:
``n`` numbers the entries of the file (an undo names the entry it cancels),
``at`` says when it was made, and the other keys are the fields of the edit
below. Edits name cards by their id and themes by their stable id (see
``match``), never by rank or position.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from synthesis.store import StoreError, from_data, to_data

#: ``Move.to`` value meaning the category's « Idées isolées » bucket (created when needed).
ISOLATED_TARGET = "isolees"


@dataclass(frozen=True)
class Rename:
    theme: str
    label: str


@dataclass(frozen=True)
class Merge:
    """The ``themes`` join ``into``, which keeps its label and id."""

    into: str
    themes: list[str]


@dataclass(frozen=True)
class Split:
    """The chosen cards leave ``theme`` for a new theme ``<category>-e<n>`` labelled ``label``."""

    theme: str
    cards: list[str]
    label: str


@dataclass(frozen=True)
class Move:
    """A card (or, with ``unit``, one segment of a split card) goes to theme ``to`` or to ISOLATED_TARGET."""

    card: str
    to: str
    unit: str = ""


@dataclass(frozen=True)
class Quotes:
    """The theme's quotes: these cards' words, in this order."""

    theme: str
    cards: list[str]


@dataclass(frozen=True)
class Hide:
    theme: str
    hidden: bool = True


@dataclass(frozen=True)
class Pin:
    """Show the theme at this rank of its category (None: back to the computed rank)."""

    theme: str
    rank: int | None


@dataclass(frozen=True)
class Note:
    theme: str
    text: str


@dataclass(frozen=True)
class Undo:
    """Cancel entry ``edit`` (an undo of an undo restores it)."""

    edit: int


EDIT_TYPES: dict[str, type] = {
    "rename": Rename, "merge": Merge, "split": Split, "move": Move, "quotes": Quotes,
    "hide": Hide, "pin": Pin, "note": Note, "undo": Undo,
}
#: How the reports and the page name each kind of edit.
EDIT_NAMES = {
    "rename": "renommer", "merge": "fusionner", "split": "scinder", "move": "déplacer une carte",
    "quotes": "choisir les citations", "hide": "masquer", "pin": "épingler le rang", "note": "note de l'éditeur",
    "undo": "annuler",
}
Edit = Rename | Merge | Split | Move | Quotes | Hide | Pin | Note | Undo


@dataclass(frozen=True)
class Entry:
    n: int
    at: str
    edit: Edit

    @property
    def kind(self) -> str:
        return next(name for name, cls in EDIT_TYPES.items() if isinstance(self.edit, cls))

    def describe(self) -> str:
        when = f", {self.at}" if self.at else ""
        return f"correction n° {self.n} ({EDIT_NAMES[self.kind]}{when})"


@dataclass
class Corrections:
    """The entries that could be read, and one line for each that could not (kept in the file, not applied)."""

    entries: list[Entry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def next_number(self) -> int:
        return max((entry.n for entry in self.entries), default=0) + 1


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_entry(raw: object, position: int) -> Entry:
    """One entry of the file; StoreError with a French reason when it is malformed."""
    if not isinstance(raw, dict):
        raise StoreError("objet attendu")
    kind = raw.get("type")
    if kind not in EDIT_TYPES:
        raise StoreError(f"type « {kind} » inconnu (attendus : {', '.join(EDIT_TYPES)})")
    n = raw.get("n", position)
    if not isinstance(n, int) or isinstance(n, bool):
        raise StoreError("« n » doit être un entier")
    at = raw.get("at", "")
    if not isinstance(at, str):
        raise StoreError("« at » doit être une date en texte")
    edit = from_data(EDIT_TYPES[kind], {key: value for key, value in raw.items() if key not in ("n", "at", "type")}, kind)
    _check(edit)
    return Entry(n=n, at=at, edit=edit)


def _check(edit: Edit) -> None:
    """What types alone do not say."""
    if isinstance(edit, (Rename, Split)) and not edit.label.strip():
        raise StoreError("le nom du thème est vide")
    if isinstance(edit, (Split, Merge)) and not (edit.cards if isinstance(edit, Split) else edit.themes):
        raise StoreError("aucune carte ni aucun thème indiqué")
    if isinstance(edit, Pin) and edit.rank is not None and edit.rank < 1:
        raise StoreError("le rang épinglé doit être au moins 1")


def entry_data(kind: str, edit: Edit, n: int, at: str) -> dict:
    """The entry as written in the file: n, at, type first, then the edit's fields."""
    return {"n": n, "at": at, "type": kind, **to_data(edit)}


def new_edit(raw: dict) -> tuple[str, Edit]:
    """Check an edit sent by the review page (without n and at); StoreError if malformed."""
    entry = parse_entry({**raw, "n": 0, "at": ""}, 0)
    return entry.kind, entry.edit
