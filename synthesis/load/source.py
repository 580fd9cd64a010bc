"""Read the export's bytes, never more than :data:`MAX_INPUT_BYTES`.

A workshop export is a few hundred kilobytes; a survey of 100,000 answers is
about 30 MB. Reading stops one byte past the limit, so ``/dev/zero``,
``/dev/urandom`` or a runaway pipe fail in a fraction of a second instead of
filling the memory.
"""

from __future__ import annotations

from pathlib import Path

from synthesis.cards import InputError

#: Largest export read (bytes). Documented in the README ("Entrées acceptées").
MAX_INPUT_BYTES = 50 * 1024 * 1024
_UTF8_BOM = b"\xef\xbb\xbf"
_CHUNK = 1024 * 1024


def read_bytes(path: Path, label: str) -> bytes:
    try:
        size = path.stat().st_size if path.is_file() else 0
        with path.open("rb") as handle:
            data = _read_bounded(handle, size)
    except FileNotFoundError:
        raise InputError(f"{label} : fichier introuvable. Vérifiez le chemin et le nom du fichier.") from None
    except IsADirectoryError:
        raise InputError(f"{label} : c'est un dossier, pas un fichier. Indiquez le fichier d'export lui-même.") from None
    except PermissionError:
        if path.is_dir():  # Windows reports a directory as a permission error
            raise InputError(f"{label} : c'est un dossier, pas un fichier. Indiquez le fichier d'export lui-même.") from None
        raise InputError(f"{label} : lecture refusée (droits insuffisants). Vérifiez les droits du fichier.") from None
    except (OSError, ValueError) as error:
        raise InputError(f"{label} : lecture impossible ({type(error).__name__}). Vérifiez le chemin du fichier.") from None
    if size > MAX_INPUT_BYTES or len(data) > MAX_INPUT_BYTES:
        raise _too_large(label)
    if not data.removeprefix(_UTF8_BOM).strip():
        raise InputError(f"{label} : fichier vide. Exportez à nouveau les cartes.")
    return data


def _read_bounded(handle, size: int) -> bytes:
    if size > MAX_INPUT_BYTES:
        return b""  # refused by the caller without reading
    chunks, read = [], 0
    while read <= MAX_INPUT_BYTES:
        chunk = handle.read(_CHUNK)
        if not chunk:
            break
        chunks.append(chunk)
        read += len(chunk)
    return b"".join(chunks)


def _too_large(label: str) -> InputError:
    return InputError(
        f"{label} : fichier trop volumineux (plus de {MAX_INPUT_BYTES // (1024 * 1024)} Mo) ou flux sans fin. "
        "Indiquez un export de cartes (CSV, XLSX ou JSON)."
    )
