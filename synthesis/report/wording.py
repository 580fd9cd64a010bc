"""French wording shared by every human-readable report."""

from __future__ import annotations

from synthesis.cards import CATEGORIES, UNKNOWN_SEGMENT
from synthesis.french import plural, segment_word
from synthesis.report.typography import french_number
from synthesis.result import SPECIFIC, TRANSVERSAL, CategoryResult, CrossLink, Match, Synthesis, Theme

CATEGORY_TITLES = {
    "forces": "Forces",
    "faiblesses": "Faiblesses",
    "attentes": "Attentes",
    "contributions": "Contributions",
    "cartes": "Cartes",
}


def category_title(category: str) -> str:
    return CATEGORY_TITLES.get(category, category[:1].upper() + category[1:])


def is_survey(category: CategoryResult | None) -> bool:
    """A survey's question (respondents counted) rather than a workshop's category (groups counted)."""
    return category is not None and category.n_respondents > 0


def theme_facts(theme: Theme, total_groups: int, category: CategoryResult | None = None) -> str:
    """"Évoqué par 8 groupes sur 9 · 23 cartes · transversal · 12 gommettes"; for a survey's question
    (``category``), "Cité par 23 répondants sur 48, dans 9 départements sur 13 · 27 réponses"."""
    if is_survey(category):
        facts = [f"cité par {plural(theme.n_groups, 'répondant')} sur {category.n_respondents}" + _segment_coverage(theme, category),
                 plural(theme.n_cards, "réponse")]
    else:
        facts = [
            f"évoqué par {plural(theme.n_groups, 'groupe')} sur {total_groups}",
            plural(theme.n_cards, "carte"),
        ]
    if theme.scope == TRANSVERSAL:
        facts.append("thème transversal")
    elif theme.scope == SPECIFIC:
        facts.append("thème spécifique")
    if theme.votes:
        facts.append(plural(theme.votes, "gommette"))
    if theme.over_represented_group:
        facts.append(f"surtout porté par {theme.over_represented_group}")
    if theme.corrected:
        facts.append("revu par l'éditeur")
    if theme.new:
        facts.insert(0, "nouveau thème, absent de la grille")
    text = " · ".join(facts)
    return text[:1].upper() + text[1:]


def _segment_coverage(theme: Theme, category: CategoryResult) -> str:
    """", dans 9 départements sur 13 et 3 types de structure sur 4" (values left empty in the export not counted)."""
    parts = []
    for segment, values in category.segment_values.items():
        known = [value for value in values if value != UNKNOWN_SEGMENT]
        cited = [value for value in theme.segments.get(segment, []) if value != UNKNOWN_SEGMENT]
        if len(known) > 1:
            parts.append(f"{len(cited)} {segment_word(segment, len(cited))} sur {len(known)}")
    return f", dans {_enumerate(parts)}" if parts else ""


def profile_line(theme: Theme) -> str:
    """The segments that raised a survey theme more, or less, than their share of respondents ("" for a workshop).

    « Profil — Type de structure : plus présent chez Office de tourisme de station (9 répondants pour 3,1 attendus) ;
    pas d'écart net selon « Département » ». Only values whose adjusted p-value is below the threshold are named
    (synthesis.summarise.profile says how), never a raw p-value; « effectifs trop faibles » when no test could conclude.
    """
    if theme.isolated or not theme.profile:
        return ""
    found, flat, small = [], [], []
    for segment in dict.fromkeys(share.segment for share in theme.profile):
        shares = [share for share in theme.profile if share.segment == segment]
        over = [_share_phrase(share) for share in shares if share.direction == "+"]
        under = [_share_phrase(share) for share in shares if share.direction == "-"]
        if over or under:
            said = ([f"plus présent chez {_enumerate(over)}"] if over else []) + ([f"moins présent chez {_enumerate(under)}"] if under else [])
            found.append(f"{segment} : {', '.join(said)}")
        elif any(share.test for share in shares):
            flat.append(f"« {segment} »")
        else:
            small.append(f"« {segment} »")
    parts = found
    if flat:
        parts.append(f"pas d'écart net selon {_enumerate(flat).replace(' et ', ' ni ')}")
    if small:
        parts.append(f"effectifs trop faibles pour tester {_enumerate(small)}")
    return "Profil — " + " ; ".join(parts)


def _share_phrase(share) -> str:
    return f"{share.value} ({plural(share.observed, 'répondant')} pour {french_number(share.expected, 1)} attendus)"


def editor_note(theme: Theme) -> str:
    """The editor's note on a theme, as printed under it ("" for none)."""
    return f"Note de l'éditeur : {theme.note}" if theme.note else ""


def quote_line(text: str, group: str, *, segment_of: str = "") -> str:
    """« text » (group), with « extrait de … » when the quote is a segment of a longer card."""
    line = f"« {' '.join(text.split())} » ({group})"
    if segment_of:
        line += f", extrait de « {' '.join(segment_of.split())} »"
    return line


def category_paragraph(category) -> str:
    """The category's summary, and why its themes' card counts may add up past its cards."""
    text = category.summary
    extra = category.n_cards_in_several_themes
    if extra > 0 and is_survey(category):
        text += (
            f" Une réponse qui aborde plusieurs sujets compte dans chacun de leurs thèmes (un répondant une seule fois par thème) : "
            f"les thèmes totalisent {plural(extra, 'réponse')} de plus que les {category.n_cards} de la question."
        )
    elif extra > 0:
        text += (
            f" Une carte qui porte plusieurs idées compte dans chacun de leurs thèmes : les thèmes totalisent "
            f"{plural(extra, 'carte')} de plus que les {category.n_cards} de la rubrique."
        )
    return text


def run_summary(synthesis: Synthesis) -> dict[str, int]:
    placed = len({unit.card_id for unit in synthesis.units if unit.id in synthesis.placements})
    return {
        "cards_read": len(synthesis.cards) + len(synthesis.skipped_rows),
        "cards_placed": placed,
        "rows_skipped": len(synthesis.skipped_rows),
    }


def intro(synthesis: Synthesis) -> str:
    counts = run_summary(synthesis)
    categories = [category_title(c.category) for c in synthesis.categories]
    if synthesis.survey is not None:
        segments = synthesis.survey.segments
        by = f" ; répartition par {_enumerate([f'« {segment} »' for segment in segments])}" if segments else ""
        return (f"{plural(counts['cards_placed'], 'réponse')} de {plural(synthesis.n_groups, 'répondant')} à "
                f"{plural(len(categories), 'question')} ({' ; '.join(categories)}){by}.")
    known = [c for c in synthesis.categories if c.category in CATEGORIES]
    rubriques = plural(len(categories), "rubrique")
    text = (
        f"{plural(counts['cards_placed'], 'carte')} de {plural(synthesis.n_groups, 'groupe')}, "
        f"{rubriques} ({', '.join(categories)})."
    )
    if known and len(known) < len(synthesis.categories):
        text += " Les rubriques hors des quatre catégories habituelles sont présentées telles quelles."
    return text


def unit_word(synthesis: Synthesis) -> str:
    """What the reports call one input row: a workshop's « carte », a survey's « réponse »."""
    return "réponse" if synthesis.survey is not None else "carte"


def subtitle(synthesis: Synthesis) -> str:
    return "Synthèse des réponses à l'enquête" if synthesis.survey is not None else "Synthèse des cartes de l'atelier"


def annex_title(synthesis: Synthesis) -> str:
    return f"Annexe : toutes les {unit_word(synthesis)}s"


def skipped_warning(rows: list[int]) -> str:
    listed = ", ".join(str(row) for row in rows[:50])
    more = f" (et {len(rows) - 50} autres)" if len(rows) > 50 else ""
    return f"{plural(len(rows), 'ligne ignorée', 'lignes ignorées')} car sans texte : ligne{'s' if len(rows) > 1 else ''} {listed}{more}."


def all_warnings(synthesis: Synthesis) -> list[str]:
    warnings = list(synthesis.warnings)
    if synthesis.skipped_rows:
        warnings.append(skipped_warning(synthesis.skipped_rows))
    return warnings


# --- the deliverable: summary, cross reading, method, journal --------------------------

CROSS_TITLE = "Des constats aux engagements"


def theme_titles(category: CategoryResult) -> list[tuple[Theme, str]]:
    """Each theme with its heading: « 3. Label » for ranked themes, « Idées isolées (2 cartes) » for the bucket."""
    titled, rank = [], 0
    for theme in category.themes:
        if theme.isolated:
            titled.append((theme, f"{theme.label} ({plural(theme.n_cards, 'réponse' if is_survey(category) else 'carte')})"))
        else:
            rank += 1
            titled.append((theme, f"{rank}. {theme.label}"))
    return titled


def category_digest(category: CategoryResult, total_groups: int, limit: int = 3) -> str:
    """One sentence for the summary: a category's few transversal (or, failing them, leading) themes."""
    ranked = [theme for theme in category.themes if not theme.isolated]
    title = category_title(category.category)
    if is_survey(category):
        return _question_digest(category, ranked, title, limit)
    if not ranked:
        return f"{title} : aucun thème commun ne se dégage des {plural(category.n_cards, 'carte')}."
    if total_groups < 2:  # a survey without groups: the cards are what there is to count
        named = [f"« {theme.label} » ({plural(theme.n_cards, 'carte')})" for theme in ranked[:limit]]
        return f"{title} — {plural(len(ranked), 'thème')}, en tête {_enumerate(named)}."
    transversal = [theme for theme in ranked if theme.scope == TRANSVERSAL]
    lead = transversal or ranked
    named = [f"« {theme.label} » ({plural(theme.n_groups, 'groupe')} sur {total_groups})" for theme in lead[:limit]]
    if transversal:
        head = (f"{plural(len(transversal), 'thème partagé', 'thèmes partagés')} par au moins deux tiers des groupes"
                + (", en tête " if len(transversal) > limit else " : "))
    else:
        head = "aucun thème n'est partagé par deux tiers des groupes ; en tête "
    return f"{title} — {head}{_enumerate(named)}."


def _question_digest(category: CategoryResult, ranked: list[Theme], title: str, limit: int) -> str:
    """« Question — 7 thèmes, en tête « X » (23 répondants sur 48) et « Y » (12 répondants sur 48). »"""
    if not ranked:
        return f"{title} : aucun thème commun ne se dégage des {plural(category.n_cards, 'réponse')}."
    named = [f"« {theme.label} » ({plural(theme.n_groups, 'répondant')} sur {category.n_respondents})" for theme in ranked[:limit]]
    return f"{title} — {plural(len(ranked), 'thème')}, en tête {_enumerate(named)}."


def cross_sentence(link: CrossLink) -> str:
    """« Face à « X », les attentes « A » ; les contributions proposées « C ». »"""
    parts = []
    if link.answers:
        parts.append(f"les participants attendent {_enumerate([f'« {m.label} »' for m in link.answers])}")
    if link.offers:
        parts.append(f"ils proposent {_enumerate([f'« {m.label} »' for m in link.offers])}")
    if not parts:
        return f"Face à « {link.label} », aucune attente ni contribution ne répond nettement."
    return f"Face à « {link.label} », {' ; '.join(parts)}."


def match_explanation(match: Match) -> str:
    """Why two themes are paired, in words a reader can check: « liaison forte : proche par le sens (0,62), 5 groupes en commun »."""
    groups = plural(len(match.shared_groups), "groupe") + " en commun" if match.shared_groups else "aucun groupe en commun"
    return f"liaison {match.level} : proximité de sens {french_number(match.similarity, 2)}, {groups}"


def method_paragraphs(synthesis: Synthesis) -> list[str]:
    """The method note, in plain French, with the run's settings."""
    counts = run_summary(synthesis)
    settings = synthesis.settings or {}
    split = sum(1 for unit in synthesis.units if unit.segment == 1)
    n_themes = sum(1 for theme in synthesis.themes() if not theme.isolated)
    if synthesis.survey is not None:
        return _survey_method(synthesis, counts, settings, split, n_themes)
    paragraphs = [
        f"Ce compte rendu a été préparé à partir de l'export « {synthesis.source.name} » : "
        f"{plural(counts['cards_placed'], 'carte')} écrites par {plural(synthesis.n_groups, 'groupe')}, "
        f"dans {plural(len(synthesis.categories), 'rubrique')}. Les lignes sans texte ont été écartées.",
        (f"{plural(split, 'carte portait', 'cartes portaient')} clairement plusieurs idées (puces, « ; », « mais ») : "
         "elles ont été découpées, chaque extrait restant dans la rubrique choisie par le groupe ; "
         "une telle carte peut compter dans deux thèmes." if split else
         "Aucune carte n'a été découpée : chacune compte dans un seul thème."),
        "Dans chaque rubrique, les cartes ont été regroupées par le sens de leur texte (un modèle de langue "
        f"multilingue, « {synthesis.embedder} », exécuté sur place, sans envoi de données) puis par leurs mots communs, "
        f"en recoupant de nombreux regroupements pour ne garder que les plus stables : {plural(n_themes, 'thème')} au total. "
        "Les cartes qui ne rejoignent aucun thème sont présentées comme idées isolées.",
        "Chaque thème est nommé à partir des mots de ses cartes et illustré par des citations fidèles, choisies parmi "
        "les cartes les plus représentatives et dans des groupes différents. Les thèmes sont classés par nombre de "
        "groupes qui les ont évoqués, puis par nombre de cartes et de gommettes ; un thème est dit transversal "
        "quand au moins deux tiers des groupes l'ont évoqué, spécifique quand un ou deux groupes seulement l'ont fait.",
        f"La lecture « {CROSS_TITLE} » rapproche chaque faiblesse principale des attentes et des contributions dont "
        "le sens est le plus proche (proximité de 0 à 1 entre les thèmes), un peu renforcée quand les mêmes groupes "
        "ont écrit les deux. C'est une proposition de lecture, à valider en atelier.",
        "Réglages : " + _settings_phrase(settings) + ".",
        "Ces résultats sont un premier jet produit automatiquement par synth : les intitulés et les rapprochements "
        "gagnent à être relus par l'équipe d'animation.",
    ]
    return paragraphs


def _survey_method(synthesis: Synthesis, counts: dict, settings: dict, split: int, n_themes: int) -> list[str]:
    survey = synthesis.survey
    segments = survey.segments
    layout = "une colonne par question" if survey.wide else "une ligne par réponse"
    first = f"« {segments[0]} »" if segments else ""
    paragraphs = [
        f"Ce compte rendu a été préparé à partir de l'export d'enquête « {synthesis.source.name} » ({layout}) : "
        f"{plural(counts['cards_placed'], 'réponse')} de {plural(synthesis.n_groups, 'répondant')} à "
        f"{plural(len(synthesis.categories), 'question')}. Les réponses vides ont été écartées.",
        (f"{plural(split, 'réponse abordait', 'réponses abordaient')} plusieurs sujets (plusieurs phrases, puces, « ; », « mais ») : "
         f"{'elles ont été découpées' if split > 1 else 'elle a été découpée'} en extraits, chacun pouvant rejoindre son propre "
         "thème ; les citations sont les phrases exactes, avec la réponse entière dont elles sont extraites." if split else
         "Aucune réponse n'a été découpée : chacune compte dans un seul thème."),
        "Pour chaque question, les réponses ont été regroupées par le sens de leur texte (un modèle de langue "
        f"multilingue, « {synthesis.embedder} », exécuté sur place, sans envoi de données) puis par leurs mots communs, "
        f"en recoupant de nombreux regroupements pour ne garder que les plus stables : {plural(n_themes, 'thème')} au total. "
        "Les réponses qui ne rejoignent aucun thème sont présentées comme idées isolées.",
        "Les thèmes sont classés par nombre de répondants qui les citent (un répondant compte une fois par thème, "
        "même si plusieurs phrases de sa réponse y figurent), puis par nombre de réponses."
        + (f" Un thème est dit transversal quand il est cité dans au moins deux tiers des valeurs de {first}, "
           "spécifique quand il l'est dans une ou deux seulement." if segments else ""),
    ]
    if segments:
        paragraphs.append(
            "Profil : pour chaque thème et chaque valeur des colonnes de segment, le nombre de répondants du thème est "
            "comparé au nombre attendu si le thème était cité partout dans la même proportion (test du χ², ou test exact "
            "de Fisher quand les effectifs attendus sont petits). Les tests d'une même question et d'une même colonne sont "
            "corrigés ensemble (Benjamini–Hochberg : 5 % de fausses alertes au plus parmi les écarts signalés) ; ceux "
            "qu'aucun résultat ne pourrait rendre significatifs sont écartés d'avance (règle de Tarone) et signalés "
            "« effectifs trop faibles pour tester ». Seuls les écarts nets sont cités, jamais une p-valeur isolée.")
    paragraphs += [
        "Réglages : " + _settings_phrase(settings).replace("découpage des cartes", "découpage des réponses") + ".",
        "Ces résultats sont un premier jet produit automatiquement par synth : les intitulés et les profils "
        "gagnent à être relus par l'équipe qui a conduit l'enquête.",
    ]
    return paragraphs


def journal_text(synthesis: Synthesis) -> str:
    """journal.txt: what the run set aside and warned about, kept out of the client's document."""
    lines = [f"Journal de la synthèse — {synthesis.source.name}", "", *run_summary_lines(synthesis)]
    lines += ["", f"Modèle : {synthesis.embedder}", f"Méthode : {synthesis.method}",
              "Réglages : " + ", ".join(f"{key}={value}" for key, value in (synthesis.settings or {}).items())]
    flags = [(category, flag) for category in synthesis.categories for flag in category.flags]
    if flags:
        lines += ["", "À vérifier par l'éditeur :"]
        lines += [f"- {category_title(category.category)}, carte {flag.card_id} : « {flag.text} » — {flag.reason}"
                  for category, flag in flags]
    warnings = all_warnings(synthesis)
    lines += ["", "Avertissements :" if warnings else "Avertissements : aucun"]
    lines += [f"- {warning}" for warning in warnings]
    return "\n".join(lines) + "\n"


def run_summary_lines(synthesis: Synthesis) -> list[str]:
    """What was read and placed, then one line per category: the run summary of the CLI and the journal."""
    counts = run_summary(synthesis)
    survey = synthesis.survey is not None
    what = "Réponses" if survey else "Cartes"
    lines = [f"{what} lues : {counts['cards_read']} · placées : {counts['cards_placed']} · ignorées (sans texte) : {counts['rows_skipped']}"]
    if survey:
        lines[0] += f" · répondants : {synthesis.n_groups}"
    for category in synthesis.categories:
        themes = [theme for theme in category.themes if not theme.isolated]
        isolated = sum(theme.n_cards for theme in category.themes if theme.isolated)
        counted = (f"{plural(category.n_cards, 'réponse')} de {plural(category.n_respondents, 'répondant')}" if is_survey(category)
                   else plural(category.n_cards, "carte"))
        lines.append(f"  {category_title(category.category)} : {counted}, "
                     f"{plural(len(themes), 'thème')}, {plural(isolated, 'idée isolée', 'idées isolées')}")
    return lines


def _settings_phrase(settings: dict) -> str:
    parts = []
    if settings.get("n_themes"):
        parts.append(f"{settings['n_themes']} thèmes imposés par rubrique")
    else:
        granularity = settings.get("granularity", 0.0) or 0.0
        grain = "par défaut" if granularity == 0 else ("plus fine" if granularity > 0 else "plus large")
        parts.append(f"nombre de thèmes choisi automatiquement (granularité {grain})")
    parts.append(f"{plural(settings.get('n_quotes', 3), 'citation')} par thème")
    parts.append("découpage des cartes " + ("activé" if settings.get("split", True) else "désactivé"))
    parts.append(f"graine {settings.get('seed', 0)} (même export, même résultat)")
    return ", ".join(parts)


def _enumerate(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} et {items[-1]}"


#: Cards listed per theme in the HTML and Word reports; past it the list stops with ``more_cards_line`` (cartes.csv has all).
MAX_LISTED_CARDS = 300


def listed_units(theme: Theme, units_by_id: dict) -> tuple[list, int]:
    """-> (the theme's idea units to list in a report, at most MAX_LISTED_CARDS; how many more there are)."""
    rows = [units_by_id[unit_id] for unit_id in theme.unit_ids[:MAX_LISTED_CARDS] if unit_id in units_by_id]
    return rows, max(0, len(theme.unit_ids) - MAX_LISTED_CARDS)


def more_cards_line(n_more: int) -> str:
    return f"… et {plural(n_more, 'autre carte', 'autres cartes')} : la liste complète est dans cartes.csv."
