"""French wording shared by every human-readable report."""

from __future__ import annotations

from synthesis.cards import CATEGORIES
from synthesis.french import plural
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


def theme_facts(theme: Theme, total_groups: int) -> str:
    """"Évoqué par 8 groupes sur 9 · 23 cartes · transversal · 12 gommettes"."""
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
    if extra > 0:
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
    known = [c for c in synthesis.categories if c.category in CATEGORIES]
    rubriques = plural(len(categories), "rubrique")
    text = (
        f"{plural(counts['cards_placed'], 'carte')} de {plural(synthesis.n_groups, 'groupe')}, "
        f"{rubriques} ({', '.join(categories)})."
    )
    if known and len(known) < len(synthesis.categories):
        text += " Les rubriques hors des quatre catégories habituelles sont présentées telles quelles."
    return text


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
            titled.append((theme, f"{theme.label} ({plural(theme.n_cards, 'carte')})"))
        else:
            rank += 1
            titled.append((theme, f"{rank}. {theme.label}"))
    return titled


def category_digest(category: CategoryResult, total_groups: int, limit: int = 3) -> str:
    """One sentence for the summary: a category's few transversal (or, failing them, leading) themes."""
    ranked = [theme for theme in category.themes if not theme.isolated]
    title = category_title(category.category)
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


def journal_text(synthesis: Synthesis) -> str:
    """journal.txt: what the run set aside and warned about, kept out of the client's document."""
    counts = run_summary(synthesis)
    lines = [
        f"Journal de la synthèse — {synthesis.source.name}",
        "",
        f"Cartes lues : {counts['cards_read']} · placées : {counts['cards_placed']} · ignorées (sans texte) : {counts['rows_skipped']}",
    ]
    for category in synthesis.categories:
        themes = [theme for theme in category.themes if not theme.isolated]
        isolated = sum(theme.n_cards for theme in category.themes if theme.isolated)
        lines.append(f"  {category_title(category.category)} : {plural(category.n_cards, 'carte')}, "
                     f"{plural(len(themes), 'thème')}, {plural(isolated, 'idée isolée', 'idées isolées')}")
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
