"""JSON: a list of objects, one card per object.

Keys are matched per object, ignoring case, accents and punctuation: an
export whose objects say « Texte » here and « texte » there is one column, not
two half-empty ones. A lone UTF-16 surrogate (``"\\ud800"``, not a character:
no file can store it) is replaced by « � », with a warning naming the objects.
"""

from __future__ import annotations

import json
import re

from synthesis.cards import InputError
from synthesis.load.columns import normalise_key
from synthesis.load.encoding import decode
from synthesis.load.table import Table, clean_cell, rows_text

_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def read_json(data: bytes, label: str) -> Table:
    text, warnings = decode(data, label)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{label}, ligne {error.lineno}, colonne {error.colno} : JSON invalide. "
            "Vérifiez les virgules, guillemets et crochets à cet endroit."
        ) from None
    except RecursionError:
        raise InputError(f"{label} : JSON imbriqué trop profondément. Attendu une liste d'objets, une carte par objet.") from None
    if not isinstance(value, list):
        raise InputError(
            f"{label} : le JSON doit être une liste d'objets (une carte par objet), "
            f"trouvé {_describe_json(value)}."
        )
    table = _table_from_items(value, label)
    table.warnings = warnings + table.warnings
    return table


def _column_key(key: str) -> str:
    return normalise_key(key) or key


def _table_from_items(items: list, label: str) -> Table:
    if not items:
        raise InputError(f"{label} : aucune ligne de données (liste JSON vide). Vérifiez que l'export contient les cartes.")
    columns: dict[str, str] = {}  # column key -> the key as first written
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InputError(
                f"{label}, élément {position} : attendu un objet {{…}} (une carte), "
                f"trouvé {_describe_json(item)}."
            )
        for key in item:
            columns.setdefault(_column_key(key), key)
    rows: list[tuple[int, list[str]]] = []
    nested: set[tuple[int, int]] = set()
    surrogates: list[int] = []
    keys = list(columns)
    for position, item in enumerate(items, start=1):
        values = _values_by_column(item, keys)
        cells = [clean_cell(_json_cell_text(value)) for value in values]
        if any(_SURROGATE.search(cell) for cell in cells):
            surrogates.append(position)
            cells = [_SURROGATE.sub(REPLACEMENT, cell) for cell in cells]
        if any(cells):
            rows.append((position, cells))
        nested.update((position, index) for index, value in enumerate(values) if isinstance(value, (list, dict)))
    if not rows:
        raise InputError(f"{label} : aucune ligne de données (objets JSON sans valeur). Vérifiez l'export.")
    headers = [_SURROGATE.sub(REPLACEMENT, clean_cell(key)) for key in columns.values()]
    warnings = []
    if surrogates:
        warnings.append(
            f"{label} : caractère invalide (demi-paire UTF-16 isolée, « \\ud8xx ») dans {rows_text(surrogates, 'élément')} ; "
            "remplacé par « � »."
        )
    return Table(headers=headers, rows=rows, unit="élément", nested=nested, warnings=warnings)


def _values_by_column(item: dict, keys: list[str]) -> list:
    """The item's value for each column; keys that differ only in case share a column, first non-empty value wins."""
    values: dict[str, object] = {}
    for key, value in item.items():
        column = _column_key(key)
        if values.get(column) in (None, ""):
            values[column] = value
    return [values.get(key) for key in keys]


def _json_cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _describe_json(value) -> str:
    kinds = {dict: "un objet", list: "une liste", str: "un texte", bool: "un booléen", type(None): "null"}
    for kind, description in kinds.items():
        if isinstance(value, kind):
            return description
    return "un nombre"
