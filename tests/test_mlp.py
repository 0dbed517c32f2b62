"""hw08.MLPClassifier em dados sintéticos pequenos."""

import numpy as np
import pytest
from sklearn.datasets import make_classification

from sklearn.exceptions import NotFittedError

from hw08 import MLPClassifier

X, Y = make_classification(n_samples=600, n_features=20, n_informative=10, n_classes=3, random_state=0)
X = X.astype(np.float32)


def test_learns_and_is_reproducible():
    a = MLPClassifier((32, 8), n_epochs=30, batch_size=32, lr=3e-3, random_state=0, device="cpu").fit(X, Y)
    b = MLPClassifier((32, 8), n_epochs=30, batch_size=32, lr=3e-3, random_state=0, device="cpu").fit(X, Y)
    assert a.score(X, Y) > 0.9
    assert a.history_["loss"] == b.history_["loss"]
    assert a.history_["loss"][-1] < a.history_["loss"][0]
    np.testing.assert_allclose(a.predict_proba(X).sum(1), 1, rtol=1e-5)


def test_features_are_the_penultimate_layer_in_2d():
    m = MLPClassifier((16, 5), n_epochs=2, random_state=0, device="cpu").fit(X, Y)
    post = m.features(X)
    pre = m.features(X, pre_activation=True)
    assert post.shape == pre.shape == (600, 5)
    np.testing.assert_allclose(post, np.maximum(pre, 0), atol=1e-6)
    # a última camada aplicada às ativações reproduz os logits
    W = m.model_[-1].weight.detach().numpy()
    bias = m.model_[-1].bias.detach().numpy()
    np.testing.assert_allclose(post @ W.T + bias, m.decision_function(X), atol=1e-4)


def test_features_of_any_hidden_layer():
    m = MLPClassifier((16, 5), n_epochs=2, random_state=0, device="cpu").fit(X, Y)
    first_pre = m.features(X, layer=0, pre_activation=True)
    assert first_pre.shape == (600, 16)
    # a primeira camada é só a transformação afim da entrada
    W, b = m.model_[0].weight.detach().numpy(), m.model_[0].bias.detach().numpy()
    np.testing.assert_allclose(first_pre, X @ W.T + b, atol=1e-4)
    np.testing.assert_allclose(m.features(X, layer=0), np.maximum(first_pre, 0), atol=1e-6)
    # a segunda camada aplicada à primeira (depois da ReLU) dá a penúltima camada
    W2, b2 = m.model_[2].weight.detach().numpy(), m.model_[2].bias.detach().numpy()
    np.testing.assert_allclose(m.features(X, layer=0) @ W2.T + b2, m.features(X, layer=1, pre_activation=True),
                               atol=1e-4)
    np.testing.assert_array_equal(m.features(X, layer=1), m.features(X, layer=-1))
    for bad in (2, -3, 0.5, True):
        with pytest.raises(ValueError, match="layer=.* inválido: o MLP tem 2 camadas ocultas"):
            m.features(X, layer=bad)


def test_cosine_schedule_learns_and_changes_training():
    m = MLPClassifier((32, 8), n_epochs=20, batch_size=32, lr=3e-3, lr_schedule="cosine", random_state=0,
                      device="cpu").fit(X, Y)
    assert m.score(X, Y) > 0.9
    c = MLPClassifier((32, 8), n_epochs=20, batch_size=32, lr=3e-3, random_state=0, device="cpu").fit(X, Y)
    assert m.history_["loss"] != c.history_["loss"]  # o cronograma muda o treino
    with pytest.raises(ValueError, match="lr_schedule='linear' inválido"):
        MLPClassifier(lr_schedule="linear", device="cpu").fit(X, Y)


def test_errors():
    with pytest.raises(NotFittedError, match="ainda não foi ajustado"):
        MLPClassifier().predict(X)
    with pytest.raises(ValueError, match=r"y deve ter forma \(600,\)"):
        MLPClassifier(device="cpu").fit(X, Y[:10])
    m = MLPClassifier((4,), n_epochs=1, device="cpu").fit(X, Y)
    with pytest.raises(ValueError, match="X tem 3 atributos, mas este MLPClassifier foi ajustado com 20"):
        m.predict(np.ones((2, 3)))


SMALL = dict(hidden_sizes=(16,), n_epochs=40, batch_size=32, lr=1e-2, random_state=0)


def test_labels_follow_sklearn_semantics():
    # rótulos {3, 7}: classes_ = [3, 7] e predict só devolve 3 ou 7 (antes: classes 0..7)
    y = np.where(Y == 0, 3, 7)
    m = MLPClassifier(**SMALL).fit(X, y)
    np.testing.assert_array_equal(m.classes_, [3, 7])
    assert set(np.unique(m.predict(X))) <= {3, 7}
    assert m.predict_proba(X).shape == (600, 2)
    # strings e -1 funcionam
    names = np.array(["gato", "cão", "rato"])[Y]
    ms = MLPClassifier(**SMALL).fit(X, names)
    np.testing.assert_array_equal(ms.classes_, ["cão", "gato", "rato"])
    assert ms.score(X, names) > 0.8
    mn = MLPClassifier(**SMALL).fit(X, Y - 1)
    np.testing.assert_array_equal(mn.classes_, [-1, 0, 1])
    # floats inteiros são rótulos; floats não inteiros e NaN são recusados em português
    np.testing.assert_array_equal(MLPClassifier(**{**SMALL, "n_epochs": 1}).fit(X, Y.astype(float)).classes_,
                                  [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="valores contínuos"):
        MLPClassifier(**SMALL).fit(X, Y + 0.5)
    bad = Y.astype(float)
    bad[3] = np.nan
    with pytest.raises(ValueError, match="y contém NaN"):
        MLPClassifier(**SMALL).fit(X, bad)
