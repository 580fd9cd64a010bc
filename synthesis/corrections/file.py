"""corrections.json: the editor's edits, one line each, appended and never rewritten from a page's state.

Each save reads the file, appends one entry and replaces the file atomically
(temporary file, fsync, rename) under an exclusive lock on the output folder,
after copying the previous version to corrections.json.bak: two tabs or two
``synth review`` saving at once both land, and a crash never leaves half a file.
An entry that cannot be read is reported (one line naming it) and kept in the
file as it was; the other entries still apply.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from synthesis.cards import InputError
from synthesis.corrections.edits import Corrections, Edit, Entry, entry_data, now, parse_entry
from synthesis.store import StoreError

SCHEMA_ID = "synth.corrections/1"
CORRECTIONS_FILE = "corrections.json"
BACKUP_SUFFIX = ".bak"

try:  # POSIX; elsewhere the review server's own lock still serialises its saves
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None


def read_raw_entries(path: Path) -> list:
    """The file's entries as JSON values; InputError when the file itself cannot be read as corrections."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path} : fichier de corrections illisible ({error})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path}, ligne {error.lineno}, colonne {error.colno} : JSON invalide ({error.msg}) ; "
            f"corrigez cette ligne ou reprenez la version précédente {path.name}{BACKUP_SUFFIX}"
        ) from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA_ID or not isinstance(document.get("edits"), list):
        found = document.get("schema") if isinstance(document, dict) else None
        raise InputError(f"{path} : attendu un objet {{\"schema\": \"{SCHEMA_ID}\", \"edits\": […]}} (schéma trouvé : {found})")
    return document["edits"]


def load_corrections(path: Path) -> Corrections:
    """Every readable entry, and one French line per entry that is not (the others still apply)."""
    path = Path(path)
    corrections = Corrections()
    if not path.is_file():
        return corrections
    for position, raw in enumerate(read_raw_entries(path), start=1):
        try:
            corrections.entries.append(parse_entry(raw, position))
        except StoreError as error:
            number = raw.get("n") if isinstance(raw, dict) else None
            named = f"entrée {position}" + (f" (n° {number})" if number is not None and number != position else "")
            corrections.problems.append(f"{path.name}, {named} : {error} ; entrée ignorée, les autres corrections sont appliquées.")
    return corrections


def format_corrections(raw_entries: list) -> str:
    """One entry per line: a save adds one line, and a diff shows one edit per line."""
    lines = ",\n".join("    " + json.dumps(entry, ensure_ascii=False) for entry in raw_entries)
    body = f"\n{lines}\n  " if raw_entries else ""
    return f'{{\n  "schema": "{SCHEMA_ID}",\n  "edits": [{body}]\n}}\n'


def append_edit(path: Path, kind: str, edit: Edit) -> Entry:
    """Append one edit to the file (created if absent) and return it as an entry, numbered and dated."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _folder_lock(path.parent):
        raw_entries = read_raw_entries(path) if path.exists() else []
        numbers = [raw["n"] for raw in raw_entries if isinstance(raw, dict) and isinstance(raw.get("n"), int)]
        n = max(numbers + [len(raw_entries)], default=0) + 1
        entry = Entry(n=n, at=now(), edit=edit)
        raw_entries.append(entry_data(kind, edit, entry.n, entry.at))
        write_atomically(path, format_corrections(raw_entries))
    return entry


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` in one step, keeping the previous version as ``<name>.bak``."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if path.exists():
            backup = path.with_name(path.name + BACKUP_SUFFIX)
            shutil.copy2(path, temporary + BACKUP_SUFFIX)
            os.replace(temporary + BACKUP_SUFFIX, backup)
        os.replace(temporary, path)
    finally:
        for leftover in (temporary, temporary + BACKUP_SUFFIX):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover)


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    if fcntl is None:  # pragma: no cover
        yield
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)
