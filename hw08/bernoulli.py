"""Mistura de distribuições de Bernoulli multivariadas ajustada por EM (exercício dos slides).

Modelo, para :math:`\\mathbf{x} \\in \\{0, 1\\}^D`:

.. math::

    p(\\mathbf{x}) = \\sum_{k=1}^K \\pi_k \\prod_{d=1}^D \\mu_{kd}^{x_d} (1 - \\mu_{kd})^{1 - x_d}.

Tudo é feito no espaço logarítmico: a log-verossimilhança de cada componente é uma matriz
``N × K`` obtida com um único produto de matrizes,
``log p(x | k) = x @ (log μ_k − log(1 − μ_k)) + Σ_d log(1 − μ_kd)``,
sem nunca formar um tensor ``N × K × D``. As probabilidades ``μ_kd`` são mantidas em
``[min_prob, 1 − min_prob]`` para que ``log 0`` nunca aconteça; como o objetivo do passo M é
côncavo em cada ``μ_kd``, recortar o ótimo para esse intervalo é o ótimo restrito, e o EM
continua monotônico.
"""

from __future__ import annotations

import numbers

import torch

from ._mixture import BaseMixture
from ._validation import DEFAULT_DEVICE, Interval, Options, check_array, to_numpy

__all__ = ["BernoulliMixture"]

_DTYPE = torch.float64


def _estimate_log_bernoulli_prob(X, means):
    """Log-verossimilhança ``log p(x_n | μ_k)`` de cada amostra em cada componente.

    Parameters
    ----------
    X : torch.Tensor of shape (n_samples, n_features)
        Dados em ``[0, 1]`` (binários no modelo; valores fracionários são aceitos).
    means : torch.Tensor of shape (n_components, n_features)
        Probabilidades ``μ_kd``, já recortadas para ``(0, 1)``.

    Returns
    -------
    torch.Tensor of shape (n_samples, n_components)
    """
    log_mu = torch.log(means)                     # (K, D)
    log_1m_mu = torch.log1p(-means)               # (K, D)
    # x·log μ + (1 − x)·log(1 − μ) = x·(log μ − log(1 − μ)) + Σ_d log(1 − μ)
    return X @ (log_mu - log_1m_mu).T + log_1m_mu.sum(dim=1)   # (N, K)


def _estimate_bernoulli_parameters(X, resp, min_prob):
    """Passo M: ``nk``, pesos e médias a partir das responsabilidades.

    Returns
    -------
    nk : torch.Tensor of shape (n_components,)
    weights : torch.Tensor of shape (n_components,)
    means : torch.Tensor of shape (n_components, n_features)
    """
    tiny = 10 * torch.finfo(resp.dtype).eps
    nk = resp.sum(dim=0) + tiny                   # (K,)
    means = (resp.T @ X) / nk[:, None]            # (K, D)
    means = means.clamp(min_prob, 1.0 - min_prob)
    weights = nk / nk.sum()                       # (K,)
    return nk, weights, means


class BernoulliMixture(BaseMixture):
    """Mistura de Bernoullis multivariadas (modelo para imagens binárias), ajustada por EM.

    O laço EM, ``n_init``, a convergência, ``predict``, ``predict_proba``, ``score``,
    ``score_samples``, ``bic``, ``aic`` e ``sample`` vêm de :class:`hw08._mixture.BaseMixture`;
    esta classe traz só os parâmetros ``(π, μ)`` e seus passos E/M.

    Parameters
    ----------
    n_components : int, default=1
        Número de componentes ``K``.
    tol : float, default=1e-3
        O EM para quando a variação da log-verossimilhança média por amostra entre duas
        iterações fica abaixo de ``tol``.
    max_iter : int, default=100
        Número máximo de iterações EM por inicialização.
    n_init : int, default=1
        Número de inicializações; fica a de maior log-verossimilhança.
    init_params : {"random", "random_from_data"}, default="random"
        ``"random"``: ``μ_kd ~ U(0.25, 0.75)`` (Bishop, seção 9.3.3); ``"random_from_data"``:
        ``μ_k = 0.25 + 0.5·x_n`` para ``K`` amostras sorteadas.
    weights_init : array-like of shape (n_components,), default=None
        Pesos iniciais ``π``; ``None`` usa pesos uniformes.
    means_init : array-like of shape (n_components, n_features), default=None
        Probabilidades iniciais ``μ``; quando dadas, ``init_params`` é ignorado.
    min_prob : float, default=1e-6
        As probabilidades ``μ_kd`` ficam em ``[min_prob, 1 - min_prob]`` (evita ``log 0``).
    random_state : None, int, numpy.random.RandomState or Generator, default=None
        Semente das inicializações e de :meth:`sample`.
    device : {"cpu", "auto", "cuda"} or torch.device, default="cpu"
        Dispositivo do torch; ``"auto"`` usa a GPU quando houver.
    verbose : int, default=0
        ``1`` mostra uma barra de progresso; ``2`` imprime cada iteração.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
        Pesos ``π_k`` ajustados.
    means_ : ndarray of shape (n_components, n_features)
        Probabilidades ``μ_kd`` ajustadas.
    converged_ : bool
        Se a melhor inicialização convergiu antes de ``max_iter``.
    n_iter_ : int
        Iterações EM da melhor inicialização.
    lower_bound_ : float
        Log-verossimilhança média por amostra no último passo E da melhor inicialização.
    lower_bounds_ : list of float
        A mesma quantidade a cada iteração da melhor inicialização (não decrescente).
    n_features_in_ : int
        Número de atributos vistos em ``fit``.
    """

    _param_rules = {
        **BaseMixture._param_rules,
        "init_params": [Options("random", "random_from_data")],
        "min_prob": [Interval(numbers.Real, 0, 0.5, closed="neither")],
    }

    def __init__(self, n_components=1, *, tol=1e-3, max_iter=100, n_init=1, init_params="random",
                 weights_init=None, means_init=None, min_prob=1e-6, random_state=None,
                 device=DEFAULT_DEVICE, verbose=0):
        self.n_components = n_components
        self.tol = tol
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.min_prob = min_prob
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    def _check_X(self, X, device):
        X = check_array(X, device=device, dtype=_DTYPE)
        if bool((X < 0).any()) or bool((X > 1).any()):
            raise ValueError(
                "BernoulliMixture modela dados binários: X deve ter valores em [0, 1] "
                f"(recebido mínimo {float(X.min()):.4g}, máximo {float(X.max()):.4g}). "
                "Binarize as imagens antes, por exemplo X = (X > 0.5)."
            )
        return X

    def _check_initial_parameters(self, X):
        """``(weights, means)`` iniciais dados pelo usuário (ou ``None``), validados."""
        k, n_features, device = self.n_components, X.shape[1], X.device
        weights = means = None
        if self.weights_init is not None:
            weights = check_array(self.weights_init, name="weights_init", ndim=1, device=device,
                                  dtype=_DTYPE)
            if weights.shape != (k,) or bool((weights < 0).any()) or \
                    abs(float(weights.sum()) - 1.0) > 1e-6:
                raise ValueError(
                    f"weights_init deve ter forma ({k},), entradas >= 0 e somar 1; recebido forma "
                    f"{tuple(weights.shape)} e soma {float(weights.sum()):.6g}."
                )
        if self.means_init is not None:
            means = check_array(self.means_init, name="means_init", device=device, dtype=_DTYPE)
            if means.shape != (k, n_features) or bool((means < 0).any()) or bool((means > 1).any()):
                raise ValueError(
                    f"means_init deve ter forma ({k}, {n_features}) e valores em [0, 1]; recebido "
                    f"forma {tuple(means.shape)}."
                )
        return weights, means

    def _initialize(self, X, generator, initial):
        """Parâmetros iniciais ``(weights, means)``."""
        weights, means = initial
        n, d = X.shape
        k = self.n_components
        if weights is None:
            weights = torch.full((k,), 1.0 / k, dtype=_DTYPE, device=X.device)
        if means is None:
            if self.init_params == "random":
                means = 0.25 + 0.5 * torch.rand(k, d, generator=generator, dtype=_DTYPE)
            else:
                idx = torch.randperm(n, generator=generator)[:k]
                means = 0.25 + 0.5 * X[idx.to(X.device)].cpu()
            means = means.to(X.device)
        return weights.clone(), means.clamp(self.min_prob, 1.0 - self.min_prob)

    def _estimate_weighted_log_prob(self, X, params):
        """``log π_k + log p(x_n | μ_k)``, forma (N, K)."""
        weights, means = params
        return _estimate_log_bernoulli_prob(X, means) + torch.log(weights)

    def _m_step(self, X, log_resp):
        """Passo M: ``(weights, means)`` a partir de ``log r``."""
        _, weights, means = _estimate_bernoulli_parameters(X, log_resp.exp(), self.min_prob)
        return weights, means

    def _set_fitted_attributes(self, params):
        weights, means = params
        self.weights_, self.means_ = to_numpy(weights), to_numpy(means)

    def _n_parameters(self):
        k, d = self.means_.shape
        return k * d + k - 1

    def _sample_given_labels(self, labels, generator):
        """``x_d ~ Bernoulli(μ_{z,d})``."""
        probs = torch.as_tensor(self.means_, dtype=_DTYPE)[labels]
        return (torch.rand(probs.shape, generator=generator, dtype=_DTYPE) < probs).to(_DTYPE)
