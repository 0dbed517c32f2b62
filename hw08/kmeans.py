"""K-means (algoritmo de Lloyd) em torch, com a interface do scikit-learn.

Passo de atribuição (E) com os centroides fixos e passo de atualização (M) com as
atribuições fixas, como em ``sklearn.cluster.KMeans(algorithm="lloyd")``:

* os dados são centrados pela média antes das contas (como o scikit-learn faz): longe da origem a
  expansão ``‖x‖² − 2 x·c + ‖c‖²`` perderia todos os dígitos por cancelamento; os centroides
  voltam às coordenadas originais no fim. Exceção: na CPU, se X é esparsa (≤ 25 % de entradas não
  nulas, como o MNIST com 19 %) e já está perto da origem (``‖média‖² ≤ 10 ×`` a variância total,
  de modo que o cancelamento custa menos de um dígito), X fica como está e o produto ``X Cᵀ`` usa
  uma cópia CSR de X, feita uma vez por ``fit``, que só percorre as entradas não nulas;
* distâncias por ``‖x‖² − 2 x·c + ‖c‖²`` (memória N×K, nunca N×K×D);
* atualização ``μ_k = Σ_{n∈C_k} x_n / |C_k|`` com ``index_add_``, incremental: depois da primeira
  iteração só os pontos que trocaram de grupo entram e saem das somas;
* grupos vazios são re-semeados com os pontos mais distantes dos seus centroides;
* parada quando as atribuições não mudam (convergência estrita) ou quando o deslocamento
  total dos centroides ``Σ_k ‖μ_k^{novo} − μ_k‖²`` fica abaixo de ``tol`` × variância média
  dos atributos — a mesma regra do scikit-learn.

Entrada ``float64`` é processada em ``float64`` (centroides ``float64``, como no scikit-learn);
qualquer outra entrada, em ``float32``.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin

from ._kmeans_common import (class_means_init, column_mean, exact_inertia, kmeans_plusplus, mean_variance,
                             random_init, relocate_empty_clusters, squared_distances)
from ._validation import (ARRAY, DEFAULT_DEVICE, DEVICE, RANDOM_STATE, VERBOSE, Interval, Options,
                          check_array, check_fitted, check_n_clusters, check_n_features,
                          make_generator, progress_bar, resolve_device, to_numpy, validate_params)

__all__ = ["KMeans"]

# até aqui, a razão ‖média‖² / variância total deixa X sem centrar no caminho esparso
_MAX_OFFSET_RATIO = 10.0


# Cópia CSR de X para o produto X Cᵀ na CPU. Medido (2 núcleos, X 60 000 × 784, K = 10): o produto
# denso leva ≈ 23 ms em qualquer densidade; o CSR com índices int32 leva 3, 7, 9 e 14 ms com 10, 20, 30
# e 40 % de não nulos, e a conversão custa 0,2–0,45 s. Até 25 % ela se paga em ≈ 20 iterações.
_CSR_MAX_DENSITY = 0.25
_CSR_MIN_SIZE = 1_000_000
_DENSITY_STRIDE = 16


def _csr_copy(X):
    """Cópia CSR (índices int32) de ``X`` se ela acelera ``X @ C.T``; senão ``None``.

    Só na CPU, para X com pelo menos ``_CSR_MIN_SIZE`` entradas e no máximo ``_CSR_MAX_DENSITY``
    delas não nulas. A densidade é estimada primeiro numa amostra de linhas (uma a cada
    ``_DENSITY_STRIDE``, ≈ 1 ms em vez dos ≈ 20 ms de contar X inteira) e conferida na cópia.
    """
    if X.device.type != "cpu" or X.numel() < _CSR_MIN_SIZE:
        return None
    sample = X[::_DENSITY_STRIDE]
    if int(torch.count_nonzero(sample)) > 1.2 * _CSR_MAX_DENSITY * sample.numel():
        return None
    with warnings.catch_warnings():  # "Sparse CSR tensor support is in beta state"
        warnings.simplefilter("ignore", UserWarning)
        csr = X.to_sparse_csr()
        crow = csr.crow_indices()
        nnz = int(crow[-1])
        if nnz > _CSR_MAX_DENSITY * X.numel() or nnz >= 2**31:
            return None
        return torch.sparse_csr_tensor(crow.to(torch.int32), csr.col_indices().to(torch.int32),
                                       csr.values(), X.shape, check_invariants=False)


def _assign(X, centers, out=None, X_csr=None):
    """Passo E sem o termo ``‖x‖²`` (que não muda o argmin).

    Parameters
    ----------
    X_csr : torch.Tensor, default=None
        Cópia CSR de ``X`` (ver :func:`_csr_copy`); se dada, o produto ``X Cᵀ`` é feito com ela.

    Returns
    -------
    partial : torch.Tensor of shape (n_samples,)
        ``min_k (‖μ_k‖² − 2 x·μ_k)``; somando ``‖x‖²`` dá a distância ao quadrado ao centroide.
    labels : torch.Tensor of shape (n_samples,)
    """
    # BEGIN SOLUTION Exercício prático 1 (notebooks/01_kmeans_mnist.ipynb), passo de atribuição do K-means
    C_sq = (centers * centers).sum(dim=1)
    if X_csr is None:
        d = torch.addmm(C_sq.unsqueeze(0), X, centers.T, alpha=-2.0, out=out)  # (N, K)
    else:
        d = torch.mm(X_csr, centers.T.contiguous()).mul_(-2.0).add_(C_sq)
    return d.min(dim=1)
    # END SOLUTION


def _update_sums(X, labels, ref_labels, sums, counts, n_clusters):
    """Somas e contagens por grupo para ``labels``, reaproveitando as de ``ref_labels``.

    Sem referência (primeira iteração, depois de re-semear um grupo vazio) ou com muitos pontos
    trocando de grupo, refaz tudo com ``index_add_`` (uma leitura de X). Nas demais, só os pontos
    que mudaram de grupo entram e saem das somas: depois das primeiras iterações são poucos, e o
    passo M deixa de ler X inteiro. As somas ficam em float64 para que as atualizações
    incrementais não acumulem erro de arredondamento.

    Returns
    -------
    sums : torch.Tensor of shape (n_clusters, n_features), float64
    counts : torch.Tensor of shape (n_clusters,), int64
    """
    # BEGIN SOLUTION Exercício prático 1 (notebooks/01_kmeans_mnist.ipynb), passo de atualização do K-means
    if ref_labels is not None:
        changed = torch.nonzero(labels != ref_labels).flatten()
        if len(changed) <= X.shape[0] // 8:
            if len(changed):
                Xc = X[changed].to(torch.float64)
                new, old = labels[changed], ref_labels[changed]
                sums.index_add_(0, new, Xc).index_add_(0, old, Xc, alpha=-1)
                counts += torch.bincount(new, minlength=n_clusters)
                counts -= torch.bincount(old, minlength=n_clusters)
            return sums, counts
    counts = torch.bincount(labels, minlength=n_clusters)
    sums = torch.zeros((n_clusters, X.shape[1]), dtype=X.dtype, device=X.device)
    sums = sums.index_add_(0, labels, X).to(torch.float64)
    return sums, counts
    # END SOLUTION


def _lloyd(X, X_sq, centers, n_clusters, max_iter, tol, progress=None, X_csr=None):
    """Laço de Lloyd com a regra de parada do scikit-learn (``X_csr``: ver :func:`_csr_copy`).

    Returns
    -------
    labels, inertia, centers, n_iter, history
    """
    X_sq_total = float(X_sq.sum(dtype=torch.float64))
    buffer = torch.empty((X.shape[0], n_clusters), dtype=X.dtype, device=X.device)
    labels_old = ref_labels = sums = counts = None
    history = []
    strict = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        partial, labels = _assign(X, centers, out=buffer, X_csr=X_csr)
        inertia = float(partial.sum(dtype=torch.float64)) + X_sq_total
        history.append(inertia)
        sums, counts = _update_sums(X, labels, ref_labels, sums, counts, n_clusters)
        ref_labels = labels
        if bool((counts == 0).any()):
            relocate_empty_clusters(X, partial + X_sq, labels, sums, counts)
            ref_labels = None  # as somas já não correspondem a `labels`: refazer na próxima
        new_centers = (sums / counts.unsqueeze(1)).to(X.dtype)
        shift = float(((new_centers - centers) ** 2).sum(dtype=torch.float64))
        centers = new_centers
        if progress is not None:
            progress.update(1)
            progress.set_postfix(inercia=f"{inertia:.5g}")
        if labels_old is not None and torch.equal(labels, labels_old):
            strict = True
            break
        if shift <= tol:
            break
        labels_old = labels
    # atribuições e inércia finais coerentes com os centroides devolvidos
    final_labels = labels if strict else _assign(X, centers, out=buffer, X_csr=X_csr)[1]
    return final_labels, exact_inertia(X, centers, final_labels), centers, n_iter, history


def _reference_point(X):
    """Escolhe o ponto de referência das contas.

    Centra X pela média (como o scikit-learn), exceto quando X está perto da origem
    (``‖média‖² ≤ 10 ×`` variância total) e é esparsa o bastante para a cópia CSR
    (:func:`_csr_copy`): aí centrar destruiria os zeros e a perda de dígitos é desprezível.

    Returns
    -------
    shift : torch.Tensor of shape (n_features,), float64
    Xw : torch.Tensor
        ``X − shift`` (ou o próprio ``X``).
    X_csr : torch.Tensor or None
    mean_var : float
        Média das variâncias dos atributos (para a tolerância).
    """
    mean = column_mean(X)
    mean_var = mean_variance(X)
    if float(mean.square().sum()) <= _MAX_OFFSET_RATIO * mean_var * X.shape[1]:
        X_csr = _csr_copy(X)
        if X_csr is not None:
            return torch.zeros_like(mean), X, X_csr, mean_var
    Xw = X - mean.to(X.dtype)
    return mean, Xw, None, mean_variance(Xw)


class KMeans(ClusterMixin, TransformerMixin, BaseEstimator):
    """Agrupamento K-means (algoritmo de Lloyd) em torch, na CPU ou na GPU.

    Parameters
    ----------
    n_clusters : int, default=8
        Número de grupos K.
    init : {"k-means++", "random", "class-means"} or array-like of shape (n_clusters, n_features), default="k-means++"
        Inicialização dos centroides: ``"random"`` sorteia K amostras distintas; ``"k-means++"``
        usa a semeadura k-means++ gulosa; ``"class-means"`` usa a média de cada classe (exige
        ``y`` em :meth:`fit`); um array dá os centroides iniciais explicitamente.
    n_init : int or "auto", default="auto"
        Número de inicializações; fica a de menor inércia. ``"auto"`` = 10 para ``"random"`` e 1
        para as demais. Inicializações determinísticas (``"class-means"``, array) rodam uma vez.
    max_iter : int, default=300
        Máximo de iterações de Lloyd por inicialização.
    tol : float, default=1e-4
        Tolerância relativa: para quando ``Σ_k ‖Δμ_k‖² <= tol × média das variâncias dos atributos``.
    random_state : None, int, numpy.random.RandomState or Generator, default=None
        Semente das inicializações aleatórias (como no scikit-learn).
    device : {"cpu", "auto", "cuda"} or torch.device, default="cpu"
        Onde as contas são feitas; ``"auto"`` usa a GPU quando houver.
    verbose : int, default=0
        ``1`` mostra uma barra de progresso (``tqdm.auto``) com a inércia a cada iteração.

    Attributes
    ----------
    cluster_centers_ : numpy.ndarray of shape (n_clusters, n_features)
        Centroides finais (``float64`` se X era ``float64``; senão ``float32``).
    labels_ : numpy.ndarray of shape (n_samples,)
        Grupo de cada amostra de treino.
    inertia_ : float
        Soma das distâncias ao quadrado de cada amostra ao seu centroide.
    n_iter_ : int
        Iterações da melhor inicialização.
    inertia_history_ : list of float
        Inércia a cada iteração (atribuição com os centroides da iteração) da melhor inicialização.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from hw08 import KMeans
    >>> X = np.array([[1, 1], [1, 0], [0, 2], [2, 4], [3, 5]], dtype=float)
    >>> km = KMeans(2, init=X[[0, 2]]).fit(X)
    >>> km.labels_.tolist()
    [0, 0, 0, 1, 1]
    """

    _param_rules = {
        "n_clusters": [Interval(numbers.Integral, 1)],
        "init": [Options("k-means++", "random", "class-means"), ARRAY],
        "n_init": [Options("auto"), Interval(numbers.Integral, 1)],
        "max_iter": [Interval(numbers.Integral, 1)],
        "tol": [Interval(numbers.Real, 0)],
        "random_state": [RANDOM_STATE],
        "device": [DEVICE],
        "verbose": [VERBOSE],
    }

    def __init__(self, n_clusters=8, *, init="k-means++", n_init="auto", max_iter=300, tol=1e-4,
                 random_state=None, device=DEFAULT_DEVICE, verbose=0):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:  # na GPU as somas em ponto flutuante não têm ordem fixa
            tags.non_deterministic = resolve_device(self.device).type == "cuda"
        except ValueError:
            pass
        return tags

    # ------------------------------------------------------------------ validação
    def _n_runs(self):
        """Número de inicializações efetivo (``"auto"`` e inicializações determinísticas)."""
        if not isinstance(self.init, str) or self.init == "class-means":
            return 1
        if isinstance(self.n_init, str):
            return 10 if self.init == "random" else 1
        return int(self.n_init)

    def _initial_centers(self, X, X_sq, y, generator, shift):
        k = self.n_clusters
        if isinstance(self.init, str):
            if self.init == "random":
                return random_init(X, k, generator)
            if self.init == "k-means++":
                return kmeans_plusplus(X, k, generator, X_sq)
            return class_means_init(X, y, k)
        C = check_array(self.init, name="init", device=X.device, dtype=torch.float64)
        if C.shape != (k, X.shape[1]):
            raise ValueError(
                f"init tem forma {tuple(C.shape)}, mas deveria ser (n_clusters, n_atributos) = "
                f"({k}, {X.shape[1]})."
            )
        return (C - shift).to(X.dtype)

    def _centered(self, X):
        """``X`` validado, no dtype do ajuste, menos o ponto de referência do ajuste."""
        check_fitted(self, "cluster_centers_")
        X = check_array(X, device=self._device, dtype=self._dtype)
        check_n_features(self, X, reset=False)
        shift = torch.as_tensor(self._shift, device=X.device)
        C = (torch.as_tensor(self.cluster_centers_, device=X.device, dtype=torch.float64) - shift)
        if bool(shift.any()):
            X = X - shift.to(X.dtype)
        return X, C.to(X.dtype)

    # ------------------------------------------------------------------ API
    def fit(self, X, y=None):
        """Ajusta o K-means.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, n_features)
            Dados (sem NaN).
        y : array-like of shape (n_samples,), default=None
            Rótulos; usados só por ``init="class-means"``.

        Returns
        -------
        self : KMeans
        """
        validate_params(self)
        self._device = resolve_device(self.device)
        X = check_array(X, device=self._device, dtype="preserve")
        check_n_clusters(self.n_clusters, X.shape[0])
        check_n_features(self, X, reset=True)
        n_init = self._n_runs()
        shift, Xw, X_csr, mean_var = _reference_point(X)
        X_sq = torch.linalg.vector_norm(Xw, dim=1).square_()
        tol = mean_var * float(self.tol)
        generator = make_generator(self.random_state)
        progress = progress_bar(self.verbose, n_init * self.max_iter, "K-means")
        best = None
        try:
            for _ in range(n_init):
                centers = self._initial_centers(Xw, X_sq, y, generator, shift)
                run = _lloyd(Xw, X_sq, centers, self.n_clusters, self.max_iter, tol, progress, X_csr)
                if best is None or run[1] < best[1]:
                    best = run
        finally:
            if progress is not None:
                progress.close()
        labels, inertia, centers, n_iter, history = best
        self._dtype, self._shift = X.dtype, to_numpy(shift)
        self.cluster_centers_ = to_numpy(centers.to(torch.float64) + shift).astype(
            to_numpy(X[:1]).dtype)
        self.labels_ = to_numpy(labels)
        self.inertia_ = inertia
        self.n_iter_ = n_iter
        self.inertia_history_ = history
        return self

    def predict(self, X):
        """Índice do centroide mais próximo de cada amostra.

        Returns
        -------
        numpy.ndarray of shape (n_samples,)
        """
        X, C = self._centered(X)
        return to_numpy(squared_distances(X, C).argmin(dim=1))

    def fit_predict(self, X, y=None):
        """Equivale a ``fit(X, y).labels_``."""
        return self.fit(X, y).labels_

    def transform(self, X):
        """Distâncias euclidianas (não ao quadrado) de cada amostra a cada centroide.

        Returns
        -------
        numpy.ndarray of shape (n_samples, n_clusters)
        """
        X, C = self._centered(X)
        return to_numpy(squared_distances(X, C).sqrt_())

    def fit_transform(self, X, y=None):
        """Equivale a ``fit(X, y).transform(X)``."""
        return self.fit(X, y).transform(X)

    def score(self, X, y=None):
        """Menos a inércia de ``X`` com os centroides ajustados (maior é melhor, como no sklearn)."""
        X, C = self._centered(X)
        return -float(squared_distances(X, C).min(dim=1).values.sum(dtype=torch.float64))
