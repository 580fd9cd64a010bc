"""``synth apply``: classify a new export into the themes of a reviewed run (the codebook)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from synthesis.cards import display_name
from synthesis.cli.common import cache_root, claim_output_and_read, cover_options, export_options, handle_errors, stderr_line


@click.command("apply")
@click.argument("codebook_dir", metavar="GRILLE", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.argument("input_file", metavar="FICHIER", type=click.Path(path_type=Path))
@click.option("-o", "--output", "output_dir", type=click.Path(path_type=Path), default=Path("synth-apply"),
              show_default=True, help="Dossier de sortie (pas celui de la grille).")
@click.option("--model", help="Modèle d'embeddings : celui de la grille (par défaut) ; un autre est refusé.")
@click.option("--quotes", "n_quotes", type=click.IntRange(min=1, max=20), default=3, show_default=True, help="Citations par thème.")
@click.option("--split/--no-split", default=True, show_default=True,
              help="Découper les cartes qui portent clairement plusieurs idées.")
@click.option("--seed", type=int, default=0, show_default=True, help="Graine des étapes aléatoires (nouveaux thèmes).")
@click.option("--title", help="Titre du compte rendu (par défaut : « Compte rendu — FICHIER »).")
@cover_options
@click.option("-q", "--quiet", is_flag=True, help="N'afficher que les erreurs et le résumé final.")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Dossier du cache des embeddings (par défaut ~/.cache/synth, ou $SYNTH_CACHE_DIR).")
@click.option("--no-cache", is_flag=True, help="Ne pas lire ni écrire le cache des embeddings.")
@export_options
@handle_errors
def apply(codebook_dir, input_file, output_dir, model, n_quotes, split, seed, title, quiet, cache_dir, no_cache, columns, **cover):
    """Classer les cartes de FICHIER dans les thèmes de GRILLE (un dossier de synth cluster, relu ou non).

    Les thèmes de la grille, avec les corrections de l'éditeur, gardent leur numéro et leur
    intitulé ; une carte rejoint le thème le plus proche quand elle lui ressemble autant que
    ses propres cartes (seuil calibré sur la grille). Les cartes qui ne rejoignent aucun thème
    forment de nouveaux thèmes, marqués « nouveau ». Écrit les mêmes fichiers que synth cluster.
    """
    from synthesis.codebook import apply_codebook, check_codebook
    from synthesis.corrections.folder import corrected_folder
    from synthesis.pipeline import Settings
    from synthesis.report import write_outputs
    from synthesis.store import RESULT_FILE

    from synthesis.cli.cluster import _print_run_summary

    say = (lambda message: None) if quiet else (lambda message: stderr_line(f"… {message}"))
    codebook = _codebook(codebook_dir, RESULT_FILE, corrected_folder)
    check_codebook(codebook, model, display_name(codebook_dir))
    # The codebook's folder is an input too: -o pointing at it would replace the codebook.
    card_set, cover, title = claim_output_and_read(input_file, output_dir, say, columns=columns, title=title, cover=cover,
                                                   other_inputs=[codebook_dir / RESULT_FILE])
    settings = Settings(model=codebook.embedder, n_quotes=n_quotes, split=split, seed=seed)
    synthesis = apply_codebook(codebook, card_set, settings, progress=say, show_progress=not quiet and sys.stderr.isatty(),
                               cache_dir=cache_root(cache_dir, no_cache))
    if title:
        synthesis.title = title
    synthesis.cover = cover
    say(f"Écriture des résultats dans {display_name(output_dir)}")
    written = write_outputs(synthesis, output_dir, inputs=[input_file, codebook_dir / RESULT_FILE])
    _print_codebook_summary(synthesis)
    _print_run_summary(synthesis, written)


def _codebook(codebook_dir: Path, result_file: str, corrected_folder):
    from synthesis.cards import InputError

    if not (codebook_dir / result_file).is_file():
        raise InputError(f"{display_name(codebook_dir)} : pas de {result_file} ; la grille doit être un dossier écrit par synth cluster")
    return corrected_folder(codebook_dir).synthesis


def _print_codebook_summary(synthesis) -> None:
    from synthesis.report.codebook_section import category_counts_line

    for category in synthesis.categories:
        click.echo(category_counts_line(synthesis, category))
