"""The pipeline over partitions of the idea units: what ``synth cluster --engine dask`` runs.

The stages are those of ``pipeline.synthesize`` (same functions, same settings); the
engine decides where each partition's call runs. What changes is only how a stage that
needs the whole corpus sees it:

- spelling (``clean``): corrections come from the whole corpus' word counts; a first
  pass counts the word forms of each partition, the driver merges the counts
  (``spelling.merge_corpus_words``) and builds the corrections once, and every
  partition is respelled and parsed with them: the same corrections as one machine;
- the keyword vocabulary: each partition's lemmas, united on the driver, embedded in
  slices on the workers;
- every category is clustered by the single machine's own functions: up to
  ``GATHERED_CATEGORY`` texts ``pipeline.default_clustering`` on the driver, from its units'
  vectors and lemmas gathered from the partitions; past it the graph method
  (``cluster.large``), whose space a worker builds from the partitions and keeps
  (``pipeline.large_category_space``), whose kNN row blocks read that space on the workers
  and whose Leiden runs run there too (``map_calls``), the consensus and the theme
  bookkeeping on the driver: the same themes as one machine, by construction
  (tests/test_engine*.py check labels equal);
- a category up to ``GATHERED_CATEGORY`` texts is summarised by the single-machine code
  from all its cleaned texts; a larger one's summary reads, per theme, the
  ``SUMMARY_UNITS`` best placed units (highest fit) gathered from the partitions: labels,
  keywords, quotes and near-duplicates come from those; counts, groups and card lists from
  every unit;
- the cross-reading's theme centres are sums of vectors per partition.

Memory: the driver holds the cards and idea units (the result lists them all), one label
and fit per unit and, while a large category is clustered, the bookkeeping part of its
``TextSpace`` (``TextSpace.bookkeeping``: 512 float32 per distinct text, about 2 GB per
million texts, plus the sparse TF-IDF), the kNN graphs (n x 30 edges per view) and the
consensus' runs; not the units' vectors and lemmas, the keyword views (float64 while they
are computed) or the index's k-means, which the worker building the space holds. Each worker
that runs kNN blocks gets a copy of the whole space (512 + 512 + 300 float32 per distinct
text, about 5.3 GB per million). The texts' analyses stay on the workers
(vectors come back for the saved result only up to ``GATHERED_VECTORS`` units, with each
unit's terms: the review's "move a card", the theme matching across runs and the keywords
of edited themes use them).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from synthesis.cards import CardSet
from synthesis.cluster import large as cluster_large
from synthesis.clean import normalise_text
from synthesis.crossread import cross_read
from synthesis.embed.cache import run_start
from synthesis.engine import calls_of, partition_bounds, stages
from synthesis.pipeline import (KeywordVocabularies, Settings, cluster_large_space, coverage_base, default_clustering, stage_timer,
                                survey_id_prefixes, theme_id_prefixes, unit_placements)
from synthesis.result import Synthesis, Theme
from synthesis.spelling import CorpusWords, build_corrections, merge_corpus_words
from synthesis.split import split_cards
from synthesis.summarise import CategoryInput, summarise_category
from synthesis.summarise.counts import cards_in_several_themes
from synthesis.summarise.ranking import category_summary, over_represented_group, rank_themes, theme_scope

#: Categories up to this many units are summarised from all their cleaned texts, brought to the driver.
GATHERED_CATEGORY = 10_000
#: Units per theme a large category's summary reads (its best placed ones).
SUMMARY_UNITS = 500
#: Above this many units the saved result keeps no per-unit vectors (200 MB at 512 dimensions).
GATHERED_VECTORS = 100_000


def synthesize_partitioned(card_set: CardSet, settings: Settings, engine, *, progress=None, cache_dir: Path | None = None,
                           timings: dict[str, float] | None = None) -> Synthesis:
    """``pipeline.synthesize`` with the heavy stages run per partition by ``engine``.

    Every embedding call reads the cache as the run found it (``embed.cache.run_start``), and a text held
    by several partitions is embedded in the first only (``borrowed_rows``), so a partition's vectors do not
    depend on which worker embedded which partition first: the same number of partitions gives the same
    result with 1 or 20 workers, and a text one vector, as on one machine.
    """
    cache = str(cache_dir) if cache_dir is not None else None
    with run_start(cache_dir) as as_of:
        synthesis = _synthesize(card_set, settings, engine, progress, cache, timings, as_of)
    stages.fold_embedding_cache(settings.model, cache)
    return synthesis


def _synthesize(card_set: CardSet, settings: Settings, engine, progress, cache: str | None, timings, as_of: float | None) -> Synthesis:
    say = progress or (lambda message: None)
    stage = stage_timer(timings if timings is not None else {})
    cards = card_set.cards
    with stage("split"):
        units = split_cards(cards, enabled=settings.split, sentences=card_set.survey is not None)
    bounds = partition_bounds(len(units), engine.partitions_for(len(units)))
    texts = [[unit.text for unit in units[a:b]] for a, b in bounds]

    say(f"Analyse linguistique et embeddings de {len(cards)} cartes, {len(units)} idées ({len(bounds)} partitions, moteur {engine.name})")
    with stage("spacy + embedding"):
        words = merge_corpus_words(_corpus_words(*counted) for counted in engine.gather(engine.map(stages.count_words, texts)))
        corpus = engine.share((dict(words), build_corrections(words)))
        categories_of = [[unit.category for unit in units[a:b]] for a, b in bounds]
        borrowed = borrowed_rows(texts)
        parts = engine.map(stages.clean_and_embed, texts, categories_of, [a for a, _ in bounds],
                           [[row for row, _, _ in rows] for rows in borrowed], corpus=corpus, model=settings.model,
                           cache_dir=cache, as_of=as_of)
        parts = _lend_vectors(engine, parts, borrowed)
        engine.gather(engine.map(stages.part_size, parts))
    del texts, categories_of
    with stage("keyword vocabulary"):
        vocabularies = _vocabularies(engine, parts, len(bounds), settings.model, cache, as_of) if settings.keyword_clustering else None

    def encode(phrases: list[str]) -> np.ndarray:
        return engine.gather(engine.map(stages.embed_texts, [list(phrases)], model=settings.model, cache_dir=cache, as_of=as_of))[0]

    groups = card_set.groups
    id_prefixes = theme_id_prefixes(card_set.categories) if card_set.survey is None else survey_id_prefixes(card_set.categories)
    categories, placements, warnings, method = [], {}, list(card_set.warnings), ""
    for category in card_set.categories:
        positions = [i for i, unit in enumerate(units) if unit.category == category]
        say(f"Regroupement par thème : {category} ({len(positions)} idées)")
        category_units = [units[i] for i in positions]
        context = SimpleNamespace(category=category, units=category_units, groups=coverage_base(groups, category_units, card_set.survey),
                                  id_prefix=id_prefixes[category], encode=encode, settings=settings, survey=card_set.survey)
        if len(positions) > GATHERED_CATEGORY:
            result, duplicate_of, clustering, fit = _large_category(engine, parts, context, vocabularies, stage)
        else:
            result, duplicate_of, clustering, fit = _gathered_category(engine, parts, context, vocabularies, stage)
        if settings.n_themes is not None and clustering.n_themes < settings.n_themes:
            warnings.append(f"{category} : {settings.n_themes} thèmes demandés, {clustering.n_themes} seulement "
                            f"(pas plus de thèmes que d'idées distinctes)")
        method = clustering.method + (f", lemma TF-IDF weight {settings.lexical_weight:g}" if settings.lexical_weight > 0 else "")
        result.grain = clustering.grain
        categories.append(result)
        placements.update(unit_placements(result, SimpleNamespace(units=context.units, fit=fit), duplicate_of))

    with stage("cross-reading"):
        cross_reading = cross_read(categories, _theme_centres(engine, parts, bounds, categories, units))
        vectors, terms = None, {}
        if len(units) <= GATHERED_VECTORS:
            vectors = np.concatenate(engine.gather(engine.map(stages.part_vectors, parts)))
            gathered = [pair for pairs in engine.gather(engine.map(stages.part_terms, parts)) for pair in pairs]
            terms = {unit.id: pair for unit, pair in zip(units, gathered)}
    return Synthesis(
        source=card_set.source, cards=cards, units=units, categories=categories, placements=placements, groups=groups,
        embedder=settings.model, method=method, skipped_rows=list(card_set.skipped_rows), warnings=warnings,
        settings=asdict(settings), cross_reading=cross_reading, unit_vectors=vectors, unit_terms=terms, survey=card_set.survey,
    )


def borrowed_rows(texts: list[list[str]]) -> list[list[tuple[int, int, int]]]:
    """Per partition, (row, earlier partition, its row) of each text (as embedded) that an earlier partition holds first.

    Such a text is embedded there only: embedded in both, it got two vectors differing in the last bits
    (a vector depends on its batch), so two rows where one machine has one, and a warm run other themes
    than the cold one.
    """
    first: dict[str, tuple[int, int]] = {}
    borrowed = []
    for part, part_texts in enumerate(texts):
        rows = []
        for row, text in enumerate(part_texts):
            owner = first.setdefault(normalise_text(text), (part, row))
            if owner[0] != part:
                rows.append((row, *owner))
        borrowed.append(rows)
    return borrowed


def _lend_vectors(engine, parts: list, borrowed: list[list[tuple[int, int, int]]]) -> list:
    """The partitions with their borrowed rows filled from the partitions that embedded them (worker to worker)."""
    wanted: dict[int, list[int]] = {}
    for rows in borrowed:
        for _, owner, source in rows:
            wanted.setdefault(owner, []).append(source)
    if not wanted:
        return parts
    owners = sorted(wanted)
    wanted = {owner: sorted(set(rows)) for owner, rows in wanted.items()}
    lent = dict(zip(owners, engine.map(stages.vectors_at, [parts[owner] for owner in owners], [wanted[owner] for owner in owners])))
    position = {owner: {row: i for i, row in enumerate(rows)} for owner, rows in wanted.items()}
    filled = list(parts)
    for part, rows in enumerate(borrowed):
        if rows:
            sources = sorted({owner for _, owner, _ in rows})
            picks = [(sources.index(owner), position[owner][source]) for _, owner, source in rows]
            filled[part] = engine.map(stages.with_vectors, [parts[part]], [[row for row, _, _ in rows]],
                                      [[lent[owner] for owner in sources]], [picks])[0]
    return filled


def _corpus_words(counts: dict[str, int], capitalised_inside: frozenset[str], lowercase: frozenset[str]) -> CorpusWords:
    words = CorpusWords(counts)
    words.capitalised_inside, words.lowercase = capitalised_inside, lowercase
    return words


def _vocabularies(engine, parts, n_slices: int, model: str, cache: str | None, as_of: float | None) -> KeywordVocabularies:
    """Every content lemma of the run, embedded by the sentence model and looked up in spaCy, in slices on the workers."""
    vocabulary = sorted(set().union(*engine.gather(engine.map(stages.lemma_set, parts))))
    slices = [vocabulary[a:b] for a, b in partition_bounds(len(vocabulary), n_slices)]
    done = engine.gather(engine.map(stages.embed_words, slices, model=model, cache_dir=cache, as_of=as_of))
    embedded = dict(zip(vocabulary, (row for vectors, _, _ in done for row in vectors)))
    static = {word: vector for _, vectors, _ in done for word, vector in vectors.items()}
    return KeywordVocabularies(embedded, static, done[0][2])


def _gathered_category(engine, parts, context, vocabularies, stage):
    """A category small enough for one machine: its rows brought to the driver and the pipeline's own code run on them."""
    gathered = engine.gather(engine.map(stages.category_rows, parts, category=context.category))
    cleaned = [text for _, texts, _ in gathered for text in texts]
    vectors = np.concatenate([rows for _, _, rows in gathered])
    with stage("clustering"):
        clustering = default_clustering(context.category, vectors, [text.lemmas for text in cleaned], vocabularies, context.settings,
                                        map_calls=calls_of(engine))
    data = CategoryInput(category=context.category, units=context.units, cleaned=cleaned, vectors=vectors,
                         labels=np.asarray(clustering.labels), fit=np.asarray(clustering.fit, dtype=float))
    with stage("summaries"):
        result, duplicate_of = summarise_category(data, all_groups=context.groups, encode=context.encode,
                                                  n_quotes=context.settings.n_quotes, id_prefix=context.id_prefix, survey=context.survey)
    return result, duplicate_of, clustering, data.fit


def _large_category(engine, parts, context, vocabularies, stage):
    """The single machine's clustering, its space on the workers, then a summary of each theme's best placed units."""
    with stage("clustering"):
        clustering = _cluster_on_workers(engine, parts, context, vocabularies)
    labels, fit = np.asarray(clustering.labels), np.asarray(clustering.fit, dtype=float)
    with stage("summaries"):
        offsets = np.concatenate([[0], np.cumsum(engine.gather(engine.map(stages.category_size, parts, category=context.category)))])
        slices = [(labels[a:b], fit[a:b]) for a, b in zip(offsets, offsets[1:])]
        found = engine.gather(engine.map(stages.theme_candidates, parts, [s[0] for s in slices], [s[1] for s in slices],
                                         category=context.category, per_theme=SUMMARY_UNITS))
        sample, cleaned, vectors = _best_placed(found, offsets, labels, fit)
        data = CategoryInput(category=context.category, units=[context.units[i] for i in sample], cleaned=cleaned,
                             vectors=vectors, labels=labels[sample], fit=fit[sample])
        result, duplicate_of = summarise_category(data, all_groups=context.groups, encode=context.encode,
                                                  n_quotes=context.settings.n_quotes, id_prefix=context.id_prefix, survey=context.survey)
        _count_every_unit(result, data, context, labels)
    return result, duplicate_of, clustering, fit


def _cluster_on_workers(engine, parts, context, vocabularies):
    """``default_clustering`` of a large category without its texts' vectors on the driver.

    Past ``LARGE_CATEGORY`` texts that is ``cluster_large``: a worker builds its space from the
    partitions as one machine builds it (``stages.category_space``) and keeps it; the kNN blocks
    read it on the workers, and the driver holds its bookkeeping part (``TextSpace.bookkeeping``:
    no keyword views), never the vectors, the keyword views or the index's k-means.
    """
    settings = context.settings
    pieces = engine.map(stages.category_lemmas, parts, category=context.category)  # the category's lemmas and vectors, per partition
    if len(context.units) <= cluster_large.LARGE_CATEGORY:  # only where GATHERED_CATEGORY is set below it: the default method, gathered
        gathered = engine.gather(pieces)
        return default_clustering(context.category, np.concatenate([rows for _, rows in gathered]),
                                  [text for texts, _ in gathered for text in texts], vocabularies, settings)
    whole = engine.map(stages.category_space, [pieces], vocabularies=vocabularies, settings=settings,
                       blas_threads=cluster_large.blas_threads())[0]
    del pieces  # the workers drop them once the space is built
    space = engine.gather(engine.map(stages.bookkeeping, [whole]))[0]
    return cluster_large_space(space, settings, map_calls=calls_of(engine), knn_space=whole)


def _best_placed(found, offsets: np.ndarray, labels: np.ndarray, fit: np.ndarray):
    """The partitions' candidates -> (category positions, cleaned, vectors) of the SUMMARY_UNITS best placed units per theme."""
    positions = np.concatenate([keep + offset for (keep, _, _), offset in zip(found, offsets)])
    cleaned = [text for _, texts, _ in found for text in texts]
    vectors = np.concatenate([rows for _, _, rows in found])
    chosen = []
    for theme in np.unique(labels[positions]):
        members = np.flatnonzero(labels[positions] == theme)
        chosen.extend(members[np.lexsort((positions[members], -fit[positions[members]]))][:SUMMARY_UNITS].tolist())
    chosen = np.asarray(sorted(chosen, key=lambda i: positions[i]), dtype=int)
    return positions[chosen], [cleaned[i] for i in chosen], vectors[chosen]


def _count_every_unit(result, data: CategoryInput, context, labels: np.ndarray) -> None:
    """Each theme summarised from a sample gets all its units back: counts, groups, cards, scope, rank and id."""
    label_of = {unit.id: label for unit, label in zip(data.units, data.labels)}
    category_cards = list({unit.card_id: unit.card for unit in context.units}.values())
    for theme in result.themes:
        label = -1 if theme.isolated else label_of[theme.unit_ids[0]]
        _set_members(theme, [context.units[i] for i in np.flatnonzero(labels == label)], category_cards, len(context.groups), context.survey)
    ranked = rank_themes([theme for theme in result.themes if not theme.isolated])
    result.themes = ranked + [theme for theme in result.themes if theme.isolated]
    for rank, theme in enumerate(result.themes, start=1):
        theme.id = f"{context.id_prefix}-{'isolees' if theme.isolated else f'{rank:02d}'}"
    result.n_cards = len(category_cards)
    result.n_cards_in_several_themes = cards_in_several_themes(result.themes)
    result.summary = category_summary(result, len(context.groups), survey=context.survey is not None)


def _set_members(theme: Theme, units: list, category_cards: list, n_groups: int, survey=None) -> None:
    """The membership fields of ``summarise._build_theme``, from every unit of the theme."""
    from synthesis.cards import group_sort_key

    cards = list({unit.card_id: unit.card for unit in units}.values())
    theme.unit_ids = [unit.id for unit in units]
    theme.card_ids = [card.id for card in cards]
    theme.groups = sorted({card.group for card in cards}, key=group_sort_key)
    theme.n_cards = len(cards)
    theme.votes = sum(card.votes or 0 for card in cards)
    if survey is not None:
        return  # a survey theme's segments and profile stay those of its best placed units (not recomputed here)
    theme.scope = "" if theme.isolated else theme_scope(theme.n_groups, n_groups)
    theme.over_represented_group = over_represented_group([c.group for c in cards], [c.group for c in category_cards])


def _theme_centres(engine, parts, bounds, categories, units) -> dict[str, np.ndarray]:
    """``crossread.theme_centres`` from per-partition sums of the vectors of each theme's units."""
    themes = [theme for category in categories for theme in category.themes if not theme.isolated and theme.unit_ids]
    row = {unit.id: i for i, unit in enumerate(units)}
    group = np.full(len(units), -1)
    for k, theme in enumerate(themes):
        group[[row[unit_id] for unit_id in theme.unit_ids]] = k
    if not themes:
        return {}
    sums = sum(engine.gather(engine.map(stages.vector_sums, parts, [group[a:b] for a, b in bounds], k=len(themes))))
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return {theme.id: centre for theme, centre in zip(themes, sums / np.where(norms > 0, norms, 1.0))}
