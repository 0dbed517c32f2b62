"""K-means com entradas faltantes (exercício 1 do trabalho; derivação no notebook 03).

Cada amostra ``x`` tem coordenadas observadas ``O(x)`` e faltantes ``M(x)``; as faltantes são
modeladas como ``x_M ~ N(0, c·I)`` e o objetivo é o valor esperado da soma dos quadrados:

.. math::

    J = \\sum_i \\sum_{x \\in C_i} \\mathbb{E}\\,\\|x - \\mu_i\\|^2
      = \\sum_i \\sum_{x \\in C_i} \\Big[\\sum_{d \\in O(x)} (x_d - \\mu_{id})^2
        + \\sum_{d \\in M(x)} (c + \\mu_{id}^2)\\Big].

Com ``x̃`` = ``x`` com as faltantes trocadas por 0, o colchete é ``‖x̃ − μ_i‖² + c·|M(x)|``.
Daí as duas etapas (centroides fixos / atribuições fixas):

* atribuição: ``z(x) = argmin_i ‖x̃ − μ_i‖²`` (o termo ``c·|M(x)|`` não depende de ``i``);
* atualização, coordenada a coordenada: ``μ_id = Σ_{x∈C_i, d∈O(x)} x_d / |C_i|``, isto é, a
  média de ``x̃_d`` no grupo — dividida por ``|C_i|``, e não pelo número de amostras do grupo
  que observaram ``d``.

Ou seja, o algoritmo é o K-means comum nos dados preenchidos com zero; ``c`` só soma a constante
``c × (número total de entradas faltantes)`` ao objetivo e não muda nenhum ``argmin``.
As contas reaproveitam as funções de :mod:`hw08._kmeans_common` (distâncias pela expansão
``‖x‖² − 2x·μ + ‖μ‖²``, k-means++, realocação de grupos vazios) e são feitas em ``float64``
para que a monotonicidade do objetivo possa ser verificada sem ruído de arredondamento.
"""

from __future__ import annotations

import numbers

import torch
from sklearn.base import BaseEstimator, ClusterMixin

from ._kmeans_common import kmeans_plusplus, random_init, relocate_empty_clusters, squared_distances
from ._validation import (ARRAY, DEFAULT_DEVICE, DEVICE, RANDOM_STATE, VERBOSE, Interval, Options,
                          check_array, check_fitted, check_n_clusters, check_n_features,
                          make_generator, resolve_device, to_numpy, validate_params)

__all__ = ["MissingKMeans"]

_DTYPE = torch.float64
_INITS = ("k-means++", "random")


def _zero_fill(X):
    """Devolve ``(x̃, observado)``: ``X`` com NaN trocado por 0 e a máscara booleana dos observados."""
    observed = ~torch.isnan(X)
    return torch.where(observed, X, torch.zeros((), dtype=X.dtype, device=X.device)), observed


def _assign(X0, X0_sq, centers):
    """Passo de atribuição: ``‖x̃ − μ_i‖² = Σ_{d∈O}(x_d − μ_id)² + Σ_{d∈M} μ_id²`` e o ``argmin``.

    Returns
    -------
    min_dist : torch.Tensor of shape (n_samples,)
    labels : torch.Tensor of shape (n_samples,)
    """
    return squared_distances(X0, centers, X0_sq).min(dim=1)


def _update(X0, labels, min_dist, n_clusters):
    """Passo de atualização: ``μ_id = Σ_{x∈C_i} x̃_d / |C_i|``.

    Grupos vazios são re-semeados por :func:`hw08._kmeans_common.relocate_empty_clusters` com os pontos
    mais distantes dos seus centroides; os rótulos desses pontos são atualizados aqui (mesma
    escolha: ``topk`` das distâncias), para que o objetivo registrado corresponda à partição.

    Returns
    -------
    centers : torch.Tensor of shape (n_clusters, n_features)
    labels : torch.Tensor of shape (n_samples,)
    """
    counts = torch.bincount(labels, minlength=n_clusters).to(X0.dtype)            # (K,)
    sums = torch.zeros(n_clusters, X0.shape[1], dtype=X0.dtype,
                       device=X0.device).index_add_(0, labels, X0)                 # (K, D)
    empty = torch.nonzero(counts == 0).flatten()
    if len(empty):
        relocate_empty_clusters(X0, min_dist, labels, sums, counts)
        labels = labels.clone()
        labels[torch.topk(min_dist, len(empty)).indices] = empty
    return sums / counts[:, None], labels


def expected_objective(X, centers, labels, c, chunk=4096):
    """Objetivo esperado ``J`` calculado pela fórmula com máscaras (sem preencher com zero).

    ``Σ_n [Σ_{d∈O(x_n)} (x_nd − μ_{z_n d})² + Σ_{d∈M(x_n)} (c + μ_{z_n d}²)]``, em blocos de linhas.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Dados com NaN nas entradas faltantes.
    centers : array-like of shape (n_clusters, n_features)
    labels : array-like of shape (n_samples,)
    c : float
        Variância das entradas faltantes.

    Returns
    -------
    float
    """
    X = check_array(X, dtype=_DTYPE, allow_nan=True, device="cpu")
    centers = check_array(centers, name="centers", dtype=_DTYPE, device="cpu")
    labels = torch.as_tensor(to_numpy(labels), dtype=torch.long)
    total = 0.0
    for start in range(0, X.shape[0], chunk):
        xb = X[start:start + chunk]
        mu = centers[labels[start:start + chunk]]                                 # (n_b, D)
        observed = ~torch.isnan(xb)
        obs_term = torch.where(observed, xb - mu, torch.zeros(())) ** 2
        miss_term = torch.where(observed, torch.zeros(()), c + mu**2)
        total += float(obs_term.sum() + miss_term.sum())
    return total


class MissingKMeans(ClusterMixin, BaseEstimator):
    """K-means para dados com entradas faltantes (NaN), minimizando o objetivo esperado.

    Parameters
    ----------
    n_clusters : int, default=8
        Número de grupos ``K``.
    c : float, default=1.0
        Variância das entradas faltantes no modelo ``x_M ~ N(0, c·I)``; só desloca o objetivo.
    init : {"k-means++", "random"} or array-like of shape (n_clusters, n_features), default="k-means++"
        Inicialização dos centroides (sobre os dados preenchidos com zero).
    n_init : int, default=1
        Número de inicializações; fica a de menor objetivo.
    max_iter : int, default=300
        Máximo de iterações por inicialização.
    tol : float, default=1e-4
        Para quando ``Σ_k ‖Δμ_k‖² <= tol ×`` média das variâncias dos atributos de ``x̃``
        (a regra do :class:`hw08.KMeans`), ou quando as atribuições não mudam.
    random_state : None, int, numpy.random.RandomState or Generator, default=None
    device : {"cpu", "auto", "cuda"} or torch.device, default="cpu"
        ``"auto"`` usa a GPU quando houver.
    verbose : int, default=0
        ``1`` ou mais imprime o objetivo a cada iteração.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    labels_ : ndarray of shape (n_samples,)
    inertia_ : float
        Objetivo esperado ``J`` final (inclui ``c × n_missing_``).
    objective_history_ : list of float
        ``J`` após cada passo (atribuição, atualização, atribuição, …) da melhor inicialização;
        nunca cresce.
    n_iter_ : int
    n_missing_ : int
        Número de entradas faltantes em ``X``.
    n_features_in_ : int
    """

    _param_rules = {
        "n_clusters": [Interval(numbers.Integral, 1)],
        "c": [Interval(numbers.Real, 0)],
        "init": [Options(*_INITS), ARRAY],
        "n_init": [Interval(numbers.Integral, 1)],
        "max_iter": [Interval(numbers.Integral, 1)],
        "tol": [Interval(numbers.Real, 0)],
        "random_state": [RANDOM_STATE],
        "device": [DEVICE],
        "verbose": [VERBOSE],
    }

    def __init__(self, n_clusters=8, *, c=1.0, init="k-means++", n_init=1, max_iter=300, tol=1e-4,
                 random_state=None, device=DEFAULT_DEVICE, verbose=0):
        self.n_clusters = n_clusters
        self.c = c
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def _check_params(self, X0):
        k = check_n_clusters(self.n_clusters, X0.shape[0])
        if isinstance(self.init, str):
            return k, None
        C = check_array(self.init, name="init", device=X0.device, dtype=_DTYPE)
        if C.shape != (k, X0.shape[1]):
            raise ValueError(f"init deve ter forma ({k}, {X0.shape[1]}); recebido {tuple(C.shape)}.")
        return k, C

    def _run(self, X0, X0_sq, centers, k, tol, n_missing_term):
        history, labels, n_iter = [], None, 0
        for n_iter in range(1, self.max_iter + 1):
            min_dist, new_labels = _assign(X0, X0_sq, centers)                 # centroides fixos
            history.append(float(min_dist.sum()) + n_missing_term)
            if labels is not None and torch.equal(new_labels, labels):
                break
            labels = new_labels
            new_centers, labels = _update(X0, labels, min_dist, k)             # atribuições fixas
            shift = float(((new_centers - centers) ** 2).sum())
            centers = new_centers
            history.append(float(((X0 - centers[labels]) ** 2).sum()) + n_missing_term)
            if self.verbose:
                print(f"iteração {n_iter}: objetivo esperado {history[-1]:.6g}")
            if shift <= tol:
                min_dist, labels = _assign(X0, X0_sq, centers)
                history.append(float(min_dist.sum()) + n_missing_term)
                break
        return labels, history[-1], centers, n_iter, history

    def fit(self, X, y=None):
        """Ajusta o modelo e devolve ``self``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Dados com ``NaN`` nas entradas faltantes.
        y : ignorado
        """
        validate_params(self)
        device = resolve_device(self.device)
        X = check_array(X, device=device, dtype=_DTYPE, allow_nan=True)
        check_n_features(self, X, reset=True)
        X0, observed = _zero_fill(X)
        k, C = self._check_params(X0)
        n_missing = int((~observed).sum())
        X0_sq = (X0 * X0).sum(dim=1)
        tol = float(X0.var(dim=0).mean()) * float(self.tol)
        gen = make_generator(self.random_state)
        best = None
        for _ in range(self.n_init if C is None else 1):
            if C is not None:
                centers = C.clone()
            elif self.init == "random":
                centers = random_init(X0, k, gen)
            else:
                centers = kmeans_plusplus(X0, k, gen, X0_sq)
            run = self._run(X0, X0_sq, centers, k, tol, float(self.c) * n_missing)
            if best is None or run[1] < best[1]:
                best = run
        labels, objective, centers, n_iter, history = best
        self._device = device
        self.cluster_centers_ = to_numpy(centers)
        self.labels_ = to_numpy(labels)
        self.inertia_ = objective
        self.objective_history_ = history
        self.n_iter_ = n_iter
        self.n_missing_ = n_missing
        return self

    def _check_X(self, X):
        check_fitted(self, "cluster_centers_")
        X = check_array(X, device=self._device, dtype=_DTYPE, allow_nan=True)
        check_n_features(self, X, reset=False)
        return _zero_fill(X)

    def predict(self, X):
        """Grupo de cada amostra (``argmin_i ‖x̃ − μ_i‖²``; NaN = faltante)."""
        X0, _ = self._check_X(X)
        centers = torch.as_tensor(self.cluster_centers_, device=X0.device)
        return to_numpy(_assign(X0, None, centers)[1])

    def fit_predict(self, X, y=None):
        """Equivale a ``fit(X).labels_``."""
        return self.fit(X).labels_

    def score(self, X, y=None):
        """Menos o objetivo esperado de ``X`` com os centroides ajustados (maior é melhor)."""
        X0, observed = self._check_X(X)
        centers = torch.as_tensor(self.cluster_centers_, device=X0.device)
        min_dist, _ = _assign(X0, None, centers)
        return -(float(min_dist.sum()) + float(self.c) * int((~observed).sum()))

    def impute(self, X):
        """Preenche as entradas faltantes com a coordenada do centroide do grupo atribuído."""
        X0, observed = self._check_X(X)
        centers = torch.as_tensor(self.cluster_centers_, device=X0.device)
        labels = _assign(X0, None, centers)[1]
        return to_numpy(torch.where(observed, X0, centers[labels]))
