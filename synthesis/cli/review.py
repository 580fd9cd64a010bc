"""``synth review``: the local review page."""

from __future__ import annotations

import click

from synthesis.cli.common import cache_root, handle_errors, out_dir_argument


@click.command("review")
@out_dir_argument
@click.option("--no-open", is_flag=True, help="Ne pas ouvrir le navigateur (afficher seulement l'adresse).")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port local (par défaut : un port libre).")
@handle_errors
def review(out_dir, no_open, port):
    """Relire et corriger les thèmes de DOSSIER dans le navigateur (page locale, 127.0.0.1).

    Renommer, déplacer des cartes, fusionner, scinder, masquer, choisir les citations,
    épingler un rang, annoter : chaque modification est ajoutée à corrections.json et
    les comptes rendus du dossier sont réécrits aussitôt. Ctrl-C pour arrêter.
    """
    import time
    import webbrowser

    from synthesis.review.server import ReviewServer

    cache_root()
    server = ReviewServer(out_dir, port=port)
    server.start()
    click.echo(f"Relecture de {out_dir} : {server.url} (Ctrl-C pour arrêter)")
    if not no_open:
        webbrowser.open(server.url)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:  # the normal way out: every change is already saved
        click.echo("Relecture terminée : corrections.json et les comptes rendus sont à jour.")
    finally:
        server.close()
