"""Testes de hw08.MissingKMeans (K-means com entradas faltantes, exercício 1)."""

import numpy as np
import pytest
from sklearn.cluster import KMeans as SkKMeans

from hw08 import MissingKMeans
from hw08.kmeans_missing import expected_objective


def _data(seed=0, n=300, d=6, k=3, frac=0.2):
    rng = np.random.default_rng(seed)
    centers = 4 * rng.normal(size=(k, d))
    X = centers[rng.integers(k, size=n)] + rng.normal(size=(n, d))
    Xm = X.copy()
    Xm[rng.random(X.shape) < frac] = np.nan
    return X, Xm


def test_equals_kmeans_on_zero_filled_data():
    _, Xm = _data()
    init = np.nan_to_num(Xm[[0, 100, 200]])
    mk = MissingKMeans(3, c=2.0, init=init, tol=0, device="cpu").fit(Xm)
    sk = SkKMeans(3, init=init, n_init=1, tol=0, algorithm="lloyd").fit(np.nan_to_num(Xm))
    np.testing.assert_array_equal(mk.labels_, sk.labels_)
    np.testing.assert_allclose(mk.cluster_centers_, sk.cluster_centers_, atol=1e-10)
    n_missing = int(np.isnan(Xm).sum())
    assert mk.n_missing_ == n_missing
    assert mk.inertia_ == pytest.approx(sk.inertia_ + 2.0 * n_missing, rel=1e-10)


def test_c_changes_objective_but_not_argmins():
    _, Xm = _data(seed=1)
    a = MissingKMeans(3, c=0.0, random_state=0, device="cpu").fit(Xm)
    b = MissingKMeans(3, c=7.5, random_state=0, device="cpu").fit(Xm)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    assert b.inertia_ - a.inertia_ == pytest.approx(7.5 * a.n_missing_, rel=1e-12)


def test_objective_never_increases_and_matches_formula():
    _, Xm = _data(seed=2, k=5, frac=0.4)
    mk = MissingKMeans(5, c=1.5, init="random", random_state=3, device="cpu").fit(Xm)
    hist = np.asarray(mk.objective_history_)
    assert len(hist) >= 3
    assert np.all(np.diff(hist) <= 1e-9 * hist[0])
    direct = expected_objective(Xm, mk.cluster_centers_, mk.labels_, c=1.5)
    assert mk.inertia_ == pytest.approx(direct, rel=1e-12)


def test_update_rule_per_coordinate():
    """μ_id = Σ_{x∈C_i, d observado} x_d / |C_i| — e não a média só dos observados."""
    _, Xm = _data(seed=4, frac=0.3)
    mk = MissingKMeans(3, random_state=0, device="cpu").fit(Xm)
    # num ponto fixo do algoritmo, os centroides são a regra de atualização aplicada às atribuições
    mk2 = MissingKMeans(3, init=mk.cluster_centers_, tol=0, device="cpu").fit(Xm)
    labels = mk2.labels_
    for i in range(3):
        members = Xm[labels == i]
        rule = np.nansum(members, axis=0) / len(members)
        np.testing.assert_allclose(mk2.cluster_centers_[i], rule, atol=1e-10)
        assert not np.allclose(rule, np.nanmean(members, axis=0))


def test_monte_carlo_expectation():
    """E_{x_M ~ N(0, cI)} ‖x − μ‖² pela fórmula fechada contra a média de sorteios."""
    rng = np.random.default_rng(5)
    _, Xm = _data(seed=5, n=40, frac=0.3)
    centers = rng.normal(size=(2, Xm.shape[1]))
    labels = rng.integers(2, size=len(Xm))
    c = 0.7
    closed = expected_objective(Xm, centers, labels, c)
    missing = np.isnan(Xm)
    draws = []
    for _ in range(4000):
        filled = np.where(missing, rng.normal(scale=np.sqrt(c), size=Xm.shape), Xm)
        draws.append(((filled - centers[labels]) ** 2).sum())
    draws = np.asarray(draws)
    assert abs(draws.mean() - closed) < 4 * draws.std() / np.sqrt(len(draws))


def test_centers_are_coordinatewise_minimisers():
    _, Xm = _data(seed=6)
    mk = MissingKMeans(3, random_state=1, device="cpu").fit(Xm)
    labels = mk.predict(Xm)
    centers = np.array([np.nansum(Xm[labels == i], 0) / (labels == i).sum() for i in range(3)])
    base = expected_objective(Xm, centers, labels, 1.0)
    for delta in (1e-3, -1e-3):
        moved = centers.copy()
        moved[1, 2] += delta
        assert expected_objective(Xm, moved, labels, 1.0) > base


def test_no_missing_is_plain_kmeans():
    X, _ = _data(seed=7)
    init = X[[0, 1, 2]]
    mk = MissingKMeans(3, init=init, tol=0, device="cpu").fit(X)
    sk = SkKMeans(3, init=init, n_init=1, tol=0, algorithm="lloyd").fit(X)
    assert mk.n_missing_ == 0
    assert mk.inertia_ == pytest.approx(sk.inertia_, rel=1e-10)


def test_impute_and_predict():
    X, Xm = _data(seed=8)
    mk = MissingKMeans(3, random_state=0, device="cpu").fit(Xm)
    filled = mk.impute(Xm)
    obs = ~np.isnan(Xm)
    np.testing.assert_array_equal(filled[obs], Xm[obs])
    assert np.isfinite(filled).all()
    np.testing.assert_array_equal(mk.predict(Xm), mk.labels_)
    assert mk.score(Xm) == pytest.approx(-mk.inertia_, rel=1e-12)


@pytest.mark.parametrize("kwargs, msg", [
    (dict(n_clusters=0), "n_clusters"),
    (dict(n_clusters=2, c=-1.0), r"c=-1.0 inválido; use um número >= 0"),
    (dict(n_clusters=2, init="kmedias"), "init"),
    (dict(n_clusters=2, init=np.zeros((3, 6))), "init"),
])
def test_invalid_parameters(kwargs, msg):
    _, Xm = _data()
    with pytest.raises(ValueError, match=msg):
        MissingKMeans(device="cpu", **kwargs).fit(Xm)


def test_errors_inf_and_not_fitted():
    _, Xm = _data()
    Xm[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinitos"):
        MissingKMeans(2, device="cpu").fit(Xm)
    with pytest.raises(ValueError, match="fit"):
        MissingKMeans(2).predict(Xm)
