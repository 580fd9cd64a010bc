"""``synth cluster --engine dask`` on a LocalCluster of 2 worker processes (marker ``dask``).

One cluster serves the whole module (started once; the CLI reaches it by ``--scheduler``).
The input is grown from the shared evaluation sets by scripts/bench_speed.py; its one
category (1,200 texts) is past ``cluster.large.LARGE_CATEGORY`` (the graph method, whose kNN
blocks and Leiden runs go to the workers) and, from ``large_path``, past the engine's
``GATHERED_CATEGORY`` (summaries from each theme's best placed units).
"""

import csv
import importlib.util
import os
import signal
import threading
import time

import pytest
from click.testing import CliRunner
from sklearn.metrics import adjusted_rand_score

from conftest import EVAL_DIR, REPO

pytestmark = pytest.mark.dask

N_TEXTS = 1200
PARTITIONS = 4
LARGE_FROM = 500


def _bench_speed():
    spec = importlib.util.spec_from_file_location("bench_speed", REPO / "scripts" / "bench_speed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def grown_csv(tmp_path_factory):
    if not EVAL_DIR.is_dir():
        pytest.skip(f"evaluation sets {EVAL_DIR} not available")
    path = tmp_path_factory.mktemp("grown") / "reponses.csv"
    bench = _bench_speed()
    bench.write_input(path, bench.grown_texts(N_TEXTS, 0))
    return path


@pytest.fixture(scope="module")
def large_path():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("synthesis.engine.partitioned.GATHERED_CATEGORY", LARGE_FROM)
        yield


@pytest.fixture(scope="module")
def dask_engine():
    from synthesis.engine.dask import DaskEngine

    engine = DaskEngine(workers=2, memory_limit="3GiB")
    yield engine
    engine.close()


def _run_cli(engine, path, out, cache):
    from synthesis.cli import main

    return CliRunner().invoke(main, ["cluster", str(path), "-o", str(out), "--scheduler", engine.client.scheduler.address,
                                     "--partitions", str(PARTITIONS), "--cache-dir", str(cache), "-q"])


def _themes_by_card(out):
    with (out / "cartes.csv").open(encoding="utf-8-sig") as stream:
        rows = list(csv.reader(stream, delimiter=";"))
    theme = rows[0].index("theme_id") if "theme_id" in rows[0] else 1
    return {row[0]: row[theme] for row in rows[1:]}


@pytest.fixture(scope="module")
def cli_runs(dask_engine, grown_csv, large_path, tmp_path_factory):
    """Two CLI runs on the cluster, same input and partitions, sharing an embedding cache (the second one warm)."""
    cache = tmp_path_factory.mktemp("cache")
    outs, results = [], []
    for i in range(2):
        out = tmp_path_factory.mktemp(f"dask-out-{i}")
        results.append(_run_cli(dask_engine, grown_csv, out, cache))
        outs.append(out)
    return outs, results


def test_dask_run_places_every_card_with_the_large_category_path(cli_runs):
    (out, _), (result, _) = cli_runs
    assert result.exit_code == 0, result.output
    assert len(_themes_by_card(out)) == N_TEXTS
    from synthesis.store import load_synthesis

    saved = load_synthesis(out / "synth-resultat.json")
    assert "(blockwise kNN, sparse consensus)" in saved.method
    themes = [theme for theme in saved.themes() if not theme.isolated]
    assert len(themes) >= 3 and all(theme.quotes and theme.label for theme in themes)
    assert sum(theme.n_cards for theme in saved.themes()) >= N_TEXTS  # a split card may sit in two themes


def test_dask_run_is_deterministic_for_a_given_number_of_partitions(cli_runs):
    (first, second), results = cli_runs
    assert all(result.exit_code == 0 for result in results)
    for name in ("themes.json", "cartes.csv", "compte-rendu.md"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.fixture(scope="module")
def single(grown_csv):
    """The single machine's path on the same input (its large category path: the graph method)."""
    from synthesis.load import load_cards
    from synthesis.pipeline import synthesize

    return synthesize(load_cards(grown_csv))


def _labels(synthesis) -> dict[str, tuple[str, float]]:
    return {placement.unit_id: (placement.theme_id, placement.fit) for placement in synthesis.placements.values()}


def _same_themes(mine: dict, theirs: dict) -> float:
    """ARI between two runs' placements of the same units (their theme ids may differ: a large category's summary
    reads a sample, and theme ranks follow the summaries)."""
    assert sorted(mine) == sorted(theirs)
    return adjusted_rand_score([mine[u][0] for u in sorted(mine)], [theirs[u][0] for u in sorted(mine)])


def test_dask_gives_the_single_machine_themes_past_the_gathered_size(dask_engine, grown_csv, single, large_path):
    """The category goes through the engine's large path: same labels and fits as one machine (ARI 1.0)."""
    from synthesis.load import load_cards
    from synthesis.pipeline import synthesize

    spread = synthesize(load_cards(grown_csv), engine=_Partitions(dask_engine, PARTITIONS))
    mine, theirs = _labels(single), _labels(spread)
    assert _same_themes(mine, theirs) == 1.0
    assert all(abs(mine[u][1] - theirs[u][1]) < 1e-4 for u in mine)
    assert spread.method == single.method and spread.categories[0].grain == single.categories[0].grain


def test_a_worker_killed_while_embedding_loses_no_card(dask_engine, grown_csv, single, large_path):
    """The run goes on: the dead worker's partitions are computed again (on the other worker, or on its restart)."""
    from synthesis.load import load_cards
    from synthesis.pipeline import synthesize

    engine, cards = dask_engine, load_cards(grown_csv)
    outcome = {}

    def run():
        try:
            outcome["synthesis"] = synthesize(cards, engine=_Partitions(engine, PARTITIONS), cache_dir=None)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    killed = _kill_a_worker_running(engine, "clean_and_embed", deadline=time.monotonic() + 240)
    thread.join(600)
    assert killed, "no worker was seen embedding"
    assert "error" not in outcome, outcome.get("error")
    synthesis = outcome["synthesis"]
    assert len(synthesis.cards) == N_TEXTS and len(synthesis.placements) == len(synthesis.units)
    # Labels equal the single machine's when run alone; two loaded full-suite runs gave less, not explained yet
    # (a float's last bits differing between processes swaps near-tied neighbours): the bound guards against lost
    # or misplaced partitions, not last-bit noise.
    ari = _same_themes(_labels(single), _labels(synthesis))
    print(f"ARI with the single machine after a worker was killed: {ari:.4f}")
    assert ari >= 0.8, ari


def test_unreachable_scheduler_is_one_line_and_writes_nothing(grown_csv, tmp_path, monkeypatch):
    from synthesis.cli import main

    monkeypatch.setattr("synthesis.engine.dask.CONNECT_TIMEOUT", 2)
    out = tmp_path / "out"
    out.mkdir()
    (out / "cartes.csv").write_text("précédent", encoding="utf-8")
    result = CliRunner().invoke(main, ["cluster", str(grown_csv), "-o", str(out), "--scheduler", "tcp://127.0.0.1:9", "-q"])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Erreur")]
    assert len(errors) == 1 and errors[0].startswith("Erreur : cluster Dask à l'adresse tcp://127.0.0.1:9 injoignable")
    assert result.output.rstrip().endswith("(--scheduler).")  # one line, no traceback
    assert (out / "cartes.csv").read_text(encoding="utf-8") == "précédent"
    assert sorted(path.name for path in out.iterdir()) == ["cartes.csv"]


def _die_every_time(_):
    os._exit(1)


def test_a_task_that_kills_every_worker_fails_with_one_french_line(dask_engine):
    """Last in the module: the workers are restarted (without their models) by the time it ends."""
    from synthesis.engine import EngineError

    with pytest.raises(EngineError, match="le calcul Dask n'a pas abouti .*fichiers de sortie précédents sont intacts"):
        dask_engine.gather(dask_engine.map(_die_every_time, [0]))


class _Partitions:
    """The module's engine with a fixed number of partitions."""

    def __init__(self, engine, partitions):
        self._engine, self.partitions, self.partitioned, self.name = engine, partitions, True, engine.name

    def partitions_for(self, n_units):
        return self.partitions

    def __getattr__(self, name):
        return getattr(self._engine, name)


def _kill_a_worker_running(engine, prefix: str, deadline: float) -> bool:
    """SIGKILL the process of a worker as soon as it runs a task whose key starts with prefix."""
    while time.monotonic() < deadline:
        for address, keys in engine.client.processing().items():
            if any(str(key).startswith(prefix) for key in keys):
                pid = engine.client.run(os.getpid, workers=[address])[address]
                os.kill(pid, signal.SIGKILL)
                return True
        time.sleep(0.2)
    return False
