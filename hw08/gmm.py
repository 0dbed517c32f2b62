"""Mistura de gaussianas ajustada por EM, em torch (CPU ou CUDA), com a interface do scikit-learn.

Modelo (Bishop, seção 9.2):

.. math::

    p(\\mathbf{x}) = \\sum_{k=1}^K \\pi_k\\, \\mathcal{N}(\\mathbf{x} \\mid \\boldsymbol{\\mu}_k,
    \\boldsymbol{\\Sigma}_k).

Passo E (no espaço log, com ``logsumexp``):
``log r_nk = log π_k + log N(x_n | μ_k, Σ_k) − log Σ_j π_j N(x_n | μ_j, Σ_j)``.
Passo M: ``N_k = Σ_n r_nk``, ``π_k = N_k / N``, ``μ_k = Σ_n r_nk x_n / N_k``,
``Σ_k = Σ_n r_nk (x_n − μ_k)(x_n − μ_k)ᵀ / N_k + reg_covar·I``.

Convenções idênticas às de ``sklearn.mixture.GaussianMixture`` (versão 1.9), para que, a partir
dos mesmos parâmetros iniciais, os dois cheguem ao mesmo resultado:

* ``precisions_cholesky_`` é a matriz **triangular superior** ``U_k = L_k^{-T}``, onde
  ``Σ_k = L_k L_kᵀ`` é a decomposição de Cholesky da covariância; assim a precisão é
  ``Λ_k = Σ_k^{-1} = U_k U_kᵀ`` e a distância de Mahalanobis é ``‖(x − μ_k)ᵀ U_k‖²``.
  Para ``"diag"`` e ``"spherical"`` ela é ``1/√σ²`` (desvio-padrão inverso), de modo que a
  precisão é ``precisions_cholesky_**2``; para ``"tied"`` é uma única matriz ``U``.
* ``lower_bound_`` é a log-verossimilhança média por amostra calculada no passo E da última
  iteração, isto é, com os parâmetros **anteriores** ao último passo M (como no scikit-learn);
  o critério de parada é ``|lower_bound − lower_bound anterior| < tol``.
* ``N_k`` recebe ``10·eps`` para nunca dividir por zero; ao fim do ajuste há um passo E final,
  de modo que ``fit_predict(X)`` coincide com ``fit(X).predict(X)``.

Implementação: tudo vetorizado sobre os componentes (nenhum laço em Python sobre ``k`` nas
contas pesadas). Os dados são centrados pela média global antes das contas (a verossimilhança não
muda e as somas perdem menos dígitos); as linhas são processadas em blocos para nunca formar um
tensor ``N × K × D`` inteiro. Dados e parâmetros são sempre ``float64`` (como no scikit-learn: é o
que garante concordar com ele a menos de ``1e-3`` nats por amostra em qualquer dado).
``dtype="float32"`` faz em ``float32`` apenas os dois produtos de matrizes pesados de
``covariance_type="full"`` (a distância de Mahalanobis do passo E e o acúmulo das covariâncias do
passo M), mantendo Cholesky, determinantes, ``logsumexp`` e somas em ``float64``; é o modo rápido
medido em ``benchmarks/gmm.py``, que também imprime sua diferença de ``lower_bound_``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch

from ._kmeans_common import kmeans_plusplus, squared_distances
from ._mixture import BaseMixture
from ._validation import (DEFAULT_DEVICE, Interval, Options, check_array, to_numpy)

__all__ = ["GaussianMixture"]

_COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
_INIT_PARAMS = ("kmeans", "k-means++", "random", "random_from_data")
_BLOCK_ELEMENTS = 1 << 22   # no máximo ~4 milhões de elementos por bloco de linhas

_COLLAPSE_MSG = (
    "O ajuste da mistura falhou: a covariância de algum componente ficou mal definida "
    "(não é positiva definida), por exemplo porque o componente colapsou sobre um único ponto "
    "ou sobre pontos repetidos. Aumente reg_covar, diminua n_components ou padronize os dados."
)


def _row_blocks(n_samples, width):
    """Fatias de linhas com ``n_linhas × width`` de no máximo ``_BLOCK_ELEMENTS`` elementos."""
    step = max(256, _BLOCK_ELEMENTS // max(1, width))
    for start in range(0, n_samples, step):
        yield slice(start, min(n_samples, start + step))


# ---------------------------------------------------------------------------- passo M
def _estimate_gaussian_covariances_full(resp, X, nk, means, reg_covar, compute_dtype=None):
    """``Σ_k = Σ_n r_nk (x_n − μ_k) x_nᵀ / N_k + reg_covar·I`` para todos os ``k`` de uma vez.

    Como ``Σ_n r_nk (x_n − μ_k) = 0``, isto é igual a ``Σ_n r_nk (x_n − μ_k)(x_n − μ_k)ᵀ / N_k``;
    centrar só o fator da esquerda basta para evitar o cancelamento de ``E[xxᵀ] − μμᵀ`` e deixa o
    acúmulo como um único produto de matrizes ``(K·D × n) @ (n × D)`` por bloco de linhas.
    ``compute_dtype`` (``float32``) é usado só nesse produto; o acúmulo entre blocos é em ``X.dtype``.

    Returns
    -------
    torch.Tensor of shape (n_components, n_features, n_features)
    """
    # BEGIN SOLUTION Exercício de papel e caneta 2 (notebooks/03_derivacoes.ipynb, Parte 2), EM da GMM, passo M: covariâncias 'full'
    n, d = X.shape
    k = means.shape[0]
    cdt = compute_dtype or X.dtype
    means_c = means.to(cdt)
    second = torch.zeros(k * d, d, dtype=X.dtype, device=X.device)        # (K·D, D)
    for rows in _row_blocks(n, k * d):
        xb = X[rows].to(cdt)                                              # (n_b, D)
        centred = xb[:, None, :] - means_c                                # (n_b, K, D)
        centred.mul_(resp[rows, :, None].to(cdt))                         # no lugar: 1 temporário
        part = centred.view(-1, k * d).T @ xb                             # (K·D, D)
        second += part
    cov = second.view(k, d, d) / nk[:, None, None]
    cov = 0.5 * (cov + cov.mT)                                            # simetria exata
    cov.diagonal(dim1=-2, dim2=-1).add_(reg_covar)
    return cov
    # END SOLUTION


def _estimate_gaussian_covariances_tied(resp, X, nk, means, reg_covar):
    """``Σ = (XᵀX − Σ_k N_k μ_k μ_kᵀ) / Σ_k N_k + reg_covar·I``; forma (D, D)."""
    # BEGIN SOLUTION Exercício de papel e caneta 2 (notebooks/03_derivacoes.ipynb, Parte 2), EM da GMM, passo M: covariância 'tied'
    cov = (X.T @ X - (nk[:, None] * means).T @ means) / nk.sum()
    cov = 0.5 * (cov + cov.T)
    cov.diagonal().add_(reg_covar)
    return cov
    # END SOLUTION


def _estimate_gaussian_covariances_diag(resp, X, nk, means, reg_covar):
    """``σ²_kd = Σ_n r_nk x_nd² / N_k − μ_kd² + reg_covar``; forma (K, D)."""
    # BEGIN SOLUTION Exercício de papel e caneta 2 (notebooks/03_derivacoes.ipynb, Parte 2), EM da GMM, passo M: covariâncias 'diag'
    return (resp.T @ (X * X)) / nk[:, None] - means**2 + reg_covar
    # END SOLUTION


def _estimate_gaussian_covariances_spherical(resp, X, nk, means, reg_covar):
    """Média das variâncias diagonais de cada componente; forma (K,)."""
    return _estimate_gaussian_covariances_diag(resp, X, nk, means, reg_covar).mean(dim=1)


_COVARIANCE_ESTIMATORS = {
    "full": _estimate_gaussian_covariances_full,
    "tied": _estimate_gaussian_covariances_tied,
    "diag": _estimate_gaussian_covariances_diag,
    "spherical": _estimate_gaussian_covariances_spherical,
}


def _estimate_gaussian_parameters(X, resp, reg_covar, covariance_type, compute_dtype=None):
    """Passo M: ``N_k`` (com ``10·eps``), médias e covariâncias a partir de ``resp`` (N, K)."""
    # BEGIN SOLUTION Exercício de papel e caneta 2 (notebooks/03_derivacoes.ipynb, Parte 2), EM da GMM, passo M: N_k e médias
    nk = resp.sum(dim=0) + 10 * torch.finfo(resp.dtype).eps              # (K,)
    means = (resp.T @ X) / nk[:, None]                                    # (K, D)
    if covariance_type == "full":
        cov = _estimate_gaussian_covariances_full(resp, X, nk, means, reg_covar, compute_dtype)
    else:
        cov = _COVARIANCE_ESTIMATORS[covariance_type](resp, X, nk, means, reg_covar)
    return nk, means, cov
    # END SOLUTION


def _compute_cholesky(covariances, covariance_type):
    """Fator de Cholesky da covariância (``L`` com ``Σ = L Lᵀ``) ou desvio-padrão.

    Levanta ``ValueError`` em português quando alguma covariância não é positiva definida.
    """
    if covariance_type in ("full", "tied"):
        chol, info = torch.linalg.cholesky_ex(covariances)
        if bool((info != 0).any()) or not bool(torch.isfinite(chol).all()):
            raise ValueError(_COLLAPSE_MSG)
        return chol
    if bool((covariances <= 0).any()) or not bool(torch.isfinite(covariances).all()):
        raise ValueError(_COLLAPSE_MSG)
    return covariances.sqrt()


def _precision_cholesky_from_cov_cholesky(cov_chol, covariance_type):
    """``U = L^{-T}`` (triangular superior, ``Λ = U Uᵀ``) ou ``1/σ`` — a definição do scikit-learn."""
    if covariance_type in ("full", "tied"):
        eye = torch.eye(cov_chol.shape[-1], dtype=cov_chol.dtype, device=cov_chol.device)
        return torch.linalg.solve_triangular(cov_chol, eye.expand_as(cov_chol), upper=False).mT
    return 1.0 / cov_chol


def _precision_cholesky_from_precisions(precisions, covariance_type):
    """Fator ``U`` triangular superior com ``Λ = U Uᵀ``: ``U = J chol(J Λ J) J`` (J inverte a ordem)."""
    if covariance_type in ("full", "tied"):
        flipped = precisions.flip(-1).flip(-2)
        chol, info = torch.linalg.cholesky_ex(flipped)
        if bool((info != 0).any()):
            raise ValueError("precisions_init deve conter matrizes simétricas positivas definidas.")
        return chol.flip(-1).flip(-2)
    return precisions.sqrt()


def _cov_cholesky_from_precision_cholesky(prec_chol, covariance_type):
    """Inverso de :func:`_precision_cholesky_from_cov_cholesky`: ``L = U^{-T}`` ou ``σ = 1/U``."""
    if covariance_type in ("full", "tied"):
        eye = torch.eye(prec_chol.shape[-1], dtype=prec_chol.dtype, device=prec_chol.device)
        return torch.linalg.solve_triangular(prec_chol, eye.expand_as(prec_chol), upper=True).mT
    return 1.0 / prec_chol


# ---------------------------------------------------------------------------- passo E
def _estimate_log_gaussian_prob(X, means, prec_chol, covariance_type, compute_dtype=None):
    """``log N(x_n | μ_k, Σ_k)`` para todas as amostras e componentes; forma (N, K).

    ``log N = −½ (D log 2π + ‖(x − μ)ᵀ U‖²) + Σ_d log U_dd`` (pois ``log|Λ|^{1/2} = Σ log U_dd``).
    Em ``"full"``, ``‖xᵀU_k − μ_kᵀU_k‖²`` de todos os ``k`` sai de um único produto
    ``X @ [U_1 … U_K]`` por bloco de linhas, feito em ``compute_dtype``.
    """
    # BEGIN SOLUTION Exercício de papel e caneta 2 (notebooks/03_derivacoes.ipynb, Parte 2), EM da GMM, passo E: log N(x|μ,Σ)
    n, d = X.shape
    k = means.shape[0]
    if covariance_type == "full":
        log_det = torch.log(prec_chol.diagonal(dim1=-2, dim2=-1)).sum(dim=1)        # (K,)
        cdt = compute_dtype or X.dtype
        weights = prec_chol.permute(1, 0, 2).reshape(d, k * d).to(cdt)              # (D, K·D)
        shift = torch.einsum("kd,kde->ke", means, prec_chol).reshape(1, k * d).to(cdt)  # μ_kᵀU_k
        maha = torch.empty(n, k, dtype=X.dtype, device=X.device)
        for rows in _row_blocks(n, k * d):
            y = X[rows].to(cdt) @ weights                                           # (n_b, K·D)
            y.sub_(shift)
            maha[rows] = y.square_().view(-1, k, d).sum(dim=2)
    elif covariance_type == "tied":
        log_det = torch.log(prec_chol.diagonal()).sum()
        y = X @ prec_chol                                                           # (N, D)
        b = means @ prec_chol                                                       # (K, D)
        maha = (y * y).sum(1, keepdim=True) - 2.0 * (y @ b.T) + (b * b).sum(1)
    elif covariance_type == "diag":
        log_det = torch.log(prec_chol).sum(dim=1)
        prec = prec_chol**2                                                         # (K, D)
        maha = (means**2 * prec).sum(1) - 2.0 * (X @ (means * prec).T) + (X * X) @ prec.T
    else:  # spherical
        log_det = d * torch.log(prec_chol)
        prec = prec_chol**2                                                         # (K,)
        maha = ((means**2).sum(1) - 2.0 * (X @ means.T) + (X * X).sum(1, keepdim=True)) * prec
    return -0.5 * (d * math.log(2 * math.pi) + maha) + log_det
    # END SOLUTION


class GaussianMixture(BaseMixture):
    """Mistura de gaussianas ajustada por EM (equações do notebook 03), em torch.

    O laço EM, ``n_init``, a convergência, ``predict``, ``predict_proba``, ``score``,
    ``score_samples``, ``bic``, ``aic`` e ``sample`` vêm de :class:`hw08._mixture.BaseMixture`;
    esta classe traz só os parâmetros gaussianos e seus passos E/M.

    Parameters
    ----------
    n_components : int, default=1
        Número de componentes ``K``.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
        ``"full"``: cada componente tem sua matriz de covariância; ``"tied"``: uma matriz comum a
        todos; ``"diag"``: covariâncias diagonais; ``"spherical"``: uma variância por componente.
    tol : float, default=1e-3
        O EM para quando a log-verossimilhança média por amostra varia menos que ``tol``.
    reg_covar : float, default=1e-6
        Somado à diagonal das covariâncias (garante que sejam positivas definidas).
    max_iter : int, default=100
        Número máximo de iterações EM por inicialização.
    n_init : int, default=1
        Número de inicializações; fica a de maior ``lower_bound_``.
    init_params : {"kmeans", "k-means++", "random", "random_from_data"}, default="kmeans"
        Como obter as responsabilidades iniciais: rótulos do ``hw08.KMeans``; uma amostra por
        componente escolhida por k-means++; responsabilidades uniformes aleatórias normalizadas;
        ou uma amostra por componente sorteada uniformemente.
    weights_init : array-like of shape (n_components,), default=None
        Pesos iniciais ``π`` (substituem os da inicialização).
    means_init : array-like of shape (n_components, n_features), default=None
        Médias iniciais.
    precisions_init : array-like, default=None
        Precisões iniciais (inversas das covariâncias), na forma de ``covariance_type``:
        (K, D, D) para "full", (D, D) para "tied", (K, D) para "diag", (K,) para "spherical".
    random_state : None, int, numpy.random.RandomState or Generator, default=None
        Semente das inicializações e de :meth:`sample`.
    device : {"cpu", "auto", "cuda"} or torch.device, default="cpu"
        Dispositivo do torch; ``"auto"`` usa a GPU quando houver.
    dtype : {"float64", "float32"}, default="float64"
        Precisão dos dois produtos pesados de ``"full"`` (o resto é sempre ``float64``, a precisão
        do scikit-learn); ``"float32"`` é mais rápido e um pouco menos exato.
    verbose : int, default=0
        ``1`` mostra uma barra de progresso; ``2`` imprime cada iteração.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
    means_ : ndarray of shape (n_components, n_features)
    covariances_ : ndarray
        Forma conforme ``covariance_type`` (ver ``precisions_init``).
    precisions_ : ndarray
        Inversas das covariâncias.
    precisions_cholesky_ : ndarray
        ``U_k`` triangular superior com ``precisions_[k] = U_k U_kᵀ`` ("full"/"tied"), ou
        ``1/σ`` ("diag"/"spherical"), exatamente como no scikit-learn.
    converged_ : bool
    n_iter_ : int
    lower_bound_ : float
        Log-verossimilhança média por amostra no último passo E da melhor inicialização.
    lower_bounds_ : list of float
        A mesma quantidade a cada iteração (não decrescente: propriedade do EM).
    n_features_in_ : int
    """

    _param_rules = {
        **BaseMixture._param_rules,
        "covariance_type": [Options(*_COVARIANCE_TYPES)],
        "reg_covar": [Interval(numbers.Real, 0)],
        "init_params": [Options(*_INIT_PARAMS)],
        "precisions_init": BaseMixture._param_rules["means_init"],
        "dtype": [Options("float64", "float32")],
    }
    _collapse_message = _COLLAPSE_MSG
    _min_fit_samples = 2

    def __init__(self, n_components=1, *, covariance_type="full", tol=1e-3, reg_covar=1e-6,
                 max_iter=100, n_init=1, init_params="kmeans", weights_init=None, means_init=None,
                 precisions_init=None, random_state=None, device=DEFAULT_DEVICE, dtype="float64",
                 verbose=0):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state
        self.device = device
        self.dtype = dtype
        self.verbose = verbose

    @property
    def _compute_dtype(self):
        return torch.float32 if self.dtype == "float32" else torch.float64


    def _preprocess(self, X, fit=False):
        """Centra pela média dos dados de treino (a verossimilhança não muda; perde menos dígitos)."""
        if fit:
            self._shift = X.mean(dim=0)
        return X - self._shift.to(X.device)

    # ------------------------------------------------------------------ inicialização
    def _check_initial_parameters(self, X):
        """``(weights, means, precisions)`` iniciais dados pelo usuário (ou ``None``), validados."""
        k, n_features = self.n_components, X.shape[1]
        device, dtype = X.device, X.dtype
        weights = means = prec = None
        if self.weights_init is not None:
            weights = check_array(self.weights_init, name="weights_init", ndim=1, device=device,
                                  dtype=dtype)
            if weights.shape != (k,) or bool((weights < 0).any()) or \
                    abs(float(weights.sum()) - 1.0) > 1e-6:
                raise ValueError(
                    f"weights_init deve ter forma ({k},), entradas >= 0 e somar 1; recebido forma "
                    f"{tuple(weights.shape)}."
                )
        if self.means_init is not None:
            means = check_array(self.means_init, name="means_init", device=device, dtype=dtype)
            if means.shape != (k, n_features):
                raise ValueError(
                    f"means_init deve ter forma ({k}, {n_features}); recebido {tuple(means.shape)}."
                )
            means = means - self._shift
        if self.precisions_init is not None:
            shapes = {"full": (k, n_features, n_features), "tied": (n_features, n_features),
                      "diag": (k, n_features), "spherical": (k,)}
            shape = shapes[self.covariance_type]
            prec = check_array(self.precisions_init, name="precisions_init", ndim=len(shape),
                               device=device, dtype=dtype)
            if tuple(prec.shape) != shape:
                raise ValueError(
                    f"precisions_init deve ter forma {shape} para covariance_type="
                    f"{self.covariance_type!r}; recebido {tuple(prec.shape)}."
                )
            if self.covariance_type in ("full", "tied"):
                if not torch.allclose(prec, prec.mT, atol=1e-8, rtol=1e-6):
                    raise ValueError("precisions_init deve conter matrizes simétricas.")
            elif bool((prec <= 0).any()):
                raise ValueError("precisions_init deve ser estritamente positivo.")
        return weights, means, prec

    def _initial_resp(self, X, k, gen):
        n = X.shape[0]
        resp = torch.zeros(n, k, dtype=X.dtype, device=X.device)
        if self.init_params == "random":
            resp = torch.rand(n, k, generator=gen, dtype=X.dtype).to(X.device)
            return resp / resp.sum(dim=1, keepdim=True)
        if self.init_params == "random_from_data":
            idx = torch.randperm(n, generator=gen)[:k].to(X.device)
            resp[idx, torch.arange(k, device=X.device)] = 1.0
            return resp
        if self.init_params == "kmeans":
            from .kmeans import KMeans  # import tardio: mesmo gerador, mesma semente

            labels = KMeans(n_clusters=k, n_init=1, random_state=gen, device=X.device).fit(X).labels_
            labels = torch.as_tensor(np.asarray(labels), device=X.device, dtype=torch.long)
            resp[torch.arange(n, device=X.device), labels] = 1.0
            return resp
        centers = kmeans_plusplus(X, k, gen)                                  # (K, D), linhas de X
        idx = squared_distances(X, centers).argmin(dim=0)                     # (K,) índices
        resp[idx, torch.arange(k, device=X.device)] = 1.0
        return resp

    def _initialize(self, X, generator, initial):
        """Parâmetros iniciais ``(weights, means, covariances, precisions_cholesky)`` (dados centrados)."""
        w0, m0, p0 = initial
        ctype = self.covariance_type
        cov = None
        if w0 is not None and m0 is not None and p0 is not None:
            weights, means = w0.clone(), m0.clone()
        else:
            resp = self._initial_resp(X, self.n_components, generator)
            nk, means, cov = _estimate_gaussian_parameters(X, resp, self.reg_covar, ctype)
            weights = nk / X.shape[0] if w0 is None else w0.clone()
            if m0 is not None:
                means = m0.clone()
        if p0 is None:
            cov_chol = _compute_cholesky(cov, ctype)
            return weights, means, cov, _precision_cholesky_from_cov_cholesky(cov_chol, ctype)
        prec_chol = _precision_cholesky_from_precisions(p0, ctype)
        cov_chol = _cov_cholesky_from_precision_cholesky(prec_chol, ctype)
        cov = cov_chol @ cov_chol.mT if ctype in ("full", "tied") else cov_chol**2
        return weights, means, cov, prec_chol

    # ------------------------------------------------------------------ passos E e M
    def _estimate_weighted_log_prob(self, X, params):
        """``log π_k + log N(x_n | μ_k, Σ_k)``, forma (N, K)."""
        # BEGIN SOLUTION Exercício de papel e caneta 2 (notebooks/03_derivacoes.ipynb, Parte 2), EM da GMM, passo E: log π_k + log N(x|μ,Σ)
        weights, means, _, prec_chol = params
        return _estimate_log_gaussian_prob(X, means, prec_chol, self.covariance_type,
                                           self._compute_dtype) + torch.log(weights)
        # END SOLUTION

    def _m_step(self, X, log_resp):
        """Passo M: ``(weights, means, covariances, precisions_cholesky)`` a partir de ``log r``."""
        nk, means, cov = _estimate_gaussian_parameters(X, log_resp.exp(), self.reg_covar,
                                                       self.covariance_type, self._compute_dtype)
        cov_chol = _compute_cholesky(cov, self.covariance_type)
        prec_chol = _precision_cholesky_from_cov_cholesky(cov_chol, self.covariance_type)
        return nk / nk.sum(), means, cov, prec_chol

    # ------------------------------------------------------------------ atributos e amostras
    def _set_fitted_attributes(self, params):
        weights, means, cov, prec_chol = params
        self.weights_ = to_numpy(weights).astype(np.float64)
        self.means_ = to_numpy(means + self._shift).astype(np.float64)
        self.covariances_ = to_numpy(cov).astype(np.float64)
        self.precisions_cholesky_ = to_numpy(prec_chol).astype(np.float64)
        if self.covariance_type in ("full", "tied"):
            self.precisions_ = to_numpy(prec_chol @ prec_chol.mT).astype(np.float64)
        else:
            self.precisions_ = self.precisions_cholesky_**2

    def _n_parameters(self):
        k, d = self.means_.shape
        cov_params = {"full": k * d * (d + 1) / 2, "diag": k * d, "tied": d * (d + 1) / 2,
                      "spherical": k}[self.covariance_type]
        return int(cov_params + k * d + k - 1)

    def _sample_given_labels(self, labels, generator):
        """``x = μ_z + L_z ε`` com ``ε ~ N(0, I)`` (``L``: Cholesky da covariância)."""
        _, _, _, prec_chol = self._params
        means = torch.as_tensor(self.means_, dtype=torch.float64)
        z = torch.randn(len(labels), means.shape[1], generator=generator, dtype=torch.float64)
        chol = _cov_cholesky_from_precision_cholesky(prec_chol.cpu().double(), self.covariance_type)
        if self.covariance_type == "full":
            return means[labels] + torch.einsum("nd,ned->ne", z, chol[labels])
        if self.covariance_type == "tied":
            return means[labels] + z @ chol.T
        if self.covariance_type == "diag":
            return means[labels] + z * chol[labels]
        return means[labels] + z * chol[labels, None]
