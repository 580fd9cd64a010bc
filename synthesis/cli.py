"""The ``synth`` command: a thin click shell over the library.

Each command parses its options, calls one library function, and turns the
library's own errors into one-line messages with the right exit status:
2 for bad input or usage, 1 for an internal fault (``--debug`` shows it).
"""

from __future__ import annotations

import functools
import sys
import time
from pathlib import Path

import click

from synthesis import __version__
from synthesis.cards import InputError, display_name
from synthesis.embed import DEFAULT_EMBEDDER, EmbedderError
from synthesis.usage_errors import french_usage_error

EXIT_INTERNAL, EXIT_INPUT, EXIT_INTERRUPTED = 1, 2, 130

GRANULARITY_WORDS = {"coarser": -1.0, "large": -1.0, "default": 0.0, "normal": 0.0, "finer": 1.0, "fine": 1.0}


class Granularity(click.ParamType):
    name = "granularité"

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        word = str(value).strip().lower()
        if word in GRANULARITY_WORDS:
            return GRANULARITY_WORDS[word]
        try:
            number = float(word.replace(",", "."))  # « 0,5 » as French users write it
        except ValueError:
            self.fail(f"« {value} » : attendu coarser, finer, default ou un nombre entre -2 et 2", param, ctx)
        if not -2.0 <= number <= 2.0:
            self.fail(f"« {value} » : le nombre doit être entre -2 (plus large) et 2 (plus fin)", param, ctx)
        return number


def _stderr(message: str, *, err_style: str | None = None) -> None:
    """One line on stderr: a line break inside a quoted cell or a file name must not split a message."""
    click.secho(" ".join(str(message).splitlines()), err=True, fg=err_style)


def handle_errors(command):
    """Translate library errors into one line on stderr and an exit status; never a traceback unless --debug."""

    @functools.wraps(command)
    def wrapper(*args, debug: bool = False, **kwargs):
        try:
            return command(*args, **kwargs)
        except (InputError, EmbedderError) as error:
            if debug:
                raise
            _stderr(f"Erreur : {error}", err_style="red")
            sys.exit(EXIT_INPUT)
        except KeyboardInterrupt:
            _stderr("Interrompu : les fichiers de sortie précédents sont intacts.", err_style="yellow")
            sys.exit(EXIT_INTERRUPTED)
        except Exception as error:  # the last resort: an internal fault, told in one line
            if debug:
                raise
            _stderr(f"Erreur interne : {type(error).__name__}: {error} (relancez avec --debug pour le détail)", err_style="red")
            sys.exit(EXIT_INTERNAL)

    return click.option("--debug", is_flag=True, help="Afficher la trace complète en cas d'erreur interne.")(wrapper)


def _stack(command, options):
    """Apply click options in the order listed (decorators apply bottom-up)."""
    for option in reversed(options):
        command = option(command)
    return command


def column_options(command):
    """The shared --*-column / --sheet options of every command that reads a card export."""
    return _stack(command, [
        click.option("--text-column", help="Colonne du texte des cartes (sinon devinée : texte, carte, contenu, idée…)."),
        click.option("--group-column", help="Colonne du groupe (sinon devinée : groupe, atelier, table…)."),
        click.option("--category-column", help="Colonne de la catégorie (sinon devinée : catégorie, type, rubrique…)."),
        click.option("--id-column", help="Colonne de l'identifiant (sinon devinée : id, n°, numéro ; générée si absente)."),
        click.option("--sheet", help="Feuille à lire dans un fichier XLSX (par défaut celle qui a les colonnes des cartes)."),
    ])


def cover_options(command):
    """What the Word report's cover says; also read from a synth.toml beside the export (options win)."""
    return _stack(command, [
        click.option("--client", help="Client (page de garde)."),
        click.option("--date", help="Date de l'atelier (page de garde ; « 2023-10-12 » devient aussi la date du document)."),
        click.option("--place", help="Lieu de l'atelier (page de garde)."),
        click.option("--facilitator", help="Animation (page de garde)."),
        click.option("--author", help="Rédaction : auteur du compte rendu (page de garde et propriétés du document)."),
        click.option("--question", help="La question posée aux participants (page de garde)."),
    ])


class FrenchGroup(click.Group):
    """click's group, with usage errors told in one French line (exit 2) instead of its English usage text."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as error:
            _stderr(f"Erreur : {french_usage_error(error)}", err_style="red")
            sys.exit(EXIT_INPUT)
        except click.ClickException as error:
            _stderr(f"Erreur : {' '.join(error.format_message().split())}", err_style="red")
            sys.exit(error.exit_code)
        except click.Abort:
            _stderr("Interrompu.", err_style="yellow")
            sys.exit(EXIT_INTERRUPTED)
        sys.exit(result if isinstance(result, int) else 0)


@click.group(cls=FrenchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="synth", message="%(prog)s %(version)s")
def main():
    """synth : synthèse des cartes d'ateliers participatifs et des réponses ouvertes (en français).

    Charge un export de cartes (CSV, XLSX, JSON), regroupe les cartes par thème dans
    chaque catégorie (forces, faiblesses, attentes, contributions) et écrit le compte rendu.
    """


@main.command()
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
              help="Découper les cartes qui portent clairement plusieurs idées (puces, retours à la ligne, « ; », « mais »).")
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
@column_options
@handle_errors
def cluster(input_file, output_dir, model, n_themes, granularity, n_quotes, split, seed, title, edits_file, quiet, verbose,
            cache_dir, no_cache, text_column, group_column, category_column, id_column, sheet, **cover):
    """Regrouper les cartes de FICHIER par thème et écrire le compte rendu.

    Écrit dans le dossier de sortie : compte-rendu.md, compte-rendu.html, compte-rendu.docx,
    themes.json (résultat structuré), cartes.csv (chaque carte avec son thème), journal.txt
    (lignes ignorées et avertissements, hors du compte rendu) et synth-resultat.json (le
    résultat entier, pour synth report et synth review). La page de garde se remplit avec
    les options --client, --date… ou un fichier synth.toml placé à côté de FICHIER.
    Les corrections d'un éditeur (corrections.json du dossier, ou --edits) sont
    appliquées, et les thèmes gardent leur identifiant d'une exécution à l'autre.
    """
    from synthesis.corrections import carry_over, keep_corrections_in, load_corrections
    from synthesis.corrections.folder import check_same_export, corrections_path
    from synthesis.embed.cache import default_cache_dir
    from synthesis.load import load_cards
    from synthesis.pipeline import Settings, synthesize
    from synthesis.project import read_project
    from synthesis.report import write_outputs
    from synthesis.report.output import output_lock, prepare_output_dir

    load_corrections(corrections_path(output_dir, edits_file))  # a broken file stops the run before the long part
    say = (lambda message: None) if quiet else (lambda message: _stderr(f"… {message}"))
    # Checked before the long computation: a wrong -o, an output that would replace the input,
    # or another run writing into the same folder fails at once. The lock is held until the command ends.
    prepare_output_dir(output_dir, inputs=[input_file])
    click.get_current_context().with_resource(output_lock(output_dir))
    cover, title = read_project(input_file, title=title, **cover)
    say(f"Lecture de {display_name(input_file)}")
    card_set = load_cards(input_file, text_column=text_column, group_column=group_column,
                          category_column=category_column, id_column=id_column, sheet=sheet)
    for warning in card_set.warnings:
        _stderr(f"Attention : {warning}", err_style="yellow")
    check_same_export(output_dir, card_set.cards, edits_file)
    if n_themes is not None and granularity != 0:
        _stderr("Attention : --granularity est sans effet quand --themes fixe le nombre de thèmes.", err_style="yellow")
    settings = Settings(model=model, n_themes=n_themes, granularity=granularity, n_quotes=n_quotes, split=split, seed=seed)
    timings: dict[str, float] = {}
    synthesis = synthesize(card_set, settings, progress=say, show_progress=not quiet and sys.stderr.isatty(),
                           cache_dir=None if no_cache else (cache_dir or default_cache_dir()), timings=timings)
    for warning in synthesis.warnings[len(card_set.warnings):]:
        _stderr(f"Attention : {warning}", err_style="yellow")
    if title:
        synthesis.title = title
    synthesis.cover = cover
    carried = carry_over(synthesis, output_dir, edits_file)
    if carried.notice:
        _stderr(f"Attention : {carried.notice}", err_style="yellow")
    if carried.matching is not None:
        say(f"Identifiants de thèmes repris de l'exécution précédente : {carried.matching.kept_share:.0%}")
    say(f"Écriture des résultats dans {display_name(output_dir)}")
    started = time.perf_counter()
    written = write_outputs(carried.synthesis, output_dir, inputs=[input_file])
    timings["reports"] = time.perf_counter() - started
    keep_corrections_in(output_dir, carried)
    if verbose:
        _stderr("Durées (s) : " + " · ".join(f"{stage} {seconds:.1f}" for stage, seconds in timings.items()))
    _print_run_summary(carried.synthesis, written, carried.problems)


def _print_run_summary(synthesis, written: list[Path], problems: list[str] = ()) -> None:
    from synthesis.french import plural
    from synthesis.report.wording import all_warnings, category_title, run_summary

    for problem in problems:
        _stderr(f"Attention : {problem}", err_style="yellow")

    counts = run_summary(synthesis)
    if synthesis.skipped_rows:
        _stderr(f"Attention : {all_warnings(synthesis)[-1]}", err_style="yellow")
    click.echo(
        f"Cartes lues : {counts['cards_read']} · placées : {counts['cards_placed']} · ignorées (sans texte) : {counts['rows_skipped']}"
    )
    for category in synthesis.categories:
        themes = [t for t in category.themes if not t.isolated]
        isolated = sum(t.n_cards for t in category.themes if t.isolated)
        click.echo(
            f"  {category_title(category.category)} : {plural(category.n_cards, 'carte')}, {plural(len(themes), 'thème')}, "
            f"{plural(isolated, 'idée isolée', 'idées isolées')}"
        )
    corrected = sum(theme.corrected for theme in synthesis.themes())
    if synthesis.base is not None:
        click.echo(f"Corrections de l'éditeur : {plural(corrected, 'thème corrigé', 'thèmes corrigés')}"
                   + (f", {plural(len(problems), 'correction non appliquée', 'corrections non appliquées')}" if problems else ""))
    click.echo("Fichiers écrits : " + ", ".join(display_name(path) for path in written))


out_dir_argument = click.argument(
    "out_dir", metavar="DOSSIER", type=click.Path(path_type=Path, file_okay=False, exists=True)
)


@main.command()
@out_dir_argument
@handle_errors
def report(out_dir):
    """Réécrire les comptes rendus de DOSSIER (sortie de synth cluster) avec les corrections de l'éditeur.

    Relit le résultat enregistré (synth-resultat.json) et corrections.json, sans recalculer
    les thèmes ni les embeddings (quelques secondes sur la démonstration, surtout les graphiques).
    """
    from synthesis.corrections import render_folder

    rendered = render_folder(out_dir)
    _print_run_summary(rendered.synthesis, rendered.written, rendered.problems)
    click.echo(f"Comptes rendus réécrits en {rendered.seconds:.2f} s".replace(".", ","))


@main.command()
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


@main.command("models")
def list_models():
    """Lister les modèles d'embeddings du registre (models/registry.json)."""
    from synthesis.embed import registry_entries

    for name, entry in registry_entries().items():
        default = " (par défaut)" if name == DEFAULT_EMBEDDER else ""
        click.echo(f"{name}{default} : {entry['description']} — dimension {entry['dimension']} — poids : {entry['weights']}")


if __name__ == "__main__":  # pragma: no cover
    main()
