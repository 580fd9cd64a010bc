"""Embed stage: texts -> L2-normalised float32 vectors, behind one small interface.

Every embedder, the default one included, loads through sentence-transformers:
the registry in ``models/registry.json`` names each bundled model folder, and
any other sentence-transformers model (a local folder, or a hub name where a
network exists) can be selected by path or name.
"""

from synthesis.embed.base import Embedder, EmbedderError
from synthesis.embed.registry import DEFAULT_EMBEDDER, load_embedder, registry_entries

__all__ = ["DEFAULT_EMBEDDER", "Embedder", "EmbedderError", "load_embedder", "registry_entries"]
