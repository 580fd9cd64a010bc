"""``synth models``: the embedding models of the registry."""

from __future__ import annotations

import click

from synthesis.embed import DEFAULT_EMBEDDER


@click.command("models")
def list_models():
    """Lister les modèles d'embeddings du registre (models/registry.json)."""
    from synthesis.embed import registry_entries

    for name, entry in registry_entries().items():
        default = " (par défaut)" if name == DEFAULT_EMBEDDER else ""
        click.echo(f"{name}{default} : {entry['description']} — dimension {entry['dimension']} — poids : {entry['weights']}")
