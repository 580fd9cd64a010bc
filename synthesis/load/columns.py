"""Header and category matching: which row is the header, which column plays which role.

Header row
----------
Exports often carry a title line, a date or an Excel ``sep=`` line above the
header. The header is the row, within the first :data:`HEADER_SEARCH_ROWS`
rows with content, whose cells best match known column names (an exact match
counts 2, a prefix match 1, a name given with ``--*-column`` 3); the first such
row wins ties. A row must score at least 2 to be preferred to the first row,
so that a title such as « Atelier du 12 mars » (a prefix match of « atelier »)
never becomes the header. Rows above the header are named in a warning.

Column roles
------------
Each role (text, group, category, id, votes) gets at most one column and a
column serves at most one role. For each role, in this order of precedence:

1. the explicit ``*_column`` argument: the header written exactly so, else the
   first header equal to it once normalised; unknown name -> InputError;
2. an exact match: the normalised header equals one of the role's synonyms;
3. a prefix match: the normalised header starts with a synonym of at least
   four characters ("Texte de la carte", "Catégorie (F/Fa/A/C)", "Cartes").

All roles are matched exactly before any role is matched by prefix, so
"Idée" is the text even when an "Id" rule could claim it; the one exception is
"texte", whose prefix matches ("Texte de la carte") count as exact ones, after
an exact "Texte" but before "Commentaire" or "Réponse". Within a step,
roles go in the order text, group, category, id, votes; synonyms in the
order listed in :data:`SYNONYMS` (so "Texte" beats "Carte", which is often a
card number); columns in file order. Headers are normalised by removing
accents, case and every non-alphanumeric character ("N°" -> "n").
Survey roles (question, respondent) come last; « question » matches only exactly,
since in a wide survey export « Question 1 : … » heads a column of answers.
Columns named ``theme`` or ``label`` are never detected: they hold the gold
standard used by benchmarks, not the participants' category.
When no text column is found and the file has exactly one named column, that
column is the text. A second column that also looks like card text is named
in a warning (it is not read).
"""

from __future__ import annotations

import re
import unicodedata

from synthesis.cards import DEFAULT_CATEGORY, DEFAULT_GROUP, InputError
from synthesis.load.table import quote_list

ROLES: tuple[str, ...] = ("text", "group", "category", "id", "votes", "question", "respondent")

#: Header names tried for each role, most specific first (see module docstring).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "text": ("texte", "carte", "contenu", "idée", "verbatim", "text", "réponse",
             "commentaire", "proposition", "libellé"),
    "group": ("groupe", "atelier", "table", "group", "équipe"),
    "category": ("catégorie", "catégories", "type", "rubrique", "category"),
    "id": ("id", "identifiant", "n°", "no", "num", "numéro", "ref"),
    "votes": ("votes", "vote", "gommettes", "gommette", "points"),
    # Surveys (see synthesis.load.survey): one answer per row with its question, or per respondent.
    "question": ("question", "questions", "intitulé de la question", "libellé de la question", "question posée"),
    "respondent": ("id répondant", "identifiant répondant", "identifiant du répondant", "n° répondant", "répondant",
                   "répondante", "respondent", "respondent id", "structure", "nom de la structure", "office",
                   "office de tourisme", "organisme", "établissement"),
}

#: Rows searched for the header (title lines, dates, ``sep=``... stand above it).
HEADER_SEARCH_ROWS = 20
#: A row needs this score to be taken as the header instead of the first row.
_MIN_HEADER_SCORE = 2
#: Longer cells are card texts, not column names: never prefix-matched.
_MAX_HEADER_LENGTH = 60
#: Shorter synonyms ("id", "no", "ref") would match "idées", "nombre", "réflexion".
_PREFIX_MIN_LENGTH = 4
#: Synonyms whose prefix matches count as exact ones: « Texte de la carte » is the text before
#: an exact « Commentaire » (fuzzing found exports with both; « Commentaire » used to win).
_STRONG_PREFIXES = frozenset({"texte"})
#: Benchmark gold-standard columns: never mistaken for the category.
_NEVER_DETECTED = frozenset({"theme", "label"})
#: Never matched by prefix: in a wide survey export « Question 1 : … » heads one question's answers.
_EXACT_ONLY = frozenset({"question", "questions"})

_CATEGORY_ALIASES: dict[str, str] = {
    alias: canonical
    for canonical, aliases in {
        "forces": ("force", "forces", "f", "pointfort", "pointsforts", "strength", "strengths"),
        "faiblesses": ("faiblesse", "faiblesses", "fa", "pointfaible", "pointsfaibles",
                       "weakness", "weaknesses"),
        "attentes": ("attente", "attentes", "a", "expectation", "expectations"),
        "contributions": ("contribution", "contributions", "c"),
    }.items()
    for alias in aliases
}

_GROUP_NUMBER = re.compile(
    r"(?:(?:groupe|group|grp|gr|g)\s*\.?\s*(?:(?:n°|nº|no|n)\s*\.?\s*)?)?0*(\d+)",
    re.IGNORECASE,
)


def normalise_key(value: str) -> str:
    """Accent-, case-, space- and punctuation-insensitive form ("N°" -> "n")."""
    decomposed = unicodedata.normalize("NFKD", value)
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(char for char in without_accents.casefold() if char.isalnum())


_SYNONYM_KEYS = {role: tuple(normalise_key(synonym) for synonym in synonyms) for role, synonyms in SYNONYMS.items()}


def normalise_category(value: str) -> str:
    """Map a category cell to one of :data:`CATEGORIES` when it is a known variant.

    Case, accents, punctuation, singular/plural and "(s)" are ignored
    ("Force", "FAIBLESSES", "Attente(s)" ...); the single letters F, Fa, A, C
    count only when they are the whole value. Any other value is kept,
    stripped, in its original case. An empty value gives DEFAULT_CATEGORY.
    """
    stripped = value.strip()
    if not stripped:
        return DEFAULT_CATEGORY
    return _CATEGORY_ALIASES.get(normalise_key(stripped), stripped)


def normalise_group(value: str) -> str:
    """Write numbered groups as "Groupe N" ("G3", "g 3", "3", "groupe 03", "Gr. 3").

    Any other value is kept, stripped ("Table rouge"). An empty value gives
    DEFAULT_GROUP.
    """
    stripped = value.strip()
    if not stripped:
        return DEFAULT_GROUP
    match = _GROUP_NUMBER.fullmatch(stripped)
    if match is None:
        return stripped
    return f"Groupe {int(match.group(1))}"


# --------------------------------------------------------------------------
# Header row
# --------------------------------------------------------------------------


def header_score(cells: list[str], explicit: tuple[str, ...] = ()) -> int:
    """How much a row looks like a header: 2 per role matched exactly, 1 by prefix, 3 per explicit name."""
    keys = [normalise_key(cell) for cell in cells if cell and len(cell) <= _MAX_HEADER_LENGTH]
    keys = [key for key in keys if key and key not in _NEVER_DETECTED]
    score = sum(3 for name in explicit if normalise_key(name) in keys)
    for synonyms in _SYNONYM_KEYS.values():
        if any(key in synonyms for key in keys):
            score += 2
        elif any(len(synonym) >= _PREFIX_MIN_LENGTH and key.startswith(synonym) for key in keys for synonym in synonyms):
            score += 1
    return score


def find_header(rows: list[list[str]], explicit: tuple[str, ...] = ()) -> int:
    """Index in ``rows`` (rows with content, in order) of the header row."""
    scores = [header_score(cells, explicit) for cells in rows[:HEADER_SEARCH_ROWS]]
    best = max(scores, default=0)
    if best < _MIN_HEADER_SCORE:
        return 0
    return scores.index(best)


def repeats_header(cells: list[str], headers: list[str]) -> bool:
    """A data row that is the header again (two exports pasted one under the other)."""
    folded = {header.casefold() for header in headers if header}
    if sum(cell.casefold() in folded for cell in cells if cell) < 2:  # cheap: called on every row
        return False
    keys = [normalise_key(cell) for cell in cells]
    header_keys = [normalise_key(header) for header in headers]
    named = [key for key in header_keys if key]
    if len(named) < 2:
        return False
    return keys[: len(header_keys)] == header_keys or (
        header_score(cells) >= _MIN_HEADER_SCORE * 2 and sorted(k for k in keys if k) == sorted(named)
    )


# --------------------------------------------------------------------------
# Roles
# --------------------------------------------------------------------------


def resolve_columns(
    headers: list[str], overrides: dict[str, str | None], label: str, reserved: frozenset[int] = frozenset()
) -> tuple[dict[str, int], list[str]]:
    """Give each role a column index; see the module docstring for the precedence.

    ``reserved`` columns (survey segments) play no role.
    """
    roles = match_roles(headers, overrides, label, reserved)
    if "text" in roles:
        return roles, []
    explicit = {role: index for role, index in roles.items() if overrides.get(role) is not None}
    return _single_column_as_text(headers, roles, explicit, label)


def match_roles(
    headers: list[str], overrides: dict[str, str | None], label: str, reserved: frozenset[int] = frozenset()
) -> dict[str, int]:
    """The roles named explicitly or recognised by their header; the text role may be missing."""
    roles = {
        role: find_column(headers, name, f"--{role}-column", label)
        for role, name in overrides.items()
        if name is not None
    }
    normalised = [normalise_key(header) for header in headers]
    for by_prefix in (False, True):
        for role in ROLES:
            if role not in roles:
                index = _match_synonyms(normalised, role, set(roles.values()) | reserved, by_prefix)
                if index is not None:
                    roles[role] = index
    return roles


def other_text_columns(headers: list[str], roles: dict[str, int]) -> list[int]:
    """Unused columns whose name is also a text synonym ("Texte" and "Commentaire")."""
    used = set(roles.values())
    normalised = [normalise_key(header) for header in headers]
    return [
        index for index, key in enumerate(normalised)
        if index not in used and key and key not in _NEVER_DETECTED
        and any(key == synonym or (len(synonym) >= _PREFIX_MIN_LENGTH and key.startswith(synonym)) for synonym in _SYNONYM_KEYS["text"])
    ]


def find_column(headers: list[str], name: str, option: str, label: str) -> int:
    """The column a user named (exactly, else once normalised); InputError naming the file and the option."""
    wanted = name.strip()
    if wanted in headers:
        return headers.index(wanted)
    key = normalise_key(wanted)
    normalised = [normalise_key(header) for header in headers]
    if key and key in normalised:
        return normalised.index(key)
    raise InputError(
        f"{label} : colonne « {name} » introuvable ({option}). "
        f"Colonnes présentes : {quote_list(headers)}."
    )


def _match_synonyms(normalised: list[str], role: str, taken: set[int], by_prefix: bool) -> int | None:
    for key in _SYNONYM_KEYS[role]:
        if by_prefix and (len(key) < _PREFIX_MIN_LENGTH or key in _EXACT_ONLY):
            continue
        prefix_now = by_prefix or key in _STRONG_PREFIXES
        for exact in (True, False) if prefix_now else (True,):
            for index, header in enumerate(normalised):
                if index in taken or header in _NEVER_DETECTED:
                    continue
                if header == key or (not exact and header.startswith(key)):
                    return index
    return None


def _single_column_as_text(
    headers: list[str], roles: dict[str, int], explicit: dict[str, int], label: str
) -> tuple[dict[str, int], list[str]]:
    named = [index for index, header in enumerate(headers) if header]
    if len(named) != 1 or named[0] in explicit.values():
        tried = ", ".join(SYNONYMS["text"])
        raise InputError(
            f"{label} : aucune colonne de texte reconnue parmi {quote_list(headers)} "
            f"(aucune des {HEADER_SEARCH_ROWS} premières lignes ne ressemble à un en-tête). "
            f"Noms essayés : {tried}. Indiquez la colonne avec --text-column."
        )
    index = named[0]
    roles = {role: column for role, column in roles.items() if column != index}
    roles["text"] = index
    warning = (
        f"{label} : colonne « {headers[index]} » lue comme texte des cartes (seule colonne du fichier) ; "
        "sa première ligne est prise pour un en-tête, pas pour une carte."
    )
    return roles, [warning]
