"""Testes de hw08.BernoulliMixture contra contas em numpy feitas termo a termo."""

import itertools
import math
import warnings

import numpy as np
import pytest
from scipy.special import logsumexp

from hw08 import BernoulliMixture


def _sample(n, weights, means, seed):
    rng = np.random.default_rng(seed)
    z = rng.choice(len(weights), size=n, p=weights)
    X = (rng.random((n, means.shape[1])) < means[z]).astype(np.float64)
    return X, z


def _brute_force_loglik(X, weights, means):
    """log p(x_n) com o produto sobre d e a soma sobre k escritos literalmente."""
    out = np.empty(len(X))
    for n, x in enumerate(X):
        total = 0.0
        for k in range(len(weights)):
            p = weights[k]
            for d in range(len(x)):
                p *= means[k, d] ** x[d] * (1 - means[k, d]) ** (1 - x[d])
            total += p
        out[n] = math.log(total)
    return out


@pytest.fixture
def toy():
    weights = np.array([0.5, 0.3, 0.2])
    means = np.array([
        [0.9, 0.9, 0.9, 0.1, 0.1, 0.1, 0.5, 0.2],
        [0.1, 0.1, 0.9, 0.9, 0.9, 0.1, 0.5, 0.8],
        [0.1, 0.8, 0.1, 0.1, 0.8, 0.9, 0.9, 0.1],
    ])
    X, z = _sample(3000, weights, means, seed=0)
    return X, z, weights, means


def test_score_samples_matches_brute_force(toy):
    X, _, weights, means = toy
    bm = BernoulliMixture(3, means_init=means, weights_init=weights, max_iter=1, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bm.fit(X)
    got = bm.score_samples(X[:50])
    want = _brute_force_loglik(X[:50], bm.weights_, bm.means_)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert bm.score(X[:50]) == pytest.approx(want.mean(), rel=1e-10)


def test_one_em_step_matches_numpy(toy):
    X, _, weights, means = toy
    # E-step e M-step escritos à mão em numpy
    log_joint = X @ np.log(means).T + (1 - X) @ np.log(1 - means).T + np.log(weights)
    resp = np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))
    nk = resp.sum(0)
    bm = BernoulliMixture(3, means_init=means, weights_init=weights, max_iter=1, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bm.fit(X)
    np.testing.assert_allclose(bm.weights_, nk / len(X), rtol=1e-10)
    np.testing.assert_allclose(bm.means_, resp.T @ X / nk[:, None], rtol=1e-10)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_log_likelihood_is_monotone(toy):
    X, *_ = toy
    for seed in range(3):
        bm = BernoulliMixture(4, max_iter=200, tol=1e-10, random_state=seed).fit(X)
        lbs = np.array(bm.lower_bounds_)
        assert len(lbs) >= 2
        assert np.all(np.diff(lbs) >= -1e-12)
        assert bm.lower_bound_ == pytest.approx(lbs[-1])
        assert bm.lower_bound_ == pytest.approx(bm.score(X))


def test_recovers_known_parameters(toy):
    X, z, weights, means = toy
    bm = BernoulliMixture(3, n_init=3, tol=1e-8, max_iter=500, random_state=0).fit(X)
    # casa componentes pela permutação de menor erro
    best = min(itertools.permutations(range(3)),
               key=lambda p: np.abs(bm.means_[list(p)] - means).sum())
    perm = list(best)
    assert np.abs(bm.means_[perm] - means).max() < 0.06
    assert np.abs(bm.weights_[perm] - weights).max() < 0.03
    # agrupamentos quase idênticos aos rótulos verdadeiros
    relabel = np.argsort(perm)[bm.predict(X)]
    assert (relabel == z).mean() > 0.9


def test_fit_predict_agrees_and_proba_sums_to_one(toy):
    X, *_ = toy
    bm = BernoulliMixture(3, random_state=1)
    labels = bm.fit_predict(X)
    np.testing.assert_array_equal(labels, bm.predict(X))
    proba = bm.predict_proba(X)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(proba.argmax(1), labels)


def test_reproducible_with_random_state(toy):
    X, *_ = toy
    a = BernoulliMixture(3, random_state=7, n_init=2).fit(X)
    b = BernoulliMixture(3, random_state=7, n_init=2).fit(X)
    np.testing.assert_array_equal(a.means_, b.means_)
    assert a.lower_bounds_ == b.lower_bounds_


def test_constant_columns_never_give_log_zero():
    X = np.zeros((40, 6))
    X[:20, 0] = 1.0
    X[:, 5] = 1.0  # coluna sempre acesa, outras sempre apagadas
    bm = BernoulliMixture(2, random_state=0, init_params="random_from_data").fit(X)
    assert np.all(np.isfinite(bm.score_samples(X)))
    assert bm.means_.min() >= bm.min_prob and bm.means_.max() <= 1 - bm.min_prob
    # um pixel nunca visto aceso custa log(min_prob), não -inf
    x_new = np.ones((1, 6))
    assert np.isfinite(bm.score_samples(x_new)).all()


def test_bic_and_aic_formulas(toy):
    X, *_ = toy
    bm = BernoulliMixture(3, random_state=0).fit(X)
    n, d = X.shape
    p = 3 * d + 2
    loglik = _brute_force_loglik(X[:200], bm.weights_, bm.means_).sum()
    assert bm.bic(X[:200]) == pytest.approx(-2 * loglik + p * math.log(200), rel=1e-9)
    assert bm.aic(X[:200]) == pytest.approx(-2 * loglik + 2 * p, rel=1e-9)


def test_sample_shapes_and_frequencies(toy):
    X, _, weights, means = toy
    bm = BernoulliMixture(3, means_init=means, weights_init=weights, max_iter=1, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bm.fit(X)
    Xs, labels = bm.sample(20000, random_state=0)
    assert Xs.shape == (20000, 8) and set(np.unique(Xs)) <= {0.0, 1.0}
    np.testing.assert_allclose(np.bincount(labels, minlength=3) / 20000, bm.weights_, atol=0.02)


def test_convergence_warning():
    X, _ = _sample(300, np.array([0.5, 0.5]), np.array([[0.9] * 5, [0.1] * 5]), seed=1)
    from sklearn.exceptions import ConvergenceWarning
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        BernoulliMixture(2, max_iter=1, tol=0, random_state=0).fit(X)


@pytest.mark.parametrize("kwargs, X, match", [
    ({}, np.array([[0.0, 2.0], [1.0, 0.0]]), "valores em \\[0, 1\\]"),
    ({"n_components": 5}, np.eye(3), "n_components=5"),
    ({"init_params": "kmeans"}, np.eye(3), "init_params"),
    ({"min_prob": 0.0}, np.eye(3), "min_prob"),
    ({"means_init": np.full((2, 2), 0.5)}, np.eye(3), "means_init"),
    ({"weights_init": [0.7, 0.7]}, np.eye(3), "weights_init"),
    ({}, np.array([[0.0, np.nan]]), "NaN"),
])
def test_invalid_input_raises_portuguese_error(kwargs, X, match):
    params = {"n_components": 2, **kwargs}
    with pytest.raises(ValueError, match=match):
        BernoulliMixture(**params).fit(X)


def test_predict_before_fit_and_wrong_width(toy):
    X, *_ = toy
    with pytest.raises(ValueError, match="ainda não foi ajustado"):
        BernoulliMixture(2).predict(X)
    bm = BernoulliMixture(2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="atributos"):
        bm.predict(X[:, :3])
