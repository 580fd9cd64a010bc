"""Shared, session-scoped fixtures: models and the demo run are loaded or computed once."""

import os
import tempfile
from pathlib import Path

import pytest

# No model hub is reachable: any accidental download must fail at once, not hang.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# The CLI caches embeddings under the user's cache folder: tests keep theirs apart.
os.environ.setdefault("SYNTH_CACHE_DIR", tempfile.mkdtemp(prefix="synth-test-cache-"))

REPO = Path(__file__).resolve().parents[1]
DEMO_CSV = REPO / "corpora" / "ogd-occitanie-2023" / "cartes.csv"
EVAL_DIR = REPO.parent / "shared" / "eval"


@pytest.fixture(scope="session")
def use_embedder():
    from synthesis.embed import load_embedder

    return load_embedder("use-m3")


@pytest.fixture(scope="session")
def demo_cards():
    from synthesis.load import load_cards

    return load_cards(DEMO_CSV)


@pytest.fixture(scope="session")
def demo_synthesis(demo_cards, use_embedder):
    from synthesis.pipeline import synthesize

    return synthesize(demo_cards)


@pytest.fixture(scope="session")
def demo_output(demo_synthesis, tmp_path_factory):
    from synthesis.report import write_outputs

    out = tmp_path_factory.mktemp("demo-out")
    write_outputs(demo_synthesis, out)
    return out


def eval_file(name: str) -> Path:
    path = EVAL_DIR / name
    if not path.is_file():
        pytest.skip(f"evaluation set {path} not available")
    return path
