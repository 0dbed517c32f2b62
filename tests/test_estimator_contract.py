"""Contrato de estimador do scikit-learn para os estimadores do hw08.

Duas camadas: (1) o verificador do próprio scikit-learn (``parametrize_with_checks``), com as
exceções listadas em ``EXPECTED_FAILED`` — cada uma com o motivo; (2) testes de contrato nossos,
parametrizados sobre os cinco estimadores: não ajustado, largura errada, numpy/lista/tensor, dtype,
pickle, clone, ``random_state`` e os casos de ``Pipeline``/``GridSearchCV``.
"""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from hw08 import BernoulliMixture, GaussianMixture, KMeans, MissingKMeans, MLPClassifier
from hw08.ood import MahalanobisDetector

_PT = "mensagens de erro em português: o verificador procura o texto em inglês do scikit-learn"
_BINARY = ("BernoulliMixture só aceita X em [0, 1] (é um modelo de dados binários) e recusa com "
           "ValueError os dados gaussianos que o verificador usa")

# nome da checagem -> motivo; por estimador (os comuns a todos em "*")
EXPECTED_FAILED = {
    "*": {
        "check_n_features_in_after_fitting": _PT + " ('X has 3 features, but ... is expecting')",
        "check_complex_data": _PT + " ('Complex data not supported'); complexos são recusados",
        "check_dtype_object": _PT + " ('argument must be a string.* number'); strings são recusadas",
        "check_estimators_empty_data_messages": _PT + " ('0 feature(s) (shape=(3, 0)) while a "
                                                      "minimum of 1 is required')",
        "check_fit2d_predict1d": _PT + " ('Reshape your data')",
    },
    "BernoulliMixture": {name: _BINARY for name in (
        "check_estimators_overwrite_params", "check_dont_overwrite_parameters",
        "check_estimators_fit_returns_self", "check_readonly_memmap_input",
        "check_positive_only_tag_during_fit", "check_estimators_dtypes", "check_pipeline_consistency",
        "check_estimators_pickle", "check_estimators_pickle(readonly_memmap=True)",
        "check_f_contiguous_array_estimator", "check_methods_sample_order_invariance",
        "check_methods_subset_invariance", "check_fit2d_1feature", "check_dict_unchanged",
        "check_fit_idempotent", "check_fit_check_is_fitted", "check_n_features_in",
        "check_fit2d_1sample")},
    "GaussianMixture": {
        "check_fit2d_1sample": "exige 2 amostras para ajustar (como o scikit-learn); " + _PT,
    },
    "MahalanobisDetector": {},
    "MLPClassifier": {
        "check_classifiers_regression_target": _PT + " ('Unknown label type'/'continuous'; a nossa "
                                                     "diz 'valores contínuos')",
        "check_requires_y_none": _PT + " ('requires y to be passed')",
        "check_supervised_y_2d": "y de forma (n, 1) é achatado sem DataConversionWarning",
    },
}


# o MahalanobisDetector só tem score_samples: nessas checagens o verificador não tem o que testar (passam)
_PASSES = {"MahalanobisDetector": {"check_n_features_in_after_fitting", "check_fit2d_predict1d"}}


def _expected_failed(estimator):
    name = type(estimator).__name__
    expected = {**EXPECTED_FAILED["*"], **EXPECTED_FAILED.get(name, {})}
    return {check: why for check, why in expected.items() if check not in _PASSES.get(name, ())}


CHECKED = [
    KMeans(n_clusters=3, random_state=0),
    MissingKMeans(n_clusters=3, random_state=0),
    GaussianMixture(n_components=2, random_state=0),
    BernoulliMixture(n_components=2, random_state=0),
    MLPClassifier(hidden_sizes=(16,), n_epochs=30, batch_size=32, lr=1e-2, random_state=0),
    MahalanobisDetector(),
]


@parametrize_with_checks(CHECKED, expected_failed_checks=_expected_failed)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


# ---------------------------------------------------------------- contrato próprio, cinco estimadores
def _data(name):
    r = np.random.default_rng(0)
    X = np.r_[r.normal(0, .3, (30, 4)), r.normal(0, .3, (30, 4)) + 2]
    y = np.repeat([0, 1], 30)
    if name == "BernoulliMixture":
        X = (X > 1).astype(np.float64)
    return X, y


FIVE = {
    "KMeans": lambda: KMeans(2, random_state=0),
    "MissingKMeans": lambda: MissingKMeans(2, random_state=0),
    "GaussianMixture": lambda: GaussianMixture(2, random_state=0),
    "BernoulliMixture": lambda: BernoulliMixture(2, random_state=0),
    "MLPClassifier": lambda: MLPClassifier((8,), n_epochs=3, random_state=0),
}
METHOD = {"KMeans": "predict", "MissingKMeans": "predict", "GaussianMixture": "score_samples",
          "BernoulliMixture": "score_samples", "MLPClassifier": "predict"}


def _fit(est, name, X, y):
    return est.fit(X, y) if name == "MLPClassifier" else est.fit(X)


@pytest.fixture(params=sorted(FIVE))
def case(request):
    name = request.param
    X, y = _data(name)
    return name, FIVE[name](), X, y


def test_unfitted_raises_not_fitted_in_portuguese(case):
    name, est, X, _ = case
    with pytest.raises(NotFittedError, match="ainda não foi ajustado: chame fit"):
        getattr(est, METHOD[name])(X)


def test_wrong_width_is_a_clear_error(case):
    name, est, X, y = case
    _fit(est, name, X, y)
    assert est.n_features_in_ == X.shape[1]
    with pytest.raises(ValueError, match=f"X tem 5 atributos, mas este {name} foi ajustado com 4"):
        getattr(est, METHOD[name])(np.c_[X, X[:, :1]])


def test_numpy_list_and_tensor_give_the_same_answer(case):
    name, est, X, y = case
    _fit(est, name, X, y)
    method = getattr(est, METHOD[name])
    ref = method(X)
    np.testing.assert_allclose(method(X.tolist()), ref)
    np.testing.assert_allclose(method(torch.as_tensor(X)), ref)
    refit = _fit(clone(est), name, torch.as_tensor(X), torch.as_tensor(y))
    np.testing.assert_allclose(getattr(refit, METHOD[name])(X), ref, rtol=1e-6, atol=1e-6)


def test_float32_and_int_inputs_are_accepted(case):
    name, est, X, y = case
    _fit(est, name, X.astype(np.float32), y)
    out = getattr(est, METHOD[name])(X.astype(np.float32))
    assert len(out) == len(X) and np.all(np.isfinite(out.astype(float)))
    if name == "BernoulliMixture":
        _fit(clone(est), name, X.astype(int), y)


def test_pickle_round_trip_predicts_the_same(case):
    name, est, X, y = case
    _fit(est, name, X, y)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(getattr(again, METHOD[name])(X), getattr(est, METHOD[name])(X))


def test_clone_get_set_params_and_random_state(case):
    name, est, X, y = case
    params = est.get_params()
    assert params["random_state"] == 0 and params["device"] == "cpu" and params["verbose"] == 0
    copy = clone(est).set_params(random_state=np.random.RandomState(0))
    _fit(copy, name, X, y)  # RandomState como no scikit-learn
    a = getattr(_fit(clone(est), name, X, y), METHOD[name])(X)
    b = getattr(_fit(clone(est), name, X, y), METHOD[name])(X)
    np.testing.assert_array_equal(a, b)  # int: reprodutível
    with pytest.raises(ValueError, match="random_state='x' inválido"):
        _fit(clone(est).set_params(random_state="x"), name, X, y)
    with pytest.raises(ValueError, match="verbose=-1 inválido"):
        _fit(clone(est).set_params(verbose=-1), name, X, y)


def test_default_device_is_cpu_everywhere():
    # nada troca para CUDA em silêncio: o padrão é o mesmo em todos e é a CPU
    for make in FIVE.values():
        assert type(make())().get_params()["device"] == "cpu"


def test_pipeline_and_grid_search():
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = _data("GaussianMixture")
    search = GridSearchCV(make_pipeline(StandardScaler(), GaussianMixture(random_state=0)),
                          {"gaussianmixture__n_components": [1, 2, 3]}, cv=3).fit(X)
    assert search.best_params_["gaussianmixture__n_components"] in (1, 2, 3)
    search = GridSearchCV(make_pipeline(StandardScaler(), KMeans(random_state=0)),
                          {"kmeans__n_clusters": [2, 3]}, cv=3).fit(X)
    assert search.best_estimator_[-1].n_clusters in (2, 3)
    search = GridSearchCV(MLPClassifier((8,), random_state=0), {"n_epochs": [1, 5]}, cv=3).fit(X, y)
    assert search.best_score_ > 0.5


# ---------------------------------------------------------------- GPU (pulados sem CUDA)
@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="sem GPU CUDA nesta máquina")
@pytest.mark.parametrize("name", sorted(FIVE))
def test_cuda_matches_cpu(name):
    X, y = _data(name)
    cpu = _fit(FIVE[name](), name, X, y)
    gpu = _fit(FIVE[name]().set_params(device="cuda"), name, X, y)
    a, b = getattr(cpu, METHOD[name])(X), getattr(gpu, METHOD[name])(X)
    if METHOD[name] == "predict":
        assert np.mean(a == b) > 0.95
    else:
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="sem GPU CUDA nesta máquina")
def test_auto_device_uses_the_gpu():
    X, _ = _data("KMeans")
    km = KMeans(2, random_state=0, device="auto").fit(X)
    assert km._device.type == "cuda"
