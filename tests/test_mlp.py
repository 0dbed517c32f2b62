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


def test_errors():
    with pytest.raises(ValueError, match="ainda não foi treinado"):
        MLPClassifier().predict(X)
    with pytest.raises(ValueError, match=r"y deve ter forma \(600,\)"):
        MLPClassifier(device="cpu").fit(X, Y[:10])
    m = MLPClassifier((4,), n_epochs=1, device="cpu").fit(X, Y)
    with pytest.raises(ValueError, match="X tem 3 atributos, mas o MLP espera 20"):
        m.predict(np.ones((2, 3)))
