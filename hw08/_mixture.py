"""Base comum das misturas ajustadas por EM (:mod:`hw08.gmm` e :mod:`hw08.bernoulli`).

Como ``BaseMixture`` do scikit-learn: o laço EM, a melhor de ``n_init`` inicializações, o critério
de convergência, ``lower_bound_``, ``fit_predict``, ``predict``, ``predict_proba``, ``score``,
``score_samples``, ``bic``, ``aic`` e ``sample`` estão escritos só aqui. Cada mistura traz apenas
seus parâmetros (uma tupla de tensores) e os passos do modelo:

* ``_check_X(X, device)`` — validação própria dos dados (ex.: valores em [0, 1]);
* ``_check_initial_parameters(X)`` — parâmetros iniciais dados pelo usuário, validados;
* ``_initialize(X, generator, initial)`` — parâmetros iniciais;
* ``_estimate_weighted_log_prob(X, params)`` — ``log π_k + log p(x_n | θ_k)``, forma (N, K);
* ``_m_step(X, log_resp)`` — novos parâmetros a partir das responsabilidades;
* ``_set_fitted_attributes(params)``, ``_n_parameters()``, ``_sample_given_labels(labels, gen)``.

Convenções (as do scikit-learn): ``lower_bound_`` é a log-verossimilhança média por amostra do
último passo E, isto é, calculada com os parâmetros **anteriores** ao último passo M; o EM para
quando ela varia menos que ``tol``; um passo E final faz ``fit_predict(X)`` coincidir com
``fit(X).predict(X)``.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.exceptions import ConvergenceWarning

from ._validation import (ARRAY, DEVICE, NONE, RANDOM_STATE, VERBOSE, Interval, check_array,
                          check_fitted, check_n_clusters, check_n_features, check_positive_int,
                          make_generator, progress_bar, resolve_device, to_numpy, validate_params)

__all__ = ["BaseMixture"]


class BaseMixture(DensityMixin, BaseEstimator):
    """Mistura finita ajustada por EM (base; use :class:`hw08.GaussianMixture` ou
    :class:`hw08.BernoulliMixture`)."""

    _param_rules = {
        "n_components": [Interval(numbers.Integral, 1)],
        "tol": [Interval(numbers.Real, 0)],
        "max_iter": [Interval(numbers.Integral, 0)],
        "n_init": [Interval(numbers.Integral, 1)],
        "weights_init": [ARRAY, NONE],
        "means_init": [ARRAY, NONE],
        "random_state": [RANDOM_STATE],
        "device": [DEVICE],
        "verbose": [VERBOSE],
    }

    _min_fit_samples = 1

    # ------------------------------------------------------------------ ganchos do modelo
    def _check_X(self, X, device):
        return check_array(X, device=device, dtype=torch.float64)

    def _preprocess(self, X, fit=False):
        """Transformação dos dados antes das contas (identidade; a GMM centra)."""
        return X

    def _check_initial_parameters(self, X):  # pragma: no cover - abstrato
        raise NotImplementedError

    def _initialize(self, X, generator, initial):  # pragma: no cover - abstrato
        raise NotImplementedError

    def _estimate_weighted_log_prob(self, X, params):  # pragma: no cover - abstrato
        raise NotImplementedError

    def _m_step(self, X, log_resp):  # pragma: no cover - abstrato
        raise NotImplementedError

    def _set_fitted_attributes(self, params):  # pragma: no cover - abstrato
        raise NotImplementedError

    def _n_parameters(self):  # pragma: no cover - abstrato
        raise NotImplementedError

    def _sample_given_labels(self, labels, generator):  # pragma: no cover - abstrato
        raise NotImplementedError

    # ------------------------------------------------------------------ EM
    def _e_step(self, X, params):
        """Passo E: log-verossimilhança média e ``log r_nk`` (N, K), no espaço log."""
        weighted = self._estimate_weighted_log_prob(X, params)              # (N, K)
        log_norm = torch.logsumexp(weighted, dim=1)                         # (N,)
        if not bool(torch.isfinite(log_norm).all()):
            raise ValueError(self._collapse_message)
        return float(log_norm.mean()), weighted - log_norm[:, None]

    _collapse_message = ("O ajuste da mistura falhou: a verossimilhança de alguma amostra não é "
                         "finita. Padronize os dados ou diminua n_components.")

    def _em(self, X, params, progress, run):
        """Um ajuste por EM a partir de ``params``.

        Returns
        -------
        lower_bound, params, history, converged, n_iter
        """
        lower_bound, history, converged, n_iter = -math.inf, [], False, 0
        for n_iter in range(1, self.max_iter + 1):
            prev = lower_bound
            lower_bound, log_resp = self._e_step(X, params)
            params = self._m_step(X, log_resp)
            history.append(lower_bound)
            if progress is not None:
                progress.update(1)
                progress.set_postfix(log_veross=f"{lower_bound:.5g}")
            if self.verbose >= 2:
                print(f"  início {run + 1}, iteração {n_iter}: log-veross. média {lower_bound:.6f} "
                      f"(variação {lower_bound - prev:.3g})")
            if abs(lower_bound - prev) < self.tol:
                converged = True
                break
        return lower_bound, params, history, converged, n_iter

    def fit(self, X, y=None):
        """Ajusta a mistura por EM e devolve ``self``.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, n_features)
        y : ignorado

        Returns
        -------
        self
        """
        self.fit_predict(X, y)
        return self

    def fit_predict(self, X, y=None):
        """Ajusta o modelo e devolve o componente mais provável de cada amostra.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        validate_params(self)
        device = resolve_device(self.device)
        X = self._check_X(X, device)
        if X.shape[0] < self._min_fit_samples:
            raise ValueError(f"X tem {X.shape[0]} amostra(s), mas são necessárias pelo menos "
                             f"{self._min_fit_samples} para ajustar um {type(self).__name__}.")
        check_n_clusters(self.n_components, X.shape[0], name="n_components")
        check_n_features(self, X, reset=True)
        self._device = device
        X = self._preprocess(X, fit=True)
        initial = self._check_initial_parameters(X)
        generator = make_generator(self.random_state)
        progress = progress_bar(self.verbose, self.n_init * self.max_iter, type(self).__name__)
        best = None
        try:
            for run in range(self.n_init):
                params = self._initialize(X, generator, initial)
                result = self._em(X, params, progress, run)
                if best is None or result[0] > best[0]:
                    best = result
        finally:
            if progress is not None:
                progress.close()
        lower_bound, params, history, converged, n_iter = best
        if not converged and self.max_iter > 0:
            warnings.warn(
                "A melhor inicialização não convergiu: aumente max_iter ou tol, tente outra "
                "inicialização, ou verifique se os dados são degenerados.",
                ConvergenceWarning, stacklevel=2,
            )
        self._params = params
        self._set_fitted_attributes(params)
        self.converged_, self.n_iter_ = converged, n_iter
        self.lower_bound_, self.lower_bounds_ = lower_bound, history
        # passo E final: fit_predict(X) coincide com fit(X).predict(X)
        _, log_resp = self._e_step(X, params)
        return to_numpy(log_resp.argmax(dim=1))

    # ------------------------------------------------------------------ inferência
    def _weighted_log_prob(self, X):
        check_fitted(self, "weights_")
        X = self._check_X(X, self._device)
        check_n_features(self, X, reset=False)
        return self._estimate_weighted_log_prob(self._preprocess(X), self._params)

    def score_samples(self, X):
        """Log-densidade ``log p(x_n)`` de cada amostra.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return to_numpy(torch.logsumexp(self._weighted_log_prob(X), dim=1)).astype(np.float64)

    def score(self, X, y=None):
        """Log-verossimilhança média por amostra."""
        return float(np.mean(self.score_samples(X)))

    def predict_proba(self, X):
        """Responsabilidades ``r_nk = p(z_n = k | x_n)``.

        Returns
        -------
        ndarray of shape (n_samples, n_components)
        """
        return to_numpy(torch.softmax(self._weighted_log_prob(X), dim=1)).astype(np.float64)

    def predict(self, X):
        """Componente mais provável de cada amostra.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return to_numpy(self._weighted_log_prob(X).argmax(dim=1))

    def bic(self, X):
        """Critério de informação bayesiano ``-2 log L + p log N`` em ``X`` (menor é melhor)."""
        log_lik = self.score_samples(X)
        return -2.0 * float(log_lik.sum()) + self._n_parameters() * math.log(len(log_lik))

    def aic(self, X):
        """Critério de informação de Akaike ``-2 log L + 2p`` em ``X`` (menor é melhor)."""
        return -2.0 * float(self.score_samples(X).sum()) + 2.0 * self._n_parameters()

    def sample(self, n_samples=1, random_state=None):
        """Sorteia amostras do modelo ajustado.

        Parameters
        ----------
        n_samples : int, default=1
        random_state : None, int, RandomState or Generator, default=None
            Semente; ``None`` usa o ``random_state`` do estimador.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        labels : ndarray of shape (n_samples,)
            Componente de origem de cada amostra (ordenadas por componente, como no scikit-learn).
        """
        check_fitted(self, "weights_")
        n_samples = check_positive_int(n_samples, "n_samples")
        gen = make_generator(self.random_state if random_state is None else random_state)
        weights = torch.as_tensor(self.weights_, dtype=torch.float64)
        labels = torch.multinomial(weights, n_samples, replacement=True, generator=gen).sort().values
        return to_numpy(self._sample_given_labels(labels, gen)), to_numpy(labels)
