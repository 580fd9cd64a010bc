"""The on-disk embedding cache: same vectors, only new texts embedded, never a crash."""

import numpy as np
import pandas as pd
from click.testing import CliRunner

from conftest import DEMO_CSV, eval_file
from synthesis.cli import main
from synthesis.embed.cache import MAX_SHARDS, CachedEmbedder

TEXTS = ["Manque de communication entre OT", "Clarifier les rôles de chacun", "Des formations communes", "Manque de communication entre OT"]


def test_cached_vectors_equal_fresh_ones_and_a_second_run_embeds_nothing(use_embedder, tmp_path):
    first = CachedEmbedder(use_embedder, tmp_path)
    vectors = first.encode(TEXTS)
    assert first.misses == 3  # the repeated text is embedded once
    np.testing.assert_allclose(vectors, use_embedder.encode(TEXTS), atol=1e-6)
    assert np.array_equal(vectors[0], vectors[3])

    second = CachedEmbedder(use_embedder, tmp_path)
    again = second.encode(TEXTS + ["Une nouvelle carte"])
    assert (second.hits, second.misses) == (4, 1)
    assert np.array_equal(again[:4], vectors)


def test_without_a_folder_it_only_removes_repeats(use_embedder):
    cached = CachedEmbedder(use_embedder, None)
    assert cached.encode(TEXTS).shape == (4, 512)
    assert cached.misses == 3
    assert cached.encode([]).shape == (0, 512)


def test_a_corrupted_shard_is_ignored_and_rebuilt(use_embedder, tmp_path):
    CachedEmbedder(use_embedder, tmp_path).encode(TEXTS)
    (shard,) = list(tmp_path.glob("*/*.npz"))
    shard.write_bytes(b"not a numpy file")
    rebuilt = CachedEmbedder(use_embedder, tmp_path)
    np.testing.assert_allclose(rebuilt.encode(TEXTS), use_embedder.encode(TEXTS), atol=1e-6)
    assert rebuilt.misses == 3
    assert CachedEmbedder(use_embedder, tmp_path).encode(TEXTS[:1]) is not None


def test_an_unwritable_cache_folder_is_skipped(use_embedder, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    cached = CachedEmbedder(use_embedder, blocker / "cache")
    assert cached.encode(TEXTS).shape == (4, 512)


def test_shards_are_folded_past_the_limit(use_embedder, tmp_path):
    for i in range(MAX_SHARDS + 1):
        CachedEmbedder(use_embedder, tmp_path).encode([f"carte numéro {i}"])
    folder = next(tmp_path.iterdir())
    assert len(list(folder.glob("*.npz"))) < MAX_SHARDS
    last = CachedEmbedder(use_embedder, tmp_path)
    last.encode([f"carte numéro {i}" for i in range(MAX_SHARDS + 1)])
    assert last.misses == 0


def test_cli_reuses_the_cache_and_no_cache_writes_none(tmp_path, use_embedder):
    runner = CliRunner()
    cache = tmp_path / "cache"
    args = ["cluster", str(DEMO_CSV), "-q", "--cache-dir", str(cache)]
    assert runner.invoke(main, args + ["-o", str(tmp_path / "a")]).exit_code == 0
    shards = set(cache.rglob("*.npz"))
    assert shards
    assert runner.invoke(main, args + ["-o", str(tmp_path / "b")]).exit_code == 0
    assert set(cache.rglob("*.npz")) == shards  # nothing new to embed
    assert (tmp_path / "a" / "themes.json").read_bytes() == (tmp_path / "b" / "themes.json").read_bytes()

    result = runner.invoke(main, ["cluster", str(DEMO_CSV), "-q", "--no-cache", "-o", str(tmp_path / "c"),
                                  "--cache-dir", str(tmp_path / "unused")])
    assert result.exit_code == 0
    assert not (tmp_path / "unused").exists()
    # the encoder's last digits depend on a batch's company: with or without a cache, the same batches
    assert (tmp_path / "c" / "themes.json").read_bytes() == (tmp_path / "a" / "themes.json").read_bytes()


def test_a_partition_gets_the_same_vectors_whatever_was_embedded_before_in_the_run(use_embedder, tmp_path):
    # A vector's last bits depend on its batch; a text embedded first by another partition used to leave this
    # partition's batches (33 of 1,494 vectors differed with the partitions taken in the other order).
    from synthesis.embed.cache import run_start

    texts = pd.read_csv(eval_file("makeorg_themes_fr.csv"))["text"].tolist() + pd.read_csv(eval_file("semeval16_absa_fr.csv"))["text"].tolist()
    parts = [texts[0:450], texts[450:900], texts[900:] + texts[0:150]]  # the last partition repeats texts of the first

    def run(order: list[int], folder) -> list[np.ndarray]:
        embedder = CachedEmbedder(use_embedder, folder)
        with run_start(folder) as as_of:
            done = {i: embedder.encode_isolated(parts[i], as_of) for i in order}
        return [done[i] for i in range(len(parts))]

    forwards, backwards = run([0, 1, 2], tmp_path / "a"), run([2, 1, 0], tmp_path / "b")
    assert all(np.array_equal(a, b) for a, b in zip(forwards, backwards))
    # every text in the cache: whatever the order, the same vectors, the cold run's for texts it embedded once
    warm, warm_again = run([1, 2, 0], tmp_path / "a"), run([2, 0, 1], tmp_path / "a")
    assert all(np.array_equal(a, b) for a, b in zip(warm, warm_again))
    assert np.array_equal(warm[1], forwards[1])
    assert not list((tmp_path / "a" / "runs").iterdir())  # the run's marker is gone
