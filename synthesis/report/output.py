"""Write every report into the output folder as one block: all of this run's files, or none of them.

- Inputs are protected: a run whose output would replace one of its inputs (the
  same path, or the same file through a link) stops before writing anything.
- A lock (:data:`LOCK_NAME`, the operating system's lock, which dies with its
  process) keeps a second run out of the folder while one is running.
- Files are rendered into a staging folder inside the output folder, then moved
  into place. An existing output is first moved aside into the staging folder;
  if any move fails (a file open in Excel on Windows), every move is undone and
  the previous outputs are back as they were. A journal in the staging folder
  marks a commit in progress, so the next run undoes a commit killed half-way
  and deletes the staging folders that killed runs left behind.
- Text that a report cannot hold (characters XML 1.0 forbids, which make Word
  refuse the file) is replaced by « � » in the Markdown, HTML and Word reports
  only; ``cartes.csv`` and ``themes.json`` keep it (the loader warns about it).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from synthesis.cards import InputError, display_name
from synthesis.report.cards_csv import render_cards_csv
from synthesis.report.docx import write_docx
from synthesis.report.html import render_html
from synthesis.report.markdown import render_markdown
from synthesis.report.themes_json import render_themes_json
from synthesis.report.wording import journal_text
from synthesis.result import Synthesis
from synthesis.store import RESULT_FILE, save_synthesis

Writer = Callable[[Synthesis, Path], None]

LOCK_NAME = ".synth.lock"
STAGING_PREFIX = ".synth-"
_JOURNAL, _PREVIOUS = "commit-en-cours", "precedents"
#: Characters a file cannot hold at all (lone surrogates: not encodable in UTF-8).
_UNENCODABLE = re.compile("[\ud800-\udfff]")
#: ... and those XML 1.0, so Word, refuses.
_NOT_IN_REPORTS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"


class OutputError(InputError):
    """The output folder cannot take this run's files; told in one line, exit status 2."""


def _text_writer(render: Callable[[Synthesis], str], encoding: str = "utf-8") -> Writer:
    def write(synthesis: Synthesis, path: Path) -> None:
        path.write_text(render(synthesis), encoding=encoding, newline="")

    return write


#: File name -> writer. Names are fixed: nothing derived from the input names a file.
OUTPUT_FILES: dict[str, Writer] = {
    "compte-rendu.md": _text_writer(render_markdown),
    "compte-rendu.html": _text_writer(render_html),
    "compte-rendu.docx": write_docx,
    "themes.json": _text_writer(render_themes_json),
    "cartes.csv": _text_writer(render_cards_csv, encoding="utf-8-sig"),
    # Skipped rows and run warnings: for whoever ran synth, not for the client's document.
    "journal.txt": _text_writer(journal_text),
    # The run's whole result, so that `synth report` and `synth review` re-render without re-embedding.
    RESULT_FILE: save_synthesis,
}
#: Files that keep the participants' text exactly (every other file gets the report-safe text).
FAITHFUL_FILES = frozenset({"themes.json", "cartes.csv"})


def write_outputs(synthesis: Synthesis, out_dir: Path, *, inputs: Iterable[Path] = ()) -> list[Path]:
    """Write every file of :data:`OUTPUT_FILES` into ``out_dir`` as one block; never over an input.

    Raises :class:`OutputError` when the folder cannot take the files; the previous
    outputs are then left as they were.
    """
    out_dir = prepare_output_dir(out_dir, inputs=[synthesis.source, *inputs])
    faithful, safe = _without(_UNENCODABLE, synthesis), _without(_NOT_IN_REPORTS, synthesis)
    with output_lock(out_dir):
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
        try:
            for name, write in OUTPUT_FILES.items():
                try:
                    write(faithful if name in FAITHFUL_FILES else safe, staging / name)
                except OSError as error:  # disk full, quota...: the folder's fault, not synth's
                    raise OutputError(
                        f"{display_name(out_dir)} : écriture de {name} impossible ({error.strerror or type(error).__name__}). "
                        "Libérez de la place ou choisissez un autre dossier avec -o : les sorties précédentes sont intactes."
                    ) from None
            _commit(staging, out_dir, list(OUTPUT_FILES))
            return [out_dir / name for name in OUTPUT_FILES]
        finally:
            if not (staging / _JOURNAL).exists():  # else a roll back failed: the old outputs are still in there
                shutil.rmtree(staging, ignore_errors=True)


def prepare_output_dir(out_dir: Path, *, inputs: Iterable[Path] = ()) -> Path:
    """Create ``out_dir`` if needed and check that it can take this run's files; :class:`OutputError` if not.

    Cheap and without side effects beyond creating the folder: the CLI calls it
    before the long computation, so that a wrong ``-o`` fails at once.
    """
    out_dir = Path(out_dir)
    label = display_name(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{label} : c'est un fichier, pas un dossier. Indiquez un dossier de sortie avec -o.")
    if not out_dir.exists():
        _created.add(out_dir.resolve())
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputError(f"{label} : dossier impossible à créer (un fichier porte le nom d'un dossier du chemin). Choisissez un autre dossier avec -o.") from None
    except PermissionError:
        raise OutputError(f"{label} : dossier impossible à créer (droits insuffisants). Choisissez un autre dossier avec -o.") from None
    except OSError as error:
        raise OutputError(f"{label} : dossier impossible à créer ({error.strerror or type(error).__name__}). Choisissez un autre dossier avec -o.") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise OutputError(f"{label} : dossier en lecture seule. Choisissez un autre dossier avec -o.")
    for name in OUTPUT_FILES:
        target = out_dir / name
        _check_not_an_input(target, inputs)
        if target.is_dir() and not target.is_symlink():
            raise OutputError(f"{display_name(target)} : c'est un dossier ; synth ne peut pas y écrire son fichier {name}. Renommez-le ou choisissez un autre dossier avec -o.")
    return out_dir


def _check_not_an_input(target: Path, inputs: Iterable[Path]) -> None:
    for source in inputs:
        try:
            same = target.exists() and Path(source).exists() and os.path.samefile(target, source)
        except OSError:
            same = False
        if same:
            raise OutputError(
                f"{display_name(target)} : c'est le fichier d'entrée ; synth l'écraserait avec ses résultats. "
                "Choisissez un autre dossier de sortie avec -o (ou renommez l'export)."
            )


# --------------------------------------------------------------------------
# Lock
# --------------------------------------------------------------------------

_held: dict[Path, list[int]] = {}  # folders this process holds the lock of -> [file descriptor, depth] (re-entrant)
_created: set[Path] = set()  # folders this process created: removed again if the run leaves them empty


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold the folder's lock; a second run gets an :class:`OutputError` instead of mixing its files in.

    The lock is the operating system's (``flock``; ``msvcrt.locking`` on Windows) on
    :data:`LOCK_NAME`: it dies with its process, so a killed run never blocks the next one.
    """
    key = Path(out_dir).resolve()
    if key not in _held:
        _held[key] = [_acquire(key), 0]
        _recover_staging(key)
    _held[key][1] += 1
    try:
        yield
    finally:
        _held[key][1] -= 1
        if not _held[key][1]:
            descriptor = _held.pop(key)[0]
            with suppress(OSError):  # before closing: a run waiting on this file sees it gone, and retries
                (key / LOCK_NAME).unlink(missing_ok=True)
            os.close(descriptor)
            with suppress(OSError):  # Windows removes no open file
                (key / LOCK_NAME).unlink(missing_ok=True)
            if key in _created and not any(key.iterdir()):
                key.rmdir()  # a run that failed leaves no empty folder behind
                _created.discard(key)


def _acquire(out_dir: Path) -> int:
    lock = out_dir / LOCK_NAME
    while True:
        try:
            descriptor = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
        except OSError as error:
            raise OutputError(f"{display_name(out_dir)} : écriture impossible dans ce dossier ({error.strerror or type(error).__name__}). Choisissez un autre dossier avec -o.") from None
        if not _try_lock(descriptor):
            owner = os.read(descriptor, 32).decode("ascii", "replace").strip()
            os.close(descriptor)
            raise OutputError(
                f"{display_name(out_dir)} : une autre exécution de synth écrit dans ce dossier"
                f"{f' (processus {owner})' if owner.isdigit() else ''}. Attendez qu'elle finisse ou choisissez un autre dossier avec -o."
            )
        if _same_file(descriptor, lock):
            break
        os.close(descriptor)  # the previous holder removed the file between our open and our lock: take the new one
    os.ftruncate(descriptor, 0)
    os.write(descriptor, f"{os.getpid()}\n".encode("ascii"))
    return descriptor


def _try_lock(descriptor: int) -> bool:
    try:
        if os.name == "nt":
            import msvcrt

            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _same_file(descriptor: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(descriptor), os.stat(path))
    except OSError:
        return False


# --------------------------------------------------------------------------
# Commit and recovery
# --------------------------------------------------------------------------


def _commit(staging: Path, out_dir: Path, names: list[str]) -> None:
    """Move the staged files into place; on any failure (an interruption included), undo every move."""
    previous = staging / _PREVIOUS
    previous.mkdir()
    journal = staging / _JOURNAL
    journal.write_text("\n".join(names), encoding="utf-8")
    target = out_dir
    try:
        for name in names:
            target = out_dir / name
            if target.exists() or target.is_symlink():
                os.replace(target, previous / name)
            os.replace(staging / name, target)
    except BaseException as error:
        _roll_back(staging, out_dir, names)
        journal.unlink()
        if isinstance(error, OSError):
            raise OutputError(
                f"{display_name(target)} : impossible de le remplacer ({error.strerror or type(error).__name__} ; "
                "fichier ouvert dans un autre programme ?). Fermez-le et relancez : les sorties précédentes sont intactes."
            ) from None
        raise
    journal.unlink()


def _roll_back(staging: Path, out_dir: Path, names: list[str]) -> None:
    """Put back what a commit moved, from what the staging folder holds (works after a kill too).

    For each name: a file in ``precedents/`` is the old output, put back; else a file
    still staged means nothing was moved; else the new file was placed with no old one
    before it, and is removed.
    """
    previous = staging / _PREVIOUS
    for name in names:
        target = out_dir / name
        if (previous / name).exists() or (previous / name).is_symlink():
            os.replace(previous / name, target)
        elif not (staging / name).exists() and target.is_file():
            target.unlink()


def _recover_staging(out_dir: Path) -> None:
    """Undo the commits of killed runs and delete their staging folders (the lock is held: none is live)."""
    for staging in out_dir.glob(STAGING_PREFIX + "*"):
        if not staging.is_dir() or staging.is_symlink():
            continue
        journal = staging / _JOURNAL
        if journal.is_file():
            try:
                _roll_back(staging, out_dir, journal.read_text(encoding="utf-8").split("\n"))
            except OSError:
                continue  # keep it: the old outputs are still inside
        shutil.rmtree(staging, ignore_errors=True)


# --------------------------------------------------------------------------
# Text a file cannot hold
# --------------------------------------------------------------------------


def _without(pattern: re.Pattern, value, seen: dict | None = None):
    """``value`` (dataclasses, lists, dicts, strings, paths) with ``pattern`` replaced by « � »: a copy of what
    changes, the same objects where nothing does (a 30,000-card run holds a million of them). A dataclass met
    twice (a card, under its idea units) is looked at once (``seen``: id -> result)."""
    if isinstance(value, str):
        return pattern.sub(REPLACEMENT, value) if pattern.search(value) else value
    seen = {} if seen is None else seen
    if isinstance(value, Path):
        text = str(value)
        return Path(pattern.sub(REPLACEMENT, text)) if pattern.search(text) else value
    if hasattr(type(value), "__dataclass_fields__") and not isinstance(value, type):
        if id(value) in seen:
            return seen[id(value)][1]
        changes = {}
        for name in _init_fields(type(value)):
            item = getattr(value, name)
            if (cleaned := _without(pattern, item, seen)) is not item:
                changes[name] = cleaned
        result = dataclasses.replace(value, **changes) if changes else value
        seen[id(value)] = (value, result)  # the value kept alive, so that its id is not reused
        return result
    if isinstance(value, list):
        items = [_without(pattern, item, seen) for item in value]
        return value if all(new is old for new, old in zip(items, value)) else items
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        items = tuple(_without(pattern, item, seen) for item in value)
        return value if all(new is old for new, old in zip(items, value)) else items
    if isinstance(value, dict):
        pairs = [(_without(pattern, key, seen), _without(pattern, item, seen)) for key, item in value.items()]
        return value if all(k is old_k and v is old_v for (k, v), (old_k, old_v) in zip(pairs, value.items())) else dict(pairs)
    return value


@functools.lru_cache(maxsize=None)
def _init_fields(cls: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(cls) if field.init)

