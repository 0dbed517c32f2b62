"""Um perceptron multicamadas (MLP) para o MNIST, com acesso às ativações da penúltima camada."""

from __future__ import annotations

import numbers

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from torch import nn

from ._validation import (DEFAULT_DEVICE, DEVICE, RANDOM_STATE, VERBOSE, Interval, Options, _Rule,
                          check_array, check_fitted, check_n_features, make_generator, progress_bar,
                          resolve_device, to_numpy, validate_params)

__all__ = ["MLPClassifier"]


def _is_sizes(value):
    return (isinstance(value, (tuple, list)) and len(value) > 0
            and all(isinstance(h, numbers.Integral) and not isinstance(h, bool) and h >= 1
                    for h in value))


def check_labels(y, n_samples):
    """Rótulos de classe como no scikit-learn: ``(classes_, índices 0..C-1)``.

    Aceita inteiros, strings ou floats inteiros; recusa NaN, valores contínuos e formas erradas com
    mensagens em português.
    """
    y = np.asarray(to_numpy(y))
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.shape != (n_samples,):
        raise ValueError(f"y deve ter forma ({n_samples},), um rótulo por amostra de X; recebido "
                         f"{y.shape}.")
    if y.dtype.kind == "f":
        if not np.isfinite(y).all():
            raise ValueError("y contém NaN ou infinito: cada amostra precisa de um rótulo de classe.")
        if not np.array_equal(y, np.round(y)):
            raise ValueError("y tem valores contínuos (não inteiros): um classificador precisa de "
                             "rótulos de classe (inteiros ou strings).")
    elif y.dtype == object:
        if any(v is None or (isinstance(v, float) and v != v) for v in y):
            raise ValueError("y contém None ou NaN: cada amostra precisa de um rótulo de classe.")
        y = y.astype(str) if all(isinstance(v, str) for v in y) else y
    classes, encoded = np.unique(y, return_inverse=True)
    return classes, encoded


class MLPClassifier(ClassifierMixin, BaseEstimator):
    """Classificador MLP em torch (ReLU, Adam, mini-lotes), com semente e dispositivo.

    Parameters
    ----------
    hidden_sizes : tuple of int, default=(256, 64)
        Largura de cada camada oculta; a última é a "penúltima camada" cujas ativações
        :meth:`features` devolve.
    n_epochs : int, default=5
        Épocas de treino.
    batch_size : int, default=128
        Tamanho do mini-lote.
    lr : float, default=1e-3
        Taxa de aprendizado do Adam.
    lr_schedule : {"constant", "cosine"}, default="constant"
        ``"cosine"`` faz a taxa decair de ``lr`` a 0 em meia onda de cosseno ao longo de todos os
        passos do treino (``CosineAnnealingLR``); com Adam e taxa constante a acurácia oscila de
        uma época para outra, com o decaimento ela se estabiliza no fim.
    weight_decay : float, default=0.0
        Decaimento de pesos (L2) do Adam.
    random_state : None, int, numpy.random.RandomState or Generator, default=None
        Semente da inicialização dos pesos e do embaralhamento.
    device : {"cpu", "auto", "cuda"} or torch.device, default="cpu"
        ``"auto"`` usa a GPU quando houver.
    verbose : int, default=0
        ``1`` (ou ``True``) mostra uma barra de progresso por época (``tqdm.auto``) com a perda
        média corrente.

    Attributes
    ----------
    model_ : torch.nn.Sequential
    classes_ : numpy.ndarray
        Os rótulos vistos em ``fit`` (ordenados), como no scikit-learn: ``predict`` devolve
        sempre um deles.
    n_features_in_ : int
    history_ : dict of list
        ``"loss"`` (perda média de treino por época) e ``"accuracy"`` (acurácia de treino
        por época); ``"val_accuracy"`` quando ``fit`` recebe ``validation_data``.
    """

    _param_rules = {
        "hidden_sizes": [_Rule(_is_sizes, "uma tupla de inteiros >= 1")],
        "n_epochs": [Interval(numbers.Integral, 1)],
        "batch_size": [Interval(numbers.Integral, 1)],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "lr_schedule": [Options("constant", "cosine")],
        "weight_decay": [Interval(numbers.Real, 0)],
        "random_state": [RANDOM_STATE],
        "device": [DEVICE],
        "verbose": [VERBOSE],
    }

    def __init__(self, hidden_sizes=(256, 64), *, n_epochs=5, batch_size=128, lr=1e-3,
                 lr_schedule="constant", weight_decay=0.0, random_state=None, device=DEFAULT_DEVICE,
                 verbose=0):
        self.hidden_sizes = hidden_sizes
        self.n_epochs = n_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.weight_decay = weight_decay
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    def _build(self, n_in, n_out, generator):
        layers, width = [], n_in
        for h in self.hidden_sizes:
            layers += [nn.Linear(width, int(h)), nn.ReLU()]
            width = h
        layers.append(nn.Linear(width, n_out))
        model = nn.Sequential(*layers)
        with torch.no_grad():  # inicialização reprodutível, independente do gerador global
            for layer in model:
                if isinstance(layer, nn.Linear):
                    bound = 1.0 / np.sqrt(layer.in_features)
                    layer.weight.copy_(torch.empty_like(layer.weight).uniform_(-bound, bound, generator=generator))
                    layer.bias.copy_(torch.empty_like(layer.bias).uniform_(-bound, bound, generator=generator))
        return model

    def fit(self, X, y, validation_data=None):
        """Treina com entropia cruzada.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Rótulos de classe (inteiros ou strings; NaN é recusado).
        validation_data : tuple (X_val, y_val), default=None
            Se dado, registra a acurácia de validação por época.

        Returns
        -------
        self
        """
        validate_params(self)
        self._device = resolve_device(self.device)
        X = check_array(X, device=self._device)
        check_n_features(self, X, reset=True)
        self.classes_, encoded = check_labels(y, X.shape[0])
        y = torch.as_tensor(encoded, dtype=torch.int64, device=self._device)
        batch = int(self.batch_size)
        generator = make_generator(self.random_state)
        self.model_ = self._build(X.shape[1], len(self.classes_), generator).to(self._device)
        optimizer = torch.optim.Adam(self.model_.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        loss_fn = nn.CrossEntropyLoss()
        scheduler = None
        if self.lr_schedule == "cosine":  # decai de lr a 0 ao longo de todos os passos
            n_steps = self.n_epochs * -(-X.shape[0] // batch)
            scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=n_steps)
        self.history_ = {"loss": [], "accuracy": []}
        if validation_data is not None:
            self.history_["val_accuracy"] = []
        progress = progress_bar(self.verbose, self.n_epochs, "épocas", unit="época")
        for _ in range(self.n_epochs):
            # BEGIN SOLUTION Exercício prático 2 (a) (notebooks/02_gmm_ood.ipynb), laço de treino de uma época do MLP
            self.model_.train()
            order = torch.randperm(X.shape[0], generator=generator).to(self._device)
            total, correct = 0.0, 0
            for start in range(0, X.shape[0], batch):
                idx = order[start:start + batch]
                logits = self.model_(X[idx])
                loss = loss_fn(logits, y[idx])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if scheduler is not None:
                    scheduler.step()
                total += float(loss.detach()) * len(idx)
                correct += int((logits.argmax(1) == y[idx]).sum())
            self.history_["loss"].append(total / X.shape[0])
            self.history_["accuracy"].append(correct / X.shape[0])
            # END SOLUTION
            if validation_data is not None:
                self.history_["val_accuracy"].append(self.score(*validation_data))
            if progress is not None:
                progress.update(1)
                progress.set_postfix(perda=f"{self.history_['loss'][-1]:.4f}")
        if progress is not None:
            progress.close()
        self.model_.eval()
        return self

    def _check_fitted(self):
        check_fitted(self, "model_")

    @torch.no_grad()
    def _forward(self, X, upto=None, batch_size=8192):
        self._check_fitted()
        X = check_array(X, device=self._device)
        check_n_features(self, X, reset=False)
        layers = self.model_ if upto is None else self.model_[:upto]
        self.model_.eval()
        return torch.cat([layers(X[s:s + batch_size]) for s in range(0, X.shape[0], batch_size)])

    def decision_function(self, X):
        """Logits (antes do softmax), forma (n_samples, n_classes).

        Com duas classes, como no scikit-learn, forma (n_samples,): ``logit₁ − logit₀`` (positivo
        = ``classes_[1]``).
        """
        logits = to_numpy(self._forward(X))
        return logits[:, 1] - logits[:, 0] if logits.shape[1] == 2 else logits

    def predict_proba(self, X):
        """Probabilidades do softmax, forma (n_samples, n_classes)."""
        return to_numpy(torch.softmax(self._forward(X), dim=1))

    def predict(self, X):
        """Classe mais provável de cada amostra (um dos rótulos de ``classes_``)."""
        index = to_numpy(self._forward(X).argmax(1))
        return self.classes_[index]

    def score(self, X, y, sample_weight=None):
        """Acurácia em ``(X, y)`` (aceita ``y`` como tensor do torch)."""
        return super().score(X, np.asarray(to_numpy(y)), sample_weight=sample_weight)

    def features(self, X, *, layer=-1, pre_activation=False):
        """Ativações de uma camada oculta (por padrão a penúltima camada da rede), em lotes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        layer : int, default=-1
            Índice da camada oculta, como em ``hidden_sizes``: ``0`` é a primeira, ``-1`` a última
            (a penúltima camada da rede, logo antes dos logits).
        pre_activation : bool, default=False
            ``True`` devolve a saída da camada linear antes da ReLU; ``False``, depois.

        Returns
        -------
        numpy.ndarray of shape (n_samples, hidden_sizes[layer])
            Uma linha por amostra (nunca achatado em 1-D).
        """
        self._check_fitted()
        n_hidden = (len(self.model_) - 1) // 2  # a rede ajustada, não o parâmetro (que pode ter mudado)
        if isinstance(layer, bool) or not isinstance(layer, numbers.Integral) or not -n_hidden <= layer < n_hidden:
            raise ValueError(
                f"layer={layer!r} inválido: o MLP tem {n_hidden} camadas ocultas; use um inteiro "
                f"de {-n_hidden} a {n_hidden - 1} (0 = primeira, -1 = penúltima camada da rede)."
            )
        layer %= n_hidden
        # model_ = [Linear, ReLU] * n_hidden + [Linear]: a camada oculta i é o Linear de índice 2i
        upto = 2 * layer + (1 if pre_activation else 2)
        return to_numpy(self._forward(X, upto=upto))
