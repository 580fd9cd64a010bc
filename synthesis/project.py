"""The project file: a small ``synth.toml`` beside the export, for what the cover page says.

    # synth.toml
    titre = "Journée du réseau des OGD d'Occitanie"
    client = "CRTL Occitanie"
    date = "2023-10-12"
    lieu = "Carcassonne"
    animation = "Équipe d'animation"
    auteur = "Cabinet Exemple"
    question = "Comment mieux travailler ensemble et transformer l'essai ?"

English keys (title, place, facilitator, author) work too. Command-line options win over
the file; a field given nowhere stays blank and the cover leaves it out.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from synthesis.cards import InputError
from synthesis.result import Cover

PROJECT_FILE = "synth.toml"
#: Key in synth.toml -> Cover field ("title" is the report title, not a Cover field).
_KEYS = {
    "titre": "title", "title": "title",
    "client": "client",
    "date": "date",
    "lieu": "place", "place": "place",
    "animation": "facilitator", "animateur": "facilitator", "facilitator": "facilitator",
    "auteur": "author", "author": "author",
    "question": "question",
}


def read_project(input_file: Path, **options: str | None) -> tuple[Cover, str]:
    """The cover and report title from synth.toml beside ``input_file`` (if any), overridden by non-empty options."""
    values = _read_file(Path(input_file).parent / PROJECT_FILE)
    values.update({name: value.strip() for name, value in options.items() if value and value.strip()})
    title = values.pop("title", "")
    return Cover(**{name: values.get(name, "") for name in Cover.__dataclass_fields__}), title


def _read_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"{path} : fichier de projet illisible ({error}) ; corrigez-le ou supprimez-le.") from None
    values = {}
    for key, value in data.items():
        field = _KEYS.get(key.strip().casefold())
        if field is None:
            raise InputError(f"{path} : clé « {key} » inconnue ; clés possibles : {', '.join(sorted(set(_KEYS) - {'title', 'place', 'facilitator', 'author', 'animateur'}))}.")
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise InputError(f"{path} : la clé « {key} » attend un texte entre guillemets.")
        values[field] = str(value).strip()
    return values
