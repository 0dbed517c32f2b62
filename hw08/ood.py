"""Detecção de amostras fora da distribuição (OOD): métricas, detectores e a escolha do detector.

Convenção única: **o escore é maior para amostras dentro da distribuição** (ID). A classe positiva das
métricas é a ID (MNIST): AUROC = P(escore de uma ID > escore de uma OOD); FPR a 95 % de TPR = fração de
OOD aceita quando o limiar aceita 95 % das ID; AUPR-In usa ID como positiva e AUPR-Out usa OOD como
positiva (com o escore trocado de sinal).

A escolha do detector do notebook 02 (e de ``benchmarks/ood.py``) está aqui, uma vez só:
:func:`activation_gmm` (padroniza, PCA opcional, :class:`hw08.GaussianMixture`),
:func:`sweep_gmm` (ajusta uma grade de configurações e mede a AUROC de **validação**),
:func:`choose_by_validation` (maior AUROC de validação; empate → o modelo menor) e
:class:`OODSelector`, que faz tudo isso em várias camadas do MLP e escolhe também a camada — sem
nunca olhar os conjuntos de teste.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ._validation import (DEFAULT_DEVICE, Interval, check_array, check_fitted, check_n_features,
                          to_numpy, validate_params)

__all__ = ["ood_metrics", "threshold_at_tpr", "msp_score", "MahalanobisDetector", "roc",
           "activation_gmm", "sweep_gmm", "choose_by_validation", "OODSelector",
           "PENULTIMATE_GRID", "FIRST_LAYER_GRID", "validation_spread"]


def _scores(scores_in, scores_out):
    s_in = np.asarray(to_numpy(scores_in), dtype=np.float64).ravel()
    s_out = np.asarray(to_numpy(scores_out), dtype=np.float64).ravel()
    if len(s_in) == 0 or len(s_out) == 0:
        raise ValueError("São necessários escores de amostras ID e OOD (nenhum dos dois pode ser vazio).")
    if not (np.isfinite(s_in).all() and np.isfinite(s_out).all()):
        raise ValueError("Os escores contêm NaN ou infinito: confira o modelo que os gerou.")
    return s_in, s_out


def threshold_at_tpr(scores_in, tpr=0.95):
    """Maior limiar que aceita (escore >= limiar) pelo menos a fração ``tpr`` das amostras ID dadas."""
    s_in = np.sort(np.asarray(to_numpy(scores_in), dtype=np.float64).ravel())[::-1]
    if len(s_in) == 0:
        raise ValueError("threshold_at_tpr recebeu uma lista vazia de escores: passe os escores das "
                         "amostras de validação dentro da distribuição.")
    if not np.isfinite(s_in).all():
        raise ValueError("Os escores contêm NaN ou infinito: confira o modelo que os gerou.")
    if not 0 < tpr <= 1:
        raise ValueError(f"tpr deve estar em (0, 1]; recebido {tpr!r}.")
    k = int(np.ceil(tpr * len(s_in) - 1e-9))
    return float(s_in[max(k, 1) - 1])


def ood_metrics(scores_in, scores_out, tpr=0.95):
    """AUROC, FPR@95%TPR, AUPR-In e AUPR-Out (escore maior = mais "dentro da distribuição").

    Returns
    -------
    dict
        ``{"auroc", "fpr95", "aupr_in", "aupr_out"}``.
    """
    s_in, s_out = _scores(scores_in, scores_out)
    y = np.r_[np.ones(len(s_in)), np.zeros(len(s_out))]
    s = np.r_[s_in, s_out]
    threshold = threshold_at_tpr(s_in, tpr)
    return {
        "auroc": float(roc_auc_score(y, s)),
        "fpr95": float(np.mean(s_out >= threshold)),
        "aupr_in": float(average_precision_score(y, s)),
        "aupr_out": float(average_precision_score(1 - y, -s)),
    }


def roc(scores_in, scores_out):
    """Curva ROC (FPR, TPR) com ID como classe positiva."""
    s_in, s_out = _scores(scores_in, scores_out)
    fpr, tpr, _ = roc_curve(np.r_[np.ones(len(s_in)), np.zeros(len(s_out))], np.r_[s_in, s_out])
    return fpr, tpr


def msp_score(probabilities):
    """Probabilidade máxima do softmax (MSP, Hendrycks & Gimpel, 2017)."""
    return np.asarray(to_numpy(probabilities)).max(axis=1)


class MahalanobisDetector(BaseEstimator):
    """Gaussianas por classe com covariância compartilhada (Lee et al., 2018) nas mesmas ativações.

    O escore é ``-min_c (f - μ_c)ᵀ Σ⁻¹ (f - μ_c)`` (maior = mais ID).

    Parameters
    ----------
    reg : float, default=1e-6
        Somado à diagonal de Σ antes de invertê-la.
    """

    _param_rules = {"reg": [Interval(numbers.Real, 0)]}

    def __init__(self, reg=1e-6):
        self.reg = reg

    def fit(self, F, y):
        """Estima as médias por classe ``means_`` e a precisão compartilhada ``precision_``."""
        validate_params(self)
        F = to_numpy(check_array(F, name="F", dtype=torch.float64, device="cpu"))
        y = np.asarray(to_numpy(y)).ravel()
        if len(F) != len(y):
            raise ValueError(f"y deve ter um rótulo por linha de F ({len(F)}); recebido {len(y)}.")
        check_n_features(self, F, reset=True)
        self.classes_ = np.unique(y)
        self.means_ = np.stack([F[y == c].mean(axis=0) for c in self.classes_])
        centred = F - self.means_[np.searchsorted(self.classes_, y)]
        cov = centred.T @ centred / len(F) + self.reg * np.eye(F.shape[1])
        self.precision_ = np.linalg.inv(cov)
        return self

    def score_samples(self, F):
        """Menos a menor distância de Mahalanobis ao quadrado até uma média de classe."""
        check_fitted(self, "precision_")
        F = to_numpy(check_array(F, name="F", dtype=torch.float64, device="cpu"))
        check_n_features(self, F, reset=False)
        P = self.precision_
        FP = F @ P
        d = (np.einsum("nd,nd->n", FP, F)[:, None] - 2 * FP @ self.means_.T
             + np.einsum("kd,kd->k", self.means_ @ P, self.means_)[None])
        return -d.min(axis=1)


# ---------------------------------------------------------------------------- escolha do detector
#: grade da penúltima camada: covariância × K (K até 40: a AUROC de validação ainda subia em K = 20)
PENULTIMATE_GRID = [{"covariance_type": cov, "n_components": k}
                    for cov in ("full", "diag") for k in (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40)]
#: grade da 1ª camada oculta (512 unidades): dimensão após PCA (None = todas) × K, covariância cheia
FIRST_LAYER_GRID = [{"covariance_type": "full", "pca_dim": d, "n_components": k}
                    for d in (64, 128, 256, None) for k in (1, 5, 10)]


def activation_gmm(n_components=10, *, covariance_type="full", pca_dim=None, reg_covar=1e-4,
                   max_iter=100, random_state=None, device=DEFAULT_DEVICE, dtype="float32"):
    """Detector GMM em ativações: padroniza, reduz por PCA (se ``pca_dim``) e ajusta um GMM.

    ``dtype="float32"`` (o padrão aqui) faz em ``float32`` só os dois produtos pesados da covariância
    cheia (:class:`hw08.GaussianMixture`); Cholesky, ``logsumexp`` e somas continuam em ``float64``.
    Na aritmética canônica o ``float64`` custa 6,6× mais (512 dimensões, K = 10, 10 000 pontos
    sintéticos, 5 iterações: 16,3 s contra 2,5 s por iteração).

    Returns
    -------
    sklearn.pipeline.Pipeline
        ``StandardScaler → [PCA] →`` :class:`hw08.GaussianMixture`; ``score_samples`` dá a
        log-verossimilhança (maior = mais ID).
    """
    from .gmm import GaussianMixture

    pca = [PCA(pca_dim, random_state=random_state)] if pca_dim else []
    return make_pipeline(StandardScaler(), *pca, GaussianMixture(
        n_components, covariance_type=covariance_type, reg_covar=reg_covar, max_iter=max_iter,
        random_state=random_state, device=device, dtype=dtype))


def sweep_gmm(F_train, F_val_in, F_val_out, grid, **gmm_params):
    """Ajusta :func:`activation_gmm` para cada configuração de ``grid`` e mede na **validação**.

    Parameters
    ----------
    F_train : array-like of shape (n_samples, n_features)
        Ativações de treino (só ID).
    F_val_in, F_val_out : array-like
        Ativações de validação ID e OOD (nunca as de teste).
    grid : list of dict
        Configurações (parâmetros de :func:`activation_gmm`).
    **gmm_params
        Parâmetros comuns a todas (``reg_covar``, ``max_iter``, ``random_state``, ``device``).

    Returns
    -------
    rows : list of dict
        Uma linha por configuração: a configuração, ``val_auroc``, ``val_fpr95``, ``converged``,
        ``n_iter`` e ``train_bic`` (o BIC de verdade: no treino, onde o GMM foi ajustado).
    models : list
        Os modelos ajustados, na mesma ordem.
    """
    rows, models = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # registrado na coluna "converged"
        for config in grid:
            model = activation_gmm(**config, **gmm_params).fit(F_train)
            gmm = model[-1]
            metrics = ood_metrics(model.score_samples(F_val_in), model.score_samples(F_val_out))
            reduced = model[:-1].transform(F_train)
            rows.append({**config, "val_auroc": metrics["auroc"], "val_fpr95": metrics["fpr95"],
                         "converged": bool(gmm.converged_), "n_iter": int(gmm.n_iter_),
                         "train_bic": float(gmm.bic(reduced))})
            models.append(model)
    return rows, models


def choose_by_validation(rows, margin=0.0):
    """Índice da linha escolhida pela AUROC de validação, com margem declarada.

    Entre as linhas com AUROC de validação a no máximo ``margin`` da maior, escolhe a mais simples:
    menor K, depois menor dimensão (sem PCA conta como a maior), depois a primeira da grade. Com
    ``margin=0`` é a de maior AUROC (empate → a mais simples). Uma margem tirada da dispersão entre
    sementes (:func:`validation_spread`) torna a escolha robusta ao último dígito da AUROC.

    Parameters
    ----------
    rows : list of dict
        Linhas de :func:`sweep_gmm` (``val_auroc``, ``n_components`` e, se houver, ``pca_dim``).
    margin : float, default=0.0
        Diferença de AUROC que não conta como melhora (≥ 0).

    Returns
    -------
    int
        Índice em ``rows``.
    """
    # BEGIN SOLUTION Exercício prático 2 (d) (notebooks/02_gmm_ood.ipynb), escolha do detector pela validação
    if margin < 0:
        raise ValueError(f"margin deve ser ≥ 0, não {margin}")
    best = max(row["val_auroc"] for row in rows)
    near = [i for i, row in enumerate(rows) if row["val_auroc"] >= best - margin]

    def simplicity(i):
        row = rows[i]
        return (row.get("n_components", 0), row.get("pca_dim") or np.inf, i)
    return min(near, key=simplicity)
    # END SOLUTION


def validation_spread(F_train, F_val_in, F_val_out, config, seeds=(0, 1, 2), **gmm_params):
    """AUROC de validação da mesma configuração com várias sementes do GMM (inicialização do EM).

    A amplitude (máx − mín) é quanto a AUROC muda sem que nada de essencial mude: a margem natural
    para :func:`choose_by_validation`.

    Parameters
    ----------
    F_train, F_val_in, F_val_out : array-like
        Como em :func:`sweep_gmm`.
    config : dict
        Uma configuração da grade (parâmetros de :func:`activation_gmm`).
    seeds : sequence of int, default=(0, 1, 2)
        Sementes (``random_state`` do GMM e da PCA).
    **gmm_params
        ``reg_covar``, ``max_iter``, ``device``.

    Returns
    -------
    ndarray of shape (len(seeds),)
        A AUROC de validação com cada semente.
    """
    aurocs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for seed in seeds:
            model = activation_gmm(**config, **gmm_params, random_state=seed).fit(F_train)
            aurocs.append(ood_metrics(model.score_samples(F_val_in), model.score_samples(F_val_out))["auroc"])
    return np.asarray(aurocs)


class OODSelector(BaseEstimator):
    """Escolhe camada, K, covariância e dimensão de um detector GMM **só com a validação**.

    Para cada camada oculta pedida, extrai as ativações do MLP **antes da ReLU**, ajusta a grade
    de :func:`sweep_gmm` num subconjunto do treino e guarda a AUROC de validação; o detector
    escolhido é o de maior AUROC de validação entre todas as camadas.

    Parameters
    ----------
    mlp : hw08.MLPClassifier
        Rede já treinada.
    grids : dict {int: list of dict}, default=None
        Camada (como em ``MLPClassifier.features``: ``-1`` penúltima, ``0`` primeira) → grade.
        ``None`` = ``{-1: PENULTIMATE_GRID, 0: FIRST_LAYER_GRID}``.
    n_fit : int, default=10_000
        Quantas ativações de treino (sorteadas com ``random_state``) ajustam cada GMM.
    reg_covar, max_iter, random_state, device
        Passados a cada :class:`hw08.GaussianMixture`.

    Attributes
    ----------
    results_ : list of dict
        Uma linha por (camada, configuração) com as métricas de validação (ver :func:`sweep_gmm`).
    models_ : list
        Os modelos ajustados, na ordem de ``results_``.
    best_ : dict {int: int}
        Para cada camada, o índice (em ``results_``) da melhor configuração na validação.
    chosen_ : int
        Índice do detector escolhido entre todas as camadas.
    fit_index_ : ndarray
        Índices das amostras de treino usadas nos ajustes.
    """

    def __init__(self, mlp, grids=None, *, n_fit=10_000, reg_covar=1e-4, max_iter=100,
                 random_state=0, device=DEFAULT_DEVICE):
        self.mlp = mlp
        self.grids = grids
        self.n_fit = n_fit
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.random_state = random_state
        self.device = device

    def activations(self, X, layer):
        """Ativações da camada oculta ``layer`` antes da ReLU; forma (n_samples, largura)."""
        return self.mlp.features(X, layer=layer, pre_activation=True)

    def fit(self, X_train, X_val_in, X_val_out):
        """Varre as grades em todas as camadas e escolhe pela AUROC de validação.

        Parameters
        ----------
        X_train : array-like of shape (n_samples, n_features)
            Imagens de treino (ID).
        X_val_in, X_val_out : array-like
            Imagens de validação ID e OOD.
        """
        grids = {-1: PENULTIMATE_GRID, 0: FIRST_LAYER_GRID} if self.grids is None else self.grids
        n = len(X_train)
        rng = np.random.default_rng(self.random_state)
        self.fit_index_ = np.sort(rng.choice(n, min(self.n_fit, n), replace=False))
        X_fit = X_train[torch.as_tensor(self.fit_index_)] if isinstance(X_train, torch.Tensor) \
            else np.asarray(X_train)[self.fit_index_]
        params = dict(reg_covar=self.reg_covar, max_iter=self.max_iter,
                      random_state=self.random_state, device=self.device)
        self.results_, self.models_, self.best_ = [], [], {}
        for layer, grid in grids.items():
            F = [self.activations(Z, layer) for Z in (X_fit, X_val_in, X_val_out)]
            rows, models = sweep_gmm(*F, grid, **params)
            start = len(self.results_)
            self.best_[layer] = start + choose_by_validation(rows)
            self.results_ += [{"layer": layer, **row} for row in rows]
            self.models_ += models
        self.chosen_ = max(self.best_.values(), key=lambda i: self.results_[i]["val_auroc"])
        return self

    def score_samples(self, X, index=None):
        """Escore (log-verossimilhança) do detector ``index`` (padrão: o escolhido) em imagens ``X``."""
        check_fitted(self, "chosen_")
        index = self.chosen_ if index is None else index
        F = self.activations(X, self.results_[index]["layer"])
        return self.models_[index].score_samples(F)

