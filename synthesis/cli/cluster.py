"""``synth cluster``: read an export, compute the themes, write every report."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from synthesis.cards import display_name
from synthesis.cli.common import Granularity, cache_root, claim_output_and_read, cover_options, export_options, handle_errors, stderr_line
from synthesis.embed import DEFAULT_EMBEDDER


@click.command("cluster")
@click.argument("input_file", metavar="FICHIER", type=click.Path(path_type=Path))
@click.option("-o", "--output", "output_dir", type=click.Path(path_type=Path), default=Path("synth-out"),
              show_default=True, help="Dossier de sortie.")
@click.option("--model", default=DEFAULT_EMBEDDER, show_default=True,
              help="Modèle d'embeddings : un nom du registre models/, un dossier sentence-transformers, ou un nom du hub (réseau requis).")
@click.option("--themes", "n_themes", type=click.IntRange(min=1), help="Nombre de thèmes imposé par catégorie (sinon choisi automatiquement).")
@click.option("--granularity", type=Granularity(), default="default", show_default=True,
              help="Thèmes plus larges (coarser) ou plus fins (finer) que le choix automatique, ou un nombre de -2 à 2 (« 0,5 » : un peu plus fins).")
@click.option("--quotes", "n_quotes", type=click.IntRange(min=1, max=20), default=3, show_default=True, help="Citations par thème.")
@click.option("--split/--no-split", default=True, show_default=True,
              help="Découper les cartes qui portent clairement plusieurs idées (puces, retours à la ligne, « ; », « mais ») "
                   "et, dans une enquête, les réponses en phrases.")
@click.option("--seed", type=int, default=0, show_default=True, help="Graine des étapes aléatoires (même entrée, même graine : même résultat).")
@click.option("--title", help="Titre du compte rendu (par défaut : « Compte rendu — FICHIER »).")
@click.option("--edits", "edits_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Corrections d'un éditeur à appliquer (par défaut : corrections.json du dossier de sortie, s'il existe).")
@cover_options
@click.option("-q", "--quiet", is_flag=True, help="N'afficher que les erreurs et le résumé final.")
@click.option("-v", "--verbose", is_flag=True, help="Afficher aussi la durée de chaque étape.")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Dossier du cache des embeddings (par défaut ~/.cache/synth, ou $SYNTH_CACHE_DIR).")
@click.option("--no-cache", is_flag=True, help="Ne pas lire ni écrire le cache des embeddings.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Où tournent les étapes lourdes : cette machine, ou un cluster Dask (--scheduler, sinon un cluster local).")
@click.option("--scheduler", metavar="ADRESSE", help="Planificateur Dask (tcp://hôte:8786) ; implique --engine dask.")
@click.option("--partitions", type=click.IntRange(min=1),
              help="Nombre de partitions des idées (même nombre : même résultat ; par défaut 1 par 10 000 idées, au moins 4).")
@click.option("--workers", type=click.IntRange(min=1), help="Processus du cluster Dask local (sans --scheduler ; 2 par défaut).")
@export_options
@handle_errors
def cluster(input_file, output_dir, model, n_themes, granularity, n_quotes, split, seed, title, edits_file, quiet, verbose,
            cache_dir, no_cache, engine, scheduler, partitions, workers, columns, **cover):
    """Regrouper les cartes de FICHIER par thème et écrire le compte rendu.

    Écrit dans le dossier de sortie : compte-rendu.md, compte-rendu.html, compte-rendu.docx,
    themes.json (résultat structuré), cartes.csv (chaque carte avec son thème), journal.txt
    (lignes ignorées et avertissements, hors du compte rendu) et synth-resultat.json (le
    résultat entier, pour synth report et synth review). La page de garde se remplit avec
    les options --client, --date… ou un fichier synth.toml placé à côté de FICHIER.
    Les corrections d'un éditeur (corrections.json du dossier, ou --edits) sont
    appliquées, et les thèmes gardent leur identifiant d'une exécution à l'autre.

    Une enquête (une colonne répondant et une colonne question, ou une colonne par
    question) se lit aussi : les thèmes comptent alors des répondants, et --segment
    COLONNE (répétable) les répartit par département, type de structure…
    """
    from synthesis.corrections import carry_over, keep_corrections_in, load_corrections
    from synthesis.corrections.folder import check_same_export, corrections_path
    from synthesis.engine import make_engine
    from synthesis.pipeline import Settings, synthesize
    from synthesis.report import write_outputs

    load_corrections(corrections_path(output_dir, edits_file))  # a broken file stops the run before the long part
    say = (lambda message: None) if quiet else (lambda message: stderr_line(f"… {message}"))
    card_set, cover, title = claim_output_and_read(input_file, output_dir, say, columns=columns, title=title, cover=cover)
    check_same_export(output_dir, card_set.cards, edits_file)
    if n_themes is not None and granularity != 0:
        stderr_line("Attention : --granularity est sans effet quand --themes fixe le nombre de thèmes.", err_style="yellow")
    settings = Settings(model=model, n_themes=n_themes, granularity=granularity, n_quotes=n_quotes, split=split, seed=seed)
    timings: dict[str, float] = {}
    if scheduler or engine == "dask":
        say(f"Connexion au cluster Dask {scheduler}" if scheduler else "Démarrage d'un cluster Dask local")
    runner = click.get_current_context().with_resource(
        make_engine("dask" if scheduler else engine, scheduler=scheduler, partitions=partitions, workers=workers))
    synthesis = synthesize(card_set, settings, progress=say, show_progress=not quiet and sys.stderr.isatty(),
                           cache_dir=cache_root(cache_dir, no_cache), timings=timings, engine=runner)
    for warning in synthesis.warnings[len(card_set.warnings):]:
        stderr_line(f"Attention : {warning}", err_style="yellow")
    if title:
        synthesis.title = title
    synthesis.cover = cover
    carried = carry_over(synthesis, output_dir, edits_file)
    if carried.notice:
        stderr_line(f"Attention : {carried.notice}", err_style="yellow")
    if carried.matching is not None:
        say(f"Identifiants de thèmes repris de l'exécution précédente : {carried.matching.kept_share:.0%}")
    say(f"Écriture des résultats dans {display_name(output_dir)}")
    started = time.perf_counter()
    written = write_outputs(carried.synthesis, output_dir, inputs=[input_file])
    timings["reports"] = time.perf_counter() - started
    keep_corrections_in(output_dir, carried)
    if verbose:
        stderr_line("Durées (s) : " + " · ".join(f"{stage} {seconds:.1f}" for stage, seconds in timings.items()))
    _print_run_summary(carried.synthesis, written, carried.problems)


def _print_run_summary(synthesis, written: list[Path], problems: list[str] = ()) -> None:
    from synthesis.french import plural
    from synthesis.report.wording import all_warnings, run_summary_lines

    for problem in problems:
        stderr_line(f"Attention : {problem}", err_style="yellow")

    if synthesis.skipped_rows:
        stderr_line(f"Attention : {all_warnings(synthesis)[-1]}", err_style="yellow")
    for line in run_summary_lines(synthesis):
        click.echo(line)
    corrected = sum(theme.corrected for theme in synthesis.themes())
    if synthesis.base is not None:
        click.echo(f"Corrections de l'éditeur : {plural(corrected, 'thème corrigé', 'thèmes corrigés')}"
                   + (f", {plural(len(problems), 'correction non appliquée', 'corrections non appliquées')}" if problems else ""))
    click.echo("Fichiers écrits : " + ", ".join(display_name(path) for path in written))
