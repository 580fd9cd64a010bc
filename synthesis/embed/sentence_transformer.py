"""Adapter from any sentence-transformers model to the :class:`Embedder` interface."""

from __future__ import annotations

import os

import numpy as np

from synthesis.embed.base import EmbedderError


class SentenceTransformerEmbedder:
    """Load a sentence-transformers model lazily, once, and encode with it."""

    def __init__(self, name: str, location: str, *, trust_remote_code: bool = False, batch_size: int = 64):
        self.name = name
        self.location = location
        self.trust_remote_code = trust_remote_code
        self.batch_size = batch_size
        self._model = None

    @property
    def model(self):
        if self._model is None:
            self._model = self._load()
        return self._model

    def _load(self):
        from sentence_transformers import SentenceTransformer

        local = os.path.isdir(self.location)
        try:
            return SentenceTransformer(
                self.location,
                device="cpu",
                trust_remote_code=self.trust_remote_code,
                local_files_only=local,
            )
        except Exception as error:  # ST raises many types: OSError, ValueError, HF errors
            where = "dossier local" if local else "modèle du hub (réseau requis)"
            raise EmbedderError(
                f"impossible de charger le modèle d'embeddings « {self.location} » ({where}) : "
                f"{_first_line(error)}"
            ) from error

    @property
    def dimension(self) -> int:
        model = self.model
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def _first_line(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
