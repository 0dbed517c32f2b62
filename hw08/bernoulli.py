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

import math
import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning

from ._validation import (
    check_array,
    check_n_clusters,
    check_positive_int,
    make_generator,
    resolve_device,
    to_numpy,
)

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


class BernoulliMixture:
    """Mistura de Bernoullis multivariadas (modelo para imagens binárias), ajustada por EM.

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
    random_state : None, int or torch.Generator, default=None
        Semente das inicializações.
    device : {None, "auto", "cpu", "cuda"}, default=None
        Dispositivo do torch.
    verbose : int, default=0
        ``1`` imprime a log-verossimilhança ao fim de cada inicialização; ``2``, a cada iteração.

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
        Log-verossimilhança média por amostra da melhor inicialização ao fim do ajuste.
    lower_bounds_ : list of float
        A mesma quantidade a cada iteração da melhor inicialização (não decrescente).
    n_features_in_ : int
        Número de atributos vistos em ``fit``.
    """

    def __init__(self, n_components=1, *, tol=1e-3, max_iter=100, n_init=1, init_params="random",
                 weights_init=None, means_init=None, min_prob=1e-6, random_state=None, device=None,
                 verbose=0):
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

    # ------------------------------------------------------------------ validação
    def _check_X(self, X, device):
        X = check_array(X, device=device, dtype=_DTYPE)
        if bool((X < 0).any()) or bool((X > 1).any()):
            raise ValueError(
                "BernoulliMixture modela dados binários: X deve ter valores em [0, 1] "
                f"(recebido mínimo {float(X.min()):.4g}, máximo {float(X.max()):.4g}). "
                "Binarize as imagens antes, por exemplo X = (X > 0.5)."
            )
        return X

    def _check_params(self, n_samples, n_features, device):
        k = check_n_clusters(self.n_components, n_samples, name="n_components")
        check_positive_int(self.max_iter, "max_iter")
        check_positive_int(self.n_init, "n_init")
        if not (isinstance(self.tol, (int, float)) and self.tol >= 0):
            raise ValueError(f"tol deve ser um número >= 0; recebido {self.tol!r}.")
        if not (isinstance(self.min_prob, (int, float)) and 0 < self.min_prob < 0.5):
            raise ValueError(f"min_prob deve estar em (0, 0.5); recebido {self.min_prob!r}.")
        if self.init_params not in ("random", "random_from_data"):
            raise ValueError(
                f"init_params={self.init_params!r} inválido: use 'random' ou 'random_from_data'."
            )
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
        return k, weights, means

    # ------------------------------------------------------------------ EM
    def _initialize(self, X, k, weights, means, gen):
        n, d = X.shape
        if weights is None:
            weights = torch.full((k,), 1.0 / k, dtype=_DTYPE, device=X.device)
        if means is None:
            if self.init_params == "random":
                means = 0.25 + 0.5 * torch.rand(k, d, generator=gen, dtype=_DTYPE)
            else:
                idx = torch.randperm(n, generator=gen)[:k]
                means = 0.25 + 0.5 * X[idx.to(X.device)].cpu()
            means = means.to(X.device)
        return weights.clone(), means.clamp(self.min_prob, 1.0 - self.min_prob)

    def _e_step(self, X, weights, means):
        """Devolve a log-verossimilhança média e ``log_resp`` de forma (N, K)."""
        weighted = _estimate_log_bernoulli_prob(X, means) + torch.log(weights)   # (N, K)
        log_norm = torch.logsumexp(weighted, dim=1)                              # (N,)
        return float(log_norm.mean()), weighted - log_norm[:, None]

    def fit(self, X, y=None):
        """Ajusta o modelo por EM e devolve ``self``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Dados com valores em ``[0, 1]`` (idealmente binários).
        y : ignorado

        Returns
        -------
        self
        """
        self.fit_predict(X)
        return self

    def fit_predict(self, X, y=None):
        """Ajusta o modelo e devolve o componente mais provável de cada amostra.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        device = resolve_device(self.device)
        X = self._check_X(X, device)
        n, d = X.shape
        k, w0, m0 = self._check_params(n, d, device)
        gen = make_generator(self.random_state)
        best = None
        for init in range(self.n_init):
            weights, means = self._initialize(X, k, w0, m0, gen)
            lb, log_resp = self._e_step(X, weights, means)
            history, converged, n_iter = [], False, 0
            for n_iter in range(1, self.max_iter + 1):
                prev = lb
                _, weights, means = _estimate_bernoulli_parameters(X, log_resp.exp(), self.min_prob)
                lb, log_resp = self._e_step(X, weights, means)
                history.append(lb)
                if self.verbose >= 2:
                    print(f"  início {init + 1}, iteração {n_iter}: log-veross. média {lb:.6f}")
                if abs(lb - prev) < self.tol:
                    converged = True
                    break
            if self.verbose >= 1:
                print(f"início {init + 1}: log-veross. média {lb:.6f} após {n_iter} iterações")
            if best is None or lb > best[0]:
                best = (lb, weights, means, history, converged, n_iter)
        lb, weights, means, history, converged, n_iter = best
        if not converged:
            warnings.warn(
                f"O EM não convergiu em max_iter={self.max_iter} iterações: aumente max_iter ou tol.",
                ConvergenceWarning, stacklevel=2,
            )
        self._weights, self._means = weights, means
        self.weights_, self.means_ = to_numpy(weights), to_numpy(means)
        self.converged_, self.n_iter_ = converged, n_iter
        self.lower_bound_, self.lower_bounds_ = lb, history
        self.n_features_in_ = d
        self._device = device
        # passo E final: fit_predict(X) coincide com fit(X).predict(X)
        _, log_resp = self._e_step(X, weights, means)
        return to_numpy(log_resp.argmax(dim=1))

    # ------------------------------------------------------------------ inferência
    def _check_fitted(self, X):
        if not hasattr(self, "_means"):
            raise ValueError("Este BernoulliMixture ainda não foi ajustado: chame fit(X) antes.")
        X = self._check_X(X, self._device)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X tem {X.shape[1]} atributos, mas o modelo foi ajustado com {self.n_features_in_}."
            )
        return X

    def _weighted_log_prob(self, X):
        X = self._check_fitted(X)
        return _estimate_log_bernoulli_prob(X, self._means) + torch.log(self._weights)

    def score_samples(self, X):
        """Log-verossimilhança ``log p(x_n)`` de cada amostra.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return to_numpy(torch.logsumexp(self._weighted_log_prob(X), dim=1))

    def score(self, X, y=None):
        """Log-verossimilhança média por amostra."""
        return float(np.mean(self.score_samples(X)))

    def predict_proba(self, X):
        """Responsabilidades ``r_nk = p(z_n = k | x_n)``.

        Returns
        -------
        ndarray of shape (n_samples, n_components)
        """
        return to_numpy(torch.softmax(self._weighted_log_prob(X), dim=1))

    def predict(self, X):
        """Componente mais provável de cada amostra.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return to_numpy(self._weighted_log_prob(X).argmax(dim=1))

    def _n_parameters(self):
        k, d = self._means.shape
        return k * d + k - 1

    def bic(self, X):
        """Critério de informação bayesiano: ``-2 log L + p log N`` (menor é melhor)."""
        n = len(X)
        return -2.0 * self.score(X) * n + self._n_parameters() * math.log(n)

    def aic(self, X):
        """Critério de informação de Akaike: ``-2 log L + 2 p`` (menor é melhor)."""
        return -2.0 * self.score(X) * len(X) + 2.0 * self._n_parameters()

    def sample(self, n_samples=1, random_state=None):
        """Sorteia amostras binárias do modelo ajustado.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        labels : ndarray of shape (n_samples,)
        """
        if not hasattr(self, "_means"):
            raise ValueError("Este BernoulliMixture ainda não foi ajustado: chame fit(X) antes.")
        n_samples = check_positive_int(n_samples, "n_samples")
        gen = make_generator(random_state)
        labels = torch.multinomial(self._weights.cpu(), n_samples, replacement=True, generator=gen)
        probs = self._means.cpu()[labels]
        X = (torch.rand(probs.shape, generator=gen, dtype=_DTYPE) < probs).to(_DTYPE)
        return to_numpy(X), to_numpy(labels)
