"""The whole pipeline in one call: cards -> idea units -> cleaned -> vectors -> themes per category -> Synthesis."""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from synthesis.cluster import large as cluster_large
from synthesis.cards import CardSet, group_sort_key
from synthesis.clean import clean_texts, load_nlp, normalise_text, phrase_parses, static_word_vectors
from synthesis.cluster import LEXICAL_WEIGHT, Clustering, cluster_embeddings, keyword_view, lexical_space
from synthesis.cluster.isolate import topicality
from synthesis.cluster.space import TextSpace
from synthesis.crossread import cross_read, theme_centres
from synthesis.embed import DEFAULT_EMBEDDER, load_embedder
from synthesis.embed.cache import CachedEmbedder, text_key
from synthesis.clean_cache import CachedParser, CleanedCache, parser_identity
from synthesis.cluster.saved import NEW, REUSE_FROM, SavedClusterings, content_key, place_new_texts, settings_key
from synthesis.result import Placement, Synthesis
from synthesis.split import split_cards
from synthesis.summarise import CategoryInput, summarise_category

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Settings:
    model: str = DEFAULT_EMBEDDER
    #: Force this many themes per category (None: found automatically).
    n_themes: int | None = None
    #: < 0 coarser, > 0 finer than the default automatic choice.
    granularity: float = 0.0
    n_quotes: int = 3
    #: Split cards that clearly hold several ideas into segments before clustering.
    split: bool = True
    seed: int = 0
    #: Share of lemma similarity mixed into the sentence embeddings for clustering (0: none, 1: lemmas only).
    lexical_weight: float = LEXICAL_WEIGHT
    #: Also cluster on keyword views (each card's content words, by the sentence model and by spaCy's word vectors).
    keyword_clustering: bool = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.lexical_weight <= 1.0:
            raise ValueError(f"lexical_weight must be within [0, 1], got {self.lexical_weight}")
        if self.n_themes is not None and self.n_themes < 1:
            raise ValueError(f"n_themes must be at least 1, got {self.n_themes}")


def synthesize(
    card_set: CardSet,
    settings: Settings = Settings(),
    *,
    progress: Progress | None = None,
    show_progress: bool = False,
    cache_dir: Path | None = None,
    timings: dict[str, float] | None = None,
    cluster_category: ClusterCategory | None = None,
    engine=None,
) -> Synthesis:
    """Cards to themes. With ``cache_dir``, vectors already computed there with the same model are reused.

    ``timings``, when given, receives the seconds spent in each stage (added up over categories).
    ``cluster_category``, when given, replaces the clustering of each category (``synth apply``
    classifies into a codebook's themes there); it gets the category's units' vectors in run order.
    ``engine`` (``synthesis.engine``): a partitioned one (Dask) runs the same stages over partitions.
    """
    if engine is not None and engine.partitioned and cluster_category is None:
        from synthesis.engine.partitioned import synthesize_partitioned

        return synthesize_partitioned(card_set, settings, engine, progress=progress, cache_dir=cache_dir, timings=timings)
    say = progress or (lambda message: None)
    stage = _stage_timer(timings if timings is not None else {})
    cards = card_set.cards
    with stage("split"):
        # Survey answers run to several sentences: each sentence may feed its own theme.
        units = split_cards(cards, enabled=settings.split, sentences=card_set.survey is not None)
        texts = [unit.text for unit in units]

    say(f"Analyse linguistique de {len(cards)} cartes, {len(units)} idées (spaCy)")
    with stage("spacy"):
        cleaned = clean_texts(texts, show_progress=show_progress, parser=CachedParser(load_nlp(), cache_dir),
                              cleaned_cache=CleanedCache(load_nlp(), cache_dir))

    say(f"Calcul des embeddings ({settings.model})")
    with stage("model load"):
        # Always through the cache object, a folder or not: each distinct text is then embedded in the
        # same batches whether the cache is cold or off, and a run gives the same themes either way
        # (the encoder's last digits depend on what else is in a batch).
        embedder = CachedEmbedder(load_embedder(settings.model), cache_dir)
    with stage("embedding"):
        embedded = [normalise_text(text) for text in texts]
        vectors = embedder.encode(embedded, show_progress=show_progress)
    with stage("keyword vocabulary"):
        vocabularies = _keyword_vocabularies(cleaned, embedder.encode) if settings.keyword_clustering else None
    embedded_keys = [text_key(text) for text in embedded]
    saved = SavedClusterings(cache_dir, settings_key(embedder.identity, parser_identity(load_nlp()), _clustering_settings(settings)))

    groups = card_set.groups
    id_prefixes = theme_id_prefixes(card_set.categories) if card_set.survey is None else survey_id_prefixes(card_set.categories)
    categories, placements = [], {}
    warnings = list(card_set.warnings)
    method = ""
    for category in card_set.categories:
        indices = [i for i, unit in enumerate(units) if unit.category == category]
        say(f"Regroupement par thème : {category} ({len(indices)} idées)")
        category_cleaned, category_vectors = [cleaned[i] for i in indices], vectors[indices]
        lemmas = [text.lemmas for text in category_cleaned]
        with stage("clustering"):
            if cluster_category is not None:
                clustering = cluster_category(category, category_vectors, lemmas, vocabularies, settings)
            else:
                text_keys = [embedded_keys[i] for i in indices]
                clustering, kept = cluster_with_cache(category, category_vectors, lemmas, text_keys, vocabularies, settings, saved)
                warnings += [kept] if kept else []
        if settings.n_themes is not None and clustering.n_themes < settings.n_themes:
            warnings.append(
                f"{category} : {settings.n_themes} thèmes demandés, {clustering.n_themes} seulement "
                f"(pas plus de thèmes que d'idées distinctes)"
            )
        method = clustering.method + (f", lemma TF-IDF weight {settings.lexical_weight:g}" if settings.lexical_weight > 0 else "")
        data = CategoryInput(
            category=category,
            units=[units[i] for i in indices],
            cleaned=category_cleaned,
            vectors=category_vectors,
            labels=np.asarray(clustering.labels),
            fit=np.asarray(clustering.fit, dtype=float),
        )
        with stage("summaries"), phrase_parses(cache_dir):
            result, duplicate_of = summarise_category(data, all_groups=_coverage_base(groups, data.units, card_set.survey),
                                                      encode=embedder.encode, n_quotes=settings.n_quotes,
                                                      id_prefix=id_prefixes[category], survey=card_set.survey)
            result.grain = clustering.grain
            categories.append(result)
            placements.update(_placements(result, data, duplicate_of))

    # After every category: the weaknesses are read against the expectations and contributions.
    with stage("cross-reading"):
        cross_reading = cross_read(categories, theme_centres(categories, [unit.id for unit in units], vectors))
    return Synthesis(
        source=card_set.source,
        cards=cards,
        units=units,
        categories=categories,
        placements=placements,
        groups=groups,
        embedder=settings.model,
        method=method,
        skipped_rows=list(card_set.skipped_rows),
        warnings=warnings,
        settings=asdict(settings),
        cross_reading=cross_reading,
        unit_vectors=vectors,
        unit_terms={unit.id: (text.lemmas, text.words or text.lemmas) for unit, text in zip(units, cleaned)},
        survey=card_set.survey,
    )


#: (category, its units' vectors, their lemmas, the run's keyword vocabularies, settings) -> a cluster.Clustering
ClusterCategory = Callable[[str, np.ndarray, list, "_KeywordVocabularies | None", Settings], object]


def default_clustering(category: str, vectors: np.ndarray, lemmas, vocabularies, settings: Settings, *, map_calls=None):
    """The clustering of ``synth cluster`` (the category's name plays no part; ``map_calls``: see ``cluster_large``)."""
    return _cluster_category(vectors, lemmas, vocabularies, settings, map_calls=map_calls)


def cluster_with_cache(
    category: str, vectors: np.ndarray, lemmas, text_keys: list[bytes], vocabularies, settings: Settings, saved: SavedClusterings
) -> tuple[Clustering, str | None]:
    """The category's clustering: the one saved for these texts; past ``REUSE_FROM`` distinct texts, an earlier
    from-scratch one's themes with the few new texts placed; else a new one (``cluster.saved``).

    The second item is a line for the run's journal when earlier themes were kept.
    """
    content = content_key(text_keys, lemmas)
    same = saved.same(content)
    if same is not None:
        return same, None
    if len(set(text_keys)) > REUSE_FROM and (found := saved.earlier(category, text_keys)) is not None:
        themes_of, earlier, n_gone = found
        previous = np.array([themes_of.get(key, NEW) for key in text_keys])
        placed = place_new_texts(vectors, lemmas, previous, lexical_weight=settings.lexical_weight)
        if placed is not None:
            labels, fit = placed
            method = f"{earlier.method} + new texts placed at the nearest centroid of a saved run's themes"
            clustering = Clustering(labels, fit, int(labels.max() + 1), method, earlier.grain)
            saved.save(content, text_keys, clustering, from_scratch=False)
            n_new = len({key for key, label in zip(text_keys, previous) if label == NEW})
            return clustering, (
                f"{category} : thèmes repris du run précédent (cache), {n_new} idées nouvelles placées dans le thème "
                f"le plus proche, {n_gone} disparues ; --no-cache pour tout regrouper à nouveau"
            )
    clustering = default_clustering(category, vectors, lemmas, vocabularies, settings)
    saved.save(content, text_keys, clustering, from_scratch=True, category=category if len(set(text_keys)) > REUSE_FROM else None)
    return clustering, None


def _clustering_settings(settings: Settings) -> dict:
    """The settings that reach the clustering (the number of quotes does not)."""
    return {name: value for name, value in asdict(settings).items() if name != "n_quotes"}


def coverage_base(groups: list[str], units, survey) -> list[str]:
    """What a theme's coverage is out of: every group of a workshop; a survey's respondents to this question."""
    if survey is None:
        return groups
    return sorted({unit.group for unit in units}, key=group_sort_key)


_coverage_base = coverage_base


def _cluster_category(vectors: np.ndarray, lemmas, vocabularies, settings: Settings, *, map_calls=None):
    """One category's clustering: the default method, or past ``cluster_large.LARGE_CATEGORY`` texts the same method without n x n structures."""
    if len(vectors) > cluster_large.LARGE_CATEGORY:
        return cluster_large_space(large_category_space(vectors, lemmas, vocabularies, settings), settings, map_calls=map_calls)
    return cluster_embeddings(
        lexical_space(vectors, lemmas, settings.lexical_weight),
        keyword_views=_keyword_views(lemmas, vectors, vocabularies),
        n_themes=settings.n_themes,
        granularity=settings.granularity,
        random_state=settings.seed,
        topicality=_topicality(lemmas, vocabularies),
    )


def _topicality(lemmas, vocabularies: KeywordVocabularies | None) -> np.ndarray | None:
    """How far each text's words are from the whole export's vocabulary (a lonely card about the coffee is an aside)."""
    return topicality(lemmas, vocabularies.static) if vocabularies is not None else None


def large_category_space(vectors: np.ndarray, lemmas, vocabularies, settings: Settings) -> TextSpace:
    """The space a category past ``cluster_large.LARGE_CATEGORY`` texts is clustered in (``cluster_large_space``).

    Apart from the clustering so that an engine builds it where the texts are and keeps it there
    (``engine.stages.category_space``): the same space as one machine's, from the same function.
    """
    return TextSpace.build(vectors, lemmas, settings.lexical_weight, _keyword_views(lemmas, vectors, vocabularies),
                           topicality=_topicality(lemmas, vocabularies))


def cluster_large_space(space: TextSpace, settings: Settings, *, map_calls=None, knn_space=None):
    """``cluster_large.cluster_space`` with the run's settings (``map_calls``, ``knn_space``: see there)."""
    return cluster_large.cluster_space(space, n_themes=settings.n_themes, granularity=settings.granularity, random_state=settings.seed,
                                       map_calls=map_calls, knn_space=knn_space)


def stage_timer(timings: dict[str, float]):
    """-> a context manager factory adding each stage's wall time (seconds) to timings[name]."""

    @contextmanager
    def stage(name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - start

    return stage


_stage_timer = stage_timer


def theme_id_prefixes(categories: list[str]) -> dict[str, str]:
    """Category -> theme id prefix, unique in the run.

    « Points + », « Points - » and « Points – » all read "points"; « ? » reads nothing:
    later ones get "-2", "-3"... so that a ``theme_id`` in cartes.csv names one theme.
    """
    prefixes: dict[str, str] = {}
    for category in categories:
        base = "-".join(re.findall(r"\w+", _slug_source(category))) or "categorie"
        prefix, suffix = base, 2
        while prefix in prefixes.values():
            prefix, suffix = f"{base}-{suffix}", suffix + 1
        prefixes[category] = prefix
    return prefixes


def survey_id_prefixes(questions: list[str]) -> dict[str, str]:
    """A survey's questions are sentences: their themes are q1-01, q2-03… in the questionnaire's order."""
    return {question: f"q{number}" for number, question in enumerate(questions, start=1)}


def _slug_source(text: str) -> str:
    """Lowercase without accents, letters of any script kept (Arabic or Chinese categories have a slug too)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).replace("_", " ")


@dataclass(frozen=True)
class KeywordVocabularies:
    """The run's content lemmas -> vectors, for the keyword views (see ``cluster.keyword_view``)."""

    embedded: dict[str, np.ndarray]  # by the sentence model, one lemma at a time
    static: dict[str, np.ndarray]  # spaCy's word vectors, for the lemmas it has one for
    static_dimension: int


_KeywordVocabularies = KeywordVocabularies


def _keyword_vocabularies(cleaned, encode) -> _KeywordVocabularies:
    """Every content lemma of the run, embedded in one batch for all categories and looked up in spaCy."""
    vocabulary = sorted({lemma for text in cleaned for lemma in text.lemmas})
    embedded = dict(zip(vocabulary, encode(vocabulary))) if vocabulary else {}
    return _KeywordVocabularies(embedded, *static_word_vectors(vocabulary))


def _keyword_views(lemmas, sentence_vectors: np.ndarray, vocabularies: _KeywordVocabularies | None) -> list[np.ndarray]:
    """The two keyword views of one category's texts ([] when switched off).

    A text without content lemmas keeps its sentence vector in the first; a text without
    any lemma spaCy has a vector for gets a zero row in the second, so that view finds its
    neighbours by its sentence alone.
    """
    if vocabularies is None:
        return []
    return [
        keyword_view(lemmas, vocabularies.embedded, sentence_vectors),
        keyword_view(lemmas, vocabularies.static, np.zeros((len(lemmas), vocabularies.static_dimension))),
    ]


def unit_placements(result, data: CategoryInput, duplicate_of: dict[str, str | None]) -> dict[str, Placement]:
    fit_by_id = {unit.id: float(fit) for unit, fit in zip(data.units, data.fit)}
    return {
        unit_id: Placement(unit_id, theme.id, theme.label, round(fit_by_id[unit_id], 4), duplicate_of.get(unit_id))
        for theme in result.themes
        for unit_id in theme.unit_ids
    }


_placements = unit_placements
