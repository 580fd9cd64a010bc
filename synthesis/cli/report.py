"""``synth report``: re-render a folder's reports from its saved result and corrections."""

from __future__ import annotations

import click

from synthesis.cli.cluster import _print_run_summary
from synthesis.cli.common import cache_root, handle_errors, out_dir_argument


@click.command("report")
@out_dir_argument
@handle_errors
def report(out_dir):
    """Réécrire les comptes rendus de DOSSIER (sortie de synth cluster) avec les corrections de l'éditeur.

    Relit le résultat enregistré (synth-resultat.json) et corrections.json, sans recalculer
    les thèmes ni les embeddings (quelques secondes sur la démonstration, surtout les graphiques).
    """
    from synthesis.corrections import render_folder

    cache_root()  # charts unchanged since the last run are read, not drawn again
    rendered = render_folder(out_dir)
    _print_run_summary(rendered.synthesis, rendered.written, rendered.problems)
    click.echo(f"Comptes rendus réécrits en {rendered.seconds:.2f} s".replace(".", ","))
