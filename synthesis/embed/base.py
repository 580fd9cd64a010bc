"""The embedder interface shared by every backend."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np


class EmbedderError(RuntimeError):
    """An embedder could not be found or loaded (told in one line)."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into vectors.

    ``encode`` returns a float32 array of shape (len(texts), dimension) whose
    rows have unit L2 norm, so that a dot product is a cosine similarity.
    """

    name: str

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray: ...
