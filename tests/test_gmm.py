"""Testes de hw08.GaussianMixture: contra o scikit-learn (mesmos parâmetros iniciais) e o SciPy."""

import warnings

import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SkGaussianMixture

from hw08 import GaussianMixture

COV_TYPES = ["full", "tied", "diag", "spherical"]


def _blobs(seed=0, n=150, d=3, k=3):
    rng = np.random.default_rng(seed)
    parts = [rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) + 4 * rng.normal(size=d)
             for _ in range(k)]
    return np.vstack(parts)


def _sk_init(X, k, ctype, seed=1):
    """Parâmetros iniciais comuns: uma iteração do scikit-learn a partir de pontos sorteados."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = SkGaussianMixture(k, covariance_type=ctype, max_iter=1, random_state=seed,
                               init_params="random_from_data").fit(X)
    return dict(weights_init=sk.weights_, means_init=sk.means_, precisions_init=sk.precisions_)


def _fit_both(X, k, ctype, **kw):
    init = _sk_init(X, k, ctype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = SkGaussianMixture(k, covariance_type=ctype, **init, **kw).fit(X)
        ours = GaussianMixture(k, covariance_type=ctype, **init, **kw).fit(X)
    return sk, ours


@pytest.mark.parametrize("ctype", COV_TYPES)
def test_matches_sklearn_from_same_init(ctype):
    X = _blobs()
    sk, ours = _fit_both(X, 3, ctype, max_iter=25, tol=1e-10)
    assert ours.n_iter_ == sk.n_iter_
    assert abs(ours.lower_bound_ - sk.lower_bound_) < 1e-8
    np.testing.assert_allclose(ours.lower_bounds_, sk.lower_bounds_, atol=1e-8)
    for name in ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"):
        np.testing.assert_allclose(getattr(ours, name), getattr(sk, name), rtol=1e-6, atol=1e-8,
                                   err_msg=name)
    np.testing.assert_allclose(ours.score_samples(X), sk.score_samples(X), atol=1e-8)
    np.testing.assert_allclose(ours.predict_proba(X), sk.predict_proba(X), atol=1e-8)
    np.testing.assert_array_equal(ours.predict(X), sk.predict(X))
    assert ours.bic(X) == pytest.approx(sk.bic(X), rel=1e-10)
    assert ours.aic(X) == pytest.approx(sk.aic(X), rel=1e-10)


@pytest.mark.parametrize("ctype", COV_TYPES)
def test_converges_like_sklearn_with_default_tol(ctype):
    X = _blobs(seed=3)
    sk, ours = _fit_both(X, 3, ctype, max_iter=200)
    assert ours.converged_ and sk.converged_
    assert ours.n_iter_ == sk.n_iter_
    assert abs(ours.lower_bound_ - sk.lower_bound_) < 1e-3


@pytest.mark.parametrize("ctype", COV_TYPES)
def test_precisions_definition_against_scipy(ctype):
    """Densidades pelo SciPy a partir de means_/covariances_: pega definições erradas de precisão."""
    X = _blobs(seed=5)
    _, gm = _fit_both(X, 3, ctype, max_iter=10)
    k, d = gm.means_.shape
    covs = {"full": lambda c: c,
            "tied": lambda c: np.repeat(c[None], k, axis=0),
            "diag": lambda c: np.array([np.diag(v) for v in c]),
            "spherical": lambda c: np.array([v * np.eye(d) for v in c])}[ctype](gm.covariances_)
    dens = np.column_stack([gm.weights_[j] * multivariate_normal(gm.means_[j], covs[j]).pdf(X)
                            for j in range(k)])
    np.testing.assert_allclose(gm.score_samples(X), np.log(dens.sum(1)), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(gm.predict_proba(X), dens / dens.sum(1, keepdims=True), atol=1e-10)
    # precisão = inversa da covariância, e precisions_cholesky_ é o fator de sklearn
    prec_full = np.linalg.inv(covs)
    if ctype in ("full", "tied"):
        u = gm.precisions_cholesky_ if ctype == "full" else gm.precisions_cholesky_[None]
        np.testing.assert_allclose(u @ np.swapaxes(u, -1, -2),
                                   prec_full if ctype == "full" else prec_full[:1], rtol=1e-8)
        assert np.allclose(np.tril(u, -1), 0.0)       # triangular superior
        assert (np.diagonal(u, axis1=-2, axis2=-1) > 0).all()
    else:
        diag_prec = np.diagonal(prec_full, axis1=1, axis2=2)
        np.testing.assert_allclose(gm.precisions_cholesky_**2,
                                   diag_prec if ctype == "diag" else diag_prec[:, 0], rtol=1e-10)


@pytest.mark.parametrize("ctype", COV_TYPES)
@pytest.mark.parametrize("init", ["random", "random_from_data"])
def test_log_likelihood_never_decreases(ctype, init):
    X = _blobs(seed=7, k=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gm = GaussianMixture(4, covariance_type=ctype, init_params=init, max_iter=60, tol=0,
                             random_state=0).fit(X)
    lb = np.asarray(gm.lower_bounds_)
    assert len(lb) == 60
    assert np.all(np.diff(lb) >= -1e-10)
    assert gm.score(X) >= lb[-1] - 1e-10      # parâmetros finais: depois do último passo M


def test_fit_predict_matches_predict_and_reproducible():
    X = _blobs(seed=2)
    a = GaussianMixture(3, init_params="random_from_data", n_init=3, random_state=4)
    labels = a.fit_predict(X)
    np.testing.assert_array_equal(labels, a.predict(X))
    b = GaussianMixture(3, init_params="random_from_data", n_init=3, random_state=4).fit(X)
    np.testing.assert_array_equal(a.means_, b.means_)
    np.testing.assert_allclose(a.predict_proba(X).sum(1), 1.0, atol=1e-12)


def test_n_init_keeps_best():
    X = _blobs(seed=8, k=4)
    single = [GaussianMixture(4, init_params="random_from_data", random_state=s).fit(X).lower_bound_
              for s in range(3)]
    best = GaussianMixture(4, init_params="random_from_data", n_init=5, random_state=0).fit(X)
    assert best.lower_bound_ >= max(single) - 0.5   # sementes diferentes; só um piso razoável
    gm = GaussianMixture(4, init_params="random_from_data", n_init=1, random_state=0).fit(X)
    assert best.lower_bound_ >= gm.lower_bound_ - 1e-12   # a 1.ª inicialização é a mesma


def test_kmeans_init_runs():
    pytest.importorskip("hw08.kmeans")
    X = _blobs(seed=9)
    for init in ("kmeans", "k-means++"):
        gm = GaussianMixture(3, init_params=init, random_state=0).fit(X)
        assert gm.converged_ and np.isfinite(gm.lower_bound_)


def test_degenerate_data_error_or_regularized():
    X = np.repeat(np.array([[0.0, 0.0], [1.0, 1.0], [5.0, 0.0]]), 20, axis=0)   # só 3 pontos distintos
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(ValueError, match="reg_covar"):
            GaussianMixture(3, reg_covar=0.0, init_params="random_from_data",
                            random_state=0).fit(X)
        gm = GaussianMixture(3, reg_covar=1e-3, init_params="random_from_data",
                             random_state=0).fit(X)
    assert np.isfinite(gm.means_).all() and np.isfinite(gm.covariances_).all()
    assert np.isfinite(gm.score_samples(X)).all()


def test_float32_close_to_float64():
    X = _blobs(seed=11)
    init = _sk_init(X, 3, "full")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = GaussianMixture(3, max_iter=20, tol=0, **init).fit(X)
        b = GaussianMixture(3, max_iter=20, tol=0, dtype="float32", **init).fit(X)
    assert abs(a.lower_bound_ - b.lower_bound_) < 1e-3


@pytest.mark.parametrize("ctype", COV_TYPES)
def test_sample_moments(ctype):
    X = _blobs(seed=12)
    gm = GaussianMixture(1, covariance_type=ctype, random_state=0, init_params="random").fit(X)
    S, labels = gm.sample(20000)
    assert S.shape == (20000, 3) and labels.shape == (20000,)
    np.testing.assert_allclose(S.mean(0), gm.means_[0], atol=0.15)
    cov = {"tied": lambda c: c, "full": lambda c: c[0], "diag": lambda c: np.diag(c[0]),
           "spherical": lambda c: c[0] * np.eye(3)}[ctype](gm.covariances_)
    np.testing.assert_allclose(np.cov(S.T), cov, atol=0.05 * np.abs(cov).max() + 0.05)


@pytest.mark.parametrize("kwargs, msg", [
    (dict(n_components=0), "n_components"),
    (dict(n_components=2, covariance_type="cheia"), "covariance_type"),
    (dict(n_components=2, init_params="kmedias"), "init_params"),
    (dict(n_components=2, reg_covar=-1.0), "reg_covar"),
    (dict(n_components=2, weights_init=[0.9, 0.3]), "weights_init"),
    (dict(n_components=2, means_init=np.zeros((3, 3))), "means_init"),
    (dict(n_components=2, precisions_init=np.ones(2)), "precisions_init"),
    (dict(n_components=2, dtype="float16"), "dtype"),
])
def test_invalid_parameters(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        GaussianMixture(**kwargs).fit(_blobs())


def test_not_fitted_and_wrong_features():
    gm = GaussianMixture(2)
    with pytest.raises(ValueError, match="fit"):
        gm.predict(np.zeros((2, 3)))
    gm = GaussianMixture(2, init_params="random", random_state=0).fit(_blobs())
    with pytest.raises(ValueError, match="atributos"):
        gm.score_samples(np.zeros((2, 4)))
