"""``synth compare``: what grew, shrank, appeared and disappeared between two runs."""

from __future__ import annotations

from pathlib import Path

import click

from synthesis.cards import display_name
from synthesis.cli.common import handle_errors

run_argument = click.Path(path_type=Path, file_okay=False, exists=True)


@click.command("compare")
@click.argument("run_a", metavar="DOSSIER_A", type=run_argument)
@click.argument("run_b", metavar="DOSSIER_B", type=run_argument)
@click.option("-o", "--output", "output_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Fichier Markdown à écrire (et le JSON à côté, même nom en .json) ; sinon le Markdown est affiché.")
@handle_errors
def compare(run_a, run_b, output_file):
    """Comparer les thèmes de deux comptes rendus (dossiers de synth cluster ou synth apply).

    Les thèmes sont rapprochés par leur identifiant quand B a été obtenu par synth apply avec A
    comme grille, sinon par leurs cartes communes et la proximité de sens ; pour chaque rubrique,
    les thèmes en hausse, en baisse, apparus et disparus, classés par l'écart de la part des
    groupes qui les ont évoqués. Les corrections de l'éditeur de chaque dossier sont appliquées.
    """
    from synthesis.codebook.compare import compare_runs, comparison_document, comparison_markdown
    from synthesis.corrections.folder import corrected_folder

    comparison = compare_runs(_run(run_a, corrected_folder), _run(run_b, corrected_folder))
    markdown = comparison_markdown(comparison)
    if output_file is None:
        click.echo(markdown, nl=False)
        return
    import json

    from synthesis.corrections.file import write_atomically

    targets = [output_file.with_suffix(".md"), output_file.with_suffix(".json")]
    _refuse_run_files(targets, [run_a, run_b])
    write_atomically(targets[0], markdown)
    write_atomically(targets[1], json.dumps(comparison_document(comparison), ensure_ascii=False, indent=2) + "\n")
    click.echo("Comparaison écrite : " + ", ".join(display_name(path) for path in targets))


def _run(folder: Path, corrected_folder):
    from synthesis.cards import InputError
    from synthesis.store import RESULT_FILE

    if not (folder / RESULT_FILE).is_file():
        raise InputError(f"{display_name(folder)} : pas de {RESULT_FILE} ; comparez deux dossiers écrits par synth cluster ou synth apply")
    return corrected_folder(folder).synthesis


def _refuse_run_files(targets: list[Path], runs: list[Path]) -> None:
    """The comparison never replaces a file synth wrote in one of the runs' folders."""
    from synthesis.cards import InputError
    from synthesis.corrections.file import CORRECTIONS_FILE
    from synthesis.report.output import OUTPUT_FILES

    protected = {(run / name).resolve() for run in runs for name in [*OUTPUT_FILES, CORRECTIONS_FILE]}
    for target in targets:
        if target.resolve() in protected:
            raise InputError(f"{display_name(target)} : c'est un fichier du compte rendu comparé ; choisissez un autre nom (-o)")
        if target.parent != Path("") and not target.parent.is_dir():
            raise InputError(f"{display_name(target.parent)} : dossier introuvable")
