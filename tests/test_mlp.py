"""hw08.MLPClassifier em dados sintéticos pequenos."""

import numpy as np
import pytest
from sklearn.datasets import make_classification

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
    with pytest.raises(ValueError, match="ainda não foi treinado"):
        MLPClassifier().predict(X)
    with pytest.raises(ValueError, match=r"y deve ter forma \(600,\)"):
        MLPClassifier(device="cpu").fit(X, Y[:10])
    m = MLPClassifier((4,), n_epochs=1, device="cpu").fit(X, Y)
    with pytest.raises(ValueError, match="X tem 3 atributos, mas o MLP espera 20"):
        m.predict(np.ones((2, 3)))
