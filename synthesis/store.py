"""The saved result: a run's whole ``Synthesis`` as one JSON file in the output folder.

``synth cluster`` saves it; ``synth report`` and ``synth review`` load it and
re-render every report (with the editor's corrections) without re-embedding.

The converter is generic: it walks the dataclass fields and their type hints,
so a field added to ``synthesis.result`` (with a default) is saved and loaded
without touching this module. Loading ignores keys it does not know (a newer
synth wrote them) and gives missing fields their defaults (an older synth did
not have them). Arrays are stored as little-endian float16 in base64: the
demo's 380 unit vectors (512 dimensions) take 520 KB instead of 4.3 MB as
decimal lists, and cosines computed from them differ by at most 9e-5 (measured).
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import json
import types
import typing
from functools import lru_cache
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import numpy as np

from synthesis import __version__
from synthesis.cards import InputError
from synthesis.result import Synthesis

SCHEMA_ID = "synth.result/1"
#: Name of the saved result in the output folder.
RESULT_FILE = "synth-resultat.json"
_ARRAY_KEY = "__ndarray__"


class StoreError(ValueError):
    """A value in a saved file does not fit the field it is loaded into."""


# --- generic dataclass <-> JSON ---------------------------------------------------


_PLAIN = frozenset({str, int, float, bool, type(None)})


@functools.lru_cache(maxsize=None)
def _saved_fields(cls: type) -> tuple[str, ...] | None:
    """The saved fields of a dataclass type (None: not a dataclass)."""
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple(item.name for item in dataclasses.fields(cls) if item.metadata.get("saved", True))


def to_data(value: Any) -> Any:
    """Plain JSON data for a dataclass tree (fields marked ``metadata={"saved": False}`` are left out)."""
    if type(value) in _PLAIN:  # most of a run's million values: answered first
        return value
    if (names := _saved_fields(type(value))) is not None:
        return {name: to_data(getattr(value, name)) for name in names}
    if isinstance(value, np.ndarray):
        return _encode_array(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(key): to_data(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_data(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot save a {type(value).__name__}")


def from_data(kind: Any, data: Any, where: str = "") -> Any:
    """The value of type ``kind`` that ``to_data`` turned into ``data``; StoreError says where it does not fit."""
    origin, args = get_origin(kind), get_args(kind)
    if kind is Any or kind is object:
        return data
    if origin in (Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        errors = []
        for option in (arg for arg in args if arg is not type(None)):
            try:
                return from_data(option, data, where)
            except StoreError as error:
                errors.append(error)
        raise errors[0] if errors else StoreError(f"{where} : null inattendu")
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _dataclass_from(kind, data, where)
    if kind is np.ndarray:
        return _decode_array(data, where)
    if kind is Path:
        return Path(_expect(data, str, where))
    if origin in (list, set, frozenset, tuple) or kind in (list, tuple, set, frozenset):
        items = _expect(data, list, where)
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(args) != len(items):
                raise StoreError(f"{where} : {len(args)} valeurs attendues, {len(items)} trouvées")
            return tuple(from_data(arg, item, f"{where}[{i}]") for i, (arg, item) in enumerate(zip(args, items)))
        item_kind = args[0] if args else Any
        values = [from_data(item_kind, item, f"{where}[{i}]") for i, item in enumerate(items)]
        return (origin or kind)(values) if (origin or kind) is not list else values
    if origin is dict or kind is dict:
        mapping = _expect(data, dict, where)
        key_kind, value_kind = args if args else (Any, Any)
        return {
            from_data(key_kind, _key(key_kind, key), where): from_data(value_kind, value, f"{where}.{key}")
            for key, value in mapping.items()
        }
    if origin is typing.Literal:
        if data not in args:
            raise StoreError(f"{where} : {data!r} n'est pas une valeur permise ({', '.join(map(repr, args))})")
        return data
    if kind is float:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise StoreError(f"{where} : attendu un nombre, trouvé {type(data).__name__}")
        return float(data)
    if kind is int and isinstance(data, bool):
        raise StoreError(f"{where} : attendu un entier, trouvé un booléen")
    if kind in (int, str, bool):
        return _expect(data, kind, where)
    return data


def _expect(data: Any, kind: type, where: str) -> Any:
    if not isinstance(data, kind):
        names = {str: "du texte", int: "un entier", float: "un nombre", bool: "un booléen", list: "une liste", dict: "un objet"}
        found = "null" if data is None else names.get(type(data), type(data).__name__)
        raise StoreError(f"{where} : attendu {names.get(kind, kind.__name__)}, trouvé {found}")
    return data


def _key(key_kind: Any, key: str) -> Any:
    """JSON object keys are strings: give int keys back their type."""
    if key_kind is int:
        try:
            return int(key)
        except ValueError:
            return key
    return key


@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _dataclass_from(cls: type, data: Any, where: str) -> Any:
    mapping = _expect(data, dict, where or cls.__name__)
    hints = _hints(cls)
    values = {}
    for item in dataclasses.fields(cls):
        if not item.init or not item.metadata.get("saved", True):
            continue
        if item.name in mapping:
            values[item.name] = from_data(hints[item.name], mapping[item.name], f"{where or cls.__name__}.{item.name}")
        elif item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING:
            raise StoreError(f"{where or cls.__name__} : champ « {item.name} » manquant")
    return cls(**values)


def _encode_array(array: np.ndarray) -> dict:
    half = np.ascontiguousarray(array, dtype="<f2")
    return {_ARRAY_KEY: "float16", "shape": list(array.shape), "data": base64.b64encode(half.tobytes()).decode("ascii")}


def _decode_array(data: Any, where: str) -> np.ndarray:
    mapping = _expect(data, dict, where)
    try:
        raw = base64.b64decode(mapping["data"], validate=True)
        return np.frombuffer(raw, dtype="<f2").astype(np.float32).reshape(mapping["shape"])
    except (KeyError, TypeError, ValueError) as error:
        raise StoreError(f"{where} : tableau illisible ({error})") from None


# --- the saved result ------------------------------------------------------------------


def result_document(synthesis: Synthesis) -> dict:
    """The file's content: the run's own result (never the corrected one: corrections are applied on load)."""
    run = synthesis.base or synthesis
    return {"schema": SCHEMA_ID, "generator": {"name": "synth", "version": __version__}, "synthesis": to_data(run)}


def save_synthesis(synthesis: Synthesis, path: Path) -> None:
    """Write the saved result (the output stage calls this through OUTPUT_FILES, atomically with the reports)."""
    text = json.dumps(result_document(synthesis), ensure_ascii=False, separators=(",", ":"))
    Path(path).write_text(text + "\n", encoding="utf-8")


def load_synthesis(path: Path) -> Synthesis:
    """The saved result of a run; InputError (one French line naming the file) when it cannot be read."""
    path = Path(path)
    again = f"relancez « synth cluster … -o {path.parent} »"
    if not path.is_file():
        raise InputError(f"{path} : aucun résultat enregistré dans ce dossier ; {again}")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InputError(f"{path} : fichier illisible (ligne {error.lineno}, colonne {error.colno}) ; {again}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path} : fichier illisible ({error}) ; {again}") from None
    schema = document.get("schema") if isinstance(document, dict) else None
    if schema != SCHEMA_ID:
        raise InputError(f"{path} : format « {schema} » inconnu de cette version de synth (attendu {SCHEMA_ID}) ; {again}")
    try:
        return from_data(Synthesis, document.get("synthesis"), "synthesis")
    except StoreError as error:
        raise InputError(f"{path} : {error} ; {again}") from None
