"""The saved result: the demo run round-trips whole, and the file tolerates fields added or missing."""

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from synthesis.cards import InputError
from synthesis.result import Synthesis
from synthesis.store import RESULT_FILE, SCHEMA_ID, StoreError, from_data, load_synthesis, save_synthesis, to_data


@dataclass(frozen=True)
class _Inner:
    name: str
    weight: float = 1.0


@dataclass
class _Outer:
    items: list[_Inner]
    by_id: dict[str, _Inner]
    pair: tuple[int, str]
    path: Path
    maybe: int | None = None
    vectors: np.ndarray | None = None
    added_later: list[str] = field(default_factory=list)


def test_the_demo_result_round_trips_with_its_vectors(demo_synthesis, tmp_path):
    path = tmp_path / RESULT_FILE
    save_synthesis(demo_synthesis, path)
    loaded = load_synthesis(path)
    assert loaded == demo_synthesis  # every compared field: cards, units, themes, placements, settings…
    assert loaded.unit_vectors.shape == demo_synthesis.unit_vectors.shape
    assert np.abs(loaded.unit_vectors - demo_synthesis.unit_vectors).max() < 1e-3
    assert loaded.unit_terms == demo_synthesis.unit_terms and loaded.unit_terms  # keywords of edited themes need them
    assert json.loads(path.read_text(encoding="utf-8"))["schema"] == SCHEMA_ID


def test_a_corrected_result_saves_the_run_it_came_from(demo_synthesis, tmp_path):
    from dataclasses import replace

    corrected = replace(demo_synthesis, title="Corrigé", base=demo_synthesis)
    save_synthesis(corrected, tmp_path / RESULT_FILE)
    assert load_synthesis(tmp_path / RESULT_FILE).title == demo_synthesis.title


def test_unknown_keys_are_ignored_and_missing_ones_take_their_defaults():
    data = {"items": [{"name": "a", "colour": "red"}], "by_id": {"x": {"name": "b", "weight": 2}}, "pair": [3, "z"],
            "path": "out/f.csv", "from_a_newer_synth": {"anything": 1}}
    outer = from_data(_Outer, data)
    assert outer == _Outer([_Inner("a")], {"x": _Inner("b", 2.0)}, (3, "z"), Path("out/f.csv"))
    assert outer.added_later == [] and outer.vectors is None
    assert from_data(_Outer, to_data(outer)) == outer


def test_values_of_the_wrong_type_are_told_with_their_place():
    with pytest.raises(StoreError, match=r"_Outer\.items\[0\]\.weight : attendu un nombre"):
        from_data(_Outer, {"items": [{"name": "a", "weight": "heavy"}], "by_id": {}, "pair": [1, "a"], "path": "p"})
    with pytest.raises(StoreError, match="champ « name » manquant"):
        from_data(_Inner, {"weight": 1.0})
    with pytest.raises(StoreError, match="attendu une liste, trouvé du texte"):
        from_data(list[str], "abc")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "aucun résultat enregistré"),
        ("{not json", r"fichier illisible \(ligne 1"),
        ('{"schema": "synth.result/99", "synthesis": {}}', r"format « synth\.result/99 » inconnu"),
        (f'{{"schema": "{SCHEMA_ID}", "synthesis": {{"source": "x.csv"}}}}', "champ « cards » manquant"),
    ],
)
def test_an_unreadable_saved_result_is_one_line_naming_the_file(tmp_path, content, expected):
    path = tmp_path / RESULT_FILE
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=expected) as error:
        load_synthesis(path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_a_result_without_vectors_still_loads():
    data = to_data(Synthesis(source=Path("a.csv"), cards=[], units=[], categories=[], placements={}, groups=[], embedder="e", method="m"))
    del data["unit_vectors"], data["former_theme_ids"]
    loaded = from_data(Synthesis, data)
    assert loaded.unit_vectors is None and loaded.former_theme_ids == [] and loaded.title == "Compte rendu — a.csv"
