"""Classification into a codebook's themes: leave-one-out thresholds and the two ways to choose a theme (no model needed)."""

import numpy as np
import pytest

from synthesis.codebook.assign import CENTRE, KNN, MIN_CALIBRATION, category_codebook, classify


def _cloud(rng, direction: np.ndarray, n: int, spread: float) -> np.ndarray:
    points = direction + spread * rng.standard_normal((n, len(direction)))
    return points / np.linalg.norm(points, axis=1, keepdims=True)


@pytest.fixture()
def two_themes():
    rng = np.random.default_rng(0)
    axes = np.eye(16)
    return rng, axes, [_cloud(rng, axes[0], 30, 0.15), _cloud(rng, axes[1], 30, 0.15)]


@pytest.mark.parametrize("method", [CENTRE, KNN])
def test_new_points_join_the_theme_they_come_from_and_an_unrelated_one_joins_none(two_themes, method):
    rng, axes, members = two_themes
    codebook = category_codebook(["a-01", "a-02"], members, method=method)
    near_first, near_second = _cloud(rng, axes[0], 20, 0.15), _cloud(rng, axes[1], 20, 0.15)
    found = classify(np.vstack([near_first, near_second, axes[7:8]]), codebook)
    assert (found.best[:20] == 0).all() and (found.best[20:40] == 1).all()
    assert found.accepted[:40].mean() >= 0.8  # the quantile turns away about one in twenty of a theme's own kind
    assert not found.accepted[40]  # orthogonal to both themes


def test_thresholds_are_a_low_quantile_of_each_themes_own_leave_one_out_scores(two_themes):
    rng, axes, members = two_themes
    loose = _cloud(rng, axes[2], 30, 0.6)
    codebook = category_codebook(["t1", "t2", "t3"], [members[0], members[1], loose], method=CENTRE, quantile=0.1)
    # A loose theme asks less of a newcomer than a tight one.
    assert codebook.thresholds[2] < codebook.thresholds[0] - 0.1
    # Leave-one-out: about a tenth of a theme's own cards fall below its threshold when left out of its centre.
    below = np.mean(_leave_one_out(members[0]) < codebook.thresholds[0])
    assert 0.05 <= below <= 0.15


def _leave_one_out(own: np.ndarray) -> np.ndarray:
    others = own.sum(axis=0) - own
    return np.einsum("ij,ij->i", own, others / np.linalg.norm(others, axis=1, keepdims=True))


def test_a_theme_too_small_to_calibrate_borrows_the_categorys_threshold(two_themes):
    rng, axes, members = two_themes
    small = _cloud(rng, axes[3], MIN_CALIBRATION - 1, 0.15)
    codebook = category_codebook(["t1", "t2", "small"], [members[0], members[1], small], method=CENTRE, quantile=0.05)
    pooled = np.quantile(np.concatenate([_leave_one_out(m) for m in (members[0], members[1], small)]), 0.05)
    assert codebook.thresholds[2] == pytest.approx(pooled)
    assert codebook.thresholds[0] == pytest.approx(np.quantile(_leave_one_out(members[0]), 0.05))


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError):
        category_codebook(["t"], [np.eye(3)], method="nearest")
